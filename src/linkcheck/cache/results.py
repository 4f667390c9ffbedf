"""Fetch results between runs: the check stage's store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from linkcheck.cache.database import Database
from linkcheck.model import PAGE_ALIVE, FetchResult, FragmentOutcome, Refusal, Status

_COLUMNS = (
    "status, reason, http_status, final_url, redirects, content_type, checked_at, failures,"
    " fragments, refusal, drift, first_seen"
)
_INSERT = (
    "INSERT OR REPLACE INTO results (url, status, reason, http_status, final_url, redirects,"
    " content_type, checked_at, failures, fragments, refusal, drift, first_seen)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BATCH = 500  # URLs a query (SQLite allows 999 parameters in old builds)
_REFUSALS = frozenset(refusal.value for refusal in Refusal)


def _result(row: Sequence[Any]) -> FetchResult | None:
    """A stored row (``_COLUMNS``) as a cached result; None for a status we do not know."""
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


def _row(url: str, result: FetchResult) -> tuple[Any, ...]:
    return (
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


class ResultStore:
    """Fetch results keyed by the fetched URL (after remapping, without fragment); written in
    batches (see ``Database.queue``), so a killed run keeps nearly everything it finished."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, url: str) -> FetchResult | None:
        """The stored result for ``url``, marked as cached, or None."""
        return self._database.guarded(None, lambda: self._get(url))

    def _get(self, url: str) -> FetchResult | None:
        row = self._database.connection.execute(
            f"SELECT {_COLUMNS} FROM results WHERE url = ?", (url,)
        ).fetchone()
        return _result(row) if row is not None else None

    def fresh_many(
        self, requests: Mapping[str, Iterable[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]:
        """The stored results young enough to reuse, for each URL of ``requests`` that has one.

        Alive results are reused only if they verified every fragment ``requests`` names for
        their URL; failures only with ``cache_failures``. Read in batches, not a query a URL.
        """
        return self._database.guarded(
            {}, lambda: self._fresh_many(requests, max_age, cache_failures)
        )

    def _fresh_many(
        self, requests: Mapping[str, Iterable[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]:
        oldest = time.time() - max_age
        urls = list(requests)
        found: dict[str, FetchResult] = {}
        for start in range(0, len(urls), _BATCH):
            batch = urls[start : start + _BATCH]
            rows = self._database.connection.execute(
                f"SELECT url, {_COLUMNS} FROM results WHERE checked_at >= ? AND url IN"
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
        return self._database.guarded(0, lambda: self._failures(url))

    def _failures(self, url: str) -> int:
        row = self._database.connection.execute(
            "SELECT failures FROM results WHERE url = ?", (url,)
        ).fetchone()
        return int(row[0]) if row else 0

    def put(self, url: str, result: FetchResult) -> None:
        """Store a fresh result (with the next batch)."""
        self._database.guarded(None, lambda: self._database.queue(_INSERT, _row(url, result)))

    def flush(self) -> None:
        """Write the results put since the last write."""
        self._database.flush()

    def by_status(self) -> tuple[dict[str, int], float | None, float | None]:
        """How many results there are of each status, and when the oldest and newest were
        checked (raises sqlite3.Error: for the cache commands)."""
        db = self._database.connection
        counts = dict(db.execute("SELECT status, COUNT(*) FROM results GROUP BY status").fetchall())
        oldest, newest = db.execute(
            "SELECT MIN(checked_at), MAX(checked_at) FROM results"
        ).fetchone()
        return counts, oldest, newest
