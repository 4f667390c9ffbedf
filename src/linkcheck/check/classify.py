"""Judging a fetch: from what came back to a status and a human reason. Pure: no I/O."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import urlsplit

from linkcheck.check.fetch import FetchError, FetchOutcome
from linkcheck.model import Status

PERMANENT_REDIRECTS = frozenset({301, 308})
SOFT_404_BYTES = 64 * 1024
_NOT_FOUND_TEXT = re.compile(
    r"\b(?:404|page not found|not found|no longer (?:available|exists)|does not exist|"
    r"doesn['’]t exist|cannot be found|can['’]t be found|page unavailable)\b",
    re.IGNORECASE,
)
_NOT_FOUND_PATH = re.compile(
    r"(?:^|[/_.-])(?:404|not[-_]?found|error[-_]?404|page[-_]?not[-_]?found)(?:$|[/_.-])", re.I
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_ERROR_STATUSES = {
    FetchError.DNS: Status.BROKEN,
    FetchError.TIMEOUT: Status.TIMEOUT,
}


def classify_fetch(
    outcome: FetchOutcome, accept: frozenset[int] = frozenset()
) -> tuple[Status, str]:
    """The status and reason for one fetch outcome."""
    if outcome.error is not None:
        if outcome.offline:
            return Status.OFFLINE, f"network unreachable ({outcome.message})"
        return _ERROR_STATUSES.get(outcome.error, Status.ERROR), outcome.message
    code = outcome.http_status
    assert code is not None
    reason = http_reason(code)
    headers = outcome.headers
    if headers is not None and headers.get("cf-mitigated", "").lower() == "challenge":
        return Status.BLOCKED, f"{reason}: bot challenge (cf-mitigated)"
    if code in accept:
        return _alive(outcome, reason)
    if 200 <= code < 300:
        soft = soft_404(outcome)
        if soft:
            return Status.BROKEN, f"soft 404: {soft}"
        return _alive(outcome, reason)
    if code in (401, 403, 451):
        return Status.BLOCKED, f"{reason}: the site refuses automated requests"
    if code == 429:
        wait = outcome.retry_after
        detail = f" (asked to wait {wait:.0f} s)" if wait is not None else ""
        return Status.BLOCKED, f"{reason}: rate limited{detail}"
    if 400 <= code < 500:
        return Status.BROKEN, reason
    if code >= 500:
        after = f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""
        return Status.ERROR, f"{reason}{after}"
    return Status.ERROR, f"unexpected {reason}"


def _alive(outcome: FetchOutcome, reason: str) -> tuple[Status, str]:
    if any(code in PERMANENT_REDIRECTS for code, _ in outcome.redirects):
        return Status.REDIRECTED, f"moved permanently to {outcome.final_url}"
    if outcome.redirects:
        return Status.OK, f"{reason} after {len(outcome.redirects)} redirect(s)"
    return Status.OK, reason


def http_reason(code: int) -> str:
    """``HTTP 404 Not Found``."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def soft_404(outcome: FetchOutcome) -> str | None:
    """Why a 200 is really "not found": the page says so, or a deep URL landed on the home page."""
    final = urlsplit(outcome.final_url or outcome.url)
    if outcome.redirects:
        original = urlsplit(outcome.url)
        if original.path.strip("/") and not final.path.strip("/") and not final.query:
            return "redirected to the site's home page"
        if _NOT_FOUND_PATH.search(final.path):
            return f"redirected to {final.path}"
    body = outcome.body
    if body:
        head = body[:SOFT_404_BYTES]
        for pattern in (_TITLE, _H1):
            match = pattern.search(head)
            if match:
                text = _TAGS.sub(" ", match.group(1).decode("utf-8", "replace"))
                text = " ".join(text.split())
                if _NOT_FOUND_TEXT.search(text) and len(text) < 120:
                    return f'page says "{text}"'
    return None
