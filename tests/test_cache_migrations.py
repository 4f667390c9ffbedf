"""Every released cache layout opens with today's code, keeps its rows, and is upgraded in place."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from linkcheck.cache import APPLICATION_ID, SCHEMA_VERSION, Cache
from linkcheck.cache.schema import STEPS, TABLES
from linkcheck.model import FetchResult, FragmentState, Refusal, Status, Work

RELEASED = Path(__file__).parent / "data" / "caches"
COPY = "https://web.archive.org/web/20251120101010/https://example.org/page"
QUOTE = ":~:text=quoted%20words"


def layout(path: Path) -> tuple[int, int, dict[str, set[str]]]:
    """(application id, user_version, columns by table) as SQLite reads the file."""
    with sqlite3.connect(path) as db:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        columns = {t: {row[1] for row in db.execute(f"PRAGMA table_info({t})")} for t in tables}
    return application_id, version, columns


def released(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    shutil.copyfile(RELEASED / name, path)
    return path


FILES = sorted(path.name for path in RELEASED.glob("*.db"))


def test_every_released_layout_is_here() -> None:
    assert FILES == [
        "schema-1-refusal.db", "schema-1.db", "schema-2.db", "schema-3-early.db", "schema-3.db",
    ]  # fmt: skip
    versions = {layout(RELEASED / name)[1] for name in FILES}
    assert versions == {0, 2, 3}  # the first layout was unmarked
    # Version 4 (registered works, DOI prefixes' agencies) is not released yet: its file is
    # added after the release that ships it.
    assert SCHEMA_VERSION == STEPS[-1].version == 4


@pytest.mark.parametrize("name", FILES)
def test_a_released_cache_opens_keeps_its_rows_and_is_upgraded_in_place(
    name: str, tmp_path: Path
) -> None:
    path = released(name, tmp_path)
    before = layout(path)
    warnings: list[str] = []
    with Cache(path, warnings.append) as cache:
        page = cache.results.get("https://example.org/page")
        moved = cache.results.get("http://moved.example.org/old")
        gone = cache.results.get("https://gone.example.org/")
        walled = cache.results.get("https://walled.example.org/")
        assert page is not None and moved is not None and gone is not None and walled is not None
        assert (page.status, page.http_status, page.content_type) == (Status.OK, 200, "text/html")
        (outcome,) = page.fragments[QUOTE]
        assert (outcome.state, outcome.matched_text) == (FragmentState.FOUND, "quoted words")
        assert moved.status is Status.REDIRECTED
        assert moved.redirects == ["https://moved.example.org/new"]
        assert moved.final_url == "https://moved.example.org/new"
        assert (gone.status, gone.failures) == (Status.BROKEN, 3)
        assert cache.results.failures("https://gone.example.org/") == 3
        assert walled.status is Status.BLOCKED
        first_layout = name == "schema-1.db"  # written before refusals were kept
        assert walled.refusal is (None if first_layout else Refusal.ROBOTS)
        assert cache.snapshots.snapshot("https://example.org/page") == (
            "20251120101010", "https://example.org/page", "captured",
        )  # fmt: skip
        assert cache.snapshots.pending_job("https://pending.example.org/") is not None
        with_copies = name.startswith("schema-3")
        assert cache.copies.copy_check(COPY, QUOTE) == (
            (True, "the quoted words are there") if with_copies else None
        )
        recorded = cache.copies.copies("https://example.org/page", float("inf"))
        assert recorded == ([(COPY, "20251120101010")] if with_copies else None)
        with_drift = name == "schema-3.db"
        assert page.drift == (12.5 if with_drift else None)
        fingerprint = cache.fingerprints.fingerprint("https://example.org/page")
        assert fingerprint == ((bytes(range(16)), page.checked_at) if with_drift else None)
        # What the newest layout adds can be written at once.
        cache.fingerprints.seen("https://example.org/new", b"\x01" * 8, 1.0)
        cache.results.put("https://example.org/new", FetchResult(Status.OK, "200 OK", 200))
        cache.copies.put_copies("https://example.org/new", [])
        cache.works.put_work("doi:10.1000/new", Work("doi", "10.1000/new", "crossref", ("A",)))
        cache.works.put_agency("10.1000", "crossref")
        assert cache.info().entries == 4
    assert warnings == []
    application_id, version, columns = layout(path)
    assert (application_id, version) == (APPLICATION_ID, SCHEMA_VERSION)
    assert set(columns) == set(TABLES)
    assert columns["results"] >= {"refusal", "drift", "first_seen"}
    for table, names in before[2].items():
        assert names <= columns[table], f"{table} lost a column"
    with Cache(path) as again:  # a second open finds nothing left to do, and loses nothing
        assert again.info().entries == 5
        assert again.fingerprints.fingerprint("https://example.org/new") == (b"\x01" * 8, 1.0)
        work = again.works.work("doi:10.1000/new", 60.0)
        assert work is not None and work.titles == ("A",)
        assert again.works.agency("10.1000", 60.0) == ("crossref",)
    assert layout(path) == (application_id, version, columns)


def test_a_new_cache_has_the_layout_an_upgraded_one_has(tmp_path: Path) -> None:
    with Cache(tmp_path / "new.db"):
        pass
    upgraded = released("schema-1.db", tmp_path)
    with Cache(upgraded):
        pass
    assert layout(tmp_path / "new.db") == layout(upgraded)


def test_the_migration_check_can_fail(tmp_path: Path) -> None:
    # A step that did not run leaves the file at an older layout, and the test above would see it.
    path = released("schema-2.db", tmp_path)
    assert layout(path)[1] == 2
    assert "drift" not in layout(path)[2]["results"]
    assert "fingerprints" not in layout(path)[2]
