"""Archived copies found of each page, and what verifying each showed."""

from __future__ import annotations

import time

from linkcheck.cache.database import Database


class CopyStore:
    """Copies by page (with when they were looked up), and verifications by copy and fragment:
    a capture does not change, so a verification is never redone."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None:
        """The copies of page ``url`` found by a lookup younger than ``max_age`` seconds:
        (copy URL, 14-digit timestamp); None when there was no such lookup."""
        return self._database.guarded(None, lambda: self._copies(url, max_age))

    def _copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None:
        db = self._database.connection
        row = db.execute("SELECT looked_up_at FROM copy_lookups WHERE url = ?", (url,)).fetchone()
        if row is None or time.time() - row[0] > max_age:
            return None
        rows = db.execute("SELECT copy_url, timestamp FROM copies WHERE url = ?", (url,))
        return [(copy_url, timestamp) for copy_url, timestamp in rows]

    def put_copies(self, url: str, copies: list[tuple[str, str]]) -> None:
        """Record what a lookup of page ``url``'s copies found (nothing, too)."""
        self._database.guarded(None, lambda: self._put_copies(url, copies))

    def _put_copies(self, url: str, copies: list[tuple[str, str]]) -> None:
        with self._database.transaction("BEGIN IMMEDIATE") as db:
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
        return self._database.guarded(None, lambda: self._copy_check(copy_url, fragment))

    def _copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None:
        row = self._database.connection.execute(
            "SELECT verified, reason FROM copy_checks WHERE copy_url = ? AND fragment = ?",
            (copy_url, fragment),
        ).fetchone()
        return (bool(row[0]), row[1]) if row else None

    def put_copy_check(self, copy_url: str, fragment: str, verified: bool, reason: str) -> None:
        """Record a verification."""
        row = (copy_url, fragment, int(verified), reason, time.time())
        self._database.guarded(
            None,
            lambda: self._database.connection.execute(
                "INSERT OR REPLACE INTO copy_checks (copy_url, fragment, verified, reason,"
                " checked_at) VALUES (?, ?, ?, ?, ?)",
                row,
            ),
        )
