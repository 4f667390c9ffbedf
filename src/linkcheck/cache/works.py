"""What registries said about identifiers: each work's metadata (titles, year, updates) and
each DOI prefix's registration agency, with when they were asked."""

from __future__ import annotations

import json
import time

from linkcheck.cache.database import Database
from linkcheck.model import Work

_PUT_WORK = "INSERT OR REPLACE INTO works (key, record, fetched_at) VALUES (?, ?, ?)"
_PUT_AGENCY = "INSERT OR REPLACE INTO agencies (prefix, agency, fetched_at) VALUES (?, ?, ?)"


class WorkStore:
    """Works by identifier key (``doi:10.…``, ``arxiv:2101.00001``), agencies by DOI prefix."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def work(self, key: str, max_age: float) -> Work | None:
        """The work recorded under ``key`` within ``max_age`` seconds, if any."""
        return self._database.guarded(None, lambda: self._work(key, max_age))

    def _work(self, key: str, max_age: float) -> Work | None:
        row = self._database.connection.execute(
            "SELECT record FROM works WHERE key = ? AND fetched_at >= ?",
            (key, time.time() - max_age),
        ).fetchone()
        return Work.from_record(json.loads(row[0])) if row else None

    def put_work(self, key: str, work: Work) -> None:
        """Record ``work`` under ``key``, written with the next batch."""
        row = (key, json.dumps(work.record(), ensure_ascii=False), time.time())
        self._database.guarded(None, lambda: self._database.queue(_PUT_WORK, row))

    def agency(self, prefix: str, max_age: float) -> tuple[str | None] | None:
        """The agency recorded for ``prefix`` within ``max_age`` seconds: a 1-tuple (its value
        None when doi.org knew no agency), or None when none is recorded."""
        return self._database.guarded(None, lambda: self._agency(prefix, max_age))

    def _agency(self, prefix: str, max_age: float) -> tuple[str | None] | None:
        row = self._database.connection.execute(
            "SELECT agency FROM agencies WHERE prefix = ? AND fetched_at >= ?",
            (prefix, time.time() - max_age),
        ).fetchone()
        return (row[0],) if row else None

    def put_agency(self, prefix: str, agency: str | None) -> None:
        """Record the agency of ``prefix``, written with the next batch."""
        row = (prefix, agency, time.time())
        self._database.guarded(None, lambda: self._database.queue(_PUT_AGENCY, row))
