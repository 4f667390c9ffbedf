"""Archiving a checked run: reuse snapshots, capture live pages, suggest copies of dead ones."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urldefrag

import httpx

from linkcheck.archive.keys import ArchiveKeys
from linkcheck.archive.lookup import Snapshot, SnapshotLookup, SnapshotLookupFailed
from linkcheck.archive.spn2 import (
    AuthenticationError,
    JobState,
    JobStatus,
    RateLimited,
    SavePageNow,
    UncertainResponse,
)
from linkcheck.config import ArchiveSettings, CheckConfig
from linkcheck.model import (
    FETCH_FAILED,
    PAGE_ANSWERED,
    ManifestEntry,
    Result,
    SnapshotKind,
    Status,
    iso_utc,
)
from linkcheck.net.politeness import Clock, Pacer, Sleep
from linkcheck.net.probe import NetworkProbe

NO_KEYS = "captures need Internet Archive keys (IA_ACCESS_KEY / IA_SECRET_KEY)"
KEYS_REFUSED = "the Internet Archive refused the keys (HTTP 401)"


_TAG = re.compile(r"<[^>]*>")


def plain_words(reason: str, longest: int = 300) -> str:
    """A reason as plain words: markup a service answered with (an HTML error page, through
    waybackpy) removed, whitespace collapsed, and cut at ``longest`` characters."""
    words = " ".join(html.unescape(_TAG.sub(" ", reason)).split())
    return words if len(words) <= longest else words[: longest - 1] + "…"


class SnapshotStore(Protocol):
    """Where snapshots and capture jobs are recorded the moment they are known (the cache)."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...
    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None: ...
    def pending_job(self, url: str) -> tuple[str, float] | None: ...
    def put_job(self, url: str, job_id: str) -> None: ...
    def drop_job(self, url: str) -> None: ...


@dataclass(slots=True)
class _PageOutcome:
    kind: SnapshotKind
    reason: str
    snapshot: Snapshot | None = None
    job_id: str | None = None


class Archiver:
    """Archives the pages behind a run's results and builds the manifest entries.

    ``client`` supplies the retries, the longest Retry-After honoured and the User-Agent.
    """

    def __init__(
        self,
        settings: ArchiveSettings,
        client: CheckConfig,
        store: SnapshotStore | None,
        keys: ArchiveKeys | None,
        *,
        on_entry: Callable[[ManifestEntry], None] | None = None,
        notice: Callable[[str], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.keys = keys
        self.entries: dict[str, ManifestEntry] = {}
        self.captures_submitted = 0
        self._on_entry = on_entry or (lambda entry: None)
        self._notice = notice or (lambda message: None)
        self._sleep = sleep
        self._lookup_pacer = Pacer.per_minute(settings.lookup_rate, sleep=sleep, clock=clock)
        self._capture_pacer = Pacer.per_minute(settings.capture_rate, sleep=sleep, clock=clock)
        self._stopped: str | None = None  # why captures stopped for this run
        self.unavailable: str | None = None  # why the archive could not be used at all
        self._slots: asyncio.Semaphore | None = None

    async def archive(self, results: Sequence[Result]) -> list[ManifestEntry]:
        """A manifest entry for every cited http(s) URL, archiving as it goes."""
        pages: dict[str, list[Result]] = {}
        for result in results:
            if result.fetch is None and result.status is not Status.EXCLUDED:
                continue  # local files, mailto:, invalid URLs: nothing to archive
            if not result.url.lower().startswith(("http://", "https://", "//")):
                continue
            pages.setdefault(urldefrag(result.url).url, []).append(result)
        if self.keys is None:
            self._notice(NO_KEYS)
        if pages and not await NetworkProbe(self.settings.wayback_url).online():
            reason = f"the Wayback Machine ({self.settings.wayback_url}) is unreachable"
            self.unavailable = reason
            self._notice(reason)
            for cited in pages.values():
                self._finish(cited, _PageOutcome(SnapshotKind.FAILED, reason))
            return [self.entries[r.url] for r in results if r.url in self.entries]
        lookup = SnapshotLookup(
            self.settings.wayback_url,
            self.client.user_agent,
            timeout=self.settings.timeout,
            retries=self.client.retries,
            sleep=self._sleep,
        )
        try:
            async with httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.timeout),
                headers={"User-Agent": self.client.user_agent},
            ) as client:
                spn = self._save_page_now(client)
                if spn is not None and any(self._page_status(r) in PAGE_ANSWERED for r in results):
                    await self._read_user_status(spn)
                await asyncio.gather(
                    *(self._archive_page(page, cited, lookup, spn) for page, cited in pages.items())
                )
        finally:
            lookup.close()
        return [self.entries[r.url] for r in results if r.url in self.entries]

    def _save_page_now(self, client: httpx.AsyncClient) -> SavePageNow | None:
        if self.keys is None:
            return None
        return SavePageNow(
            client,
            self.settings.wayback_url,
            self.keys,
            retries=self.client.retries,
            max_retry_wait=self.client.max_retry_wait,
            sleep=self._sleep,
        )

    async def _read_user_status(self, spn: SavePageNow) -> None:
        try:
            user = await spn.user_status()
        except AuthenticationError:
            self._stop(KEYS_REFUSED)
            return
        except (UncertainResponse, RateLimited):
            self._slots = asyncio.Semaphore(1)
            return
        if user.daily_limit is not None and user.daily_captures is not None:
            left = user.daily_limit - user.daily_captures
            self._notice(f"Save Page Now: {user.available} free slots, {left} captures left today")
            if left <= 0:
                self._stop("the account's daily capture quota is used up")
        self._slots = asyncio.Semaphore(max(1, user.available))

    def _captures_stopped(self, older: Snapshot | None) -> _PageOutcome:
        return _PageOutcome(SnapshotKind.NOT_CAPTURED, f"captures stopped: {self._stopped}", older)

    def _stop(self, reason: str) -> None:
        if reason == KEYS_REFUSED:
            self.unavailable = reason
        if self._stopped is None:
            self._stopped = reason
            self._notice(f"captures stopped: {reason}")

    @staticmethod
    def _page_status(result: Result) -> Status:
        return result.fetch.status if result.fetch is not None else result.status

    async def _archive_page(
        self, page: str, cited: list[Result], lookup: SnapshotLookup, spn: SavePageNow | None
    ) -> None:
        status = self._page_status(cited[0])
        if status is Status.EXCLUDED:
            outcome = _PageOutcome(SnapshotKind.NOT_CAPTURED, "excluded from checking")
        else:
            try:
                outcome = await self._outcome(page, status, lookup, spn)
            except Exception as exc:
                outcome = _PageOutcome(SnapshotKind.FAILED, f"unexpected error: {exc}")
        self._finish(cited, outcome)

    def _finish(self, cited: list[Result], outcome: _PageOutcome) -> None:
        for result in cited:
            entry = self._entry(result, outcome)
            self.entries[result.url] = entry
            self._on_entry(entry)

    async def _outcome(
        self, page: str, status: Status, lookup: SnapshotLookup, spn: SavePageNow | None
    ) -> _PageOutcome:
        alive = status in PAGE_ANSWERED
        recorded = self._recorded_snapshot(page)
        if alive and recorded is not None and self._recent(recorded[0]):
            snapshot, source = recorded
            return _PageOutcome(
                SnapshotKind(source), "snapshot recorded by an earlier run", snapshot
            )
        if alive and spn is not None and self.store is not None:
            pending = self.store.pending_job(page)
            if pending is not None and self._stopped is None:
                return await self._follow(page, spn, pending[0], lookup)
        await self._lookup_pacer.wait()
        try:
            newest = await lookup.newest_ok(page)
        except SnapshotLookupFailed as exc:
            if not alive or spn is None:
                return _PageOutcome(SnapshotKind.FAILED, f"lookup failed: {exc}")
            newest = None  # a live page can still be captured
        if alive:
            if newest is not None and self._recent(newest):
                self._record(page, newest, SnapshotKind.EXISTING)
                return _PageOutcome(SnapshotKind.EXISTING, "a recent snapshot exists", newest)
            return await self._capture(page, spn, lookup, newest)
        if newest is None:
            return _PageOutcome(SnapshotKind.NOT_CAPTURED, "no snapshot that answered 200")
        if status in FETCH_FAILED:
            return _PageOutcome(
                SnapshotKind.SUGGESTED, "dead link: its newest good snapshot", newest
            )
        return _PageOutcome(
            SnapshotKind.EXISTING, f"{status.value}: newest snapshot (not captured now)", newest
        )

    async def _capture(
        self, page: str, spn: SavePageNow | None, lookup: SnapshotLookup, older: Snapshot | None
    ) -> _PageOutcome:
        if spn is None or self._stopped is not None:
            reason = NO_KEYS if spn is None else f"captures stopped: {self._stopped}"
            if older is not None:
                reason += f"; newest snapshot is from {older.captured_at.date().isoformat()}"
            return _PageOutcome(SnapshotKind.NOT_CAPTURED, reason, older)
        slots = self._slots or asyncio.Semaphore(1)
        async with slots:
            await self._capture_pacer.wait()
            if self._stopped is not None:  # another capture may have hit a refusal meanwhile
                return self._captures_stopped(older)
            submitted = time.time()
            try:
                job = await spn.submit(page, int(self.settings.reuse_within))
            except AuthenticationError:
                self._stop(KEYS_REFUSED)
                return self._captures_stopped(older)
            except (UncertainResponse, RateLimited) as exc:
                # The capture may have started anyway: look before submitting again.
                found = await self._look_again(page, lookup, submitted)
                if found is not None:
                    return _PageOutcome(
                        SnapshotKind.CAPTURED, "captured (confirmed in the index)", found
                    )
                return _PageOutcome(SnapshotKind.FAILED, f"capture uncertain: {exc}", older)
            self.captures_submitted += 1
            if job.state is JobState.ERROR:
                return self._refused(job, older)
            assert job.job_id is not None
            if self.store is not None:
                self.store.put_job(page, job.job_id)
            return await self._follow(page, spn, job.job_id, lookup)

    async def _follow(
        self, page: str, spn: SavePageNow, job_id: str, lookup: SnapshotLookup
    ) -> _PageOutcome:
        """Poll a job until it succeeds, fails, or runs out of time (it is then kept to resume)."""
        waited = 0.0
        while True:
            try:
                job = await spn.status(job_id)
            except AuthenticationError:
                self._stop(KEYS_REFUSED)
                return _PageOutcome(SnapshotKind.FAILED, self._stopped or "", job_id=job_id)
            except (UncertainResponse, RateLimited):
                job = JobStatus(JobState.PENDING, job_id=job_id)
            if job.state is JobState.SUCCESS and job.timestamp:
                snapshot = Snapshot(job.timestamp, job.original_url or page)
                self._record(page, snapshot, SnapshotKind.CAPTURED)
                if self.store is not None:
                    self.store.drop_job(page)
                return _PageOutcome(SnapshotKind.CAPTURED, "captured", snapshot, job_id)
            if job.state is JobState.ERROR:
                if self.store is not None:
                    self.store.drop_job(page)
                outcome = self._refused(job, None)
                outcome.job_id = job_id
                return outcome
            if waited >= self.settings.capture_timeout:
                return _PageOutcome(
                    SnapshotKind.FAILED,
                    f"capture still pending after {waited:.0f} s; the next run polls job {job_id}",
                    job_id=job_id,
                )
            await self._sleep(self.settings.poll_interval)
            waited += self.settings.poll_interval

    def _refused(self, job: JobStatus, older: Snapshot | None) -> _PageOutcome:
        if job.account_refusal:
            self._stop(job.reason)
        return _PageOutcome(SnapshotKind.FAILED, f"capture refused: {job.reason}", older)

    async def _look_again(
        self, page: str, lookup: SnapshotLookup, submitted: float
    ) -> Snapshot | None:
        await self._lookup_pacer.wait()
        try:
            found = await lookup.newest_ok(page)
        except SnapshotLookupFailed:
            return None
        if found is not None and found.captured_at.timestamp() >= submitted - 60:
            self._record(page, found, SnapshotKind.CAPTURED)
            return found
        return None

    def _recent(self, snapshot: Snapshot) -> bool:
        age = datetime.now(UTC).timestamp() - snapshot.captured_at.timestamp()
        return age <= self.settings.reuse_within

    def _recorded_snapshot(self, page: str) -> tuple[Snapshot, str] | None:
        if self.store is None:
            return None
        row = self.store.snapshot(page)
        if row is None:
            return None
        return Snapshot(row[0], row[1]), row[2]

    def _record(self, page: str, snapshot: Snapshot, kind: SnapshotKind) -> None:
        if self.store is not None:
            self.store.put_snapshot(page, snapshot.timestamp, snapshot.original, kind.value)

    def _entry(self, result: Result, outcome: _PageOutcome) -> ManifestEntry:
        archive_url = archived_at = None
        if outcome.snapshot is not None:
            archive_url = outcome.snapshot.archive_url(self.settings.wayback_url)
            fragment = urldefrag(result.url).fragment
            if fragment:  # a reader of the snapshot lands on the quoted words too
                archive_url += "#" + fragment
            archived_at = iso_utc(outcome.snapshot.captured_at)
        return ManifestEntry(
            url=result.url,
            status=result.status.value,
            snapshot=outcome.kind,
            reason=plain_words(outcome.reason),
            archive_url=archive_url,
            archived_at=archived_at,
            job_id=outcome.job_id,
            locations=list(result.locations),
        )
