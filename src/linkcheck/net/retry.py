"""The one retry policy: exponential backoff with jitter, stretched to the server's Retry-After."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt
from tenacity.retry import retry_base
from tenacity.wait import wait_exponential, wait_random

from linkcheck.net.politeness import Sleep


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait between attempts: ``first`` doubling up to ``longest``, plus jitter."""

    first: float
    longest: float

    def waits(self) -> Callable[[RetryCallState], float]:
        """A tenacity wait strategy for this backoff."""
        return wait_exponential(multiplier=self.first, max=self.longest) + wait_random(
            0, self.first
        )


# A cited site: quick, since most failures are momentary and a run should not stall on them.
SITE_BACKOFF = Backoff(first=0.5, longest=10.0)
# The Wayback Machine: slower, as its own guidance for API clients asks.
ARCHIVE_BACKOFF = Backoff(first=2.0, longest=60.0)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def retry_wait(backoff: float, retry_after: float | None, longest: float) -> float:
    """The backoff, stretched to the server's ``Retry-After``, and never beyond ``longest``."""
    if retry_after is not None:
        backoff = max(backoff, retry_after)
    return min(backoff, longest)


def retrying(
    *,
    retries: int,
    backoff: Backoff,
    retry: retry_base,
    max_retry_wait: float,
    retry_after: Callable[[RetryCallState], float | None],
    sleep: Sleep,
    **options: Any,
) -> AsyncRetrying:
    """Up to ``retries`` retries, waiting by ``backoff`` or the server's ``retry_after``.

    ``retry_after`` reads the server's requested wait from a finished attempt (None: none).
    """
    waits = backoff.waits()

    def wait(state: RetryCallState) -> float:
        return retry_wait(waits(state), retry_after(state), max_retry_wait)

    return AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait,
        retry=retry,
        sleep=sleep,
        reraise=True,
        **options,
    )
