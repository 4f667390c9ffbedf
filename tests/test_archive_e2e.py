"""`linkcheck archive` end to end: the real CLI against a fake web and a fake Wayback Machine."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakewayback import ACCESS, SECRET, FakeWayback, Fault, days_ago
from fakeweb import FakeWeb, Host, serve, wait_until

pytestmark = pytest.mark.e2e  # runs the real command line or real servers

KEYS = {"IA_ACCESS_KEY": ACCESS, "IA_SECRET_KEY": SECRET}


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    with serve(FakeWeb()) as host:
        yield host


def archive(
    tmp_path: Path,
    site: Host,
    base: str,
    urls: list[str],
    *args: str,
    env: dict[str, str] | None = None,
    manifest: str = "manifest.json",
) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]:
    (tmp_path / "doc.md").write_text(
        "\n\n".join(f"[source {i}]({u})" for i, u in enumerate(urls)) + "\n"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IA_")}
    environment["HOME"] = str(tmp_path)  # no ia.ini from the machine running the tests
    result = subprocess.run(
        [sys.executable, "-m", "linkcheck", "archive", "doc.md", "--manifest", manifest,
         "--wayback-url", base, "--canary", site.base, "--lookup-rate", "6000",
         "--capture-rate", "6000", "--poll-interval", "0.05s", "--retries", "1", *args],
        capture_output=True, text=True, cwd=tmp_path, env={**environment, **(env or {})},
        timeout=120,
    )  # fmt: skip
    entries: dict[str, dict[str, Any]] = {}
    if (tmp_path / manifest).exists() and manifest.endswith(".json"):
        entries = {e["url"]: e for e in json.loads((tmp_path / manifest).read_text())["entries"]}
    return result, entries


def start_archive(tmp_path: Path, site: Host, base: str, *args: str) -> subprocess.Popen[str]:
    """``linkcheck archive doc.md`` in the background, with keys, for tests that interrupt it."""
    return subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "archive", "doc.md", "--manifest", "m.json",
         "--wayback-url", base, "--canary", site.base, "--poll-interval", "0.05s", *args],
        cwd=tmp_path, env={**os.environ, **KEYS, "HOME": str(tmp_path)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_alive_dead_and_blocked_sources(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    fresh, recent = site.url("/ok"), site.url("/page")
    dead, dead_unarchived, blocked = (
        site.url("/gone"),
        site.url("/missing"),
        site.url("/status/403"),
    )
    quoted = site.url("/redirect/302") + "#:~:text=Hello"
    fake.add_capture(recent, days_ago(3))
    fake.add_capture(dead, days_ago(400))
    fake.add_capture(dead, days_ago(10), status=404)  # a capture of the error page: never suggested
    fake.add_capture(blocked, days_ago(100))
    result, entries = archive(
        tmp_path, site, base, [fresh, recent, dead, dead_unarchived, blocked, quoted],
        "--robust-links", "links.html", env=KEYS,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # the dead links fail the run, as in check
    snapshot = {url: e["snapshot"] for url, e in entries.items()}
    assert snapshot == {
        fresh: "captured",
        recent: "existing",
        dead: "suggested",
        dead_unarchived: "not_captured",
        blocked: "existing",
        quoted: "captured",
    }
    assert fake.submits == {fresh: 1, site.url("/redirect/302"): 1}
    assert entries[dead]["archive_url"].startswith(f"{base}/web/")
    assert entries[dead]["archived_at"][:4] == days_ago(400)[:4]
    # Save Page Now captures where the URL leads; the copy is verified as that page's.
    assert entries[quoted]["archive_url"].endswith("/ok#:~:text=Hello")
    assert entries[quoted]["verification"].startswith(
        f"a 200 capture of the page the URL redirects to ({site.url('/ok')})"
    )
    assert entries[quoted]["verification"].endswith("with the quoted words")
    assert {e["verified"] for e in entries.values() if e["archive_url"]} == {True}
    assert entries[fresh]["job_id"].startswith("spn2-")
    assert entries[fresh]["locations"] == [
        {"file": "doc.md", "line": 1, "column": 12, "text": "source 0"}
    ]
    payload = json.loads((tmp_path / "manifest.json").read_text())
    assert payload["generated_at"].endswith("Z")
    links = (tmp_path / "links.html").read_text()
    assert f'<a href="{fresh}" data-originalurl="{fresh}" data-versionurl="{base}/web/' in links
    assert 'data-versiondate="20' in links and ">source 0</a>" in links
    assert "1 captured" in result.stdout or "2 captured" in result.stdout

    # A second run within --reuse-within submits nothing, even though the index lags.
    fake.index_lag = True
    result, entries = archive(tmp_path, site, base, [fresh, recent, quoted], env=KEYS)
    assert sum(fake.submits.values()) == 2
    assert entries[fresh]["snapshot"] == "captured"
    assert "0 captures submitted" in result.stdout


def test_without_keys_lookups_only(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    old = site.url("/ok")
    fake.add_capture(old, days_ago(90))
    result, entries = archive(tmp_path, site, base, [old, site.url("/page")])
    assert (
        result.stderr.count("captures need Internet Archive keys (IA_ACCESS_KEY / IA_SECRET_KEY)")
        == 1
    )
    assert {e["snapshot"] for e in entries.values()} == {"not_captured"}
    assert entries[old]["archive_url"] is not None  # the old snapshot is still named
    assert "newest snapshot is from" in entries[old]["reason"]
    assert not any(method == "POST" for method, _ in fake.requests)


def test_keys_from_ia_ini(tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]) -> None:
    _, base = wayback
    config = tmp_path / ".config" / "internetarchive"
    config.mkdir(parents=True)
    (config / "ia.ini").write_text(f"[s3]\naccess = {ACCESS}\nsecret = {SECRET}\n")
    _, entries = archive(tmp_path, site, base, [site.url("/ok")])
    assert entries[site.url("/ok")]["snapshot"] == "captured"


def test_bad_keys_stop_every_capture(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    result, entries = archive(
        tmp_path, site, base, [site.url("/ok"), site.url("/page")],
        env={"IA_ACCESS_KEY": "wrong", "IA_SECRET_KEY": "also-wrong"},
    )  # fmt: skip
    assert "captures stopped: the Internet Archive refused the keys (HTTP 401)" in result.stderr
    assert result.returncode == 3  # the archive refused us: not the sources' fault
    assert {e["snapshot"] for e in entries.values()} == {"not_captured"}
    assert not any(method == "POST" for method, _ in fake.requests)


def test_account_refusal_stops_submitting(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    first, second = site.url("/ok"), site.url("/page")
    message = "You cannot make more than 30000 captures per day."
    for url in (first, second):
        fake.submit_errors[url] = ("error:too-many-daily-captures", message)
    result, entries = archive(
        tmp_path, site, base, [first, second], "--capture-rate", "60", env=KEYS
    )
    assert sum(fake.submits.values()) == 1
    assert sorted(e["snapshot"] for e in entries.values()) == ["failed", "not_captured"]
    assert result.stderr.count("captures stopped:") == 1


def test_per_url_errors_are_mapped(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    blocked, daily, failing = site.url("/ok"), site.url("/page"), site.url("/redirect/307")
    fake.submit_errors[blocked] = (
        "error:blocked-url",
        "This URL is in the Save Page Now blocklist",
    )
    fake.submit_errors[daily] = (
        "error:too-many-daily-captures",
        "This URL has been already captured 5 times today",
    )
    fake.job_errors[failing] = ("error:not-found", "Live page is not available: 404")
    _, entries = archive(tmp_path, site, base, [blocked, daily, failing], env=KEYS)
    assert (
        entries[blocked]["reason"]
        == "capture refused: the Wayback Machine refuses to capture this URL"
    )
    assert (
        entries[daily]["reason"]
        == "capture refused: captured too often today: the daily limit is reached"
    )
    assert (
        entries[failing]["reason"]
        == "capture refused: the page answered 404 to the Wayback Machine"
    )
    assert entries[failing]["job_id"].startswith("spn2-")
    assert sum(fake.submits.values()) == 3  # a per-URL refusal does not stop the others


def test_pending_jobs_rate_limits_and_uncertain_answers(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    fake.pending_polls = 3
    fake.faults.append(Fault("POST", "/save", 429, {"Retry-After": "1"}, count=1))
    fake.faults.append(Fault("GET", "/save/status/spn2-", 502, count=1))
    started = time.monotonic()
    _, entries = archive(tmp_path, site, base, [site.url("/ok")], env=KEYS)
    assert entries[site.url("/ok")]["snapshot"] == "captured"
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert sum(fake.polls.values()) == 4  # three pending, one success (after a 502, retried)
    assert all(fault.count == 0 for fault in fake.faults)

    fake.faults.append(Fault("POST", "/save", 520, count=1, still_capture=True))
    _, entries = archive(tmp_path, site, base, [site.url("/page")], env=KEYS)
    entry = entries[site.url("/page")]
    assert (entry["snapshot"], entry["reason"]) == ("captured", "captured (confirmed in the index)")
    assert fake.submits[site.url("/page")] == 1  # looked in the index instead of resubmitting


def test_sigkill_during_a_capture_then_resume(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    fake.pending_polls = 10_000
    url = site.url("/ok")
    (tmp_path / "doc.md").write_text(f"[a]({url})\n")
    process = start_archive(tmp_path, site, base)
    cache = tmp_path / ".linkcheck" / "cache.db"

    def job_recorded() -> bool:
        try:
            with sqlite3.connect(cache) as db:
                return db.execute("SELECT COUNT(*) FROM capture_jobs").fetchone()[0] == 1
        except sqlite3.Error:
            return False

    assert wait_until(job_recorded, timeout=30)
    assert wait_until(lambda: sum(fake.polls.values()) >= 2)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    for job in fake.jobs.values():
        job.polls_left = 1
    _, entries = archive(tmp_path, site, base, [url], env=KEYS)
    assert entries[url]["snapshot"] == "captured"
    assert fake.submits[url] == 1  # resumed by polling, never resubmitted


def test_the_secret_never_appears(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    fake.job_errors[site.url("/page")] = ("error:proxy-error", "proxy failed")
    result, _ = archive(
        tmp_path, site, base, [site.url("/ok"), site.url("/page")], env=KEYS,
        manifest="manifest.csv",
    )  # fmt: skip
    written = [result.stdout, result.stderr, (tmp_path / "manifest.csv").read_text()]
    written += [p.read_bytes().decode("latin-1") for p in (tmp_path / ".linkcheck").iterdir()]
    assert not any(SECRET in text for text in written)
    assert "captured" in (tmp_path / "manifest.csv").read_text()


def test_markdown_manifest_and_unreachable_wayback(tmp_path: Path, site: Host) -> None:
    result, _ = archive(
        tmp_path, site, "http://127.0.0.1:9", [site.url("/ok")], env=KEYS, manifest="m.md"
    )
    text = (tmp_path / "m.md").read_text()
    assert text.startswith("# Archive manifest")
    assert "the Wayback Machine (http://127.0.0.1:9) is unreachable" in text
    assert result.returncode == 3  # nothing could be archived: the archive's trouble, not ours
    assert "archive unavailable" in result.stdout


def test_bad_archive_options(tmp_path: Path, site: Host) -> None:
    result, _ = archive(tmp_path, site, "ftp://nowhere", [site.url("/ok")])
    assert result.returncode == 2
    assert "--wayback-url 'ftp://nowhere': expected an http(s) URL" in result.stderr


def test_ctrl_c_writes_the_manifest_so_far(
    tmp_path: Path, site: Host, wayback: tuple[FakeWayback, str]
) -> None:
    fake, base = wayback
    fake.pending_polls = 10_000
    existing = site.url("/page")
    fake.add_capture(existing, days_ago(1))
    (tmp_path / "doc.md").write_text(f"[a]({site.url('/ok')})\n\n[b]({existing})\n")
    process = start_archive(tmp_path, site, base, "--lookup-rate", "6000")
    assert wait_until(lambda: sum(fake.polls.values()) >= 2, timeout=30)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted: the manifest holds what was archived so far" in stderr
    entries = {e["url"]: e for e in json.loads((tmp_path / "m.json").read_text())["entries"]}
    assert entries[existing]["snapshot"] == "existing"
    assert entries[site.url("/ok")]["snapshot"] == "not_captured"
    assert "Traceback" not in stderr


def test_ctrl_c_while_a_lookup_waits_on_a_silent_index(tmp_path: Path, site: Host) -> None:
    """A lookup thread blocked on an index that never answers once kept the process alive
    after Ctrl-C (the interpreter's exit waits for worker threads)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(silent.accept()[0])  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    try:
        (tmp_path / "doc.md").write_text(f"[a]({site.url('/ok')})\n")
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        # No keys (lookups only), and httpx's engine: without pyreqwest loaded the process once
        # left through the interpreter's teardown, which joins the blocked lookup thread.
        env = {k: v for k, v in os.environ.items() if not k.startswith("IA_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "linkcheck", "archive", "doc.md", "--manifest", "m.json",
             "--wayback-url", base, "--canary", site.base, "--lookup-rate", "6000",
             "--http-engine", "httpx"],
            cwd=tmp_path, env={**env, "HOME": str(tmp_path)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # The reachability probe connects first; the lookup's connection is the second.
        assert wait_until(lambda: len(accepted) >= 2, timeout=60)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 130, stderr
        assert "interrupted: the manifest holds what was archived so far" in stderr
        assert (tmp_path / "m.json").exists()
    finally:
        silent.close()
        for connection in accepted:
            connection.close()
