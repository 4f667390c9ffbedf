"""The one vocabulary every stage speaks: citations, documents, statuses and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class UrlKind(StrEnum):
    """What kind of target a cited URL points at, decided without the network."""

    HTTP = "http"
    MAILTO = "mailto"
    TEL = "tel"
    LOCAL = "local"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"


class Format(StrEnum):
    """Document formats that extraction understands."""

    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Citation:
    """One place where a document cites a URL.

    ``line`` and ``column`` are 1-based and point at the first character of the URL as it is
    written in the original file (front matter included). ``target`` is the resolved local path
    for ``local`` citations; ``reason`` explains an ``invalid`` one.
    """

    url: str
    file: str
    line: int
    column: int
    text: str
    role: str
    kind: UrlKind = UrlKind.HTTP
    target: str | None = None
    reason: str | None = None


@dataclass(slots=True)
class Document:
    """A document that was read, its detected format and the citations found in it."""

    file: str
    format: Format
    citations: list[Citation] = field(default_factory=list)
