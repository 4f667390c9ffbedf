"""The Wayback Machine's index as the archive stage asks it: paced lookups of a page's
captures (or of the page it redirects to), and each snapshot recorded the moment it is known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Protocol

from linkcheck.archive.lookup import Snapshot, SnapshotLookup, SnapshotLookupFailed
from linkcheck.model import SnapshotKind
from linkcheck.net.politeness import Pacer, Sleep

INDEX_LAG_LOOKS = 4  # looks for a fresh capture that has not reached the index or replay yet
LAG_BACKOFF = 2.0  # each of those looks waits this much longer than the last


class SnapshotStore(Protocol):
    """Where snapshots and capture jobs are recorded the moment they are known (the cache)."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...
    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None: ...
    def pending_job(self, url: str) -> tuple[str, float] | None: ...
    def put_job(self, url: str, job_id: str) -> None: ...
    def drop_job(self, url: str) -> None: ...


class SnapshotIndex:
    """Lookups in the index, at the lookup pace, and the snapshots recorded in ``store``.

    ``moved_to``: where each cited page redirects (Save Page Now keeps a redirecting URL's
    capture under its target); ``pages``: the pages this run archives.
    """

    def __init__(
        self,
        lookup: SnapshotLookup,
        pacer: Pacer,
        store: SnapshotStore | None,
        *,
        reuse_within: float,
        poll_interval: float,
        moved_to: dict[str, str],
        pages: set[str],
        sleep: Sleep,
    ) -> None:
        self.lookup = lookup
        self.store = store
        self._pacer = pacer
        self._reuse_within = reuse_within
        self._poll_interval = poll_interval
        self._moved_to = moved_to
        self._pages = pages
        self._sleep = sleep

    async def newest_ok(self, page: str, *, to_reuse: bool = False) -> Snapshot | None:
        """The newest 200 capture of ``page``, or of the page it redirects to (where Save Page
        Now keeps a capture of a redirecting URL). ``to_reuse``: not the target's when the run
        cites the target itself — the run captures it, and this URL gets a capture of its own,
        its redirect on record under the cited address."""
        found = await self.newest_of_page(page)
        moved_to = self._moved_to.get(page)
        if moved_to in (None, page) or (to_reuse and moved_to in self._pages):
            return found
        if found is None and moved_to is not None:
            found = await self.newest_of_page(moved_to)
        return found

    async def newest_of_page(self, page: str) -> Snapshot | None:
        """The newest 200 capture of ``page`` itself (raises SnapshotLookupFailed)."""
        await self._pacer.wait()
        return await self.lookup.newest_ok(page)

    async def nearest_ok(self, page: str, moment: datetime, count: int) -> list[Snapshot]:
        """Up to ``count`` 200 captures of ``page`` nearest ``moment`` (of its redirect's
        target when it has none); raises SnapshotLookupFailed."""
        await self._pacer.wait()
        nearest = await self.lookup.nearest_ok(page, moment, count)
        moved_to = self._moved_to.get(page)
        if not nearest and moved_to is not None and moved_to != page:
            await self._pacer.wait()
            nearest = await self.lookup.nearest_ok(moved_to, moment, count)
        return nearest

    async def look_again(
        self, page: str, submitted: float, *, patient: bool = False
    ) -> Snapshot | None:
        """A capture of ``page`` made since ``submitted`` (a minute's slack), if the index has
        one; ``patient`` looks a few times, as a fresh capture reaches the index late."""
        async for _ in self.lagging_looks(INDEX_LAG_LOOKS if patient else 1):
            try:
                found = await self.newest_ok(page)
            except SnapshotLookupFailed:
                continue
            if found is not None and found.captured_at.timestamp() >= submitted - 60:
                self.record(page, found, SnapshotKind.CAPTURED)
                return found
        return None

    async def lagging_looks(self, tries: int) -> AsyncIterator[int]:
        """``tries`` looks for what a fresh capture has not reached yet (the index, replay),
        each after a wait longer than the last; the caller stops when it has what it wants."""
        wait = 2 * self._poll_interval
        for look in range(tries):
            if look:
                await self._sleep(wait)
                wait *= LAG_BACKOFF
            yield look

    def recent(self, snapshot: Snapshot) -> bool:
        """Young enough to reuse (``--reuse-within``)."""
        age = datetime.now(UTC).timestamp() - snapshot.captured_at.timestamp()
        return age <= self._reuse_within

    def recorded(self, page: str) -> tuple[Snapshot, str] | None:
        """The snapshot an earlier run recorded for ``page``, and how it was found."""
        if self.store is None:
            return None
        row = self.store.snapshot(page)
        if row is None:
            return None
        return Snapshot(row[0], row[1]), row[2]

    def record(self, page: str, snapshot: Snapshot, kind: SnapshotKind) -> None:
        if self.store is not None:
            self.store.put_snapshot(page, snapshot.timestamp, snapshot.original, kind.value)
