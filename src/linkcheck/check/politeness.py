"""Per-host politeness: how many requests a host gets at once, and how far apart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    interval: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HostLimiter:
    """Keyed by host name: at most ``per_host`` requests at once, ``interval`` seconds apart."""

    def __init__(
        self,
        per_host: int,
        interval: float = 0.0,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self._per_host = per_host
        self._interval = interval
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host), self._interval)
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots, starting no sooner than its interval allows."""
        state = self._host(host)
        async with state.slots:
            if state.interval > 0:
                async with state.lock:
                    wait = state.next_start - self._clock()
                    if wait > 0:
                        await self._sleep(wait)
                    state.next_start = max(self._clock(), state.next_start) + state.interval
            yield

    def slow_down(self, host: str, interval: float) -> None:
        """Space ``host``'s requests at least ``interval`` seconds apart for the rest of the run."""
        state = self._host(host)
        state.interval = max(state.interval, interval)

    def interval(self, host: str) -> float:
        """The current spacing of ``host``'s requests."""
        return self._host(host).interval
