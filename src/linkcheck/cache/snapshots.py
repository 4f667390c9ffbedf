"""The archive's snapshots of each page and its capture jobs still pending: recorded the
moment they are known, so a killed run resumes its jobs and reuses what it found."""

from __future__ import annotations

import time

from linkcheck.cache.database import Database


class SnapshotStore:
    """The snapshot last found or captured for each page, and capture jobs not yet finished."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def snapshot(self, url: str) -> tuple[str, str, str] | None:
        """The snapshot last recorded for ``url``: (timestamp, original URL, how it was found)."""
        return self._database.guarded(None, lambda: self._snapshot(url))

    def _snapshot(self, url: str) -> tuple[str, str, str] | None:
        row = self._database.connection.execute(
            "SELECT timestamp, original, source FROM snapshots WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def put_snapshot(self, url: str, timestamp: str, original: str, source: str) -> None:
        """Record a snapshot of ``url`` the moment it is known (captured or found)."""
        row = (url, timestamp, original, source, time.time())
        self._database.guarded(
            None,
            lambda: self._database.connection.execute(
                "INSERT OR REPLACE INTO snapshots (url, timestamp, original, source, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                row,
            ),
        )

    def pending_job(self, url: str) -> tuple[str, float] | None:
        """A capture job submitted for ``url`` and not yet finished: (job id, when)."""
        return self._database.guarded(None, lambda: self._pending_job(url))

    def _pending_job(self, url: str) -> tuple[str, float] | None:
        row = self._database.connection.execute(
            "SELECT job_id, submitted_at FROM capture_jobs WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_job(self, url: str, job_id: str) -> None:
        """Record a submitted capture job before polling it, so a killed run can resume it."""
        row = (url, job_id, time.time())
        self._database.guarded(
            None,
            lambda: self._database.connection.execute(
                "INSERT OR REPLACE INTO capture_jobs (url, job_id, submitted_at) VALUES (?, ?, ?)",
                row,
            ),
        )

    def drop_job(self, url: str) -> None:
        """Forget a finished capture job."""
        self._database.guarded(
            None,
            lambda: self._database.connection.execute(
                "DELETE FROM capture_jobs WHERE url = ?", (url,)
            ),
        )
