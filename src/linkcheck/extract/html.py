"""HTML citations: links, quotation sources, images and Robust Links' archived copies.

What cites: ``a[href]``; ``cite`` on ``blockquote``, ``q``, ``del`` and ``ins``; ``img[src]`` and
every ``srcset`` candidate of ``img`` and ``source``; ``link[href]`` when its ``rel`` is
canonical, alternate or cite; and ``data-versionurl``/``data-originalurl`` (Robust Links).
"""

from __future__ import annotations

import html as html_lib
import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from linkcheck.extract.deephtml import parse_html_document
from linkcheck.extract.raw import RawLink, collapse_whitespace

if TYPE_CHECKING:
    from lxml.html import HtmlElement

CITING_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "blockquote": ("cite",),
    "q": ("cite",),
    "del": ("cite",),
    "ins": ("cite",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "link": ("href",),
}
# Robust Links (robustlinks.mementoweb.org) put the archived copy and the original beside href.
ROBUST_LINK_ATTRIBUTES = ("data-versionurl", "data-originalurl")
CITING_LINK_RELATIONS = frozenset({"canonical", "alternate", "cite"})
_TEXT_LIMIT = 200
_TEXT_NODES = "*"  # elements only: a comment inside a link is not its text
# Regions whose text looks like markup but is not: a URL there is not the tag's attribute.
_OPAQUE_START = re.compile(r"<!--|<!\[CDATA\[|<(script|style)\b", re.IGNORECASE)
_OPAQUE_END = {
    "<!--": re.compile(r"-->"),
    "<![cdata[": re.compile(r"\]\]>"),
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}


def extract_html(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Yield the citations of an HTML document, relative URLs resolved against ``<base href>``.

    lxml's tree is walked directly (BeautifulSoup parses with lxml too, then builds a Python
    object per node: twenty times the cost, for nothing extraction needs).
    """
    root = parse_html(text)
    if root is None:
        return
    base_tag = next(root.iter("base"), None)
    base = (base_tag.get("href") or "").strip() if base_tag is not None else ""
    locator = _SourceLocator(text)
    for tag in root.iter(*CITING_ATTRIBUTES):
        if tag.tag == "link" and not _cites(tag):
            continue
        found: list[tuple[str, str]] = []
        for attribute in (*CITING_ATTRIBUTES[tag.tag], *ROBUST_LINK_ATTRIBUTES):
            value = tag.get(attribute)
            if value is not None:
                found.append((attribute, value))
        if not found:
            continue
        offsets = locator.locate_all([value for _, value in found])
        label = _label(tag)
        for (attribute, value), offset in zip(found, offsets, strict=True):
            role = f"html:{tag.tag}" if attribute in ("href", "src", "cite") else attribute
            if attribute == "srcset":
                urls = srcset_candidates(value)
            elif attribute == "data-versionurl":
                urls = version_urls(value)
            else:
                urls = [(value.strip(), 0)]
            for url, position in urls:
                if base and url:
                    url = urljoin(base, url)
                yield RawLink(url, base_offset + offset + position, label, role)


_VERSION_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def version_urls(value: str) -> list[tuple[str, int]]:
    """The snapshot URLs of a Robust Link's ``data-versionurl``: one or more, each optionally
    followed by its date (the 2025 revision), with their offsets in the value."""
    found = []
    for match in re.finditer(r"\S+", value):
        if not _VERSION_DATE.match(match.group()):
            found.append((match.group(), match.start()))
    return found


def parse_html(text: str) -> HtmlElement | None:
    """lxml's forgiving parse of a page or a fragment, nesting too deep for it flattened;
    None when there is nothing to parse."""
    return parse_html_document(text)


def _cites(link: HtmlElement) -> bool:
    words = (link.get("rel") or "").lower().split()
    return any(word in CITING_LINK_RELATIONS for word in words)


def srcset_candidates(value: str) -> list[tuple[str, int]]:
    """The URLs of a ``srcset`` with their positions in it, parsed as the HTML standard says."""
    candidates: list[tuple[str, int]] = []
    position, end = 0, len(value)
    while True:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        if position >= end:
            return candidates
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            candidates.append((url.rstrip(","), start))
            continue
        candidates.append((url, start))
        depth = 0  # descriptors run to a comma outside parentheses
        while position < end and (value[position] != "," or depth):
            depth += {"(": 1, ")": -1}.get(value[position], 0)
            depth = max(depth, 0)
            position += 1


def _label(tag: HtmlElement) -> str:
    if tag.tag == "img":
        return collapse_whitespace(tag.get("alt") or "")
    text = collapse_whitespace(" ".join(tag.itertext(_TEXT_NODES)))
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def opaque_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) of every comment, CDATA section, script and style, in one pass.

    An unterminated one runs to the end of the source, as it does for an HTML parser: no
    region is scanned twice, so 20,000 unclosed ``<!--`` cost one pass, not 20,000.
    """
    spans = []
    position = 0
    while (start := _OPAQUE_START.search(source, position)) is not None:
        kind = (start.group(1) or start.group()).lower()
        end = _OPAQUE_END[kind].search(source, start.end())
        if end is None:
            spans.append((start.start(), len(source)))
            break
        spans.append((start.start(), end.end()))
        position = end.end()
    return spans


class _SourceLocator:
    """Finds attribute values in the source in document order, skipping comments and scripts."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._cursor = 0
        self._opaque = opaque_spans(source)
        self._starts = [start for start, _ in self._opaque]

    def locate(self, value: str) -> int:
        for needle in dict.fromkeys((value, html_lib.escape(value, quote=False), value.strip())):
            position = self._find(needle)
            if position != -1:
                self._cursor = position + len(needle)
                return position
        return self._cursor

    def locate_all(self, values: list[str]) -> list[int]:
        """Offsets of one tag's attribute values, which may be written in any order."""
        start, ends, offsets = self._cursor, [], []
        for value in values:
            self._cursor = start
            offsets.append(self.locate(value))
            ends.append(self._cursor)
        self._cursor = max(ends, default=start)
        return offsets

    def _find(self, needle: str) -> int:
        if not needle:
            return -1
        position = self._source.find(needle, self._cursor)
        while position != -1:
            index = bisect_right(self._starts, position) - 1
            if index < 0 or position >= self._opaque[index][1]:
                return position
            position = self._source.find(needle, self._opaque[index][1])
        return -1
