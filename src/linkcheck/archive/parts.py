"""The parts of one archive run, assembled over one HTTP client: the index lookup, Save Page
Now (with keys), the Memento TimeMap and the copy verifier."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import httpx

from linkcheck.archive.capture import Capturer
from linkcheck.archive.copies import CopyFinder, CopyStore
from linkcheck.archive.index import SnapshotIndex, SnapshotStore
from linkcheck.archive.keys import ArchiveKeys
from linkcheck.archive.lookup import SnapshotLookup
from linkcheck.archive.memento import TimeMapLookup
from linkcheck.archive.spn2 import SavePageNow
from linkcheck.archive.verify import CopyVerifier
from linkcheck.config import ArchiveSettings, CheckConfig
from linkcheck.net.politeness import Pacer, Pause, Sleep


@dataclass(frozen=True, slots=True)
class ArchiveStores:
    """Where the run records what it learns (the cache's stores; None: nowhere)."""

    snapshots: SnapshotStore | None
    copies: CopyStore | None


@dataclass(frozen=True, slots=True)
class Pacing:
    """The run's one pause for every Wayback Machine request, and its two paces."""

    pause: Pause
    lookups: Pacer
    captures: Pacer
    sleep: Sleep


@asynccontextmanager
async def connected_parts(
    settings: ArchiveSettings,
    client: CheckConfig,
    keys: ArchiveKeys | None,
    stores: ArchiveStores,
    pacing: Pacing,
    *,
    moved_to: dict[str, str],
    pages: set[str],
    citation_dates: Mapping[str, date],
    notice: Callable[[str], None],
) -> AsyncIterator[tuple[Capturer, CopyFinder]]:
    """The capturer and the copy finder of one run; everything closed on the way out.

    ``client`` supplies the retries, the longest Retry-After honoured, the User-Agent and the
    body size limit.
    """
    lookup = SnapshotLookup(
        settings.wayback_url,
        client.user_agent,
        timeout=settings.timeout,
        retries=client.retries,
        sleep=pacing.sleep,
        pause=pacing.pause,
        max_retry_wait=client.max_retry_wait,
    )
    index = SnapshotIndex(
        lookup,
        pacing.lookups,
        stores.snapshots,
        reuse_within=settings.reuse_within,
        poll_interval=settings.poll_interval,
        moved_to=moved_to,
        pages=pages,
        sleep=pacing.sleep,
    )
    try:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout), headers={"User-Agent": client.user_agent}
        ) as http:
            spn = None
            if keys is not None:
                spn = SavePageNow(
                    http,
                    settings.wayback_url,
                    keys,
                    retries=client.retries,
                    max_retry_wait=client.max_retry_wait,
                    sleep=pacing.sleep,
                    pause=pacing.pause,
                )
            capturer = Capturer(
                settings, spn, index, notice=notice, sleep=pacing.sleep, pacer=pacing.captures
            )
            same_host = urlsplit(settings.timemap).netloc == urlsplit(settings.wayback_url).netloc
            timemap = TimeMapLookup(
                http,
                settings.timemap,
                pause=pacing.pause if same_host else Pause(),
                rate=settings.lookup_rate,
                retries=client.retries,
            )
            verifier = CopyVerifier(
                http,
                wayback_url=settings.wayback_url,
                wayback_pause=pacing.pause,
                rate=settings.verify_rate,
                max_bytes=client.max_bytes,
            )
            copies = CopyFinder(
                settings,
                index,
                timemap,
                verifier,
                stores.copies,
                citation_dates=citation_dates,
            )
            yield capturer, copies
    finally:
        lookup.close()
