"""Per-host politeness: how many requests a host gets at once, and how far apart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class Pacer:
    """Starts events at least ``interval`` seconds apart (0: no spacing)."""

    def __init__(
        self, interval: float, *, sleep: Sleep = asyncio.sleep, clock: Clock = time.monotonic
    ) -> None:
        self.interval = interval
        self._sleep = sleep
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def per_minute(cls, rate: float, *, sleep: Sleep, clock: Clock) -> Pacer:
        """At most ``rate`` events a minute (0: no limit)."""
        return cls(60.0 / rate if rate > 0 else 0.0, sleep=sleep, clock=clock)

    async def wait(self) -> None:
        """Return when the next event may start."""
        if self.interval <= 0:
            return
        async with self._lock:
            delay = self._next - self._clock()
            if delay > 0:
                await self._sleep(delay)
            self._next = max(self._clock(), self._next) + self.interval


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    pacer: Pacer


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
            pacer = Pacer(self._interval, sleep=self._sleep, clock=self._clock)
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host), pacer)
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots, starting no sooner than its interval allows."""
        state = self._host(host)
        async with state.slots:
            await state.pacer.wait()
            yield

    def slow_down(self, host: str, interval: float) -> None:
        """Space ``host``'s requests at least ``interval`` seconds apart for the rest of the run."""
        pacer = self._host(host).pacer
        pacer.interval = max(pacer.interval, interval)

    def interval(self, host: str) -> float:
        """The current spacing of ``host``'s requests."""
        return self._host(host).pacer.interval
