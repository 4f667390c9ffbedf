"""A settings file as click defaults: checked key by key, shared or per command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from linkcheck.config import settings_table_name
from linkcheck.errors import UsageError
from linkcheck.options import checked_setting

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
