"""Save Page Now, one capture at a time: from submission to a finished or failed job, and
resumable by the next run; refusals handled by what they mean (see wayback-behaviour)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from linkcheck.archive.index import SnapshotIndex
from linkcheck.archive.lookup import Snapshot, SnapshotLookupFailed
from linkcheck.archive.spn2 import (
    ArchiveBusy,
    AuthenticationError,
    JobState,
    JobStatus,
    RateLimited,
    SavePageNow,
    UncertainResponse,
)
from linkcheck.config import ArchiveSettings
from linkcheck.model import SnapshotKind
from linkcheck.net.politeness import Pacer, Sleep

NO_KEYS = "captures need Internet Archive keys (IA_ACCESS_KEY / IA_SECRET_KEY)"
KEYS_REFUSED = "the Internet Archive refused the keys (HTTP 401)"
# How long Save Page Now keeps a job's status ("check within 1 hour").
JOB_STATUS_KEPT = 3600.0
POLL_BACKOFF = 1.5  # each poll of a pending job waits this much longer than the last…
POLL_SLOWEST = 6.0  # …up to this many poll intervals
SLOT_BACKOFF = 2.0
CAPTURE_TRIES = 3  # submissions of one URL after Save Page Now's own failures (as spn.sh)
# A job's capture older than its submission by more than this (the two clocks may differ) is
# one Save Page Now already had.
CLOCK_SLACK = 600.0


@dataclass(slots=True)
class PageOutcome:
    """What became of a page's snapshot this run, and why."""

    kind: SnapshotKind
    reason: str
    snapshot: Snapshot | None = None
    job_id: str | None = None


class Capturer:
    """Captures pages with Save Page Now (``spn``: None without keys), recording jobs and
    snapshots through ``index``.

    ``stopped`` says why captures stopped for the run (a refusal of the account, the keys, a
    pause asked for); ``unavailable`` why the archive could not be used at all.
    """

    def __init__(
        self,
        settings: ArchiveSettings,
        spn: SavePageNow | None,
        index: SnapshotIndex,
        *,
        notice: Callable[[str], None],
        sleep: Sleep,
        pacer: Pacer,
    ) -> None:
        self.settings = settings
        self.spn = spn
        self.index = index
        self.stopped: str | None = None
        self.unavailable: str | None = None
        self.submitted = 0
        self._notice = notice
        self._sleep = sleep
        self._pacer = pacer
        self._slots: asyncio.Semaphore | None = None

    async def read_user_status(self) -> None:
        """The account's free slots and the captures left today, said once."""
        assert self.spn is not None
        try:
            user = await self.spn.user_status()
        except AuthenticationError:
            self.stop(KEYS_REFUSED)
            return
        except (UncertainResponse, RateLimited, ArchiveBusy):
            self._slots = asyncio.Semaphore(1)
            return
        if user.daily_limit is not None and user.daily_captures is not None:
            left = user.daily_limit - user.daily_captures
            self._notice(f"Save Page Now: {user.available} free slots, {left} captures left today")
            if left <= 0:
                self.stop(f"the account's daily capture quota is used up; {_daily_reset()}")
        self._slots = asyncio.Semaphore(max(1, user.available))

    def stop(self, reason: str) -> None:
        if reason == KEYS_REFUSED:
            self.unavailable = reason
        if self.stopped is None:
            self.stopped = reason
            self._notice(f"captures stopped: {reason}")

    def _captures_stopped(self, older: Snapshot | None) -> PageOutcome:
        return PageOutcome(SnapshotKind.NOT_CAPTURED, f"captures stopped: {self.stopped}", older)

    async def resume(
        self, page: str, spn: SavePageNow, job_id: str, submitted: float
    ) -> PageOutcome:
        """A job an earlier run submitted: polled if it can still be, else looked for in the
        index before anything is submitted again."""
        lost = not job_id or time.time() - submitted > JOB_STATUS_KEPT
        if not lost:
            followed = await self._follow(page, spn, job_id, submitted)
            if isinstance(followed, PageOutcome):
                return followed
            self._forget_job(page)
            outcome = await self._refused(page, followed, None, 1)
            outcome.job_id = outcome.job_id or job_id
            return outcome
        found = await self.index.look_again(page, submitted)
        if found is not None:
            self._forget_job(page)
            return PageOutcome(SnapshotKind.CAPTURED, "captured (confirmed in the index)", found)
        return await self.capture(page, None)

    async def capture(
        self,
        page: str,
        older: Snapshot | None,
        attempt: int = 1,
        reuse_within: float | None = None,
    ) -> PageOutcome:
        """A new capture of ``page`` (``older``: its newest snapshot, named if none is made)."""
        spn = self.spn
        if spn is None or self.stopped is not None:
            reason = NO_KEYS if spn is None else f"captures stopped: {self.stopped}"
            if older is not None:
                reason += f"; newest snapshot is from {older.captured_at.date().isoformat()}"
            return PageOutcome(SnapshotKind.NOT_CAPTURED, reason, older)
        store = self.index.store
        slots = self._slots or asyncio.Semaphore(1)
        async with slots:  # held while the job runs: the account's slots are jobs in flight
            await self._pacer.wait()
            if self.stopped is not None:  # another capture may have hit a refusal meanwhile
                return self._captures_stopped(older)
            submitted = time.time()
            if store is not None:
                # Before the request: a run killed while it is in flight looks in the index
                # (and never just submits again) when it resumes.
                store.put_job(page, "")
            try:
                within = self.settings.reuse_within if reuse_within is None else reuse_within
                job = await spn.submit(page, int(within))
            except AuthenticationError:
                self._forget_job(page)
                self.stop(KEYS_REFUSED)
                return self._captures_stopped(older)
            except ArchiveBusy as exc:
                self._forget_job(page)
                self.stop(_busy(exc.retry_after))
                return self._captures_stopped(older)
            except (UncertainResponse, RateLimited) as exc:
                # The capture may have started anyway: look (allowing for the index's lag)
                # before anything is submitted again.
                found = await self.index.look_again(page, submitted, patient=True)
                if found is not None:
                    self._forget_job(page)
                    return PageOutcome(
                        SnapshotKind.CAPTURED, "captured (confirmed in the index)", found
                    )
                return PageOutcome(
                    SnapshotKind.FAILED,
                    f"capture uncertain: {exc}; the next run looks in the index first",
                    older,
                )
            self.submitted += 1
            if job.state is not JobState.ERROR:
                assert job.job_id is not None
                if store is not None:
                    store.put_job(page, job.job_id)
                followed = await self._follow(page, spn, job.job_id, submitted)
                if isinstance(followed, PageOutcome):
                    return followed
                job = followed
        # Handled with the slot given back: it may wait for another, or submit again.
        self._forget_job(page)
        outcome = await self._refused(page, job, older, attempt)
        outcome.job_id = outcome.job_id or job.job_id
        return outcome

    async def _follow(
        self, page: str, spn: SavePageNow, job_id: str, submitted: float
    ) -> PageOutcome | JobStatus:
        """Poll a job (submitted at ``submitted``, epoch seconds), ever less often, until it
        succeeds, or runs out of time (it is then kept, and the next run polls it); a job that
        failed is returned as it came."""
        waited = 0.0
        interval = self.settings.poll_interval
        while True:
            try:
                job = await spn.status(job_id)
            except AuthenticationError:
                self.stop(KEYS_REFUSED)
                return PageOutcome(SnapshotKind.FAILED, self.stopped or "", job_id=job_id)
            except ArchiveBusy as exc:
                self.stop(_busy(exc.retry_after))
                return PageOutcome(
                    SnapshotKind.FAILED,
                    f"captures stopped: {self.stopped}; the next run polls job {job_id}",
                    job_id=job_id,
                )
            except (UncertainResponse, RateLimited):
                job = JobStatus(JobState.PENDING, job_id=job_id)
            if job.state is JobState.SUCCESS and job.timestamp:
                return self._succeeded(page, job_id, submitted, job.timestamp, job.original_url)
            if job.state is JobState.ERROR:
                job.job_id = job_id
                return job
            if waited >= self.settings.capture_timeout:
                return PageOutcome(
                    SnapshotKind.FAILED,
                    f"capture still pending after {waited:.0f} s; the next run polls job {job_id}",
                    job_id=job_id,
                )
            await self._sleep(interval)
            waited += interval
            interval = min(interval * POLL_BACKOFF, self.settings.poll_interval * POLL_SLOWEST)

    def _succeeded(
        self, page: str, job_id: str, submitted: float, timestamp: str, original: str | None
    ) -> PageOutcome:
        snapshot = Snapshot(timestamp, original or page)
        self._forget_job(page)
        if snapshot.captured_at.timestamp() < submitted - CLOCK_SLACK:
            # Save Page Now handed back a capture it already had (if_not_archived_within, or
            # someone captured the page lately): not a new one.
            self.index.record(page, snapshot, SnapshotKind.EXISTING)
            when = snapshot.captured_at.strftime("%Y-%m-%d %H:%M UTC")
            reason = f"Save Page Now answered with its existing capture of {when}"
            return PageOutcome(SnapshotKind.EXISTING, reason, snapshot, job_id)
        self.index.record(page, snapshot, SnapshotKind.CAPTURED)
        return PageOutcome(SnapshotKind.CAPTURED, "captured", snapshot, job_id)

    async def _refused(
        self, page: str, job: JobStatus, older: Snapshot | None, attempt: int
    ) -> PageOutcome:
        """An error from Save Page Now, handled by what it means (see wayback-behaviour)."""
        if job.job_id or job.transient or job.session_limit:
            # A job reported failed may have captured the page all the same, and any failure
            # may hide a capture: the index is asked before a resubmission or a verdict.
            found = await self.index.look_again(page, time.time() - JOB_STATUS_KEPT)
            if found is not None:
                return PageOutcome(
                    SnapshotKind.CAPTURED, "captured (confirmed in the index)", found
                )
        if job.session_limit:
            if await self._wait_for_slot():
                return await self.capture(page, older, attempt)
            self.stop(
                "every capture slot of the account stayed busy (its other captures in progress):"
                " run again when they finish"
            )
            return self._captures_stopped(older)
        if job.account_refusal:
            reason = job.reason
            if job.status_ext == "error:too-many-daily-captures":
                reason += f"; {_daily_reset()}"
            self.stop(reason)
            return PageOutcome(SnapshotKind.FAILED, f"capture refused: {reason}", older)
        if (job.transient or job.status_ext == "error:job-expired") and attempt < CAPTURE_TRIES:
            await self._sleep(self.settings.poll_interval * POLL_SLOWEST)
            return await self.capture(page, older, attempt + 1)
        if job.status_ext == "error:too-many-daily-captures":
            # This URL's own limit: it was captured today, so a copy is there to be found.
            with contextlib.suppress(SnapshotLookupFailed):
                today = await self.index.newest_of_page(page)
                if today is not None and self.index.recent(today):
                    self.index.record(page, today, SnapshotKind.EXISTING)
                    return PageOutcome(
                        SnapshotKind.EXISTING,
                        "captured often today already (the URL's daily limit): today's snapshot",
                        today,
                    )
        tried = f" ({attempt} attempts)" if attempt > 1 else ""
        return PageOutcome(SnapshotKind.FAILED, f"capture refused: {job.reason}{tried}", older)

    async def _wait_for_slot(self) -> bool:
        """Wait, ever longer, for a free capture slot on ``/save/status/user``; False when
        none came within the capture timeout."""
        assert self.spn is not None
        waited, interval = 0.0, self.settings.poll_interval
        while waited < self.settings.capture_timeout:
            await self._sleep(interval)
            waited += interval
            interval = min(interval * SLOT_BACKOFF, self.settings.capture_timeout)
            try:
                user = await self.spn.user_status()
            except (UncertainResponse, RateLimited, ArchiveBusy, AuthenticationError):
                continue
            if user.available > 0:
                return True
        return False

    def _forget_job(self, page: str) -> None:
        if self.index.store is not None:
            self.index.store.drop_job(page)


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
