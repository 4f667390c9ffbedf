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
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx


def environment_proxies() -> bool:
    """Whether the environment names a proxy (``HTTP_PROXY``, ``ALL_PROXY``…).

    httpx routes those through its own per-pattern mounts; a client with a transport of its
    own ignores them, so the checker keeps httpx's single pool when a proxy is configured.
    """
    return bool(urllib.request.getproxies())


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
            await self._close_idle_pools(self._max_pools - 1)
            pool = self._pools[key] = _Pool(
                httpx.AsyncHTTPTransport(verify=self._context(key[0]), limits=self._limits)
            )
        else:
            self._pools.move_to_end(key)
        pool.active += 1
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.active -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, pool),
            extensions=response.extensions,
        )

    def _context(self, scheme: bytes) -> ssl.SSLContext:
        """One TLS context for all pools, built on first use: loading the CA bundle takes 30 ms."""
        if scheme not in self._contexts:
            verify = self._verify and scheme == b"https"  # plain-HTTP pools never use theirs
            self._contexts[scheme] = httpx.create_ssl_context(verify=verify, trust_env=True)
        return self._contexts[scheme]

    async def _close_idle_pools(self, keep: int) -> None:
        """Close the least recently used pools with nothing in flight, down to ``keep``."""
        excess = len(self._pools) - keep
        for key in [k for k, pool in self._pools.items() if pool.active == 0][: max(0, excess)]:
            await self._pools.pop(key).transport.aclose()

    async def aclose(self) -> None:
        while self._pools:
            await self._pools.popitem()[1].transport.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that marks its pool as no longer busy once closed."""

    def __init__(self, stream: httpx.AsyncByteStream, pool: _Pool) -> None:
        self._stream = stream
        self._pool: _Pool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._pool is not None:
                self._pool.active -= 1
                self._pool = None
