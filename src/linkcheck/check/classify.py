"""Judging a fetch: from what came back to a status and a human reason. Pure: no I/O.

Every status code outside the plain ranges, and every bot wall we recognise, has a deliberate
verdict here; the README lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

from linkcheck.check.failures import FetchError
from linkcheck.check.fetch import FetchOutcome
from linkcheck.model import Refusal, Status
from linkcheck.net.pages import (
    bot_challenge,
    page_says_it_is_missing,
    page_says_not_found,
    page_title,
)

PERMANENT_REDIRECTS = frozenset({301, 308})
_NOT_FOUND_PATH = re.compile(
    r"(?:^|[/_.-])(?:404|not[-_]?found|error[-_]?404|page[-_]?not[-_]?found)(?:$|[/_.-])", re.I
)
_ERROR_STATUSES = {
    FetchError.DNS: Status.BROKEN,
    FetchError.TIMEOUT: Status.TIMEOUT,
}

# Codes outside the standard set, or with a meaning beyond their class: (status, reason).
SPECIAL_CODES: dict[int, tuple[Status, str]] = {
    418: (Status.BLOCKED, "HTTP 418: the site refuses automated requests"),
    430: (Status.BLOCKED, "HTTP 430: Shopify refuses robots"),
    460: (Status.ERROR, "HTTP 460: the load balancer's client closed the connection (AWS)"),
    463: (Status.ERROR, "HTTP 463: the load balancer saw too many forwarding hops (AWS)"),
    499: (Status.ERROR, "HTTP 499: the server closed the request"),
    509: (Status.ERROR, "HTTP 509: the site's bandwidth limit is exceeded"),
    520: (Status.ERROR, "HTTP 520: the site's CDN got an unknown error from the origin"),
    521: (Status.ERROR, "HTTP 521: the site's CDN found the origin server down"),
    522: (Status.TIMEOUT, "HTTP 522: the site's CDN could not connect to the origin in time"),
    523: (Status.ERROR, "HTTP 523: the site's CDN cannot reach the origin"),
    524: (Status.TIMEOUT, "HTTP 524: the origin did not answer the site's CDN in time"),
    525: (Status.ERROR, "HTTP 525: TLS between the site's CDN and the origin failed"),
    526: (Status.ERROR, "HTTP 526: the origin's TLS certificate is invalid"),
    527: (Status.ERROR, "HTTP 527: the site's CDN lost its connection to the origin"),
    530: (Status.ERROR, "HTTP 530: the site's CDN cannot resolve or reach the origin"),
    598: (Status.TIMEOUT, "HTTP 598: a proxy timed out reading from the origin"),
    599: (Status.TIMEOUT, "HTTP 599: a proxy timed out connecting to the origin"),
    999: (Status.BLOCKED, "HTTP 999: LinkedIn refuses robots"),
}
ROBOT_REFUSALS = frozenset({401, 403, 418, 430, 451, 999})


@dataclass(frozen=True, slots=True)
class Verdict:
    """A status and its reason; ``refusal`` says why a ``blocked`` page was not read, and
    ``not_found_hint`` that a live page says "not found" (to be confirmed by a probe)."""

    status: Status
    reason: str
    refusal: Refusal | None = None
    not_found_hint: str | None = None


def classify_fetch(outcome: FetchOutcome, accept: frozenset[int] = frozenset()) -> Verdict:
    """The verdict on one fetch outcome."""
    if outcome.error is not None:
        if outcome.offline:
            return Verdict(Status.OFFLINE, f"network unreachable ({outcome.message})")
        if outcome.error is FetchError.GAVE_UP:
            return Verdict(Status.BLOCKED, outcome.message, Refusal.RATE_LIMITED)
        return Verdict(_ERROR_STATUSES.get(outcome.error, Status.ERROR), outcome.message)
    code = outcome.http_status
    assert code is not None
    reason = http_reason(code)
    challenge = bot_challenge(code, outcome.headers, outcome.body)
    if challenge is not None:
        return Verdict(Status.BLOCKED, f"{reason}: {challenge}", Refusal.ROBOTS)
    if code in accept:
        return _alive(outcome, reason)
    if 200 <= code < 300:
        moved = moved_to_not_found(outcome)
        if moved:
            return Verdict(Status.BROKEN, f"soft 404: {moved}")
        hint = page_says_not_found(outcome.body)
        # Every live page's title is read once; only one that says "not found" has its main
        # text read too (a parse), to hear whether it says the page is missing.
        if hint is not None and page_says_it_is_missing(outcome.body) is not None:
            return Verdict(Status.BROKEN, f'soft 404: page says "{hint}", and that it is missing')
        return _alive(outcome, reason, not_found_hint=hint)
    if code == 429:
        wait = outcome.retry_after
        detail = f" (asked to wait {wait:.0f} s)" if wait is not None else ""
        return Verdict(Status.BLOCKED, f"{reason}: rate limited{detail}", Refusal.RATE_LIMITED)
    if code in SPECIAL_CODES:
        status, special = SPECIAL_CODES[code]
        return Verdict(status, special, Refusal.ROBOTS if code in ROBOT_REFUSALS else None)
    if code in ROBOT_REFUSALS:
        return Verdict(
            Status.BLOCKED, f"{reason}: the site refuses automated requests", Refusal.ROBOTS
        )
    if 400 <= code < 500:
        return Verdict(Status.BROKEN, reason)
    if 500 <= code < 600:
        after = f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""
        return Verdict(Status.ERROR, f"{reason}{after}")
    return Verdict(Status.ERROR, f"unexpected {reason}")


def _alive(outcome: FetchOutcome, reason: str, not_found_hint: str | None = None) -> Verdict:
    if any(code in PERMANENT_REDIRECTS for code, _ in outcome.redirects):
        status, reason = Status.REDIRECTED, f"moved permanently to {outcome.final_url}"
    elif outcome.redirects:
        status, reason = Status.OK, f"{reason} after {len(outcome.redirects)} redirect(s)"
    else:
        status = Status.OK
    return Verdict(status, reason, not_found_hint=not_found_hint)


def http_reason(code: int) -> str:
    """``HTTP 404 Not Found``."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def moved_to_not_found(outcome: FetchOutcome) -> str | None:
    """Why a 200 reached by redirects is really "not found": a deep URL landed on the home page,
    or on an error page's address."""
    if not outcome.redirects:
        return None
    final = urlsplit(outcome.final_url or outcome.url)
    original = urlsplit(outcome.url)
    if original.path.strip("/") and not final.path.strip("/") and not final.query:
        return "redirected to the site's home page"
    if _NOT_FOUND_PATH.search(final.path):
        return f"redirected to {final.path}"
    return None


def confirm_not_found(verdict: Verdict, page: FetchOutcome, probe: FetchOutcome | None) -> Verdict:
    """A live page whose title says "not found" (but whose main text does not say the page is
    missing: see ``classify_fetch``), judged against the host's answer to a URL
    that surely does not exist (``probe``; None when it could not be asked).

    A host that answers such a URL with a real 404 does not hide missing pages behind a 200:
    the page is content (MDN's article about the 404 status, say). A host that answers it with
    a 200 of the same title, or one that also says "not found", is a soft-404 site.
    """
    hint = verdict.not_found_hint
    if hint is None:
        return verdict
    soft = Verdict(Status.BROKEN, f'soft 404: page says "{hint}"')
    if probe is None or probe.http_status is None:
        return soft  # nothing to compare with: the page's own words decide
    if not 200 <= probe.http_status < 300:
        return verdict
    probe_title = page_title(probe.body)
    if probe_title == page_title(page.body) or page_says_not_found(probe.body) is not None:
        return Verdict(
            Status.BROKEN,
            f'soft 404: page says "{hint}", as the site does for a page that does not exist',
        )
    return verdict
