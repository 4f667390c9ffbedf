"""The cache file: fetch results, snapshots and capture jobs in SQLite, written as they arrive.

The only place where objects become rows and back. The cache is a convenience: once it is open,
no SQLite error (a damaged page, a full disk, an I/O error) costs a result; the run goes on
uncached after one warning. A file that is not a linkcheck cache is never touched.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from linkcheck.errors import CacheError
from linkcheck.model import PAGE_ALIVE, FetchResult, FragmentOutcome, Refusal, Status

# "LKCH": marks the file as linkcheck's, so another program's SQLite file is never adopted.
APPLICATION_ID = 0x4C4B4348
# 1: the first layout (no application id, no refusal column); 2: the refusal column;
# 3: this one (archived copies found, and what verifying each showed; page fingerprints and
# each result's drift).
SCHEMA_VERSION = 3
_FIRST_TABLES = frozenset({"results", "snapshots", "capture_jobs"})
_TABLES = _FIRST_TABLES | {"copy_lookups", "copies", "copy_checks", "fingerprints"}
_FIRST_RESULT_COLUMNS = frozenset(
    {"url", "status", "reason", "http_status", "final_url", "redirects", "content_type",
     "checked_at", "failures", "fragments"}
)  # fmt: skip
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
    refusal TEXT,
    drift REAL,
    first_seen REAL
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
CREATE TABLE IF NOT EXISTS fingerprints (
    url TEXT PRIMARY KEY,
    first_sketch BLOB NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS copy_lookups (
    url TEXT PRIMARY KEY,
    looked_up_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS copies (
    url TEXT NOT NULL,
    copy_url TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    PRIMARY KEY (url, copy_url)
);
CREATE TABLE IF NOT EXISTS copy_checks (
    copy_url TEXT NOT NULL,
    fragment TEXT NOT NULL,
    verified INTEGER NOT NULL,
    reason TEXT NOT NULL,
    checked_at REAL NOT NULL,
    PRIMARY KEY (copy_url, fragment)
);
"""
T = TypeVar("T")


@dataclass(slots=True)
class CacheInfo:
    """What ``linkcheck cache info`` reports."""

    path: Path
    entries: int
    by_status: dict[str, int]
    oldest: float | None
    newest: float | None
    size_bytes: int
    damage: str | None = None  # what SQLite's integrity check found, if anything


_RESULT_COLUMNS = (
    "status, reason, http_status, final_url, redirects, content_type, checked_at, failures,"
    " fragments, refusal, drift, first_seen"
)
_BATCH = 500  # URLs a query (SQLite allows 999 parameters in old builds)
_WRITE_BATCH = 16  # results written in one transaction, at most (a kill loses no more)
_WRITE_SECONDS = 0.2  # and at least this often


def _result(row: Sequence[Any]) -> FetchResult | None:
    """A stored row (``_RESULT_COLUMNS``) as a cached result; None for a status we do not know."""
    try:
        status = Status(row[0])
    except ValueError:
        return None
    return FetchResult(
        status=status,
        reason=row[1],
        http_status=row[2],
        final_url=row[3],
        redirects=json.loads(row[4]) if row[4] != "[]" else [],
        content_type=row[5],
        checked_at=row[6],
        cached=True,
        failures=row[7],
        fragments={
            fragment: [FragmentOutcome.from_record(record) for record in records]
            for fragment, records in json.loads(row[8]).items()
        }
        if row[8] != "{}"
        else {},
        refusal=Refusal(row[9]) if row[9] is not None and row[9] in _REFUSALS else None,
        drift=row[10],
        first_seen=row[11],
    )


_REFUSALS = frozenset(refusal.value for refusal in Refusal)


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class Cache:
    """Fetch results keyed by the fetched URL (after remapping, without fragment), the snapshots
    found or captured for each page, and capture jobs still pending.

    WAL mode and a busy timeout let two runs share the file; every write commits at once, so a
    killed run keeps everything it finished. Opening raises CacheError (one line, the file
    untouched) for a file that is not a linkcheck cache or was written by a newer version; any
    SQLite error after that is told to ``warn`` once, and the cache then answers as an empty one.
    """

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._warn = warn or (lambda message: None)
        self.failed: str | None = None  # why the cache stopped working during the run
        self._db: sqlite3.Connection | None = None
        # Results wait here a moment and are written together (see _write): a killed run
        # loses at most the last _WRITE_SECONDS of them.
        self._unwritten: list[tuple[Any, ...]] = []
        self._unwritten_sketches: list[tuple[str, bytes, float]] = []
        self._written_at = time.monotonic()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            try:
                self._open()
            except sqlite3.OperationalError as exc:
                if not _locked(exc):
                    raise
                self._open_when_unlocked()
        except CacheError:
            self.close()
            raise
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError) and "not a database" in str(exc):
                self.close()  # garbage, or another program's file: not ours to touch
                raise CacheError(f"cache file {path}: {exc}") from None
            self._fail(exc)  # a full disk, an I/O error, a damaged page: go on without it
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self.failed = str(getattr(exc, "strerror", None) or exc) or type(exc).__name__
        self._warn(
            f"cache file {self.path}: {self.failed}: going on without the cache "
            "(every result is still reported)"
        )

    def _open_when_unlocked(self) -> None:
        """Two runs creating the file at once: switching to WAL does not wait for the other
        run's lock (SQLite's busy timeout does not apply to it), so it is retried."""
        from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random

        for attempt in Retrying(
            retry=retry_if_exception(_locked),
            stop=stop_after_delay(30.0),
            wait=wait_random(0.01, 0.1),
            reraise=True,
        ):
            with attempt:
                self._open()

    def _open(self) -> None:
        """Check whose file this is before writing anything to it, then bring it up to date."""
        db = self._database
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise CacheError(
                    f"cache file {self.path} was written by a newer linkcheck (schema {version}, "
                    f"this one reads {SCHEMA_VERSION}): upgrade, or use another --cache-file"
                )
        elif application_id != 0 or (tables and not self._first_layout(tables)):
            raise CacheError(
                f"cache file {self.path} is not a linkcheck cache (another program's database?):"
                " left untouched; use another --cache-file"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(results)")}
            if "refusal" not in columns:  # schema 1 → 2
                db.execute("ALTER TABLE results ADD COLUMN refusal TEXT")
            if "drift" not in columns:  # schema 2 → 3
                db.execute("ALTER TABLE results ADD COLUMN drift REAL")
                db.execute("ALTER TABLE results ADD COLUMN first_seen REAL")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _first_layout(self, tables: set[str]) -> bool:
        """A cache of linkcheck's first layout, written before files were marked as ours."""
        if tables != _FIRST_TABLES:
            return False
        columns = {row[1] for row in self._database.execute("PRAGMA table_info(results)")}
        return columns >= _FIRST_RESULT_COLUMNS

    def _guarded(self, default: T, action: Callable[[], T]) -> T:
        """``action()``, or ``default`` once the cache has failed (said once through ``warn``)."""
        if self.failed is not None:
            return default
        try:
            return action()
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            self._fail(exc)
            return default

    @property
    def _database(self) -> sqlite3.Connection:
        assert self._db is not None
        return self._db

    def close(self) -> None:
        """Write what is waiting, and close the database."""
        if self._db is not None and self._unwritten:
            self.flush()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str) -> FetchResult | None:
        """The stored result for ``url``, marked as cached, or None."""
        return self._guarded(None, lambda: self._get(url))

    def _get(self, url: str) -> FetchResult | None:
        row = self._database.execute(
            f"SELECT {_RESULT_COLUMNS} FROM results WHERE url = ?", (url,)
        ).fetchone()
        return _result(row) if row is not None else None

    def fresh_many(
        self, requests: Mapping[str, Iterable[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]:
        """The stored results young enough to reuse, for each URL of ``requests`` that has one.

        Alive results are reused only if they verified every fragment ``requests`` names for
        their URL; failures only with ``cache_failures``. Read in batches, not a query a URL.
        """
        return self._guarded({}, lambda: self._fresh_many(requests, max_age, cache_failures))

    def _fresh_many(
        self, requests: Mapping[str, Iterable[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]:
        oldest = time.time() - max_age
        urls = list(requests)
        found: dict[str, FetchResult] = {}
        for start in range(0, len(urls), _BATCH):
            batch = urls[start : start + _BATCH]
            rows = self._database.execute(
                f"SELECT url, {_RESULT_COLUMNS} FROM results WHERE checked_at >= ? AND url IN"
                f" ({','.join('?' * len(batch))})",
                (oldest, *batch),
            )
            for url, *row in rows:
                result = _result(row)
                if result is None:
                    continue
                if result.status in PAGE_ALIVE:
                    if all(f in result.fragments for f in requests[url]):
                        found[url] = result
                elif cache_failures:
                    found[url] = result
        return found

    def failures(self, url: str) -> int:
        """How many runs in a row the stored result for ``url`` had failed (0: none stored)."""
        return self._guarded(0, lambda: self._failures(url))

    def _failures(self, url: str) -> int:
        row = self._database.execute(
            "SELECT failures FROM results WHERE url = ?", (url,)
        ).fetchone()
        return int(row[0]) if row else 0

    def put(self, url: str, result: FetchResult) -> None:
        """Store a fresh result."""
        return self._guarded(None, lambda: self._put(url, result))

    def _put(self, url: str, result: FetchResult) -> None:
        self._unwritten.append(
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
                result.drift,
                result.first_seen,
            )
        )
        if result.sketch is not None:  # seen now: its first fingerprint if it has none yet
            self._unwritten_sketches.append((url, result.sketch, result.checked_at))
        now = time.monotonic()
        if len(self._unwritten) >= _WRITE_BATCH or now - self._written_at >= _WRITE_SECONDS:
            self._write()

    def flush(self) -> None:
        """Write the results put since the last write."""
        self._guarded(None, self._write)

    def _write(self) -> None:
        """One transaction for the rows waiting: a commit a row costs more than the row."""
        rows, self._unwritten = self._unwritten, []
        sketches, self._unwritten_sketches = self._unwritten_sketches, []
        self._written_at = time.monotonic()
        if not rows:
            return
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO results (url, status, reason, http_status, final_url,"
                " redirects, content_type, checked_at, failures, fragments, refusal, drift,"
                " first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "INSERT INTO fingerprints (url, first_sketch, first_seen, last_seen) VALUES"
                " (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen",
                [(url, sketch, seen, seen) for url, sketch, seen in sketches],
            )

    @contextlib.contextmanager
    def _transaction(self, begin: str = "BEGIN") -> Iterator[sqlite3.Connection]:
        """The database inside one transaction: committed whole, or rolled back."""
        db = self._database
        db.execute(begin)
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def snapshot(self, url: str) -> tuple[str, str, str] | None:
        """The snapshot last recorded for ``url``: (timestamp, original URL, how it was found)."""
        return self._guarded(None, lambda: self._snapshot(url))

    def _snapshot(self, url: str) -> tuple[str, str, str] | None:
        row = self._database.execute(
            "SELECT timestamp, original, source FROM snapshots WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None:
        """Record a snapshot of ``url`` the moment it is known (captured or found)."""
        return self._guarded(None, lambda: self._put_snapshot(url, timestamp, original, source))

    def _put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None:
        self._database.execute(
            "INSERT OR REPLACE INTO snapshots (url, timestamp, original, source, recorded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (url, timestamp, original, source, time.time()),
        )

    def pending_job(self, url: str) -> tuple[str, float] | None:
        """A capture job submitted for ``url`` and not yet finished: (job id, when)."""
        return self._guarded(None, lambda: self._pending_job(url))

    def _pending_job(self, url: str) -> tuple[str, float] | None:
        row = self._database.execute(
            "SELECT job_id, submitted_at FROM capture_jobs WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_job(self, url: str, job_id: str) -> None:
        """Record a submitted capture job before polling it, so a killed run can resume it."""
        return self._guarded(None, lambda: self._put_job(url, job_id))

    def _put_job(self, url: str, job_id: str) -> None:
        self._database.execute(
            "INSERT OR REPLACE INTO capture_jobs (url, job_id, submitted_at) VALUES (?, ?, ?)",
            (url, job_id, time.time()),
        )

    def fingerprint(self, url: str) -> tuple[bytes, float] | None:
        """The fingerprint of ``url``'s text when first seen, and when that was (a result
        ``put`` with a fingerprint records it, with the results)."""
        return self._guarded(None, lambda: self._fingerprint(url))

    def _fingerprint(self, url: str) -> tuple[bytes, float] | None:
        row = self._database.execute(
            "SELECT first_sketch, first_seen FROM fingerprints WHERE url = ?", (url,)
        ).fetchone()
        return (bytes(row[0]), float(row[1])) if row else None

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None:
        """The copies of page ``url`` found by a lookup younger than ``max_age`` seconds:
        (copy URL, 14-digit timestamp); None when there was no such lookup."""
        return self._guarded(None, lambda: self._copies(url, max_age))

    def _copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None:
        db = self._database
        row = db.execute("SELECT looked_up_at FROM copy_lookups WHERE url = ?", (url,)).fetchone()
        if row is None or time.time() - row[0] > max_age:
            return None
        rows = db.execute("SELECT copy_url, timestamp FROM copies WHERE url = ?", (url,))
        return [(copy_url, timestamp) for copy_url, timestamp in rows]

    def put_copies(self, url: str, copies: list[tuple[str, str]]) -> None:
        """Record what a lookup of page ``url``'s copies found (nothing, too)."""
        return self._guarded(None, lambda: self._put_copies(url, copies))

    def _put_copies(self, url: str, copies: list[tuple[str, str]]) -> None:
        with self._transaction("BEGIN IMMEDIATE") as db:
            db.execute("DELETE FROM copies WHERE url = ?", (url,))
            db.executemany(
                "INSERT OR REPLACE INTO copies (url, copy_url, timestamp) VALUES (?, ?, ?)",
                [(url, copy_url, timestamp) for copy_url, timestamp in copies],
            )
            db.execute(
                "INSERT OR REPLACE INTO copy_lookups (url, looked_up_at) VALUES (?, ?)",
                (url, time.time()),
            )

    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None:
        """What verifying ``copy_url`` for ``fragment`` showed: (verified, reason), if it was."""
        return self._guarded(None, lambda: self._copy_check(copy_url, fragment))

    def _copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None:
        row = self._database.execute(
            "SELECT verified, reason FROM copy_checks WHERE copy_url = ? AND fragment = ?",
            (copy_url, fragment),
        ).fetchone()
        return (bool(row[0]), row[1]) if row else None

    def put_copy_check(self, copy_url: str, fragment: str, verified: bool, reason: str) -> None:
        """Record a verification: a capture does not change, so it is never redone."""
        return self._guarded(
            None, lambda: self._put_copy_check(copy_url, fragment, verified, reason)
        )

    def _put_copy_check(self, copy_url: str, fragment: str, verified: bool, reason: str) -> None:
        self._database.execute(
            "INSERT OR REPLACE INTO copy_checks (copy_url, fragment, verified, reason, checked_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (copy_url, fragment, int(verified), reason, time.time()),
        )

    def drop_job(self, url: str) -> None:
        """Forget a finished capture job."""
        return self._guarded(None, lambda: self._drop_job(url))

    def _drop_job(self, url: str) -> None:
        self._database.execute("DELETE FROM capture_jobs WHERE url = ?", (url,))

    def info(self) -> CacheInfo:
        """Counts and ages of the stored results, and any damage SQLite finds."""
        return self._strict(self._info)

    def _info(self) -> CacheInfo:
        check = self._database.execute("PRAGMA quick_check(1)").fetchone()[0]
        by_status = dict(
            self._database.execute(
                "SELECT status, COUNT(*) FROM results GROUP BY status"
            ).fetchall()
        )
        oldest, newest = self._database.execute(
            "SELECT MIN(checked_at), MAX(checked_at) FROM results"
        ).fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        damage = None if check == "ok" else str(check)
        return CacheInfo(
            self.path, sum(by_status.values()), by_status, oldest, newest, size, damage
        )

    def clear(self) -> int:
        """Delete every stored result, snapshot and job; returns how many results there were."""
        return self._strict(self._clear)

    def _strict(self, action: Callable[[], T]) -> T:
        """``action()`` for the cache commands, where trouble is the answer: one CacheError."""
        if self.failed is not None:
            raise CacheError(f"cache file {self.path} cannot be used: {self.failed}")
        try:
            return action()
        except sqlite3.Error as exc:
            raise CacheError(f"cache file {self.path} is damaged: {exc}") from None

    def _clear(self) -> int:
        count: int = self._database.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        for table in sorted(_TABLES):
            self._database.execute(f"DELETE FROM {table}")
        return count
