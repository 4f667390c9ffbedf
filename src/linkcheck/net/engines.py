"""HTTP engines under the one ``httpx.AsyncClient`` the checker speaks to.

``reqwest`` (the default) is Rust's reqwest and hyper, the stack lychee uses, through pyreqwest:
about a third of httpcore's CPU a request. ``httpx`` is httpx's own transport (httpcore), on one
small pool per origin: the fallback (``--http-engine httpx``). Either way the code above sees
httpx requests, responses and exceptions, and every fault is mapped to the same httpx exception
with a message that ``check/fetch.py`` reads the same way: DNS failure, refused, reset, TLS
failure, connect and read timeouts.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from linkcheck.net.transport import OriginPools, environment_proxies

if TYPE_CHECKING:
    from pyreqwest.client import Client
    from pyreqwest.exceptions import PyreqwestError

_READ_AHEAD = 0  # bytes pyreqwest reads before handing a streamed response over: none
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def client_options(
    engine: str, *, verify: bool, per_host: int, concurrency: int, timeout: float
) -> dict[str, Any]:
    """Keyword arguments for ``httpx.AsyncClient`` that put ``engine`` under it.

    Proxies (``HTTP_PROXY``, ``NO_PROXY``…) and CA bundles (``SSL_CERT_FILE``, ``SSL_CERT_DIR``)
    come from the environment with either engine.
    """
    if engine == "reqwest":
        return {"transport": ReqwestTransport(verify=verify, per_host=per_host, timeout=timeout)}
    if environment_proxies():
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=concurrency)
        return {"verify": verify, "limits": limits, "trust_env": True}
    return {"transport": OriginPools(verify=verify, per_origin=per_host, max_pools=concurrency)}


class ReqwestTransport(httpx.AsyncBaseTransport):
    """pyreqwest's client behind httpx: no redirects, no decompression (both are ours)."""

    def __init__(self, *, verify: bool, per_host: int, timeout: float) -> None:
        self._client = _reqwest_client(verify, per_host, timeout)
        self._verify = verify
        self._raw_headers: OriginPools | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        from pyreqwest.exceptions import PyreqwestError

        builder = (
            self._client.request(request.method, str(request.url))
            .headers(request.headers.multi_items())
            # Hand the headers over at once: pyreqwest otherwise reads this much body first,
            # and a body that drips would hold back even a 404's status. (Its multithreaded
            # runtime, below, wins back what the body reader task this costs.)
            .streamed_read_buffer_limit(_READ_AHEAD)
        )
        if request.method not in ("GET", "HEAD"):
            builder = builder.body_bytes(request.content)
        exit_stack = AsyncExitStack()
        try:
            response = await exit_stack.enter_async_context(builder.build_streamed())
        except PyreqwestError as exc:
            await exit_stack.aclose()
            raise _as_httpx(exc, request) from exc
        try:
            headers = list(response.headers.items())
        except ValueError:
            # A header that is not UTF-8 (a Location with raw Latin-1 bytes, say): pyreqwest
            # cannot hand its bytes over, httpcore can. Asked again there, once.
            await exit_stack.aclose()
            return await self._with_raw_headers(request)
        return httpx.Response(
            status_code=response.status,
            headers=headers,
            stream=_Body(response.body_reader, exit_stack, request),
            extensions={"http_version": response.version.encode()},
        )

    async def _with_raw_headers(self, request: httpx.Request) -> httpx.Response:
        if self._raw_headers is None:
            self._raw_headers = OriginPools(verify=self._verify, per_origin=1, max_pools=4)
        return await self._raw_headers.handle_async_request(request)

    async def aclose(self) -> None:
        await self._client.close()
        if self._raw_headers is not None:
            await self._raw_headers.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body read chunk by chunk as it arrives, its errors httpx's."""

    def __init__(self, reader: Any, exit_stack: AsyncExitStack, request: httpx.Request) -> None:
        self._reader = reader
        self._exit_stack = exit_stack
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        from pyreqwest.exceptions import PyreqwestError

        try:
            while (chunk := await self._reader.read_chunk()) is not None:
                yield bytes(chunk)
        except PyreqwestError as exc:
            raise _as_httpx(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._exit_stack.aclose()


def _reqwest_client(verify: bool, per_host: int, timeout: float) -> Client:
    from pyreqwest.client import ClientBuilder

    builder = (
        ClientBuilder()
        .runtime_multithreaded(True)  # its I/O beside our event loop, on another core
        .follow_redirects(False)
        .gzip(False)
        .brotli(False)
        .zstd(False)
        .deflate(False)
        .pool_max_idle_per_host(max(1, per_host))
        .connect_timeout(timedelta(seconds=min(timeout, 10.0)))
        .read_timeout(timedelta(seconds=timeout))
    )
    if not verify:
        builder = builder.danger_accept_invalid_certs(True)
    for certificate in _environment_certificates():
        builder = builder.add_root_certificate_pem(certificate)
    return builder.build()


def _environment_certificates() -> list[bytes]:
    """The certificates ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` name, as OpenSSL reads them."""
    paths: list[Path] = []
    if cert_file := os.environ.get("SSL_CERT_FILE"):
        paths.append(Path(cert_file))
    if cert_dir := os.environ.get("SSL_CERT_DIR"):
        for directory in cert_dir.split(os.pathsep):
            folder = Path(directory)
            if folder.is_dir():
                paths.extend(sorted(p for p in folder.iterdir() if p.is_file()))
    certificates = []
    for path in paths:
        try:
            certificates.extend(_PEM_BLOCK.findall(path.read_bytes()))
        except OSError:
            continue  # as OpenSSL does: an unreadable bundle adds nothing
    return certificates


def _as_httpx(exc: PyreqwestError, request: httpx.Request) -> httpx.HTTPError:
    """The httpx exception for a pyreqwest one, its message the innermost causes' words."""
    from pyreqwest import exceptions

    details = getattr(exc, "details", None) or {}
    causes = [str(c.get("message", "")) for c in details.get("causes", []) if isinstance(c, dict)]
    words = "; ".join(c for c in causes[1:] if c) or str(exc)
    lowered = words.lower()
    if isinstance(exc, exceptions.ConnectTimeoutError):
        return httpx.ConnectTimeout(words, request=request)
    if isinstance(exc, exceptions.RequestTimeoutError):
        return httpx.ReadTimeout(words, request=request)
    connecting = "(connect)" in lowered  # reqwest's "client error (Connect)"
    if connecting or (isinstance(exc, exceptions.ConnectError) and "send" not in lowered):
        return httpx.ConnectError(_connect_words(words), request=request)
    if isinstance(exc, exceptions.WriteError):
        return httpx.WriteError(words, request=request)
    if isinstance(exc, exceptions.NetworkError | exceptions.ReadError | exceptions.ConnectError):
        # Sending failed or the answer was cut short: the connection was closed or reset.
        return httpx.RemoteProtocolError(words, request=request)
    if isinstance(exc, exceptions.DecodeError):
        return httpx.DecodingError(words, request=request)
    return httpx.RemoteProtocolError(words, request=request)


def _connect_words(words: str) -> str:
    """A connect failure in the words ``describe_connect_error`` tells apart."""
    lowered = words.lower()
    if "invalid peer certificate" in lowered:
        detail = words[lowered.index("invalid peer certificate") :].split(";")[0]
        return f"TLS: certificate verify failed ({detail})"
    if "corrupt message" in lowered:
        detail = words[lowered.index("received corrupt message") :].split(";")[0]
        return f"TLS: handshake failed ({detail}: not a TLS server?)"
    if "tls" in lowered or "handshake" in lowered or "certificate" in lowered:
        return f"TLS: {words}"
    return words
