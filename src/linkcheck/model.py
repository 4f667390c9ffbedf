"""The one vocabulary every stage speaks: citations, documents, statuses and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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

    def record(self) -> dict[str, Any]:
        """The JSON shape: file, line, column, text."""
        return {"file": self.file, "line": self.line, "column": self.column, "text": self.text}

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


class Status(StrEnum):
    """The verdict on one cited URL; every stage and every report speaks this vocabulary."""

    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    ERROR = "error"
    TIMEOUT = "timeout"
    BLOCKED = "blocked"
    EXCLUDED = "excluded"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"
    OFFLINE = "offline"
    FRAGMENT_MISSING = "fragment_missing"
    UNVERIFIABLE = "unverifiable"
    SKIPPED = "skipped"


# The page answered (perhaps from a new address): its fragments can be verified, it can be archived.
PAGE_ALIVE = frozenset({Status.OK, Status.REDIRECTED})
# The fetch failed: what --fail-after counts, and what is never captured into the archive.
FETCH_FAILED = frozenset({Status.BROKEN, Status.ERROR, Status.TIMEOUT})
DEFAULT_FAIL_ON = FETCH_FAILED | {Status.FRAGMENT_MISSING}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a URL is cited."""

    file: str
    line: int
    column: int
    text: str

    def record(self) -> dict[str, Any]:
        """The JSON shape: file, line, column, text."""
        return {"file": self.file, "line": self.line, "column": self.column, "text": self.text}


@dataclass(slots=True)
class FetchResult:
    """What fetching one URL (without its fragment) found; shared by every citation of it."""

    status: Status
    reason: str
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    checked_at: float = 0.0
    cached: bool = False
    content_type: str | None = None
    failures: int = 0
    # Verified fragments of this page: fragment as cited -> outcome records (see fragments/).
    fragments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(slots=True)
class Result:
    """The verdict on one distinct cited URL (fragment included) and everywhere it is cited."""

    url: str
    status: Status
    reason: str
    fetch: FetchResult | None
    locations: list[Location] = field(default_factory=list)
    fragments: list[dict[str, Any]] = field(default_factory=list)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, ``Z``-suffixed: ``2026-02-24T21:16:50Z``."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
