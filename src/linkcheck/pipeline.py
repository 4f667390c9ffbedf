"""One run: extract → check → report, with the cache beside them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkcheck.cache import ResultCache
from linkcheck.check.runner import Checker, ProgressCallback
from linkcheck.config import CheckConfig
from linkcheck.model import FETCH_FAILED, Document, Result, Status

if TYPE_CHECKING:  # archiving imports waybackpy and requests: only when archiving
    from linkcheck.archive.keys import ArchiveKeys
    from linkcheck.archive.manifest import ManifestEntry
    from linkcheck.archive.runner import ArchiveSettings

EXIT_OK = 0
EXIT_FAILING = 1
EXIT_OFFLINE = 3


@dataclass(slots=True)
class CheckRun:
    """What a check run found."""

    results: list[Result]
    citations: int
    elapsed: float

    def failing(self, config: CheckConfig) -> list[Result]:
        """Results whose status fails the run.

        A failed fetch (often transient) fails it only after ``--fail-after`` consecutive
        failing runs; anything else in ``--fail-on`` fails it at once.
        """
        return [
            r
            for r in self.results
            if r.status in config.fail_on
            and (
                r.fetch is None
                or r.fetch.status not in FETCH_FAILED
                or r.fetch.failures >= config.fail_after
            )
        ]

    def exit_code(self, config: CheckConfig) -> int:
        """1 if anything fails, else 3 if the network was down, else 0."""
        if self.failing(config):
            return EXIT_FAILING
        if any(r.status is Status.OFFLINE for r in self.results):
            return EXIT_OFFLINE
        return EXIT_OK


def count_urls(documents: Sequence[Document], config: CheckConfig) -> int:
    """How many distinct URLs a run over ``documents`` will report (for progress bars)."""
    checker = Checker(config)
    return len(checker.plan([c for d in documents for c in d.citations]))


def run_check(
    documents: Sequence[Document],
    config: CheckConfig,
    *,
    on_result: ProgressCallback | None = None,
) -> CheckRun:
    """Check every citation of ``documents``; results are cached as they arrive."""
    started = time.monotonic()
    citations = [c for d in documents for c in d.citations]
    cache = ResultCache(config.cache_file) if config.cache_file is not None else None
    try:
        checker = Checker(config, cache, on_result=on_result)
        results = asyncio.run(checker.check(checker.plan(citations)))
    finally:
        if cache is not None:
            cache.close()
    return CheckRun(results, len(citations), time.monotonic() - started)


@dataclass(slots=True)
class ArchiveRun:
    """What an archive run produced (entries are in citation order)."""

    entries: list[ManifestEntry]
    captures_submitted: int
    interrupted: bool


def run_archive(
    check: CheckRun,
    config: CheckConfig,
    settings: ArchiveSettings,
    keys: ArchiveKeys | None,
    *,
    on_entry: Callable[[ManifestEntry], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> ArchiveRun:
    """Archive the pages behind ``check``'s results; Ctrl-C keeps what is done so far."""
    from linkcheck.archive.manifest import ManifestEntry, SnapshotKind
    from linkcheck.archive.runner import Archiver

    if any(r.status is Status.OFFLINE for r in check.results):
        settings.retries = 0  # the network is down: one quick try per lookup, no backoff
    cache = ResultCache(config.cache_file) if config.cache_file is not None else None
    archiver = Archiver(settings, cache, keys, on_entry=on_entry, notice=notice)
    interrupted = False
    try:
        asyncio.run(archiver.archive(check.results))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if cache is not None:
            cache.close()
    entries = []
    for result in check.results:
        entry = archiver.entries.get(result.url)
        if entry is None and interrupted and result.fetch is not None:
            entry = ManifestEntry(
                result.url,
                result.status.value,
                SnapshotKind.NOT_CAPTURED,
                "interrupted before this URL was archived",
                locations=list(result.locations),
            )
        if entry is not None:
            entries.append(entry)
    return ArchiveRun(entries, archiver.captures_submitted, interrupted)
