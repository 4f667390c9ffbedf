"""Markdown extraction: every syntax, with exact locations."""

from __future__ import annotations

from helpers import extract, located


def test_inline_link_location_and_text() -> None:
    text = "Intro\n\nSee [the source](https://example.com/a) now.\n"
    assert located(extract(text)) == [("https://example.com/a", 3, 18, "link", "the source")]


def test_link_text_wrapping_over_lines_is_collapsed() -> None:
    text = "-   crossed [negative net\n    migration](https://e.com/x)\n"
    assert located(extract(text)) == [("https://e.com/x", 2, 16, "link", "negative net migration")]


def test_destination_on_next_line_after_link_text_repeating_url() -> None:
    text = "[https://e.com/p](https://e.com/p)\n"
    assert located(extract(text)) == [("https://e.com/p", 1, 19, "link", "https://e.com/p")]


def test_link_with_title_and_angle_brackets() -> None:
    text = '[a](<https://e.com/with space> "T") [b](https://e.com/t "title")\n'
    assert located(extract(text)) == [
        ("https://e.com/with space", 1, 6, "link", "a"),
        ("https://e.com/t", 1, 41, "link", "b"),
    ]


def test_reference_links_point_at_their_definition() -> None:
    text = (
        "Read [this][ref] and [ref].\n\n[ref]: https://e.com/r 'Title'\n[unused]: https://e.com/u\n"
    )
    assert located(extract(text)) == [
        ("https://e.com/r", 3, 8, "reference", "this"),
        ("https://e.com/r", 3, 8, "reference", "ref"),
        ("https://e.com/u", 4, 11, "reference", "unused"),
    ]


def test_autolink_and_image() -> None:
    text = "<https://e.com/auto> ![alt text](img/p.png)\n"
    assert located(extract(text)) == [
        ("https://e.com/auto", 1, 2, "autolink", ""),
        ("img/p.png", 1, 34, "image", "alt text"),
    ]


def test_bare_urls_follow_gfm_trailing_punctuation_rules() -> None:
    text = "See https://e.com/a_(b)). Also (https://e.com/c), www.e.org/d. And e.com alone.\n"
    assert [(c.url, c.column) for c in extract(text)] == [
        ("https://e.com/a_(b)", 5),
        ("https://e.com/c", 33),
        ("http://www.e.org/d", 51),
    ]
    assert {c.role for c in extract(text)} == {"bare"}


def test_bare_url_keeps_query_drops_trailing_comma() -> None:
    assert [c.url for c in extract("go to https://e.com/s?q=1&r=2, then\n")] == [
        "https://e.com/s?q=1&r=2"
    ]


def test_nothing_inside_code() -> None:
    text = (
        "`[x](https://e.com/span)` and `https://e.com/span2`\n\n"
        "```\n[y](https://e.com/fenced)\nhttps://e.com/fenced2\n```\n\n"
        "    https://e.com/indented\n\n"
        "[real](https://e.com/real)\n"
    )
    assert [c.url for c in extract(text)] == ["https://e.com/real"]


def test_links_in_lists_quotes_and_tables() -> None:
    text = (
        "> quoted [q](https://e.com/q)\n\n"
        "1. item [i](https://e.com/i)\n\n"
        "| a | b |\n|---|---|\n| [t](https://e.com/t) | x |\n"
    )
    assert [(c.url, c.line, c.column) for c in extract(text)] == [
        ("https://e.com/q", 1, 14),
        ("https://e.com/i", 3, 13),
        ("https://e.com/t", 7, 7),
    ]


def test_raw_html_in_markdown() -> None:
    text = 'Text <a href="https://e.com/inline">x</a>\n\n<div><a href="https://e.com/block">b</a></div>\n'
    assert [(c.url, c.line, c.column, c.role) for c in extract(text)] == [
        ("https://e.com/inline", 1, 15, "html:a"),
        ("https://e.com/block", 3, 15, "html:a"),
    ]


def test_same_url_twice_in_one_block_gets_two_locations() -> None:
    text = "[a](https://e.com/x) and [b](https://e.com/x)\n"
    assert [c.column for c in extract(text)] == [5, 30]


def test_escaped_destination_falls_back_to_the_opening_parenthesis() -> None:
    text = "[a](https://e.com/a\\_b)\n"
    assert located(extract(text)) == [("https://e.com/a_b", 1, 5, "link", "a")]


def test_urls_of_other_kinds_are_classified() -> None:
    text = "[m](mailto:a@b.org) [t](tel:+15550100) [f](ftp://x.org/f) [l](docs/x.md#top) [bad](http://)\n"
    kinds = [(c.url, c.kind.value) for c in extract(text)]
    assert kinds == [
        ("mailto:a@b.org", "mailto"),
        ("tel:+15550100", "tel"),
        ("ftp://x.org/f", "unsupported"),
        ("docs/x.md#top", "local"),
        ("http://", "invalid"),
    ]


def test_javascript_links_are_kept_as_unsupported() -> None:
    assert [c.kind.value for c in extract("[x](javascript:alert(1))\n")] == ["unsupported"]


def test_escape_or_emphasis_inside_a_bare_url_does_not_end_it() -> None:
    text = "RFC: http://x.org/\\_6lowpan-ipv6 and\nhttps://e.com/search?q=*foo* here\n"
    assert located(extract(text)) == [
        ("http://x.org/_6lowpan-ipv6", 1, 6, "bare", ""),
        ("https://e.com/search?q=*foo", 2, 1, "bare", ""),
    ]


def test_emphasis_around_a_bare_url_is_not_part_of_it() -> None:
    text = "**https://e.com/a**. _see https://e.com/b_ ~~https://e.com/c~~\n"
    assert [(c.url, c.column) for c in extract(text)] == [
        ("https://e.com/a", 3),
        ("https://e.com/b", 27),
        ("https://e.com/c", 46),
    ]


def test_entity_inside_a_bare_url_is_read_as_rendered() -> None:
    text = "See https://e.com/?a=1&amp;b=2&copy=3 now\n"
    assert [(c.url, c.column) for c in extract(text)] == [("https://e.com/?a=1&b=2&copy=3", 5)]


def test_bracketed_bare_urls_lose_the_bracket() -> None:
    text = "See [https://github.com/o/r] and [[https://e.org/w/Page|the page]].\n"
    assert located(extract(text)) == [
        ("https://github.com/o/r", 1, 6, "bare", ""),
        ("https://e.org/w/Page", 1, 36, "bare", ""),
    ]


def test_balanced_brackets_stay_in_a_bare_url() -> None:
    text = "https://e.com/a[1]/b and (https://e.com/p_(x)).\n"
    assert [c.url for c in extract(text)] == ["https://e.com/a[1]/b", "https://e.com/p_(x)"]


def test_mailto_ends_where_the_address_ends() -> None:
    text = 'Write mailto:c@example.com":mailto:e@example.com or mailto:f@e.org.\n'
    assert [(c.url, c.column) for c in extract(text)] == [
        ("mailto:c@example.com", 7),
        ("mailto:e@example.com", 29),
        ("mailto:f@e.org", 53),
    ]


def test_bare_email_addresses_are_gfm_autolinks() -> None:
    text = "Ask foo@bar.baz, hello+xyz@mail.example.\nNot a.b-c_d@a.b_ nor x@y nor @handle.\n"
    assert located(extract(text)) == [
        ("mailto:foo@bar.baz", 1, 5, "bare", ""),
        ("mailto:hello+xyz@mail.example", 1, 18, "bare", ""),
    ]
    assert {c.kind.value for c in extract(text)} == {"mailto"}


def test_address_inside_a_url_is_not_a_second_citation() -> None:
    text = "https://user@e.com/x and mailto:a@b.org and <c@d.org>\n"
    assert [c.url for c in extract(text)] == [
        "https://user@e.com/x",
        "mailto:a@b.org",
        "mailto:c@d.org",
    ]


def test_links_inside_an_image_description_are_not_citations() -> None:
    text = "![foo [bar](/url) and <https://e.com/auto>](/url2)\n"
    assert located(extract(text)) == [("/url2", 1, 45, "image", "foo bar and https://e.com/auto")]
