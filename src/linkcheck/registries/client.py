"""One registry's requests: paced by its lane, retried on 429 and 5xx (the whole registry held
for the Retry-After), and failures read as "unknown", never as an answer about the identifier."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from tenacity import RetryCallState, retry_if_exception_type

from linkcheck.net.politeness import Lane, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.retry import SITE_BACKOFF, parse_retry_after, retrying


class RegistryUnknown(Exception):
    """The registry could not answer (429s, 5xx, garbage, no network): the identifier's verdict
    is unknown. ``offline``: the network itself is down (the canary did not answer)."""

    def __init__(self, reason: str, *, offline: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offline = offline


class _Again(Exception):
    """An answer worth asking again: a 429 or a 5xx, a timeout, a dropped connection."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _retry_after(state: RetryCallState) -> float | None:
    failure = state.outcome.exception() if state.outcome else None
    return failure.retry_after if isinstance(failure, _Again) else None


class Registry:
    """Requests to one registry over the run's client."""

    def __init__(
        self,
        name: str,
        http: httpx.AsyncClient,
        lane: Lane,
        probe: NetworkProbe,
        *,
        retries: int,
        max_retry_wait: float,
        sleep: Sleep,
    ) -> None:
        self.name = name
        self.lane = lane
        self._http = http
        self._probe = probe
        self._retries = retries
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep
        # Reads each answer's headers (a registry that announces its limits).
        self.on_answer: Callable[[httpx.Response], None] | None = None

    async def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The registry's answer to ``url`` (redirects not followed); RegistryUnknown when it
        kept failing, refused us (403), or the network is down."""
        policy = retrying(
            retries=self._retries,
            backoff=SITE_BACKOFF,
            retry=retry_if_exception_type(_Again),
            max_retry_wait=self._max_retry_wait,
            retry_after=_retry_after,
            sleep=self._sleep,
        )
        try:
            response: httpx.Response = await policy(self._once, url, params, headers)
        except _Again as exc:
            raise RegistryUnknown(f"{self.name}: {exc.reason}") from None
        return response

    async def _once(
        self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str] | None
    ) -> httpx.Response:
        async with self.lane.slot():
            try:
                response = await self._http.get(
                    url, params=params, headers=headers, follow_redirects=False
                )
                await response.aread()
            except httpx.TimeoutException:
                raise _Again("no answer in time") from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if not await self._probe.online():
                    raise RegistryUnknown("the network is unreachable", offline=True) from None
                raise _Again(f"cannot connect ({exc})") from None
            except httpx.TransportError as exc:
                raise _Again(f"the connection failed ({exc})") from None
        if self.on_answer is not None:
            self.on_answer(response)
        status = response.status_code
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("retry-after"))
            if status == 429:
                # Its guidance: back off every request, not this one only.
                self.lane.pause.hold(min(wait if wait is not None else 1.0, self._max_retry_wait))
            raise _Again(f"answered HTTP {status}", wait)
        if status == 403:
            raise RegistryUnknown(f"{self.name} refused the request (HTTP 403)")
        return response
