"""Fetching one URL: redirects followed by hand, a total deadline, a capped body, retries."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urljoin

import httpx
from tenacity import RetryCallState, retry_if_result

from linkcheck.config import CheckConfig
from linkcheck.net.politeness import HostLimiter, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.retry import SITE_BACKOFF, parse_retry_after, retrying

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_CODES = frozenset({429, 502, 503, 504})
# Unread bodies up to this size are read to keep the connection (see drain).
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0
# After a 429, a host gets at most one request this often for the rest of the run.
RATE_LIMITED_INTERVAL = 1.0


class FetchError(StrEnum):
    """Why no HTTP response came back (or why the one that did cannot be used)."""

    DNS = "dns"
    DNS_TEMPORARY = "dns_temporary"
    REFUSED = "refused"
    CONNECT = "connect"
    RESET = "reset"
    TLS = "tls"
    TIMEOUT = "timeout"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_REDIRECT = "bad_redirect"
    PROTOCOL = "protocol"


CONNECTION_ERRORS = frozenset(
    {FetchError.DNS, FetchError.DNS_TEMPORARY, FetchError.REFUSED, FetchError.CONNECT}
)


@dataclass(slots=True)
class FetchOutcome:
    """One attempt's (or the last retry's) result: a response, or the error instead of one."""

    url: str
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    headers: httpx.Headers | None = None
    body: bytes | None = None
    truncated: bool = False
    error: FetchError | None = None
    message: str = ""
    retry_after: float | None = None
    offline: bool = False
    attempts: int = 1


class Fetcher:
    """Fetches URLs through one shared client, with per-host politeness and retries."""

    def __init__(
        self,
        config: CheckConfig,
        client: httpx.AsyncClient,
        limiter: HostLimiter,
        network: NetworkProbe,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._config = config
        self._client = client
        self._limiter = limiter
        self._network = network
        self._sleep = sleep

    async def fetch(self, url: str, body_limit: Callable[[httpx.Headers], int]) -> FetchOutcome:
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
        if outcome.offline or outcome.error is FetchError.DNS:
            return False
        if outcome.retry_after is not None and outcome.retry_after > self._config.max_retry_wait:
            return False  # the server asked for longer than we may wait: report it instead
        if outcome.error is not None:
            return outcome.error in CONNECTION_ERRORS or outcome.error is FetchError.RESET
        return outcome.http_status in TRANSIENT_CODES

    async def _fetch_once(
        self, url: str, body_limit: Callable[[httpx.Headers], int]
    ) -> FetchOutcome:
        outcome = FetchOutcome(url)
        current = url
        visited = {url}
        deadline: float | None = None
        loop = asyncio.get_running_loop()
        try:
            while True:
                request_url = httpx.URL(current)
                async with self._limiter.slot(request_url.host):
                    # The deadline covers the whole exchange, redirects and body included,
                    # but not the time spent waiting for a polite slot.
                    if deadline is None:
                        deadline = loop.time() + self._config.timeout
                    async with asyncio.timeout_at(deadline):
                        response = await self._client.send(
                            self._client.build_request("GET", request_url), stream=True
                        )
                        try:
                            following = await self._take(
                                response, current, outcome, visited, body_limit
                            )
                        finally:
                            await response.aclose()
                if following is None:
                    return outcome
                current = following
        except TimeoutError:
            return _failed(
                outcome,
                FetchError.TIMEOUT,
                f"no complete response within {self._config.timeout:g} s",
            )
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            return _failed(outcome, FetchError.TIMEOUT, f"{kind} timed out")
        except httpx.ConnectError as exc:
            error, message = describe_connect_error(exc)
            _failed(outcome, error, message)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            if outcome.redirects:
                return _failed(outcome, FetchError.BAD_REDIRECT, f"bad redirect target: {exc}")
            return _failed(outcome, FetchError.PROTOCOL, f"invalid URL: {exc}")
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            return _failed(outcome, FetchError.RESET, f"connection reset or closed ({_root(exc)})")
        except httpx.HTTPError as exc:
            return _failed(outcome, FetchError.PROTOCOL, f"HTTP error: {_root(exc)}")
        # Connecting failed: either this host is unreachable or the whole network is.
        outcome.offline = not await self._network.online()
        return outcome

    async def _take(
        self,
        response: httpx.Response,
        url: str,
        outcome: FetchOutcome,
        visited: set[str],
        body_limit: Callable[[httpx.Headers], int],
    ) -> str | None:
        """Record ``response`` (to ``url``) in ``outcome``: the redirect to follow, or None."""
        location: str | None = response.headers.get("location")
        if response.status_code in REDIRECT_CODES and location:
            target = urljoin(url, location.strip())
            outcome.redirects.append((response.status_code, target))
            if target in visited:
                hops = len(outcome.redirects)
                _failed(outcome, FetchError.REDIRECT_LOOP, f"redirect loop after {hops} hops")
                return None
            if len(outcome.redirects) > self._config.max_redirects:
                most = self._config.max_redirects
                _failed(outcome, FetchError.TOO_MANY_REDIRECTS, f"more than {most} redirects")
                return None
            visited.add(target)
            await drain(response)
            return target
        outcome.http_status = response.status_code
        outcome.final_url = str(response.url)
        outcome.headers = response.headers
        outcome.retry_after = parse_retry_after(response.headers.get("retry-after"))
        if response.status_code == 429:
            self._limiter.slow_down(response.url.host, RATE_LIMITED_INTERVAL)
        limit = body_limit(response.headers) if response.status_code < 300 else 0
        if limit > 0:
            outcome.body, outcome.truncated = await read_capped(response, limit)
        else:
            await drain(response)
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


def describe_connect_error(exc: httpx.ConnectError) -> tuple[FetchError, str]:
    """Tell name-resolution, refusal, TLS and other connection failures apart."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            if cause.errno in (socket.EAI_AGAIN,):
                return FetchError.DNS_TEMPORARY, "DNS: temporary failure in name resolution"
            return FetchError.DNS, "DNS: name not found"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return FetchError.TLS, f"TLS: certificate verify failed ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return FetchError.TLS, f"TLS: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return FetchError.REFUSED, "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return FetchError.CONNECT, "network unreachable"
        cause = cause.__cause__ or cause.__context__
    message = str(exc)
    lowered = message.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return FetchError.DNS, "DNS: name not found"
    if "temporary failure in name resolution" in lowered:
        return FetchError.DNS_TEMPORARY, "DNS: temporary failure in name resolution"
    if "certificate verify failed" in lowered:
        return FetchError.TLS, "TLS: certificate verify failed"
    if "connection refused" in lowered:
        return FetchError.REFUSED, "connection refused"
    return FetchError.CONNECT, f"cannot connect: {message or type(exc).__name__}"


async def drain(response: httpx.Response) -> None:
    """Read a small body nobody needs, so that its connection can serve the host's next request.

    An unread body makes httpcore drop the connection, and the next request to the host pays
    for a new one (a TLS handshake on https). Large or slow bodies are not worth it: closing
    is cheaper, and a body that drips must not turn a 404 into a timeout.
    """
    length = response.headers.get("content-length", "")
    if not length.isdigit() or int(length) > DRAIN_BYTES:
        return
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in response.aiter_raw():
                pass
    except (TimeoutError, httpx.HTTPError):
        pass  # the connection is closed instead; the response itself was fine


async def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of the decompressed body, and whether there was more.

    Decompression is ours, bounded by ``limit``, so that a gzip bomb costs no more memory
    than the cap.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        if decoder is None:
            piece = chunk[: limit - size]
            over = len(chunk) > len(piece)
        else:
            try:
                piece = decoder.decompress(chunk, limit - size)
                while decoder.eof and decoder.unused_data and len(piece) < limit - size:
                    # Concatenated gzip members decompress to their concatenation.
                    rest, decoder = decoder.unused_data, _decoder(encoding) or decoder
                    piece += decoder.decompress(rest, limit - size - len(piece))
            except zlib.error:
                return b"".join(parts), False
            over = bool(decoder.unconsumed_tail)
        parts.append(piece)
        size += len(piece)
        if over or size >= limit:
            return b"".join(parts), True
    return b"".join(parts), False


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, detected
    return None
