"""Checking every cited URL: local files on disk, remote URLs fetched once each, concurrently.

The Checker plans the run, answers what needs no network, takes fresh results from the cache
in one batch, and hands the rest to a fetching session: in this process, or in worker processes
that share out the hosts (``--jobs``). Only this process writes the cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from linkcheck.check.targets import IDENTIFIERS, CitedUrl, group_citations, shard_of
from linkcheck.config import CheckConfig
from linkcheck.fragments import Page, local_page, verify_fragment, with_fragments
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
    host_of,
)

if TYPE_CHECKING:
    from linkcheck.registries import WorkRecords

ProgressCallback = Callable[[Result], None]
# Fewer URLs to fetch than this are not worth starting worker processes for.
WORKER_THRESHOLD = 200


class ResultStore(Protocol):
    """Where fetch results are kept between runs (the cache)."""

    def fresh_many(
        self, requests: Mapping[str, Iterable[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]: ...
    def failures(self, url: str) -> int: ...
    def put(self, url: str, result: FetchResult) -> None: ...
    def flush(self) -> None: ...


class FingerprintStore(Protocol):
    """Where each page's first fingerprint is kept (the cache), to measure drift against."""

    def fingerprint(self, url: str) -> tuple[bytes, float] | None: ...
    def seen(self, url: str, sketch: bytes, at: float) -> None: ...


class Checker:
    """Checks the citations of a run."""

    def __init__(
        self,
        config: CheckConfig,
        store: ResultStore | None = None,
        fingerprints: FingerprintStore | None = None,
        works: WorkRecords | None = None,
        *,
        on_result: ProgressCallback | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fingerprints = fingerprints
        self.works = works
        self._on_result = on_result or (lambda result: None)
        self._local_pages: dict[str, Page | None] = {}
        self.interrupted = False

    def plan(self, citations: Sequence[Citation]) -> list[CitedUrl]:
        """The distinct cited URLs, grouped, filtered and remapped (with ``--shard I/N``, only
        those of shard I: its hosts' URLs, and in shard 1 those that need no network)."""
        planned = group_citations(citations, self.config)
        if self.config.shard is None:
            return planned
        index, count = self.config.shard
        return [
            item
            for item in planned
            if (shard_of(host_of(item.fetch_url), count) + 1 if item.fetch_url else 1) == index
        ]

    def check(self, cited: Sequence[CitedUrl]) -> list[Result]:
        """A result for every cited URL, in the order given.

        No event loop is started, and no HTTP machinery imported, when nothing needs fetching
        (a warm rerun).
        """
        results: list[Result | None] = [None] * len(cited)
        pending: dict[str, list[int]] = {}
        try:
            registered = self._identifiers(cited)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM while the registries were asked
            self.interrupted = True
            reason = "not checked: the run was interrupted"
            return [Result(i.url, Status.SKIPPED, reason, None, _locations(i)) for i in cited]
        for index, item in enumerate(cited):
            if item.fetch_url is not None and not self.config.offline:
                pending.setdefault(item.fetch_url, []).append(index)
                continue
            try:
                if index in registered:
                    result = registered[index]
                elif item.fetch_url is None and not _asked_of_a_registry(item):
                    result = self._check_without_network(item)
                else:
                    result = self._skipped(item)
            except Exception as exc:  # one URL's trouble is its own verdict, never the run's
                result = Result(item.url, Status.ERROR, f"unexpected error: {exc}", None)
                result.locations = _locations(item)
            results[index] = result = item.silenced(result)
            self._on_result(result)

        def fetched(fetch_url: str, fetch: FetchResult) -> None:
            for index in pending[fetch_url]:
                item = cited[index]
                outcomes = fetch.fragments.get(item.fragment, [])
                status, reason = with_fragments(fetch.status, fetch.reason, outcomes)
                status, reason = self._drifted(status, reason, fetch)
                result = Result(item.url, status, reason, fetch, _locations(item), outcomes)
                if index in registered:
                    result = _with_landing_page(registered[index], result)
                results[index] = result = item.silenced(result)
                self._on_result(result)

        if pending:
            fragments = {
                url: [cited[i].fragment for i in indexes if cited[i].fragment]
                for url, indexes in pending.items()
            }
            first_cited = {url: cited[indexes[0]].url for url, indexes in pending.items()}
            try:
                self._fetch(fragments, first_cited, fetched)
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what finished is reported and kept
                self.interrupted = True
                for index, item in enumerate(cited):
                    if results[index] is None:
                        reason = "not checked: the run was interrupted"
                        results[index] = Result(
                            item.url, Status.SKIPPED, reason, None, _locations(item)
                        )
        return [r for r in results if r is not None]

    def _identifiers(self, cited: Sequence[CitedUrl]) -> dict[int, Result]:
        """The registries' verdicts on the cited DOIs and arXiv ids (none with ``--offline``),
        by index in ``cited``."""
        asked = [index for index, item in enumerate(cited) if _asked_of_a_registry(item)]
        if not asked or self.config.offline:
            return {}
        from linkcheck.registries import CitedIdentifier, check_identifiers, cited_titles

        identifiers = {
            index: CitedIdentifier(
                cited[index].kind,
                cited[index].identifier or "",
                cited_titles(cited[index].citations),
            )
            for index in asked
        }
        try:
            verdicts = check_identifiers(
                self.config, list(identifiers.values()), self.store, self.works
            )
        except Exception as exc:  # the identifiers' trouble is their verdict, never the run's
            reason = f"unexpected error: {exc}"
            return {
                index: Result(
                    cited[index].url, Status.ERROR, reason, None, _locations(cited[index])
                )
                for index in asked
            }
        registered = {}
        for index, verdict in zip(identifiers, verdicts, strict=True):
            item = cited[index]
            # How the identifier was read (an escape undone) goes with the verdict.
            notes = dict.fromkeys(c.reason for c in item.citations if c.reason)
            reason = "; ".join([verdict.reason, *notes])
            registered[index] = Result(
                item.url, verdict.status, reason, verdict.existence, _locations(item),
                work=verdict.work,
            )  # fmt: skip
        return registered

    def _measure_drift(self, url: str, result: FetchResult) -> None:
        """The page's drift since it was first fingerprinted (its first visit: 0)."""
        from linkcheck.check.fingerprint import drift

        assert self.fingerprints is not None and result.sketch is not None
        first = self.fingerprints.fingerprint(url)
        if first is None:
            result.drift, result.first_seen = 0.0, result.checked_at
        else:
            result.drift, result.first_seen = drift(first[0], result.sketch), first[1]
        self.fingerprints.seen(url, result.sketch, result.checked_at)

    def _drifted(self, status: Status, reason: str, fetch: FetchResult) -> tuple[Status, str]:
        """``changed`` for a live page whose text drifted past the threshold."""
        threshold = self.config.drift_threshold
        if status not in PAGE_ALIVE or fetch.drift is None or fetch.drift < threshold:
            return status, reason
        since = ""
        if fetch.first_seen:
            since = f" on {datetime.fromtimestamp(fetch.first_seen, UTC).date().isoformat()}"
        return Status.CHANGED, (
            f"the page's text is {fetch.drift:.0f}% different from when linkcheck first saw it"
            f"{since}; {reason}"
        )

    def _skipped(self, item: CitedUrl) -> Result:
        """``--offline``: not fetched, but a malformed text directive is still reported."""
        locations = _locations(item)
        invalid = (
            [o for o in verify_fragment(item.fragment, None) if o.state is FragmentState.INVALID]
            if item.fragment
            else []
        )
        if invalid:
            reason = "; ".join(f"{o.kind} {unquote(o.directive)!r}: {o.reason}" for o in invalid)
            return Result(item.url, Status.INVALID, reason, None, locations, invalid)
        return Result(item.url, Status.SKIPPED, "--offline: not fetched", None, locations)

    def _check_without_network(self, item: CitedUrl) -> Result:
        """Results that need no network: exclusions, syntax, local files."""
        locations = _locations(item)
        first = item.citations[0]
        if item.excluded is not None:
            return Result(item.url, Status.EXCLUDED, item.excluded, None, locations)
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

    def _fetch(
        self,
        fragments: dict[str, list[str]],
        first_cited: dict[str, str],
        fetched: Callable[[str, FetchResult], None],
    ) -> None:
        """Fetch every URL of ``fragments`` (fresh cached results first), recording each."""
        config = self.config
        if self.store is not None:
            # One batch of lookups: a warm rerun then builds no HTTP client at all.
            cached = self.store.fresh_many(fragments, config.max_age, config.cache_failures)
            for url, result in cached.items():
                fetched(url, result)
                del fragments[url]
        if not fragments:
            return

        def record(url: str, result: FetchResult) -> None:
            if result.status is not Status.OFFLINE:  # says nothing about the URL: not recorded
                counted = self.store is not None and result.status in FETCH_FAILED
                previous = self.store.failures(url) if self.store is not None and counted else 0
                result.failures = consecutive_failures(result.status, previous)
                if self.store is not None:
                    if result.sketch is not None and self.fingerprints is not None:
                        self._measure_drift(url, result)
                    self.store.put(url, result)
            fetched(url, result)

        from linkcheck.check.session import FetchRequest  # the HTTP machinery: only now

        requests = {url: FetchRequest(first_cited[url], found) for url, found in fragments.items()}
        # Recorded results are written at least this often, so a killed run keeps them.
        tick = self.store.flush if self.store is not None else None
        jobs = worker_count(config, requests)
        if jobs > 1:
            from linkcheck.check.workers import fetch_in_workers

            fetch_in_workers(config, requests, record, jobs, tick)
        else:
            import asyncio

            from linkcheck.check.session import fetch_all

            asyncio.run(fetch_all(config, requests, record, tick=tick))


def worker_count(config: CheckConfig, requests: Mapping[str, object]) -> int:
    """How many worker processes to fetch ``requests`` with: 1 means this process alone.

    ``--jobs 0`` is one per CPU core; never more than there are hosts, and none for a few
    URLs or with a cookie jar file (one jar cannot be shared between processes).
    """
    jobs = config.jobs or _usable_cores()
    if jobs <= 1 or len(requests) < WORKER_THRESHOLD or config.cookie_jar is not None:
        return 1
    hosts = {host_of(url) for url in requests}
    return max(1, min(jobs, len(hosts)))


def _usable_cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _asked_of_a_registry(item: CitedUrl) -> bool:
    """A DOI or arXiv id to check (not excluded or ignored)."""
    return item.kind in IDENTIFIERS and item.excluded is None and bool(item.identifier)


def _with_landing_page(registered: Result, page: Result) -> Result:
    """An identifier whose page was fetched too (``--follow-doi``, a text fragment): the
    registry's verdict when it found fault, else the page's, the registry's said first."""
    if registered.status is not Status.OK:
        registered.fragments = page.fragments
        return registered
    page.reason = f"{registered.reason}; its page: {page.reason}"
    page.work = registered.work
    return page


def _locations(item: CitedUrl) -> list[Location]:
    return [Location(c.file, c.line, c.column, c.text, c.part) for c in item.citations]
