"""Honest verdicts on the real web's quirks: the real CLI against loopback sites that have them.

Hosts: 127.0.0.1 the plain fake web, 127.0.0.2 a second ordinary host, 127.0.0.4 and
127.0.0.8 soft-404 sites, 127.0.0.5/.6 the hosts of the token tests, 127.0.0.7 GitHub and
YouTube stand-ins reached through --remap.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import trustme
from fakeweb import FakeWeb, Host, refused_port, serve

from helpers import run_linkcheck as linkcheck

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def check(
    tmp_path: Path, urls: list[str], *args: str, canary: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, dict[str, Any]], str, str]:
    """Check ``urls`` cited in one document: (exit code, results by URL, stdout, stderr)."""
    doc = tmp_path / "doc.md"
    doc.write_text("\n\n".join(f"[link {i}]({url})" for i, url in enumerate(urls)) + "\n")
    result = linkcheck(
        "doc.md", "--format", "json", "--canary", canary, *args, cwd=tmp_path, env=env
    )
    assert result.returncode in (0, 1, 3), result.stderr
    payload = json.loads(result.stdout)
    return (
        result.returncode,
        {r["url"]: r for r in payload["results"]},
        result.stdout,
        result.stderr,
    )


def test_our_own_queue_is_never_the_servers_timeout(tmp_path: Path, site: Host) -> None:
    # One URL is rate-limited (429, Retry-After: 1), one is unavailable twice (503, Retry-After:
    # 1): the host is slowed down to one request a second, so the others wait their turn for
    # many seconds, redirect hops included. None of that waiting is the server's slowness.
    key = uuid.uuid4().hex
    urls = [site.url(f"/ratelimited?key={key}"), site.url(f"/unavailable-twice?key={key}")]
    urls += [site.url(f"/redirect/301?n={n}") for n in range(4)]
    urls += [site.url(f"/chain?n={n}") for n in range(4)]
    urls += [site.url(f"/ok?n={n}") for n in range(4)]
    started = time.monotonic()
    code, results, _, _ = check(tmp_path, urls, "--no-cache", "--timeout", "4", canary=site.base)
    statuses = {url: results[url]["status"] for url in urls}
    assert set(statuses.values()) <= {"ok", "redirected"}, statuses
    assert code == 0
    assert time.monotonic() - started < 90


def test_a_host_that_always_rate_limits_is_blocked_in_bounded_time(
    tmp_path: Path, site: Host, other_site: Host
) -> None:
    limited = [site.url(f"/always429?n={n}") for n in range(20)]
    others = [other_site.url(f"/ok?n={n}") for n in range(5)]
    started = time.monotonic()
    _, results, _, _ = check(tmp_path, limited + others, "--no-cache", canary=site.base)
    elapsed = time.monotonic() - started
    assert {results[url]["status"] for url in limited} == {"blocked"}
    reasons = {results[url]["reason"] for url in limited}
    assert any("kept rate-limiting us" in reason for reason in reasons), reasons
    assert {results[url]["status"] for url in others} == {"ok"}
    assert elapsed < 40, elapsed


def test_loopback_refusals_and_tls_failures_are_answers_not_offline(
    tmp_path: Path, site: Host, web: FakeWeb
) -> None:
    authority = trustme.CA()
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    refused = f"http://127.0.0.1:{refused_port()}/x"
    plain_as_tls = site.url("/ok").replace("http://", "https://")
    with serve(web, "127.0.0.1", tls=context) as secure:
        self_signed = secure.url("/ok")
        code, results, _, _ = check(
            tmp_path,
            [refused, plain_as_tls, self_signed],
            "--no-cache",
            "--retries",
            "0",
            canary="http://canary.invalid/",  # the "internet" is down
        )
    assert results[refused]["status"] == "error"
    assert results[refused]["reason"] == "connection refused"
    assert results[plain_as_tls]["status"] == "error"
    assert results[plain_as_tls]["reason"].startswith("TLS: ")
    assert results[self_signed]["status"] == "error"
    assert results[self_signed]["reason"].startswith("TLS: certificate verify failed")
    assert code == 1


def test_a_dropped_keep_alive_connection_is_resent_not_an_error(
    tmp_path: Path, site: Host, web: FakeWeb
) -> None:
    key = uuid.uuid4().hex
    urls = [site.url(f"/ok?n={n}") for n in range(7)] + [site.url(f"/drop-once?key={key}")]
    _, results, _, _ = check(
        tmp_path, urls, "--no-cache", "--retries", "0", "--per-host", "1", canary=site.base
    )
    assert {results[url]["status"] for url in urls} == {"ok"}
    assert web.hits[f"drop-once:{key}"] == 2


@pytest.mark.parametrize("path", ["/brotli", "/zstd", "/raw-deflate"])
def test_bodies_in_any_encoding_are_decoded(tmp_path: Path, site: Host, path: str) -> None:
    url = site.url(f"{path}#:~:text=lazy%20dog")
    _, results, _, _ = check(tmp_path, [url], "--no-cache", canary=site.base)
    assert results[url]["status"] == "ok", results[url]["reason"]
    assert results[url]["fragments"][0]["found"] is True


@pytest.mark.parametrize(
    ("title", "address"),
    [("Seite nicht gefunden", "127.0.0.4"), ("ページが見つかりません", "127.0.0.8")],
)
def test_soft_404s_are_judged_against_the_sites_own_not_found_answer(
    tmp_path: Path, site: Host, title: str, address: str
) -> None:
    article = site.url("/mdn-article")  # a live article about the 404 status, on a real-404 site
    with serve(FakeWeb(soft_404_title=title), address) as soft_site:
        missing = soft_site.url("/articles/gone-for-good")
        real = soft_site.url("/ok")
        _, results, _, _ = check(tmp_path, [article, missing, real], "--no-cache", canary=site.base)
    assert results[article]["status"] == "ok"
    assert results[missing]["status"] == "broken"
    assert results[missing]["reason"].startswith(f'soft 404: page says "{title}"')
    assert results[real]["status"] == "ok"


def test_status_quirks_and_bot_walls(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    web.pages["/cf-challenge"] = (
        503,
        {"Server": "cloudflare"},
        b"<html><head><title>Just a moment...</title></head>"
        b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate'></script></html>",
    )
    web.pages["/aws-waf"] = (202, {"x-amzn-waf-action": "challenge"}, b"")
    urls = {
        "multiple": site.url("/multiple-choices"),
        "linkedin": site.url("/status/999"),
        "cdn_down": site.url("/status/521"),
        "cloudflare": site.url("/cf-challenge"),
        "aws": site.url("/aws-waf"),
        "cookie_wall": site.url("/cookie-wall"),
        "loop": site.url("/loop/a"),
    }
    code, results, _, _ = check(
        tmp_path, list(urls.values()), "--no-cache", "--retries", "0", canary=site.base
    )
    verdicts = {
        name: (results[url]["status"], results[url]["reason"]) for name, url in urls.items()
    }
    assert verdicts["multiple"] == ("ok", "HTTP 200 OK after 1 redirect(s)")
    assert verdicts["linkedin"] == ("blocked", "HTTP 999: LinkedIn refuses robots")
    assert verdicts["cdn_down"] == (
        "error",
        "HTTP 521: the site's CDN found the origin server down",
    )
    assert verdicts["cloudflare"] == (
        "blocked",
        "HTTP 503 Service Unavailable: Cloudflare bot challenge",
    )
    assert verdicts["aws"] == ("blocked", "HTTP 202 Accepted: AWS WAF bot challenge")
    assert verdicts["cookie_wall"][0] == "ok"
    assert verdicts["loop"] == ("error", "redirect loop after 2 hops")
    assert code == 1


def test_the_cookie_jar_is_loaded_and_saved(tmp_path: Path, site: Host) -> None:
    jar = tmp_path / "cookies.txt"
    _, results, _, _ = check(
        tmp_path,
        [site.url("/cookie-wall")],
        "--no-cache",
        "--cookie-jar",
        str(jar),
        canary=site.base,
    )
    assert results[site.url("/cookie-wall")]["status"] == "ok"
    assert "consent\tyes" in jar.read_text()
    jar.write_text("not a cookie file\n")
    result = linkcheck("doc.md", "--no-cache", "--cookie-jar", str(jar), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("linkcheck: error: --cookie-jar ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_per_host_settings_and_secrets(tmp_path: Path, web: FakeWeb) -> None:
    secret = "s3cret-t0ken"
    with serve(web, "127.0.0.5") as tokened, serve(web, "127.0.0.6") as elsewhere:
        (tmp_path / "linkcheck.toml").write_text(
            'cache-file = "cache.db"\n'
            '[hosts."127.0.0.5"]\n'
            'headers = { Authorization = "Bearer ${TEST_TOKEN}" }\n'
            'accept = "200..299,404"\n'
            '[hosts."127.0.0.*"]\n'
            "timeout = 1\n"
        )
        echo = elsewhere.url(f"/echo-auth-{uuid.uuid4().hex}")
        urls = {
            "token": tokened.url("/needs-token"),
            "redirected": tokened.url(f"/token-redirect?to={echo}"),
            "accepted": tokened.url("/status/404"),
            "not_accepted": elsewhere.url("/status/404"),
            "slow": elsewhere.url("/slow?s=3"),
        }
        env = {"TEST_TOKEN": secret}
        outputs = []
        for fmt in ("json", "text", "markdown", "github", "junit", "sarif"):
            done = linkcheck(
                "doc.md",
                f"--format={fmt}",
                "--max-age=0",
                f"--canary={tokened.base}",
                cwd=_write_doc(tmp_path, urls.values()),
                env=env,
            )
            assert done.returncode == 1, done.stderr
            outputs.append(done.stdout + done.stderr)
            if fmt == "json":
                results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    assert results[urls["token"]]["status"] == "ok"
    assert results[urls["accepted"]]["status"] == "ok"
    assert results[urls["not_accepted"]]["status"] == "broken"
    assert results[urls["slow"]]["status"] == "timeout"
    assert results[urls["redirected"]]["status"] == "broken"  # the echo page is a 404
    echo_path = echo.removeprefix(elsewhere.base)
    assert web.authorizations[echo_path] and not any(web.authorizations[echo_path])
    assert all(secret not in output for output in outputs)
    assert secret.encode() not in (tmp_path / "cache.db").read_bytes()
    with sqlite3.connect(tmp_path / "cache.db") as db:
        assert all(secret not in str(row) for row in db.execute("SELECT * FROM results"))


def _write_doc(directory: Path, urls: Any) -> Path:
    (directory / "doc.md").write_text("\n\n".join(f"[x]({url})" for url in urls) + "\n")
    return directory


def test_a_host_header_whose_variable_is_unset_is_not_sent(tmp_path: Path, site: Host) -> None:
    (tmp_path / "linkcheck.toml").write_text(
        '[hosts."127.0.0.1"]\nheaders = { Authorization = "Bearer ${NO_SUCH_TOKEN_VAR}" }\n'
    )
    result = linkcheck(
        "doc.md",
        "--format=json",
        "--no-cache",
        cwd=_write_doc(tmp_path, [site.url("/needs-token")]),
    )
    assert result.returncode == 0
    assert "needs $NO_SUCH_TOKEN_VAR, which is not set: not sent" in result.stderr
    assert json.loads(result.stdout)["results"][0]["status"] == "blocked"


def test_bad_host_settings_are_one_line(tmp_path: Path, site: Host) -> None:
    (tmp_path / "linkcheck.toml").write_text('[hosts."x.example"]\ntimeout = "soon"\n')
    result = linkcheck("doc.md", "--no-cache", cwd=_write_doc(tmp_path, [site.url("/ok")]))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "linkcheck: error: linkcheck.toml: [hosts.\"x.example\"] timeout 'soon': "
        "expected a duration like 90s, 30m, 12h or 1d"
    )


def test_github_anchors_and_line_numbers(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    with serve(web, "127.0.0.7") as github:
        remaps = [
            "--remap",
            rf"^https://github\.com/(.*) {github.base}/gh/\1",
            "--remap",
            rf"^https://raw\.githubusercontent\.com/(.*) {github.base}/raw/\1",
        ]
        urls = {
            "readme_heading": "https://github.com/o/r#installation",
            "missing_heading": "https://github.com/o/r#no-such-heading",
            "lines": "https://github.com/o/r/blob/main/src/f.py#L10-L20",
            "line": "https://github.com/o/r/blob/main/src/f.py#L42",
            "past_the_end": "https://github.com/o/r/blob/main/src/f.py#L50",
        }
        _, results, _, _ = check(
            tmp_path, list(urls.values()), "--no-cache", *remaps, canary=site.base
        )
    verdicts = {name: results[url]["status"] for name, url in urls.items()}
    assert verdicts == {
        "readme_heading": "ok",
        "missing_heading": "fragment_missing",
        "lines": "ok",
        "line": "ok",
        "past_the_end": "fragment_missing",
    }
    assert "no line 50: the file has 42 lines" in results[urls["past_the_end"]]["reason"]


def test_a_removed_youtube_video_is_broken(tmp_path: Path, site: Host, web: FakeWeb) -> None:
    with serve(web, "127.0.0.7") as youtube:
        remaps = ["--remap", rf"^https://www\.youtube\.com/(.*) {youtube.base}/yt/\1"]
        present = "https://www.youtube.com/watch?v=present123"
        removed = "https://www.youtube.com/watch?v=removed123"
        _, results, _, _ = check(
            tmp_path, [present, removed], "--no-cache", *remaps, canary=site.base
        )
    assert results[present]["status"] == "ok"
    assert results[removed]["status"] == "broken"
    assert results[removed]["reason"] == "YouTube: the video is unavailable (oEmbed answered 404)"


def test_end_of_run_hints(tmp_path: Path, site: Host) -> None:
    urls = [site.url(f"/always429?n={n}") for n in range(3)] + [site.url("/status/999")]
    result = linkcheck(
        "doc.md", "--no-cache", "--retries=0", "--canary", site.base, cwd=_write_doc(tmp_path, urls)
    )
    assert "3 URLs on 127.0.0.1 were rate-limited" in result.stdout
    assert '[hosts."127.0.0.1"] interval = 1' in result.stdout
    assert "1 host blocks robots: blocked is not a failure (see --fail-on)" in result.stdout
    assert result.returncode == 0
    quiet = linkcheck(
        "doc.md", "--no-cache", "--canary", site.base, cwd=_write_doc(tmp_path, [site.url("/ok")])
    )
    assert "rate-limited" not in quiet.stdout and "robots" not in quiet.stdout
