"""The SPN2 client with respx, pacing on a fake clock, keys, manifests."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from helpers import FakeClock
from linkcheck.archive.keys import ArchiveKeys, load_keys
from linkcheck.archive.spn2 import (
    ArchiveBusy,
    AuthenticationError,
    JobState,
    SavePageNow,
    UncertainResponse,
)
from linkcheck.model import ArchivedCopy, Location, ManifestEntry, SnapshotKind, Status
from linkcheck.net.politeness import Pacer, Pause
from linkcheck.report.manifest import write_manifest, write_robust_links
from linkcheck.report.progress import STATUS_STYLES

BASE = "https://wayback.test"
KEYS = ArchiveKeys("access", "secret")


def spn_call(clock: FakeClock, call: str, *args: Any) -> Any:
    async def run() -> Any:
        async with httpx.AsyncClient() as client:
            pause = Pause(sleep=clock.sleep, clock=clock.time)
            spn = SavePageNow(client, BASE, KEYS, retries=2, sleep=clock.sleep, pause=pause)
            return await getattr(spn, call)(*args)

    return asyncio.run(run())


@respx.mock
def test_submit_sends_the_form_and_authorization() -> None:
    route = respx.post(f"{BASE}/save").mock(
        return_value=httpx.Response(200, json={"url": "https://e.test/", "job_id": "spn2-abc"})
    )
    job = spn_call(FakeClock(), "submit", "https://e.test/", 2592000)
    assert (job.state, job.job_id) == (JobState.PENDING, "spn2-abc")
    request = route.calls.last.request
    assert request.headers["Authorization"] == "LOW access:secret"
    assert request.headers["Accept"] == "application/json"
    form = dict(pair.split("=") for pair in request.content.decode().split("&"))
    assert form == {
        "url": "https%3A%2F%2Fe.test%2F",
        "if_not_archived_within": "2592000",
        "skip_first_archive": "1",
    }


@respx.mock
def test_errors_arrive_as_200_json() -> None:
    respx.post(f"{BASE}/save").mock(
        return_value=httpx.Response(
            200,
            json={"status": "error", "status_ext": "error:user-session-limit", "message": "busy"},
        )
    )
    job = spn_call(FakeClock(), "submit", "https://e.test/", 60)
    assert job.state is JobState.ERROR
    assert job.session_limit and not job.account_refusal  # waited out, not a refusal
    assert job.reason == "too many captures in progress for this account"


@respx.mock
def test_status_success_pending_error_and_expired() -> None:
    respx.get(f"{BASE}/save/status/ok").mock(
        return_value=httpx.Response(
            200,
            json={
                "status": "success",
                "timestamp": "20261123120000",
                "original_url": "https://e.test/x",
            },
        )
    )
    respx.get(f"{BASE}/save/status/wait").mock(
        return_value=httpx.Response(200, json={"status": "pending"})
    )
    respx.get(f"{BASE}/save/status/bad").mock(
        return_value=httpx.Response(
            200, json={"status": "error", "status_ext": "error:not-found", "message": ""}
        )
    )
    respx.get(f"{BASE}/save/status/old").mock(return_value=httpx.Response(404))
    clock = FakeClock()
    ok = spn_call(clock, "status", "ok")
    assert (ok.state, ok.timestamp, ok.original_url) == (
        JobState.SUCCESS,
        "20261123120000",
        "https://e.test/x",
    )
    assert spn_call(clock, "status", "wait").state is JobState.PENDING
    bad = spn_call(clock, "status", "bad")
    assert (bad.state, bad.reason, bad.account_refusal) == (
        JobState.ERROR,
        "the page answered 404 to the Wayback Machine",
        False,
    )
    assert spn_call(clock, "status", "old").status_ext == "error:job-expired"


@respx.mock
def test_user_status() -> None:
    respx.get(f"{BASE}/save/status/user").mock(
        return_value=httpx.Response(
            200,
            json={
                "available": 3,
                "processing": 1,
                "daily_captures": 7,
                "daily_captures_limit": 30000,
            },
        )
    )
    user = spn_call(FakeClock(), "user_status")
    assert (user.available, user.processing, user.daily_captures, user.daily_limit) == (
        3,
        1,
        7,
        30000,
    )


@respx.mock
def test_401_is_an_authentication_error() -> None:
    respx.post(f"{BASE}/save").mock(return_value=httpx.Response(401, json={"message": "log in"}))
    with pytest.raises(AuthenticationError):
        spn_call(FakeClock(), "submit", "https://e.test/", 60)


@respx.mock
def test_429_waits_for_retry_after_then_succeeds() -> None:
    respx.get(f"{BASE}/save/status/j").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "12"}),
            httpx.Response(200, json={"status": "pending"}),
        ]
    )
    clock = FakeClock()
    assert spn_call(clock, "status", "j").state is JobState.PENDING
    assert clock.sleeps == [12.0]


@respx.mock
def test_a_429_pauses_every_request_and_a_long_retry_after_stops() -> None:
    respx.get(f"{BASE}/save/status/a").mock(
        side_effect=[httpx.Response(429), httpx.Response(200, json={"status": "pending"})]
    )
    respx.get(f"{BASE}/save/status/user").mock(
        return_value=httpx.Response(200, json={"available": 1, "processing": 0})
    )
    clock = FakeClock()

    async def run() -> list[float]:
        async with httpx.AsyncClient() as client:
            pause = Pause(sleep=clock.sleep, clock=clock.time)
            spn = SavePageNow(client, BASE, KEYS, retries=2, sleep=clock.sleep, pause=pause)
            await spn.status("a")
            before = list(clock.sleeps)
            pause.hold(7.0)  # as a 429 to another request would
            await spn.user_status()
            return clock.sleeps[len(before) :]

    # No Retry-After (the usual case): the whole client waits 20 s, as spn.sh does.
    assert asyncio.run(run()) == [7.0]
    assert sum(clock.sleeps[:2]) == pytest.approx(20.0)  # backoff, then the rest of the pause
    respx.post(f"{BASE}/save").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    with pytest.raises(ArchiveBusy):
        spn_call(FakeClock(), "submit", "https://e.test/", 60)


@respx.mock
def test_a_5xx_on_submit_is_uncertain_and_not_resubmitted() -> None:
    route = respx.post(f"{BASE}/save").mock(return_value=httpx.Response(523))
    clock = FakeClock()
    with pytest.raises(UncertainResponse):
        spn_call(clock, "submit", "https://e.test/", 60)
    assert route.call_count == 1 and clock.sleeps == []


@respx.mock
def test_a_5xx_on_a_poll_is_retried() -> None:
    route = respx.get(f"{BASE}/save/status/j").mock(
        side_effect=[httpx.Response(502), httpx.Response(200, json={"status": "pending"})]
    )
    clock = FakeClock()
    assert spn_call(clock, "status", "j").state is JobState.PENDING
    assert route.call_count == 2 and len(clock.sleeps) == 1


def test_pacer_spaces_captures() -> None:
    clock = FakeClock()

    async def run() -> None:
        pacer = Pacer.per_minute(6.0, sleep=clock.sleep, clock=clock.time)
        for _ in range(3):
            await pacer.wait()

    asyncio.run(run())
    assert clock.sleeps == [10.0, 10.0]


def test_keys_from_environment_or_ia_ini(tmp_path: Path) -> None:
    assert load_keys({"IA_ACCESS_KEY": "a", "IA_SECRET_KEY": "s"}) == ArchiveKeys("a", "s")
    ini = tmp_path / "ia.ini"
    ini.write_text("[s3]\naccess = A2\nsecret = S2\n")
    assert load_keys({"IA_CONFIG_FILE": str(ini)}) == ArchiveKeys("A2", "S2")
    assert load_keys({"IA_CONFIG_FILE": str(tmp_path / "none.ini")}) is None
    assert "S2" not in repr(ArchiveKeys("A2", "S2"))


def test_manifest_formats(tmp_path: Path) -> None:
    chosen = "https://web.archive.org/web/20261123120000/https://e.test/p#:~:text=x"
    other = "https://archive.ph/20261101000000/https://e.test/p#:~:text=x"
    rejected = "https://web.archive.org/web/20250101000000/https://e.test/p#:~:text=x"
    entry = ManifestEntry(
        "https://e.test/p#:~:text=x",
        "ok",
        SnapshotKind.CAPTURED,
        "captured",
        chosen,
        "2026-11-23T12:00:00Z",
        "spn2-1",
        [Location("doc.md", 3, 5, "a | b")],
        verified=True,
        verification="a 200 capture of the cited page, with the quoted words",
        citation_date="2026-11-20",
        copies=[
            ArchivedCopy("web.archive.org", chosen, "2026-11-23T12:00:00Z", True, "good"),
            ArchivedCopy("archive.today", other, "2026-11-01T00:00:00Z", True, "good"),
            ArchivedCopy("web.archive.org", rejected, "2025-01-01T00:00:00Z", False, "a wall"),
        ],
    )
    when = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    write_manifest([entry], tmp_path / "m.json", when)
    payload = json.loads((tmp_path / "m.json").read_text())
    assert payload["generated_at"] == "2026-11-23T12:30:00Z"
    assert payload["manifest_version"] == 2
    record = payload["entries"][0]
    assert (record["snapshot"], record["verified"], record["archive"]) == (
        "captured", True, "web.archive.org"
    )  # fmt: skip
    assert [c["verified"] for c in record["copies"]] == [True, True, False]
    write_manifest([entry], tmp_path / "m.csv", when)
    row = '"a 200 capture of the cited page, with the quoted words",captured,spn2-1,2026-11-20,3,'
    assert row + "doc.md,3,5,a | b" in (tmp_path / "m.csv").read_text()
    write_manifest([entry], tmp_path / "m.md", when)
    markdown = (tmp_path / "m.md").read_text()
    assert "| captured | [2026-11-23T12:00:00Z](https://web.archive.org/web/" in markdown
    assert f"[archive.today 2026-11-01]({other})" in markdown
    write_robust_links([entry], tmp_path / "links.html")
    anchor = (tmp_path / "links.html").read_text().splitlines()[1]
    # Two verified copies from two archives, each with its date; the rejected one left out.
    assert f'data-versionurl="{chosen} 2026-11-23 {other} 2026-11-01"' in anchor
    assert 'data-versiondate="2026-11-20"' in anchor and rejected not in anchor


def test_every_status_has_a_terminal_style() -> None:
    assert set(STATUS_STYLES) == set(Status)
