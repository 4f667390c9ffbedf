"""Telling a port that speaks plain HTTP from a slow TLS server, when an https request stalls.

A plain-HTTP server that reads a whole request before answering (nginx, most servers) says
nothing to a TLS hello: the client waits for a server hello until its deadline. So an ``https``
request still unanswered after a moment has its port asked once: a TLS hello, then (if nothing
came back) the end of an HTTP request. A TLS server answers the hello with a TLS record or
hangs up; a plain-HTTP server answers ``HTTP/…``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

PLAIN_HTTP = "TLS: the server does not speak TLS on this port (it answers plain HTTP)"
_SILENCE = 0.25  # seconds without an answer to the hello before the request is ended
_WAIT = 0.5  # seconds for an answer to that


async def answers_plain_http(host: str, port: int) -> bool:
    """Does ``host:port`` answer a TLS hello, or the end of a request after it, in plain HTTP?"""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), _WAIT * 2)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(_client_hello(host))
        await writer.drain()
        answer = await _read(reader, _SILENCE)
        if answer is None:  # silence: a server still reading a request line waits for its end
            writer.write(b"\r\n\r\n")
            await writer.drain()
            answer = await _read(reader, _WAIT)
        return answer is not None and answer.startswith(b"HTTP/")
    except OSError:
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), _WAIT)


async def _read(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    """The first bytes of an answer; None when none came in time (b"" when it hung up)."""
    try:
        return await asyncio.wait_for(reader.read(5), seconds)
    except TimeoutError:
        return None


def _client_hello(host: str) -> bytes:
    """A real TLS client hello for ``host``, made by Python's own TLS library."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    # An IP address is sent as no server name at all: Python's ssl leaves SNI out for one.
    connection = context.wrap_bio(incoming, outgoing, server_hostname=host)
    with contextlib.suppress(ssl.SSLWantReadError):
        connection.do_handshake()
    return outgoing.read()
