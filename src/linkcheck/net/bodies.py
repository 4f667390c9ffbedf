"""Reading response bodies: decoded by us (gzip, deflate, br, zstd), never past a cap.

Decompression is ours, bounded by the cap, so that a compression bomb costs no more memory
than the cap; httpx's own decoding has no such bound.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from typing import Protocol

import brotli
import httpx
import zstandard

# Every encoding a body can be decoded from; sent as Accept-Encoding.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
# Unread bodies up to this size are read to keep the connection (see drain).
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0
# zstd input is fed in pieces this small, so one piece never inflates far past the cap.
_ZSTD_PIECE = 1024


class _Decoder(Protocol):
    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        """Up to about ``room`` bytes decoded from ``data``; and whether more output is held."""
        ...


class _Zlib:
    """gzip (concatenated members too), zlib-wrapped deflate, or raw deflate."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._inner: zlib._Decompress | None = None

    def _start(self, data: bytes) -> zlib._Decompress:
        if self._encoding in ("gzip", "x-gzip") or data[:2] == b"\x1f\x8b":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        header = data[:2]
        zlib_wrapped = (
            len(header) == 2 and header[0] & 0x0F == 8 and int.from_bytes(header) % 31 == 0
        )
        # Some servers (old IIS among them) send raw deflate without the zlib header.
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        if self._inner is None:
            if not data:
                return b"", False
            self._inner = self._start(data)
        piece = self._inner.decompress(data, room)
        while self._inner.eof and self._inner.unused_data and len(piece) < room:
            rest = (
                self._inner.unused_data
            )  # concatenated gzip members decode to their concatenation
            self._inner = self._start(rest)
            piece += self._inner.decompress(rest, room - len(piece))
        return piece, bool(self._inner.unconsumed_tail)


class _Brotli:
    def __init__(self) -> None:
        self._inner = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        piece: bytes = self._inner.process(data, output_buffer_limit=max(room, 1))
        return piece, not self._inner.can_accept_more_data()


class _Zstd:
    def __init__(self) -> None:
        self._inner = zstandard.ZstdDecompressor().decompressobj()

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        pieces: list[bytes] = []
        size = 0
        for start in range(0, len(data), _ZSTD_PIECE):
            piece = self._inner.decompress(data[start : start + _ZSTD_PIECE])
            pieces.append(piece)
            size += len(piece)
            if size >= room and start + _ZSTD_PIECE < len(data):
                return b"".join(pieces), True
        return b"".join(pieces), False


def _decoder(encoding: str) -> _Decoder | None:
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Zlib(encoding)
    if encoding == "br":
        return _Brotli()
    if encoding == "zstd":
        return _Zstd()
    return None  # identity, or an encoding we did not ask for and cannot read: left as is


async def read_capped(
    response: httpx.Response, limit: int, seconds: float | None = None
) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of the decoded body, and whether there was more.

    A body whose encoding turns out to be corrupt ends where it stopped decoding. With
    ``seconds``, what arrived in that time is all there is (marked as truncated).
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    size = 0
    chunks = aiter(response.aiter_raw())
    loop = asyncio.get_running_loop()
    deadline = None if seconds is None else loop.time() + seconds
    while True:
        if deadline is None:
            try:
                chunk: bytes | None = await anext(chunks)
            except StopAsyncIteration:
                break
        else:
            late, chunk = await _next_before(chunks, deadline - loop.time())
            if late:
                return b"".join(parts), True
        if chunk is None:  # the end of the body
            break
        if decoder is None:
            piece = chunk[: limit - size]
            over = len(chunk) > len(piece)
        else:
            try:
                piece, over = decoder.feed(chunk, limit - size)
            except (zlib.error, brotli.error, zstandard.ZstdError):
                return b"".join(parts), False
        parts.append(piece[: limit - size])
        size += len(parts[-1])
        if over or size >= limit:
            return b"".join(parts), True
    return b"".join(parts), False


async def _next_before(chunks: AsyncIterator[bytes], seconds: float) -> tuple[bool, bytes | None]:
    """(late, chunk): the next chunk (None at the end of the body), or late if none came
    within ``seconds``.

    The wait is bounded without relying on cancellation reaching the engine's read: a read
    that completes just as it is cancelled can swallow the cancellation (seen with pyreqwest),
    and the wait would then last until the next chunk, or the end of a dripping body.
    """
    if seconds <= 0:
        return True, None
    read = asyncio.ensure_future(anext(chunks))
    done, _ = await asyncio.wait({read}, timeout=seconds)
    if not done:
        read.cancel()
        read.add_done_callback(_settled)
        return True, None
    try:
        return False, read.result()
    except StopAsyncIteration:
        return False, None
    except httpx.HTTPError:
        return True, None  # the body broke off: what arrived is all there is


def _settled(task: asyncio.Future[bytes]) -> None:
    """Collect an abandoned read's outcome, so that nothing is reported as never retrieved."""
    if not task.cancelled():
        task.exception()


async def drain(response: httpx.Response) -> None:
    """Read a small body nobody needs, so that its connection can serve the host's next request.

    An unread body makes httpcore drop the connection, and the next request to the host pays
    for a new one (a TLS handshake on https). Large or slow bodies are not worth it: closing
    is cheaper, and a body that drips must not turn a 404 into a timeout.
    """
    length = response.headers.get("content-length", "")
    if not length.isdigit() or int(length) > DRAIN_BYTES:
        return
    chunks = aiter(response.aiter_raw())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    while True:
        late, chunk = await _next_before(chunks, deadline - loop.time())
        if late or chunk is None:
            return  # read to the end, or not worth it: the connection is closed instead
