"""The syntax of setting values, as options and settings files write them: durations, sizes,
status codes, patterns, remaps, headers, per-host rules; each parsed to a one-line UsageError."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping

from linkcheck.config.settings import HostRule, Remap
from linkcheck.errors import UsageError
from linkcheck.model import Format, Status

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


def parse_email(value: str, option: str) -> str | None:
    """An e-mail address ('' for none)."""
    if not value:
        return None
    if not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", value):
        raise UsageError(f"{option} {value!r}: expected an e-mail address")
    return value


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
