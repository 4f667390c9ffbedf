"""The cache file: one SQLite database, one store per stage.

The only place where objects become rows and back. The cache is a convenience: once it is open,
no SQLite error (a damaged page, a full disk, an I/O error) costs a result; the run goes on
uncached after one warning. A file that is not a linkcheck cache is never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from linkcheck.cache.copies import CopyStore
from linkcheck.cache.database import Database
from linkcheck.cache.fingerprints import FingerprintStore
from linkcheck.cache.results import ResultStore
from linkcheck.cache.schema import APPLICATION_ID, SCHEMA_VERSION, TABLES
from linkcheck.cache.snapshots import SnapshotStore
from linkcheck.cache.works import WorkStore

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Cache", "CacheInfo"]


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


class Cache:
    """The cache file opened for one run, with a store for each stage: ``results`` and
    ``fingerprints`` for the check, ``snapshots`` (and capture jobs) and ``copies`` for the
    archive (and ``fix``), ``works`` for the registries of identifiers. Opening raises
    CacheError as ``Database`` says."""

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.database = Database(path, warn)
        self.results = ResultStore(self.database)
        self.fingerprints = FingerprintStore(self.database)
        self.snapshots = SnapshotStore(self.database)
        self.copies = CopyStore(self.database)
        self.works = WorkStore(self.database)

    @property
    def path(self) -> Path:
        return self.database.path

    @property
    def failed(self) -> str | None:
        """Why the cache stopped working during the run, if it did."""
        return self.database.failed

    def close(self) -> None:
        """Write what is waiting, and close the file."""
        self.database.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def info(self) -> CacheInfo:
        """Counts and ages of the stored results, and any damage SQLite finds."""
        return self.database.strict(self._info)

    def _info(self) -> CacheInfo:
        check = self.database.connection.execute("PRAGMA quick_check(1)").fetchone()[0]
        by_status, oldest, newest = self.results.by_status()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        damage = None if check == "ok" else str(check)
        return CacheInfo(
            self.path, sum(by_status.values()), by_status, oldest, newest, size, damage
        )

    def clear(self) -> int:
        """Delete everything stored; returns how many results there were."""
        return self.database.strict(self._clear)

    def _clear(self) -> int:
        db = self.database.connection
        count: int = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")
        return count
