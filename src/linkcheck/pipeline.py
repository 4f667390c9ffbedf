"""The stages in order: check (and verify) the extracted citations, then archive, with the cache
beside them. Extraction happens before (``extract/documents.py``), reporting after
(``report/``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from linkcheck.cache import Cache
from linkcheck.check.runner import Checker, ProgressCallback
from linkcheck.config import ArchiveSettings, CheckConfig
from linkcheck.model import (
    ArchiveRun,
    CheckRun,
    Document,
    ManifestEntry,
    SnapshotKind,
    unreadable,
)

if TYPE_CHECKING:
    from linkcheck.archive.keys import ArchiveKeys


def run_check(
    documents: Sequence[Document],
    config: CheckConfig,
    *,
    on_planned: Callable[[int], None] | None = None,
    on_result: ProgressCallback | None = None,
    notice: Callable[[str], None] | None = None,
) -> CheckRun:
    """Check every citation of ``documents``; results are cached as they arrive.

    ``on_planned`` is told how many distinct URLs will be reported, before the first one is;
    ``notice``, of trouble that costs no result (a cache that stopped working).
    """
    started = time.monotonic()
    citations = [c for d in documents for c in d.citations]
    # Documents that could not be read are reported once: by the only shard, or the first.
    first_shard = config.shard is None or config.shard[0] == 1
    problems = [unreadable(d) for d in documents if d.problem is not None and first_shard]
    cache = Cache(config.cache_path, notice) if config.cache_path is not None else None
    try:
        checker = Checker(
            config,
            cache.results if cache is not None else None,
            cache.fingerprints if cache is not None else None,
            cache.works if cache is not None else None,
            on_result=on_result,
        )
        planned = checker.plan(citations)
        if on_planned is not None:
            on_planned(len(planned) + len(problems))
        for problem in problems:
            if on_result is not None:
                on_result(problem)
        results = checker.check(planned)
    finally:
        if cache is not None:
            cache.close()
    elapsed = time.monotonic() - started
    return CheckRun(problems + results, len(citations), elapsed, checker.interrupted)


def run_archive(
    check: CheckRun,
    config: CheckConfig,
    settings: ArchiveSettings,
    *,
    keys: ArchiveKeys | None,
    on_entry: Callable[[ManifestEntry], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> ArchiveRun:
    """Archive the pages behind ``check``'s results; Ctrl-C keeps what is done so far.

    ``keys`` are the Internet Archive keys captures need (None: lookups only).
    """
    import asyncio

    from linkcheck.archive.runner import Archiver

    if check.offline:
        config = dataclasses.replace(config, retries=0)  # network down: one quick try per lookup
    cache = Cache(config.cache_path, notice) if config.cache_path is not None else None
    archiver = Archiver(
        settings,
        config,
        keys,
        snapshots=cache.snapshots if cache is not None else None,
        copies=cache.copies if cache is not None else None,
        citation_dates=citation_dates(check),
        on_entry=on_entry,
        notice=notice,
    )
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
    return ArchiveRun(entries, archiver.captures_submitted, interrupted, archiver.unavailable)


def run_witness(
    check: CheckRun,
    config: CheckConfig,
    settings: ArchiveSettings,
    notice: Callable[[str], None] | None = None,
) -> None:
    """Ask the archive about every missing quote and changed, broken or failing page of
    ``check``: the witness is set on the result and said in its reason."""
    import asyncio

    from linkcheck.archive.runner import Archiver

    dates = citation_dates(check)
    for result in check.results:  # without a document date: when the page was first seen
        if result.url not in dates and result.fetch is not None and result.fetch.first_seen:
            dates[result.url] = datetime.fromtimestamp(result.fetch.first_seen, UTC).date()
    cache = Cache(config.cache_path, notice) if config.cache_path is not None else None
    archiver = Archiver(
        settings,
        config,
        None,
        snapshots=cache.snapshots if cache is not None else None,
        copies=cache.copies if cache is not None else None,
        citation_dates=dates,
        notice=notice,
    )
    try:
        found = asyncio.run(archiver.witnesses(check.results))
    finally:
        if cache is not None:
            cache.close()
    for result in check.results:
        statement = found.get(result.url)
        if statement is not None:
            result.witness = statement
            result.reason = f"{result.reason}; {statement}"


def document_dates(check: CheckRun) -> dict[str, date]:
    """The date each citing document gives itself (front matter ``date``, ``published_time``…,
    or an HTML ``article:published_time``), by file; documents without one are left out."""
    from linkcheck.extract import document_date

    dates: dict[str, date] = {}
    seen: set[str] = set()
    for result in check.results:
        for location in result.locations:
            if location.file in seen:
                continue
            seen.add(location.file)
            try:
                head = Path(location.file).read_bytes()[:DATE_BYTES]
            except OSError:
                continue
            found = document_date(head.decode("utf-8", "replace"))
            if found is not None:
                dates[location.file] = found
    return dates


def citation_dates(check: CheckRun, by_file: dict[str, date] | None = None) -> dict[str, date]:
    """When each cited URL was cited: the day its citation template says it was read, else the
    earliest date of the documents citing it."""
    by_file = document_dates(check) if by_file is None else by_file
    dates: dict[str, date] = {}
    for result in check.results:
        if result.cited_on is not None:
            dates[result.url] = result.cited_on
            continue
        for location in result.locations:
            found = by_file.get(location.file)
            if found is not None and (result.url not in dates or found < dates[result.url]):
                dates[result.url] = found
    return dates


DATE_BYTES = 256 * 1024  # a document's date is in its front matter or <head>
