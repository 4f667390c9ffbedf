"""Is the network up at all? One probe per run, shared by every failed connection."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit


class NetworkProbe:
    """Connects to a canary host once, the first time a connection fails, and remembers."""

    def __init__(self, canary_url: str, timeout: float = 5.0) -> None:
        parts = urlsplit(canary_url if "//" in canary_url else f"https://{canary_url}")
        self.host = parts.hostname or canary_url
        self.port = parts.port or (80 if parts.scheme == "http" else 443)
        self._timeout = timeout
        self._probe: asyncio.Task[bool] | None = None

    async def online(self) -> bool:
        """True when the canary answers a TCP connection."""
        if self._probe is None:
            self._probe = asyncio.ensure_future(self._connect())
        return await asyncio.shield(self._probe)

    async def _connect(self) -> bool:
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self._timeout
            )
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
