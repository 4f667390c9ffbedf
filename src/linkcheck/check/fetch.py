"""Fetching one URL: redirects followed by hand, a deadline for the server, a capped body, retries.

The deadline measures the server, never our own politeness: time spent waiting for the host's
turn (its slots, its pacing after a 429, a retry's backoff) is not counted against it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin

import httpx
from tenacity import RetryCallState, retry_if_result

from linkcheck.check.failures import CONNECTION_ERRORS, FetchError, describe_connect_error
from linkcheck.config import CheckConfig, HostPolicy
from linkcheck.net.addresses import resolves_privately
from linkcheck.net.bodies import DRAIN_SECONDS, drain, read_capped
from linkcheck.net.politeness import HostGaveUp, HostLimiter, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.retry import SITE_BACKOFF, parse_retry_after, retrying
from linkcheck.net.tlsprobe import PLAIN_HTTP, answers_plain_http
from linkcheck.net.transport import environment_proxies

# 300 is followed too when it names a Location, as browsers do.
REDIRECT_CODES = frozenset({300, 301, 302, 303, 307, 308})
TRANSIENT_CODES = frozenset({429, 502, 503, 504})
# After a 429 without a Retry-After it can wait for, a host is held this long, and gets at most
# one request this often for the rest of the run. (With one, it is held as long as it asked,
# then paced as before: a Retry-After says when to come back, not to crawl.)
RATE_LIMITED_INTERVAL = 1.0
# How long a timed-out request has to wind down before it is abandoned.
_CANCEL_GRACE = 1.0
# An https request unanswered this long has its port asked whether it speaks plain HTTP.
TLS_PROBE_AFTER = 0.5
T = TypeVar("T")

# How much of a response's body the caller wants, from its status and headers (0: none).
BodyLimit = Callable[[int, httpx.Headers], int]


@dataclass(slots=True)
class FetchOutcome:
    """One attempt's (or the last retry's) result: a response, or the error instead of one."""

    url: str
    http_status: int | None = None
    final_url: str | None = None
    final_host: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    headers: httpx.Headers | None = None
    body: bytes | None = None
    truncated: bool = False
    error: FetchError | None = None
    message: str = ""
    retry_after: float | None = None
    offline: bool = False
    attempts: int = 1


@dataclass(slots=True)
class _Exchange:
    """One attempt's way through its redirects."""

    visited: set[str]
    spent: float = 0.0  # seconds the servers have had, summed over the hops so far
    cookie_set: bool = False  # a hop set a cookie (a cookie wall redirects back with one)
    cookie_retried: bool = False


class Fetcher:
    """Fetches URLs through one shared client, with per-host politeness and retries."""

    def __init__(
        self,
        config: CheckConfig,
        client: httpx.AsyncClient,
        limiter: HostLimiter,
        network: NetworkProbe,
        policy: Callable[[str], HostPolicy],
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``policy(host)``: the settings (headers, timeout…) for requests to that host."""
        self._config = config
        self._client = client
        self._limiter = limiter
        self._network = network
        self._policy = policy
        self._sleep = sleep
        self._plain_http: dict[tuple[str, int], asyncio.Future[bool]] = {}
        # Through a proxy the port cannot be asked directly (read once: the environment).
        self._ask_stalled_ports = not environment_proxies()

    async def fetch(self, url: str, body_limit: BodyLimit) -> FetchOutcome:
        """GET ``url``, retrying transient failures; ``body_limit`` says how much body to read."""
        first = await self._fetch_once(url, body_limit)
        if not self._should_retry(first):
            return first  # most URLs need no retry: tenacity is not even set up
        replay = [first]

        async def attempt() -> FetchOutcome:
            # tenacity sees the first outcome as its first attempt, so waits are unchanged.
            return replay.pop() if replay else await self._fetch_once(url, body_limit)

        policy = retrying(
            retries=self._config.retries,
            backoff=SITE_BACKOFF,
            retry=retry_if_result(self._should_retry),
            max_retry_wait=self._config.max_retry_wait,
            retry_after=_retry_after,
            sleep=self._sleep,
            retry_error_callback=_last_outcome,
        )
        outcome: FetchOutcome = await policy(attempt)
        return outcome

    def _should_retry(self, outcome: FetchOutcome) -> bool:
        if outcome.offline or outcome.error in (FetchError.DNS, FetchError.GAVE_UP):
            return False
        if outcome.retry_after is not None and outcome.retry_after > self._config.max_retry_wait:
            return False  # the server asked for longer than we may wait: report it instead
        if outcome.error is not None:
            return outcome.error in CONNECTION_ERRORS or outcome.error is FetchError.RESET
        return outcome.http_status in TRANSIENT_CODES

    async def _fetch_once(self, url: str, body_limit: BodyLimit) -> FetchOutcome:
        outcome = FetchOutcome(url)
        exchange = _Exchange({url})
        request_url = httpx.URL(url)
        timeout = self._policy(request_url.host).timeout
        current: str | None = url
        loop = asyncio.get_running_loop()
        try:
            while current is not None:
                if current is not url:
                    request_url = httpx.URL(current)
                async with self._limiter.slot(request_url.host):
                    # Only the time the server has counts; waiting for the slot does not.
                    started = loop.time()
                    try:
                        hop = self._hop(request_url, current, outcome, exchange, body_limit)
                        current = await within(
                            timeout - exchange.spent, self._watched(request_url, hop)
                        )
                    finally:
                        exchange.spent += loop.time() - started
            return outcome
        except HostGaveUp as exc:
            return _failed(outcome, FetchError.GAVE_UP, str(exc))
        except TimeoutError:
            return _failed(
                outcome, FetchError.TIMEOUT, f"no complete response within {timeout:g} s"
            )
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            return _failed(outcome, FetchError.TIMEOUT, f"{kind} timed out")
        except httpx.ConnectError as exc:
            error, message = describe_connect_error(exc)
            _failed(outcome, error, message)
            if await self._could_be_the_network(error, httpx.URL(current or url).host):
                # Either this host is unreachable or the whole network is: the canary decides.
                outcome.offline = not await self._network.online()
            return outcome
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            if outcome.redirects:
                return _failed(outcome, FetchError.BAD_REDIRECT, f"bad redirect target: {exc}")
            return _failed(outcome, FetchError.PROTOCOL, f"invalid URL: {exc}")
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            return _failed(outcome, FetchError.RESET, f"connection reset or closed ({_root(exc)})")
        except httpx.HTTPError as exc:
            return _failed(outcome, FetchError.PROTOCOL, f"HTTP error: {_root(exc)}")

    async def _could_be_the_network(self, error: FetchError, host: str) -> bool:
        """A TLS failure, or a refusal from a loopback or private address, is the host's answer."""
        if error not in CONNECTION_ERRORS:
            return False
        if error is FetchError.REFUSED:
            return not await resolves_privately(host, every=True)
        return True

    async def _watched(self, url: httpx.URL, hop: Coroutine[Any, Any, str | None]) -> str | None:
        """The ``hop`` to ``url``; an ``https`` one that stalls has its port asked whether it
        speaks plain HTTP (once per origin), and fails at once with that reason if it does."""
        if url.scheme != "https" or not self._ask_stalled_ports:
            return await hop  # no task of its own: plain-HTTP hops cost nothing more
        task = asyncio.ensure_future(hop)
        try:
            done, _ = await asyncio.wait({task}, timeout=TLS_PROBE_AFTER)
            if not done and await self._speaks_plain_http(url.host, url.port or 443):
                task.cancel()
                await asyncio.wait({task}, timeout=_CANCEL_GRACE)
                raise httpx.ConnectError(PLAIN_HTTP)
            return await task
        except BaseException:
            task.cancel()
            raise

    async def _speaks_plain_http(self, host: str, port: int) -> bool:
        """Asked once per origin and run; concurrent requests share the one question."""
        key = (host, port)
        if key not in self._plain_http:
            self._plain_http[key] = asyncio.ensure_future(answers_plain_http(host, port))
        return await asyncio.shield(self._plain_http[key])

    async def _hop(
        self,
        url: httpx.URL,
        current: str,
        outcome: FetchOutcome,
        exchange: _Exchange,
        body_limit: BodyLimit,
    ) -> str | None:
        """One request of the chain: the next URL to follow, or None when done."""
        # Each hop gets its own host's headers: a token never follows a redirect elsewhere.
        response = await self._send(url, self._policy(url.host).headers)
        try:
            return await self._take(response, current, outcome, exchange, body_limit)
        finally:
            await response.aclose()

    async def _send(self, url: httpx.URL, headers: dict[str, str]) -> httpx.Response:
        """Send a GET; once more on a fresh connection if a kept-alive one was found closed.

        Browsers resend an idempotent request whose reused connection the server had closed
        (common behind load balancers); that is not a retry, and not counted as one.
        """
        for last in (False, True):
            request = self._client.build_request("GET", url, headers=headers)
            try:
                return await self._client.send(request, stream=True)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                if last:
                    raise
        raise AssertionError("unreachable")

    async def _take(
        self,
        response: httpx.Response,
        url: str,
        outcome: FetchOutcome,
        exchange: _Exchange,
        body_limit: BodyLimit,
    ) -> str | None:
        """Record ``response`` (to ``url``) in ``outcome``: the redirect to follow, or None."""
        host = response.url.host
        if response.status_code == 429:
            wait = parse_retry_after(response.headers.get("retry-after"))
            if wait is not None and wait <= self._config.max_retry_wait:
                self._limiter.rate_limited(host, hold=wait)
            else:
                self._limiter.rate_limited(host, RATE_LIMITED_INTERVAL, RATE_LIMITED_INTERVAL)
        else:
            self._limiter.answered(host)
        exchange.cookie_set = exchange.cookie_set or "set-cookie" in response.headers
        location = location_of(response.headers)
        if response.status_code in REDIRECT_CODES and location:
            target = urljoin(url, location.strip())
            outcome.redirects.append((response.status_code, target))
            if target in exchange.visited:
                if exchange.cookie_set and not exchange.cookie_retried:
                    # A cookie wall: back to a page already asked for, with the cookie it set.
                    exchange.cookie_retried = True
                    await drain(response)
                    return target
                hops = len(outcome.redirects)
                _failed(outcome, FetchError.REDIRECT_LOOP, f"redirect loop after {hops} hops")
                return None
            if len(outcome.redirects) > self._config.max_redirects:
                most = self._config.max_redirects
                _failed(outcome, FetchError.TOO_MANY_REDIRECTS, f"more than {most} redirects")
                return None
            exchange.visited.add(target)
            await drain(response)
            return target
        outcome.http_status = response.status_code
        outcome.final_url = str(response.url)
        outcome.final_host = host
        outcome.headers = response.headers
        outcome.retry_after = parse_retry_after(response.headers.get("retry-after"))
        limit = body_limit(response.status_code, response.headers)
        if limit > 0:
            # An error page is read only briefly: one that drips must not become a timeout.
            brief = DRAIN_SECONDS if response.status_code >= 400 else None
            outcome.body, outcome.truncated = await read_capped(response, limit, brief)
        else:
            await drain(response)
        return None


async def within(seconds: float, work: Coroutine[Any, Any, T]) -> T:
    """``work``'s result, or TimeoutError once ``seconds`` have passed.

    The bound holds even when the engine swallows the cancellation (a read that completes just
    as it is cancelled can, with pyreqwest): the work is then abandoned, and its outcome
    collected whenever it ends.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=max(0.0, seconds))
    except BaseException:  # cancelled from outside (Ctrl-C): the work goes too
        task.cancel()
        raise
    if done:
        return task.result()
    task.cancel()
    # A moment for the work to close what it holds; if it ignores the cancellation, it is left.
    await asyncio.wait({task}, timeout=_CANCEL_GRACE)
    if not task.done():
        task.add_done_callback(lambda finished: finished.cancelled() or finished.exception())
    elif not task.cancelled() and task.exception() is None:
        return task.result()  # it finished right at the deadline: its answer stands
    raise TimeoutError


def location_of(headers: httpx.Headers) -> str | None:
    """The ``Location`` header as a browser reads it: its bytes, with every byte that is not
    ASCII percent-encoded (many servers send a raw UTF-8 or Latin-1 path)."""
    for name, value in headers.raw:
        if name.lower() == b"location":
            return "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in value)
    return None


def _failed(outcome: FetchOutcome, error: FetchError, message: str) -> FetchOutcome:
    outcome.error = error
    outcome.message = message
    return outcome


def _retry_after(state: RetryCallState) -> float | None:
    outcome = state.outcome.result() if state.outcome is not None else None
    return outcome.retry_after if isinstance(outcome, FetchOutcome) else None


def _last_outcome(state: RetryCallState) -> FetchOutcome:
    assert state.outcome is not None
    outcome: FetchOutcome = state.outcome.result()
    outcome.attempts = state.attempt_number
    return outcome


def _root(exc: BaseException) -> str:
    """The innermost cause's message: what actually went wrong."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return str(exc) or type(exc).__name__
