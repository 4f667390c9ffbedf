"""XML sitemaps (sitemaps.org): every ``<loc>`` of a ``<urlset>`` (pages) or of a
``<sitemapindex>`` (further sitemaps) is a citation, at its exact position."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from linkcheck.extract.raw import RawLink

_LOC = re.compile(r"<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>", re.S)
_INDEX = re.compile(r"<(?:\w+:)?sitemapindex\b")


def extract_sitemap(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The ``<loc>`` URLs, role ``sitemap:page`` or ``sitemap:sitemap`` (an index's entries)."""
    role = "sitemap:sitemap" if _INDEX.search(text[:4096]) else "sitemap:page"
    for match in _LOC.finditer(text):
        written = match.group(1)
        if written.startswith("<![CDATA[") and written.endswith("]]>"):
            url, offset = written[9:-3].strip(), match.start(1) + 9
        else:
            url, offset = html.unescape(written), match.start(1)
        if url:
            yield RawLink(url, base_offset + offset, "", role)


def is_sitemap_index(text: str) -> bool:
    """Does ``text`` list further sitemaps rather than pages?"""
    return bool(_INDEX.search(text[:4096]))
