"""Save Page Now 2: captures through the authenticated API, with httpx and tenacity.

waybackpy only knows the retired anonymous ``GET /save/<url>``, so captures are ours:
``POST /save``, then ``GET /save/status/<job_id>`` until the job succeeds or fails, and
``GET /save/status/user`` for free slots and the daily quota.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from tenacity import RetryCallState, retry_if_exception_type

from linkcheck.archive.keys import ArchiveKeys
from linkcheck.net.politeness import Pause, Sleep
from linkcheck.net.retry import ARCHIVE_BACKOFF, parse_retry_after, retrying

NO_RETRY_AFTER_PAUSE = 20.0
# status_ext codes after which no more captures are submitted in this run.
ACCOUNT_REFUSALS = frozenset(
    {
        "error:max-daily-bandwidth",
        "error:max-daily-bandwidth-from-ip",
        "error:unauthorized",
        "error:blocked-client-ip",
    }
)
# Save Page Now's own trouble, or the target's momentary one: worth submitting again later.
TRANSIENT_ERRORS = frozenset(
    {
        "error:job-failed",
        "error:internal-server-error",
        "error:no-browsers-available",
        "error:browsing-timeout",
        "error:capture-location-error",
        "error:cannot-fetch",
        "error:celery",
        "error:proxy-error",
        "error:soft-time-limit-exceeded",
        "error:service-unavailable",
        "error:bad-gateway",
        "error:gateway-timeout",
        "error:too-many-requests",
        "error:read-timeout",
    }
)
REASONS = {
    "error:not-found": "the page answered 404 to the Wayback Machine",
    "error:no-access": "the page answered 403 to the Wayback Machine",
    "error:invalid-host-resolution": "the Wayback Machine could not resolve the host",
    "error:invalid-url-syntax": "the Wayback Machine rejected the URL's syntax",
    "error:blocked": "the site blocks the Wayback Machine",
    "error:blocked-url": "the Wayback Machine refuses to capture this URL",
    "error:filesize-limit": "the page is larger than the Wayback Machine captures (2 GB)",
    "error:too-many-redirects": "the page redirects more than the Wayback Machine follows",
    "error:too-many-daily-captures": "captured too often today: the daily limit is reached",
    "error:user-session-limit": "too many captures in progress for this account",
    "error:max-daily-bandwidth": "the account's daily capture bandwidth is used up",
    "error:unauthorized": "the page needs a login",
    "error:service-unavailable": "the page answered 503 to the Wayback Machine",
    "error:too-many-requests": "the page rate-limited the Wayback Machine (429)",
}


class JobState(StrEnum):
    """Where a capture job stands."""

    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(slots=True)
class JobStatus:
    """A submitted or polled capture job."""

    state: JobState
    job_id: str | None = None
    timestamp: str | None = None
    original_url: str | None = None
    status_ext: str | None = None
    message: str = ""

    @property
    def reason(self) -> str:
        """A human reason for an error."""
        if self.status_ext is None:
            return self.message or "capture failed"
        if self.status_ext == "error:too-many-daily-captures" and self.account_refusal:
            return "the account's daily capture limit is reached"
        return REASONS.get(self.status_ext, f"{self.status_ext}: {self.message}".rstrip(": "))

    @property
    def session_limit(self) -> bool:
        """Every capture slot of the account is busy (its other clients may hold them)."""
        return self.status_ext == "error:user-session-limit"

    @property
    def transient(self) -> bool:
        """Save Page Now's own failure, or the target's passing one: submit again later."""
        return self.status_ext in TRANSIENT_ERRORS

    @property
    def account_refusal(self) -> bool:
        """An error that refuses every further capture, not just this one."""
        if self.status_ext == "error:too-many-daily-captures":
            return "this url" not in self.message.lower()  # per URL unless the account is out
        return self.status_ext in ACCOUNT_REFUSALS


@dataclass(slots=True)
class UserStatus:
    """Free capture slots and the daily quota of the account."""

    available: int
    processing: int
    daily_captures: int | None = None
    daily_limit: int | None = None


class AuthenticationError(Exception):
    """The Wayback Machine refused the keys (HTTP 401)."""


class UncertainResponse(Exception):
    """520/523, a timeout or a malformed answer: the capture may exist anyway."""


class RateLimited(Exception):
    """HTTP 429 from the Wayback Machine itself."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("the Wayback Machine asked us to slow down (429)")
        self.retry_after = retry_after


class ArchiveBusy(Exception):
    """The Wayback Machine asked for a longer pause than this run waits (``Retry-After``)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the Wayback Machine asked us to wait {retry_after:.0f} s")
        self.retry_after = retry_after


class SavePageNow:
    """A client for one account on one Wayback Machine (``base_url``)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        keys: ArchiveKeys,
        *,
        retries: int = 3,
        max_retry_wait: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        pause: Pause | None = None,
    ) -> None:
        self._client = client
        self._pause = pause or Pause(sleep=sleep)
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": keys.authorization, "Accept": "application/json"}
        self._retries = retries
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep

    async def user_status(self) -> UserStatus:
        """``GET /save/status/user``: free slots and the daily quota (costs no capture)."""
        data = await self._call("GET", "/save/status/user", params={"_t": "0"})
        return UserStatus(
            available=int(data.get("available", 0)),
            processing=int(data.get("processing", 0)),
            daily_captures=_int_or_none(data.get("daily_captures")),
            daily_limit=_int_or_none(data.get("daily_captures_limit")),
        )

    async def submit(self, url: str, reuse_within_seconds: int) -> JobStatus:
        """``POST /save``: a job id, or the error that refused the capture."""
        form = {
            "url": url,
            "if_not_archived_within": str(reuse_within_seconds),
            "skip_first_archive": "1",
        }
        # A 5xx here may hide a capture that started: no blind resubmission, the caller looks first.
        data = await self._call("POST", "/save", retry_server_errors=False, data=form)
        if data.get("status") == "error" or not data.get("job_id"):
            return JobStatus(
                JobState.ERROR,
                status_ext=str(data.get("status_ext") or "error:no-job-id"),
                message=str(data.get("message", "")),
            )
        return JobStatus(
            JobState.PENDING, job_id=str(data["job_id"]), message=str(data.get("message", ""))
        )

    async def status(self, job_id: str) -> JobStatus:
        """``GET /save/status/<job_id>``."""
        data = await self._call("GET", f"/save/status/{job_id}")
        state = str(data.get("status", "pending"))
        if state == "success":
            return JobStatus(
                JobState.SUCCESS,
                job_id=job_id,
                timestamp=str(data.get("timestamp", "")) or None,
                original_url=str(data.get("original_url", "")) or None,
            )
        if state == "error":
            return JobStatus(
                JobState.ERROR,
                job_id=job_id,
                status_ext=str(data.get("status_ext") or "error:job-failed"),
                message=str(data.get("message", "")),
            )
        return JobStatus(JobState.PENDING, job_id=job_id)

    async def _call(
        self, method: str, path: str, *, retry_server_errors: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        retried: tuple[type[Exception], ...] = (RateLimited, httpx.TransportError, _ServerError)
        if not retry_server_errors:
            retried = (RateLimited, httpx.ConnectError)
        policy = retrying(
            retries=self._retries,
            backoff=ARCHIVE_BACKOFF,
            retry=retry_if_exception_type(retried),
            max_retry_wait=self._max_retry_wait,
            retry_after=_retry_after,
            sleep=self._sleep,
        )
        try:
            result: dict[str, Any] = await policy(self._once, method, path, **kwargs)
        except (httpx.TimeoutException, _ServerError) as exc:
            raise UncertainResponse(str(exc) or type(exc).__name__) from None
        except httpx.TransportError as exc:
            raise UncertainResponse(f"cannot reach the Wayback Machine ({exc})") from None
        return result

    def _hold(self, seconds: float) -> None:
        """Pause every request to the Wayback Machine, never beyond the longest wait allowed."""
        self._pause.hold(min(seconds, self._max_retry_wait))

    async def _once(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        await self._pause.wait()
        try:
            response = await self._client.request(
                method, self._base + path, headers=self._headers, **kwargs
            )
        except httpx.TimeoutException:
            self._hold(ARCHIVE_BACKOFF.first)
            raise
        if response.status_code == 401:
            raise AuthenticationError("the Wayback Machine refused the keys (HTTP 401)")
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None and retry_after > self._max_retry_wait:
                raise ArchiveBusy(retry_after)
            # The whole client waits, not just this request (the service blocks clients that
            # go on); without Retry-After (the usual case) 20 s, as overcast07's spn.sh does.
            self._hold(retry_after if retry_after is not None else NO_RETRY_AFTER_PAUSE)
            raise RateLimited(retry_after)
        if response.status_code == 404 and path.startswith("/save/status/"):
            return {
                "status": "error",
                "status_ext": "error:job-expired",
                "message": "job not found",
            }
        if response.status_code >= 500:
            self._hold(ARCHIVE_BACKOFF.first)
            raise _ServerError(f"HTTP {response.status_code} from the Wayback Machine")
        try:
            data = response.json()
        except ValueError:
            self._hold(ARCHIVE_BACKOFF.first)  # an overload page where JSON belongs
            raise _ServerError("the Wayback Machine answered something that is not JSON") from None
        if not isinstance(data, dict):
            raise _ServerError("the Wayback Machine answered an unexpected JSON shape")
        return data


def _retry_after(state: RetryCallState) -> float | None:
    error = state.outcome.exception() if state.outcome is not None else None
    return error.retry_after if isinstance(error, RateLimited) else None


class _ServerError(Exception):
    """5xx or junk: retried, then reported as uncertain."""


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None
