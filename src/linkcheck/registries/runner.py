"""Checking identifiers: each DOI asked of doi.org, its metadata of the agency that registered
it; arXiv ids asked of the arXiv API in batches. Every registry has its own lane (pace and
concurrency); what was asked is cached, so a rerun asks nothing."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from linkcheck.config import CheckConfig
from linkcheck.model import (
    FETCH_FAILED,
    Citation,
    FetchResult,
    Status,
    UrlKind,
    Work,
    consecutive_failures,
)
from linkcheck.net.politeness import Lane, Sleep
from linkcheck.net.probe import NetworkProbe
from linkcheck.registries import arxiv, crossref, datacite
from linkcheck.registries.arxiv import Arxiv
from linkcheck.registries.client import Registry, RegistryUnknown
from linkcheck.registries.crossref import Crossref
from linkcheck.registries.datacite import DataCite
from linkcheck.registries.doi import DoiOrg
from linkcheck.registries.titles import is_a_title
from linkcheck.registries.verdict import identifier_verdict

# doi.org publishes no limit: Citation bot spaces its requests 40 ms apart, and a documentation
# tool was answered 429 once it asked many at once.
DOI_ORG = (25.0, 8)
_VERSION = re.compile(r"v[1-9]\d*$")
# A DataCite request waits this long for more DOIs to ask in the same request.
_GATHER = 1.0


@dataclass(frozen=True, slots=True)
class CitedIdentifier:
    """An identifier to check, and the titles it is cited as."""

    kind: UrlKind  # DOI or ARXIV
    identifier: str  # normalised; an arXiv id with the version cited, if any
    titles: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Its existence's cache key: ``doi:10.…``, ``arxiv:2101.00001v2``."""
        return f"{self.kind.value}:{self.identifier}"

    @property
    def work_key(self) -> str:
        """Its work's cache key (an arXiv paper's, whatever the version)."""
        return f"{self.kind.value}:{_unversioned(self.identifier)}"

    @property
    def label(self) -> str:
        return "DOI" if self.kind is UrlKind.DOI else f"arXiv:{self.identifier}"


@dataclass(frozen=True, slots=True)
class IdentifierVerdict:
    """What the registries said of one identifier."""

    status: Status
    reason: str
    existence: FetchResult
    work: Work | None


class ExistenceStore(Protocol):
    """Existence answers, kept as fetch results (the cache's results)."""

    def fresh_many(
        self, requests: Mapping[str, list[str]], max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]: ...
    def failures(self, url: str) -> int: ...
    def put(self, url: str, result: FetchResult) -> None: ...


class WorkRecords(Protocol):
    """Works and prefixes' agencies (the cache's works)."""

    def work(self, key: str, max_age: float) -> Work | None: ...
    def put_work(self, key: str, work: Work) -> None: ...
    def agency(self, prefix: str, max_age: float) -> tuple[str | None] | None: ...
    def put_agency(self, prefix: str, agency: str | None) -> None: ...


# A citation template's identifier parameters: their text is the template's title.
_TEMPLATE_ROLES = frozenset({"wiki:doi", "wiki:arxiv", "wiki:eprint"})


def cited_titles(citations: Iterable[Citation]) -> tuple[str, ...]:
    """The titles an identifier is cited as: a bibliography entry's or a citation template's
    title, and link text that reads as a title (not "here", "[12]" or "Smith et al. 2019")."""
    titles = []
    for citation in citations:
        text = citation.text.strip()
        titled = citation.role.startswith("bibtex:") or citation.role in _TEMPLATE_ROLES
        if text and (titled or is_a_title(text)):
            titles.append(text)
    return tuple(dict.fromkeys(titles))


def _unversioned(identifier: str) -> str:
    """An arXiv id without its ``vN``."""
    return _VERSION.sub("", identifier)


def check_identifiers(
    config: CheckConfig,
    cited: Sequence[CitedIdentifier],
    existences: ExistenceStore | None = None,
    works: WorkRecords | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
) -> list[IdentifierVerdict]:
    """A verdict for each of ``cited``, in its order (the same identifier may be cited with
    different titles). Nothing is started for what the cache answers."""
    found: dict[str, FetchResult] = {}
    if existences is not None:
        found = existences.fresh_many(
            {item.key: [] for item in cited}, config.max_age, config.cache_failures
        )
    known: dict[str, Work] = {}
    if works is not None:
        for item in cited:
            work = works.work(item.work_key, config.metadata_max_age)
            if work is not None:
                known[item.work_key] = work
    asking = list(
        {
            item.key: item
            for item in cited
            if item.key not in found
            or (found[item.key].status is Status.OK and item.work_key not in known)
        }.values()
    )
    problems: dict[str, str] = {}
    if asking:
        session = _Session(config, found, known, problems, existences, works, sleep)
        asyncio.run(session.run(asking))
    verdicts = []
    for item in cited:
        existence = found[item.key]
        work = known.get(item.work_key)
        status, reason = identifier_verdict(
            item.label, existence, work, item.titles, problems.get(item.key)
        )
        verdicts.append(IdentifierVerdict(status, reason, existence, work))
    return verdicts


class _Session:
    """One run's requests to the registries, over one HTTP client."""

    def __init__(
        self,
        config: CheckConfig,
        found: dict[str, FetchResult],
        known: dict[str, Work],
        problems: dict[str, str],
        existences: ExistenceStore | None,
        works: WorkRecords | None,
        sleep: Sleep,
    ) -> None:
        self.config = config
        self.found = found
        self.known = known
        self.problems = problems
        self.existences = existences
        self.works = works
        self.sleep = sleep
        self._agencies: dict[str, asyncio.Future[str | None]] = {}

    async def run(self, asking: Sequence[CitedIdentifier]) -> None:
        config = self.config
        user_agent = config.user_agent + (f" mailto:{config.mailto}" if config.mailto else "")
        probe = NetworkProbe(config.canary)
        timeout = httpx.Timeout(config.timeout)
        async with httpx.AsyncClient(timeout=timeout, headers={"User-Agent": user_agent}) as http:

            def registry(name: str, rate: float, concurrency: int) -> Registry:
                lane = Lane(rate, concurrency, sleep=self.sleep)
                return Registry(
                    name, http, lane, probe, retries=config.retries,
                    max_retry_wait=config.max_retry_wait, sleep=self.sleep,
                )  # fmt: skip

            self.doi_org = DoiOrg(registry("doi.org", *DOI_ORG), config.doi_url)
            pool = crossref.POLITE_POOL if config.mailto else crossref.PUBLIC_POOL
            crossref_registry = registry("Crossref", *pool)
            crossref_registry.on_answer = lambda r: crossref.adapt_to(crossref_registry.lane, r)
            self.crossref = Crossref(crossref_registry, config.crossref_url, config.mailto)
            rate = datacite.IDENTIFIED_RATE if config.mailto else datacite.ANONYMOUS_RATE
            self.datacite = _Batcher(
                DataCite(registry("DataCite", rate, 2), config.datacite_url, config.mailto).works,
                datacite.BATCH,
            )
            self.arxiv = Arxiv(registry("arXiv", arxiv.RATE, 1), config.arxiv_url)
            dois = [item for item in asking if item.kind is UrlKind.DOI]
            papers = [item for item in asking if item.kind is UrlKind.ARXIV]
            await asyncio.gather(*(self._doi(item) for item in dois), self._papers(papers))

    def _record(self, item: CitedIdentifier, existence: FetchResult) -> None:
        if existence.status is not Status.OFFLINE and self.existences is not None:
            failed = existence.status in FETCH_FAILED
            previous = self.existences.failures(item.key) if failed else 0
            existence.failures = consecutive_failures(existence.status, previous)
            self.existences.put(item.key, existence)
        self.found[item.key] = existence

    def _keep(self, key: str, work: Work) -> None:
        self.known[key] = work
        if self.works is not None:
            self.works.put_work(key, work)

    async def _doi(self, item: CitedIdentifier) -> None:
        if item.key not in self.found:
            try:
                existence = await self.doi_org.resolve(item.identifier)
            except RegistryUnknown as exc:
                existence = _unknown(exc)
            self._record(item, existence)
        if self.found[item.key].status is not Status.OK or item.work_key in self.known:
            return
        try:
            work = await self._metadata(item.identifier)
        except RegistryUnknown as exc:
            self.problems[item.key] = exc.reason
            return
        self._keep(item.work_key, work)

    async def _metadata(self, doi: str) -> Work:
        agency = await self._agency(doi.split("/", 1)[0])
        work = None
        if agency == "crossref":
            work = await self.crossref.work(doi)
        elif agency == "datacite":
            work = await self.datacite.get(doi)
        return work if work is not None else Work("doi", doi, agency)

    async def _agency(self, prefix: str) -> str | None:
        """The prefix's agency: cached, and asked once however many DOIs share it."""
        if prefix not in self._agencies:
            future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
            self._agencies[prefix] = future
            recorded = (
                self.works.agency(prefix, self.config.metadata_max_age) if self.works else None
            )
            try:
                agency = recorded[0] if recorded else await self.doi_org.agency(prefix)
            except RegistryUnknown as exc:
                future.set_exception(exc)
            else:
                if recorded is None and self.works is not None:
                    self.works.put_agency(prefix, agency)
                future.set_result(agency)
        return await asyncio.shield(self._agencies[prefix])

    async def _papers(self, items: Sequence[CitedIdentifier]) -> None:
        by_paper: dict[str, list[CitedIdentifier]] = {}
        for item in items:
            by_paper.setdefault(_unversioned(item.identifier), []).append(item)
        ids = list(by_paper)
        for start in range(0, len(ids), arxiv.BATCH):
            batch = ids[start : start + arxiv.BATCH]
            try:
                feed = await self.arxiv.papers(batch)
            except RegistryUnknown as exc:
                for paper in batch:
                    for item in by_paper[paper]:
                        self._record(item, _unknown(exc))
                continue
            now = time.time()
            for paper in batch:
                work = feed.papers.get(paper)
                if work is not None:
                    self._keep(f"arxiv:{paper}", work)
                for item in by_paper[paper]:
                    self._record(item, _paper_existence(item.identifier, paper, work, feed, now))


def _paper_existence(
    cited: str, paper: str, work: Work | None, feed: arxiv.Feed, now: float
) -> FetchResult:
    if paper in feed.malformed or cited in feed.malformed:
        return FetchResult(
            Status.INVALID, f"arXiv: incorrect id format for {cited}", checked_at=now
        )
    if work is None:
        return FetchResult(Status.BROKEN, f"arXiv has no paper {paper}", checked_at=now)
    version = cited[len(paper) + 1 :] if cited != paper else ""
    latest = work.versions
    if version.isdigit() and latest is not None and int(version) > latest:
        reason = f"arXiv has no version {version} of {paper} (the latest is v{latest})"
        return FetchResult(Status.BROKEN, reason, checked_at=now)
    said = f"on arXiv (latest version v{latest})" if latest else "on arXiv"
    return FetchResult(Status.OK, said, final_url=f"https://arxiv.org/abs/{cited}", checked_at=now)


def _unknown(exc: RegistryUnknown) -> FetchResult:
    status = Status.OFFLINE if exc.offline else Status.ERROR
    return FetchResult(status, exc.reason, checked_at=time.time())


class _Batcher:
    """DOIs gathered into one request: sent when a batch is full, or a moment after the first
    DOI of a batch arrived."""

    def __init__(self, fetch: Callable[[list[str]], Awaitable[dict[str, Work]]], size: int) -> None:
        self._fetch = fetch
        self._size = size
        self._waiting: dict[str, asyncio.Future[Work | None]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def get(self, doi: str) -> Work | None:
        future = self._waiting.get(doi)
        if future is None:
            future = self._waiting[doi] = asyncio.get_running_loop().create_future()
            if len(self._waiting) >= self._size:
                self._send()
            elif self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(_GATHER, self._send)
        return await asyncio.shield(future)

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, {}
        if batch:
            task = asyncio.ensure_future(self._answer(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _answer(self, batch: dict[str, asyncio.Future[Work | None]]) -> None:
        try:
            works = await self._fetch(list(batch))
        except RegistryUnknown as exc:
            for future in batch.values():
                future.set_exception(exc)
            return
        for doi, future in batch.items():
            future.set_result(works.get(doi))
