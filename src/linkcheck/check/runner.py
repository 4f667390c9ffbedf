"""Checking every cited URL: local files on disk, remote URLs fetched once each, concurrently."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from linkcheck.check.classify import SOFT_404_BYTES, classify_fetch
from linkcheck.check.fetch import Fetcher
from linkcheck.check.targets import CitedUrl, group_citations, is_private_address
from linkcheck.config import CheckConfig
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
    FragmentState,
    Location,
    Result,
    Status,
    UrlKind,
    consecutive_failures,
)
from linkcheck.net.politeness import HostLimiter, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.net.transport import OriginPools, environment_proxies

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
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
            if item.fetch_url is None:
                result = self._check_without_network(item)
            elif self.config.offline:
                result = self._skipped(item)
            else:
                pending.setdefault(item.fetch_url, []).append(index)
                continue
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
            fragments = {
                url: [cited[i].fragment for i in indexes if cited[i].fragment]
                for url, indexes in pending.items()
            }
            await self._fetch_all(fragments, fetched)
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
        self, urls: dict[str, list[str]], fetched: Callable[[str, FetchResult], None]
    ) -> None:
        """Fetch every URL (with the fragments cited on it), reporting each as it finishes."""
        config = self.config
        if self.store is not None:
            # Fresh cached results first: a warm rerun then builds no HTTP client at all.
            for url in list(urls):
                cached = self.store.fresh(url, config.max_age, config.cache_failures, urls[url])
                if cached is not None:
                    fetched(url, cached)
                    del urls[url]
            if not urls:
                return
        limiter = HostLimiter(config.per_host, config.host_interval, sleep=self._sleep)
        headers = {
            "User-Agent": config.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            **config.headers,
        }
        timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0), pool=None)
        gate = asyncio.Semaphore(config.concurrency)
        async with httpx.AsyncClient(
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
            **_connections(config),
        ) as client:
            fetcher = Fetcher(config, client, limiter, self.network, sleep=self._sleep)

            async def one(url: str) -> None:
                async with gate:
                    fetched(url, await self._fetch_one(fetcher, url, urls[url]))

            await asyncio.gather(*(one(url) for url in urls))

    async def _fetch_one(self, fetcher: Fetcher, url: str, fragments: list[str]) -> FetchResult:
        config = self.config
        if config.exclude_private and await _resolves_privately(url):
            return FetchResult(Status.EXCLUDED, "private address (--exclude-private)")

        needs_page = any(not f.startswith(("/", "!")) for f in fragments)

        def body_limit(headers: httpx.Headers) -> int:
            media_type = _media_type(headers)
            if needs_page and media_type in TEXT_TYPES:
                return config.max_bytes
            return SOFT_404_BYTES if media_type in HTML_TYPES else 0

        outcome = await fetcher.fetch(url, body_limit)
        status, reason = classify_fetch(outcome, config.accept)
        result = FetchResult(
            status=status,
            reason=reason,
            http_status=outcome.http_status,
            final_url=outcome.final_url,
            redirects=[location for _, location in outcome.redirects],
            checked_at=time.time(),
            content_type=_media_type(outcome.headers) or None,
        )
        if fragments and status in PAGE_ALIVE:
            # The page is parsed here, once for all its fragments, and dropped after.
            header = outcome.headers.get("content-type") if outcome.headers is not None else None
            page = Page(outcome.body or b"", header, outcome.truncated)
            result.fragments = verify_fragments(fragments, page)
        if status is Status.OFFLINE:
            return result  # says nothing about the URL: neither cached nor counted as a failure
        counted = self.store is not None and status in FETCH_FAILED  # one query, failures only
        previous = self.store.failures(url) if self.store is not None and counted else 0
        result.failures = consecutive_failures(status, previous)
        if self.store is not None:
            self.store.put(url, result)
        return result


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


async def _resolves_privately(url: str) -> bool:
    host = urlsplit(url).hostname
    if not host:
        return False
    if is_private_address(host):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # the fetch will report the name as not found
    return any(is_private_address(str(info[4][0])) for info in infos)
