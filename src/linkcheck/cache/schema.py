"""The cache file's layout: whose file it is, and the steps that bring any released layout
up to this one.

Adding a table is adding a store (a module beside this one) and a step here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

# "LKCH": marks the file as linkcheck's, so another program's SQLite file is never adopted.
APPLICATION_ID = 0x4C4B4348


@dataclass(frozen=True, slots=True)
class Step:
    """One migration: what ``version`` added to the layout before it."""

    version: int
    adds: str
    tables: tuple[str, ...]  # the tables this step creates
    apply: Callable[[sqlite3.Connection], None]


def _add_column(db: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _first_layout(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS results (url TEXT PRIMARY KEY, status TEXT NOT NULL,"
        " reason TEXT NOT NULL, http_status INTEGER, final_url TEXT, redirects TEXT NOT NULL,"
        " content_type TEXT, checked_at REAL NOT NULL, failures INTEGER NOT NULL DEFAULT 0,"
        " fragments TEXT NOT NULL DEFAULT '{}')"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS snapshots (url TEXT PRIMARY KEY, timestamp TEXT NOT NULL,"
        " original TEXT NOT NULL, source TEXT NOT NULL, recorded_at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS capture_jobs (url TEXT PRIMARY KEY, job_id TEXT NOT NULL,"
        " submitted_at REAL NOT NULL)"
    )


def _refusals(db: sqlite3.Connection) -> None:
    _add_column(db, "results", "refusal", "TEXT")


def _copies_and_drift(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS copy_lookups (url TEXT PRIMARY KEY, looked_up_at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS copies (url TEXT NOT NULL, copy_url TEXT NOT NULL,"
        " timestamp TEXT NOT NULL, PRIMARY KEY (url, copy_url))"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS copy_checks (copy_url TEXT NOT NULL, fragment TEXT NOT NULL,"
        " verified INTEGER NOT NULL, reason TEXT NOT NULL, checked_at REAL NOT NULL,"
        " PRIMARY KEY (copy_url, fragment))"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS fingerprints (url TEXT PRIMARY KEY,"
        " first_sketch BLOB NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL)"
    )
    _add_column(db, "results", "drift", "REAL")
    _add_column(db, "results", "first_seen", "REAL")


def _works(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS works (key TEXT PRIMARY KEY, record TEXT NOT NULL,"
        " fetched_at REAL NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS agencies (prefix TEXT PRIMARY KEY, agency TEXT,"
        " fetched_at REAL NOT NULL)"
    )


STEPS = (
    Step(1, "fetch results, snapshots, capture jobs", ("results", "snapshots", "capture_jobs"),
         _first_layout),
    Step(2, "why a blocked page was refused (and the application id)", (), _refusals),
    Step(3, "archived copies and their checks; page fingerprints and drift",
         ("copy_lookups", "copies", "copy_checks", "fingerprints"), _copies_and_drift),
    Step(4, "registered works and DOI prefixes' agencies", ("works", "agencies"), _works),
)  # fmt: skip
SCHEMA_VERSION = STEPS[-1].version
TABLES = tuple(table for step in STEPS for table in step.tables)

# The first layout was written before files were marked as ours: it is known by its tables.
FIRST_TABLES = frozenset(STEPS[0].tables)
_FIRST_RESULT_COLUMNS = frozenset(
    {"url", "status", "reason", "http_status", "final_url", "redirects", "content_type",
     "checked_at", "failures", "fragments"}
)  # fmt: skip


def is_first_layout(db: sqlite3.Connection, tables: set[str]) -> bool:
    """A cache of linkcheck's first layout (no application id yet)."""
    if tables != FIRST_TABLES:
        return False
    columns = {row[1] for row in db.execute("PRAGMA table_info(results)")}
    return columns >= _FIRST_RESULT_COLUMNS


def migrate(db: sqlite3.Connection) -> None:
    """Every step, inside the caller's transaction, then the file marked as this version.

    Every step runs on every open: each is idempotent (``IF NOT EXISTS``, a column added only
    where missing), and version 3 was released in two layouts (copies first, fingerprints and
    drift a few hours later), so a file's version alone does not say which steps it has had.
    """
    for step in STEPS:
        step.apply(db)
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
