"""The copies of a cited page: found in every archive (the Wayback Machine's index, a Memento
TimeMap's other archives), the nearest to the citation's date first, and verified one by one
until one shows what was cited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from urllib.parse import urldefrag

from linkcheck.archive.capture import PageOutcome
from linkcheck.archive.index import INDEX_LAG_LOOKS, SnapshotIndex
from linkcheck.archive.lookup import Snapshot, SnapshotLookupFailed
from linkcheck.archive.memento import TimeMapLookup, archive_name
from linkcheck.archive.verify import CopyCheck, CopyVerifier
from linkcheck.config import ArchiveSettings
from linkcheck.model import Result, SnapshotKind

CANDIDATES_PER_ARCHIVE = 3  # copies of one archive fetched to find one that verifies
NEAR_ENOUGH = 2 * 86400.0  # a snapshot this close to the citation's date is the citation's


class CopyStore(Protocol):
    """Where copies found and verifications made are recorded (the cache)."""

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None: ...
    def put_copies(self, url: str, copies: list[tuple[str, str]]) -> None: ...
    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None: ...
    def put_copy_check(self, copy_url: str, fragment: str, verified: bool, reason: str) -> None: ...


@dataclass(slots=True)
class Candidate:
    """A copy to verify: where it is, and when it was captured."""

    url: str  # without fragment
    captured_at: datetime

    @property
    def archive(self) -> str:
        return archive_name(self.url)


# For each cited fragment of a page: the copies looked at, and what each showed.
Checks = dict[str, list[tuple[Candidate, CopyCheck]]]


class CopyFinder:
    """Finds and verifies the copies of pages; verdicts are kept for the run and in ``store``."""

    def __init__(
        self,
        settings: ArchiveSettings,
        index: SnapshotIndex,
        timemap: TimeMapLookup,
        verifier: CopyVerifier,
        store: CopyStore | None,
        *,
        citation_dates: Mapping[str, date],
    ) -> None:
        self.settings = settings
        self._index = index
        self._timemap = timemap
        self._verifier = verifier
        self._store = store
        self._citation_dates = citation_dates
        self._checked: dict[tuple[str, str], CopyCheck] = {}  # this run's verdicts, by copy

    def wayback_copy(self, snapshot: Snapshot) -> str:
        return snapshot.archive_url(self.settings.wayback_url)

    def _cited_on(self, cited: list[Result]) -> datetime | None:
        dates = [self._citation_dates[r.url] for r in cited if r.url in self._citation_dates]
        if not dates:
            return None
        return datetime.combine(min(dates), datetime.min.time(), tzinfo=UTC)

    async def verified(self, page: str, cited: list[Result], outcome: PageOutcome) -> Checks:
        """For each cited fragment of ``page``, the copies looked at and what each showed:
        per archive, nearest to the citation's date first, until one verifies."""
        cited_on = self._cited_on(cited)
        moment = cited_on or datetime.now(UTC)
        fragments = list(dict.fromkeys(r.fragment for r in cited))
        fetch = cited[0].fetch
        redirect_target = fetch.final_url if fetch is not None and fetch.redirects else None
        in_hand = self.wayback_copy(outcome.snapshot) if outcome.snapshot else None
        settled = False  # the snapshot in hand answers for every citation: no more lookups
        if outcome.snapshot is not None and in_hand is not None:
            first = Candidate(in_hand, outcome.snapshot.captured_at)
            fresh = outcome.kind is SnapshotKind.CAPTURED
            found = await self._check(first, page, fragments, redirect_target, fresh)
            near = cited_on is None or distance(first.captured_at, moment) <= NEAR_ENOUGH
            settled = near and all(check.verified for check in found.values())
        if settled and not self.settings.aggregator:
            by_archive = {archive_name(in_hand or ""): [first]}
        else:
            by_archive = await self._candidates(page, outcome, moment, wayback_too=not settled)
        checks: Checks = {f: [] for f in fragments}
        for candidates in by_archive.values():
            waiting = set(fragments)
            for number, candidate in enumerate(candidates):
                mine = candidate.url == in_hand  # this run's own snapshot is always verified
                if not (mine or (waiting and number < CANDIDATES_PER_ARCHIVE)):
                    continue
                fresh = mine and outcome.kind is SnapshotKind.CAPTURED
                asked = fragments if mine else sorted(waiting)
                found = await self._check(candidate, page, asked, redirect_target, fresh)
                for fragment, check in found.items():
                    checks[fragment].append((candidate, check))
                    if check.verified:
                        waiting.discard(fragment)
        return checks

    async def _candidates(
        self, page: str, outcome: PageOutcome, moment: datetime, *, wayback_too: bool
    ) -> dict[str, list[Candidate]]:
        """The copies known of ``page``, by archive, nearest to ``moment`` first;
        ``wayback_too``: the Wayback Machine's index is asked beyond the snapshot in hand."""
        found: dict[str, Candidate] = {}
        if outcome.snapshot is not None:
            url = self.wayback_copy(outcome.snapshot)
            found[url] = Candidate(url, outcome.snapshot.captured_at)
        store = self._store
        recorded = store.copies(page, self.settings.reuse_within) if store is not None else None
        if recorded is None:
            looked = await self._look_up(page, moment, wayback_too)
            if looked is not None and store is not None:
                store.put_copies(page, [(c.url, _stamp(c.captured_at)) for c in looked])
            recorded = [(c.url, _stamp(c.captured_at)) for c in looked or []]
        for url, stamp in recorded:
            found.setdefault(url, Candidate(url, Snapshot(stamp, page).captured_at))
        by_archive: dict[str, list[Candidate]] = {}
        for candidate in sorted(found.values(), key=lambda c: distance(c.captured_at, moment)):
            by_archive.setdefault(candidate.archive, []).append(candidate)
        return by_archive

    async def _look_up(
        self, page: str, moment: datetime, wayback_too: bool
    ) -> list[Candidate] | None:
        """Copies nearest ``moment`` in the Wayback Machine's index (when the snapshot in hand
        does not settle it) and in the TimeMap's other archives; None when nothing was asked."""
        copies: list[Candidate] = []
        answered = False
        wayback_answered = False
        if wayback_too:
            try:
                nearest = await self._index.nearest_ok(page, moment, CANDIDATES_PER_ARCHIVE)
                answered = wayback_answered = True
                copies += [Candidate(self.wayback_copy(s), s.captured_at) for s in nearest]
            except SnapshotLookupFailed:
                pass
        else:
            wayback_answered = True
        if self.settings.aggregator or not wayback_answered:
            try:
                mementos = await self._timemap.mementos(page)
                answered = True
            except SnapshotLookupFailed:
                mementos = []
            wayback = archive_name(self.settings.wayback_url)
            for memento in mementos:
                if memento.archive == wayback and wayback_answered:
                    continue  # the index already answered for the Wayback Machine, with status
                copies.append(Candidate(urldefrag(memento.url).url, memento.captured_at))
        return copies if answered else None

    async def _check(
        self,
        candidate: Candidate,
        page: str,
        fragments: list[str],
        redirect_target: str | None,
        fresh: bool,
    ) -> dict[str, CopyCheck]:
        """What verifying a copy showed for each fragment: recorded, or fetched now (a fresh
        capture a few times, as it may not be replayable at once)."""
        known: dict[str, CopyCheck] = {}
        for fragment in fragments:
            if (candidate.url, fragment) in self._checked:
                known[fragment] = self._checked[candidate.url, fragment]
            elif self._store is not None:
                row = self._store.copy_check(candidate.url, fragment)
                if row is not None:
                    known[fragment] = CopyCheck(row[0], row[1])
        missing = [f for f in fragments if f not in known]
        last: dict[str, CopyCheck] = {}
        async for _ in self._index.lagging_looks(INDEX_LAG_LOOKS if fresh else 1):
            if not missing:
                break
            last = await self._verifier.check(candidate.url, page, missing, redirect_target)
            for fragment, check in last.items():
                if check.verified is None:
                    continue  # unread: not a verdict, asked again on the next run
                known[fragment] = check
                self._checked[candidate.url, fragment] = check
                if self._store is not None:
                    self._store.put_copy_check(
                        candidate.url, fragment, check.verified, check.reason
                    )
            missing = [f for f in missing if f not in known]
            if not missing:
                break  # before the next look's wait
        for fragment in fragments:
            if fragment not in known:
                known[fragment] = last.get(fragment, CopyCheck(None, "not verified"))
        return known


def distance(moment: datetime, target: datetime) -> float:
    return abs(moment.timestamp() - target.timestamp())


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")
