"""Memento (RFC 7089): the copies web archives hold of a page, listed by a TimeMap.

The TimeMap endpoint is the Wayback Machine's own by default; an aggregator (MemGator,
Time Travel) lists the copies of many archives (archive.today, perma.cc, national archives…)
in the same ``application/link-format``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from linkcheck.archive.lookup import SnapshotLookupFailed
from linkcheck.net.politeness import Pacer, Pause
from linkcheck.net.retry import ARCHIVE_BACKOFF, parse_retry_after

# archive.today answers under several names; they are one archive.
_ARCHIVE_ALIASES = {
    name: "archive.today"
    for name in ("archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn",
                 "archive.fo", "archive.md")
}  # fmt: skip
# One link of a link-format document: <target>; params… up to the next link.
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[\w*-]+\s*=\s*(?:"[^"]*"|[^;,]*))*)')
_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"([^"]*)"|([^;,]*))')


@dataclass(frozen=True, slots=True)
class Memento:
    """One archived copy listed by a TimeMap."""

    url: str
    captured_at: datetime

    @property
    def archive(self) -> str:
        """The archive holding it, by host (archive.today's mirrors as one)."""
        return archive_name(self.url)


def archive_name(url: str) -> str:
    """The archive a copy's URL belongs to: its host, ``www.`` dropped, mirrors merged."""
    host = (urlsplit(url).netloc or url).lower().removeprefix("www.")
    return _ARCHIVE_ALIASES.get(host, host)


def parse_timemap(text: str) -> list[Memento]:
    """Every memento of a link-format TimeMap (``rel`` containing ``memento``, with a
    ``datetime``); links that are not mementos, or whose date cannot be read, are left out."""
    mementos = []
    for target, params in parse_links(text):
        if "memento" not in params.get("rel", "").split():
            continue
        try:
            moment = parsedate_to_datetime(params.get("datetime", ""))
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        mementos.append(Memento(target, moment.astimezone(UTC)))
    return mementos


def parse_links(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Each link of a link-format document or ``Link`` header: its target and its
    parameters (names lower-cased, quotes removed)."""
    for match in _LINK.finditer(text):
        params = {
            name.lower(): (quoted or bare).strip()
            for name, quoted, bare in _PARAM.findall(match.group(2))
        }
        yield match.group(1).strip(), params


class TimeMapLookup:
    """Reads the TimeMap of a page from ``endpoint`` (the page's URL is appended to it)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        endpoint: str,
        *,
        pause: Pause,
        rate: float,
        retries: int,
    ) -> None:
        self._client = client
        self.endpoint = endpoint
        self._pause = pause
        self._pacer: Pacer | None = None  # made in the running loop, whose clock it reads
        self._rate = rate
        self._retries = retries

    async def mementos(self, url: str) -> list[Memento]:
        """The copies listed for ``url``: none when the TimeMap has no entry for it (404);
        SnapshotLookupFailed when it cannot be read (never "no copies")."""
        if self._pacer is None:
            clock = asyncio.get_running_loop().time
            self._pacer = Pacer.per_minute(self._rate, sleep=asyncio.sleep, clock=clock)
        reason = "no answer"
        for _ in range(self._retries + 1):
            await self._pause.wait()
            await self._pacer.wait()
            try:
                response = await self._client.get(self.endpoint + url)
            except httpx.HTTPError as exc:
                reason = f"the TimeMap could not be read ({type(exc).__name__})"
                self._pause.hold(ARCHIVE_BACKOFF.first)
                continue
            if response.status_code == 404:
                return []
            if response.status_code == 429 or response.status_code >= 500:
                wait = parse_retry_after(response.headers.get("retry-after"))
                self._pause.hold(wait if wait is not None else ARCHIVE_BACKOFF.first)
                reason = f"the TimeMap answered HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise SnapshotLookupFailed(f"the TimeMap answered HTTP {response.status_code}")
            return parse_timemap(response.text)
        raise SnapshotLookupFailed(reason)
