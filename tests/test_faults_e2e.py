"""Fault injection: bad input and broken storage cost a line of warning, never the run.

Each case runs the real command line against loopback servers and checks that every result
that could be obtained is reported, with one clear line about the culprit and no traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeweb import Host

from helpers import run_linkcheck as linkcheck
from linkcheck.cache import APPLICATION_ID, SCHEMA_VERSION

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def doc(directory: Path, *urls: str, name: str = "doc.md") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("\n\n".join(f"[x]({url})" for url in urls) + "\n")
    return directory


def json_results(stdout: str) -> dict[str, dict[str, object]]:
    return {r["url"]: r for r in json.loads(stdout)["results"]}


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


def test_one_impossible_host_name_costs_only_its_own_verdict(tmp_path: Path, site: Host) -> None:
    good = [site.url(f"/ok?n={n}") for n in range(5)]
    bad = "http://xn--zz.example/page"
    done = linkcheck(
        "doc.md", "--format=json", "--no-cache", cwd=doc(tmp_path, bad, *good), timeout=60
    )
    no_traceback(done.stderr)
    results = json_results(done.stdout)
    assert results[bad]["status"] == "invalid"
    assert "invalid URL" in str(results[bad]["reason"])
    assert {results[url]["status"] for url in good} == {"ok"}
    assert done.returncode == 0


@contextlib.contextmanager
def full_file_system(path: Path) -> Iterator[Path]:
    """A 200 KiB tmpfs at ``path``, filled up (root only)."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?): see the injected-error unit test")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_costs_the_cache_not_the_results(tmp_path: Path, site: Host) -> None:
    urls = [site.url(f"/ok?n={n}&pad={'x' * 200}") for n in range(300)]
    with full_file_system(tmp_path / "full") as full:
        linkcheck(  # creates the cache and fills the file system with it
            "doc.md", f"--cache-file={full}/cache.db", cwd=doc(tmp_path, *urls[:5]), timeout=60
        )
        with contextlib.suppress(OSError), open(full / "filler", "wb") as filler:
            filler.write(b"\0" * 400_000)
        done = linkcheck(
            "doc.md",
            "--format=json",
            f"--cache-file={full}/cache.db",
            cwd=doc(tmp_path, *urls),
            timeout=120,
        )
    no_traceback(done.stderr)
    assert len(json_results(done.stdout)) == 300
    assert "going on without the cache" in done.stderr
    assert done.stderr.count("going on without the cache") == 1
    assert done.returncode == 0


def make_cache(path: Path, site: Host, tmp_path: Path, count: int = 200) -> list[str]:
    urls = [site.url(f"/ok?n={n}&pad={'y' * 300}") for n in range(count)]
    done = linkcheck("doc.md", f"--cache-file={path}", cwd=doc(tmp_path, *urls), timeout=120)
    assert done.returncode == 0, done.stderr
    return urls


def test_a_damaged_cache_is_one_warning_and_every_result(tmp_path: Path, site: Host) -> None:
    cache = tmp_path / "cache.db"
    urls = make_cache(cache, site, tmp_path)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"cache.db{suffix}").unlink(missing_ok=True)
    data = bytearray(cache.read_bytes())
    assert len(data) > 16 * 4096
    for page in range(1, len(data) // 4096):  # every page but the first (header and schema)
        data[page * 4096 : (page + 1) * 4096] = os.urandom(4096)
    cache.write_bytes(bytes(data))
    done = linkcheck("doc.md", "--format=json", "--cache-file=cache.db", cwd=tmp_path, timeout=120)
    no_traceback(done.stderr)
    assert len(json_results(done.stdout)) == len(urls)
    assert done.stderr.count("going on without the cache") == 1
    info = linkcheck("cache", "info", "--cache-file=cache.db", cwd=tmp_path)
    no_traceback(info.stderr)
    # Too damaged to count anything in: one line naming it, exit 2 (an unusable cache file).
    assert info.returncode == 2
    assert info.stderr.strip().splitlines() == [
        "linkcheck: error: cache file cache.db is damaged: database disk image is malformed"
    ]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_foreign_database_is_refused_untouched(tmp_path: Path, site: Host) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, score REAL)")
        db.execute("INSERT INTO results (score) VALUES (1.5)")
    before = sha(foreign)
    doc(tmp_path, site.url("/ok"))
    for command in (["doc.md"], ["cache", "clear"], ["cache", "info"]):
        done = linkcheck(*command, "--cache-file=app.db", cwd=tmp_path)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert done.stderr.strip() == (
            "linkcheck: error: cache file app.db is not a linkcheck cache (another program's "
            "database?): left untouched; use another --cache-file"
        )
    assert sha(foreign) == before
    assert not (tmp_path / "app.db-wal").exists()


def test_a_newer_cache_is_refused_and_an_older_one_migrated(tmp_path: Path, site: Host) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("PRAGMA user_version=99")
        db.execute("CREATE TABLE results (url TEXT PRIMARY KEY, extra TEXT NOT NULL)")
    before = sha(newer)
    doc(tmp_path, site.url("/ok"))
    done = linkcheck("doc.md", "--cache-file=newer.db", cwd=tmp_path)
    assert done.returncode == 2
    assert "was written by a newer linkcheck (schema 99" in done.stderr
    assert sha(newer) == before
    older = tmp_path / "older.db"  # the first layout: no application id, no refusal column
    with sqlite3.connect(older) as db:
        db.executescript(
            "CREATE TABLE results (url TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT "
            "NULL, http_status INTEGER, final_url TEXT, redirects TEXT NOT NULL, content_type "
            "TEXT, checked_at REAL NOT NULL, failures INTEGER NOT NULL DEFAULT 0, fragments TEXT "
            "NOT NULL DEFAULT '{}');"
            "CREATE TABLE snapshots (url TEXT PRIMARY KEY, timestamp TEXT NOT NULL, original "
            "TEXT NOT NULL, source TEXT NOT NULL, recorded_at REAL NOT NULL);"
            "CREATE TABLE capture_jobs (url TEXT PRIMARY KEY, job_id TEXT NOT NULL, "
            "submitted_at REAL NOT NULL);"
        )
    done = linkcheck("doc.md", "--cache-file=older.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(older) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert {"copies", "copy_lookups", "copy_checks"} <= tables


def test_failed_writes_are_one_line_and_leave_no_half_report(tmp_path: Path, site: Host) -> None:
    doc(tmp_path, site.url("/ok"))
    to_device = linkcheck("doc.md", "--no-cache", "-o", "/dev/full", cwd=tmp_path)
    assert to_device.returncode == 2
    assert to_device.stderr.strip() == (
        "linkcheck: error: cannot write /dev/full: No space left on device"
    )
    with open("/dev/full", "w") as full:
        to_stdout = subprocess.run(
            [sys.executable, "-m", "linkcheck", "doc.md", "--no-cache", "--format=json"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert to_stdout.returncode == 2
    assert to_stdout.stderr.strip().splitlines()[-1] == (
        "linkcheck: error: cannot write standard output: No space left on device"
    )
    done = linkcheck("doc.md", "--no-cache", "--format=json", "-o", "report.json", cwd=tmp_path)
    assert done.returncode == 0
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["ok"] == 1
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_the_walk_skips_pipes_and_survives_loops_and_depth(tmp_path: Path, site: Host) -> None:
    root = doc(tmp_path / "docs", site.url("/ok"))
    os.mkfifo(root / "notes.md")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "x.md").symlink_to(root / "y.md")
    (root / "y.md").symlink_to(root / "x.md")
    deep = root
    for _ in range(1000):  # one level at a time: Path.mkdir(parents=True) itself recurses
        deep = deep / "d"
        deep.mkdir()
    (deep / "bottom.md").write_text(f"[deep]({site.url('/ok?deep=1')})\n")
    try:
        done = linkcheck("docs", "--format=json", "--no-cache", cwd=tmp_path, timeout=120)
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: take the tree down by hand
        (deep / "bottom.md").unlink()
        while deep != root:
            deep.rmdir()
            deep = deep.parent
    no_traceback(done.stderr)
    results = json_results(done.stdout)
    assert set(results) == {site.url("/ok"), site.url("/ok?deep=1")}
    assert "docs/notes.md: skipped: not a regular file" in done.stderr
    assert "docs/x.md: skipped:" in done.stderr
    assert "a folder already read (a symbolic link loop?)" in done.stderr
    assert done.returncode == 0


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path, site: Host) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    name = os.fsdecode(b"caf\xff.md")
    (folder / name).write_text(f"[x]({site.url('/missing')})\n")
    done = linkcheck("docs", "--format=json", "--no-cache", "-o", "r.json", cwd=tmp_path)
    no_traceback(done.stderr)
    assert done.returncode == 1
    raw = (tmp_path / "r.json").read_bytes()
    raw.decode("utf-8")  # valid UTF-8 throughout
    (result,) = json.loads(raw)["results"]
    assert result["locations"][0]["file"] == "docs/caf\\xff.md"
    stdout = linkcheck("docs", "--format=json", "--no-cache", cwd=tmp_path)
    json.loads(stdout.stdout)


def test_hostile_front_matter_is_skipped_and_the_body_checked(tmp_path: Path, site: Host) -> None:
    laughs = ["---", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        laughs.append(f"a{level}: &a{level} [{aliases}]")
    laughs += [f"source: {site.url('/ok?fm=1')}", "---", f"[body]({site.url('/ok?body=1')})"]
    (tmp_path / "laughs.md").write_text("\n".join(laughs) + "\n")
    deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n" + f"[body]({site.url('/ok?deep=1')})\n"
    (tmp_path / "deep.md").write_text(deep)
    done = linkcheck(
        "laughs.md", "deep.md", "--format=json", "--no-cache", cwd=tmp_path, timeout=60
    )
    no_traceback(done.stderr)
    results = json_results(done.stdout)
    assert site.url("/ok?body=1") in results and site.url("/ok?fm=1") in results
    assert site.url("/ok?deep=1") in results
    assert "deep.md: front matter skipped: nested too deeply" in done.stderr


def test_twenty_thousand_unclosed_comments(tmp_path: Path, site: Host) -> None:
    page = "<html><body><a href='" + site.url("/ok") + "'>a</a>" + "<!-- x " * 20000
    (tmp_path / "page.html").write_text(page)
    done = linkcheck("page.html", "--format=json", "--no-cache", cwd=tmp_path, timeout=60)
    no_traceback(done.stderr)
    assert set(json_results(done.stdout)) == {site.url("/ok")}


def test_an_unreadable_document_is_a_problem_in_every_format(tmp_path: Path, site: Host) -> None:
    doc(tmp_path, site.url("/ok"))
    (tmp_path / "data.md").write_bytes(b"\x00\x01binary\x00")
    for fmt in ("text", "json", "markdown", "github", "junit", "sarif"):
        done = linkcheck("doc.md", "data.md", f"--format={fmt}", "--no-cache", cwd=tmp_path)
        no_traceback(done.stderr)
        assert done.returncode == 1, (fmt, done.stdout)
        assert "data.md" in done.stdout and "binary file" in done.stdout, (fmt, done.stdout)
    results = json_results(
        linkcheck("doc.md", "data.md", "--format=json", "--no-cache", cwd=tmp_path).stdout
    )
    assert results["data.md"]["status"] == "unreadable"
    excluded = linkcheck("doc.md", "data.md", "--exclude-path=data.md", "--no-cache", cwd=tmp_path)
    assert excluded.returncode == 0
    walked = linkcheck(".", "--no-cache", "--format=json", cwd=tmp_path)  # found in a folder
    assert walked.returncode == 0 and "data.md: skipped: binary file" in walked.stderr
