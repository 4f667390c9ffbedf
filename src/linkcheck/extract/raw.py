"""What a format extractor yields before locations and URL kinds are worked out."""

from __future__ import annotations

import sys
from bisect import bisect_right
from dataclasses import dataclass

from linkcheck.model import Claims

# Where a DOI is resolved: a cited DOI (``doi:10.…``, a ``doi`` field, ``\\doi{…}``) is this
# URL, the form the DOI Foundation recommends.
DOI_RESOLVER = "https://doi.org/"
# Where an arXiv id is read: its abstract page.
ARXIV_ABS = "https://arxiv.org/abs/"


@dataclass(frozen=True, slots=True)
class RawLink:
    """A URL found at a character ``offset`` of the document text."""

    url: str
    offset: int
    text: str
    role: str
    part: tuple[str, int | str] | None = None  # ("cell", 3), ("entry", "knuth84")
    claims: Claims | None = None  # what the document says about the source (wikitext)


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim the ends."""
    return " ".join(text.split())


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (start, end) sorted, overlapping ones joined: ready for ``inside``."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Is ``offset`` inside one of ``spans`` (sorted, not overlapping)?"""
    index = bisect_right(spans, (offset, sys.maxsize)) - 1
    return index >= 0 and offset < spans[index][1]


class UnreadableDocument(Exception):
    """A document its format's reader cannot read (an encrypted PDF, a damaged Word file): the
    message is the reason, reported as the document's problem."""


def from_bytes(data: bytes) -> tuple[str, str | None]:
    """A binary document (PDF, Word) as text, byte for byte, for its reader to take back with
    ``as_bytes``: no encoding is guessed."""
    return data.decode("latin-1"), None


def as_bytes(text: str) -> bytes:
    """The bytes ``from_bytes`` made ``text`` of (text from elsewhere, read as PDF or Word on
    purpose, loses what latin-1 cannot hold: it is not such a file anyway)."""
    return text.encode("latin-1", "replace")


def attribute_escaped(value: str) -> str:
    """``value`` as written in a double-quoted HTML attribute."""
    return value.replace("&", "&amp;").replace('"', "&quot;")
