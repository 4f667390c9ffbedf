"""Looking up existing snapshots with waybackpy (CDX first, availability as a fallback).

waybackpy is synchronous and sets no timeouts, so each call runs in a worker thread under our
own deadline, wrapped in tenacity retries; every endpoint is derived from the configured base URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from tenacity import retry_if_exception_type
from waybackpy import WaybackMachineAvailabilityAPI, WaybackMachineCDXServerAPI
from waybackpy.exceptions import (
    ArchiveNotInAvailabilityAPIResponse,
    BlockedSiteError,
    NoCDXRecordFound,
    TooManyRequestsError,
    WaybackError,
)

from linkcheck.net.politeness import Sleep
from linkcheck.net.retry import ARCHIVE_BACKOFF, retrying


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


class SnapshotLookup:
    """Finds the newest capture of a URL that answered 200."""

    def __init__(
        self,
        base_url: str,
        user_agent: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._user_agent = user_agent
        self._timeout = timeout
        self._retries = retries
        self._sleep = sleep
        # Our own pool: a hung waybackpy call must not keep the process alive at exit.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wayback-lookup")

    def close(self) -> None:
        """Stop the worker threads without waiting for hung calls."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def newest_ok(self, url: str) -> Snapshot | None:
        """The newest capture of ``url`` that answered 200 (CDX; availability if CDX fails)."""
        try:
            return await self._retry(self._cdx_newest, url)
        except SnapshotLookupFailed as cdx_error:
            try:
                return await self._retry(self._available_newest, url)
            except (SnapshotLookupFailed, KeyError, ValueError):
                raise cdx_error from None  # CDX is the source of truth: report its reason

    async def _retry(self, call: Callable[[str], Snapshot | None], url: str) -> Snapshot | None:
        loop = asyncio.get_running_loop()
        policy = retrying(
            retries=self._retries,
            backoff=ARCHIVE_BACKOFF,
            retry=retry_if_exception_type(_Transient),
            max_retry_wait=ARCHIVE_BACKOFF.longest,
            retry_after=lambda state: None,  # waybackpy hides the response's headers
            sleep=self._sleep,
        )

        async def attempt() -> Snapshot | None:
            future = loop.run_in_executor(self._pool, call, url)
            try:
                result: Snapshot | None = await asyncio.wait_for(future, self._timeout)
            except TimeoutError:
                raise _Transient(f"no answer within {self._timeout:g} s") from None
            return result

        try:
            snapshot: Snapshot | None = await policy(attempt)
        except _Transient as exc:
            raise SnapshotLookupFailed(str(exc)) from None
        return snapshot

    def _cdx_newest(self, url: str) -> Snapshot | None:
        api = WaybackMachineCDXServerAPI(
            url, self._user_agent, filters=["statuscode:200"], limit="-1", max_tries=1
        )
        api.endpoint = f"{self._base}/cdx/search/cdx"
        try:
            rows = list(api.snapshots())
        except TooManyRequestsError as exc:
            raise _Transient("the Wayback Machine rate-limited the lookup (429)") from exc
        except BlockedSiteError as exc:
            raise SnapshotLookupFailed("the site is excluded from the Wayback Machine") from exc
        except NoCDXRecordFound:
            return None
        except requests.RequestException as exc:
            raise _Transient(_describe(exc)) from exc
        except WaybackError as exc:
            raise SnapshotLookupFailed(f"unexpected CDX answer ({exc})") from exc
        if not rows:
            return None
        newest = max(rows, key=lambda row: row.timestamp)
        return Snapshot(newest.timestamp, newest.original)

    def _available_newest(self, url: str) -> Snapshot | None:
        api = WaybackMachineAvailabilityAPI(url, self._user_agent, max_tries=1)
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
