"""Run settings (the only place a default is written), their value syntax, and settings files."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkcheck import PROJECT_URL, __version__
from linkcheck.errors import UsageError
from linkcheck.model import DEFAULT_FAIL_ON, Format, Status

DEFAULT_USER_AGENT = f"linkcheck/{__version__} (+{PROJECT_URL})"
DEFAULT_CANARY = "https://web.archive.org/"
DEFAULT_WAYBACK_URL = "https://web.archive.org"
CONFIG_FILE = "linkcheck.toml"
# The HTTP engines under the checker's httpx client (see net/engines.py), the default first.
HTTP_ENGINES = ("reqwest", "httpx")


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


_ENV_REFERENCE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_HOST_KEYS = {"headers", "concurrency", "interval", "timeout", "accept", "user_agent"}


def parse_host_rules(
    table: object,
    where: str,
    environ: Mapping[str, str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[HostRule, ...]:
    """The ``[hosts]`` table of settings file ``where``; a bad entry is a one-line UsageError.

    ``${NAME}`` in a header value is the environment variable NAME; a header whose variable is
    not set is left out (with a warning naming the variable, never the value).
    """
    environ = os.environ if environ is None else environ
    if not isinstance(table, dict):
        raise UsageError(f'{where}: hosts must be a table of [hosts."NAME"] tables')
    rules = []
    for pattern, settings in table.items():
        here = f'{where}: [hosts."{pattern}"]'
        if not isinstance(settings, dict):
            raise UsageError(f"{here} must be a table")
        settings = {key.replace("-", "_"): value for key, value in settings.items()}
        unknown = sorted(set(settings) - _HOST_KEYS)
        if unknown:
            raise UsageError(f"{here}: unknown setting {unknown[0]!r}")
        headers: dict[str, str] = {}
        raw_headers = settings.get("headers", {})
        if not isinstance(raw_headers, dict) or not all(
            isinstance(v, str) for v in raw_headers.values()
        ):
            raise UsageError(f'{here} headers: expected a table of strings, e.g. Name = "value"')
        for name, value in raw_headers.items():
            missing = [a or b for a, b in _ENV_REFERENCE.findall(value) if (a or b) not in environ]
            if missing:
                if warn is not None:
                    warn(f"{here}: header {name} needs ${missing[0]}, which is not set: not sent")
                continue
            headers[name] = _ENV_REFERENCE.sub(lambda m: environ[m.group(1) or m.group(2)], value)
        rules.append(
            HostRule(
                pattern=str(pattern),
                headers=headers,
                concurrency=_whole(_host_number(settings, "concurrency", here, 1, whole=True)),
                interval=_host_number(settings, "interval", here, 0),
                timeout=_host_number(settings, "timeout", here, 0),
                accept=(
                    parse_accept(str(settings["accept"]), f"{here} accept")
                    if "accept" in settings
                    else None
                ),
                user_agent=str(settings["user_agent"]) if "user_agent" in settings else None,
            )
        )
    return tuple(rules)


def _host_number(
    settings: Mapping[str, object], key: str, where: str, least: float, whole: bool = False
) -> float | None:
    if key not in settings:
        return None
    value = settings[key]
    if isinstance(value, str) and not whole:
        value = parse_duration(value, f"{where} {key}")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
        raise UsageError(f"{where} {key}: expected a number of at least {least:g}, got {value!r}")
    if whole and not isinstance(value, int):
        raise UsageError(f"{where} {key}: expected a whole number, got {value!r}")
    return float(value)


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def parse_format_overrides(values: Iterable[str]) -> dict[str, Format]:
    """``--format-of txt=markdown`` values as an extension → format map."""
    overrides: dict[str, Format] = {}
    for value in values:
        extension, _, name = value.partition("=")
        extension = extension.strip().lower()
        if not extension or not name:
            raise UsageError(f"--format-of {value!r}: expected EXT=FORMAT, e.g. txt=markdown")
        try:
            fmt = Format(name.strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in Format)
            raise UsageError(f"--format-of {value!r}: unknown format (choose {choices})") from None
        overrides["." + extension.lstrip(".")] = fmt
    return overrides


def parse_shard(value: str | None, option: str) -> tuple[int, int] | None:
    """``2/4`` → (2, 4): shard 2 of 4 (numbered from 1)."""
    if not value:
        return None
    index, slash, count = str(value).partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        shard = (0, 0)
    if not slash or not 1 <= shard[0] <= shard[1]:
        raise UsageError(f"{option} {value!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return shard


def parse_http_url(value: str, option: str) -> str:
    """An http(s) base URL, without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise UsageError(f"{option} {value!r}: expected an http(s) URL")
    return value.rstrip("/")


def parse_accept(value: str, option: str = "--accept") -> frozenset[int]:
    """``200..299,403`` → the set of accepted HTTP status codes."""
    codes: set[int] = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        low, dots, high = part.partition("..")
        try:
            first = int(low)
            last = int(high) if dots else first
        except ValueError:
            raise UsageError(
                f"{option} {value!r}: expected codes or ranges like 200..299,403"
            ) from None
        if not (100 <= first <= last <= 999):
            raise UsageError(f"{option} {value!r}: {part} is not a range of HTTP status codes")
        codes.update(range(first, last + 1))
    return frozenset(codes)


def parse_statuses(value: str, option: str) -> frozenset[Status]:
    """``broken,error`` → statuses; unknown names are a usage error."""
    statuses = set()
    for name in filter(None, (part.strip() for part in value.split(","))):
        try:
            statuses.add(Status(name))
        except ValueError:
            choices = ", ".join(s.value for s in Status)
            raise UsageError(f"{option} {name!r}: unknown status (choose from {choices})") from None
    return frozenset(statuses)


@dataclass(frozen=True, slots=True)
class IgnoreFileRule:
    """One line of an ignore file: a regular expression over cited URLs, and where it is."""

    pattern: re.Pattern[str]
    where: str  # file:line


def read_ignore_file(path: Path, required: bool) -> tuple[IgnoreFileRule, ...]:
    """The URL patterns of an ignore file (one regular expression a line; blank lines and
    ``#`` comments skipped). A missing file is no rules, unless ``required`` (named on purpose):
    then, as an unreadable file or a bad pattern, a one-line UsageError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if required:
            raise UsageError(f"--ignore-file {str(path)!r}: no such file") from None
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--ignore-file {str(path)!r}: cannot be read ({exc})") from None
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            rules.append(IgnoreFileRule(re.compile(line), f"{path}:{number}"))
        except re.error as exc:
            raise UsageError(
                f"{path}:{number}: {line!r} is not a regular expression ({exc})"
            ) from None
    return tuple(rules)


def parse_patterns(values: Iterable[str], option: str) -> list[re.Pattern[str]]:
    """Compile regular expressions, reporting a bad one as a usage error."""
    patterns = []
    for value in values:
        try:
            patterns.append(re.compile(value))
        except re.error as exc:
            raise UsageError(f"{option} {value!r}: not a regular expression ({exc})") from None
    return patterns


def parse_remaps(values: Iterable[str], option: str = "--remap") -> list[Remap]:
    """``'REGEX REPLACEMENT'`` pairs."""
    remaps = []
    for value in values:
        pattern, _, replacement = value.strip().partition(" ")
        if not pattern or not replacement.strip():
            raise UsageError(f"{option} {value!r}: expected 'REGEX REPLACEMENT'")
        (compiled,) = parse_patterns([pattern], option)
        remaps.append(Remap(compiled, replacement.strip()))
    return remaps


def parse_headers(values: Iterable[str], option: str = "--header") -> dict[str, str]:
    """``'Name: value'`` pairs."""
    headers = {}
    for value in values:
        name, colon, content = value.partition(":")
        if not colon or not name.strip() or any(c.isspace() for c in name.strip()):
            raise UsageError(f"{option} {value!r}: expected 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


def find_config_file(start: Path) -> Path | None:
    """The nearest ``linkcheck.toml``, or ``pyproject.toml`` with ``[tool.linkcheck]``, upwards."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "linkcheck" in tool:
                return pyproject
    return None


def settings_table_name(path: Path) -> str:
    """How messages name the settings' place: ``pyproject.toml: [tool.linkcheck]``."""
    return f"{path}: [tool.linkcheck]" if path.name == "pyproject.toml" else f"{path}:"


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings table of a config file, keys normalised to option names (``per_host``)."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise UsageError(f"{path}: tool must be a table ([tool.linkcheck])")
        table = tool.get("linkcheck", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.linkcheck] must be a table")
    return {str(key).replace("-", "_"): value for key, value in table.items()}


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only runs with a settings file pay for it

    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_duration(value: str | float, option: str) -> float:
    """``90``, ``30m``, ``12h``, ``1d``, ``2w`` → seconds."""
    match = _DURATION.match(str(value))
    if not match:
        raise UsageError(f"{option} {value!r}: expected a duration like 90s, 30m, 12h or 1d")
    return float(match.group(1)) * _DURATION_UNITS[match.group(2).lower()]


def format_duration(seconds: float) -> str:
    """The shortest exact way to write ``seconds``: ``1d``, ``30m``, ``90s``."""
    for unit in ("w", "d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def format_size(size: int) -> str:
    """The shortest exact way to write ``size`` bytes: ``10MB``, ``512KB``, ``100``."""
    for unit in ("g", "m", "k"):
        if size % _SIZE_UNITS[unit] == 0:
            return f"{size // _SIZE_UNITS[unit]}{unit.upper()}B"
    return str(size)


def format_accept(codes: frozenset[int]) -> str:
    """``200..299,403`` for a set of status codes."""
    parts: list[str] = []
    ordered = sorted(codes)
    while ordered:
        first = last = ordered.pop(0)
        while ordered and ordered[0] == last + 1:
            last = ordered.pop(0)
        parts.append(str(first) if first == last else f"{first}..{last}")
    return ",".join(parts)


def format_statuses(statuses: frozenset[Status]) -> str:
    """``broken,error`` for a set of statuses, in name order."""
    return ",".join(sorted(status.value for status in statuses))


def parse_size(value: str | int, option: str) -> int:
    """``10MB``, ``512k``, ``1048576`` → bytes (binary multiples)."""
    match = _SIZE.match(str(value))
    if not match:
        raise UsageError(f"{option} {value!r}: expected a size like 10MB, 512KB or 1048576")
    size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2)[:1].lower()])
    if size <= 0:
        raise UsageError(f"{option} {value!r}: must be more than 0 bytes")
    return size
