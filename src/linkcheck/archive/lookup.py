"""Looking up existing snapshots with waybackpy (CDX first, availability as a fallback).

waybackpy is synchronous and sets no timeouts, so each call runs in a worker thread under our
own deadline, wrapped in tenacity retries; every endpoint is derived from the configured base URL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from tenacity import retry_if_exception_type
from waybackpy import WaybackMachineAvailabilityAPI, WaybackMachineCDXServerAPI
from waybackpy.cdx_utils import check_for_blocked_site, full_url
from waybackpy.exceptions import (
    ArchiveNotInAvailabilityAPIResponse,
    BlockedSiteError,
    InvalidJSONInAvailabilityAPIResponse,
    NoCDXRecordFound,
    TooManyRequestsError,
    WaybackError,
)

from linkcheck.net.politeness import Pause, Sleep
from linkcheck.net.retry import ARCHIVE_BACKOFF, retrying

T = TypeVar("T")

# The index refuses more than two queries at once from one address (see wayback-behaviour).
LOOKUPS_AT_ONCE = 2


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One capture in the Wayback Machine."""

    timestamp: str  # 14 digits, UTC
    original: str

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(
            tzinfo=UTC
        )

    def archive_url(self, base_url: str) -> str:
        """The replay URL on ``base_url`` (the public Wayback Machine by default)."""
        return f"{base_url.rstrip('/')}/web/{self.timestamp}/{self.original}"


class SnapshotLookupFailed(Exception):
    """A lookup that could not be answered (as opposed to "no snapshot")."""


class _CheckedCDX(WaybackMachineCDXServerAPI):
    """waybackpy's CDX client, reading the answer's HTTP status: waybackpy reads a 429 or a
    5xx page as "no captures", which must never be taken for an answer. Its requests have no
    timeout (a worker thread waiting on a silent index kept a Ctrl-C'd run from exiting), and
    retry 5xx answers inside the thread: one request here, bounded by ``timeout``, and the
    retries are ours."""

    timeout: float = 30.0

    def cdx_api_manager(
        self, payload: dict[str, str], headers: dict[str, str]
    ) -> Generator[str, None, None]:
        payload["limit"] = str(self.limit)
        url = full_url(self.endpoint, params=payload)
        response = requests.get(url, headers=headers, timeout=self.timeout)
        check_for_blocked_site(response)
        if response.status_code == 429:
            raise _RateLimited("the Wayback Machine rate-limited the lookup (429)")
        if response.status_code >= 500:
            raise _Transient(f"the index answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise SnapshotLookupFailed(f"the index answered HTTP {response.status_code}")
        yield response.text.strip()


class SnapshotLookup:
    """Finds captures of a URL that answered 200: the newest, or those nearest a date."""

    def __init__(
        self,
        base_url: str,
        user_agent: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Sleep = asyncio.sleep,
        pause: Pause | None = None,
        max_retry_wait: float = ARCHIVE_BACKOFF.longest,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._max_retry_wait = max_retry_wait
        self._user_agent = user_agent
        self._timeout = timeout
        self._retries = retries
        self._sleep = sleep
        self._pause = pause or Pause(sleep=sleep)
        # Our own pool: a hung waybackpy call must not keep the process alive at exit.
        self._pool = ThreadPoolExecutor(
            max_workers=LOOKUPS_AT_ONCE, thread_name_prefix="wayback-lookup"
        )

    def close(self) -> None:
        """Stop the worker threads without waiting for hung calls."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def newest_ok(self, url: str) -> Snapshot | None:
        """The newest capture of ``url`` that answered 200 (CDX; availability if CDX fails).

        SnapshotLookupFailed when neither can say: availability's empty answer is no
        information (it is often empty for archived pages), so it never means "none".
        """
        try:
            return await self._retry(self._cdx_newest, url)
        except SnapshotLookupFailed as cdx_error:
            try:
                found = await self._retry(self._available_newest, url)
            except (SnapshotLookupFailed, KeyError, ValueError):
                found = None
            if found is None:
                raise cdx_error from None  # CDX is the source of truth: report its reason
            return found

    async def nearest_ok(self, url: str, moment: datetime, count: int = 3) -> list[Snapshot]:
        """Up to ``count`` captures of ``url`` that answered 200, nearest to ``moment`` first."""
        closest = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        rows = await self._retry(lambda page: self._cdx_nearest(page, closest, count), url)
        return rows or []

    async def _retry(self, call: Callable[[str], T], url: str) -> T:
        loop = asyncio.get_running_loop()
        policy = retrying(
            retries=self._retries,
            backoff=ARCHIVE_BACKOFF,
            retry=retry_if_exception_type(_Transient),
            max_retry_wait=ARCHIVE_BACKOFF.longest,
            retry_after=lambda state: None,  # waybackpy hides the response's headers
            sleep=self._sleep,
        )

        async def attempt() -> T:
            await self._pause.wait()
            future = loop.run_in_executor(self._pool, call, url)
            try:
                result: T = await asyncio.wait_for(future, self._timeout)
            except TimeoutError:
                raise _Transient(f"no answer within {self._timeout:g} s") from None
            except _RateLimited:
                # Every lookup waits, not only this one: the index blocks addresses that go on.
                self._pause.hold(min(ARCHIVE_BACKOFF.longest / 2, self._max_retry_wait))
                raise
            return result

        try:
            return await policy(attempt)
        except _Transient as exc:
            raise SnapshotLookupFailed(str(exc)) from None

    def _cdx_newest(self, url: str) -> Snapshot | None:
        rows = self._cdx_rows(_CheckedCDX(url, self._user_agent, filters=["statuscode:200"],
                                          limit="-1", max_tries=1))  # fmt: skip
        if not rows:
            return None
        return max(rows, key=lambda row: row.timestamp)

    def _cdx_nearest(self, url: str, closest: str, count: int) -> list[Snapshot]:
        api = _CheckedCDX(
            url,
            self._user_agent,
            filters=["statuscode:200"],
            sort="closest",
            closest=closest,
            limit=str(count),
            max_tries=1,
        )
        return self._cdx_rows(api)[:count]

    def _cdx_rows(self, api: _CheckedCDX) -> list[Snapshot]:
        api.endpoint = f"{self._base}/cdx/search/cdx"
        api.timeout = self._timeout
        try:
            rows = list(api.snapshots())
        except TooManyRequestsError as exc:
            raise _RateLimited("the Wayback Machine rate-limited the lookup (429)") from exc
        except BlockedSiteError as exc:
            raise SnapshotLookupFailed("the site is excluded from the Wayback Machine") from exc
        except NoCDXRecordFound:
            return []
        except requests.RequestException as exc:
            raise _Transient(_describe(exc)) from exc
        except WaybackError as exc:
            raise SnapshotLookupFailed(f"unexpected CDX answer ({exc})") from exc
        return [Snapshot(row.timestamp, row.original) for row in rows]

    def _available_newest(self, url: str) -> Snapshot | None:
        api = _BoundedAvailability(url, self._user_agent, max_tries=1)
        api.timeout = self._timeout
        api.endpoint = f"{self._base}/wayback/available"
        api.api_call_time_gap = 0  # else its first call sleeps 5 s
        try:
            api.newest()
        except ArchiveNotInAvailabilityAPIResponse:
            return None
        except requests.RequestException as exc:
            raise _Transient(_describe(exc)) from exc
        except WaybackError as exc:
            raise SnapshotLookupFailed(f"unexpected availability answer ({exc})") from exc
        closest = (api.json or {}).get("archived_snapshots", {}).get("closest", {})
        if not closest or str(closest.get("status", "200")) != "200":
            return None
        return Snapshot(str(closest["timestamp"]), url)


class _BoundedAvailability(WaybackMachineAvailabilityAPI):
    """waybackpy's availability client with a timeout on its one request (it has none)."""

    timeout: float = 30.0

    def setup_json(self) -> Any:
        self.response = requests.get(
            self.endpoint, params=self.payload, headers=self.headers, timeout=self.timeout
        )
        self.last_api_call_unix_time = int(time.time())
        self.tries += 1
        try:
            self.json = self.response.json()
        except ValueError as exc:
            raise InvalidJSONInAvailabilityAPIResponse(
                f"Response data:\n{self.response.text}"
            ) from exc
        return self.json


def _describe(exc: requests.RequestException) -> str:
    """A short reason: requests' own messages run to several hundred characters."""
    if isinstance(exc, requests.Timeout):
        return "the Wayback Machine did not answer in time"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "NameResolution" in text or "Name or service not known" in text:
            return "cannot reach the Wayback Machine (name not resolved)"
        if "Connection refused" in text:
            return "cannot reach the Wayback Machine (connection refused)"
        return "cannot reach the Wayback Machine"
    return f"lookup request failed ({type(exc).__name__})"


class _Transient(Exception):
    """Worth retrying: a 429, a timeout, a dropped connection."""


class _RateLimited(_Transient):
    """The index answered 429."""
