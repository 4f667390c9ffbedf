"""Fetching and classification with respx (no sockets), retries on a fake clock."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import itertools
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from helpers import FakeClock
from linkcheck.check.classify import (
    classify_fetch,
    confirm_not_found,
    moved_to_not_found,
)
from linkcheck.check.failures import FetchError
from linkcheck.check.fetch import Fetcher, FetchOutcome, read_capped
from linkcheck.config import CheckConfig
from linkcheck.model import Refusal, Status
from linkcheck.net.addresses import is_private_address
from linkcheck.net.pages import page_says_not_found
from linkcheck.net.politeness import HostLimiter, PriorityGate
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.retry import parse_retry_after


class AlwaysOnline(NetworkProbe):
    def __init__(self, online: bool = True) -> None:
        super().__init__("http://canary.test/")
        self._online = online

    async def online(self) -> bool:
        return self._online


def fetch(url: str, clock: FakeClock, online: bool = True, **config: Any) -> FetchOutcome:
    async def run() -> FetchOutcome:
        cfg = CheckConfig(**config)
        async with httpx.AsyncClient() as client:
            limiter = HostLimiter(
                lambda host: (cfg.per_host, cfg.host_interval), sleep=clock.sleep, clock=clock.time
            )
            fetcher = Fetcher(
                cfg, client, limiter, AlwaysOnline(online), cfg.policy, sleep=clock.sleep
            )
            no_body: Callable[[int, httpx.Headers], int] = lambda code, headers: 0  # noqa: E731
            return await fetcher.fetch(url, no_body)

    return asyncio.run(run())


@respx.mock
def test_retries_503_with_exponential_backoff_then_succeeds() -> None:
    route = respx.get("https://e.test/p").mock(
        side_effect=[httpx.Response(503), httpx.Response(503), httpx.Response(200)]
    )
    clock = FakeClock()
    outcome = fetch("https://e.test/p", clock, retries=3)
    assert outcome.http_status == 200
    assert route.call_count == 3
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] <= 1.0 and 1.0 <= clock.sleeps[1] <= 1.5  # jittered backoff


@respx.mock
def test_gives_up_after_the_retries_and_reports_attempts() -> None:
    respx.get("https://e.test/p").mock(return_value=httpx.Response(502))
    clock = FakeClock()
    outcome = fetch("https://e.test/p", clock, retries=2)
    assert (outcome.http_status, outcome.attempts, len(clock.sleeps)) == (502, 3, 2)
    assert judged(outcome) == (Status.ERROR, "HTTP 502 Bad Gateway after 3 attempts")


@respx.mock
def test_retry_after_is_honoured_and_capped() -> None:
    respx.get("https://e.test/p").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    clock = FakeClock()
    assert fetch("https://e.test/p", clock).http_status == 200
    assert clock.sleeps == [7.0]


@respx.mock
def test_retry_after_beyond_the_limit_is_not_waited_for() -> None:
    respx.get("https://e.test/p").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "600"})
    )
    clock = FakeClock()
    outcome = fetch("https://e.test/p", clock, max_retry_wait=60)
    assert clock.sleeps == []
    assert judged(outcome)[0] is Status.BLOCKED


@pytest.mark.parametrize(
    ("retry_after", "spacing"),
    [({"Retry-After": "2"}, 0.0), ({}, 1.0), ({"Retry-After": "600"}, 1.0)],
)
def test_a_rate_limited_host_is_held_as_it_asks_then_paced_as_before(
    retry_after: dict[str, str], spacing: float
) -> None:
    """With a Retry-After it can wait for, the host is held that long, then keeps its own pace;
    without one (or one too long to wait for), it is spaced 1 s apart from then on."""

    async def run() -> tuple[float, float]:
        clock = FakeClock()
        cfg = CheckConfig(max_retry_wait=60, retries=0)
        with respx.mock:
            respx.get("https://e.test/a").mock(
                return_value=httpx.Response(429, headers=retry_after)
            )
            async with httpx.AsyncClient() as client:
                limiter = HostLimiter(lambda host: (4, 0.0), sleep=clock.sleep, clock=clock.time)
                fetcher = Fetcher(
                    cfg, client, limiter, AlwaysOnline(), cfg.policy, sleep=clock.sleep
                )
                await fetcher.fetch("https://e.test/a", lambda c, h: 0)
                async with limiter.slot("e.test"):  # the host's next request
                    return clock.now, limiter.interval("e.test")

    started, interval = asyncio.run(run())
    assert interval == spacing
    assert started == (2.0 if spacing == 0.0 else 1.0)  # nothing sent inside the hold


@respx.mock
def test_connection_errors_when_offline_are_not_retried() -> None:
    respx.get("https://e.test/p").mock(
        side_effect=httpx.ConnectError("[Errno -2] Name or service not known")
    )
    clock = FakeClock()
    outcome = fetch("https://e.test/p", clock, online=False)
    assert outcome.offline and clock.sleeps == []
    assert judged(outcome) == (Status.OFFLINE, "network unreachable (DNS: name not found)")


@respx.mock
def test_refused_connection_is_retried_then_an_error() -> None:
    respx.get("https://e.test/p").mock(
        side_effect=httpx.ConnectError("[Errno 111] Connection refused")
    )
    clock = FakeClock()
    outcome = fetch("https://e.test/p", clock, retries=2)
    assert outcome.error is FetchError.REFUSED and len(clock.sleeps) == 2
    assert judged(outcome) == (Status.ERROR, "connection refused")


@respx.mock
def test_read_timeout_is_a_timeout() -> None:
    respx.get("https://e.test/p").mock(side_effect=httpx.ReadTimeout("slow"))
    outcome = fetch("https://e.test/p", FakeClock())
    assert judged(outcome) == (Status.TIMEOUT, "read timed out")


@respx.mock
def test_redirect_chain_is_recorded() -> None:
    respx.get("https://e.test/old").mock(
        return_value=httpx.Response(301, headers={"Location": "/mid"})
    )
    respx.get("https://e.test/mid").mock(
        return_value=httpx.Response(302, headers={"Location": "https://f.test/new"})
    )
    respx.get("https://f.test/new").mock(return_value=httpx.Response(200))
    outcome = fetch("https://e.test/old", FakeClock())
    assert outcome.redirects == [(301, "https://e.test/mid"), (302, "https://f.test/new")]
    assert judged(outcome) == (Status.REDIRECTED, "moved permanently to https://f.test/new")


@pytest.mark.parametrize(
    ("code", "headers", "expected"),
    [
        (200, {}, (Status.OK, "HTTP 200 OK")),
        (404, {}, (Status.BROKEN, "HTTP 404 Not Found")),
        (410, {}, (Status.BROKEN, "HTTP 410 Gone")),
        (401, {}, (Status.BLOCKED, "HTTP 401 Unauthorized: the site refuses automated requests")),
        (403, {}, (Status.BLOCKED, "HTTP 403 Forbidden: the site refuses automated requests")),
        (
            451,
            {},
            (
                Status.BLOCKED,
                "HTTP 451 Unavailable For Legal Reasons: the site refuses automated requests",
            ),
        ),
        (
            503,
            {"cf-mitigated": "challenge"},
            (
                Status.BLOCKED,
                "HTTP 503 Service Unavailable: Cloudflare bot challenge (cf-mitigated)",
            ),
        ),
        (500, {}, (Status.ERROR, "HTTP 500 Internal Server Error")),
        (418, {}, (Status.BLOCKED, "HTTP 418: the site refuses automated requests")),
        (999, {}, (Status.BLOCKED, "HTTP 999: LinkedIn refuses robots")),
        (430, {}, (Status.BLOCKED, "HTTP 430: Shopify refuses robots")),
        (521, {}, (Status.ERROR, "HTTP 521: the site's CDN found the origin server down")),
        (
            522,
            {},
            (Status.TIMEOUT, "HTTP 522: the site's CDN could not connect to the origin in time"),
        ),
        (524, {}, (Status.TIMEOUT, "HTTP 524: the origin did not answer the site's CDN in time")),
        (530, {}, (Status.ERROR, "HTTP 530: the site's CDN cannot resolve or reach the origin")),
        (509, {}, (Status.ERROR, "HTTP 509: the site's bandwidth limit is exceeded")),
        (600, {}, (Status.ERROR, "unexpected HTTP 600")),
        (
            202,
            {"x-amzn-waf-action": "challenge"},
            (Status.BLOCKED, "HTTP 202 Accepted: AWS WAF bot challenge"),
        ),
        (
            405,
            {"x-amzn-waf-action": "captcha"},
            (Status.BLOCKED, "HTTP 405 Method Not Allowed: AWS WAF bot challenge"),
        ),
        (
            403,
            {"x-datadome": "protected"},
            (Status.BLOCKED, "HTTP 403 Forbidden: DataDome bot protection"),
        ),
        (
            403,
            {"x-iinfo": "10-123-0 NNNN"},
            (Status.BLOCKED, "HTTP 403 Forbidden: Imperva (Incapsula) bot protection"),
        ),
        (
            403,
            {"server": "AkamaiGHost"},
            (Status.BLOCKED, "HTTP 403 Forbidden: Akamai bot protection"),
        ),
        (200, {"x-datadome": "protected"}, (Status.OK, "HTTP 200 OK")),
    ],
)
def test_classify_status_codes(
    code: int, headers: dict[str, str], expected: tuple[Status, str]
) -> None:
    outcome = FetchOutcome(
        "https://e.test/p",
        http_status=code,
        final_url="https://e.test/p",
        headers=httpx.Headers(headers),
    )
    assert judged(outcome) == expected


def test_accept_overrides_classification() -> None:
    outcome = FetchOutcome("https://e.test/p", http_status=403, headers=httpx.Headers())
    assert judged(outcome, frozenset({403}))[0] is Status.OK


def judged(outcome: FetchOutcome, accept: frozenset[int] = frozenset()) -> tuple[Status, str]:
    verdict = classify_fetch(outcome, accept)
    return verdict.status, verdict.reason


def titled(title: str, status: int = 200, url: str = "https://e.test/p") -> FetchOutcome:
    body = f"<html><head><title>{title}</title></head></html>".encode()
    return FetchOutcome(url, http_status=status, final_url=url, body=body)


def test_soft_404_hints_are_conservative() -> None:
    assert page_says_not_found(titled("404 - Page not found").body) == "404 - Page not found"
    assert page_says_not_found(titled("Oops! That page can’t be found.").body) is not None
    assert page_says_not_found(titled("Seite nicht gefunden").body) is not None
    assert page_says_not_found(titled("ページが見つかりません").body) is not None
    assert page_says_not_found(titled("The Annual Report 2025").body) is None
    redirected = FetchOutcome(
        "https://e.test/a/b",
        http_status=200,
        final_url="https://e.test/",
        redirects=[(302, "https://e.test/")],
    )
    assert moved_to_not_found(redirected) == "redirected to the site's home page"
    assert judged(redirected) == (Status.BROKEN, "soft 404: redirected to the site's home page")


@pytest.mark.parametrize(
    ("probe", "status"),
    [
        (titled("404 Not Found", status=404), Status.OK),  # the site answers real 404s: content
        (titled("404 Not Found - HTTP | MDN"), Status.BROKEN),  # the same page for anything
        (titled("Not found, sorry"), Status.BROKEN),  # another "not found" page
        (titled("Welcome"), Status.OK),  # a 200 of other content: no evidence
        (None, Status.BROKEN),  # no probe: the page's words decide
    ],
)
def test_a_not_found_title_is_judged_against_the_sites_probe(
    probe: FetchOutcome | None, status: Status
) -> None:
    page = titled("404 Not Found - HTTP | MDN")
    verdict = classify_fetch(page)
    assert verdict.status is Status.OK and verdict.not_found_hint == "404 Not Found - HTTP | MDN"
    assert confirm_not_found(verdict, page, probe).status is status


def test_challenge_markers_in_error_pages_only() -> None:
    challenge = b"<html><title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/x'>"
    page = FetchOutcome(
        "https://e.test/p",
        http_status=503,
        headers=httpx.Headers({"server": "cloudflare"}),
        body=challenge,
    )
    assert judged(page) == (
        Status.BLOCKED,
        "HTTP 503 Service Unavailable: Cloudflare bot challenge",
    )
    page.http_status = 200  # a live page that mentions a challenge is just a page
    assert judged(page)[0] is Status.OK
    article = FetchOutcome(
        "https://e.test/p", http_status=404, headers=httpx.Headers(), body=b"about perimeterx"
    )
    assert judged(article)[0] is Status.BLOCKED
    assert judged(FetchOutcome("https://e.test/p", http_status=404, body=b"gone"))[0] is (
        Status.BROKEN
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = 1445412450.0  # 30 s before the date above
    assert parse_retry_after(value, now=now) == expected


async def _chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_read_capped_bounds_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\0" * (20 << 20))

    async def run() -> tuple[bytes, bool]:
        response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=_chunks(bomb))
        return await read_capped(response, 1 << 20)

    body, truncated = asyncio.run(run())
    assert len(body) == 1 << 20 and truncated


def test_read_capped_reads_small_bodies_whole() -> None:
    async def run() -> tuple[bytes, bool]:
        return await read_capped(httpx.Response(200, content=_chunks(b"hello")), 100)

    assert asyncio.run(run()) == (b"hello", False)


def test_host_interval_spaces_requests() -> None:
    clock = FakeClock()

    async def run() -> None:
        limiter = HostLimiter(lambda host: (4, 2.0), sleep=clock.sleep, clock=clock.time)
        for _ in range(3):
            async with limiter.slot("e.test"):
                pass

    asyncio.run(run())
    assert clock.sleeps == [2.0, 2.0]


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("::ffff:192.168.0.1", True),
        ("93.184.216.34", False),
        ("example.com", False),
    ],
)
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private_address(address) is private


@respx.mock
def test_requests_carry_the_honest_user_agent_and_extra_headers() -> None:
    from linkcheck import PROJECT_URL, __version__
    from linkcheck.check.runner import Checker
    from linkcheck.config import parse_headers
    from linkcheck.model import Citation

    route = respx.get("https://e.test/page").mock(return_value=httpx.Response(200))
    config = CheckConfig(headers=parse_headers(["X-Team: docs"]))
    checker = Checker(dataclasses.replace(config, http_engine="httpx"))  # respx mocks httpx's
    citation = Citation("https://e.test/page", "doc.md", 1, 1, "", "link")
    (result,) = checker.check(checker.plan([citation]))
    assert result.status is Status.OK
    headers = route.calls.last.request.headers
    assert headers["User-Agent"] == f"linkcheck/{__version__} (+{PROJECT_URL})"
    assert headers["X-Team"] == "docs"
    assert headers["Accept-Encoding"] == "gzip, deflate, br, zstd"


@respx.mock
def test_quotes_beyond_max_bytes_are_unverifiable_not_missing() -> None:
    from linkcheck.check.runner import Checker
    from linkcheck.model import Citation

    page = b"<html><body>" + b"<p>filler words</p>" * 2000 + b"<p>the late quote</p></body></html>"
    respx.get("https://e.test/long").mock(
        return_value=httpx.Response(200, headers={"Content-Type": "text/html"}, content=page)
    )
    checker = Checker(CheckConfig(no_cache=True, max_bytes=4096, http_engine="httpx"))
    url = "https://e.test/long#:~:text=the%20late%20quote"
    (result,) = checker.check(checker.plan([Citation(url, "d.md", 1, 1, "", "link")]))
    assert result.status is Status.UNVERIFIABLE
    assert result.fragments[0].reason == "not in the part of the page read"


class CountingProbe(AlwaysOnline):
    def __init__(self, online: bool) -> None:
        super().__init__(online)
        self.asked = 0

    async def online(self) -> bool:
        self.asked += 1
        return await super().online()


OUTAGE = "network unreachable (connection refused)"


@pytest.mark.parametrize(
    ("url", "canary_up", "verdict", "asked"),
    [
        # A public address refusing could be the network (a captive portal, a firewall)…
        ("http://93.184.216.34/p", False, (Status.OFFLINE, OUTAGE), 1),
        ("http://93.184.216.34/p", True, (Status.ERROR, "connection refused"), 1),
        # …a loopback or private one refusing is the host's own answer: the canary is not asked.
        ("http://127.0.0.1:9/p", False, (Status.ERROR, "connection refused"), 0),
        ("http://10.1.2.3/p", False, (Status.ERROR, "connection refused"), 0),
        ("http://[::1]:9/p", False, (Status.ERROR, "connection refused"), 0),
    ],
)  # fmt: skip
def test_a_refusal_counts_as_an_outage_only_from_a_public_address(
    url: str, canary_up: bool, verdict: tuple[Status, str], asked: int
) -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    outcome, _, canary_asked = fetch_failing(url, refused, canary_up, retries=0)
    assert judged(outcome) == verdict
    assert canary_asked == asked


def test_exit_codes_failing_before_offline() -> None:
    from linkcheck.errors import ExitCode
    from linkcheck.model import DEFAULT_FAIL_ON, CheckRun, Result

    dead = Result("https://e.test/a", Status.BROKEN, "HTTP 404 Not Found", None)
    down = Result("https://e.test/b", Status.OFFLINE, "network unreachable", None)
    fine = Result("https://e.test/c", Status.OK, "HTTP 200 OK", None)
    assert CheckRun([dead, down], 2, 0.1).exit_code(DEFAULT_FAIL_ON, 1) is ExitCode.FAILING
    assert CheckRun([down, fine], 2, 0.1).exit_code(DEFAULT_FAIL_ON, 1) is ExitCode.OFFLINE
    assert CheckRun([fine], 1, 0.1).exit_code(DEFAULT_FAIL_ON, 1) is ExitCode.OK


# Every special code and every range boundary, written out (not read from the table under
# test, so that a wrong key or a moved boundary fails here): code -> (status, refusal).
CODE_VERDICTS: dict[int, tuple[Status, Refusal | None]] = {
    199: (Status.ERROR, None), 200: (Status.OK, None), 299: (Status.OK, None),
    300: (Status.ERROR, None), 399: (Status.ERROR, None),
    400: (Status.BROKEN, None), 401: (Status.BLOCKED, Refusal.ROBOTS),
    403: (Status.BLOCKED, Refusal.ROBOTS), 404: (Status.BROKEN, None),
    418: (Status.BLOCKED, Refusal.ROBOTS), 429: (Status.BLOCKED, Refusal.RATE_LIMITED),
    430: (Status.BLOCKED, Refusal.ROBOTS), 451: (Status.BLOCKED, Refusal.ROBOTS),
    460: (Status.ERROR, None), 463: (Status.ERROR, None), 499: (Status.ERROR, None),
    500: (Status.ERROR, None), 509: (Status.ERROR, None), 519: (Status.ERROR, None),
    520: (Status.ERROR, None), 521: (Status.ERROR, None), 522: (Status.TIMEOUT, None),
    523: (Status.ERROR, None), 524: (Status.TIMEOUT, None), 525: (Status.ERROR, None),
    526: (Status.ERROR, None), 527: (Status.ERROR, None), 528: (Status.ERROR, None),
    530: (Status.ERROR, None), 597: (Status.ERROR, None), 598: (Status.TIMEOUT, None),
    599: (Status.TIMEOUT, None), 600: (Status.ERROR, None), 999: (Status.BLOCKED, Refusal.ROBOTS),
}  # fmt: skip
SPECIAL_REASONS = {
    520: "unknown error from the origin", 521: "origin server down", 523: "cannot reach the origin",
    525: "TLS between the site's CDN and the origin", 526: "TLS certificate is invalid",
    527: "lost its connection", 598: "timed out reading", 599: "timed out connecting",
    460: "client closed the connection", 463: "too many forwarding hops", 499: "closed the request",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(CODE_VERDICTS))
def test_every_code_has_its_verdict(code: int) -> None:
    verdict = classify_fetch(
        FetchOutcome("https://e.test/p", http_status=code, final_url="https://e.test/p",
                     headers=httpx.Headers())
    )  # fmt: skip
    assert (verdict.status, verdict.refusal) == CODE_VERDICTS[code], verdict.reason
    if code in SPECIAL_REASONS:
        assert SPECIAL_REASONS[code] in verdict.reason
    if code in (199, 300, 399, 600):
        assert verdict.reason.startswith("unexpected HTTP")
    if code in (519, 528, 597):
        assert verdict.reason.startswith(f"HTTP {code}") and ":" not in verdict.reason


def test_a_429_without_retry_after_says_nothing_of_waiting() -> None:
    outcome = FetchOutcome("https://e.test/p", http_status=429, headers=httpx.Headers())
    assert judged(outcome) == (Status.BLOCKED, "HTTP 429 Too Many Requests: rate limited")
    outcome.retry_after = 30
    assert judged(outcome)[1] == "HTTP 429 Too Many Requests: rate limited (asked to wait 30 s)"


def test_a_host_that_kept_rate_limiting_is_blocked_not_an_error() -> None:
    outcome = FetchOutcome("https://e.test/p", error=FetchError.GAVE_UP, message="gave up")
    verdict = classify_fetch(outcome)
    assert (verdict.status, verdict.refusal) == (Status.BLOCKED, Refusal.RATE_LIMITED)
    other = FetchOutcome("https://e.test/p", error=FetchError.RESET, message="reset")
    assert classify_fetch(other).status is Status.ERROR


@pytest.mark.parametrize(
    ("hops", "status"),
    [
        ([(301, "https://e.test/b")], Status.REDIRECTED),
        ([(308, "https://e.test/b")], Status.REDIRECTED),
        ([(302, "https://e.test/b")], Status.OK),
        ([(307, "https://e.test/b")], Status.OK),
        ([(303, "https://e.test/b")], Status.OK),
        ([(302, "https://e.test/x"), (301, "https://e.test/b")], Status.REDIRECTED),
    ],
)
def test_only_permanent_redirects_are_redirected(
    hops: list[tuple[int, str]], status: Status
) -> None:
    outcome = FetchOutcome(
        "https://e.test/a", http_status=200, final_url="https://e.test/b", redirects=hops
    )
    assert judged(outcome)[0] is status


@pytest.mark.parametrize(
    ("probe", "status"),
    [
        (titled("Anything", status=500), Status.OK),  # not a 2xx: no soft-404 site
        (titled("Anything", status=299), Status.BROKEN),  # a 2xx of the same words…
        (titled("A different page"), Status.OK),  # …a 2xx of other content: no evidence
        (titled("Page Not Found Here"), Status.BROKEN),  # another page saying "not found"
        (FetchOutcome("https://e.test/x", error=FetchError.RESET), Status.BROKEN),  # no answer
    ],
)
def test_the_probe_decides_between_content_and_a_soft_404(
    probe: FetchOutcome, status: Status
) -> None:
    page = titled("Not Found: a history")
    verdict = classify_fetch(page)
    assert verdict.not_found_hint == "Not Found: a history"
    if probe.http_status == 299:
        probe = titled("Not Found: a history", status=299)
    assert confirm_not_found(verdict, page, probe).status is status


def fetch_failing(
    url: str, error: Exception, online: bool, **config: Any
) -> tuple[FetchOutcome, FakeClock, int]:
    """One URL whose every attempt fails with ``error`` (respx: nothing leaves the process)."""
    probe, clock = CountingProbe(online), FakeClock()

    async def run() -> FetchOutcome:
        cfg = CheckConfig(**config)
        async with httpx.AsyncClient() as client:
            limiter = HostLimiter(
                lambda host: (cfg.per_host, cfg.host_interval), sleep=clock.sleep, clock=clock.time
            )
            fetcher = Fetcher(cfg, client, limiter, probe, cfg.policy, sleep=clock.sleep)
            return await fetcher.fetch(url, lambda code, headers: 0)

    with respx.mock:
        respx.get(url).mock(side_effect=error)
        return asyncio.run(run()), clock, probe.asked


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), True),
        (httpx.ConnectError("network is unreachable"), True),
        (httpx.RemoteProtocolError("Server disconnected"), True),  # reset: retried
        (httpx.ConnectError("[Errno -2] Name or service not known"), False),  # DNS: final
        (httpx.ConnectError("TLS: certificate verify failed"), False),  # the host's answer
        (httpx.ReadTimeout("read timed out"), False),
        (httpx.UnsupportedProtocol("bad"), False),
    ],
)
def test_which_failures_are_retried(error: Exception, retried: bool) -> None:
    outcome, clock, _ = fetch_failing("http://127.0.0.1:9/p", error, True, retries=2)
    assert (len(clock.sleeps) == 2) is retried, (outcome, clock.sleeps)


def test_a_tls_failure_never_asks_the_canary_nor_becomes_offline() -> None:
    failure = httpx.ConnectError("TLS: certificate verify failed")
    outcome, _, asked = fetch_failing("https://93.184.216.34/p", failure, False, retries=0)
    assert judged(outcome)[0] is Status.ERROR and asked == 0


def test_an_unreachable_private_network_can_be_the_outage() -> None:
    failure = httpx.ConnectError("network is unreachable")
    outcome, _, asked = fetch_failing("http://10.1.2.3/p", failure, False, retries=0)
    assert judged(outcome) == (Status.OFFLINE, "network unreachable (network unreachable)")
    assert asked == 1


@pytest.mark.parametrize(("wait", "retried"), [(1.0, True), (2.0, True), (2.5, False)])
def test_retry_after_up_to_the_limit_is_waited_for(wait: float, retried: bool) -> None:
    outcome = FetchOutcome("https://e.test/p", http_status=503, retry_after=wait)
    fetcher = Fetcher(CheckConfig(max_retry_wait=2.0), None, None, None, None)  # type: ignore[arg-type]
    assert fetcher._should_retry(outcome) is retried


def test_the_location_header_is_found_by_name_and_encoded_from_0x80() -> None:
    from linkcheck.check.fetch import location_of

    headers = httpx.Headers([(b"Server", b"x"), (b"Location", b"/a\x7f\x80\xff")])
    assert location_of(headers) == "/a\x7f%80%FF"
    assert location_of(httpx.Headers([(b"Content-Type", b"text/html")])) is None


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            socket.gaierror(socket.EAI_AGAIN, "again"),
            (FetchError.DNS_TEMPORARY, "DNS: temporary failure in name resolution"),
        ),
        (socket.gaierror(socket.EAI_NONAME, "no"), (FetchError.DNS, "DNS: name not found")),
        (ConnectionRefusedError(111, "refused"), (FetchError.REFUSED, "connection refused")),
        (OSError(101, "Network is unreachable"), (FetchError.CONNECT, "network unreachable")),
    ],
)
def test_connect_errors_are_told_apart_by_their_causes(
    error: BaseException, expected: tuple[FetchError, str]
) -> None:
    from linkcheck.check.fetch import describe_connect_error

    outer = httpx.ConnectError("wrapped")
    middle = RuntimeError("middle")
    middle.__context__ = error  # the cause is found through __context__ as well as __cause__
    outer.__cause__ = middle
    assert describe_connect_error(outer) == expected


def test_a_tls_error_is_said_with_its_reason() -> None:
    import ssl

    from linkcheck.check.fetch import describe_connect_error

    outer = httpx.ConnectError("wrapped")
    tls = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    tls.reason = "WRONG_VERSION_NUMBER"
    outer.__cause__ = tls
    assert describe_connect_error(outer) == (FetchError.TLS, "TLS: WRONG_VERSION_NUMBER")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("TLS: handshake failed (x)", (FetchError.TLS, "TLS: handshake failed (x)")),
        ("ssl alert", (FetchError.TLS, "TLS: ssl alert")),
        ("tls broke", (FetchError.TLS, "TLS: tls broke")),
        ("bad handshake", (FetchError.TLS, "TLS: bad handshake")),
        ("Network is unreachable (os error 101)", (FetchError.CONNECT, "network unreachable")),
        ("No route to host", (FetchError.CONNECT, "network unreachable")),
        ("", (FetchError.CONNECT, "cannot connect: ConnectError")),
        ("weird", (FetchError.CONNECT, "cannot connect: weird")),
    ],
)
def test_connect_errors_are_told_apart_by_their_words(
    message: str, expected: tuple[FetchError, str]
) -> None:
    from linkcheck.check.fetch import describe_connect_error

    assert describe_connect_error(httpx.ConnectError(message)) == expected


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (FetchError.GAVE_UP, Status.BLOCKED),
        (FetchError.CONNECT, Status.ERROR),  # names that sort before "gave_up" are not it
        (FetchError.DNS_TEMPORARY, Status.ERROR),
        (FetchError.DNS, Status.BROKEN),
        (FetchError.TIMEOUT, Status.TIMEOUT),
    ],
)
def test_each_fetch_error_keeps_its_own_verdict(error: FetchError, status: Status) -> None:
    outcome = FetchOutcome("https://e.test/p", error=error, message=error.value)
    assert classify_fetch(outcome).status is status


def test_a_server_error_says_how_often_it_was_asked_and_odd_codes_are_unexpected() -> None:
    outcome = FetchOutcome("https://e.test/p", http_status=500, headers=httpx.Headers())
    assert judged(outcome)[1] == "HTTP 500 Internal Server Error"
    outcome.attempts = 2
    assert judged(outcome)[1] == "HTTP 500 Internal Server Error after 2 attempts"
    odd = FetchOutcome("https://e.test/p", http_status=700, headers=httpx.Headers())
    assert judged(odd) == (Status.ERROR, "unexpected HTTP 700")


@pytest.mark.parametrize("code", [199, 300])
def test_a_probe_that_is_not_a_2xx_is_no_evidence(code: int) -> None:
    page = titled("Not Found: a history")
    probe = titled("Not Found: a history", status=code)
    assert confirm_not_found(classify_fetch(page), page, probe).status is Status.OK


def test_a_probe_with_the_same_long_title_is_the_same_page() -> None:
    long_title = "Not found " + "and more words " * 10  # past what the title rule reads
    body = f"<title>{long_title}</title><h1>Not Found</h1>".encode()
    page = FetchOutcome(
        "https://e.test/p", http_status=200, final_url="https://e.test/p", body=body
    )
    probe = FetchOutcome(
        "https://e.test/x", http_status=200, body=f"<title>{long_title}</title>".encode()
    )
    verdict = classify_fetch(page)
    assert verdict.not_found_hint == "Not Found"
    assert confirm_not_found(verdict, page, probe).status is Status.BROKEN


class LateClock(FakeClock):
    """Wakes every sleeper ``late`` seconds after its time, as an event loop does."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late
        self.starts: list[float] = []

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.late)


def test_a_late_wake_up_is_not_added_to_every_start_after_it() -> None:
    from linkcheck.net.politeness import Pacer

    clock = LateClock(late=0.001)

    async def run() -> None:
        pacer = Pacer(0.010, sleep=clock.sleep, clock=clock.time)
        for _ in range(101):
            await pacer.wait()
            clock.starts.append(clock.now)

    asyncio.run(run())
    gaps = [b - a for a, b in itertools.pairwise(clock.starts)]
    # On schedule: 100 intervals take 1 s and a lateness, not 100 of them (1.1 s).
    assert clock.starts[-1] - clock.starts[0] == pytest.approx(1.0, abs=0.0011)
    assert min(gaps) >= 0.010 - 0.002  # never closer than the catch-up window allows


def test_a_pacer_left_idle_starts_again_without_a_burst() -> None:
    from linkcheck.net.politeness import Pacer

    clock = FakeClock()

    async def run() -> None:
        pacer = Pacer(1.0, sleep=clock.sleep, clock=clock.time)
        await pacer.wait()
        clock.now += 60.0  # nothing to start for a minute
        await pacer.wait()  # at once
        await pacer.wait()  # a whole interval later, not at once to "catch up"

    asyncio.run(run())
    assert clock.sleeps == [1.0]


def test_requests_start_in_schedule_order_busiest_host_first() -> None:
    from linkcheck.check.schedule import balanced_shares, scheduled_order

    urls = [f"https://tail{n}.test/x" for n in range(3)] + [
        f"https://busy.test/{n}" for n in range(4)
    ]
    paced = lambda host: (4, 1.0)  # noqa: E731 - every host one request a second
    order = scheduled_order(urls, paced)
    # At time 0 every host may start: the busiest (4 s of schedule) first, then the tail; its
    # later requests come when its pace allows, not behind the whole tail.
    assert order == [
        "https://busy.test/0", "https://tail0.test/x", "https://tail1.test/x",
        "https://tail2.test/x", "https://busy.test/1", "https://busy.test/2", "https://busy.test/3",
    ]  # fmt: skip
    everything = urls + [f"https://busy2.test/{n}" for n in range(3)]
    shares = balanced_shares(everything, 2, paced)
    assert [len(part) for part in shares] == [5, 5]  # 5 s of schedule each, hosts kept whole
    assert {u.split("/")[2] for u in shares[0]} & {u.split("/")[2] for u in shares[1]} == set()


def test_after_a_hold_the_waiting_requests_go_one_by_one_not_in_a_burst() -> None:
    clock = FakeClock()
    starts: list[float] = []

    async def run() -> None:
        limiter = HostLimiter(lambda host: (4, 1.0), sleep=clock.sleep, clock=clock.time)

        async def request(n: int) -> None:
            async with limiter.slot("e.test"):
                starts.append(clock.now)
                if n == 0:
                    limiter.rate_limited("e.test", hold=5.0)  # the first one was answered 429

        await asyncio.gather(*(request(n) for n in range(4)))

    asyncio.run(run())
    assert starts[0] == 0.0
    assert all(start >= 5.0 for start in starts[1:])  # nothing inside the hold
    assert all(b - a >= 1.0 - 0.002 for a, b in itertools.pairwise(starts[1:]))


def test_a_freed_place_goes_to_the_host_with_the_most_work_left() -> None:
    order: list[str] = []

    async def run() -> None:
        gate = PriorityGate(1)
        work = {"tail.test": 1.0, "busy.test": 9.0}
        limiter = HostLimiter(lambda host: (4, 0.0), gate=gate, priority=work.__getitem__)

        async def request(host: str) -> None:
            async with limiter.slot(host):
                order.append(host)
                await asyncio.sleep(0.01)

        await asyncio.gather(request("tail.test"), request("tail.test"), request("busy.test"))

    asyncio.run(run())
    assert order == ["tail.test", "busy.test", "tail.test"]  # not in the order they asked


def test_a_request_waiting_for_its_hosts_pace_holds_no_place_in_the_gate() -> None:
    order: list[str] = []

    async def run() -> None:
        gate = PriorityGate(1)
        limiter = HostLimiter(lambda host: (4, 0.3 if host == "slow.test" else 0.0), gate=gate)

        async def request(host: str) -> None:
            async with limiter.slot(host):
                order.append(host)
                await asyncio.sleep(0.01)  # the answer

        await asyncio.gather(request("slow.test"), request("slow.test"), request("fast.test"))

    asyncio.run(run())
    # The slow host's second request waits 0.3 s for its turn; the fast host's does not wait
    # behind it for the one place in the gate.
    assert order == ["slow.test", "fast.test", "slow.test"]
