"""Which addresses are private: loopback, private ranges, link-local and the like."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), reserved or unspecified addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_multicast
    )


async def resolves_privately(host: str, *, every: bool = False) -> bool:
    """Whether ``host`` is, or resolves to, a private address (``every``: only private ones).

    A name that does not resolve is not private.
    """
    if not host:
        return False
    if is_private_address(host):
        return True
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    private = [is_private_address(str(info[4][0])) for info in infos]
    return bool(private) and (all(private) if every else any(private))
