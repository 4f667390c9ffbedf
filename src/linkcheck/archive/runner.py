"""Archiving a checked run: reuse snapshots, capture live pages, suggest copies of dead ones.

The order of things only: each page's snapshot (``capture``), its copies verified
(``copies``), a recapture when the snapshot reused does not verify, and the manifest entries
(``entries``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import date
from urllib.parse import urldefrag

from linkcheck.archive.capture import NO_KEYS, Capturer, PageOutcome
from linkcheck.archive.copies import Checks, CopyFinder, CopyStore
from linkcheck.archive.entries import manifest_entry
from linkcheck.archive.index import SnapshotStore
from linkcheck.archive.keys import ArchiveKeys
from linkcheck.archive.parts import ArchiveStores, Pacing, connected_parts
from linkcheck.archive.reuse import snapshot_of
from linkcheck.config import ArchiveSettings, CheckConfig
from linkcheck.model import (
    PAGE_ALIVE,
    PAGE_ANSWERED,
    WITNESSED,
    ManifestEntry,
    Result,
    SnapshotKind,
    Status,
)
from linkcheck.net.politeness import Clock, Pacer, Pause, Sleep
from linkcheck.net.probe import NetworkProbe

RECAPTURE_WITHIN = 60.0  # a recapture asks Save Page Now not to hand back the rejected snapshot


class Archiver:
    """Archives the pages behind a run's results, verifies their copies and builds the
    manifest entries.

    ``client`` supplies the retries, the longest Retry-After honoured, the User-Agent and the
    body size limit; ``citation_dates`` the date each cited URL was cited (its document's);
    ``snapshots`` and ``copies`` record what is learnt the moment it is (the cache's stores).
    """

    def __init__(
        self,
        settings: ArchiveSettings,
        client: CheckConfig,
        keys: ArchiveKeys | None,
        *,
        snapshots: SnapshotStore | None = None,
        copies: CopyStore | None = None,
        citation_dates: Mapping[str, date] | None = None,
        on_entry: Callable[[ManifestEntry], None] | None = None,
        notice: Callable[[str], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.keys = keys
        self.citation_dates = dict(citation_dates or {})
        self.entries: dict[str, ManifestEntry] = {}
        self._snapshots = snapshots
        self._copy_store = copies
        self._on_entry = on_entry or (lambda entry: None)
        self._notice = notice or (lambda message: None)
        self._sleep = sleep
        self._pause = Pause(sleep=sleep, clock=clock)  # shared by every Wayback Machine request
        self._lookup_pacer = Pacer.per_minute(settings.lookup_rate, sleep=sleep, clock=clock)
        self._capture_pacer = Pacer.per_minute(settings.capture_rate, sleep=sleep, clock=clock)
        self._unreachable: str | None = None
        # Where each cited page redirects (the check's final URL): its captures are kept under
        # that address, the cited one holding only the redirect.
        self._moved_to: dict[str, str] = {}
        self._pages: set[str] = set()  # the pages this run archives
        self._capturer: Capturer | None = None
        self._copies: CopyFinder | None = None

    @property
    def captures_submitted(self) -> int:
        return self._capturer.submitted if self._capturer is not None else 0

    @property
    def unavailable(self) -> str | None:
        """Why the archive could not be used at all (unreachable, the keys refused)."""
        if self._unreachable is not None:
            return self._unreachable
        return self._capturer.unavailable if self._capturer is not None else None

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
        self._pages.update(pages)
        if self.keys is None:
            self._notice(NO_KEYS)
        if pages and not await NetworkProbe(self.settings.wayback_url).online():
            reason = f"the Wayback Machine ({self.settings.wayback_url}) is unreachable"
            self._unreachable = reason
            self._notice(reason)
            for cited in pages.values():
                self._finish(cited, PageOutcome(SnapshotKind.FAILED, reason), {})
            return [self.entries[r.url] for r in results if r.url in self.entries]
        async with self._connected() as capturer:
            if capturer.spn is not None and any(_page_status(r) in PAGE_ANSWERED for r in results):
                await capturer.read_user_status()
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
            assert self._copies is not None
            outcome = PageOutcome(SnapshotKind.NOT_CAPTURED, "")
            checks = await self._copies.verified(page, cited, outcome)
            for result in cited:
                entry = self._entry(result, outcome, checks)
                if entry.witness is not None:
                    found[result.url] = entry.witness

        async with self._connected():
            await asyncio.gather(*(witness(page, cited) for page, cited in pages.items()))
        return found

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[Capturer]:
        async with connected_parts(
            self.settings,
            self.client,
            self.keys,
            ArchiveStores(self._snapshots, self._copy_store),
            Pacing(self._pause, self._lookup_pacer, self._capture_pacer, self._sleep),
            moved_to=self._moved_to,
            pages=self._pages,
            citation_dates=self.citation_dates,
            notice=self._notice,
        ) as (self._capturer, self._copies):
            yield self._capturer

    async def _archive_page(self, page: str, cited: list[Result]) -> None:
        assert self._copies is not None
        status = _page_status(cited[0])
        checks: Checks = {}
        if status is Status.EXCLUDED:
            outcome = PageOutcome(SnapshotKind.NOT_CAPTURED, "excluded from checking")
        else:
            try:
                assert self._capturer is not None
                outcome = await snapshot_of(self._capturer, page, status)
            except Exception as exc:
                outcome = PageOutcome(SnapshotKind.FAILED, f"unexpected error: {exc}")
            else:
                try:
                    checks = await self._copies.verified(page, cited, outcome)
                    if self._worth_recapturing(status, outcome, checks):
                        outcome, checks = await self._recapture(page, cited, outcome, checks)
                except Exception as exc:  # the snapshot stays named; its copies unverified
                    outcome.reason += f"; copies not verified: unexpected error: {exc}"
        self._finish(cited, outcome, checks)

    def _worth_recapturing(self, status: Status, outcome: PageOutcome, checks: Checks) -> bool:
        """A live page whose reused snapshot was rejected (a wall, an error page, another
        page): a new capture may be good where the old one is not."""
        if status not in PAGE_ALIVE or outcome.kind is not SnapshotKind.EXISTING:
            return False
        capturer = self._capturer
        if capturer is None or capturer.spn is None or capturer.stopped is not None:
            return False
        unverified = [found for found in checks.values() if not any(c.verified for _, c in found)]
        return bool(unverified) and any(c.verified is False for f in unverified for _, c in f)

    async def _recapture(
        self, page: str, cited: list[Result], rejected: PageOutcome, checks: Checks
    ) -> tuple[PageOutcome, Checks]:
        assert self._capturer is not None and self._copies is not None
        fresh = await self._capturer.capture(page, rejected.snapshot, reuse_within=RECAPTURE_WITHIN)
        if fresh.kind is not SnapshotKind.CAPTURED or fresh.snapshot is None:
            fresh.reason = f"{rejected.reason}, which did not verify; {fresh.reason}"
            return fresh, checks
        fresh.reason = "captured again: the snapshot there did not verify"
        again = await self._copies.verified(page, cited, fresh)
        for fragment, found in again.items():
            seen = {candidate.url for candidate, _ in checks.get(fragment, [])}
            checks.setdefault(fragment, []).extend(
                pair for pair in found if pair[0].url not in seen
            )
        return fresh, checks

    def _finish(self, cited: list[Result], outcome: PageOutcome, checks: Checks) -> None:
        for result in cited:
            entry = self._entry(result, outcome, checks)
            self.entries[result.url] = entry
            self._on_entry(entry)

    def _entry(self, result: Result, outcome: PageOutcome, checks: Checks) -> ManifestEntry:
        own = outcome.snapshot.archive_url(self.settings.wayback_url) if outcome.snapshot else None
        return manifest_entry(
            result,
            outcome,
            checks.get(result.fragment, []),
            cited_on=self.citation_dates.get(result.url),
            own_copy=own,
        )


def _page_status(result: Result) -> Status:
    return result.fetch.status if result.fetch is not None else result.status
