"""HTML, plain-text and front-matter extraction, and format sniffing."""

from __future__ import annotations

import pytest

from helpers import extract, located
from linkcheck.extract.sniff import detect_format, sniff_format
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
