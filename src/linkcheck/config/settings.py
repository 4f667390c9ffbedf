"""Run settings: the dataclasses every stage is configured with. The only place a default is
written (the command line and settings files read their defaults from here)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from linkcheck import PROJECT_URL, __version__
from linkcheck.model import DEFAULT_FAIL_ON, Status

DEFAULT_USER_AGENT = f"linkcheck/{__version__} (+{PROJECT_URL})"
DEFAULT_CANARY = "https://web.archive.org/"
DEFAULT_WAYBACK_URL = "https://web.archive.org"
DEFAULT_DOI_URL = "https://doi.org"
CONFIG_FILE = "linkcheck.toml"
# The HTTP engines under the checker's httpx client (see net/engines.py), the default first.
HTTP_ENGINES = ("reqwest", "httpx")


@dataclass(frozen=True, slots=True)
class IgnoreFileRule:
    """One line of an ignore file: a regular expression over cited URLs, and where it is."""

    pattern: re.Pattern[str]
    where: str  # file:line


@dataclass(frozen=True, slots=True)
class Remap:
    """Rewrite URLs matching ``pattern`` to ``replacement`` (``re.sub`` syntax) before fetching."""

    pattern: re.Pattern[str]
    replacement: str

    def apply(self, url: str) -> str:
        return self.pattern.sub(self.replacement, url, count=1)


@dataclass(frozen=True, slots=True)
class HostRule:
    """``[hosts."PATTERN"]`` in a settings file: settings for the hosts a name or glob matches.

    ``headers`` go to matching hosts only, never across a redirect to another host; their
    values (tokens) are never shown.
    """

    pattern: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    concurrency: int | None = None
    interval: float | None = None
    timeout: float | None = None
    accept: frozenset[int] | None = None
    user_agent: str | None = None

    def matches(self, host: str) -> bool:
        """Does this rule apply to ``host`` (compared without case)?"""
        return fnmatch.fnmatchcase(host.lower(), self.pattern.lower())

    @property
    def exact(self) -> bool:
        """A plain host name rather than a glob."""
        return not any(c in self.pattern for c in "*?[")


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """What applies to requests to one host: the run's settings with its ``[hosts]`` rules."""

    headers: dict[str, str] = field(repr=False)
    concurrency: int
    interval: float
    timeout: float
    accept: frozenset[int]

    @property
    def pace(self) -> tuple[int, float]:
        """(requests at once, seconds between two): what the host's schedule is made of."""
        return self.concurrency, self.interval


@dataclass(slots=True)
class CheckConfig:
    """Everything that decides how URLs are fetched, judged and cached."""

    concurrency: int = 64
    per_host: int = 4
    host_interval: float = 0.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    timeout: float = 20.0
    retries: int = 3
    max_retry_wait: float = 60.0
    user_agent: str = DEFAULT_USER_AGENT
    headers: dict[str, str] = field(default_factory=dict)
    insecure: bool = False
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    remap: list[Remap] = field(default_factory=list)
    accept: frozenset[int] = frozenset()
    exclude_private: bool = False
    canary: str = DEFAULT_CANARY
    fail_on: frozenset[Status] = DEFAULT_FAIL_ON
    fail_after: int = 1
    cache_file: Path = Path(".linkcheck/cache.db")
    no_cache: bool = False
    max_age: float = 86400.0
    cache_failures: bool = False
    offline: bool = False
    cookie_jar: Path | None = None
    http_engine: str = HTTP_ENGINES[0]
    jobs: int = 0  # worker processes; 0: one per CPU core
    shard: tuple[int, int] | None = None  # (I, N): check only the hosts of shard I of N
    hosts: tuple[HostRule, ...] = ()
    ignore_file: Path = Path(".linkcheckignore")
    # Drift (% of a page's main text not shared with what was first seen there) from which a
    # live page is "changed": bench/drift.py measured 0-7% on re-rendered articles and
    # 69-100% on different articles at the same URL.
    drift_threshold: float = 50.0
    no_drift: bool = False
    ignore_file_rules: tuple[IgnoreFileRule, ...] = ()
    # Scholarly identifiers: the registries asked (mirrors, or local fakes in tests), the
    # address that joins Crossref's and DataCite's polite pools, and how long a work's
    # metadata (titles, retractions) is reused.
    doi_url: str = DEFAULT_DOI_URL
    crossref_url: str = "https://api.crossref.org"
    datacite_url: str = "https://api.datacite.org"
    arxiv_url: str = "https://export.arxiv.org/api/query"
    mailto: str | None = None
    follow_doi: bool = False
    metadata_max_age: float = 7 * 86400.0

    @property
    def cache_path(self) -> Path | None:
        """The cache file to use, or None with ``--no-cache``."""
        return None if self.no_cache else self.cache_file

    def policy(self, host: str) -> HostPolicy:
        """The settings for requests to ``host``: globs first, then exact names, file order."""
        headers = {"User-Agent": self.user_agent, **self.headers}
        concurrency, interval, timeout, accept = (
            self.per_host,
            self.host_interval,
            self.timeout,
            self.accept,
        )
        matching = [rule for rule in self.hosts if rule.matches(host)]
        for rule in sorted(matching, key=lambda rule: rule.exact):
            headers.update(rule.headers)
            if rule.user_agent is not None:
                headers["User-Agent"] = rule.user_agent
            concurrency = rule.concurrency if rule.concurrency is not None else concurrency
            interval = rule.interval if rule.interval is not None else interval
            timeout = rule.timeout if rule.timeout is not None else timeout
            accept = rule.accept if rule.accept is not None else accept
        return HostPolicy(headers, concurrency, interval, timeout, accept)


@dataclass(slots=True)
class ArchiveSettings:
    """How archiving talks to the Wayback Machine (retries and User-Agent: see CheckConfig)."""

    wayback_url: str = DEFAULT_WAYBACK_URL
    reuse_within: float = 30 * 86400.0
    capture_rate: float = 6.0  # captures a minute
    # Index lookups a minute: the Wayback Machine's CDX and TimeMap now share a hard limit of
    # about 24 a minute per address (EDGI's wayback client lowered its default to it in 2026).
    lookup_rate: float = 24.0
    verify_rate: float = 60.0  # snapshot fetches a minute, per archive
    # Memento TimeMap endpoint the page's URL is appended to; None: the Wayback Machine's own.
    timemap_url: str | None = None
    poll_interval: float = 5.0
    capture_timeout: float = 180.0
    # The Wayback Machine answers slowly under load: its requests get their own, longer deadline.
    timeout: float = 30.0

    @property
    def timemap(self) -> str:
        """The TimeMap endpoint in use."""
        if self.timemap_url:
            return self.timemap_url.rstrip("/") + "/"
        return f"{self.wayback_url.rstrip('/')}/web/timemap/link/"

    @property
    def aggregator(self) -> bool:
        """Is the TimeMap another service than the Wayback Machine (listing other archives)?"""
        return bool(self.timemap_url)
