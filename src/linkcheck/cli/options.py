"""Every command-line option, written once: its flags, help and value syntax.

An option that sets a run setting takes its default from that setting's dataclass in
``linkcheck.config``; the configs are built from the parsed options here. Settings-file keys are
the long flags' names (``per-host`` or ``per_host``), derived in ``settings.py`` from these options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import click

from linkcheck.cli.syntax import (
    CODES,
    COUNT,
    COUNT_FROM_1,
    DURATION,
    FILE,
    FLAG,
    HEADERS,
    HTTP_URL,
    OPTIONAL_FILE,
    OPTIONAL_HTTP_URL,
    PATTERNS,
    POSITIVE,
    REMAPS,
    SECONDS,
    SIZE,
    STATUSES,
    TEXT,
    Decorator,
    Setting,
    Syntax,
    archive_setting,
    check_setting,
    number,
)
from linkcheck.config import (
    HTTP_ENGINES,
    ArchiveSettings,
    CheckConfig,
    HostRule,
    parse_email,
    parse_shard,
    read_ignore_file,
)

__all__ = [
    "ARCHIVE_SETTINGS",
    "CHECK_SETTINGS",
    "Decorator",
    "Setting",
    "archive_settings",
    "check_config",
]
Config = TypeVar("Config", CheckConfig, ArchiveSettings)


CHECK_SETTINGS = (
    check_setting("concurrency", "--concurrency", COUNT_FROM_1, "Requests in flight at once."),
    check_setting("per_host", "--per-host", COUNT_FROM_1, "Requests in flight to one host."),
    check_setting(
        "host_interval",
        "--host-interval",
        SECONDS,
        "Minimum time between requests to one host.",
        metavar="SECONDS",
    ),
    check_setting(
        "timeout",
        "--timeout",
        POSITIVE,
        "Deadline for a whole request: connect, redirects, body.",
        metavar="SECONDS",
    ),
    check_setting(
        "retries", "--retries", COUNT, "Retries of connection errors, 429 and 502/503/504."
    ),
    check_setting(
        "max_retry_wait",
        "--max-retry-wait",
        SECONDS,
        "Longest Retry-After honoured.",
        metavar="SECONDS",
    ),
    check_setting(
        "max_redirects", "--max-redirects", COUNT, "Redirects followed before giving up."
    ),
    check_setting(
        "max_bytes",
        "--max-bytes",
        SIZE,
        "Most body read from one response, after decompression.",
        metavar="SIZE",
    ),
    check_setting("user_agent", "--user-agent", TEXT, "User-Agent header.", metavar="TEXT"),
    check_setting(
        "headers",
        "--header",
        HEADERS,
        "Extra request header (repeatable).",
        metavar="'NAME: VALUE'",
    ),
    check_setting("insecure", "--insecure", FLAG, "Do not verify TLS certificates."),
    check_setting(
        "include",
        "--include",
        PATTERNS,
        "Check only URLs matching (repeatable; wins over --exclude).",
        metavar="REGEX",
    ),
    check_setting(
        "exclude",
        "--exclude",
        PATTERNS,
        "Do not check URLs matching (repeatable).",
        metavar="REGEX",
    ),
    check_setting(
        "remap",
        "--remap",
        REMAPS,
        "Rewrite URLs before fetching (repeatable).",
        metavar="'REGEX REPLACEMENT'",
    ),
    check_setting(
        "accept",
        "--accept",
        CODES,
        "HTTP statuses that count as ok, e.g. 200..299,403.",
        metavar="CODES",
    ),
    check_setting(
        "exclude_private",
        "--exclude-private",
        FLAG,
        "Skip URLs on loopback, private and link-local addresses.",
    ),
    check_setting(
        "canary",
        "--canary",
        TEXT,
        "Host probed to tell a dead link from a dead network.",
        metavar="URL",
    ),
    check_setting(
        "fail_on",
        "--fail-on",
        STATUSES,
        "Statuses that make the run fail (exit 1).",
        metavar="STATUSES",
    ),
    check_setting(
        "fail_after",
        "--fail-after",
        COUNT_FROM_1,
        "Fail only after N consecutive failing runs (needs the cache).",
        metavar="N",
    ),
    check_setting("cache_file", "--cache-file", FILE, "The cached results file."),
    check_setting("no_cache", "--no-cache", FLAG, "Neither read nor write the cache."),
    check_setting(
        "drift_threshold",
        "--drift-threshold",
        Syntax(click.FloatRange(0, 100), show=number, metavar="PERCENT"),
        "A live page whose text differs this much from when it was first seen is 'changed'.",
    ),
    check_setting(
        "no_drift",
        "--no-drift",
        FLAG,
        "Do not fingerprint pages: no drift, no 'changed' verdict.",
    ),
    check_setting(
        "ignore_file",
        "--ignore-file",
        FILE,
        "URL patterns to ignore, a regular expression a line (read when it exists).",
    ),
    check_setting(
        "max_age",
        "--max-age",
        DURATION,
        "Reuse cached results younger than this (e.g. 30m, 12h, 1d).",
        metavar="DURATION",
    ),
    check_setting(
        "cache_failures",
        "--cache-failures",
        FLAG,
        "Reuse cached failures too (default: re-check them).",
    ),
    check_setting(
        "cookie_jar",
        "--cookie-jar",
        OPTIONAL_FILE,
        "Load cookies from this Netscape cookies.txt file, and save the run's cookies to it.",
    ),
    check_setting(
        "http_engine",
        "--http-engine",
        Syntax(click.Choice(HTTP_ENGINES)),
        "HTTP engine under the checker: reqwest (Rust, fast) or httpx (httpcore, the fallback).",
    ),
    check_setting(
        "jobs",
        "--jobs",
        COUNT,
        "Worker processes, each checking its own share of the hosts (0: one per CPU core; "
        "1: this process only).",
    ),
    check_setting(
        "shard",
        "--shard",
        Syntax(parse=parse_shard),
        "Check only the hosts of shard I of N (for a CI matrix; see linkcheck merge).",
        metavar="I/N",
    ),
    check_setting(
        "offline",
        "--offline",
        FLAG,
        "No network at all: check URL syntax, local files and anchors, and fragment "
        "syntax; remote URLs are reported as skipped.",
    ),
    check_setting(
        "doi_url",
        "--doi-url",
        HTTP_URL,
        "The DOI resolver DOIs are asked of, and its agency lookup (env LINKCHECK_DOI_URL).",
        metavar="URL",
        envvar="LINKCHECK_DOI_URL",
    ),
    check_setting(
        "crossref_url",
        "--crossref-url",
        HTTP_URL,
        "Crossref's REST API, for Crossref DOIs' titles and retractions "
        "(env LINKCHECK_CROSSREF_URL).",
        metavar="URL",
        envvar="LINKCHECK_CROSSREF_URL",
    ),
    check_setting(
        "datacite_url",
        "--datacite-url",
        HTTP_URL,
        "DataCite's REST API, for DataCite DOIs' titles (env LINKCHECK_DATACITE_URL).",
        metavar="URL",
        envvar="LINKCHECK_DATACITE_URL",
    ),
    check_setting(
        "arxiv_url",
        "--arxiv-url",
        HTTP_URL,
        "The arXiv API's query endpoint (env LINKCHECK_ARXIV_URL).",
        metavar="URL",
        envvar="LINKCHECK_ARXIV_URL",
    ),
    check_setting(
        "mailto",
        "--mailto",
        Syntax(parse=parse_email, show=lambda value: value or ""),
        "Your e-mail address, sent to Crossref and DataCite: their polite pools answer faster "
        "(env LINKCHECK_MAILTO).",
        metavar="ADDRESS",
        envvar="LINKCHECK_MAILTO",
    ),
    check_setting(
        "follow_doi",
        "--follow-doi",
        FLAG,
        "Also fetch the publisher's page a DOI leads to (always done for a DOI cited with a "
        "text fragment).",
    ),
    check_setting(
        "metadata_max_age",
        "--metadata-max-age",
        DURATION,
        "Reuse a work's registered titles and retractions for this long.",
        metavar="DURATION",
    ),
)

ARCHIVE_SETTINGS = (
    archive_setting(
        "wayback_url",
        "--wayback-url",
        HTTP_URL,
        "The Wayback Machine to use; every endpoint derives from it (env LINKCHECK_WAYBACK_URL).",
        metavar="URL",
        envvar="LINKCHECK_WAYBACK_URL",
    ),
    archive_setting(
        "reuse_within",
        "--reuse-within",
        DURATION,
        "Reuse a snapshot younger than this instead of capturing again.",
        metavar="DURATION",
    ),
    archive_setting(
        "capture_rate",
        "--capture-rate",
        POSITIVE,
        "Captures submitted a minute, at most.",
        metavar="N",
    ),
    archive_setting(
        "lookup_rate",
        "--lookup-rate",
        POSITIVE,
        "Index lookups (CDX, TimeMap) a minute, at most.",
        metavar="N",
    ),
    archive_setting(
        "verify_rate",
        "--verify-rate",
        POSITIVE,
        "Snapshot fetches a minute, per archive, to verify copies.",
        metavar="N",
    ),
    archive_setting(
        "timemap_url",
        "--timemap",
        OPTIONAL_HTTP_URL,
        "A Memento TimeMap endpoint the page's URL is appended to, e.g. an aggregator listing "
        "several archives (default: the Wayback Machine's own; env LINKCHECK_TIMEMAP).",
        metavar="URL",
        envvar="LINKCHECK_TIMEMAP",
    ),
    archive_setting(
        "poll_interval",
        "--poll-interval",
        DURATION,
        "Time between two polls of a capture job.",
        metavar="DURATION",
    ),
    archive_setting(
        "capture_timeout",
        "--capture-timeout",
        DURATION,
        "Give up waiting for one capture after this (the job is kept and resumed next run).",
        metavar="DURATION",
    ),
    archive_setting(
        "timeout",
        "--archive-timeout",
        DURATION,
        "Deadline for one request to the Wayback Machine.",
        metavar="DURATION",
    ),
)


def build(
    config: type[Config], settings: tuple[Setting, ...], options: Mapping[str, Any]
) -> Config:
    """A config from parsed options, each value checked by its syntax (UsageError if bad); a
    setting the command has no option for keeps its default."""
    values = {
        s.field: s.syntax.parse(options[s.name], s.flag) for s in settings if s.name in options
    }
    return config(**values)


def check_config(options: Mapping[str, Any], hosts: tuple[HostRule, ...] = ()) -> CheckConfig:
    """The CheckConfig the command line's options describe, with the settings file's hosts
    and the ignore file's rules."""
    config = build(CheckConfig, CHECK_SETTINGS, options)
    config.hosts = hosts
    named = config.ignore_file != CheckConfig().ignore_file
    config.ignore_file_rules = read_ignore_file(config.ignore_file, required=named)
    return config


def archive_settings(options: Mapping[str, Any]) -> ArchiveSettings:
    """The ArchiveSettings the command line's options describe."""
    return build(ArchiveSettings, ARCHIVE_SETTINGS, options)
