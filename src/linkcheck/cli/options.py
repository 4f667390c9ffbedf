"""Every command-line option, written once: its flags, help and value syntax.

An option that sets a run setting takes its default from that setting's dataclass in
``linkcheck.config``; the configs are built from the parsed options here. Settings-file keys are
the long flags' names (``per-host`` or ``per_host``), derived in ``settings.py`` from these options.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from linkcheck.config import (
    HTTP_ENGINES,
    ArchiveSettings,
    CheckConfig,
    HostRule,
    format_accept,
    format_duration,
    format_size,
    format_statuses,
    parse_accept,
    parse_duration,
    parse_headers,
    parse_http_url,
    parse_patterns,
    parse_remaps,
    parse_shard,
    parse_size,
    parse_statuses,
    read_ignore_file,
)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Config = TypeVar("Config", CheckConfig, ArchiveSettings)


def _same(value: Any, flag: str) -> Any:
    return value


def _shown(default: Any) -> Any:
    return default


@dataclass(frozen=True, slots=True)
class Syntax:
    """How an option's value is written on the command line and becomes a setting."""

    click_type: Any = None  # a click.ParamType, or None for text
    parse: Callable[[Any, str], Any] = _same  # (value as given, flag) -> setting
    show: Callable[[Any], Any] = _shown  # setting's default -> its command-line form
    multiple: bool = False
    is_flag: bool = False
    metavar: str | None = None


def _number(value: float) -> str:
    return f"{value:g}"


COUNT = Syntax(click.IntRange(0), metavar="N")
COUNT_FROM_1 = Syntax(click.IntRange(1), metavar="N")
SECONDS = Syntax(click.FloatRange(0), show=_number, metavar="SECONDS")
POSITIVE = Syntax(click.FloatRange(0, min_open=True), show=_number, metavar="N")
TEXT = Syntax()
FLAG = Syntax(is_flag=True)
FILE = Syntax(click.Path(dir_okay=False), parse=lambda value, flag: Path(value), show=str)
OPTIONAL_FILE = Syntax(
    click.Path(dir_okay=False), parse=lambda value, flag: Path(value) if value else None
)
SIZE = Syntax(parse=parse_size, show=format_size)
DURATION = Syntax(parse=parse_duration, show=format_duration)
HTTP_URL = Syntax(parse=parse_http_url)
OPTIONAL_HTTP_URL = Syntax(
    parse=lambda value, flag: parse_http_url(value, flag) if value else None,
    show=lambda value: value or "",
)
HEADERS = Syntax(parse=parse_headers, multiple=True)
PATTERNS = Syntax(parse=parse_patterns, multiple=True)
REMAPS = Syntax(parse=parse_remaps, multiple=True)
CODES = Syntax(parse=parse_accept, show=format_accept)
STATUSES = Syntax(parse=parse_statuses, show=format_statuses)


@dataclass(frozen=True, slots=True)
class Setting:
    """An option that sets one field of a config dataclass, whose default it shows."""

    config: type[CheckConfig] | type[ArchiveSettings]
    field: str
    flag: str
    syntax: Syntax
    help: str
    metavar: str | None = None
    envvar: str | None = None

    @property
    def name(self) -> str:
        """The parameter's name, from its flag: ``--per-host`` → ``per_host``."""
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def default(self) -> Any:
        """The field's default, in command-line form."""
        if self.syntax.multiple:
            return ()
        fields = {f.name: f for f in dataclasses.fields(self.config)}
        value = fields[self.field].default
        return self.syntax.show(value)

    def option(self) -> Decorator:
        """The click option."""
        shows_default = not self.syntax.is_flag and not self.syntax.multiple
        return click.option(
            self.flag,
            self.name,
            type=self.syntax.click_type,
            default=self.default,
            show_default=shows_default and self.default != "",
            multiple=self.syntax.multiple,
            is_flag=self.syntax.is_flag,
            metavar=self.metavar or self.syntax.metavar,
            envvar=self.envvar,
            help=self.help,
        )


def _check(field: str, flag: str, syntax: Syntax, help: str, **more: Any) -> Setting:
    return Setting(CheckConfig, field, flag, syntax, help, **more)


def _archive(field: str, flag: str, syntax: Syntax, help: str, **more: Any) -> Setting:
    return Setting(ArchiveSettings, field, flag, syntax, help, **more)


CHECK_SETTINGS = (
    _check("concurrency", "--concurrency", COUNT_FROM_1, "Requests in flight at once."),
    _check("per_host", "--per-host", COUNT_FROM_1, "Requests in flight to one host."),
    _check(
        "host_interval",
        "--host-interval",
        SECONDS,
        "Minimum time between requests to one host.",
        metavar="SECONDS",
    ),
    _check(
        "timeout",
        "--timeout",
        POSITIVE,
        "Deadline for a whole request: connect, redirects, body.",
        metavar="SECONDS",
    ),
    _check("retries", "--retries", COUNT, "Retries of connection errors, 429 and 502/503/504."),
    _check(
        "max_retry_wait",
        "--max-retry-wait",
        SECONDS,
        "Longest Retry-After honoured.",
        metavar="SECONDS",
    ),
    _check("max_redirects", "--max-redirects", COUNT, "Redirects followed before giving up."),
    _check(
        "max_bytes",
        "--max-bytes",
        SIZE,
        "Most body read from one response, after decompression.",
        metavar="SIZE",
    ),
    _check("user_agent", "--user-agent", TEXT, "User-Agent header.", metavar="TEXT"),
    _check(
        "headers",
        "--header",
        HEADERS,
        "Extra request header (repeatable).",
        metavar="'NAME: VALUE'",
    ),
    _check("insecure", "--insecure", FLAG, "Do not verify TLS certificates."),
    _check(
        "include",
        "--include",
        PATTERNS,
        "Check only URLs matching (repeatable; wins over --exclude).",
        metavar="REGEX",
    ),
    _check(
        "exclude",
        "--exclude",
        PATTERNS,
        "Do not check URLs matching (repeatable).",
        metavar="REGEX",
    ),
    _check(
        "remap",
        "--remap",
        REMAPS,
        "Rewrite URLs before fetching (repeatable).",
        metavar="'REGEX REPLACEMENT'",
    ),
    _check(
        "accept",
        "--accept",
        CODES,
        "HTTP statuses that count as ok, e.g. 200..299,403.",
        metavar="CODES",
    ),
    _check(
        "exclude_private",
        "--exclude-private",
        FLAG,
        "Skip URLs on loopback, private and link-local addresses.",
    ),
    _check(
        "canary",
        "--canary",
        TEXT,
        "Host probed to tell a dead link from a dead network.",
        metavar="URL",
    ),
    _check(
        "fail_on",
        "--fail-on",
        STATUSES,
        "Statuses that make the run fail (exit 1).",
        metavar="STATUSES",
    ),
    _check(
        "fail_after",
        "--fail-after",
        COUNT_FROM_1,
        "Fail only after N consecutive failing runs (needs the cache).",
        metavar="N",
    ),
    _check("cache_file", "--cache-file", FILE, "The cached results file."),
    _check("no_cache", "--no-cache", FLAG, "Neither read nor write the cache."),
    _check(
        "drift_threshold",
        "--drift-threshold",
        Syntax(click.FloatRange(0, 100), show=_number, metavar="PERCENT"),
        "A live page whose text differs this much from when it was first seen is 'changed'.",
    ),
    _check(
        "no_drift",
        "--no-drift",
        FLAG,
        "Do not fingerprint pages: no drift, no 'changed' verdict.",
    ),
    _check(
        "ignore_file",
        "--ignore-file",
        FILE,
        "URL patterns to ignore, a regular expression a line (read when it exists).",
    ),
    _check(
        "max_age",
        "--max-age",
        DURATION,
        "Reuse cached results younger than this (e.g. 30m, 12h, 1d).",
        metavar="DURATION",
    ),
    _check(
        "cache_failures",
        "--cache-failures",
        FLAG,
        "Reuse cached failures too (default: re-check them).",
    ),
    _check(
        "cookie_jar",
        "--cookie-jar",
        OPTIONAL_FILE,
        "Load cookies from this Netscape cookies.txt file, and save the run's cookies to it.",
    ),
    _check(
        "http_engine",
        "--http-engine",
        Syntax(click.Choice(HTTP_ENGINES)),
        "HTTP engine under the checker: reqwest (Rust, fast) or httpx (httpcore, the fallback).",
    ),
    _check(
        "jobs",
        "--jobs",
        COUNT,
        "Worker processes, each checking its own share of the hosts (0: one per CPU core; "
        "1: this process only).",
    ),
    _check(
        "shard",
        "--shard",
        Syntax(parse=parse_shard),
        "Check only the hosts of shard I of N (for a CI matrix; see linkcheck merge).",
        metavar="I/N",
    ),
    _check(
        "offline",
        "--offline",
        FLAG,
        "No network at all: check URL syntax, local files and anchors, and fragment "
        "syntax; remote URLs are reported as skipped.",
    ),
)

ARCHIVE_SETTINGS = (
    _archive(
        "wayback_url",
        "--wayback-url",
        HTTP_URL,
        "The Wayback Machine to use; every endpoint derives from it (env LINKCHECK_WAYBACK_URL).",
        metavar="URL",
        envvar="LINKCHECK_WAYBACK_URL",
    ),
    _archive(
        "reuse_within",
        "--reuse-within",
        DURATION,
        "Reuse a snapshot younger than this instead of capturing again.",
        metavar="DURATION",
    ),
    _archive(
        "capture_rate",
        "--capture-rate",
        POSITIVE,
        "Captures submitted a minute, at most.",
        metavar="N",
    ),
    _archive(
        "lookup_rate",
        "--lookup-rate",
        POSITIVE,
        "Index lookups (CDX, TimeMap) a minute, at most.",
        metavar="N",
    ),
    _archive(
        "verify_rate",
        "--verify-rate",
        POSITIVE,
        "Snapshot fetches a minute, per archive, to verify copies.",
        metavar="N",
    ),
    _archive(
        "timemap_url",
        "--timemap",
        OPTIONAL_HTTP_URL,
        "A Memento TimeMap endpoint the page's URL is appended to, e.g. an aggregator listing "
        "several archives (default: the Wayback Machine's own; env LINKCHECK_TIMEMAP).",
        metavar="URL",
        envvar="LINKCHECK_TIMEMAP",
    ),
    _archive(
        "poll_interval",
        "--poll-interval",
        DURATION,
        "Time between two polls of a capture job.",
        metavar="DURATION",
    ),
    _archive(
        "capture_timeout",
        "--capture-timeout",
        DURATION,
        "Give up waiting for one capture after this (the job is kept and resumed next run).",
        metavar="DURATION",
    ),
    _archive(
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
