"""Worker processes, shards, both HTTP engines and the warm rerun, end to end.

Five fake hosts (127.0.0.10-14) serve the same fake web; timings are measured in bench/, not
here: these tests check that the fast paths give the same answers as the plain ones.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import trustme
from fakeweb import FakeWeb, Host, refused_port, serve, wait_until

from helpers import run_linkcheck as linkcheck
from linkcheck.extract import FORMATS

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


@pytest.fixture(scope="module")
def hosts(web: FakeWeb) -> Iterator[list[Host]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve(web, f"127.0.0.{n}")) for n in range(10, 15)]


def corpus(tmp_path: Path, hosts: list[Host], count: int, key: str) -> list[str]:
    """A document citing ``count`` URLs spread over the hosts, some of them broken."""
    urls = []
    for n in range(count):
        path = "/missing" if n % 10 == 0 else "/ok"
        urls.append(hosts[n % len(hosts)].url(f"{path}?n={n}&key={key}"))
    (tmp_path / "doc.md").write_text("\n\n".join(f"[x{n}]({u})" for n, u in enumerate(urls)))
    return urls


def verdicts(stdout: str) -> dict[str, str]:
    return {r["url"]: r["status"] for r in json.loads(stdout)["results"]}


def test_worker_processes_give_the_answers_of_one(tmp_path: Path, hosts: list[Host]) -> None:
    urls = corpus(tmp_path, hosts, 300, uuid.uuid4().hex)
    canary = f"--canary={hosts[0].base}"
    alone = linkcheck("doc.md", "--format=json", "--jobs=1", "--no-cache", canary, cwd=tmp_path)
    shared = linkcheck("doc.md", "--format=json", "--jobs=3", canary, cwd=tmp_path)
    assert alone.returncode == shared.returncode == 1, shared.stderr
    assert verdicts(shared.stdout) == verdicts(alone.stdout)
    assert len(verdicts(shared.stdout)) == len(urls)
    rerun = linkcheck("doc.md", "--format=json", "--jobs=3", canary, cwd=tmp_path)
    cached = [r for r in json.loads(rerun.stdout)["results"] if r["cached"]]
    assert len(cached) == 270  # every live result was recorded by the main process
    assert verdicts(rerun.stdout) == verdicts(alone.stdout)


def recorded(cache: Path) -> int:
    """Results the run has written to its cache so far (0 before the file exists)."""
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM results").fetchone()[0])
    except sqlite3.Error:
        return 0


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in found.split()]


def test_a_worker_that_dies_is_reported_and_the_rest_kept(
    tmp_path: Path, hosts: list[Host]
) -> None:
    urls = corpus(tmp_path, hosts, 300, uuid.uuid4().hex)
    slow = [host.url(f"/slow?s=30&key={uuid.uuid4().hex}") for host in hosts]
    with (tmp_path / "doc.md").open("a") as doc:
        doc.write("".join(f"\n\n[slow]({url})" for url in slow))
    process = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "doc.md", "--format=json", "--jobs=2",
         "--cache-file=cache.db", "--timeout=60", f"--canary={hosts[0].base}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert wait_until(lambda: len(children(process.pid)) == 2, timeout=30)
    # The fast URLs are done when the main process has recorded them; the slow ones wait.
    assert wait_until(lambda: recorded(tmp_path / "cache.db") >= len(urls), timeout=120)
    os.kill(children(process.pid)[0], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    results = {r["url"]: r for r in json.loads(stdout)["results"]}
    assert len(results) == len(urls) + len(slow)
    died = [r for r in results.values() if "worker process checking it died" in r["reason"]]
    assert died and all(r["status"] == "error" and r["url"] in slow for r in died)
    assert "exit code -9" in died[0]["reason"]
    assert {results[url]["status"] for url in urls} == {"ok", "broken"}


def test_ctrl_c_stops_every_worker(tmp_path: Path, hosts: list[Host]) -> None:
    corpus(tmp_path, hosts, 250, uuid.uuid4().hex)
    with (tmp_path / "doc.md").open("a") as doc:
        doc.write(
            "".join(f"\n\n[slow]({h.url(f'/slow?s=30&k={uuid.uuid4().hex}')})" for h in hosts)
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "doc.md", "--jobs=2", "--no-cache", "--timeout=60",
         f"--canary={hosts[0].base}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert wait_until(lambda: len(children(process.pid)) == 2, timeout=30)
    workers = children(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "linkcheck: interrupted" in stderr and "Traceback" not in stderr
    assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 10)


def test_shards_merge_into_the_whole_run(tmp_path: Path, hosts: list[Host]) -> None:
    corpus(tmp_path, hosts, 60, uuid.uuid4().hex)
    with (tmp_path / "doc.md").open("a") as doc:
        doc.write("\n\n[local](doc.md) [missing](nope.md)\n")
    canary = f"--canary={hosts[0].base}"
    whole = linkcheck("doc.md", "--format=json", "--no-cache", canary, cwd=tmp_path)
    for index in (1, 2, 3):
        shard = linkcheck(
            "doc.md", f"--shard={index}/3", "--format=json", "--no-cache", canary,
            "-o", f"shard{index}.json", cwd=tmp_path,
        )  # fmt: skip
        assert shard.returncode in (0, 1), shard.stderr
    parts = [verdicts((tmp_path / f"shard{i}.json").read_text()) for i in (1, 2, 3)]
    assert sum(len(part) for part in parts) == len(verdicts(whole.stdout))  # disjoint
    merged = linkcheck(
        "merge", "shard1.json", "shard2.json", "shard3.json", "--format=json", cwd=tmp_path
    )
    assert merged.returncode == whole.returncode == 1
    assert verdicts(merged.stdout) == verdicts(whole.stdout)
    text = linkcheck("merge", "shard1.json", "shard2.json", "shard3.json", cwd=tmp_path)
    assert "nope.md" in text.stdout and text.returncode == 1
    bad = linkcheck("merge", "doc.md", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("linkcheck: error: doc.md: not a JSON")
    wrong = linkcheck("doc.md", "--shard=4/3", cwd=tmp_path)
    assert wrong.returncode == 2 and "--shard '4/3': expected I/N" in wrong.stderr


@pytest.mark.parametrize("engine", ["reqwest", "httpx"])
def test_both_engines_tell_the_same_faults_apart(
    tmp_path: Path, hosts: list[Host], web: FakeWeb, engine: str
) -> None:
    authority = trustme.CA()
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    site = hosts[0]
    with serve(web, "127.0.0.1", tls=context) as secure:
        faults: dict[str, tuple[str, Any]] = {
            site.url("/ok"): ("ok", "HTTP 200 OK"),
            site.url("/missing"): ("broken", "HTTP 404 Not Found"),
            "http://no-such-host.invalid/": ("broken", "DNS: name not found"),
            f"http://127.0.0.1:{refused_port()}/": ("error", "connection refused"),
            secure.url("/ok"): ("error", "TLS: certificate verify failed"),
            site.url("/ok").replace("http:", "https:"): ("error", "TLS: "),
            site.url("/slow?s=5"): ("timeout", "no complete response within 2 s"),
            site.url("/drip404"): ("broken", "HTTP 404 Not Found"),
            site.url(f"/drop-once?key={uuid.uuid4().hex}"): ("ok", "HTTP 200 OK"),
            site.url("/gzip-bomb"): ("ok", "HTTP 200 OK"),
            site.url("/brotli#:~:text=lazy%20dog"): ("ok", "HTTP 200 OK"),
        }
        (tmp_path / "doc.md").write_text("\n\n".join(f"[x]({url})" for url in faults))
        done = linkcheck(
            "doc.md", "--format=json", "--no-cache", "--retries=0", "--timeout=2",
            f"--http-engine={engine}", f"--canary={site.base}", cwd=tmp_path,
        )  # fmt: skip
    results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    for url, (status, reason) in faults.items():
        assert results[url]["status"] == status, (url, results[url]["reason"])
        assert results[url]["reason"].startswith(reason), (url, results[url]["reason"])


def test_a_warm_rerun_loads_no_http_machinery(tmp_path: Path, hosts: list[Host]) -> None:
    corpus(tmp_path, hosts, 50, uuid.uuid4().hex)
    (tmp_path / "doc.md").write_text(
        "\n\n".join(f"[x]({h.url(f'/ok?n={n}')})" for n, h in enumerate(hosts * 10))
    )
    first = linkcheck("doc.md", "-q", f"--canary={hosts[0].base}", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    warm = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "linkcheck", "doc.md", "-q", "--format=json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert warm.returncode == 0
    modules = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines()}
    assert all(r["cached"] for r in json.loads(warm.stdout)["results"])
    heavy = {"httpx", "pyreqwest", "asyncio", "rich", "bs4", "lxml", "tenacity", "multiprocessing"}
    # The other formats' readers load with the first document of their format, not before.
    heavy |= {"docutils", "nbformat", "bibtexparser", "pylatexenc", "pypdfium2"}
    assert modules & heavy == set(), sorted(modules & heavy)
    readers = {fmt.reader_module for fmt in FORMATS}
    # Markdown's reader, and the readers it hands inline HTML and prose to.
    markdown = {f"linkcheck.extract.{name}" for name in ("markdown", "html", "text")}
    assert markdown <= readers
    assert modules & readers == markdown, sorted(modules & readers)
