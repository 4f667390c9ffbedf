"""Fetching in worker processes, each with its own share of the hosts (``--jobs``).

Hosts are shared out by their scheduled time (``schedule.balanced_shares``), so every request
to one host is made by one process and per-host politeness holds exactly as in one process,
and no worker is left with the busiest hosts while the others idle. Workers stream
their results to this process, which alone records them (cache, progress, report). A worker
that dies is reported: its finished results are kept, and each URL it had not finished gets an
``error`` saying so. Ctrl-C stops every worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import multiprocessing
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess

from linkcheck.check.schedule import balanced_shares
from linkcheck.check.session import TICK, Fetched, FetchRequest, fetch_all
from linkcheck.config import CheckConfig
from linkcheck.model import FetchResult, Status


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    results: Connection
    unfinished: set[str] = field(default_factory=set)


def fetch_in_workers(
    config: CheckConfig,
    requests: dict[str, FetchRequest],
    record: Fetched,
    jobs: int,
    tick: Callable[[], None] | None = None,
) -> None:
    """Fetch ``requests`` in ``jobs`` worker processes; ``record`` is called in this process as
    each result arrives, and ``tick()`` every TICK seconds."""

    shares = [
        {url: requests[url] for url in part}
        for part in balanced_shares(requests, jobs, lambda host: config.policy(host).pace)
        if part
    ]
    # The run's concurrency is shared out too; per-host limits stay as they are.
    per_worker = dataclasses.replace(
        config, concurrency=max(1, math.ceil(config.concurrency / len(shares))), jobs=1
    )
    # fork: the workers start at once with every module already imported.
    context: ForkContext | SpawnContext = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else multiprocessing.get_context("spawn")
    )
    workers: list[_Worker] = []
    try:
        for share in shares:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(
                target=_work, args=(per_worker, share, sending), name="linkcheck-worker"
            )
            process.start()
            sending.close()  # this process only reads
            workers.append(_Worker(process, receiving, set(share)))
        _collect(workers, record, tick or (lambda: None))
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()  # it ignores SIGTERM (see _work)
            worker.process.join(timeout=5)


def _collect(workers: list[_Worker], record: Fetched, tick: Callable[[], None]) -> None:
    """Record each worker's results until every worker has finished or died."""
    running = {worker.results: worker for worker in workers}
    ticked = time.monotonic()
    while running:
        ready_ones = wait(list(running), timeout=TICK)
        if time.monotonic() - ticked >= TICK:
            tick()
            ticked = time.monotonic()
        for ready in ready_ones:
            assert isinstance(ready, Connection)
            worker = running[ready]
            try:
                message = ready.recv()
            except (EOFError, OSError):
                del running[ready]
                _died(worker, record)
                continue
            if message is None:  # the worker's last word: all done
                del running[ready]
                continue
            for url, result in message:
                worker.unfinished.discard(url)
                record(url, result)


def _died(worker: _Worker, record: Fetched) -> None:
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    reason = f"not checked: the worker process checking it died (exit code {code})"
    for url in sorted(worker.unfinished):
        record(url, FetchResult(Status.ERROR, reason, checked_at=time.time()))


def _work(config: CheckConfig, requests: dict[str, FetchRequest], results: Connection) -> None:
    """A worker process: fetch ``requests``, sending lists of (URL, result) as they finish
    (every TICK seconds: a message a result would cost more than the result), then None."""
    # Ctrl-C and SIGTERM (sent to the whole process group when a CI job is cancelled) are the
    # main process's to handle: it records what came back, then ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    finished: list[tuple[str, FetchResult]] = []

    def send() -> None:
        if finished:
            results.send(list(finished))
            finished.clear()

    asyncio.run(
        fetch_all(config, requests, lambda url, result: finished.append((url, result)), tick=send)
    )
    send()
    results.send(None)
    results.close()
