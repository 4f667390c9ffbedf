"""The SPN2 client with respx, pacing on a fake clock, keys, manifests."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from helpers import FakeClock
from linkcheck.archive.keys import ArchiveKeys, load_keys
from linkcheck.archive.memento import archive_name, parse_timemap
from linkcheck.archive.spn2 import (
    ArchiveBusy,
    AuthenticationError,
    JobState,
    SavePageNow,
    UncertainResponse,
)
from linkcheck.archive.verify import (
    QUOTE_MISSING,
    WITNESS_DAYS,
    CopyCheck,
    CopyVerifier,
    same_resource,
    wayback_parts,
    witness_of,
)
from linkcheck.extract import document_date
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
    assert payload["schema_version"] == 5
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


def test_a_timemap_is_read_as_link_format() -> None:
    text = (
        '<https://e.test/a,b>; rel="original",\n'
        '<https://web.archive.org/web/timemap/link/https://e.test/a,b>; rel="self"; '
        'type="application/link-format",\n'
        '<https://web.archive.org/web/20200101000000/https://e.test/a,b>; rel="first memento";'
        ' datetime="Wed, 01 Jan 2020 00:00:00 GMT",\n'
        '<https://archive.ph/Xy12z>; rel=memento; datetime="Thu, 02 Jan 2020 03:04:05 GMT",\n'
        '<https://perma.cc/AB-CD>; rel="memento"; datetime="not a date",\n'
        '<https://www.webarchive.org.uk/x>; rel="last memento";'
        ' datetime="Fri, 03 Jan 2020 00:00:00 GMT"'
    )
    mementos = parse_timemap(text)
    assert [(m.archive, m.captured_at.isoformat()) for m in mementos] == [
        ("web.archive.org", "2020-01-01T00:00:00+00:00"),
        ("archive.today", "2020-01-02T03:04:05+00:00"),
        ("webarchive.org.uk", "2020-01-03T00:00:00+00:00"),
    ]
    assert mementos[0].url == "https://web.archive.org/web/20200101000000/https://e.test/a,b"
    assert archive_name("https://archive.is/abc") == "archive.today"
    assert parse_timemap("") == []


def test_same_resource_as_archives_index_pages() -> None:
    assert same_resource("https://www.e.test/a/", "http://e.test:80/a")
    assert same_resource("e.test/a?x=1", "https://e.test/a?x=1")
    assert not same_resource("https://e.test/a", "https://e.test/b")
    assert not same_resource("https://e.test/a?x=1", "https://e.test/a?x=2")
    assert wayback_parts("https://web.archive.org/web/20240102030405id_/https://e.test/a?q=1") == (
        "20240102030405",
        "https://e.test/a?q=1",
    )
    assert wayback_parts("https://archive.ph/Xy12z") is None


def verify_copy(copy_url: str, cited: str, fragments: list[str], **more: Any) -> Any:
    async def run() -> Any:
        async with httpx.AsyncClient() as client:
            pause = Pause()
            verifier = CopyVerifier(
                client, wayback_url=BASE, wayback_pause=pause, rate=0, max_bytes=1 << 20
            )
            checks = await verifier.check(copy_url, cited, fragments, **more)
            return checks, pause

    return asyncio.run(run())


MEMENTO = {"Memento-Datetime": "Tue, 02 Jan 2024 03:04:05 GMT", "Content-Type": "text/html"}


@respx.mock
def test_the_verifier_judges_the_raw_replay() -> None:
    page = "https://e.test/a"
    raw = f"{BASE}/web/20240102030405id_/{page}"
    copy = f"{BASE}/web/20240102030405/{page}"
    route = respx.get(raw).mock(
        return_value=httpx.Response(
            200, headers=MEMENTO, html="<title>A</title><p>The quick brown fox.</p>"
        )
    )
    checks, _ = verify_copy(copy, page, ["", ":~:text=quick%20brown", ":~:text=lazy%20dog"])
    assert route.called  # the raw replay, not the toolbar page
    assert checks[""] == CopyCheck(True, "a 200 capture of the cited page", "2024-01-02T03:04:05Z")
    assert checks[":~:text=quick%20brown"].reason.endswith(", with the quoted words")
    assert checks[":~:text=lazy%20dog"] == CopyCheck(
        False, "the quoted words are not in the copy", "2024-01-02T03:04:05Z"
    )

    # A wall stored with 200, an archived 404, a "not found" page: rejected, each said.
    for response, reason in [
        (
            httpx.Response(200, headers=MEMENTO, html="<title>Just a moment...</title>cf-chl-x"),
            "the copy is a bot wall, not the page (Cloudflare bot challenge)",
        ),
        (
            httpx.Response(404, headers=MEMENTO, html="gone"),
            "the copy is of an error page (HTTP 404)",
        ),
        (
            httpx.Response(200, headers=MEMENTO, html="<title>Page not found</title>"),
            'the copy is a "not found" page ("Page not found")',
        ),
    ]:
        route.mock(return_value=response)
        checks, _ = verify_copy(copy, page, [""])
        assert checks[""] == CopyCheck(False, reason), reason


@respx.mock
def test_the_verifier_tells_unknown_from_rejected() -> None:
    page = "https://e.test/a"
    copy = f"{BASE}/web/20240102030405/{page}"
    raw = f"{BASE}/web/20240102030405id_/{page}"
    # The index lags: the replay sends an older capture, or has none at all yet.
    route = respx.get(raw).mock(
        return_value=httpx.Response(302, headers={"Location": f"/web/20200101000000id_/{page}"})
    )
    respx.get(f"{BASE}/web/20200101000000id_/{page}").mock(
        return_value=httpx.Response(200, headers=MEMENTO, html="<p>old</p>")
    )
    checks, _ = verify_copy(copy, page, [""])
    assert checks[""].verified is None and checks[""].reason.startswith("not replayable yet")
    route.mock(return_value=httpx.Response(404, html="<title>Wayback Machine</title>"))
    checks, _ = verify_copy(copy, page, [""])
    assert checks[""].verified is None
    # Overloaded: unknown, and every request to the archive pauses.
    route.mock(return_value=httpx.Response(503, headers={"Retry-After": "9"}))
    checks, pause = verify_copy(copy, page, [""])
    assert checks[""].verified is None and 8 < pause.remaining <= 9
    # A capture of the page the URL redirects to is good, and said to be.
    route.mock(
        return_value=httpx.Response(
            302, headers={"Location": "/web/20240102030405id_/https://e.test/b"}
        )
    )
    respx.get(f"{BASE}/web/20240102030405id_/https://e.test/b").mock(
        return_value=httpx.Response(200, headers=MEMENTO, html="<p>b</p>")
    )
    checks, _ = verify_copy(copy, page, [""], redirect_target="https://e.test/b")
    assert checks[""].reason == "a 200 capture of the page the URL redirects to (https://e.test/b)"
    checks, _ = verify_copy(copy, page, [""])
    assert checks[""] == CopyCheck(False, "the copy is of a different page (https://e.test/b)")


@respx.mock
def test_a_copy_in_another_archive_is_judged_by_its_memento_headers() -> None:
    page = "https://e.test/a"
    copy = "https://archive.ph/Xy12z"
    respx.get(copy).mock(
        return_value=httpx.Response(
            200,
            headers={**MEMENTO, "Link": f'<{page}>; rel="original"'},
            html="<p>The quick brown fox.</p>",
        )
    )
    checks, _ = verify_copy(copy, page, [":~:text=brown%20fox"])
    assert checks[":~:text=brown%20fox"].verified is True
    assert checks[":~:text=brown%20fox"].captured_at == "2024-01-02T03:04:05Z"


def test_a_document_gives_its_own_date() -> None:
    assert document_date("---\ndate: 2026-02-24\n---\nx") == date(2026, 2, 24)
    assert document_date("---\npublished_time: 2026-02-24 21:16:50-05:00\n---\n") == date(
        2026, 2, 24
    )
    assert document_date("---\ntitle: x\ndate: '2025-01-02'\n---\n") == date(2025, 1, 2)
    assert document_date("---\ndate: soon\n---\n") is None
    html = '<head><meta property="article:published_time" content="2024-05-06T07:00:00Z">'
    assert document_date(html) == date(2024, 5, 6)
    assert document_date("no date here") is None


def test_only_a_copy_from_the_time_of_citing_can_say_the_quote_was_never_there() -> None:
    quote = ":~:text=words"
    today = datetime.now(UTC).date()
    fresh = ArchivedCopy("web.archive.org", "u1", f"{today}T10:00:00Z", False, QUOTE_MISSING)
    old = ArchivedCopy("web.archive.org", "u2", "2026-01-03T10:00:00Z", False, QUOTE_MISSING)
    good = ArchivedCopy("web.archive.org", "u3", "2026-01-02T10:00:00Z", True, "ok")
    missing = Status.FRAGMENT_MISSING
    assert witness_of(missing, quote, [fresh], None) is None  # today's copy is the page now
    assert witness_of(missing, quote, [old], date(2026, 1, 2)) == (
        "the quoted words are not in the archived copy of 2026-01-03 either: the quote may be wrong"
    )
    assert witness_of(missing, quote, [old], date(2025, 6, 1)) is None  # captured long after
    assert witness_of(Status.BROKEN, quote, [good], None) == (
        "the page cannot be read now: the archived copy of 2026-01-02 still has the quoted"
        " words: u3"
    )
    assert witness_of(Status.CHANGED, "", [good], None) == (
        "the archived copy of 2026-01-02 shows the page as it was: u3"
    )
    assert witness_of(Status.OK, quote, [good], None) is None


@respx.mock
def test_each_text_directive_must_be_in_the_copy() -> None:
    """A copy is verified only when every quoted directive is in it; what a browser ignores
    beside them (an unknown directive) decides nothing."""
    page = "https://e.test/a"
    copy = f"{BASE}/web/20240102030405/{page}"
    respx.get(f"{BASE}/web/20240102030405id_/{page}").mock(
        return_value=httpx.Response(
            200, headers=MEMENTO, html="<p>The quick brown fox.</p><p>Jumps high.</p>"
        )
    )
    both, one_missing, ignored = (
        ":~:text=quick%20brown&text=jumps%20high",
        ":~:text=quick%20brown&text=lazy%20dog",
        ":~:text=quick%20brown&unknown=1",
    )
    checks, _ = verify_copy(copy, page, [both, one_missing, ignored])
    assert checks[both].verified is True
    assert checks[one_missing] == CopyCheck(False, QUOTE_MISSING, "2024-01-02T03:04:05Z")
    assert checks[ignored].verified is True
    assert checks[ignored].reason.endswith(", with the quoted words")


@respx.mock
def test_a_damaged_archived_pdf_is_never_a_verified_copy() -> None:
    from test_pdf_fragments import make_pdf

    page = "https://e.test/report.pdf"
    copy = f"{BASE}/web/20240102030405/{page}"
    route = respx.get(f"{BASE}/web/20240102030405id_/{page}")
    pdf = {**MEMENTO, "Content-Type": "application/pdf"}
    quote = ":~:text=annual%20report"
    route.mock(return_value=httpx.Response(200, headers=pdf, content=b"%PDF-1.7\n" + b"\x00" * 64))
    checks, _ = verify_copy(copy, page, [quote])
    assert checks[quote].verified is False
    assert checks[quote].reason.startswith("the copy is a damaged PDF (the PDF cannot be read")
    # An encrypted PDF is a good copy of the page (a reader opens it with the password);
    # only its quote cannot be checked, and the verdict says so.
    route.mock(return_value=httpx.Response(200, headers=pdf, content=make_pdf([["x"]], "pw")))
    checks, _ = verify_copy(copy, page, [quote])
    assert checks[quote].verified is True
    assert "the quote could not be checked (the PDF is encrypted" in checks[quote].reason


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://e.test:443/a", "http://www.e.test/a/", True),
        ("https://e.test:8443/a", "https://e.test/a", False),
        ("https://e.test:444/a", "https://e.test:442/a", False),
        ("https://e.test:8443/a", "https://e.test:8443/a", True),
        ("e.test/a?x=1", "http://e.test/a?x=1", True),
        ("https://e.test/a", "https://f.test/a", False),
        ("file:///a", "file:///b", False),  # no host at all: told apart by the path
    ],
)
def test_same_resource_as_archives_see_it(first: str, second: str, same: bool) -> None:
    assert same_resource(first, second) is same


def http_date(stamp: str) -> str:
    moment = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


@respx.mock
def test_a_replay_of_another_date_is_not_replayable_yet_either_way() -> None:
    page = "https://e.test/a"
    copy = f"{BASE}/web/20240102030405/{page}"
    for other in ("20240101000000", "20240201000000"):  # older and newer than the one named
        respx.get(f"{BASE}/web/20240102030405id_/{page}").mock(
            return_value=httpx.Response(302, headers={"Location": f"/web/{other}id_/{page}"})
        )
        when = f"{other[:4]}-{other[4:6]}-{other[6:8]}T00:00:00Z"
        respx.get(f"{BASE}/web/{other}id_/{page}").mock(
            return_value=httpx.Response(
                200,
                headers={**MEMENTO, "Memento-Datetime": http_date(other)},  # its own date
                html="<p>x</p>",
            )
        )
        checks, _ = verify_copy(copy, page, [""])
        assert checks[""] == CopyCheck(
            None, f"not replayable yet: the archive serves its capture of {when}", when
        )


def test_a_copy_of_the_citing_day_or_the_days_after_can_witness() -> None:
    quote, missing = ":~:text=words", Status.FRAGMENT_MISSING
    cited = date(2026, 1, 2)
    same_day = ArchivedCopy("w", "u", "2026-01-02T23:00:00Z", False, QUOTE_MISSING)
    last_day = ArchivedCopy("w", "u", f"{cited + timedelta(days=WITNESS_DAYS)}T23:59:59Z",
                            False, QUOTE_MISSING)  # fmt: skip
    too_late = ArchivedCopy("w", "u", f"{cited + timedelta(days=WITNESS_DAYS + 1)}T00:00:00Z",
                            False, QUOTE_MISSING)  # fmt: skip
    other_reason = ArchivedCopy("w", "u", "2026-01-02T10:00:00Z", False, "a bot wall")
    for copy in (same_day, last_day):
        assert witness_of(missing, quote, [copy], cited) is not None, copy
    for copy in (too_late, other_reason):
        assert witness_of(missing, quote, [copy], cited) is None, copy


@respx.mock
def test_an_anchor_alone_never_rejects_a_copy() -> None:
    """Only quoted words decide a copy: a page's ids change with every redesign."""
    page = "https://e.test/a"
    copy = f"{BASE}/web/20240102030405/{page}"
    respx.get(f"{BASE}/web/20240102030405id_/{page}").mock(
        return_value=httpx.Response(200, headers=MEMENTO, html="<p>No ids here.</p>")
    )
    checks, _ = verify_copy(copy, page, ["section2"])
    assert checks["section2"] == CopyCheck(
        True, "a 200 capture of the cited page", "2024-01-02T03:04:05Z"
    )


def test_a_witness_reads_reasons_as_stored_not_as_the_same_object() -> None:
    stored = "".join(["the quoted words are ", "not in the copy"])  # as read back from the cache
    copy = ArchivedCopy("w", "u", "2026-01-02T10:00:00Z", False, stored)
    assert witness_of(Status.FRAGMENT_MISSING, ":~:text=w", [copy], date(2026, 1, 2)) == (
        "the quoted words are not in the archived copy of 2026-01-02 either: the quote may be wrong"
    )


def test_a_manifest_entry_names_an_identifier_and_its_registered_title(tmp_path: Path) -> None:
    from helpers import validate_json_files
    from linkcheck.archive.capture import PageOutcome
    from linkcheck.archive.entries import manifest_entry
    from linkcheck.model import FetchResult, Result, Work

    work = Work("doi", "10.1038/nphys1170", "crossref", ("Measured Measurement",), 2009)
    existence = FetchResult(Status.OK, "registered", 302, "https://publisher.example/a")
    cited = Result(
        "https://doi.org/10.1038/nphys1170", Status.OK, "registered", existence,
        [Location("doc.md", 3, 5, "Measured")], work=work,
    )  # fmt: skip
    page = Result("https://example.org/", Status.OK, "200 OK", FetchResult(Status.OK, "200 OK"))
    outcome = PageOutcome(SnapshotKind.EXISTING, "a recent snapshot")
    entries = [
        manifest_entry(result, outcome, [], cited_on=None, own_copy=None)
        for result in (cited, page)
    ]
    assert (entries[0].identifier, entries[0].registered_title) == (
        "doi:10.1038/nphys1170", "Measured Measurement"
    )  # fmt: skip
    assert (entries[1].identifier, entries[1].registered_title) == (None, None)
    when = datetime(2026, 12, 8, tzinfo=UTC)
    write_manifest(entries, tmp_path / "m.json", when)
    validate_json_files(tmp_path)
    write_manifest(entries, tmp_path / "m.csv", when)
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0].endswith(",identifier,registered_title")
    assert lines[1].endswith(",doi:10.1038/nphys1170,Measured Measurement")
