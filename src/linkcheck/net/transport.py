"""One small connection pool per origin, behind the checker's one ``httpx.AsyncClient``.

httpcore's pool scans every connection it holds on each request and on each response closed,
so one shared pool of a hundred connections costs more CPU than the requests themselves. A
pool per origin holds at most the per-host limit; the least recently used idle pools are
closed so that many hosts do not mean many open sockets.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx


def environment_proxies() -> bool:
    """Whether the environment names a proxy (``HTTP_PROXY``, ``ALL_PROXY``…).

    httpx routes those through its own per-pattern mounts; a client with a transport of its
    own ignores them, so the checker keeps httpx's single pool when a proxy is configured.
    """
    return any(scheme != "no" for scheme in urllib.request.getproxies())  # NO_PROXY alone: none


@dataclass(slots=True)
class _Pool:
    transport: httpx.AsyncHTTPTransport
    active: int = 0


class OriginPools(httpx.AsyncBaseTransport):
    """Dispatches each request to its origin's own pool, created on first use."""

    def __init__(self, *, verify: bool, per_origin: int, max_pools: int) -> None:
        """``verify``: check certificates (with ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set)."""
        self._verify = verify
        self._contexts: dict[bytes, ssl.SSLContext] = {}
        self._limits = httpx.Limits(
            max_connections=None, max_keepalive_connections=max(1, per_origin)
        )
        self._max_pools = max(1, max_pools)
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], _Pool] = OrderedDict()

    @property
    def pool_count(self) -> int:
        """How many origin pools are open."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            transport = httpx.AsyncHTTPTransport(verify=self._context(key[0]), limits=self._limits)
            pool = self._pools[key] = _Pool(transport)
        else:
            self._pools.move_to_end(key)
        pool.active += 1
        try:
            await self._close_idle_pools()
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            await self._release(pool)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, lambda: self._release(pool)),
            extensions=response.extensions,
        )

    def _context(self, scheme: bytes) -> ssl.SSLContext:
        """One TLS context for all pools, built on first use: loading the CA bundle takes 30 ms."""
        if scheme not in self._contexts:
            verify = self._verify and scheme == b"https"  # plain-HTTP pools never use theirs
            self._contexts[scheme] = httpx.create_ssl_context(verify=verify, trust_env=True)
        return self._contexts[scheme]

    async def _release(self, pool: _Pool) -> None:
        pool.active -= 1
        await self._close_idle_pools()

    async def _close_idle_pools(self) -> None:
        """Close the least recently used pools with nothing in flight, down to ``max_pools``."""
        excess = len(self._pools) - self._max_pools
        if excess <= 0:
            return
        # Chosen and removed before the first await, so no request can pick one up meanwhile.
        idle = [key for key, pool in self._pools.items() if pool.active == 0][:excess]
        for pool in [self._pools.pop(key) for key in idle]:
            await pool.transport.aclose()

    async def aclose(self) -> None:
        while self._pools:
            await self._pools.popitem()[1].transport.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool once it is closed."""

    def __init__(
        self, stream: httpx.AsyncByteStream, release: Callable[[], Awaitable[None]]
    ) -> None:
        self._stream = stream
        self._release: Callable[[], Awaitable[None]] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                release, self._release = self._release, None
                await release()
