"""Checking every cited URL: local files on disk, remote URLs fetched once each, concurrently."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from linkcheck.check.classify import (
    CHALLENGE_BYTES,
    SOFT_404_BYTES,
    Verdict,
    classify_fetch,
    confirm_not_found,
)
from linkcheck.check.fetch import Fetcher, FetchOutcome
from linkcheck.check.sites import (
    anchor_id_prefixes,
    count_lines,
    github_line_anchor,
    youtube_oembed,
)
from linkcheck.check.targets import CitedUrl, group_citations, remap
from linkcheck.config import CheckConfig, HostPolicy
from linkcheck.fragments import (
    TEXT_TYPES,
    Page,
    local_page,
    verify_fragment,
    verify_fragments,
    with_fragments,
)
from linkcheck.model import (
    FETCH_FAILED,
    PAGE_ALIVE,
    Citation,
    FetchResult,
    FragmentOutcome,
    FragmentState,
    Location,
    Result,
    Status,
    UrlKind,
    consecutive_failures,
)
from linkcheck.net.addresses import resolves_privately
from linkcheck.net.bodies import ACCEPT_ENCODING
from linkcheck.net.cookies import load_cookie_jar, save_cookie_jar
from linkcheck.net.politeness import HostLimiter, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.transport import OriginPools, environment_proxies

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Pages first: some sites (crates.io among them) answer JSON or 404 to a bare */*.
PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8"
ProgressCallback = Callable[[Result], None]


class ResultStore(Protocol):
    """Where fetch results are kept between runs (the cache)."""

    def fresh(
        self, url: str, max_age: float, cache_failures: bool, fragments: Iterable[str] = ()
    ) -> FetchResult | None: ...
    def failures(self, url: str) -> int: ...
    def put(self, url: str, result: FetchResult) -> None: ...


class Checker:
    """Checks the citations of a run; remote URLs are fetched through one shared client."""

    def __init__(
        self,
        config: CheckConfig,
        store: ResultStore | None = None,
        *,
        on_result: ProgressCallback | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self.store = store
        self.network = NetworkProbe(config.canary)
        self._on_result = on_result or (lambda result: None)
        self._sleep = sleep
        self._local_pages: dict[str, Page | None] = {}

    def plan(self, citations: Sequence[Citation]) -> list[CitedUrl]:
        """The distinct cited URLs, grouped, filtered and remapped."""
        return group_citations(citations, self.config)

    async def check(self, cited: Sequence[CitedUrl]) -> list[Result]:
        """A result for every cited URL, in the order given."""
        results: list[Result | None] = [None] * len(cited)
        pending: dict[str, list[int]] = {}
        for index, item in enumerate(cited):
            if item.fetch_url is not None and not self.config.offline:
                pending.setdefault(item.fetch_url, []).append(index)
                continue
            try:
                if item.fetch_url is None:
                    result = self._check_without_network(item)
                else:
                    result = self._skipped(item)
            except Exception as exc:  # one URL's trouble is its own verdict, never the run's
                result = Result(item.url, *_unexpected(exc), None, _locations(item))
            results[index] = result
            self._on_result(result)

        def fetched(fetch_url: str, fetch: FetchResult) -> None:
            for index in pending[fetch_url]:
                item = cited[index]
                outcomes = fetch.fragments.get(item.fragment, [])
                status, reason = with_fragments(fetch.status, fetch.reason, outcomes)
                result = Result(item.url, status, reason, fetch, _locations(item), outcomes)
                results[index] = result
                self._on_result(result)

        if pending:
            requests = {
                url: _Request(
                    cited[indexes[0]].url, [cited[i].fragment for i in indexes if cited[i].fragment]
                )
                for url, indexes in pending.items()
            }
            await self._fetch_all(requests, fetched)
        return [r for r in results if r is not None]

    def _skipped(self, item: CitedUrl) -> Result:
        """``--offline``: not fetched, but a malformed text directive is still reported."""
        locations = _locations(item)
        invalid = (
            [o for o in verify_fragment(item.fragment, None) if o.state is FragmentState.INVALID]
            if item.fragment
            else []
        )
        if invalid:
            reason = "; ".join(f"{o.kind} {o.directive!r}: {o.reason}" for o in invalid)
            return Result(item.url, Status.INVALID, reason, None, locations, invalid)
        return Result(item.url, Status.SKIPPED, "--offline: not fetched", None, locations)

    def _check_without_network(self, item: CitedUrl) -> Result:
        """Results that need no network: exclusions, syntax, local files."""
        locations = _locations(item)
        first = item.citations[0]
        if item.excluded:
            return Result(
                item.url, Status.EXCLUDED, "excluded by --include/--exclude", None, locations
            )
        if item.kind is UrlKind.INVALID:
            return Result(item.url, Status.INVALID, first.reason or "invalid URL", None, locations)
        if item.kind is UrlKind.UNSUPPORTED:
            return Result(item.url, Status.UNSUPPORTED, first.reason or "", None, locations)
        if item.kind in (UrlKind.MAILTO, UrlKind.TEL):
            reason = f"valid {item.kind.value}: syntax (not contacted)"
            return Result(item.url, Status.OK, reason, None, locations)
        target = Path(first.target or "")
        if not target.exists():
            return Result(item.url, Status.BROKEN, f"file not found: {target}", None, locations)
        outcomes = verify_fragment(item.fragment, self._local_page(target)) if item.fragment else []
        status, reason = with_fragments(Status.OK, "file exists", outcomes)
        return Result(item.url, status, reason, None, locations, outcomes)

    def _local_page(self, path: Path) -> Page | None:
        """A local file as a page for its anchors: HTML ids, or Markdown heading slugs."""
        key = str(path.resolve())
        if key not in self._local_pages:
            self._local_pages[key] = local_page(path)
        return self._local_pages[key]

    async def _fetch_all(
        self, requests: dict[str, _Request], fetched: Callable[[str, FetchResult], None]
    ) -> None:
        """Fetch every URL (with the fragments cited on it), reporting each as it finishes."""
        config = self.config
        if self.store is not None:
            # Fresh cached results first: a warm rerun then builds no HTTP client at all.
            for url, request in list(requests.items()):
                cached = self.store.fresh(
                    url, config.max_age, config.cache_failures, request.fragments
                )
                if cached is not None:
                    fetched(url, cached)
                    del requests[url]
            if not requests:
                return
        policies: dict[str, HostPolicy] = {}

        def policy(host: str) -> HostPolicy:
            if host not in policies:
                policies[host] = config.policy(host)
            return policies[host]

        def limits(host: str) -> tuple[int, float]:
            return policy(host).concurrency, policy(host).interval

        limiter = HostLimiter(limits, sleep=self._sleep)
        headers = {"Accept": PAGE_ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
        timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0), pool=None)
        gate = asyncio.Semaphore(config.concurrency)
        jar = load_cookie_jar(config.cookie_jar)
        async with httpx.AsyncClient(
            headers=headers,
            cookies=jar,
            timeout=timeout,
            follow_redirects=False,
            **_connections(config),
        ) as client:
            fetcher = Fetcher(config, client, limiter, self.network, policy, sleep=self._sleep)
            probes = _NotFoundProbes(fetcher)

            async def one(url: str) -> None:
                async with gate:
                    try:
                        result = await self._fetch_one(fetcher, probes, policy, url, requests[url])
                    except Exception as exc:  # this URL's verdict, never the run's
                        result = FetchResult(*_unexpected(exc), checked_at=time.time())
                fetched(url, result)

            try:
                await asyncio.gather(*(one(url) for url in requests))
            finally:
                save_cookie_jar(jar, config.cookie_jar)

    async def _fetch_one(
        self,
        fetcher: Fetcher,
        probes: _NotFoundProbes,
        policy: Callable[[str], HostPolicy],
        url: str,
        request: _Request,
    ) -> FetchResult:
        config = self.config
        if config.exclude_private and await resolves_privately(httpx.URL(url).host):
            return FetchResult(Status.EXCLUDED, "private address (--exclude-private)")
        fragments = request.fragments
        needs_page = any(not f.startswith(("/", "!")) for f in fragments)

        def body_limit(code: int, headers: httpx.Headers) -> int:
            media_type = _media_type(headers)
            if 200 <= code < 300:
                if needs_page and media_type in TEXT_TYPES:
                    return config.max_bytes
                return SOFT_404_BYTES if media_type in HTML_TYPES else 0
            # Error pages are read a little, for a bot challenge's markers.
            return CHALLENGE_BYTES if media_type in HTML_TYPES and code >= 400 else 0

        outcome = await fetcher.fetch(url, body_limit)
        answered_by = httpx.URL(outcome.final_url or url).host  # its accepted codes apply
        verdict = classify_fetch(outcome, policy(answered_by).accept)
        if verdict.not_found_hint is not None:
            verdict = confirm_not_found(verdict, outcome, await probes.probe(url))
        if verdict.status is Status.OK:
            verdict = await _youtube_video_exists(fetcher, request.cited_url, verdict, config)
        result = FetchResult(
            status=verdict.status,
            reason=verdict.reason,
            http_status=outcome.http_status,
            final_url=outcome.final_url,
            redirects=[location for _, location in outcome.redirects],
            checked_at=time.time(),
            content_type=_media_type(outcome.headers) or None,
            refusal=verdict.refusal,
        )
        if fragments and verdict.status in PAGE_ALIVE:
            # The page is parsed here, once for all its fragments, and dropped after.
            header = outcome.headers.get("content-type") if outcome.headers is not None else None
            prefixes = anchor_id_prefixes(request.cited_url)
            page = Page(outcome.body or b"", header, outcome.truncated, prefixes)
            result.fragments = verify_fragments(fragments, page)
            await _github_line_anchors(fetcher, request.cited_url, result.fragments, config)
        if verdict.status is Status.OFFLINE:
            return result  # says nothing about the URL: neither cached nor counted as a failure
        counted = self.store is not None and verdict.status in FETCH_FAILED  # failures only
        previous = self.store.failures(url) if self.store is not None and counted else 0
        result.failures = consecutive_failures(verdict.status, previous)
        if self.store is not None:
            self.store.put(url, result)
        return result


@dataclass(slots=True)
class _Request:
    """What to fetch a URL for: the URL as first cited (for site rules), and its fragments."""

    cited_url: str
    fragments: list[str]


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
            return SOFT_404_BYTES if _media_type(headers) in HTML_TYPES else 0

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


def _unexpected(exc: Exception) -> tuple[Status, str]:
    """The verdict on a URL whose checking raised: a URL that cannot be parsed is ``invalid``
    (an impossible IDNA host name, say); anything else is an ``error`` naming the exception."""
    if isinstance(exc, httpx.InvalidURL | UnicodeError | ValueError):
        return Status.INVALID, f"invalid URL: {exc or type(exc).__name__}"
    return Status.ERROR, f"unexpected error: {type(exc).__name__}: {exc}"


def _connections(config: CheckConfig) -> dict[str, Any]:
    """The client's transport: a pool per origin, or httpx's own when a proxy is configured."""
    verify = not config.insecure
    if environment_proxies():
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=config.concurrency)
        return {"verify": verify, "limits": limits, "trust_env": True}
    pools = OriginPools(
        verify=verify,
        per_origin=config.per_host,
        max_pools=config.concurrency,
    )
    return {"transport": pools}


def _media_type(headers: httpx.Headers | None) -> str:
    """``text/html`` from ``Content-Type: text/HTML; charset=utf-8``; '' when there is none."""
    header: str = headers.get("content-type", "") if headers is not None else ""
    return header.split(";")[0].strip().lower()


def _locations(item: CitedUrl) -> list[Location]:
    return [Location(c.file, c.line, c.column, c.text) for c in item.citations]
