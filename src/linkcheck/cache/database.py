"""The cache file's one connection: opened only if it is ours, migrated, shared between runs,
written in batches, and never fatal once open."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from linkcheck.cache.schema import APPLICATION_ID, SCHEMA_VERSION, is_first_layout, migrate
from linkcheck.errors import CacheError

T = TypeVar("T")
WRITE_BATCH = 16  # rows a batch holds before it is written (a kill loses no more)
WRITE_SECONDS = 0.2  # and batches are written at least this often


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class Database:
    """The SQLite file behind every store.

    WAL mode and a busy timeout let two runs share the file. Opening raises CacheError (one
    line, the file untouched) for a file that is not a linkcheck cache or was written by a newer
    version; any SQLite error after that is told to ``warn`` once, and every store then answers
    as an empty one (see ``guarded``).
    """

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._warn = warn or (lambda message: None)
        self.failed: str | None = None  # why the cache stopped working during the run
        self._db: sqlite3.Connection | None = None
        # Rows wait here a moment and are written together, a statement at a time: a killed
        # run loses at most the last WRITE_SECONDS of them.
        self._queued: dict[str, list[tuple[Any, ...]]] = {}
        self._counted = 0
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
            self.fail(exc)  # a full disk, an I/O error, a damaged page: go on without it
        except (sqlite3.Error, OSError) as exc:
            self.fail(exc)

    def fail(self, exc: BaseException) -> None:
        """Stop using the cache for the rest of the run, said once."""
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
        db = self.connection
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise CacheError(
                    f"cache file {self.path} was written by a newer linkcheck (schema {version}, "
                    f"this one reads {SCHEMA_VERSION}): upgrade, or use another --cache-file"
                )
        elif application_id != 0 or (tables and not is_first_layout(db, tables)):
            raise CacheError(
                f"cache file {self.path} is not a linkcheck cache (another program's database?):"
                " left untouched; use another --cache-file"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        with self.transaction("BEGIN IMMEDIATE"):
            migrate(db)

    @property
    def connection(self) -> sqlite3.Connection:
        assert self._db is not None
        return self._db

    def guarded(self, default: T, action: Callable[[], T]) -> T:
        """``action()``, or ``default`` once the cache has failed (said once through ``warn``)."""
        if self.failed is not None:
            return default
        try:
            return action()
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            self.fail(exc)
            return default

    def strict(self, action: Callable[[], T]) -> T:
        """``action()`` for the cache commands, where trouble is the answer: one CacheError."""
        if self.failed is not None:
            raise CacheError(f"cache file {self.path} cannot be used: {self.failed}")
        try:
            return action()
        except sqlite3.Error as exc:
            raise CacheError(f"cache file {self.path} is damaged: {exc}") from None

    @contextlib.contextmanager
    def transaction(self, begin: str = "BEGIN") -> Iterator[sqlite3.Connection]:
        """The database inside one transaction: committed whole, or rolled back."""
        db = self.connection
        db.execute(begin)
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def queue(self, statement: str, row: tuple[Any, ...], *, counted: bool = True) -> None:
        """``statement`` with ``row``, written with the next batch; ``counted`` rows fill it
        (a row that goes with another, as a fingerprint with its result, is not counted)."""
        self._queued.setdefault(statement, []).append(row)
        if counted:
            self._counted += 1
        if self._counted >= WRITE_BATCH or time.monotonic() - self._written_at >= WRITE_SECONDS:
            self.write()

    def write(self) -> None:
        """One transaction for the rows waiting: a commit a row costs more than the row."""
        queued, self._queued, self._counted = self._queued, {}, 0
        self._written_at = time.monotonic()
        if not queued:
            return
        with self.transaction() as db:
            for statement, rows in queued.items():
                db.executemany(statement, rows)

    def flush(self) -> None:
        """Write the rows queued since the last write."""
        self.guarded(None, self.write)

    def close(self) -> None:
        """Write what is waiting, and close the file."""
        if self._db is not None and self._queued:
            self.flush()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
