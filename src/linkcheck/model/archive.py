"""The vocabulary of archiving and fixing: snapshots, copies, manifest entries, fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from linkcheck.model.results import _ANSWERED, Location


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
    identifier: str | None = None  # a DOI's or arXiv id's, with its scheme: "doi:10.1038/…"
    registered_title: str | None = None  # the work's title at its registry

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
            "identifier": self.identifier,
            "registered_title": self.registered_title,
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
    # For formats that write an archived copy beside the citation (wikitext): "dead" or "live"
    # (the copy is ``new``, dated ``version_date``), "unarchived" (dead, no copy: tagged), or
    # "revived" (alive again: marked live, its dead-link tag removed).
    beside: str | None = None


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
