"""Why a fetch got no usable answer: the kinds of failure, and a connect error told apart."""

from __future__ import annotations

import errno
import socket
import ssl
from enum import StrEnum

import httpx


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
    GAVE_UP = "gave_up"  # the host kept rate-limiting us: not sent


# Connecting failed: retried, and the only failures the network itself could cause (anything
# else, a TLS failure included, is an answer from the host).
CONNECTION_ERRORS = frozenset(
    {FetchError.DNS, FetchError.DNS_TEMPORARY, FetchError.REFUSED, FetchError.CONNECT}
)


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
    if message.startswith("TLS: "):
        return FetchError.TLS, message
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return FetchError.DNS, "DNS: name not found"
    if "temporary failure in name resolution" in lowered:
        return FetchError.DNS_TEMPORARY, "DNS: temporary failure in name resolution"
    if "certificate verify failed" in lowered:
        return FetchError.TLS, "TLS: certificate verify failed"
    if "ssl" in lowered or "tls" in lowered or "handshake" in lowered:
        return FetchError.TLS, f"TLS: {message}"
    if "connection refused" in lowered:
        return FetchError.REFUSED, "connection refused"
    if "network is unreachable" in lowered or "no route to host" in lowered:
        return FetchError.CONNECT, "network unreachable"
    return FetchError.CONNECT, f"cannot connect: {message or type(exc).__name__}"
