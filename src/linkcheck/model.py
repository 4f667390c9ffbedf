"""The one vocabulary every stage speaks: citations, documents, statuses, results and runs."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from linkcheck.errors import ExitCode


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
    SITEMAP = "sitemap"  # an XML sitemap: its <loc> entries are its citations


@dataclass(frozen=True, slots=True)
class Site:
    """Where documents will be served, for their relative links: a built site's folder on
    disk (root-relative links are files in it), and the base URL it will be served at
    (relative links are then URLs under it, checked over the network)."""

    root_dir: Path | None = None
    base_url: str | None = None

    def page_url(self, document: Path) -> str | None:
        """The URL ``document`` will be served at: its path below the root (the current
        folder without one) joined to the base URL; None without a base URL."""
        if self.base_url is None:
            return None
        root = (self.root_dir or Path.cwd()).resolve()
        try:
            below = document.resolve().relative_to(root).as_posix()
        except ValueError:
            below = document.name
        return self.base_url.rstrip("/") + "/" + below


@dataclass(frozen=True, slots=True)
class Ignore:
    """An inline ignore reaching a citation: where it is written, and the verdicts it silences
    (none listed: every verdict, and the URL is not fetched)."""

    where: str  # file:line of the directive
    statuses: frozenset[Status] = frozenset()


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
    ignore: Ignore | None = None


@dataclass(slots=True)
class Document:
    """A document, its detected format and the citations found in it.

    ``problem`` says why it could not be read (``format`` is then None), or why reading it
    stopped part-way.
    """

    file: str
    format: Format | None
    citations: list[Citation] = field(default_factory=list)
    problem: str | None = None


@dataclass(slots=True)
class OpenDocument:
    """A document whose citations are extracted lazily, as they are consumed (``problem``:
    as for Document, known once the citations are consumed)."""

    file: str
    format: Format | None
    citations: Iterator[Citation]
    problem: str | None = None


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
    CHANGED = "changed"  # alive, but its text is mostly not what linkcheck first saw there
    SKIPPED = "skipped"
    UNREADABLE = "unreadable"  # a document, not a URL: it could not be read


class Refusal(StrEnum):
    """Why a ``blocked`` page could not be read: what the end-of-run hints are made from."""

    RATE_LIMITED = "rate_limited"  # 429, or the host kept answering it
    ROBOTS = "robots"  # a bot wall: 401/403/999, a challenge page


# The page answered (perhaps from a new address): its fragments can be verified, it can be archived.
PAGE_ALIVE = frozenset({Status.OK, Status.REDIRECTED})
# Verdicts an archived copy can witness for: the quote or the page is not what was cited.
WITNESSED = frozenset(
    {Status.FRAGMENT_MISSING, Status.CHANGED, Status.BROKEN, Status.ERROR, Status.TIMEOUT}
)
# The fetch failed: what --fail-after counts, and what is never captured into the archive.
FETCH_FAILED = frozenset({Status.BROKEN, Status.ERROR, Status.TIMEOUT})
DEFAULT_FAIL_ON = FETCH_FAILED | {Status.FRAGMENT_MISSING, Status.UNREADABLE}
# The page answered, even if the quoted words are gone from it: worth a snapshot.
PAGE_ANSWERED = PAGE_ALIVE | {Status.FRAGMENT_MISSING, Status.UNVERIFIABLE}
_ANSWERED = frozenset(status.value for status in PAGE_ANSWERED)


def consecutive_failures(status: Status, previous: int) -> int:
    """The failed-runs count after a fetch ended in ``status`` (``previous``: before it)."""
    return previous + 1 if status in FETCH_FAILED else 0


class FragmentState(StrEnum):
    """What became of one cited directive or anchor."""

    FOUND = "found"
    MISSING = "missing"
    INVALID = "invalid"
    UNVERIFIABLE = "unverifiable"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class FragmentOutcome:
    """One directive or anchor of a cited URL, and whether the page has it."""

    directive: str
    kind: str  # "text" or "anchor"
    state: FragmentState
    reason: str
    matched_text: str | None = None

    def record(self) -> dict[str, Any]:
        """The JSON shape: directive, kind, found (true/false/null), state, matched_text, reason."""
        found = {FragmentState.FOUND: True, FragmentState.MISSING: False}.get(self.state)
        return {
            "directive": self.directive,
            "kind": self.kind,
            "found": found,
            "state": self.state.value,
            "matched_text": self.matched_text,
            "reason": self.reason,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FragmentOutcome:
        """The outcome that ``record()`` wrote."""
        return cls(
            record["directive"],
            record["kind"],
            FragmentState(record["state"]),
            record["reason"],
            record.get("matched_text"),
        )


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
    failures: int = 0  # consecutive failed runs, this one included
    refusal: Refusal | None = None
    sketch: bytes | None = None  # the fingerprint of the main text as fetched now (not stored)
    drift: float | None = None  # % of the text changed since first seen (None: no history)
    first_seen: float | None = None  # when the page's text was first fingerprinted
    # Verified fragments of this page: fragment as cited -> its outcomes.
    fragments: dict[str, list[FragmentOutcome]] = field(default_factory=dict)


@dataclass(slots=True)
class Result:
    """The verdict on one distinct cited URL (fragment included) and everywhere it is cited."""

    url: str
    status: Status
    reason: str
    fetch: FetchResult | None
    locations: list[Location] = field(default_factory=list)
    fragments: list[FragmentOutcome] = field(default_factory=list)
    witness: str | None = None  # what an archived copy says (with --witness)

    def fails(self, fail_on: Collection[Status], fail_after: int) -> bool:
        """Does this result fail the run?

        A failed fetch (often transient) fails it only after ``fail_after`` consecutive
        failing runs; anything else in ``fail_on`` fails it at once.
        """
        return self.status in fail_on and (
            self.fetch is None
            or self.fetch.status not in FETCH_FAILED
            or self.fetch.failures >= fail_after
        )


def unreadable(document: Document) -> Result:
    """The result that reports a document that could not be read (its ``url`` is its name)."""
    assert document.problem is not None
    location = Location(document.file, 1, 1, "")
    return Result(document.file, Status.UNREADABLE, document.problem, None, [location])


@dataclass(slots=True)
class CheckRun:
    """What a check run found."""

    results: list[Result]
    citations: int
    elapsed: float
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: unfinished URLs are skipped

    def failing(self, fail_on: Collection[Status], fail_after: int) -> list[Result]:
        """Results whose status fails the run."""
        return [r for r in self.results if r.fails(fail_on, fail_after)]

    @property
    def offline(self) -> bool:
        """Was the network unreachable for some URL?"""
        return any(r.status is Status.OFFLINE for r in self.results)

    def exit_code(self, fail_on: Collection[Status], fail_after: int) -> ExitCode:
        """1 if anything fails, else 3 if the network was down, else 0."""
        if self.failing(fail_on, fail_after):
            return ExitCode.FAILING
        return ExitCode.OFFLINE if self.offline else ExitCode.OK


class SnapshotKind(StrEnum):
    """How a manifest entry's snapshot came about."""

    CAPTURED = "captured"  # requested now (or by an earlier, interrupted run)
    EXISTING = "existing"  # a recent enough snapshot was already there
    SUGGESTED = "suggested"  # the link is dead: its newest good snapshot, to cite instead
    NOT_CAPTURED = "not_captured"
    FAILED = "failed"


@dataclass(slots=True)
class ArchivedCopy:
    """One copy of a cited page in a web archive, and what fetching it showed.

    ``verified`` is True when the copy is a 200 capture of the cited page (or of the page it
    redirects to) with the quoted words in it; False with the reason when it is not; None when
    it could not be fetched to tell.
    """

    archive: str  # the archive's host: web.archive.org, archive.today, perma.cc…
    url: str  # where to read it (the citation's fragment kept)
    captured_at: str  # ISO 8601 UTC
    verified: bool | None
    reason: str

    def record(self) -> dict[str, Any]:
        """The manifest's JSON shape of this copy."""
        return {
            "archive": self.archive,
            "url": self.url,
            "captured_at": self.captured_at,
            "verified": self.verified,
            "reason": self.reason,
        }


@dataclass(slots=True)
class ManifestEntry:
    """One cited URL (fragment included) and where its archived copy is.

    ``archive_url`` is a verified copy (the one nearest to ``citation_date``), or a capture
    the archive cannot replay yet (``verified`` False; ``verification`` says so); ``copies``
    lists every copy looked at, verified or not, nearest first.
    """

    url: str
    status: str
    snapshot: SnapshotKind
    reason: str
    archive_url: str | None = None
    archived_at: str | None = None
    job_id: str | None = None
    locations: list[Location] = field(default_factory=list)
    verified: bool = False
    verification: str = ""
    citation_date: str | None = None  # YYYY-MM-DD: the citing document's date, if it has one
    copies: list[ArchivedCopy] = field(default_factory=list)
    witness: str | None = None  # what the archived copies say about a missing quote or page

    @property
    def archive(self) -> str | None:
        """The host of the archive holding the chosen copy."""
        return next((c.archive for c in self.copies if c.url == self.archive_url), None)

    def record(self) -> dict[str, Any]:
        """The manifest's JSON shape of this entry."""
        return {
            "url": self.url,
            "status": self.status,
            "archive_url": self.archive_url,
            "archived_at": self.archived_at,
            "archive": self.archive,
            "verified": self.verified,
            "verification": self.verification,
            "snapshot": self.snapshot.value,
            "reason": self.reason,
            "job_id": self.job_id,
            "citation_date": self.citation_date,
            "witness": self.witness,
            "copies": [copy.record() for copy in self.copies],
            "locations": [location.record() for location in self.locations],
        }


@dataclass(slots=True)
class ArchiveRun:
    """What an archive run produced (entries are in citation order); ``unavailable`` says why
    the archive could not be used at all (unreachable, keys refused)."""

    entries: list[ManifestEntry]
    captures_submitted: int
    interrupted: bool
    unavailable: str | None = None

    def not_archived(self) -> list[ManifestEntry]:
        """Entries of live sources that were left without an archived copy."""
        return [
            entry
            for entry in self.entries
            if entry.status in _ANSWERED and entry.archive_url is None
        ]

    def waiting(self) -> list[ManifestEntry]:
        """Entries whose capture exists but cannot be replayed yet (named, not verified)."""
        return [e for e in self.entries if e.archive_url is not None and not e.verified]


@dataclass(frozen=True, slots=True)
class Fix:
    """One citation to rewrite: where, from what, to what, and why; ``robust`` (for
    ``--robust``): verified copies as (URL, date), and the date the link was made."""

    location: Location
    old: str
    new: str
    why: str
    robust: tuple[tuple[str, str], ...] = ()
    version_date: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A citation that could be fixed, and why it was not."""

    location: Location
    url: str
    why: str


@dataclass(slots=True)
class FileChange:
    """A document's bytes before and after its fixes."""

    path: Path
    before: bytes
    after: bytes
    fixes: list[Fix]


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, ``Z``-suffixed: ``2026-02-24T21:16:50Z``."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def host_of(url: str) -> str:
    """The host name a URL's requests go to, lower case; '' when it has none or cannot have one
    (a malformed IPv6 literal such as ``http://[::1``)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
