"""The vocabulary of checking: statuses, fetch results, verdicts on fragments, results, runs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from linkcheck.errors import ExitCode
from linkcheck.model.documents import Claims, Document
from linkcheck.model.works import Work


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
    MISMATCH = "mismatch"  # an identifier registered to another work than the one cited
    RETRACTED = "retracted"  # an identifier of a retracted or withdrawn work


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
DEFAULT_FAIL_ON = FETCH_FAILED | {Status.FRAGMENT_MISSING, Status.UNREADABLE, Status.RETRACTED}
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


# The parts a document may have, named in a location: a notebook's cells, a PDF's pages, a Word
# document's paragraphs, footnotes and endnotes (numbered from 1), a bibliography's entries
# (by key).
PARTS = ("cell", "page", "paragraph", "footnote", "endnote", "entry")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a URL is cited."""

    file: str
    line: int
    column: int
    text: str
    part: tuple[str, int | str] | None = None  # ("cell", 3): see Citation.part

    def record(self) -> dict[str, Any]:
        """The JSON shape: file, line, column, text, and the part (``cell``, ``page`` or
        ``paragraph``) where the format has parts."""
        shape: dict[str, Any] = {
            "file": self.file, "line": self.line, "column": self.column, "text": self.text,
        }  # fmt: skip
        if self.part is not None:
            shape[self.part[0]] = self.part[1]
        return shape


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
    work: Work | None = None  # an identifier's registered work, as its registry holds it
    # The text fragment made of the citing template's quote (wikitext), verified as if the URL
    # carried it; None when the URL's own fragment is what is verified.
    quote: str | None = None
    claims: Claims | None = None  # what the citing template says about the source (wikitext)

    @property
    def cited_on(self) -> date | None:
        """The day the citing template says its source was read."""
        return self.claims.read_on if self.claims is not None else None

    @property
    def fragment(self) -> str:
        """The fragment verified on the page and its copies: the URL's own, else its quote's."""
        if "#" in self.url:
            return self.url.split("#", 1)[1]
        return self.quote or ""

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
    paths: tuple[str, ...] = ()  # what the run was asked to read (files, folders, reports)
    merged: bool = False  # made of several reports of a sharded run (linkcheck merge)

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


def host_of(url: str) -> str:
    """The host name a URL's requests go to, lower case; '' when it has none or cannot have one
    (a malformed IPv6 literal such as ``http://[::1``)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
