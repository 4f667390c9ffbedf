"""An archive manifest that never lies, end to end: every copy verified before it is named,
copies from a second archive through a Memento TimeMap, Save Page Now's real answers, and a
kill -9 in the middle of capturing 50 sources."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakewayback import (
    ACCESS,
    SECRET,
    FakeArchive,
    FakeWayback,
    Fault,
    days_ago,
    serve_archive,
)
from fakeweb import PAGE, FakeWeb, Host, serve, wait_until

pytestmark = pytest.mark.e2e

KEYS = {"IA_ACCESS_KEY": ACCESS, "IA_SECRET_KEY": SECRET}
ARTICLE = (
    b"<!doctype html><html><head><title>Border report</title></head><body>"
    b"<p>Nine straight months of zero releases, unmatched in modern history.</p></body></html>"
)
WALL = (
    b"<!doctype html><html><head><title>Just a moment...</title></head><body>"
    b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
QUOTE = "#:~:text=Nine%20straight%20months"


@pytest.fixture
def web() -> Iterator[tuple[FakeWeb, Host]]:
    fake = FakeWeb()
    fake.pages["/article"] = (200, {}, ARTICLE)
    with serve(fake) as host:
        yield fake, host


def run_archive(
    tmp_path: Path,
    host: Host,
    base: str,
    document: str,
    *args: str,
    keys: bool = True,
) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]:
    (tmp_path / "doc.md").write_text(document)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IA_")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "linkcheck", "archive", "doc.md", "--manifest", "m.json",
         "--wayback-url", base, "--canary", host.base, "--lookup-rate", "6000",
         "--capture-rate", "6000", "--verify-rate", "6000", "--poll-interval", "0.05s",
         "--retries", "1", "--max-retry-wait", "1", *args],
        capture_output=True, text=True, cwd=tmp_path, env={**env, **(KEYS if keys else {})},
        timeout=120,
    )  # fmt: skip
    entries: dict[str, dict[str, Any]] = {}
    if (tmp_path / "m.json").exists():
        entries = {e["url"]: e for e in json.loads((tmp_path / "m.json").read_text())["entries"]}
    return result, entries


def links(*urls: str) -> str:
    return "\n\n".join(f"[source {i}]({url})" for i, url in enumerate(urls)) + "\n"


def test_a_wall_an_error_page_or_another_page_is_never_the_archived_copy(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    walled, other, missing_quote = host.url("/page"), host.url("/ok"), host.url("/article")
    fake.add_capture(walled, days_ago(2), body=WALL, headers={"Server": "cloudflare"})
    # Listed as a 200 capture of the URL, but replayed as another page's.
    fake.add_capture(other, days_ago(2), replay_as=host.url("/elsewhere"))
    fake.add_capture(host.url("/elsewhere"), days_ago(2))
    fake.add_capture(missing_quote, days_ago(2), body=b"<title>Report</title><p>Other words.</p>")

    # Without keys nothing can be recaptured: every rejection is reported, no copy is named.
    result, entries = run_archive(
        tmp_path, host, base, links(walled, other, missing_quote + QUOTE), keys=False
    )
    assert result.returncode == 1  # live sources left without a verified copy
    for url, why in [
        (walled, "the copy is a bot wall, not the page (Cloudflare bot challenge)"),
        (other, f"the copy is of a different page ({host.url('/elsewhere')})"),
        (missing_quote + QUOTE, "the quoted words are not in the copy"),
    ]:
        entry = entries[url]
        assert (entry["verified"], entry["archive_url"], entry["snapshot"]) == (
            False, None, "existing"
        ), url  # fmt: skip
        assert entry["verification"] == f"no copy verified: {why}"
        assert entry["copies"][0]["verified"] is False
        assert entry["copies"][0]["reason"] == why
    assert "no verified copy" in result.stdout or "no verified copy" in result.stderr

    # With keys, each is captured again, and the new capture is verified and named.
    result, entries = run_archive(tmp_path, host, base, links(walled, other, missing_quote + QUOTE))
    assert result.returncode == 0, result.stdout + result.stderr
    for url in (walled, other, missing_quote + QUOTE):
        assert entries[url]["verified"] is True, entries[url]
        assert entries[url]["snapshot"] == "captured"
        assert entries[url]["reason"] == "captured again: the snapshot there did not verify"
    assert entries[missing_quote + QUOTE]["verification"] == (
        "a 200 capture of the cited page, with the quoted words"
    )
    assert fake.saves == {walled: 1, other: 1, missing_quote: 1}
    # The rejected copies stay listed, so a reader sees what was refused and why.
    assert [c["verified"] for c in entries[walled]["copies"]] == [True, False]

    # A third run verifies nothing again and captures nothing: all of it is in the cache.
    replays = sum(fake.replays.values())
    lookups = sum(1 for _, path in fake.requests if path.startswith("/cdx/"))
    result, entries = run_archive(tmp_path, host, base, links(walled, other, missing_quote + QUOTE))
    assert result.returncode == 0
    assert sum(fake.replays.values()) == replays
    # …nor asks the index: the recorded snapshots settle every citation.
    assert sum(1 for _, path in fake.requests if path.startswith("/cdx/")) == lookups
    assert sum(fake.saves.values()) == 3


def test_a_capture_reported_failed_is_looked_up_before_it_is_resubmitted(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    url = host.url("/article")
    # 523 while the capture succeeds anyway, and the index shows it only 0.3 s later.
    fake.lag_seconds = 0.3
    fake.faults.append(Fault("POST", "/save", 523, count=1, still_capture=True))
    _, entries = run_archive(tmp_path, host, base, links(url + QUOTE))
    entry = entries[url + QUOTE]
    assert (entry["snapshot"], entry["verified"]) == ("captured", True), entry
    assert entry["reason"] == "captured (confirmed in the index)"
    assert fake.submits[url] == 1 and fake.saves[url] == 1

    # A capture that never reaches the index in this run: named, captured, not yet verified,
    # and the next run neither submits it again nor calls it verified before it is.
    fresh = host.url("/page")
    fake.lag_seconds = 3600
    result, entries = run_archive(tmp_path, host, base, links(fresh))
    entry = entries[fresh]
    assert (entry["snapshot"], entry["verified"]) == ("captured", False)
    assert entry["archive_url"].startswith(f"{base}/web/")
    assert "not replayable yet" in entry["verification"]
    assert result.returncode == 1
    result, entries = run_archive(tmp_path, host, base, links(fresh))
    assert fake.submits[fresh] == 1 and fake.saves[fresh] == 1
    assert entries[fresh]["verified"] is False


def test_save_page_now_answers_are_each_handled(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    flaky, busy, gone = host.url("/article"), host.url("/page"), host.url("/ok")
    # Save Page Now's own failure twice, then success: submitted three times, captured once.
    fake.job_error_queue[flaky] = [
        ("error:proxy-error", "Live page is not available: chrome-error://chromewebdata/"),
        ("error:no-browsers-available", "No browsers available"),
    ]
    fake.job_errors[gone] = ("error:not-found", "Live page is not available: 404")
    fake.pending_polls = 2
    _, entries = run_archive(tmp_path, host, base, links(flaky + QUOTE, gone))
    assert entries[flaky + QUOTE]["verified"] is True
    assert (fake.submits[flaky], fake.saves[flaky]) == (3, 1)
    assert (
        entries[gone]["reason"] == "capture refused: the page answered 404 to the Wayback Machine"
    )
    assert fake.submits[gone] == 1  # a refusal for this URL is final

    # Every slot of the account busy: wait for /save/status/user to show one, then submit.
    fake.session_busy = 2  # the POST is refused, the first user-status read shows none free
    _, entries = run_archive(tmp_path, host, base, links(busy))
    assert (entries[busy]["snapshot"], entries[busy]["verified"]) == ("captured", True)
    assert fake.submits[busy] == 2


def test_a_pending_job_is_polled_ever_less_often_then_kept_for_the_next_run(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    url = host.url("/page")
    fake.pending_polls = 10_000
    _, entries = run_archive(tmp_path, host, base, links(url), "--capture-timeout", "1.5s")
    # Every 0.05 s that would be 30 polls; growing 1.5 times up to 0.3 s it is about ten.
    assert 6 <= sum(fake.polls.values()) <= 12, fake.polls
    assert entries[url]["reason"].startswith("capture still pending after")
    assert "the next run polls job spn2-" in entries[url]["reason"]
    fake.pending_polls = 0
    for job in fake.jobs.values():
        job.polls_left = 0
    _, entries = run_archive(tmp_path, host, base, links(url))
    assert (entries[url]["snapshot"], entries[url]["verified"]) == ("captured", True)
    assert fake.submits[url] == 1 and fake.saves[url] == 1


def test_a_job_reported_failed_whose_capture_exists_is_not_called_failed(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    url = host.url("/article")
    fake.job_errors[url] = ("error:not-found", "Live page is not available: 404")
    # Save Page Now says it failed, yet the capture is in the index (reported in the wild).
    fake.add_capture(url, days_ago(10 / 1440), body=ARTICLE)  # ten minutes ago
    _, entries = run_archive(tmp_path, host, base, links(url + QUOTE), "--reuse-within", "1m")
    entry = entries[url + QUOTE]
    assert (entry["snapshot"], entry["verified"]) == ("captured", True), entry
    assert entry["reason"] == "captured (confirmed in the index)"


def test_account_limits_and_long_retry_after_stop_captures_and_say_when(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    first, second = host.url("/page"), host.url("/ok")
    for url in (first, second):
        fake.submit_errors[url] = (
            "error:too-many-daily-captures",
            "You cannot make more than 30000 captures per day.",
        )
    result, entries = run_archive(
        tmp_path, host, base, links(first, second), "--capture-rate", "60"
    )
    stopped = "captures stopped: the account's daily capture limit is reached; the limit resets"
    assert f"{stopped} at 00:00 UTC (in " in result.stderr
    assert sum(fake.submits.values()) == 1
    assert sorted(e["reason"][:17] for e in entries.values()) == [
        "capture refused: ",
        "captures stopped:",
    ]

    fake.submit_errors.clear()
    fake.faults.append(Fault("POST", "/save", 429, {"Retry-After": "7200"}, count=5))
    result, entries = run_archive(tmp_path, host, base, links(second), "--no-cache")
    assert "the Wayback Machine asked us to wait 7200 s: run again after" in result.stderr
    assert fake.submits[second] == 1  # no retry before the time it asked for
    assert entries[second]["verified"] is False


def test_an_html_overload_page_or_a_429_pauses_the_whole_client(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    urls = [host.url("/page"), host.url("/ok")]
    fake.faults.append(
        Fault("GET", "/save/status/", 502, body="<html><h1>502 Bad Gateway</h1></html>",
              content_type="text/html")
    )  # fmt: skip
    fake.faults.append(Fault("GET", "/cdx/search/cdx", 429, count=1))
    started = time.monotonic()
    _, entries = run_archive(tmp_path, host, base, links(*urls))
    assert all(entries[url]["verified"] for url in urls)
    # The 429 without Retry-After held every request for --max-retry-wait (1 s).
    assert time.monotonic() - started >= 1.0
    assert all(fault.count == 0 for fault in fake.faults)


def test_copies_in_a_second_archive_through_a_timemap_and_the_citation_date(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, host = web
    fake, base = wayback
    other = FakeArchive(wayback=fake, wayback_base=base)
    url = host.url("/article")
    cited_on = (datetime.now(UTC) - timedelta(days=200)).date()
    near = (datetime.now(UTC) - timedelta(days=199)).strftime("%Y%m%d%H%M%S")
    fake.add_capture(url, near, body=ARTICLE)
    fake.add_capture(url, days_ago(300), body=WALL)  # further from the date, and a wall
    other.add(url, days_ago(198), body=ARTICLE)
    other.add(host.url("/page"), days_ago(5), body=PAGE)
    document = f"---\ndate: {cited_on.isoformat()}\n---\n\n" + links(url + QUOTE, host.url("/page"))
    with serve_archive(other) as aggregator:
        result, entries = run_archive(
            tmp_path, host, base, document, "--timemap", f"{aggregator}/timemap/link/",
            "--robust-links", "links.html",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entry = entries[url + QUOTE]
    assert entry["citation_date"] == cited_on.isoformat()
    # The verified copy nearest the citation's date is the Wayback Machine's of the day after.
    assert entry["archive_url"] == f"{base}/web/{near}/{url}{QUOTE}"
    assert entry["archive"] == "127.0.0.1:" + base.rsplit(":", 1)[1]
    archives = {c["archive"] for c in entry["copies"] if c["verified"]}
    assert archives == {entry["archive"], aggregator.removeprefix("http://")}
    assert fake.saves[url] == 1  # the live page is still captured now, as a copy of today
    anchor = next(
        line for line in (tmp_path / "links.html").read_text().splitlines() if "source 0" in line
    )
    assert f'data-versiondate="{cited_on.isoformat()}"' in anchor
    # One verified copy from each archive, each followed by its date.
    versions = anchor.split('data-versionurl="')[1].split('"')[0].split()
    near_day = f"{near[:4]}-{near[4:6]}-{near[6:8]}"
    assert versions[:2] == [f"{base}/web/{near}/{url}{QUOTE}", near_day]
    assert len(versions) == 4 and versions[2].startswith(f"{aggregator}/m/")
    # The second archive's copy of the other page is verified too.
    page_copies = entries[host.url("/page")]["copies"]
    assert any(c["archive"].startswith("127.0.0.2") and c["verified"] for c in page_copies)


def test_kill_9_while_capturing_50_sources_then_rerun(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    site, host = web
    fake, base = wayback
    urls = [host.url(f"/source/{i}") for i in range(50)]
    for i in range(50):
        body = ARTICLE if i % 5 else WALL  # every fifth source shows the archive a wall
        site.pages[f"/source/{i}"] = (200, {}, body)
    for i in range(0, 50, 10):  # and five are gone for the Wayback Machine
        fake.job_errors[urls[i + 3]] = ("error:not-found", "Live page is not available: 404")
    fake.pending_polls = 3
    (tmp_path / "doc.md").write_text(links(*(u + QUOTE for u in urls)))
    process = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "archive", "doc.md", "--manifest", "m.json",
         "--wayback-url", base, "--canary", host.base, "--poll-interval", "0.2s",
         "--lookup-rate", "6000", "--capture-rate", "600", "--verify-rate", "6000"],
        cwd=tmp_path, env={**os.environ, **KEYS, "HOME": str(tmp_path)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert wait_until(lambda: sum(fake.saves.values()) >= 15, timeout=60)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    saved_before = sum(fake.saves.values())
    assert saved_before < 45
    result, entries = run_archive(tmp_path, host, base, links(*(u + QUOTE for u in urls)))
    assert all(count == 1 for count in fake.saves.values()), fake.saves
    assert len(fake.saves) == 45  # every source the Wayback Machine could capture, once
    verified = [u for u in urls if entries[u + QUOTE]["verified"]]
    walls = [u for u in urls if "bot wall" in entries[u + QUOTE]["verification"]]
    gone = [u for u in urls if "404 to the Wayback Machine" in entries[u + QUOTE]["reason"]]
    assert (len(verified), len(walls), len(gone)) == (35, 10, 5)
    assert result.returncode == 1  # 14 live sources without a verified copy
    posted_again = sum(1 for url in fake.saves if fake.submits[url] > 1)
    print(
        f"\n50 sources: {saved_before} saved before kill -9, {posted_again} posted again after it"
        f" (answered with the same job); after the rerun "
        f"{len(fake.saves)} captured (each once), {len(verified)} verified, {len(walls)} "
        f"rejected as bot walls, {len(gone)} refused (not found)"
    )


def test_the_archive_witnesses_a_missing_quote(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    site, host = web
    fake, base = wayback
    changed, wrong = host.url("/article"), host.url("/page")
    cited_on = (datetime.now(UTC) - timedelta(days=40)).date()
    old = (datetime.now(UTC) - timedelta(days=41)).strftime("%Y%m%d%H%M%S")
    fake.add_capture(changed, old, body=ARTICLE)  # the quote was there when it was cited
    site.pages["/article"] = (200, {}, b"<title>Report</title><p>Rewritten since.</p>")
    fake.add_capture(wrong, old)  # never had the quote
    (tmp_path / "doc.md").write_text(
        f"---\ndate: {cited_on.isoformat()}\n---\n\n"
        + links(changed + QUOTE, wrong + "#:~:text=words%20nobody%20wrote")
    )
    common = ["--wayback-url", base, "--canary", host.base, "--retries", "0"]
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "doc.md", "--format", "json", "--witness",
         *common],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    day = f"{old[:4]}-{old[4:6]}-{old[6:8]}"
    first = results[changed + QUOTE]
    assert first["status"] == "fragment_missing"
    assert first["witness"] == (
        f"the page changed after it was cited: the archived copy of {day} still has the quoted "
        f"words: {base}/web/{old}/{changed}{QUOTE}"
    )
    assert first["reason"].endswith(first["witness"])
    second = results[wrong + "#:~:text=words%20nobody%20wrote"]
    assert second["witness"] == (
        f"the quoted words are not in the archived copy of {day} either: the quote may be wrong"
    )
    # Without --witness, or --offline, the Wayback Machine is not asked.
    asked = len(fake.requests)
    quiet = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "doc.md", "--format", "json", *common],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert all(r["witness"] is None for r in json.loads(quiet.stdout)["results"])
    assert len(fake.requests) == asked
    # The manifest says the same.
    _, entries = run_archive(tmp_path, host, base, (tmp_path / "doc.md").read_text(), keys=False)
    assert entries[changed + QUOTE]["witness"] == first["witness"]


def test_the_archive_witnesses_a_wiki_templates_missing_quote(
    tmp_path: Path, web: tuple[FakeWeb, Host], wayback: tuple[FakeWayback, str]
) -> None:
    site, host = web
    fake, base = wayback
    article = host.url("/wiki-article")
    read_on = (datetime.now(UTC) - timedelta(days=40)).date()
    near = (datetime.now(UTC) - timedelta(days=41)).strftime("%Y%m%d%H%M%S")
    later = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y%m%d%H%M%S")
    fake.add_capture(article, later, body=b"<title>Report</title><p>Rewritten since.</p>")
    fake.add_capture(article, near, body=ARTICLE)  # the access-date's copy has the quote
    site.pages["/wiki-article"] = (200, {}, b"<title>Report</title><p>Rewritten since.</p>")
    quoted = "Nine straight months of “zero releases”"  # curly quotes: the page has none
    (tmp_path / "page.wiki").write_text(
        f"Text.<ref>{{{{cite web |url={article} |title=Report "
        f"|access-date={read_on.day} {read_on:%B} {read_on.year} |quote={quoted}}}}}</ref>\n"
    )
    common = ["--wayback-url", base, "--canary", host.base, "--retries", "0"]
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "page.wiki", "--format", "json",
         "--witness", *common],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    (result,) = json.loads(done.stdout)["results"]
    day = f"{near[:4]}-{near[4:6]}-{near[6:8]}"
    assert result["status"] == "fragment_missing"
    fragment = "#:~:text=Nine%20straight%20months%20of,zero%20releases"
    assert result["witness"] == (
        f"the page changed after it was cited: the archived copy of {day} still has the quoted "
        f"words: {base}/web/{near}/{article}{fragment}"
    )
