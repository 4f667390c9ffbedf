"""Per-host politeness: how many requests a host gets at once, how far apart, and when to stop."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
# After this many 429 answers in a row from one host, its remaining requests are not sent.
RATE_LIMIT_GIVE_UP = 8


# How far behind its schedule a pacer may start an event to catch up: the event loop wakes a
# sleeper up to a millisecond late (epoll rounds its timeout up), every time.
CATCH_UP = 0.002


class Pacer:
    """Starts events on a schedule ``interval`` seconds apart (0: no spacing).

    Each start follows the previous *scheduled* one, so the event loop's lateness in waking is
    not added to every start after it (bench/polite.py measured 0.7-0.9 ms a start, 6% of a
    10 ms interval); a start may run up to CATCH_UP behind its schedule to catch up, never more,
    so a pacer left idle starts again from now, without a burst.
    """

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
            now = self._clock()
            behind = now - self._next
            start = self._next if behind <= min(CATCH_UP, self.interval) else now
            if start > now:
                await self._sleep(start - now)
            self._next = start + self.interval


class Pause:
    """A pause every request to one service honours: a 429 or an overloaded answer to any of
    them holds them all, as the service's own guidance asks (one worker's backoff is not
    enough when the others keep asking)."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep, clock: Clock = time.monotonic) -> None:
        self._sleep = sleep
        self._clock = clock
        self._until = 0.0
        self.holds = 0  # how many times the service asked for a pause

    def hold(self, seconds: float) -> None:
        """Hold every request for ``seconds`` from now (a longer hold already set stays)."""
        self.holds += 1
        self._until = max(self._until, self._clock() + seconds)

    @property
    def remaining(self) -> float:
        """Seconds until requests may go again."""
        return max(0.0, self._until - self._clock())

    async def wait(self) -> None:
        """Return when requests may go."""
        while True:
            until = self._until
            delay = until - self._clock()
            if delay <= 0:
                return
            await self._sleep(delay)
            if self._until <= until:  # no longer hold was set meanwhile
                return


async def take_turn(pause: Pause, pacer: Pacer) -> None:
    """Return when a request may start: after any hold, at its pacer's next turn. A hold that
    began while it waited its turn (a 429 to another request) is waited out, then a new turn
    taken: the requests waiting too go one by one, not in a burst."""
    while True:
        await pause.wait()
        await pacer.wait()
        if pause.remaining <= 0:
            return


class PriorityGate:
    """At most ``size`` holders at once; a place that frees goes to the waiter with the highest
    priority (then the longest waiting), not merely the first to have asked."""

    def __init__(self, size: int) -> None:
        self._free = max(1, size)
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    async def acquire(self, priority: float) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (-priority, next(self._arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed a place while being cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1

    @asynccontextmanager
    async def place(self, priority: float) -> AsyncIterator[None]:
        await self.acquire(priority)
        try:
            yield
        finally:
            self.release()


class HostGaveUp(Exception):
    """The host kept answering 429: its requests still waiting are not sent."""

    def __init__(self, host: str, answers: int) -> None:
        super().__init__(f"not sent: {host} kept rate-limiting us ({answers} answers 429 in a row)")


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    pacer: Pacer
    pause: Pause
    rate_limited: int = 0  # 429 answers in a row


class HostLimiter:
    """Keyed by host name: at most N requests at once, M seconds apart (``limits(host)``); with
    a ``gate``, also at most so many requests at once in all, a request taking its place in the
    gate only once its host's turn has come (a request waiting for its host's pace holds no
    place another host could use), the host with the most work left (``priority``) first."""

    def __init__(
        self,
        limits: Callable[[str], tuple[int, float]],
        *,
        gate: PriorityGate | None = None,
        priority: Callable[[str], float] = lambda host: 0.0,
        give_up_after: int = RATE_LIMIT_GIVE_UP,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self._limits = limits
        self._gate = gate
        self._priority = priority
        self._give_up_after = give_up_after
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            concurrency, interval = self._limits(host)
            pacer = Pacer(interval, sleep=self._sleep, clock=self._clock)
            pause = Pause(sleep=self._sleep, clock=self._clock)
            state = self._hosts[host] = _Host(asyncio.Semaphore(concurrency), pacer, pause)
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots, starting no sooner than its interval allows.

        Raises HostGaveUp, before or after the wait, once the host kept rate-limiting us.
        """
        state = self._host(host)
        self._check(host, state)
        async with state.slots:
            await take_turn(state.pause, state.pacer)
            self._check(host, state)
            if self._gate is None:
                yield
                return
            async with self._gate.place(self._priority(host)):
                yield

    def _check(self, host: str, state: _Host) -> None:
        if state.rate_limited >= self._give_up_after:
            raise HostGaveUp(host, state.rate_limited)

    def rate_limited(self, host: str, hold: float, spacing: float = 0.0) -> None:
        """``host`` answered 429: none of its requests starts for ``hold`` seconds (the
        Retry-After it asked for), and from then on they are at least ``spacing`` apart."""
        state = self._host(host)
        state.rate_limited += 1
        state.pause.hold(hold)
        state.pacer.interval = max(state.pacer.interval, spacing)

    def answered(self, host: str) -> None:
        """``host`` answered something other than 429."""
        self._host(host).rate_limited = 0

    def interval(self, host: str) -> float:
        """The current spacing of ``host``'s requests."""
        return self._host(host).pacer.interval


class Lane:
    """One service's requests: at most ``concurrency`` at once, started ``1 / rate`` seconds
    apart, all held by one Pause; the service's own rate-limit headers may change both."""

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.pacer = Pacer(1.0 / rate if rate > 0 else 0.0, sleep=sleep, clock=clock)
        self.pause = Pause(sleep=sleep, clock=clock)
        self.concurrency = max(1, concurrency)
        self._active = 0
        self._turn = asyncio.Condition()

    @property
    def rate(self) -> float:
        """Requests a second, at most (0: no limit)."""
        return 1.0 / self.pacer.interval if self.pacer.interval > 0 else 0.0

    def adapt(self, rate: float | None = None, concurrency: int | None = None) -> None:
        """What the service says it allows now (None: unchanged)."""
        if rate is not None and rate > 0:
            self.pacer.interval = 1.0 / rate
        if concurrency is not None and concurrency > 0:
            self.concurrency = concurrency

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the service's request slots, after any pause, at its pace."""
        async with self._turn:
            await self._turn.wait_for(lambda: self._active < self.concurrency)
            self._active += 1
        try:
            await take_turn(self.pause, self.pacer)
            yield
        finally:
            async with self._turn:
                self._active -= 1
                self._turn.notify_all()
