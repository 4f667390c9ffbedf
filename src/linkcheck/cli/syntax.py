"""How an option is written: its value syntax (``Syntax``) and the run setting it sets
(``Setting``), whose default it shows. ``options.py`` lists the settings."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from linkcheck.config import (
    ArchiveSettings,
    CheckConfig,
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
    parse_size,
    parse_statuses,
)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


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


def number(value: float) -> str:
    return f"{value:g}"


COUNT = Syntax(click.IntRange(0), metavar="N")
COUNT_FROM_1 = Syntax(click.IntRange(1), metavar="N")
SECONDS = Syntax(click.FloatRange(0), show=number, metavar="SECONDS")
POSITIVE = Syntax(click.FloatRange(0, min_open=True), show=number, metavar="N")
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


def check_setting(field: str, flag: str, syntax: Syntax, help: str, **more: Any) -> Setting:
    return Setting(CheckConfig, field, flag, syntax, help, **more)


def archive_setting(field: str, flag: str, syntax: Syntax, help: str, **more: Any) -> Setting:
    return Setting(ArchiveSettings, field, flag, syntax, help, **more)
