"""HTML citations: ``a[href]``, ``blockquote[cite]``, ``q[cite]`` and ``img[src]``."""

from __future__ import annotations

import html as html_lib
import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from linkcheck.extract.raw import RawLink, collapse_whitespace

if TYPE_CHECKING:
    from bs4 import Tag

CITING_ATTRIBUTES = {"a": "href", "blockquote": "cite", "q": "cite", "img": "src"}
_TEXT_LIMIT = 200
# Regions whose text looks like markup but is not: a URL there is not the tag's attribute.
_OPAQUE = re.compile(r"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>", re.S | re.I)


def extract_html(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Yield the citations of an HTML document, relative URLs resolved against ``<base href>``."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag  # slow: only when needed

    with warnings.catch_warnings():
        # A snippet that looks like a URL is still a snippet: we never fetch from here.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "lxml")
    base_tag = soup.find("base", href=True)
    base = str(base_tag["href"]).strip() if isinstance(base_tag, Tag) else ""
    locator = _SourceLocator(text)
    for tag in soup.find_all(list(CITING_ATTRIBUTES)):
        if not isinstance(tag, Tag):
            continue
        attribute = CITING_ATTRIBUTES[tag.name]
        value = tag.get(attribute)
        if not isinstance(value, str):
            continue
        offset = locator.locate(value)
        url = value.strip()
        if base and url:
            url = urljoin(base, url)
        yield RawLink(url, base_offset + offset, _label(tag), f"html:{tag.name}")


def _label(tag: Tag) -> str:
    if tag.name == "img":
        alt = tag.get("alt")
        return collapse_whitespace(alt) if isinstance(alt, str) else ""
    text = collapse_whitespace(tag.get_text(" "))
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


class _SourceLocator:
    """Finds attribute values in the source in document order, skipping comments and scripts."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._cursor = 0
        self._opaque = [(m.start(), m.end()) for m in _OPAQUE.finditer(source)]

    def locate(self, value: str) -> int:
        for needle in dict.fromkeys((value, html_lib.escape(value, quote=False), value.strip())):
            position = self._find(needle)
            if position != -1:
                self._cursor = position + len(needle)
                return position
        return self._cursor

    def _find(self, needle: str) -> int:
        if not needle:
            return -1
        position = self._source.find(needle, self._cursor)
        while position != -1:
            span = next((s for s in self._opaque if s[0] <= position < s[1]), None)
            if span is None:
                return position
            position = self._source.find(needle, span[1])
        return -1
