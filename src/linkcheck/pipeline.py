"""One run: extract → check → report, with the cache beside them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from linkcheck.cache import FAILING, ResultCache
from linkcheck.check.runner import Checker, ProgressCallback
from linkcheck.config import CheckConfig
from linkcheck.model import Document, Result, Status

EXIT_OK = 0
EXIT_FAILING = 1
EXIT_USAGE = 2
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
                or r.fetch.status not in FAILING
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
