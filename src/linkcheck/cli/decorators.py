"""The options each command takes, as click decorators: the settings' options (``options.py``)
and the few that set no run setting (inputs, output, format, quiet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from linkcheck.cli.options import ARCHIVE_SETTINGS, CHECK_SETTINGS, Decorator
from linkcheck.model import Format

# The vocabulary's names (the registry's, as test_structure holds them to be): naming them does
# not load every format's reader, so `--help`, `merge` and `cache` start as fast as before.
_FORMAT_NAMES = ", ".join(fmt.value for fmt in Format)


def _stack(*decorators: Decorator) -> Decorator:
    def apply(function: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


input_options = _stack(
    click.argument("paths", nargs=-1),
    click.option(
        "--exclude-path",
        "exclude_paths",
        multiple=True,
        metavar="PATTERN",
        help="Skip documents matching this gitignore-style pattern (repeatable).",
    ),
    click.option(
        "--format-of",
        "format_of",
        multiple=True,
        metavar="EXT=FORMAT",
        help=f"Read files with this extension as one of: {_FORMAT_NAMES} (repeatable).",
    ),
    click.option(
        "--changed-since",
        metavar="REF",
        help="Only documents changed since this git ref (committed, staged, unstaged or new).",
    ),
    click.option(
        "--new-only",
        is_flag=True,
        help="With --changed-since: only citations on lines added since the ref.",
    ),
    click.option(
        "--root-dir",
        type=click.Path(file_okay=False, exists=True),
        help="A built site's folder: root-relative links (/docs/x.html) are files in it.",
    ),
    click.option(
        "--base-url",
        metavar="URL",
        help="The URL the documents will be served at: relative links are checked as URLs "
        "under it.",
    ),
    click.option(
        "--sitemap",
        "sitemaps",
        multiple=True,
        metavar="URL|FILE",
        help="Check the pages this sitemap lists (and, with --root-dir and --base-url, read "
        "them from the built site); repeatable.",
    ),
)
"""The options of every command that reads documents."""

check_options = _stack(*(setting.option() for setting in CHECK_SETTINGS))
"""The options that decide how URLs are checked (shared by check and archive)."""

cache_file_option = next(s for s in CHECK_SETTINGS if s.field == "cache_file").option()
"""``--cache-file`` for the cache commands, as for check."""
fail_options = _stack(*(s.option() for s in CHECK_SETTINGS if s.field in ("fail_on", "fail_after")))
"""``--fail-on`` and ``--fail-after``, for merge as for check."""

archive_options = _stack(*(setting.option() for setting in ARCHIVE_SETTINGS))
"""The options that decide how sources are archived."""
WAYBACK_URL_OPTION = next(s for s in ARCHIVE_SETTINGS if s.field == "wayback_url").option()
"""The Wayback Machine whose snapshots ``fix`` reads from the cache."""


def output_option(help: str) -> Decorator:
    """``--output/-o FILE``."""
    return click.option("--output", "-o", type=click.Path(dir_okay=False), help=help)


def quiet_option(help: str) -> Decorator:
    """``--quiet/-q``."""
    return click.option("--quiet", "-q", is_flag=True, help=help)


def format_option(choices: list[str], default: str | None, help: str) -> Decorator:
    """``--format`` with the choices a command offers."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=default is not None,
        help=help,
    )
