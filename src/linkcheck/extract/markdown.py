"""Markdown (CommonMark + GitHub extensions) citations, from pyromark's event stream.

pyromark binds pulldown-cmark: a CommonMark-conformant pull parser that reports the source byte
range of every event and the destinations as written. Events stream lazily, and a large body is
parsed in chunks, so memory stays about twice the document's size.
"""

from __future__ import annotations

import html
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyromark
from pyromark.event import BrokenLink

from linkcheck.extract.html import extract_html
from linkcheck.extract.identifiers import with_identifiers
from linkcheck.extract.raw import RawLink, collapse_whitespace
from linkcheck.extract.text import find_bare_urls

_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_GFM
)
# What a bare URL or a written-out identifier ("doi:10.…", "arXiv:…") starts with.
_URL_HINT = re.compile(r"://|www\.|mailto:|\bdoi\b|arxiv", re.IGNORECASE)
_URL_HINT_BYTES = re.compile(rb"://|www\.|mailto:|\bdoi\b|arxiv", re.IGNORECASE)
_REFERENCE_TYPES = frozenset(
    {
        "Reference",
        "Collapsed",
        "Shortcut",
        "ReferenceUnknown",
        "CollapsedUnknown",
        "ShortcutUnknown",
    }
)
_AUTOLINK_TYPES = frozenset({"Autolink", "Email"})
# What may sit between two pieces of one prose run: escape backslashes and emphasis delimiters.
_INLINE_MARKUP = "\\*_~"
_INLINE_MARKUP_EVENTS = frozenset({"Emphasis", "Strong", "Strikethrough"})
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _inline_markup(event: Mapping[str, Any]) -> bool:
    """Does this event only open or close emphasis (which a URL may run through)?"""
    marker = event.get("Start", event.get("End"))
    return isinstance(marker, str) and marker in _INLINE_MARKUP_EVENTS


def _as_rendered(url: str) -> str:
    """A bare URL as written in the source, read as rendered: escapes and entities resolved."""
    if "\\" in url:
        url = _ESCAPE.sub(r"\1", url)
    if "&" in url:
        url = _ENTITY.sub(lambda match: html.unescape(match.group()), url)
    return url


@dataclass(slots=True)
class _Definition:
    href: str
    offset: int  # character offset of the destination in the file
    label: str
    used: bool = False


@dataclass(slots=True)
class _Frame:
    """An open link or image: its attributes and the text seen inside it so far."""

    kind: str
    attributes: dict[str, Any]
    start: int
    end: int
    content_end: int
    parts: list[str] = field(default_factory=list)


class _Source:
    """The parsed text addressed by pyromark's UTF-8 byte offsets.

    An ASCII text is its own byte string, so it is used as it is; only other texts pay for an
    encoded copy and a byte-to-character map.
    """

    def __init__(self, text: str) -> None:
        self._ascii = text.isascii()
        self._text = text
        self._data = b"" if self._ascii else text.encode("utf-8")
        self._byte_starts = array("q", [0])
        self._char_starts = array("q", [0])
        if not self._ascii:
            chars = position = 0
            for line in self._data.split(b"\n")[:-1]:
                position += len(line) + 1
                chars += len(line.decode("utf-8")) + 1
                self._byte_starts.append(position)
                self._char_starts.append(chars)

    def char_offset(self, offset: int) -> int:
        """Character offset of a byte offset."""
        if self._ascii:
            return offset
        index = bisect_right(self._byte_starts, offset) - 1
        start = self._byte_starts[index]
        return self._char_starts[index] + len(self._data[start:offset].decode("utf-8", "replace"))

    def has_url_hint(self, start: int, end: int) -> bool:
        """Might [start, end) hold a bare URL? (Most prose does not: skip it cheaply.)"""
        if self._ascii:
            return _URL_HINT.search(self._text, start, end) is not None
        return _URL_HINT_BYTES.search(self._data, start, end) is not None

    def find(self, needle: str, start: int, end: int) -> int:
        """Byte offset of ASCII ``needle`` in [start, end), or -1."""
        if self._ascii:
            return self._text.find(needle, start, end)
        return self._data.find(needle.encode("ascii"), start, end)

    def only(self, start: int, end: int, characters: str) -> bool:
        """Is [start, end) made only of ASCII ``characters``?"""
        return self.skip(start, end, characters) == end

    def skip(self, position: int, end: int, characters: str) -> int:
        """First byte offset from ``position`` (before ``end``) not in ASCII ``characters``."""
        if self._ascii:
            text = self._text
            while position < end and text[position] in characters:
                position += 1
            return position
        data, allowed = self._data, characters.encode("ascii")
        while position < end and data[position] in allowed:
            position += 1
        return position

    def slice(self, start: int, end: int) -> str:
        """The text between two byte offsets."""
        if self._ascii:
            return self._text[start:end]
        return self._data[start:end].decode("utf-8", "replace")


def extract_markdown(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Yield the citations of a Markdown body that starts at character ``base_offset``.

    A large body is parsed in chunks cut at block boundaries, so that the parser's memory stays
    bounded; reference definitions are gathered first, so that links resolve across chunks.
    """
    definitions: dict[str, _Definition] = {}
    if len(text) <= CHUNK_THRESHOLD:
        if "]:" in text:
            definitions = _definitions(text, base_offset)
        yield from _extract_part(text, base_offset, definitions, None)
    else:
        chunks = list(_chunks(text))
        for start, end in chunks:
            part = text[start:end]
            if "]:" in part:
                for label, found in _definitions(part, base_offset + start).items():
                    definitions.setdefault(label, found)

        def resolve(broken: BrokenLink) -> tuple[str, str] | None:
            found = definitions.get(_normalize_label(str(broken.get("reference", ""))))
            return (found.href, "") if found is not None else None

        for start, end in chunks:
            yield from _extract_part(text[start:end], base_offset + start, definitions, resolve)
    for definition in definitions.values():
        if not definition.used:
            yield RawLink(definition.href, definition.offset, definition.label, "reference")


def _extract_part(
    text: str,
    base_offset: int,
    definitions: dict[str, _Definition],
    resolve: Callable[[BrokenLink], tuple[str, str] | None] | None,
) -> Iterator[RawLink]:
    src = _Source(text)
    frames: list[_Frame] = []
    prose_start = prose_end = -1
    code_depth = 0
    html_start = -1

    def at(offset: int) -> int:
        return base_offset + src.char_offset(offset)

    def prose_urls(start: int, end: int) -> Iterator[RawLink]:
        if src.has_url_hint(start, end) or src.find("@", start, end) != -1:
            prose = src.slice(start, end)
            found = find_bare_urls(prose, at(start), emails=True)
            for raw in with_identifiers(found, prose, at(start)):
                yield RawLink(_as_rendered(raw.url), raw.offset, raw.text, raw.role)

    events = pyromark.events_with_range(text, options=_OPTIONS, broken_link_callback=resolve)
    for event, span in events:
        start, end = span["start"], span["end"]
        prose = event.get("Text") if type(event) is dict else None
        if prose is not None:
            if code_depth:
                continue
            if frames:
                frames[-1].parts.append(str(prose))
                frames[-1].content_end = end
            elif prose_end != -1 and src.only(prose_end, start, _INLINE_MARKUP):
                prose_end = end  # emphasis or an escape inside a URL does not end it
            else:
                if prose_end != -1:
                    yield from prose_urls(prose_start, prose_end)
                prose_start, prose_end = start, end
            continue
        if prose_end != -1 and not (type(event) is dict and _inline_markup(event)):
            yield from prose_urls(prose_start, prose_end)
            prose_start = prose_end = -1
        if isinstance(event, str):  # SoftBreak, HardBreak, Rule…
            if frames and event in ("SoftBreak", "HardBreak"):
                frames[-1].parts.append(" ")
                frames[-1].content_end = end
            continue
        if "Start" in event:
            opened = event["Start"]
            if isinstance(opened, dict) and ("Link" in opened or "Image" in opened):
                kind = "Link" if "Link" in opened else "Image"
                attributes: dict[str, Any] = dict(opened[kind])  # type: ignore[literal-required]
                frames.append(_Frame(kind, attributes, start, end, start + 1))
            elif isinstance(opened, dict) and "CodeBlock" in opened:
                code_depth += 1
            elif opened == "HtmlBlock":
                html_start = start
        elif "End" in event:
            closed = event["End"]
            if closed in ("Link", "Image") and frames:
                frame = frames.pop()
                # A link inside an image's description is not a citation; the image is.
                if not any(outer.kind == "Image" for outer in frames):
                    yield _finish(frame, src, definitions, at)
                if frames:
                    frames[-1].parts.extend(frame.parts)
                    frames[-1].content_end = frame.end
            elif closed == "CodeBlock":
                code_depth -= 1
            elif closed == "HtmlBlock" and html_start != -1:
                yield from extract_html(src.slice(html_start, end), at(html_start))
                html_start = -1
        elif "Code" in event:
            if frames:
                frames[-1].parts.append(event["Code"])
                frames[-1].content_end = end
        elif "InlineHtml" in event and not frames and "=" in event["InlineHtml"]:
            yield from extract_html(src.slice(start, end), at(start))
    if prose_end != -1:
        yield from prose_urls(prose_start, prose_end)


def _finish(
    frame: _Frame,
    src: _Source,
    definitions: dict[str, _Definition],
    at: Callable[[int], int],
) -> RawLink:
    """The citation of a closed link or image; ``at`` turns byte offsets into file offsets."""
    attributes = frame.attributes
    link_type = str(attributes.get("link_type", "Inline"))
    url = str(attributes.get("dest_url", ""))
    label = collapse_whitespace("".join(frame.parts))
    if link_type in _AUTOLINK_TYPES:
        if link_type == "Email" and not url.lower().startswith("mailto:"):
            url = "mailto:" + url
        return RawLink(url, at(frame.start + 1), "", "autolink")
    if link_type in _REFERENCE_TYPES:
        definition = definitions.get(_normalize_label(str(attributes.get("id", ""))))
        if definition is not None:
            definition.used = True
            return RawLink(url, definition.offset, label, "reference")
        return RawLink(url, at(frame.start), label, "reference")
    role = "image" if frame.kind == "Image" else "link"
    return RawLink(url, at(_destination_offset(src, frame)), label, role)


def _destination_offset(src: _Source, frame: _Frame) -> int:
    """Byte offset where an inline link's destination starts: after ``](``, spaces and ``<``."""
    opener = src.find("](", frame.content_end, frame.end)
    if opener == -1:
        return frame.start
    return src.skip(opener + 2, frame.end, " \t\r\n<")


def _normalize_label(label: str) -> str:
    """CommonMark label matching: case-folded, inner whitespace collapsed."""
    return " ".join(label.split()).casefold()


def _definitions(text: str, base_offset: int) -> dict[str, _Definition]:
    """Reference definitions keyed by normalized label, with each destination's file offset."""
    src = _Source(text)
    definitions: dict[str, _Definition] = {}
    for label, definition in pyromark.reference_definitions(text, options=_OPTIONS).items():
        start, end = definition["span"]["start"], definition["span"]["end"]
        colon = src.find("]:", start, end)
        position = src.skip(colon + 2, end, " \t\r\n<") if colon != -1 else start
        key = _normalize_label(label)
        offset = base_offset + src.char_offset(position)
        definitions.setdefault(key, _Definition(definition["dest"], offset, label))
    return definitions


# Bodies larger than this (in characters) are parsed in chunks of about CHUNK_SIZE.
CHUNK_THRESHOLD = 4 << 20
CHUNK_SIZE = 1 << 20
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_RAW_HTML = re.compile(
    r"<!--|-->|<(?:pre|script|style|textarea)\b|</(?:pre|script|style|textarea)\s*>", re.IGNORECASE
)


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character ranges of about CHUNK_SIZE, cut where no block spans the cut."""
    start = 0
    while start < len(text):
        end = _safe_cut(text, start, start + CHUNK_SIZE)
        yield start, end
        start = end


def _safe_cut(text: str, start: int, target: int) -> int:
    """The first blank-line boundary past ``target`` that no fence or raw HTML block spans and
    that starts a new unindented block (not a list item, quote or table that could continue)."""
    if target >= len(text):
        return len(text)
    fence: str | None = None
    html_open = 0
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
        for match in _RAW_HTML.finditer(text, scanned, candidate):
            opening = not match.group().startswith(("-->", "</"))
            html_open = html_open + 1 if opening else max(0, html_open - 1)
        scanned = candidate
        following = text[candidate : candidate + 1]
        if (
            fence is None
            and not html_open
            and following
            and following not in " \t\n-*+>|<[0123456789"
        ):
            return candidate
        position = candidate
