"""Markdown (CommonMark + GFM) citations, parsed with markdown-it-py.

markdown-it-py gives line ranges for blocks but no columns for inline tokens, so each link's URL is
located by searching the block's source from a cursor that only moves forward.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from linkcheck.extract.html import extract_html
from linkcheck.extract.raw import RawLink, collapse_whitespace
from linkcheck.extract.source import LineIndex
from linkcheck.extract.text import bare_url_finder, is_citation_like

# Documents larger than this are parsed in chunks so that memory stays bounded.
CHUNK_THRESHOLD = 1 << 20
CHUNK_SIZE = 256 << 10

_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\]\\\n]|\\.){1,999})\]:[ \t]*\n?[ \t]*<?([^\s>]+)", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "store_labels": True})
    md.enable(["linkify", "table", "strikethrough"])
    md.linkify = bare_url_finder()
    # Citations are reported as written: no percent-encoding, and no scheme is refused here
    # (javascript:, file: and data: become 'unsupported' citations instead of vanishing).
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@dataclass(slots=True)
class _Definition:
    href: str
    offset: int
    label: str
    used: bool = False


def extract_markdown(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Yield the citations of a Markdown body that starts at ``base_offset`` of its file."""
    md = _parser()
    chunks = list(_chunks(text))
    # label -> definition, with offsets in the file; shared by all chunks.
    definitions: dict[str, _Definition] = {}
    if len(chunks) > 1:
        definitions = _prescan_definitions(text, base_offset)
    for start, end in chunks:
        yield from _extract_chunk(md, text[start:end], base_offset + start, definitions)
    for definition in definitions.values():
        if not definition.used:
            yield RawLink(definition.href, definition.offset, definition.label, "reference")


def _extract_chunk(
    md: MarkdownIt, text: str, base_offset: int, definitions: dict[str, _Definition]
) -> Iterator[RawLink]:
    env: dict[str, Any] = {"references": {}}
    # Definitions from other chunks resolve references here; this chunk's own are parsed for real.
    for label, definition in definitions.items():
        if not base_offset <= definition.offset < base_offset + len(text):
            env["references"][label] = {"href": definition.href, "title": "", "map": None}
    tokens = md.parse(text, env)
    lines = LineIndex(text)
    for label, ref in env["references"].items():
        if ref.get("map") is not None and label not in definitions:
            start = lines.line_start(ref["map"][0])
            found = text.find(ref["href"], start, lines.line_start(ref["map"][1]))
            written = _DEFINITION.match(text, start)
            definitions[label] = _Definition(
                ref["href"], base_offset + max(found, start), written.group(1) if written else label
            )
    for token in tokens:
        if token.map is None:
            continue
        start = lines.line_start(token.map[0])
        end = lines.line_start(token.map[1]) if token.map[1] > token.map[0] else len(text)
        if token.type == "inline" and token.children:
            block = _Block(text, start, end, base_offset)
            yield from _inline_links(token.children, block, definitions)
        elif token.type == "html_block":
            yield from extract_html(token.content, base_offset + start)


@dataclass(slots=True)
class _Block:
    """The source of one block, with a cursor that moves forward as its links are located."""

    source: str
    cursor: int
    end: int
    base_offset: int

    def locate(self, needle: str) -> int:
        """File offset of ``needle`` at or after the cursor (the cursor itself if not found)."""
        found = self.source.find(needle, self.cursor, self.end) if needle else -1
        if found == -1:
            return self.base_offset + self.cursor
        self.cursor = found + len(needle)
        return self.base_offset + found

    def locate_destination(self, href: str) -> int:
        """File offset of an inline link's destination: after ``](``, skipping link text."""
        source, end = self.source, self.end
        opener = source.find("](", self.cursor, end)
        first_opener = opener
        while opener != -1 and href:
            found = source.find(href, opener + 2, end)
            if found != -1 and source[opener + 2 : found].strip(" \t\r\n<") == "":
                self.cursor = found + len(href)
                return self.base_offset + found
            opener = source.find("](", opener + 2, end)
        # Written with escapes or entities, so not found verbatim: point just after the "](".
        if first_opener == -1:
            return self.base_offset + self.cursor
        self.cursor = first_opener + 2
        return self.base_offset + self.cursor


def _inline_links(
    children: list[Token], block: _Block, definitions: dict[str, _Definition]
) -> Iterator[RawLink]:
    index = 0
    while index < len(children):
        token = children[index]
        index += 1
        if token.type == "image":
            src = str(token.attrs.get("src", ""))
            yield RawLink(src, block.locate(src), collapse_whitespace(token.content), "image")
        elif token.type == "html_inline":
            for link in extract_html(token.content, 0):
                yield RawLink(link.url, block.locate(link.url), link.text, link.role)
        elif token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            parts: list[str] = []
            while index < len(children) and children[index].type != "link_close":
                child = children[index]
                parts.append(" " if child.type in ("softbreak", "hardbreak") else child.content)
                index += 1
            index += 1
            label = collapse_whitespace("".join(parts))
            if token.markup == "linkify":
                if is_citation_like(label):
                    yield RawLink(href, block.locate(label), "", "bare")
            elif token.markup == "autolink":
                yield RawLink(href, block.locate(label), "", "autolink")
            elif "label" in token.meta:
                key = str(token.meta["label"])
                definition = definitions.setdefault(
                    key, _Definition(href, block.base_offset + block.cursor, key)
                )
                definition.used = True
                yield RawLink(href, definition.offset, label, "reference")
            else:
                yield RawLink(href, block.locate_destination(href), label, "link")


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Split a large document at blank lines that cannot be inside a block that spans them."""
    if len(text) <= CHUNK_THRESHOLD:
        yield 0, len(text)
        return
    start = 0
    while start < len(text):
        target = start + CHUNK_SIZE
        if target >= len(text):
            yield start, len(text)
            return
        cut = _safe_cut(text, start, target)
        yield start, cut
        start = cut


def _safe_cut(text: str, start: int, target: int) -> int:
    """First blank-line boundary past ``target`` that is outside a fence and starts a new block."""
    fence: str | None = None
    scanned = start
    position = target
    while True:
        blank = text.find("\n\n", position)
        if blank == -1:
            return len(text)
        candidate = blank + 2
        for match in _FENCE.finditer(text, scanned, candidate):
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        scanned = candidate
        next_char = text[candidate : candidate + 1]
        # Indented lines, list items, quotes and tables may continue the block before the gap.
        if fence is None and next_char and next_char not in " \t\n-*+>0123456789|":
            return candidate
        position = candidate


def _prescan_definitions(text: str, base_offset: int) -> dict[str, _Definition]:
    """Reference definitions of a chunked document, so a reference resolves across chunks."""
    definitions: dict[str, _Definition] = {}
    for match in _DEFINITION.finditer(text):
        label = normalizeReference(match.group(1))
        if label and label not in definitions:
            definitions[label] = _Definition(
                match.group(2), base_offset + match.start(2), match.group(1)
            )
    return definitions
