"""Settings files (``linkcheck.toml``, ``pyproject.toml``) and ignore files, found and read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from linkcheck.config.settings import CONFIG_FILE, IgnoreFileRule
from linkcheck.errors import UsageError


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
