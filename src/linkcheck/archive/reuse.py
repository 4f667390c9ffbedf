"""Which snapshot a page gets this run: a recent one reused (or a pending job resumed), a new
capture, or — for a dead page — its newest good snapshot suggested."""

from __future__ import annotations

from linkcheck.archive.capture import Capturer, PageOutcome
from linkcheck.archive.lookup import SnapshotLookupFailed
from linkcheck.model import FETCH_FAILED, PAGE_ANSWERED, SnapshotKind, Status


async def snapshot_of(capturer: Capturer, page: str, status: Status) -> PageOutcome:
    """A live page's recent snapshot reused (or its pending job resumed), else a capture
    of it; a dead page's newest good snapshot suggested; any other's newest named."""
    index, spn = capturer.index, capturer.spn
    alive = status in PAGE_ANSWERED
    recorded = index.recorded(page)
    if alive and recorded is not None and recorded[1] == SnapshotKind.SUGGESTED.value:
        recorded = None  # a dead page's suggestion, not a snapshot of the page now alive
    if alive and recorded is not None and index.recent(recorded[0]):
        snapshot, source = recorded
        return PageOutcome(SnapshotKind(source), "snapshot recorded by an earlier run", snapshot)
    if alive and spn is not None and index.store is not None:
        pending = index.store.pending_job(page)
        if pending is not None and capturer.stopped is None:
            return await capturer.resume(page, spn, *pending)
    try:
        newest = await index.newest_ok(page, to_reuse=True)
    except SnapshotLookupFailed as exc:
        if not alive or spn is None:
            return PageOutcome(SnapshotKind.FAILED, f"lookup failed: {exc}")
        newest = None  # a live page can still be captured (Save Page Now reuses a recent one)
    if alive:
        if newest is not None and index.recent(newest):
            index.record(page, newest, SnapshotKind.EXISTING)
            return PageOutcome(SnapshotKind.EXISTING, "a recent snapshot exists", newest)
        return await capturer.capture(page, newest)
    if newest is None:
        return PageOutcome(SnapshotKind.NOT_CAPTURED, "no snapshot that answered 200")
    if status in FETCH_FAILED:
        index.record(page, newest, SnapshotKind.SUGGESTED)  # what `linkcheck fix` cites
        return PageOutcome(SnapshotKind.SUGGESTED, "dead link: its newest good snapshot", newest)
    return PageOutcome(
        SnapshotKind.EXISTING, f"{status.value}: newest snapshot (not captured now)", newest
    )
