"""`linkcheck PATH…` end to end: the real CLI against a fake web on loopback addresses."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import trustme
from fakeweb import FakeWeb, Host, gzip_bomb, refused_port, serve, wait_until

from helpers import run_linkcheck as linkcheck

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


@pytest.fixture(scope="module")
def web() -> FakeWeb:
    return FakeWeb(gzip_bomb=gzip_bomb(200))


def check_urls(
    tmp_path: Path, site: Host, urls: list[str], *args: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, dict[str, Any]], subprocess.CompletedProcess[str]]:
    """Check ``urls`` cited in one Markdown file; (exit code, results by URL, process)."""
    doc = tmp_path / "doc.md"
    doc.write_text("\n\n".join(f"[link {i}]({url})" for i, url in enumerate(urls)) + "\n")
    result = linkcheck(
        "doc.md",
        "--format",
        "json",
        "--no-cache",
        "--canary",
        site.base,
        *args,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode in (0, 1, 3), result.stderr
    payload = json.loads(result.stdout)
    return result.returncode, {r["url"]: r for r in payload["results"]}, result


def test_alive_redirected_and_dead(tmp_path: Path, site: Host) -> None:
    urls = {
        "ok": site.url("/ok"),
        "301": site.url("/redirect/301"),
        "308": site.url("/redirect/308"),
        "302": site.url("/redirect/302"),
        "307": site.url("/redirect/307"),
        "chain": site.url("/chain"),
        "404": site.url("/missing"),
        "410": site.url("/gone"),
        "400": site.url("/status/400"),
        "head405": site.url("/head405"),
    }
    code, results, _ = check_urls(tmp_path, site, list(urls.values()))
    status = {name: results[url]["status"] for name, url in urls.items()}
    assert status == {
        "ok": "ok",
        "301": "redirected",
        "308": "redirected",
        "302": "ok",
        "307": "ok",
        "chain": "ok",
        "404": "broken",
        "410": "broken",
        "400": "broken",
        "head405": "ok",
    }
    assert code == 1
    moved = results[urls["301"]]
    assert moved["final_url"] == site.url("/ok")
    assert moved["redirects"] == [site.url("/ok")]
    assert results[urls["chain"]]["redirects"] == [site.url("/chain2"), site.url("/ok")]
    assert results[urls["404"]]["reason"] == "HTTP 404 Not Found"
    assert results[urls["404"]]["http_status"] == 404
    assert results[urls["ok"]]["locations"] == [
        {"file": "doc.md", "line": 1, "column": 10, "text": "link 0"}
    ]


def test_redirect_loop_and_too_many_redirects(tmp_path: Path, site: Host) -> None:
    loop, endless = site.url("/loop/a"), site.url("/endless")
    _, results, _ = check_urls(tmp_path, site, [loop, endless], "--max-redirects", "5")
    assert results[loop]["status"] == "error"
    assert results[loop]["reason"] == "redirect loop after 2 hops"
    assert results[endless]["status"] == "error"
    assert results[endless]["reason"] == "more than 5 redirects"


def test_server_errors_retry_then_succeed_or_fail(tmp_path: Path, site: Host) -> None:
    flaky = site.url(f"/flaky503?key={uuid.uuid4().hex}")
    broken = site.url("/status/500")
    code, results, _ = check_urls(tmp_path, site, [flaky, broken], "--retries", "2")
    assert results[flaky]["status"] == "ok"
    assert results[broken]["status"] == "error"
    assert results[broken]["reason"] == "HTTP 500 Internal Server Error"
    assert code == 1


def test_rate_limit_honours_retry_after(tmp_path: Path, site: Host) -> None:
    limited = site.url(f"/ratelimited?key={uuid.uuid4().hex}")
    started = time.monotonic()
    _, results, _ = check_urls(tmp_path, site, [limited], "--retries", "1")
    assert results[limited]["status"] == "ok"
    assert time.monotonic() - started >= 1.0  # waited out Retry-After: 1


def test_rate_limit_longer_than_allowed_is_blocked_not_dead(tmp_path: Path, site: Host) -> None:
    limited = site.url("/ratelimited-long")
    code, results, _ = check_urls(tmp_path, site, [limited], "--max-retry-wait", "2")
    assert results[limited]["status"] == "blocked"
    assert "rate limited (asked to wait 3600 s)" in results[limited]["reason"]
    assert code == 0


def test_bot_challenge_is_blocked(tmp_path: Path, site: Host) -> None:
    url = site.url("/challenge")
    code, results, _ = check_urls(tmp_path, site, [url])
    assert results[url]["status"] == "blocked"
    assert "bot challenge" in results[url]["reason"]
    assert code == 0


def test_timeouts_slow_response_and_dripping_body(tmp_path: Path, site: Host) -> None:
    slow, drip = site.url("/slow?s=3"), site.url("/drip")
    started = time.monotonic()
    code, results, _ = check_urls(tmp_path, site, [slow, drip], "--timeout", "1")
    assert results[slow]["status"] == "timeout"
    assert results[drip]["status"] == "timeout"
    assert results[drip]["reason"] == "no complete response within 1 s"
    # Unbounded, the drip would take hours: any bound far below that says the deadline held,
    # and a loaded machine is nowhere near it.
    assert time.monotonic() - started < 120
    assert code == 1


def test_an_error_page_that_drips_is_reported_not_timed_out(tmp_path: Path, site: Host) -> None:
    # Its body is not needed; reading it to keep the connection gives up after a second.
    url = site.url("/drip404")
    started = time.monotonic()
    _, results, _ = check_urls(tmp_path, site, [url], "--timeout", "300")
    assert results[url]["status"] == "broken"
    assert results[url]["reason"] == "HTTP 404 Not Found"
    assert time.monotonic() - started < 150  # not the 300 s deadline


def test_huge_body_and_gzip_bomb_cost_no_more_than_the_cap(tmp_path: Path, site: Host) -> None:
    huge, bomb = site.url("/huge"), site.url("/gzip-bomb")
    started = time.monotonic()
    _, results, _ = check_urls(tmp_path, site, [huge, bomb])
    assert results[huge]["status"] == "ok"
    assert results[bomb]["status"] == "ok"
    assert time.monotonic() - started < 120  # not the 2 GB, nor the bomb's gigabytes


def test_soft_404s(tmp_path: Path, site: Host) -> None:
    soft, home = site.url("/soft404"), site.url("/deep/moved/page")
    _, results, _ = check_urls(tmp_path, site, [soft, home])
    # This site answers a page that does not exist with a real 404: a 200 page that says
    # "Page Not Found" is its content (see test_verdicts_e2e for the soft-404 sites).
    assert results[soft]["status"] == "ok"
    assert results[home]["status"] == "broken"
    assert results[home]["reason"] == "soft 404: redirected to the site's home page"


def test_refused_unresolvable_and_other_hosts(tmp_path: Path, site: Host, other_site: Host) -> None:
    refused = f"http://127.0.0.1:{refused_port()}/x"
    unknown = "http://no-such-host.invalid/page"
    other = other_site.url("/ok")
    code, results, _ = check_urls(tmp_path, site, [refused, unknown, other], "--retries", "0")
    assert results[refused]["status"] == "error"
    assert results[refused]["reason"] == "connection refused"
    assert results[unknown]["status"] == "broken"
    assert results[unknown]["reason"] == "DNS: name not found"
    assert results[other]["status"] == "ok"
    assert code == 1


def test_self_signed_tls(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    authority = trustme.CA()
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with serve(web, "127.0.0.1", tls=context) as secure:
        url = secure.url("/ok")
        _, results, _ = check_urls(tmp_path, site, [url], "--retries", "0")
        assert results[url]["status"] == "error"
        assert results[url]["reason"].startswith("TLS: certificate verify failed")
        _, results, _ = check_urls(tmp_path, site, [url], "--insecure")
        assert results[url]["status"] == "ok"
        bundle = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        _, results, _ = check_urls(tmp_path, site, [url], env={"SSL_CERT_FILE": str(bundle)})
        assert results[url]["status"] == "ok"


def test_proxy_from_the_environment_is_used(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    # The fake web answers absolute-URL requests as a forward proxy would.
    url = "http://through-the-proxy.invalid/ok"
    env = {"HTTP_PROXY": site.base, "http_proxy": site.base, "NO_PROXY": "", "no_proxy": ""}
    _, results, _ = check_urls(tmp_path, site, [url], "--retries", "0", env=env)
    assert results[url]["status"] == "ok"
    assert web.hits["proxied:through-the-proxy.invalid"] == 1


def test_offline_network_is_one_verdict_and_exit_3(tmp_path: Path, site: Host) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("[a](http://a.invalid/) [b](http://b.invalid/x) [c](http://c.invalid/)\n")
    result = linkcheck("doc.md", "--no-cache", "--canary", "http://canary.invalid/", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stdout.count("network unreachable") == 1
    assert "3 offline" in result.stdout
    assert "broken" not in result.stdout


def test_a_failing_citation_outranks_an_offline_network(tmp_path: Path, site: Host) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"[a](http://a.invalid/) [dead]({site.url('/status/404')})\n")
    result = linkcheck(
        "doc.md", "--no-cache", "--format", "json", "--canary", "http://canary.invalid/",
        cwd=tmp_path,
    )  # fmt: skip
    statuses = sorted(r["status"] for r in json.loads(result.stdout)["results"])
    assert statuses == ["broken", "offline"]
    assert result.returncode == 1  # exit 1 wins over exit 3: a dead link is dead either way


def test_exclude_include_remap_accept_and_private(
    tmp_path: Path, site: Host, other_site: Host
) -> None:
    excluded = "https://excluded.example/x"
    remapped = "https://mirror.example/ok"
    forbidden = site.url("/status/403")
    _, results, _ = check_urls(
        tmp_path,
        site,
        [excluded, remapped, forbidden],
        "--exclude",
        r"excluded\.example",
        "--remap",
        rf"^https://mirror\.example {site.base}",
        "--accept",
        "200..299,403",
    )
    assert results[excluded]["status"] == "excluded"
    assert results[remapped]["status"] == "ok"
    assert results[forbidden]["status"] == "ok"
    _, results, _ = check_urls(tmp_path, site, [site.url("/ok")], "--exclude-private")
    assert results[site.url("/ok")]["status"] == "excluded"
    assert results[site.url("/ok")]["reason"] == "private address (--exclude-private)"
    _, results, _ = check_urls(
        tmp_path, site, [site.url("/ok"), other_site.url("/ok")], "--include", "127\\.0\\.0\\.2"
    )
    assert results[site.url("/ok")]["status"] == "excluded"
    assert results[other_site.url("/ok")]["status"] == "ok"


def test_each_url_is_fetched_once(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    path = f"/page?key={uuid.uuid4().hex}"
    doc = tmp_path / "doc.md"
    doc.write_text(
        f"[a]({site.url(path)}) [b]({site.url(path)}#top) [c]({site.url(path)}#:~:text=Hello)\n"
    )
    before = web.hits["/page"]
    result = linkcheck(
        "doc.md", "--format", "json", "--no-cache", "--canary", site.base, cwd=tmp_path
    )
    payload = json.loads(result.stdout)
    assert web.hits["/page"] - before == 1
    assert len(payload["results"]) == 3


@pytest.mark.parametrize("engine", ["httpx", "reqwest"])
def test_one_host_is_checked_over_one_connection(tmp_path: Path, engine: str) -> None:
    # Redirects, error pages and bodies not needed (a PDF) are read to the end when small,
    # so the connection serves the next request instead of a new one being opened.
    web = FakeWeb()
    with serve(web, "127.0.0.3") as host:
        urls = [host.url(p) for p in ("/chain", "/missing", "/pdf", "/redirect/301", "/ok")]
        _, results, _ = check_urls(
            tmp_path, host, urls, "--per-host", "1", f"--http-engine={engine}"
        )
    assert [results[url]["status"] for url in urls] == [
        "ok",
        "broken",
        "ok",
        "redirected",
        "ok",
    ]
    assert sum(web.hits.values()) == 8
    if engine == "httpx":
        assert len(web.connections) == 1
    else:
        # hyper hands a finished connection back to its pool on its own thread: on a busy
        # machine the next request can start first and open another. Still, most are reused.
        assert len(web.connections) <= 3


def test_local_files_mailto_and_invalid(tmp_path: Path, site: Host) -> None:
    (tmp_path / "exists.md").write_text("# Here\n")
    doc = tmp_path / "doc.md"
    doc.write_text(
        "[e](exists.md) [m](missing.md) [mail](mailto:a@b.org) [bad](http://) [ftp](ftp://x.org/)\n"
    )
    result = linkcheck(
        "doc.md", "--format", "json", "--no-cache", "--canary", site.base, cwd=tmp_path
    )
    statuses = {r["url"]: (r["status"], r["reason"]) for r in json.loads(result.stdout)["results"]}
    assert statuses == {
        "exists.md": ("ok", "file exists"),
        "missing.md": ("broken", "file not found: missing.md"),
        "mailto:a@b.org": ("ok", "valid mailto: syntax (not contacted)"),
        "http://": ("invalid", "URL has no host"),
        "ftp://x.org/": ("unsupported", "ftp: links are not checked"),
    }
    assert result.returncode == 1


def test_text_report_groups_problems_with_locations(tmp_path: Path, site: Host) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"Intro.\n\n[dead]({site.url('/missing')}) and [fine]({site.url('/ok')})\n")
    result = linkcheck(
        "doc.md", "--no-cache", "--canary", site.base, cwd=tmp_path, env={"NO_COLOR": "1"}
    )
    assert result.returncode == 1
    assert "✗ broken (1)" in result.stdout
    assert f"doc.md:3:8  {site.url('/missing')}" in result.stdout
    assert "HTTP 404 Not Found" in result.stdout
    assert "2 citations, 2 URLs: 1 ok, 1 broken" in result.stdout


def test_github_markdown_and_junit_formats(tmp_path: Path, site: Host) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"[dead]({site.url('/missing')})\n[moved]({site.url('/redirect/301')})\n")
    summary_file = tmp_path / "summary.md"
    base = ["doc.md", "--no-cache", "--canary", site.base, "--format"]
    github = linkcheck(
        *base, "github", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary_file)}
    )
    assert (
        f"::error file=doc.md,line=1,col=8,title=linkcheck%3A broken::{site.url('/missing')}"
        in github.stdout
    )
    assert "::warning file=doc.md,line=2,col=9,title=linkcheck%3A redirected::" in github.stdout
    assert "| ❌ broken | `doc.md:1:8` |" in summary_file.read_text()
    markdown = linkcheck(*base, "markdown", cwd=tmp_path)
    assert "2 URLs checked: 1 redirected, 1 broken." in markdown.stdout
    junit_file = tmp_path / "junit.xml"
    linkcheck(*base, "junit", "-o", str(junit_file), cwd=tmp_path)
    from xml.etree import ElementTree

    suite = ElementTree.parse(junit_file).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")


def test_cache_reuses_results_and_survives_sigkill(
    tmp_path: Path, site: Host, web: FakeWeb
) -> None:
    token = uuid.uuid4().hex
    fast = [site.url(f"/page?key={token}-{i}") for i in range(5)]
    slow = site.url(f"/slow?s=30&key={token}")
    doc = tmp_path / "doc.md"
    doc.write_text("\n\n".join(f"[x]({u})" for u in [*fast, slow]) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "doc.md", "--canary", site.base, "--timeout", "60"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cache_file = tmp_path / ".linkcheck" / "cache.db"

    def finished_rows() -> int:
        if not cache_file.exists():
            return 0
        try:
            with sqlite3.connect(cache_file) as db:
                return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        except sqlite3.Error:
            return 0

    assert wait_until(lambda: finished_rows() == 5, timeout=30)
    process.send_signal(signal.SIGKILL)
    process.wait()
    hits_before = web.hits["/page"]
    result = linkcheck(
        "doc.md", "--format", "json", "--canary", site.base, "--exclude", "/slow", cwd=tmp_path
    )
    results = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert all(results[u]["cached"] and results[u]["status"] == "ok" for u in fast)
    assert web.hits["/page"] == hits_before

    info = linkcheck("cache", "info", cwd=tmp_path)
    assert "5 results" in info.stdout and "ok: 5" in info.stdout
    cleared = linkcheck("cache", "clear", cwd=tmp_path)
    assert "removed 5 results" in cleared.stdout


def test_fail_after_counts_consecutive_failing_runs(tmp_path: Path, site: Host) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"[x]({site.url('/status/500')})\n")
    args = [
        "doc.md",
        "--canary",
        site.base,
        "--retries",
        "0",
        "--fail-after",
        "2",
        "--format",
        "json",
    ]
    first = linkcheck(*args, cwd=tmp_path)
    assert first.returncode == 0
    assert json.loads(first.stdout)["results"][0]["consecutive_failures"] == 1
    second = linkcheck(*args, cwd=tmp_path)
    assert second.returncode == 1
    assert json.loads(second.stdout)["results"][0]["consecutive_failures"] == 2


def test_two_runs_at_once_share_the_cache(tmp_path: Path, site: Host) -> None:
    token = uuid.uuid4().hex
    for name in ("a", "b"):
        urls = [site.url(f"/page?key={token}-{name}-{i}") for i in range(40)]
        (tmp_path / f"{name}.md").write_text("\n\n".join(f"[x]({u})" for u in urls) + "\n")
    command = [
        sys.executable,
        "-m",
        "linkcheck",
        "check",
        "--canary",
        site.base,
        "--format",
        "json",
    ]
    runs = [
        subprocess.Popen(
            [*command, f"{name}.md"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    finished = [run.communicate(timeout=120) for run in runs]
    outputs = [out for out, _ in finished]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in finished]
    assert all(json.loads(out)["summary"]["ok"] == 40 for out in outputs)
    with sqlite3.connect(tmp_path / ".linkcheck" / "cache.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 80


def test_a_paced_host_is_asked_on_schedule_and_left_alone_inside_a_retry_after(
    tmp_path: Path,
) -> None:
    """From the server's own log: requests to a host paced 100 ms apart arrive 100 ms apart
    (to the few milliseconds a loaded machine adds), the run keeps that schedule, and after a
    429 with Retry-After: 1 the host hears nothing for that second."""
    import itertools

    web = FakeWeb()
    with serve(web) as host:
        urls = [host.url(f"/ok?key=p{n}") for n in range(12)]
        urls.insert(4, host.url("/ratelimited?key=rl"))
        (tmp_path / "doc.md").write_text("\n".join(f"[s{n}]({u})" for n, u in enumerate(urls)))
        done = linkcheck(
            "doc.md", "--no-cache", "--host-interval", "0.1", "--per-host", "4",
            "--canary", host.base, "--format", "json", cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    times = [t for t, _ in web.arrivals]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 - 0.015, gaps  # never sooner than the interval, give or take
    limited = next(t for t, path in web.arrivals if path.startswith("/ratelimited"))
    assert not [t for t in times if limited < t < limited + 1.0 - 0.015]  # the hold kept
    # 13 requests, 12 intervals, one 1 s hold: on schedule, not an interval late each time.
    assert times[-1] - times[0] < 12 * 0.1 + 1.0 + 0.35
