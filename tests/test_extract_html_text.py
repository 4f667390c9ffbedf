"""HTML, plain-text and front-matter extraction, and format sniffing."""

from __future__ import annotations

import pytest

from helpers import extract, located
from linkcheck.extract import detect_format, sniff_format
from linkcheck.extract.html import srcset_candidates
from linkcheck.model import Format

PAGE = """<!doctype html>
<html><head><base href="https://base.example/dir/">
<script>var u = "<a href='https://e.com/script'>";</script></head>
<body>
<!-- <a href="https://e.com/comment">old</a> -->
<p>See <a href="page.html">the
  page</a> and <a href="https://e.com/abs?a=1&amp;b=2">abs</a>.</p>
<blockquote cite="https://e.com/quote">Quoted</blockquote>
<q cite="https://e.com/q">short</q> <img src="/img.png" alt="An image">
</body></html>
"""


def test_html_citations_with_base_and_locations() -> None:
    assert located(extract(PAGE, Format.HTML, "page.html")) == [
        ("https://base.example/dir/page.html", 6, 17, "html:a", "the page"),
        ("https://e.com/abs?a=1&b=2", 7, 25, "html:a", "abs"),
        ("https://e.com/quote", 8, 19, "html:blockquote", "Quoted"),
        ("https://e.com/q", 9, 10, "html:q", "short"),
        ("https://base.example/img.png", 9, 47, "html:img", "An image"),
    ]


def test_html_without_base_keeps_relative_links_local() -> None:
    citations = extract('<p><a href="other.html#x">o</a></p>', Format.HTML, "a.html")
    assert [(c.url, c.kind.value) for c in citations] == [("other.html#x", "local")]


def test_plain_text_bare_urls() -> None:
    text = "First line\nsee https://e.com/a, and (http://e.com/b).\nmailto:x@y.org\n"
    assert located(extract(text, Format.TEXT, "a.txt")) == [
        ("https://e.com/a", 2, 5, "bare", ""),
        ("http://e.com/b", 2, 27, "bare", ""),
        ("mailto:x@y.org", 3, 1, "bare", ""),
    ]


def test_front_matter_url_keys_in_markdown_and_text() -> None:
    text = (
        "---\ntitle: x\nsource_url: https://e.com/src\nquoted: 'https://e.com/q'\n"
        "links:\n  archive: https://e.com/arch\n  list:\n    - https://e.com/l1\n"
        "count: 3\n---\nBody https://e.com/body\n"
    )
    for fmt in (Format.MARKDOWN, Format.TEXT):
        assert [(c.url, c.line, c.column, c.role) for c in extract(text, fmt)] == [
            ("https://e.com/src", 3, 13, "front-matter:source_url"),
            ("https://e.com/q", 4, 10, "front-matter:quoted"),
            ("https://e.com/arch", 6, 12, "front-matter:links.archive"),
            ("https://e.com/l1", 8, 7, "front-matter:links.list"),
            ("https://e.com/body", 11, 6, "bare"),
        ]


def test_invalid_front_matter_is_not_fatal() -> None:
    text = "---\nkey: [unclosed\n---\n[a](https://e.com/a)\n"
    assert [c.url for c in extract(text)] == ["https://e.com/a"]


def test_front_matter_not_parsed_as_markdown() -> None:
    text = "---\ntitle: '[x](https://e.com/not-a-link)'\n---\n"
    assert extract(text) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.txt", "---\ntitle: x\n---\nSome [link](https://e.com).\n", Format.MARKDOWN),
        ("a.txt", "# Heading\n\ntext\n", Format.MARKDOWN),
        ("a.txt", "just words and https://e.com/\n", Format.TEXT),
        ("a.txt", "<!DOCTYPE html><html><body></body></html>", Format.HTML),
        ("a", "\ufeff  <html lang=en>", Format.HTML),
        ("a.md", "plain words", Format.MARKDOWN),
        ("a.html", "plain words", Format.HTML),
    ],
)
def test_format_detection(name: str, text: str, expected: Format) -> None:
    assert detect_format(name, text) is expected


def test_format_override_wins() -> None:
    assert detect_format("a.txt", "<html>", {".txt": Format.TEXT}) is Format.TEXT
    assert sniff_format("") is Format.TEXT


def test_plain_text_url_wrapped_inside_angle_brackets() -> None:
    text = "See <https://www.rfc-\n   editor.org/info/rfc9110> and <URL:http://e.com/a\n/b>.\n"
    assert located(extract(text, Format.TEXT, "rfc.txt")) == [
        ("https://www.rfc-editor.org/info/rfc9110", 1, 6, "bare", ""),
        ("http://e.com/a/b", 2, 38, "bare", ""),
    ]


def test_plain_text_url_ends_at_a_quote_or_bracket() -> None:
    text = 'href="https://e.com/a",https://e.com/b> [https://e.com/c]\n'
    assert [(c.url, c.column) for c in extract(text, Format.TEXT, "a.txt")] == [
        ("https://e.com/a", 7),
        ("https://e.com/b", 24),
        ("https://e.com/c", 42),
    ]


def test_html_srcset_link_rel_cite_and_robust_links() -> None:
    text = (
        '<html><head><link rel="stylesheet" href="s.css">'
        '<link rel="canonical" href="https://e.com/c"></head><body>\n'
        '<img srcset="https://e.com/a,1.png 1x, https://e.com/b.png 2x" src="https://e.com/s.png">\n'
        '<picture><source srcset="https://e.com/w.webp (min-width: 1px),https://e.com/v.webp">'
        "</picture>\n"
        '<del cite="https://e.com/why">x</del><ins cite="https://e.com/new">y</ins>\n'
        '<a href="https://e.com/o" data-versionurl="https://web.archive.org/web/2020/https://e.com/o"'
        ' data-versiondate="2020-01-01">O</a>\n'
        "</body></html>\n"
    )
    assert [(c.url, c.line, c.column, c.role) for c in extract(text, Format.HTML, "p.html")] == [
        ("https://e.com/c", 1, 77, "html:link"),
        ("https://e.com/s.png", 2, 69, "html:img"),
        ("https://e.com/a,1.png", 2, 14, "srcset"),
        ("https://e.com/b.png", 2, 40, "srcset"),
        ("https://e.com/w.webp", 3, 26, "srcset"),
        ("https://e.com/v.webp", 3, 64, "srcset"),
        ("https://e.com/why", 4, 12, "html:del"),
        ("https://e.com/new", 4, 49, "html:ins"),
        ("https://e.com/o", 5, 10, "html:a"),
        ("https://web.archive.org/web/2020/https://e.com/o", 5, 44, "data-versionurl"),
    ]


def test_srcset_candidates_as_the_standard_parses_them() -> None:
    assert srcset_candidates(" a.png 1x,b.png, c,d.png 100w (x, y), e.png,,") == [
        ("a.png", 1),
        ("b.png", 10),
        ("c,d.png", 17),
        ("e.png", 38),
    ]


def test_plain_text_angle_brackets_join_line_breaks_only() -> None:
    text = "Not <http://e.com/a b> but <http://e.com/c\n  d>\n"
    assert [(c.url, c.line, c.column) for c in extract(text, Format.TEXT, "a.txt")] == [
        ("http://e.com/a", 1, 6),
        ("http://e.com/cd", 1, 29),
    ]


def test_a_robust_link_with_several_dated_copies_gives_each_copy() -> None:
    html = (
        '<a href="https://a.test/" data-versionurl="https://web.archive.org/web/2026/https://a.test/'
        ' 2026-01-01 https://archive.ph/xyz 2026-01-02T10:00:00Z">a</a>'
    )
    found = [(c.url, c.column, c.role) for c in extract(html, Format.HTML, "p.html")]
    assert found == [
        ("https://a.test/", 10, "html:a"),
        ("https://web.archive.org/web/2026/https://a.test/", 44, "data-versionurl"),
        ("https://archive.ph/xyz", 104, "data-versionurl"),
    ]
