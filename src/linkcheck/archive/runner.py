"""Archiving a checked run: reuse snapshots, capture live pages, suggest copies of dead ones."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from urllib.parse import urldefrag, urlsplit

import httpx

from linkcheck.archive.keys import ArchiveKeys
from linkcheck.archive.lookup import Snapshot, SnapshotLookup, SnapshotLookupFailed
from linkcheck.archive.memento import TimeMapLookup, archive_name
from linkcheck.archive.spn2 import (
    ArchiveBusy,
    AuthenticationError,
    JobState,
    JobStatus,
    RateLimited,
    SavePageNow,
    UncertainResponse,
)
from linkcheck.archive.verify import CopyCheck, CopyVerifier, witness_of
from linkcheck.config import ArchiveSettings, CheckConfig
from linkcheck.model import (
    FETCH_FAILED,
    PAGE_ALIVE,
    PAGE_ANSWERED,
    WITNESSED,
    ArchivedCopy,
    ManifestEntry,
    Result,
    SnapshotKind,
    Status,
    iso_utc,
)
from linkcheck.net.politeness import Clock, Pacer, Pause, Sleep
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
    """Where snapshots, capture jobs, copies and verifications are recorded the moment they
    are known (the cache)."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...
    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None: ...
    def pending_job(self, url: str) -> tuple[str, float] | None: ...
    def put_job(self, url: str, job_id: str) -> None: ...
    def drop_job(self, url: str) -> None: ...
    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None: ...
    def put_copies(self, url: str, copies: list[tuple[str, str]]) -> None: ...
    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None: ...
    def put_copy_check(self, copy_url: str, fragment: str, verified: bool, reason: str) -> None: ...


@dataclass(slots=True)
class _PageOutcome:
    kind: SnapshotKind
    reason: str
    snapshot: Snapshot | None = None
    job_id: str | None = None


@dataclass(slots=True)
class _Candidate:
    """A copy to verify: where it is, and when it was captured."""

    url: str  # without fragment
    captured_at: datetime

    @property
    def archive(self) -> str:
        return archive_name(self.url)


class Archiver:
    """Archives the pages behind a run's results, verifies their copies and builds the
    manifest entries.

    ``client`` supplies the retries, the longest Retry-After honoured, the User-Agent and the
    body size limit; ``citation_dates`` the date each cited URL was cited (its document's).
    """

    def __init__(
        self,
        settings: ArchiveSettings,
        client: CheckConfig,
        store: SnapshotStore | None,
        keys: ArchiveKeys | None,
        *,
        citation_dates: Mapping[str, date] | None = None,
        on_entry: Callable[[ManifestEntry], None] | None = None,
        notice: Callable[[str], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.keys = keys
        self.citation_dates = dict(citation_dates or {})
        self.entries: dict[str, ManifestEntry] = {}
        self.captures_submitted = 0
        self._on_entry = on_entry or (lambda entry: None)
        self._notice = notice or (lambda message: None)
        self._sleep = sleep
        self._clock = clock
        self._pause = Pause(sleep=sleep, clock=clock)  # shared by every Wayback Machine request
        self._lookup_pacer = Pacer.per_minute(settings.lookup_rate, sleep=sleep, clock=clock)
        self._capture_pacer = Pacer.per_minute(settings.capture_rate, sleep=sleep, clock=clock)
        self._stopped: str | None = None  # why captures stopped for this run
        self.unavailable: str | None = None  # why the archive could not be used at all
        self._slots: asyncio.Semaphore | None = None
        self._spn: SavePageNow | None = None
        self._lookup: SnapshotLookup | None = None
        self._timemap: TimeMapLookup | None = None
        self._verifier: CopyVerifier | None = None
        self._checked: dict[tuple[str, str], CopyCheck] = {}  # this run's verdicts, by copy
        # Where each cited page redirects (the check's final URL): its captures are kept under
        # that address, the cited one holding only the redirect.
        self._moved_to: dict[str, str] = {}
        self._pages: set[str] = set()  # the pages this run archives

    async def archive(self, results: Sequence[Result]) -> list[ManifestEntry]:
        """A manifest entry for every cited http(s) URL, archiving as it goes."""
        pages: dict[str, list[Result]] = {}
        for result in results:
            if result.fetch is None and result.status is not Status.EXCLUDED:
                continue  # local files, mailto:, invalid URLs: nothing to archive
            if not result.url.lower().startswith(("http://", "https://", "//")):
                continue
            page = urldefrag(result.url).url
            pages.setdefault(page, []).append(result)
            fetch = result.fetch
            if fetch is not None and fetch.redirects and fetch.final_url:
                self._moved_to.setdefault(page, urldefrag(fetch.final_url).url)
        self._pages = set(pages)
        if self.keys is None:
            self._notice(NO_KEYS)
        if pages and not await NetworkProbe(self.settings.wayback_url).online():
            reason = f"the Wayback Machine ({self.settings.wayback_url}) is unreachable"
            self.unavailable = reason
            self._notice(reason)
            for cited in pages.values():
                self._finish(cited, _PageOutcome(SnapshotKind.FAILED, reason), {})
            return [self.entries[r.url] for r in results if r.url in self.entries]
        async with self._connected():
            spn = self._spn
            if spn is not None and any(self._page_status(r) in PAGE_ANSWERED for r in results):
                await self._read_user_status(spn)
            await asyncio.gather(
                *(self._archive_page(page, cited) for page, cited in pages.items())
            )
        return [self.entries[r.url] for r in results if r.url in self.entries]

    async def witnesses(self, results: Sequence[Result]) -> dict[str, str]:
        """What the archived copy nearest each citation's date says, for every cited URL whose
        verdict a copy can witness (a missing quote; a changed, broken or failing page).
        Copies are looked up and verified, as for the manifest; nothing is captured."""
        pages: dict[str, list[Result]] = {}
        for result in results:
            web = result.url.lower().startswith(("http://", "https://"))
            if result.status in WITNESSED and result.fetch is not None and web:
                pages.setdefault(urldefrag(result.url).url, []).append(result)
        if not pages:
            return {}
        if not await NetworkProbe(self.settings.wayback_url).online():
            self._notice(f"no witnesses: the Wayback Machine ({self.settings.wayback_url}) "
                         "is unreachable")  # fmt: skip
            return {}
        found: dict[str, str] = {}

        async def witness(page: str, cited: list[Result]) -> None:
            outcome = _PageOutcome(SnapshotKind.NOT_CAPTURED, "")
            checks = await self._verified_copies(page, cited, outcome)
            for result in cited:
                fragment = urldefrag(result.url).fragment
                entry = self._entry(result, outcome, checks.get(fragment, []))
                if entry.witness is not None:
                    found[result.url] = entry.witness

        async with self._connected():
            await asyncio.gather(*(witness(page, cited) for page, cited in pages.items()))
        return found

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[None]:
        """The clients of one run: the index lookup, Save Page Now (with keys), the TimeMap
        and the copy verifier, over one HTTP client; closed on the way out."""
        settings = self.settings
        self._lookup = SnapshotLookup(
            settings.wayback_url,
            self.client.user_agent,
            timeout=settings.timeout,
            retries=self.client.retries,
            sleep=self._sleep,
            pause=self._pause,
            max_retry_wait=self.client.max_retry_wait,
        )
        try:
            async with httpx.AsyncClient(
                timeout=httpx.Timeout(settings.timeout),
                headers={"User-Agent": self.client.user_agent},
            ) as client:
                self._connect(client)
                yield
        finally:
            self._lookup.close()

    def _connect(self, client: httpx.AsyncClient) -> None:
        settings = self.settings
        if self.keys is not None:
            self._spn = SavePageNow(
                client,
                settings.wayback_url,
                self.keys,
                retries=self.client.retries,
                max_retry_wait=self.client.max_retry_wait,
                sleep=self._sleep,
                pause=self._pause,
            )
        same_host = urlsplit(settings.timemap).netloc == urlsplit(settings.wayback_url).netloc
        self._timemap = TimeMapLookup(
            client,
            settings.timemap,
            pause=self._pause if same_host else Pause(),
            rate=settings.lookup_rate,
            retries=self.client.retries,
        )
        self._verifier = CopyVerifier(
            client,
            wayback_url=settings.wayback_url,
            wayback_pause=self._pause,
            rate=settings.verify_rate,
            max_bytes=self.client.max_bytes,
        )

    async def _read_user_status(self, spn: SavePageNow) -> None:
        try:
            user = await spn.user_status()
        except AuthenticationError:
            self._stop(KEYS_REFUSED)
            return
        except (UncertainResponse, RateLimited, ArchiveBusy):
            self._slots = asyncio.Semaphore(1)
            return
        if user.daily_limit is not None and user.daily_captures is not None:
            left = user.daily_limit - user.daily_captures
            self._notice(f"Save Page Now: {user.available} free slots, {left} captures left today")
            if left <= 0:
                self._stop(f"the account's daily capture quota is used up; {_daily_reset()}")
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

    async def _archive_page(self, page: str, cited: list[Result]) -> None:
        status = self._page_status(cited[0])
        checks: dict[str, list[tuple[_Candidate, CopyCheck]]] = {}
        if status is Status.EXCLUDED:
            outcome = _PageOutcome(SnapshotKind.NOT_CAPTURED, "excluded from checking")
        else:
            try:
                outcome = await self._outcome(page, status)
            except Exception as exc:
                outcome = _PageOutcome(SnapshotKind.FAILED, f"unexpected error: {exc}")
            else:
                try:
                    checks = await self._verified_copies(page, cited, outcome)
                    if self._worth_recapturing(status, outcome, checks):
                        outcome, checks = await self._recapture(page, cited, outcome, checks)
                except Exception as exc:  # the snapshot stays named; its copies unverified
                    outcome.reason += f"; copies not verified: unexpected error: {exc}"
        self._finish(cited, outcome, checks)

    def _finish(
        self,
        cited: list[Result],
        outcome: _PageOutcome,
        checks: Mapping[str, list[tuple[_Candidate, CopyCheck]]],
    ) -> None:
        for result in cited:
            fragment = urldefrag(result.url).fragment
            entry = self._entry(result, outcome, checks.get(fragment, []))
            self.entries[result.url] = entry
            self._on_entry(entry)

    def _worth_recapturing(
        self,
        status: Status,
        outcome: _PageOutcome,
        checks: Mapping[str, list[tuple[_Candidate, CopyCheck]]],
    ) -> bool:
        """A live page whose reused snapshot was rejected (a wall, an error page, another
        page): a new capture may be good where the old one is not."""
        if status not in PAGE_ALIVE or outcome.kind is not SnapshotKind.EXISTING:
            return False
        if self._spn is None or self._stopped is not None:
            return False
        unverified = [found for found in checks.values() if not any(c.verified for _, c in found)]
        return bool(unverified) and any(c.verified is False for f in unverified for _, c in f)

    async def _recapture(
        self,
        page: str,
        cited: list[Result],
        rejected: _PageOutcome,
        checks: dict[str, list[tuple[_Candidate, CopyCheck]]],
    ) -> tuple[_PageOutcome, dict[str, list[tuple[_Candidate, CopyCheck]]]]:
        fresh = await self._capture(page, rejected.snapshot, reuse_within=RECAPTURE_WITHIN)
        if fresh.kind is not SnapshotKind.CAPTURED or fresh.snapshot is None:
            fresh.reason = f"{rejected.reason}, which did not verify; {fresh.reason}"
            return fresh, checks
        fresh.reason = "captured again: the snapshot there did not verify"
        again = await self._verified_copies(page, cited, fresh)
        for fragment, found in again.items():
            seen = {candidate.url for candidate, _ in checks.get(fragment, [])}
            checks.setdefault(fragment, []).extend(
                pair for pair in found if pair[0].url not in seen
            )
        return fresh, checks

    # -- Save Page Now: reuse, capture or suggest -------------------------------------------

    async def _outcome(self, page: str, status: Status) -> _PageOutcome:
        assert self._lookup is not None
        spn = self._spn
        alive = status in PAGE_ANSWERED
        recorded = self._recorded_snapshot(page)
        if alive and recorded is not None and recorded[1] == SnapshotKind.SUGGESTED.value:
            recorded = None  # a dead page's suggestion, not a snapshot of the page now alive
        if alive and recorded is not None and self._recent(recorded[0]):
            snapshot, source = recorded
            return _PageOutcome(
                SnapshotKind(source), "snapshot recorded by an earlier run", snapshot
            )
        if alive and spn is not None and self.store is not None:
            pending = self.store.pending_job(page)
            if pending is not None and self._stopped is None:
                return await self._resume(page, spn, *pending)
        try:
            newest = await self._newest_ok(page, to_reuse=True)
        except SnapshotLookupFailed as exc:
            if not alive or spn is None:
                return _PageOutcome(SnapshotKind.FAILED, f"lookup failed: {exc}")
            newest = None  # a live page can still be captured (Save Page Now reuses a recent one)
        if alive:
            if newest is not None and self._recent(newest):
                self._record(page, newest, SnapshotKind.EXISTING)
                return _PageOutcome(SnapshotKind.EXISTING, "a recent snapshot exists", newest)
            return await self._capture(page, newest)
        if newest is None:
            return _PageOutcome(SnapshotKind.NOT_CAPTURED, "no snapshot that answered 200")
        if status in FETCH_FAILED:
            self._record(page, newest, SnapshotKind.SUGGESTED)  # what `linkcheck fix` cites
            return _PageOutcome(
                SnapshotKind.SUGGESTED, "dead link: its newest good snapshot", newest
            )
        return _PageOutcome(
            SnapshotKind.EXISTING, f"{status.value}: newest snapshot (not captured now)", newest
        )

    async def _resume(
        self, page: str, spn: SavePageNow, job_id: str, submitted: float
    ) -> _PageOutcome:
        """A job an earlier run submitted: polled if it can still be, else looked for in the
        index before anything is submitted again."""
        lost = not job_id or time.time() - submitted > JOB_STATUS_KEPT
        if not lost:
            followed = await self._follow(page, spn, job_id, submitted)
            if isinstance(followed, _PageOutcome):
                return followed
            self._forget_job(page)
            outcome = await self._refused(page, followed, None, 1)
            outcome.job_id = outcome.job_id or job_id
            return outcome
        found = await self._look_again(page, submitted)
        if found is not None:
            assert self.store is not None
            self.store.drop_job(page)
            return _PageOutcome(SnapshotKind.CAPTURED, "captured (confirmed in the index)", found)
        return await self._capture(page, None)

    async def _capture(
        self,
        page: str,
        older: Snapshot | None,
        attempt: int = 1,
        reuse_within: float | None = None,
    ) -> _PageOutcome:
        spn = self._spn
        if spn is None or self._stopped is not None:
            reason = NO_KEYS if spn is None else f"captures stopped: {self._stopped}"
            if older is not None:
                reason += f"; newest snapshot is from {older.captured_at.date().isoformat()}"
            return _PageOutcome(SnapshotKind.NOT_CAPTURED, reason, older)
        slots = self._slots or asyncio.Semaphore(1)
        async with slots:  # held while the job runs: the account's slots are jobs in flight
            await self._capture_pacer.wait()
            if self._stopped is not None:  # another capture may have hit a refusal meanwhile
                return self._captures_stopped(older)
            submitted = time.time()
            if self.store is not None:
                # Before the request: a run killed while it is in flight looks in the index
                # (and never just submits again) when it resumes.
                self.store.put_job(page, "")
            try:
                within = self.settings.reuse_within if reuse_within is None else reuse_within
                job = await spn.submit(page, int(within))
            except AuthenticationError:
                self._forget_job(page)
                self._stop(KEYS_REFUSED)
                return self._captures_stopped(older)
            except ArchiveBusy as exc:
                self._forget_job(page)
                self._stop(_busy(exc.retry_after))
                return self._captures_stopped(older)
            except (UncertainResponse, RateLimited) as exc:
                # The capture may have started anyway: look (allowing for the index's lag)
                # before anything is submitted again.
                found = await self._look_again(page, submitted, patient=True)
                if found is not None:
                    self._forget_job(page)
                    return _PageOutcome(
                        SnapshotKind.CAPTURED, "captured (confirmed in the index)", found
                    )
                return _PageOutcome(
                    SnapshotKind.FAILED,
                    f"capture uncertain: {exc}; the next run looks in the index first",
                    older,
                )
            self.captures_submitted += 1
            if job.state is not JobState.ERROR:
                assert job.job_id is not None
                if self.store is not None:
                    self.store.put_job(page, job.job_id)
                followed = await self._follow(page, spn, job.job_id, submitted)
                if isinstance(followed, _PageOutcome):
                    return followed
                job = followed
        # Handled with the slot given back: it may wait for another, or submit again.
        self._forget_job(page)
        outcome = await self._refused(page, job, older, attempt)
        outcome.job_id = outcome.job_id or job.job_id
        return outcome

    async def _follow(
        self, page: str, spn: SavePageNow, job_id: str, submitted: float
    ) -> _PageOutcome | JobStatus:
        """Poll a job (submitted at ``submitted``, epoch seconds), ever less often, until it
        succeeds, or runs out of time (it is then kept, and the next run polls it); a job that
        failed is returned as it came."""
        waited = 0.0
        interval = self.settings.poll_interval
        while True:
            try:
                job = await spn.status(job_id)
            except AuthenticationError:
                self._stop(KEYS_REFUSED)
                return _PageOutcome(SnapshotKind.FAILED, self._stopped or "", job_id=job_id)
            except ArchiveBusy as exc:
                self._stop(_busy(exc.retry_after))
                return _PageOutcome(
                    SnapshotKind.FAILED,
                    f"captures stopped: {self._stopped}; the next run polls job {job_id}",
                    job_id=job_id,
                )
            except (UncertainResponse, RateLimited):
                job = JobStatus(JobState.PENDING, job_id=job_id)
            if job.state is JobState.SUCCESS and job.timestamp:
                snapshot = Snapshot(job.timestamp, job.original_url or page)
                self._forget_job(page)
                if snapshot.captured_at.timestamp() < submitted - CLOCK_SLACK:
                    # Save Page Now handed back a capture it already had (if_not_archived_within,
                    # or someone captured the page lately): not a new one.
                    self._record(page, snapshot, SnapshotKind.EXISTING)
                    when = snapshot.captured_at.strftime("%Y-%m-%d %H:%M UTC")
                    reason = f"Save Page Now answered with its existing capture of {when}"
                    return _PageOutcome(SnapshotKind.EXISTING, reason, snapshot, job_id)
                self._record(page, snapshot, SnapshotKind.CAPTURED)
                return _PageOutcome(SnapshotKind.CAPTURED, "captured", snapshot, job_id)
            if job.state is JobState.ERROR:
                job.job_id = job_id
                return job
            if waited >= self.settings.capture_timeout:
                return _PageOutcome(
                    SnapshotKind.FAILED,
                    f"capture still pending after {waited:.0f} s; the next run polls job {job_id}",
                    job_id=job_id,
                )
            await self._sleep(interval)
            waited += interval
            interval = min(interval * POLL_BACKOFF, self.settings.poll_interval * POLL_SLOWEST)

    async def _refused(
        self, page: str, job: JobStatus, older: Snapshot | None, attempt: int
    ) -> _PageOutcome:
        """An error from Save Page Now, handled by what it means (see wayback-behaviour)."""
        if job.job_id or job.transient or job.session_limit:
            # A job reported failed may have captured the page all the same, and any failure
            # may hide a capture: the index is asked before a resubmission or a verdict.
            found = await self._look_again(page, time.time() - JOB_STATUS_KEPT)
            if found is not None:
                return _PageOutcome(
                    SnapshotKind.CAPTURED, "captured (confirmed in the index)", found
                )
        if job.session_limit:
            if await self._wait_for_slot():
                return await self._capture(page, older, attempt)
            self._stop(
                "every capture slot of the account stayed busy (its other captures in progress):"
                " run again when they finish"
            )
            return self._captures_stopped(older)
        if job.account_refusal:
            reason = job.reason
            if job.status_ext == "error:too-many-daily-captures":
                reason += f"; {_daily_reset()}"
            self._stop(reason)
            return _PageOutcome(SnapshotKind.FAILED, f"capture refused: {reason}", older)
        if (job.transient or job.status_ext == "error:job-expired") and attempt < CAPTURE_TRIES:
            await self._sleep(self.settings.poll_interval * POLL_SLOWEST)
            return await self._capture(page, older, attempt + 1)
        if job.status_ext == "error:too-many-daily-captures":
            # This URL's own limit: it was captured today, so a copy is there to be found.
            await self._lookup_pacer.wait()
            with contextlib.suppress(SnapshotLookupFailed):
                assert self._lookup is not None
                today = await self._lookup.newest_ok(page)
                if today is not None and self._recent(today):
                    self._record(page, today, SnapshotKind.EXISTING)
                    return _PageOutcome(
                        SnapshotKind.EXISTING,
                        "captured often today already (the URL's daily limit): today's snapshot",
                        today,
                    )
        tried = f" ({attempt} attempts)" if attempt > 1 else ""
        return _PageOutcome(SnapshotKind.FAILED, f"capture refused: {job.reason}{tried}", older)

    async def _wait_for_slot(self) -> bool:
        """Wait, ever longer, for a free capture slot on ``/save/status/user``; False when
        none came within the capture timeout."""
        assert self._spn is not None
        waited, interval = 0.0, self.settings.poll_interval
        while waited < self.settings.capture_timeout:
            await self._sleep(interval)
            waited += interval
            interval = min(interval * SLOT_BACKOFF, self.settings.capture_timeout)
            try:
                user = await self._spn.user_status()
            except (UncertainResponse, RateLimited, ArchiveBusy, AuthenticationError):
                continue
            if user.available > 0:
                return True
        return False

    async def _look_again(
        self, page: str, submitted: float, *, patient: bool = False
    ) -> Snapshot | None:
        """A capture of ``page`` made since ``submitted`` (a minute's slack), if the index has
        one; ``patient`` looks a few times, as a fresh capture reaches the index late."""
        assert self._lookup is not None
        tries = INDEX_LAG_LOOKS if patient else 1
        wait = 2 * self.settings.poll_interval
        for look in range(tries):
            if look:
                await self._sleep(wait)
                wait *= SLOT_BACKOFF
            try:
                found = await self._newest_ok(page)
            except SnapshotLookupFailed:
                continue
            if found is not None and found.captured_at.timestamp() >= submitted - 60:
                self._record(page, found, SnapshotKind.CAPTURED)
                return found
        return None

    async def _newest_ok(self, page: str, *, to_reuse: bool = False) -> Snapshot | None:
        """The newest 200 capture of ``page``, or of the page it redirects to (where Save Page
        Now keeps a capture of a redirecting URL). ``to_reuse``: not the target's when the run
        cites the target itself — the run captures it, and this URL gets a capture of its own,
        its redirect on record under the cited address."""
        assert self._lookup is not None
        await self._lookup_pacer.wait()
        found = await self._lookup.newest_ok(page)
        moved_to = self._moved_to.get(page)
        if moved_to in (None, page) or (to_reuse and moved_to in self._pages):
            return found
        if found is None and moved_to is not None:
            await self._lookup_pacer.wait()
            found = await self._lookup.newest_ok(moved_to)
        return found

    def _forget_job(self, page: str) -> None:
        if self.store is not None:
            self.store.drop_job(page)

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

    # -- Copies: found in every archive, verified, the nearest to the citation chosen --------

    def _cited_on(self, cited: list[Result]) -> datetime | None:
        dates = [self.citation_dates[r.url] for r in cited if r.url in self.citation_dates]
        if not dates:
            return None
        return datetime.combine(min(dates), datetime.min.time(), tzinfo=UTC)

    async def _verified_copies(
        self, page: str, cited: list[Result], outcome: _PageOutcome
    ) -> dict[str, list[tuple[_Candidate, CopyCheck]]]:
        """For each cited fragment of ``page``, the copies looked at and what each showed:
        per archive, nearest to the citation's date first, until one verifies."""
        cited_on = self._cited_on(cited)
        moment = cited_on or datetime.now(UTC)
        fragments = list(dict.fromkeys(urldefrag(r.url).fragment for r in cited))
        fetch = cited[0].fetch
        redirect_target = fetch.final_url if fetch is not None and fetch.redirects else None
        in_hand = self._wayback_copy(outcome.snapshot) if outcome.snapshot else None
        settled = False  # the snapshot in hand answers for every citation: no more lookups
        if outcome.snapshot is not None and in_hand is not None:
            first = _Candidate(in_hand, outcome.snapshot.captured_at)
            fresh = outcome.kind is SnapshotKind.CAPTURED
            found = await self._check(first, page, fragments, redirect_target, fresh)
            near = cited_on is None or _distance(first.captured_at, moment) <= NEAR_ENOUGH
            settled = near and all(check.verified for check in found.values())
        if settled and not self.settings.aggregator:
            by_archive = {archive_name(in_hand or ""): [first]}
        else:
            by_archive = await self._candidates(page, outcome, moment, wayback_too=not settled)
        checks: dict[str, list[tuple[_Candidate, CopyCheck]]] = {f: [] for f in fragments}
        for candidates in by_archive.values():
            waiting = set(fragments)
            for index, candidate in enumerate(candidates):
                mine = candidate.url == in_hand  # this run's own snapshot is always verified
                if not (mine or (waiting and index < CANDIDATES_PER_ARCHIVE)):
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
        self, page: str, outcome: _PageOutcome, moment: datetime, *, wayback_too: bool
    ) -> dict[str, list[_Candidate]]:
        """The copies known of ``page``, by archive, nearest to ``moment`` first;
        ``wayback_too``: the Wayback Machine's index is asked beyond the snapshot in hand."""
        found: dict[str, _Candidate] = {}
        if outcome.snapshot is not None:
            url = self._wayback_copy(outcome.snapshot)
            found[url] = _Candidate(url, outcome.snapshot.captured_at)
        recorded = (
            self.store.copies(page, self.settings.reuse_within) if self.store is not None else None
        )
        if recorded is None:
            looked = await self._look_up_copies(page, moment, outcome, wayback_too)
            if looked is not None and self.store is not None:
                self.store.put_copies(page, [(c.url, _stamp(c.captured_at)) for c in looked])
            recorded = [(c.url, _stamp(c.captured_at)) for c in looked or []]
        for url, stamp in recorded:
            found.setdefault(url, _Candidate(url, Snapshot(stamp, page).captured_at))
        by_archive: dict[str, list[_Candidate]] = {}
        for candidate in sorted(found.values(), key=lambda c: _distance(c.captured_at, moment)):
            by_archive.setdefault(candidate.archive, []).append(candidate)
        return by_archive

    async def _look_up_copies(
        self, page: str, moment: datetime, outcome: _PageOutcome, wayback_too: bool
    ) -> list[_Candidate] | None:
        """Copies nearest ``moment`` in the Wayback Machine's index (when the snapshot in hand
        does not settle it) and in the TimeMap's other archives; None when nothing was asked."""
        assert self._lookup is not None and self._timemap is not None
        copies: list[_Candidate] = []
        answered = False
        wayback_answered = False
        if wayback_too:
            await self._lookup_pacer.wait()
            try:
                nearest = await self._lookup.nearest_ok(page, moment, CANDIDATES_PER_ARCHIVE)
                moved_to = self._moved_to.get(page)
                if not nearest and moved_to is not None and moved_to != page:
                    await self._lookup_pacer.wait()
                    nearest = await self._lookup.nearest_ok(
                        moved_to, moment, CANDIDATES_PER_ARCHIVE
                    )
                answered = wayback_answered = True
                copies += [_Candidate(self._wayback_copy(s), s.captured_at) for s in nearest]
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
                copies.append(_Candidate(urldefrag(memento.url).url, memento.captured_at))
        return copies if answered else None

    async def _check(
        self,
        candidate: _Candidate,
        page: str,
        fragments: list[str],
        redirect_target: str | None,
        fresh: bool,
    ) -> dict[str, CopyCheck]:
        """What verifying a copy showed for each fragment: recorded, or fetched now (a fresh
        capture a few times, as it may not be replayable at once)."""
        assert self._verifier is not None
        known: dict[str, CopyCheck] = {}
        for fragment in fragments:
            if (candidate.url, fragment) in self._checked:
                known[fragment] = self._checked[candidate.url, fragment]
            elif self.store is not None:
                row = self.store.copy_check(candidate.url, fragment)
                if row is not None:
                    known[fragment] = CopyCheck(row[0], row[1])
        missing = [f for f in fragments if f not in known]
        last: dict[str, CopyCheck] = {}
        wait = 2 * self.settings.poll_interval
        for look in range(INDEX_LAG_LOOKS if fresh else 1):
            if not missing:
                break
            if look:
                await self._sleep(wait)
                wait *= SLOT_BACKOFF
            last = await self._verifier.check(candidate.url, page, missing, redirect_target)
            for fragment, check in last.items():
                if check.verified is None:
                    continue  # unread: not a verdict, asked again on the next run
                known[fragment] = check
                self._checked[candidate.url, fragment] = check
                if self.store is not None:
                    self.store.put_copy_check(candidate.url, fragment, check.verified, check.reason)
            missing = [f for f in missing if f not in known]
        for fragment in fragments:
            if fragment not in known:
                known[fragment] = last.get(fragment, CopyCheck(None, "not verified"))
        return known

    def _wayback_copy(self, snapshot: Snapshot) -> str:
        return snapshot.archive_url(self.settings.wayback_url)

    def _entry(
        self,
        result: Result,
        outcome: _PageOutcome,
        checks: list[tuple[_Candidate, CopyCheck]],
    ) -> ManifestEntry:
        fragment = urldefrag(result.url).fragment
        cited_on = self.citation_dates.get(result.url)
        moment = (
            datetime.combine(cited_on, datetime.min.time(), tzinfo=UTC)
            if cited_on
            else datetime.now(UTC)
        )
        copies = [
            ArchivedCopy(
                archive=candidate.archive,
                url=candidate.url + (f"#{fragment}" if fragment else ""),
                captured_at=iso_utc(candidate.captured_at),
                verified=check.verified,
                reason=plain_words(check.reason),
            )
            for candidate, check in sorted(
                checks, key=lambda pair: _distance(pair[0].captured_at, moment)
            )
        ]
        chosen = next((c for c in copies if c.verified), None)
        waiting = None if chosen is not None else self._waiting_copy(outcome, copies)
        named = chosen or waiting
        reason = outcome.reason
        if chosen is not None:
            verification = chosen.reason
        elif waiting is not None:
            when = waiting.captured_at.replace("T", " ")[:16]
            verification = f"captured at {when} UTC; not replayable yet, verified on a later run"
        elif copies:
            verification = f"no copy verified: {copies[0].reason}"
            reason += "; no verified copy"
        else:
            verification = "no copy to verify"
        return ManifestEntry(
            url=result.url,
            status=result.status.value,
            snapshot=outcome.kind,
            reason=plain_words(reason),
            archive_url=named.url if named else None,
            archived_at=named.captured_at if named else None,
            job_id=outcome.job_id,
            locations=list(result.locations),
            verified=chosen is not None,
            verification=plain_words(verification),
            citation_date=cited_on.isoformat() if cited_on else None,
            copies=copies,
            witness=witness_of(result.status, fragment, copies, cited_on),
        )

    def _waiting_copy(
        self, outcome: _PageOutcome, copies: list[ArchivedCopy]
    ) -> ArchivedCopy | None:
        """The capture this page got (this run or an earlier one) when the archive cannot
        replay it yet: named, unverified, until a later run can verify it."""
        if outcome.kind is not SnapshotKind.CAPTURED or outcome.snapshot is None:
            return None
        mine = self._wayback_copy(outcome.snapshot)
        return next(
            (
                c
                for c in copies
                if urldefrag(c.url).url == mine
                and c.verified is None
                and c.reason.startswith("not replayable yet")
            ),
            None,
        )


# How long Save Page Now keeps a job's status ("check within 1 hour").
JOB_STATUS_KEPT = 3600.0
POLL_BACKOFF = 1.5  # each poll of a pending job waits this much longer than the last…
POLL_SLOWEST = 6.0  # …up to this many poll intervals
SLOT_BACKOFF = 2.0
CAPTURE_TRIES = 3  # submissions of one URL after Save Page Now's own failures (as spn.sh)
INDEX_LAG_LOOKS = 4  # looks for a fresh capture that has not reached the index or replay yet
CANDIDATES_PER_ARCHIVE = 3  # copies of one archive fetched to find one that verifies
NEAR_ENOUGH = 2 * 86400.0  # a snapshot this close to the citation's date is the citation's
RECAPTURE_WITHIN = 60.0  # a recapture asks Save Page Now not to hand back the rejected snapshot
# A job's capture older than its submission by more than this (the two clocks may differ) is
# one Save Page Now already had.
CLOCK_SLACK = 600.0


def _distance(moment: datetime, target: datetime) -> float:
    return abs(moment.timestamp() - target.timestamp())


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _daily_reset() -> str:
    """When the daily limits reset (00:00 UTC), from now."""
    now = datetime.now(UTC)
    tomorrow = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC).timestamp() + 86400
    hours, minutes = divmod(int((tomorrow - now.timestamp()) // 60), 60)
    return f"the limit resets at 00:00 UTC (in {hours} h {minutes:02d} min)"


def _busy(retry_after: float) -> str:
    when = datetime.now(UTC).timestamp() + retry_after
    at = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"the Wayback Machine asked us to wait {retry_after:.0f} s: run again after {at}"
