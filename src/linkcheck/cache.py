"""The cache file: fetch results, snapshots and capture jobs in SQLite, written as they arrive.

The only place where objects become rows and back.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random

from linkcheck.errors import CacheError
from linkcheck.model import PAGE_ALIVE, FetchResult, FragmentOutcome, Refusal, Status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    url TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    http_status INTEGER,
    final_url TEXT,
    redirects TEXT NOT NULL,
    content_type TEXT,
    checked_at REAL NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    fragments TEXT NOT NULL DEFAULT '{}',
    refusal TEXT
);
CREATE TABLE IF NOT EXISTS snapshots (
    url TEXT PRIMARY KEY,
    timestamp TEXT NOT NULL,
    original TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS capture_jobs (
    url TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    submitted_at REAL NOT NULL
);
"""


@dataclass(slots=True)
class CacheInfo:
    """What ``linkcheck cache info`` reports."""

    path: Path
    entries: int
    by_status: dict[str, int]
    oldest: float | None
    newest: float | None
    size_bytes: int


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class Cache:
    """Fetch results keyed by the fetched URL (after remapping, without fragment), the snapshots
    found or captured for each page, and capture jobs still pending.

    WAL mode and a busy timeout let two runs share the file; every write commits at once, so a
    killed run keeps everything it finished.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            # Two runs creating the file at once: switching to WAL does not wait for the other
            # run's lock (SQLite's busy timeout does not apply to it), so it is retried here.
            for attempt in Retrying(
                retry=retry_if_exception(_locked),
                stop=stop_after_delay(30.0),
                wait=wait_random(0.01, 0.1),
                reraise=True,
            ):
                with attempt:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("PRAGMA synchronous=NORMAL")
                    self._db.executescript(_SCHEMA)
                    self._add_missing_columns()
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"cache file {path}: {exc}") from None

    def _add_missing_columns(self) -> None:
        """Bring a cache written by an earlier version up to this schema."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
        if "refusal" not in columns:
            self._db.execute("ALTER TABLE results ADD COLUMN refusal TEXT")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str) -> FetchResult | None:
        """The stored result for ``url``, marked as cached, or None."""
        row = self._db.execute(
            "SELECT status, reason, http_status, final_url, redirects, content_type, checked_at,"
            " failures, fragments, refusal FROM results WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        try:
            status = Status(row[0])
        except ValueError:
            return None
        return FetchResult(
            status=status,
            reason=row[1],
            http_status=row[2],
            final_url=row[3],
            redirects=json.loads(row[4]),
            content_type=row[5],
            checked_at=row[6],
            cached=True,
            failures=row[7],
            fragments={
                fragment: [FragmentOutcome.from_record(record) for record in records]
                for fragment, records in json.loads(row[8]).items()
            },
            refusal=Refusal(row[9]) if row[9] in set(Refusal) else None,
        )

    def fresh(
        self, url: str, max_age: float, cache_failures: bool, fragments: Iterable[str] = ()
    ) -> FetchResult | None:
        """A stored result young enough to reuse: alive ones always, failures only if asked.

        A result is reused only if it verified every one of ``fragments``.
        """
        result = self.get(url)
        if result is None or time.time() - result.checked_at > max_age:
            return None
        if result.status in PAGE_ALIVE and any(f not in result.fragments for f in fragments):
            return None
        if result.status in PAGE_ALIVE or cache_failures:
            return result
        return None

    def failures(self, url: str) -> int:
        """How many runs in a row the stored result for ``url`` had failed (0: none stored)."""
        row = self._db.execute("SELECT failures FROM results WHERE url = ?", (url,)).fetchone()
        return int(row[0]) if row else 0

    def put(self, url: str, result: FetchResult) -> None:
        """Store a fresh result."""
        self._db.execute(
            "INSERT OR REPLACE INTO results (url, status, reason, http_status, final_url,"
            " redirects, content_type, checked_at, failures, fragments, refusal)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                url,
                result.status.value,
                result.reason,
                result.http_status,
                result.final_url,
                json.dumps(result.redirects),
                result.content_type,
                result.checked_at,
                result.failures,
                json.dumps(
                    {
                        fragment: [outcome.record() for outcome in outcomes]
                        for fragment, outcomes in result.fragments.items()
                    }
                ),
                result.refusal.value if result.refusal is not None else None,
            ),
        )

    def snapshot(self, url: str) -> tuple[str, str, str] | None:
        """The snapshot last recorded for ``url``: (timestamp, original URL, how it was found)."""
        row = self._db.execute(
            "SELECT timestamp, original, source FROM snapshots WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None:
        """Record a snapshot of ``url`` the moment it is known (captured or found)."""
        self._db.execute(
            "INSERT OR REPLACE INTO snapshots (url, timestamp, original, source, recorded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (url, timestamp, original, source, time.time()),
        )

    def pending_job(self, url: str) -> tuple[str, float] | None:
        """A capture job submitted for ``url`` and not yet finished: (job id, when)."""
        row = self._db.execute(
            "SELECT job_id, submitted_at FROM capture_jobs WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_job(self, url: str, job_id: str) -> None:
        """Record a submitted capture job before polling it, so a killed run can resume it."""
        self._db.execute(
            "INSERT OR REPLACE INTO capture_jobs (url, job_id, submitted_at) VALUES (?, ?, ?)",
            (url, job_id, time.time()),
        )

    def drop_job(self, url: str) -> None:
        """Forget a finished capture job."""
        self._db.execute("DELETE FROM capture_jobs WHERE url = ?", (url,))

    def info(self) -> CacheInfo:
        """Counts and ages of the stored results."""
        by_status = dict(
            self._db.execute("SELECT status, COUNT(*) FROM results GROUP BY status").fetchall()
        )
        oldest, newest = self._db.execute(
            "SELECT MIN(checked_at), MAX(checked_at) FROM results"
        ).fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        return CacheInfo(self.path, sum(by_status.values()), by_status, oldest, newest, size)

    def clear(self) -> int:
        """Delete every stored result; returns how many there were."""
        count: int = self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        for table in ("results", "snapshots", "capture_jobs"):
            self._db.execute(f"DELETE FROM {table}")
        return count
