"""URL kinds and validity, decided without the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.extract.urls import classify_url
from linkcheck.model import UrlKind


@pytest.mark.parametrize(
    ("url", "kind", "reason"),
    [
        ("https://e.com/a?b=c#frag", UrlKind.HTTP, None),
        ("http://[::1]:8080/", UrlKind.HTTP, None),
        ("https://e.com/p#:~:text=a%ZZ", UrlKind.HTTP, None),  # fragment syntax is checked later
        ("http://", UrlKind.INVALID, "URL has no host"),
        ("https://e.com/a b", UrlKind.HTTP, None),  # a browser sends a%20b
        ("https://e .com/a", UrlKind.INVALID, "not a URL a browser can read (whitespace?)"),
        ("https://e.com/a%zz", UrlKind.INVALID, "bad percent-escape"),
        ("http://[zz]/", UrlKind.INVALID, "invalid IPv6 address"),
        ("http://[::1/", UrlKind.INVALID, "invalid IPv6 address"),
        ("http://e.com:99999/", UrlKind.INVALID, "invalid URL: Port out of range 0-65535"),
        ("http://e..com/", UrlKind.INVALID, "invalid host name 'e..com'"),
        ("mailto:a@b.org", UrlKind.MAILTO, None),
        ("mailto:a@b.org,c@d.org?subject=hi", UrlKind.MAILTO, None),
        ("mailto:", UrlKind.INVALID, "mailto: without an address"),
        ("mailto:nobody", UrlKind.INVALID, "not an e-mail address: 'nobody'"),
        ("tel:+1-555-0100", UrlKind.TEL, None),
        ("tel:call-me", UrlKind.INVALID, "not a telephone number: 'call-me'"),
        ("ftp://e.com/f", UrlKind.UNSUPPORTED, "ftp: links are not checked"),
        ("", UrlKind.INVALID, "empty URL"),
    ],
)
def test_classify(url: str, kind: UrlKind, reason: str | None) -> None:
    verdict = classify_url(url, Path("/docs"))
    assert (verdict.kind, verdict.reason) == (kind, reason)


def test_local_links_resolve_against_the_document() -> None:
    assert classify_url("img/a%20b.png#x", Path("/docs")).target == "/docs/img/a b.png"
    assert classify_url("#heading", Path("/docs")).target == ""


def test_protocol_relative_is_fetched_over_https() -> None:
    verdict = classify_url("//cdn.e.com/x", None)
    assert (verdict.kind, verdict.target) == (UrlKind.HTTP, "https://cdn.e.com/x")


@pytest.mark.parametrize(
    ("written", "fetched"),
    [
        ("https://e.test/p#:~:text=lazy dog", "https://e.test/p#:~:text=lazy%20dog"),
        ('https://e.test/p#:~:text="hello world"', "https://e.test/p#:~:text=%22hello%20world%22"),
        ("https://e.test/a b/c?q=x y", "https://e.test/a%20b/c?q=x%20y"),
        ("https://e.test\\a\\b", "https://e.test/a/b"),
        (" https://e.test/x\t", "https://e.test/x"),
    ],
)
def test_urls_as_written_are_read_as_a_browser_reads_them(written: str, fetched: str) -> None:
    verdict = classify_url(written, None)
    assert (verdict.kind, verdict.target) == (UrlKind.HTTP, fetched)
