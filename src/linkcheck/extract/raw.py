"""What a format extractor yields before locations and URL kinds are worked out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawLink:
    """A URL found at a character ``offset`` of the document text."""

    url: str
    offset: int
    text: str
    role: str


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim the ends."""
    return " ".join(text.split())
