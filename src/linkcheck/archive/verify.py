"""Verifying an archived copy before the manifest calls it good.

A copy is good when the archive replays a 200 capture of the cited page (or of the page the
cited URL redirects to, which is said), that is neither a bot wall nor a "not found" page, and
that holds the quoted words of every text directive cited on it (the same matcher as for live
pages). The Wayback Machine's raw replay (``/web/<ts>id_/<url>``) is read, so its toolbar and
rewriting do not stand between the page and the matcher.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from linkcheck.archive.memento import parse_links
from linkcheck.fragments import DAMAGED_PDF, Page, verify_fragment
from linkcheck.model import WITNESSED, ArchivedCopy, FragmentState, Status, iso_utc
from linkcheck.net.bodies import read_capped
from linkcheck.net.pages import bot_challenge, page_says_not_found
from linkcheck.net.politeness import Pacer, Pause
from linkcheck.net.retry import ARCHIVE_BACKOFF, parse_retry_after

# /web/20240102030405id_/https://example.com/page (the id_ or other modifier optional).
WAYBACK_REPLAY = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$", re.DOTALL)
_MAX_REDIRECTS = 6


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What fetching a copy showed, for one cited fragment.

    ``verified`` is None when the copy could not be read to tell (worth trying again later);
    ``captured_at`` is the replayed capture's own time when the archive served another one.
    """

    verified: bool | None
    reason: str
    captured_at: str | None = None


@dataclass(frozen=True, slots=True)
class _Replay:
    code: int
    headers: httpx.Headers
    original_headers: httpx.Headers
    body: bytes
    content_type: str | None
    original: str | None  # the URL the replayed capture is of
    timestamp: str | None  # the replayed capture's 14 digits (Wayback) or Memento-Datetime


def wayback_parts(url: str) -> tuple[str, str] | None:
    """(timestamp, original URL) of a Wayback Machine replay URL, or None."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    match = WAYBACK_REPLAY.search(path)
    return (match.group(1), match.group(2)) if match else None


def same_resource(first: str, second: str) -> bool:
    """Do two URLs name the same page as archives index them (scheme, ``www.``, default
    ports and a trailing slash aside)?"""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port if parts.port not in (None, 80, 443) else None
        path = parts.path.rstrip("/") or "/"
        return (f"{host}:{port}" if port else host, path, parts.query)

    return key(first) == key(second)


class CopyVerifier:
    """Fetches copies politely (per archive host: a pace, two at a time, and the host's shared
    pause) and judges them."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        wayback_url: str,
        wayback_pause: Pause,
        rate: float,
        max_bytes: int,
    ) -> None:
        self._client = client
        self._wayback_host = urlsplit(wayback_url).netloc.lower()
        self._max_bytes = max_bytes
        self._rate = rate
        self._pauses: dict[str, Pause] = {self._wayback_host: wayback_pause}
        self._pacers: dict[str, Pacer] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}

    def is_wayback(self, copy_url: str) -> bool:
        """Is this copy in the configured Wayback Machine?"""
        return urlsplit(copy_url).netloc.lower() == self._wayback_host

    async def check(
        self,
        copy_url: str,
        cited: str,
        fragments: Sequence[str],
        redirect_target: str | None = None,
    ) -> dict[str, CopyCheck]:
        """The verdict on ``copy_url`` (without fragment) as a copy of ``cited``, for each
        cited fragment ("" for a citation without one)."""
        try:
            replay = await self._fetch(copy_url)
        except _Unreadable as exc:
            return {fragment: CopyCheck(None, str(exc)) for fragment in fragments}
        page_check = self._judge_page(replay, copy_url, cited, redirect_target)
        if page_check.verified is not True:
            return {fragment: page_check for fragment in fragments}
        page = Page(replay.body, replay.content_type)
        return {fragment: self._judge_quote(page_check, fragment, page) for fragment in fragments}

    def _judge_page(
        self, replay: _Replay, copy_url: str, cited: str, redirect_target: str | None
    ) -> CopyCheck:
        captured_at = _as_iso(replay.timestamp) if replay.timestamp else None
        wanted = wayback_parts(copy_url)
        if wanted is not None and replay.timestamp and replay.timestamp != wanted[0]:
            other = captured_at or replay.timestamp
            return CopyCheck(
                None, f"not replayable yet: the archive serves its capture of {other}", captured_at
            )
        if wanted is not None and not replay.headers.get("memento-datetime"):
            # The Wayback Machine's own answer, not a capture's (which names its date): the
            # capture is not replayable yet (index lag), or the archive is in trouble.
            return CopyCheck(
                None,
                f"not replayable yet: the archive answered HTTP {replay.code} without a capture",
            )
        if replay.code != 200:
            return CopyCheck(False, f"the copy is of an error page (HTTP {replay.code})")
        wall = bot_challenge(replay.code, replay.original_headers, replay.body, archived=True)
        if wall is not None:
            return CopyCheck(False, f"the copy is a bot wall, not the page ({wall})")
        says = page_says_not_found(replay.body)
        if says is not None:
            return CopyCheck(False, f'the copy is a "not found" page ("{says}")')
        reason = "a 200 capture of the cited page"
        if replay.original is not None and not same_resource(replay.original, cited):
            if redirect_target is not None and same_resource(replay.original, redirect_target):
                reason = f"a 200 capture of the page the URL redirects to ({replay.original})"
            else:
                return CopyCheck(False, f"the copy is of a different page ({replay.original})")
        return CopyCheck(True, reason, captured_at)

    @staticmethod
    def _judge_quote(page_check: CopyCheck, fragment: str, page: Page) -> CopyCheck:
        # Each text directive on its own, as a browser highlights them; what it ignores
        # (an unknown directive beside them) decides nothing.
        outcomes = [
            o
            for o in verify_fragment(fragment, page)
            if o.kind == "text" and o.state is not FragmentState.SKIPPED
        ]
        if not outcomes:
            return page_check
        if any(o.state is FragmentState.MISSING for o in outcomes):
            return CopyCheck(False, QUOTE_MISSING, page_check.captured_at)
        damaged = next((o for o in outcomes if o.reason.startswith(DAMAGED_PDF)), None)
        if damaged is not None:  # a reader would get a broken file, not the page
            return CopyCheck(False, f"the copy is a damaged PDF ({damaged.reason})")
        if all(o.state is FragmentState.FOUND for o in outcomes):
            return CopyCheck(
                True, page_check.reason + ", with the quoted words", page_check.captured_at
            )
        unread = next(o for o in outcomes if o.state is not FragmentState.FOUND)
        return CopyCheck(
            True,
            f"{page_check.reason}; the quote could not be checked ({unread.reason})",
            page_check.captured_at,
        )

    async def _fetch(self, copy_url: str) -> _Replay:
        host = urlsplit(copy_url).netloc.lower()
        pause = self._pauses.setdefault(host, Pause())
        if host not in self._pacers:
            clock = asyncio.get_running_loop().time
            self._pacers[host] = Pacer.per_minute(self._rate, sleep=asyncio.sleep, clock=clock)
        pacer = self._pacers[host]
        slots = self._slots.setdefault(host, asyncio.Semaphore(2))
        url = self._raw(copy_url)
        async with slots:
            for _ in range(_MAX_REDIRECTS + 1):
                await pause.wait()
                await pacer.wait()
                try:
                    async with self._client.stream("GET", url) as response:
                        if response.status_code == 429 or response.status_code >= 500:
                            wait = parse_retry_after(response.headers.get("retry-after"))
                            pause.hold(wait if wait is not None else ARCHIVE_BACKOFF.first)
                            raise _Unreadable(
                                f"the archive answered HTTP {response.status_code}: "
                                "the copy is verified on a later run"
                            )
                        location = response.headers.get("location")
                        if response.is_redirect and location:
                            url = urljoin(url, location)
                            continue
                        body, _ = await read_capped(response, self._max_bytes)
                        return self._replay(url, response, body)
                except httpx.HTTPError as exc:
                    raise _Unreadable(
                        f"the copy could not be fetched ({type(exc).__name__}): "
                        "it is verified on a later run"
                    ) from None
        raise _Unreadable("the archive redirected too many times")

    def _raw(self, copy_url: str) -> str:
        """The Wayback Machine's raw replay of a copy (no toolbar, no rewritten links)."""
        parts = wayback_parts(copy_url)
        if parts is None or not self.is_wayback(copy_url):
            return copy_url
        base = copy_url[: copy_url.index("/web/")]
        return f"{base}/web/{parts[0]}id_/{parts[1]}"

    def _replay(self, url: str, response: httpx.Response, body: bytes) -> _Replay:
        original_headers = httpx.Headers(
            {
                name[len("x-archive-orig-") :]: value
                for name, value in response.headers.items()
                if name.lower().startswith("x-archive-orig-")
            }
        )
        if not original_headers:
            original_headers = response.headers
        parts = wayback_parts(url) if self.is_wayback(url) else None
        original = parts[1] if parts else _original(response.headers.get("link", ""))
        timestamp = parts[0] if parts else _memento_timestamp(response.headers)
        return _Replay(
            response.status_code,
            response.headers,
            original_headers,
            body,
            response.headers.get("content-type"),
            original,
            timestamp,
        )


QUOTE_MISSING = "the quoted words are not in the copy"
WITNESS_DAYS = 2  # a copy this long after the citation's date still shows the page as cited


def witness_of(
    status: Status, fragment: str, copies: list[ArchivedCopy], cited_on: date | None
) -> str | None:
    """What the archived copies (nearest the citation's date first) say when the live page no
    longer shows what was cited: the copy that still has the quote, or that a copy from the
    time of citing lacks it too. None when the verdict needs no witness, or no copy says."""
    if status not in WITNESSED:
        return None
    chosen = next((copy for copy in copies if copy.verified), None)
    gone = status not in (Status.FRAGMENT_MISSING, Status.CHANGED)
    if ":~:text=" in fragment:
        if chosen is not None:
            lead = "the page cannot be read now" if gone else "the page changed after it was cited"
            return (
                f"{lead}: the archived copy of {chosen.captured_at[:10]} still has the quoted "
                f"words: {chosen.url}"
            )
        # Only a copy from when it was cited can say the quote was never there: one captured
        # since shows the page as it is now.
        latest = (cited_on + timedelta(days=WITNESS_DAYS)).isoformat() if cited_on else ""
        without = next(
            (c for c in copies if c.reason == QUOTE_MISSING and c.captured_at[:10] <= latest),
            None,
        )
        if without is not None:
            return (
                f"the quoted words are not in the archived copy of {without.captured_at[:10]} "
                "either: the quote may be wrong"
            )
        return None
    if chosen is not None:
        return (
            f"the archived copy of {chosen.captured_at[:10]} shows the page as it was: {chosen.url}"
        )
    return None


class _Unreadable(Exception):
    """The copy could not be read to tell (the archive overloaded, the connection failed)."""


def _original(link: str) -> str | None:
    """The ``rel="original"`` target of a memento's ``Link`` header (RFC 7089)."""
    return next(
        (
            target
            for target, params in parse_links(link)
            if "original" in params.get("rel", "").split()
        ),
        None,
    )


def _memento_timestamp(headers: httpx.Headers) -> str | None:
    value = headers.get("memento-datetime")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return None


def _as_iso(timestamp: str) -> str:
    moment = datetime.strptime(timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    return iso_utc(moment.replace(tzinfo=UTC))
