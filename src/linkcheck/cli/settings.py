"""A settings file as click defaults: checked key by key, shared or per command."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from linkcheck.cli.options import ARCHIVE_SETTINGS, CHECK_SETTINGS
from linkcheck.config import parse_duration, settings_table_name
from linkcheck.errors import UsageError

# Settings that belong to one command: at the top level they apply to check alone.
PER_COMMAND = frozenset({"output", "format", "quiet"})


def settings_defaults(
    settings: dict[str, Any],
    path: Path,
    commands: Mapping[str, click.Command],
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """A settings file as click defaults for each command, every value checked first.

    The top level holds what every command shares; ``[tool.linkcheck.COMMAND]`` what one
    command alone takes (``output``, ``format``…). An unknown key, a key a command does not
    take in its own table, or a bad value is a usage error naming the file, table and key.
    """
    where = settings_table_name(path)
    shared = {key: value for key, value in settings.items() if key not in commands}
    sections = {key: value for key, value in settings.items() if key in commands}
    all_options: dict[str, list[click.Parameter]] = {}
    for command in commands.values():
        for key, param in _options(command).items():
            all_options.setdefault(key, []).append(param)
    for key, value in shared.items():
        if key not in all_options:
            raise UsageError(f"{where} unknown setting {key.replace('_', '-')!r}")
        shared[key] = checked_setting(key, value, all_options[key], where)
    old_style = sorted(PER_COMMAND & set(shared))
    if old_style:
        keys = ", ".join(key.replace("_", "-") for key in old_style)
        section = _section_name(path, "check")
        warn(f"{where} {keys}: applies to check alone; move it to {section}")
    defaults: dict[str, Any] = {}
    if "cache_file" in shared:  # the cache commands look where check and archive write
        defaults["cache"] = {
            name: {"cache_file": shared["cache_file"]} for name in ("info", "clear")
        }
    for name, command in commands.items():
        options = _options(command)
        own = {
            key: value
            for key, value in shared.items()
            if key in options
            and (key not in PER_COMMAND or name == "check")
            and _fits(options[key], value)
        }
        table = sections.get(name, {})
        section = _section_name(path, name)
        if not isinstance(table, dict):
            raise UsageError(f"{section} must be a table")
        for key, value in table.items():
            key = str(key).replace("-", "_")
            if key not in options:
                raise UsageError(f"{section} {key.replace('_', '-')}: not a setting of {name}")
            own[key] = checked_setting(key, value, [options[key]], section)
        defaults[name] = {options[key].name: value for key, value in own.items()}
    return defaults


def _options(command: click.Command) -> dict[str, click.Parameter]:
    """The settings keys of a command's options, and the options."""
    params = {p.name: p for p in command.params}
    return {key: params[name] for key, name in setting_keys(command)}


def _section_name(path: Path, command: str) -> str:
    """``pyproject.toml: [tool.linkcheck.check]``, or ``linkcheck.toml: [check]``."""
    table = f"tool.linkcheck.{command}" if path.name == "pyproject.toml" else command
    return f"{path}: [{table}]"


def _fits(param: click.Parameter, value: Any) -> bool:
    """A choice a command does not offer (format = "sarif" for extract) is left to the others."""
    return not isinstance(param.type, click.Choice) or value in param.type.choices


def setting_keys(command: click.Command) -> list[tuple[str, str]]:
    """(settings-file key, parameter name) for each option: the key is the long option's name."""
    keys = []
    for param in command.params:
        if isinstance(param, click.Option) and param.name:
            long_names = [o for o in param.opts if o.startswith("--")]
            key = long_names[0][2:].replace("-", "_") if long_names else param.name
            keys.append((key, param.name))
    return keys


_SETTINGS_BY_NAME = {setting.name: setting for setting in CHECK_SETTINGS + ARCHIVE_SETTINGS}


def checked_setting(key: str, value: Any, params: list[click.Parameter], where: str) -> Any:
    """A settings-file value, checked against the options it sets, as click should get it.

    ``params`` are the options (of every command) that ``key`` sets; ``where`` names the file
    and table. Raises UsageError with one line naming them, the key and the value.
    """
    shown = f"{where} {key.replace('_', '-')} = {_toml(value)}"
    param = params[0]
    if isinstance(param, click.Option) and param.is_flag:
        if not isinstance(value, bool):
            raise UsageError(f"{shown}: expected true or false")
        return value
    if param.multiple:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UsageError(f'{shown}: expected a list of strings, e.g. ["…"]')
        for item in value:
            _check_type(item, params, shown)
    else:
        value = _check_type(value, params, shown)
    setting = _SETTINGS_BY_NAME.get(key)
    if setting is not None and value is not None:
        setting.syntax.parse(value, f"{where} {key.replace('_', '-')} =")
    return value


def _check_type(value: Any, params: list[click.Parameter], shown: str) -> Any:
    """``value`` if it has the options' type (a duration such as "30s" as seconds), else
    UsageError."""
    kind = params[0].type
    if isinstance(kind, click.Choice):
        choices = sorted(
            {c for p in params if isinstance(p.type, click.Choice) for c in p.type.choices}
        )
        if value not in choices:
            raise UsageError(f"{shown}: expected one of {', '.join(map(str, choices))}")
    elif isinstance(kind, click.IntRange | click.FloatRange):
        whole = isinstance(kind, click.IntRange)
        metavar = getattr(params[0], "metavar", None)
        expected = (
            "a whole number" if whole else ("seconds" if metavar == "SECONDS" else "a number")
        )
        if isinstance(value, str) and not whole:
            try:
                value = parse_duration(value, "")  # "30s", "1.5", "2m"
            except UsageError:
                raise UsageError(f"{shown}: expected {expected}") from None
        numeric = isinstance(value, int) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not numeric:
            raise UsageError(f"{shown}: expected {expected}")
        try:
            kind.convert(value, params[0], None)
        except click.BadParameter:
            raise UsageError(f"{shown}: expected {expected} ({kind._describe_range()})") from None
    elif not isinstance(value, str):
        raise UsageError(f"{shown}: expected a string")
    return value


def _toml(value: Any) -> str:
    """A value as TOML would write it: ``[1, 2]``, ``"abc"``, ``true``."""
    return json.dumps(value, ensure_ascii=False, default=str)
