"""One fetching session: the HTTP client, per-host politeness and the judging of each answer.

A session fetches the URLs it is given and reports a FetchResult for each as it finishes; it
never touches the cache (the caller records results). It runs in the main process, or in a
worker process for a share of the hosts (see workers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from linkcheck.check.classify import Verdict, classify_fetch, confirm_not_found
from linkcheck.check.fetch import Fetcher, FetchOutcome
from linkcheck.check.schedule import by_host, schedule, step_of
from linkcheck.check.sites import (
    anchor_id_prefixes,
    count_lines,
    github_line_anchor,
    youtube_oembed,
)
from linkcheck.check.targets import remap
from linkcheck.config import CheckConfig, HostPolicy
from linkcheck.fragments import QUOTED_TYPES, Page, verify_fragments
from linkcheck.model import (
    PAGE_ALIVE,
    FetchResult,
    FragmentOutcome,
    FragmentState,
    Status,
)
from linkcheck.net.addresses import resolves_privately
from linkcheck.net.bodies import ACCEPT_ENCODING
from linkcheck.net.cookies import load_cookie_jar, save_cookie_jar
from linkcheck.net.engines import client_options
from linkcheck.net.pages import CHALLENGE_BYTES, SOFT_404_BYTES
from linkcheck.net.politeness import HostLimiter, PriorityGate, Sleep
from linkcheck.net.probe import NetworkProbe

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Pages first: some sites (crates.io among them) answer JSON or 404 to a bare */*.
PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8"
Fetched = Callable[[str, FetchResult], None]
# How often the caller hears from a running session (it writes what it has recorded).
TICK = 0.2


@dataclass(slots=True)
class FetchRequest:
    """What to fetch a URL for: the URL as first cited (for site rules), and its fragments."""

    cited_url: str
    fragments: list[str]


async def fetch_all(
    config: CheckConfig,
    requests: Mapping[str, FetchRequest],
    fetched: Fetched,
    *,
    tick: Callable[[], None] | None = None,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Fetch every URL of ``requests`` (with the fragments cited on it) through one client,
    calling ``fetched(url, result)`` as each finishes, and ``tick()`` every TICK seconds."""
    policies: dict[str, HostPolicy] = {}

    def policy(host: str) -> HostPolicy:
        if host not in policies:
            policies[host] = config.policy(host)
        return policies[host]

    def limits(host: str) -> tuple[int, float]:
        return policy(host).pace

    # Each host's scheduled work still to do: the busiest host gets the next free place first.
    queues = by_host(requests)
    steps = {host: step_of(limits(host)) for host in queues}
    left = {host: len(queue) * steps[host] for host, queue in queues.items()}
    # Where hosts are paced, a request takes its place in the run's concurrency only once its
    # host's turn has come (waiting for its pace, it would hold a place another host could
    # use). Where none is, the places are taken as the requests start: the cheaper way, and
    # nothing is kept waiting (bench/check.py measured the other 28% slower there).
    paced = any(limits(host)[1] > 0 for host in queues)
    gate = asyncio.Semaphore(config.concurrency)
    limiter = HostLimiter(
        limits,
        gate=PriorityGate(config.concurrency) if paced else None,
        priority=lambda host: left.get(host, 0.0),
        sleep=sleep,
    )
    headers = {"Accept": PAGE_ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0), pool=None)
    jar = load_cookie_jar(config.cookie_jar)
    async with httpx.AsyncClient(
        headers=headers,
        cookies=jar,
        timeout=timeout,
        follow_redirects=False,
        **client_options(
            config.http_engine,
            verify=not config.insecure,
            per_host=config.per_host,
            concurrency=config.concurrency,
            timeout=config.timeout,
        ),
    ) as client:
        network = NetworkProbe(config.canary)
        fetcher = Fetcher(config, client, limiter, network, policy, sleep=sleep)
        session = _Session(config, fetcher, policy)

        async def one(host: str, url: str) -> None:
            async with contextlib.nullcontext() if paced else gate:
                try:
                    result = await session.fetch_one(url, requests[url])
                except Exception as exc:  # this URL's verdict, never the run's
                    result = FetchResult(*unexpected(exc), checked_at=time.time())
            if paced:
                left[host] -= steps[host]
            fetched(url, result)

        ticking = asyncio.ensure_future(_every(TICK, tick)) if tick is not None else None
        try:
            await asyncio.gather(*(one(host, url) for host, url in schedule(queues, limits)))
        finally:
            if ticking is not None:
                ticking.cancel()
            save_cookie_jar(jar, config.cookie_jar)


async def _every(seconds: float, action: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(seconds)
        action()


class _Session:
    """Judges each URL's answer; asks a site's not-found probe and its site rules when needed."""

    def __init__(
        self, config: CheckConfig, fetcher: Fetcher, policy: Callable[[str], HostPolicy]
    ) -> None:
        self.config = config
        self._fetcher = fetcher
        self._policy = policy
        self._probes = _NotFoundProbes(fetcher)

    async def fetch_one(self, url: str, request: FetchRequest) -> FetchResult:
        """The result for one URL (without its fragment): fetched, judged, fragments verified."""
        config, fetcher = self.config, self._fetcher
        if config.exclude_private and await resolves_privately(httpx.URL(url).host):
            return FetchResult(Status.EXCLUDED, "private address (--exclude-private)")
        fragments = request.fragments
        needs_page = any(not f.startswith(("/", "!")) for f in fragments)

        def body_limit(code: int, headers: httpx.Headers) -> int:
            media_type = media_type_of(headers)
            if 200 <= code < 300:
                if needs_page and media_type in QUOTED_TYPES:
                    return config.max_bytes
                return SOFT_404_BYTES if media_type in HTML_TYPES else 0
            # Error pages are read a little, for a bot challenge's markers.
            return CHALLENGE_BYTES if media_type in HTML_TYPES and code >= 400 else 0

        outcome = await fetcher.fetch(url, body_limit)
        answered_by = outcome.final_host or httpx.URL(url).host  # its accepted codes apply
        verdict = classify_fetch(outcome, self._policy(answered_by).accept)
        if verdict.not_found_hint is not None:
            verdict = confirm_not_found(verdict, outcome, await self._probes.probe(url))
        if verdict.status is Status.OK:
            verdict = await _youtube_video_exists(fetcher, request.cited_url, verdict, config)
        result = FetchResult(
            status=verdict.status,
            reason=verdict.reason,
            http_status=outcome.http_status,
            final_url=outcome.final_url,
            redirects=[location for _, location in outcome.redirects],
            checked_at=time.time(),
            content_type=media_type_of(outcome.headers) or None,
            refusal=verdict.refusal,
        )
        if (
            not config.no_drift
            and config.cache_path is not None  # no history to compare with: nothing to keep
            and verdict.status in PAGE_ALIVE
            and outcome.body
            and media_type_of(outcome.headers) in HTML_TYPES
        ):
            from linkcheck.check.fingerprint import sketch_of

            result.sketch = sketch_of(outcome.body)
        if fragments and verdict.status in PAGE_ALIVE:
            # The page is parsed here, once for all its fragments, and dropped after.
            header = outcome.headers.get("content-type") if outcome.headers is not None else None
            prefixes = anchor_id_prefixes(request.cited_url)
            page = Page(outcome.body or b"", header, outcome.truncated, prefixes)
            result.fragments = verify_fragments(fragments, page)
            await _github_line_anchors(fetcher, request.cited_url, result.fragments, config)
        return result


class _NotFoundProbes:
    """Each site directory's answer to a URL that surely does not exist, asked once."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._answers: dict[str, asyncio.Task[FetchOutcome | None]] = {}

    async def probe(self, url: str) -> FetchOutcome | None:
        """The answer for a made-up sibling of ``url`` (None when it could not be asked)."""
        directory = url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[0]
        if directory not in self._answers:
            made_up = f"{directory}/linkcheck-{uuid.uuid4().hex[:16]}-no-such-page"
            self._answers[directory] = asyncio.ensure_future(self._ask(made_up))
        return await asyncio.shield(self._answers[directory])

    async def _ask(self, url: str) -> FetchOutcome | None:
        def body_limit(code: int, headers: httpx.Headers) -> int:
            return SOFT_404_BYTES if media_type_of(headers) in HTML_TYPES else 0

        outcome = await self._fetcher.fetch(url, body_limit)
        return None if outcome.error is not None else outcome


async def _youtube_video_exists(
    fetcher: Fetcher, cited_url: str, verdict: Verdict, config: CheckConfig
) -> Verdict:
    """A live YouTube watch page of a removed video is ``broken`` when oEmbed says so."""
    oembed = youtube_oembed(cited_url)
    if oembed is None:
        return verdict
    answer = await fetcher.fetch(remap(oembed, config), lambda code, headers: 0)
    if answer.http_status in (400, 404):
        return Verdict(
            Status.BROKEN,
            f"YouTube: the video is unavailable (oEmbed answered {answer.http_status})",
        )
    return verdict


async def _github_line_anchors(
    fetcher: Fetcher,
    cited_url: str,
    fragments: dict[str, list[FragmentOutcome]],
    config: CheckConfig,
) -> None:
    """``#L10``/``#L10-L20`` on GitHub file pages, checked against the raw file's line count."""
    for fragment, outcomes in fragments.items():
        lines = github_line_anchor(cited_url, fragment)
        if lines is None or not outcomes or outcomes[0].kind != "anchor":
            continue
        raw = await fetcher.fetch(remap(lines.raw_url, config), lambda code, h: config.max_bytes)
        if raw.http_status != 200 or raw.body is None:
            state, reason = FragmentState.UNVERIFIABLE, "the raw file could not be read"
        elif raw.truncated:
            state, reason = FragmentState.UNVERIFIABLE, "the file is longer than --max-bytes"
        else:
            count = count_lines(raw.body)
            span = (
                f"line {lines.first}"
                if lines.first == lines.last
                else (f"lines {lines.first}-{lines.last}")
            )
            if lines.last <= count:
                state, reason = FragmentState.FOUND, f"{span} of the file's {count}"
            else:
                state, reason = FragmentState.MISSING, f"no {span}: the file has {count} lines"
        outcomes[0] = FragmentOutcome(fragment, "anchor", state, reason)


def unexpected(exc: Exception) -> tuple[Status, str]:
    """The verdict on a URL whose checking raised: a URL that cannot be parsed is ``invalid``
    (an impossible IDNA host name, say); anything else is an ``error`` naming the exception."""
    if isinstance(exc, httpx.InvalidURL | UnicodeError | ValueError):
        return Status.INVALID, f"invalid URL: {exc or type(exc).__name__}"
    return Status.ERROR, f"unexpected error: {type(exc).__name__}: {exc}"


def media_type_of(headers: httpx.Headers | None) -> str:
    """``text/html`` from ``Content-Type: text/HTML; charset=utf-8``; '' when there is none."""
    header: str = headers.get("content-type", "") if headers is not None else ""
    return header.split(";")[0].strip().lower()
