"""GFM's autolink-literal rules (spec 0.29-gfm, section 6.9), one case of our own per rule.

Each case is a Markdown paragraph and the exact URLs with their 1-based columns.
"""

from __future__ import annotations

import pytest

from helpers import extract

CASES: list[tuple[str, str, list[tuple[str, int]]]] = [
    ("www is http", "www.commonmark.org", [("http://www.commonmark.org", 1)]),
    (
        "www with a path",
        "Visit www.commonmark.org/help now.",
        [("http://www.commonmark.org/help", 7)],
    ),
    ("trailing period", "Visit www.commonmark.org.", [("http://www.commonmark.org", 7)]),
    ("inner period kept", "Visit www.commonmark.org/a.b.", [("http://www.commonmark.org/a.b", 7)]),
    ("balanced parens", "www.g.com/s?q=M+(b)", [("http://www.g.com/s?q=M+(b)", 1)]),
    ("unbalanced closers", "www.g.com/s?q=M+(b)))", [("http://www.g.com/s?q=M+(b)", 1)]),
    ("inside parens", "(www.g.com/s?q=M+(b))", [("http://www.g.com/s?q=M+(b)", 2)]),
    ("open paren kept", "(www.g.com/s?q=M+(b)", [("http://www.g.com/s?q=M+(b)", 2)]),
    ("parens mid-URL", "www.g.com/s?q=(b))+ok", [("http://www.g.com/s?q=(b))+ok", 1)]),
    ("entity-like kept", "www.g.com/s?q=c&hl=en", [("http://www.g.com/s?q=c&hl=en", 1)]),
    ("trailing entity dropped", "www.g.com/s?q=c&hl;", [("http://www.g.com/s?q=c", 1)]),
    ("< ends it", "www.commonmark.org/he<lp", [("http://www.commonmark.org/he", 1)]),
    ("http scheme", "http://commonmark.org", [("http://commonmark.org", 1)]),
    (
        "https in parens",
        "(Visit https://e.com/search?q=M+(business))",
        [("https://e.com/search?q=M+(business)", 8)],
    ),
    ("ftp scheme", "ftp://ftp.e.org/pub", [("ftp://ftp.e.org/pub", 1)]),
    ("e-mail", "foo@bar.baz", [("mailto:foo@bar.baz", 1)]),
    (
        "+ only before @",
        "hello@mail+xyz.example isn't, hello+xyz@mail.example is.",
        [("mailto:hello+xyz@mail.example", 31)],
    ),
    ("e-mail punctuation", "a.b-c_d@a.b", [("mailto:a.b-c_d@a.b", 1)]),
    ("e-mail trailing period", "a.b-c_d@a.b.", [("mailto:a.b-c_d@a.b", 1)]),
    ("e-mail ending -", "a.b-c_d@a.b-", []),
    ("e-mail ending _", "a.b-c_d@a.b_", []),
    ("mailto", "mailto:foo@bar.baz", [("mailto:foo@bar.baz", 1)]),
    ("mailto trailing period", "mailto:a.b-c_d@a.b.", [("mailto:a.b-c_d@a.b", 1)]),
    ("mailto slash ends it", "mailto:a.b-c_d@a.b/", [("mailto:a.b-c_d@a.b", 1)]),
    ("mailto ending -", "mailto:a.b-c_d@a.b-", []),
    ("mailto ending _", "mailto:a.b-c_d@a.b_", []),
    ("not in code", "`https://e.com/code`", []),
    ("not in an autolink twice", "<https://e.com/a>", [("https://e.com/a", 2)]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in CASES], ids=[c[0] for c in CASES]
)
def test_autolink_literal(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(c.url, c.column) for c in extract(text + "\n")] == expected


# CommonMark 0.31.2 sections 6.3 (links), 6.4 (images) and 6.5 (autolinks): (url, line, col, role).
LINK_CASES: list[tuple[str, str, list[tuple[str, int, int, str]]]] = [
    ("title is not the URL", '[link](/uri "title")', [("/uri", 1, 8, "link")]),
    ("empty destination", "[link](<>)", [("", 1, 9, "link")]),
    ("no link inside a link", "[foo [bar](/uri)](/uri2)", [("/uri", 1, 12, "link")]),
    ("no image inside an image", "![foo ![bar](/url)](/url2)", [("/url2", 1, 21, "image")]),
    ("escapes resolved", "[link](foo\\)\\:)", [("foo):", 1, 8, "link")]),
    ("pointy brackets", "[a](<b)c>)", [("b)c", 1, 6, "link")]),
    ("entities resolved", "[link](foo%20b&auml;)", [("foo%20bä", 1, 8, "link")]),
    ("destination after spaces", '[link](   /uri\n  "title"  )', [("/uri", 1, 11, "link")]),
    ("Unicode case fold", "[ẞ]\n\n[SS]: /url", [("/url", 3, 7, "reference")]),
    ("shortcut reference", "[foo] bar\n\n[foo]: /url", [("/url", 3, 8, "reference")]),
    ("definition before use", '[foo]: /url "title"\n\n[foo]', [("/url", 1, 8, "reference")]),
    (
        "autolink keeps &",
        "<http://foo.bar.baz/test?q=hello&id=22&boolean>",
        [("http://foo.bar.baz/test?q=hello&id=22&boolean", 1, 2, "autolink")],
    ),
    (
        "e-mail autolink",
        "<foo@bar.example.com>",
        [("mailto:foo@bar.example.com", 1, 2, "autolink")],
    ),
    ("any scheme", "<made-up-scheme://foo,bar>", [("made-up-scheme://foo,bar", 1, 2, "autolink")]),
    ("space: not an autolink", "<http://foo.bar/baz bim>", [("http://foo.bar/baz", 1, 2, "bare")]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in LINK_CASES], ids=[c[0] for c in LINK_CASES]
)
def test_links_images_and_autolinks(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert [(c.url, c.line, c.column, c.role) for c in extract(text + "\n")] == expected
