"""Run settings (the only place a default is written), their value syntax, and settings files."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class Remap:
    """Rewrite URLs matching ``pattern`` to ``replacement`` (``re.sub`` syntax) before fetching."""

    pattern: re.Pattern[str]
    replacement: str

    def apply(self, url: str) -> str:
        return self.pattern.sub(self.replacement, url, count=1)


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

    @property
    def cache_path(self) -> Path | None:
        """The cache file to use, or None with ``--no-cache``."""
        return None if self.no_cache else self.cache_file


@dataclass(slots=True)
class ArchiveSettings:
    """How archiving talks to the Wayback Machine (retries and User-Agent: see CheckConfig)."""

    wayback_url: str = DEFAULT_WAYBACK_URL
    reuse_within: float = 30 * 86400.0
    capture_rate: float = 6.0  # captures a minute
    lookup_rate: float = 50.0  # CDX lookups a minute (the Wayback Machine allows about 60)
    poll_interval: float = 5.0
    capture_timeout: float = 180.0
    # The Wayback Machine answers slowly under load: its requests get their own, longer deadline.
    timeout: float = 30.0


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


def parse_http_url(value: str, option: str) -> str:
    """An http(s) base URL, without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise UsageError(f"{option} {value!r}: expected an http(s) URL")
    return value.rstrip("/")


def parse_accept(value: str) -> frozenset[int]:
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
                f"--accept {value!r}: expected codes or ranges like 200..299,403"
            ) from None
        if not (100 <= first <= last <= 999):
            raise UsageError(f"--accept {value!r}: {part} is not a range of HTTP status codes")
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


def parse_patterns(values: Iterable[str], option: str) -> list[re.Pattern[str]]:
    """Compile regular expressions, reporting a bad one as a usage error."""
    patterns = []
    for value in values:
        try:
            patterns.append(re.compile(value))
        except re.error as exc:
            raise UsageError(f"{option} {value!r}: not a regular expression ({exc})") from None
    return patterns


def parse_remaps(values: Iterable[str]) -> list[Remap]:
    """``'REGEX REPLACEMENT'`` pairs."""
    remaps = []
    for value in values:
        pattern, _, replacement = value.strip().partition(" ")
        if not pattern or not replacement.strip():
            raise UsageError(f"--remap {value!r}: expected 'REGEX REPLACEMENT'")
        (compiled,) = parse_patterns([pattern], "--remap")
        remaps.append(Remap(compiled, replacement.strip()))
    return remaps


def parse_headers(values: Iterable[str]) -> dict[str, str]:
    """``'Name: value'`` pairs."""
    headers = {}
    for value in values:
        name, colon, content = value.partition(":")
        if not colon or not name.strip() or any(c.isspace() for c in name.strip()):
            raise UsageError(f"--header {value!r}: expected 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


def find_config_file(start: Path) -> Path | None:
    """The nearest ``linkcheck.toml``, or ``pyproject.toml`` with ``[tool.linkcheck]``, upwards."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "linkcheck" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings table of a config file, keys normalised to option names (``per_host``)."""
    data = _read_toml(path)
    table = data.get("tool", {}).get("linkcheck", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.linkcheck] must be a table")
    return {key.replace("-", "_"): value for key, value in table.items()}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML ({exc})") from None
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
