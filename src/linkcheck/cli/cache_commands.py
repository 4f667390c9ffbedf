"""``linkcheck cache info|clear``: looking after the cache file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from linkcheck.cli.decorators import cache_file_option

if TYPE_CHECKING:
    from linkcheck.cache import Cache


@click.group()
def cache() -> None:
    """Inspect or clear the cached results file."""


def _existing_cache(cache_file: str) -> Cache | None:
    """The cache at ``cache_file``, or None (said on stdout) when there is none yet."""
    from linkcheck.cache import Cache

    path = Path(cache_file)
    if not path.exists():
        click.echo(f"{path}: no cache yet")
        return None
    return Cache(path)  # its trouble is reported by info or clear, in one line


@cache.command("info")
@cache_file_option
def cache_info(cache_file: str) -> None:
    """How many results are cached, by status, and how old they are."""
    from linkcheck.report.results import age, iso_time, plural

    store = _existing_cache(cache_file)
    if store is None:
        return
    with store:
        info = store.info()
    click.echo(f"{info.path}: {plural(info.entries, 'result')}, {info.size_bytes / 1024:.0f} KiB")
    for status, count in sorted(info.by_status.items()):
        click.echo(f"  {status}: {count}")
    if info.oldest is not None and info.newest is not None:
        oldest, newest = age(info.oldest), age(info.newest)
        click.echo(
            f"  oldest: {oldest} ago ({iso_time(info.oldest)}), "
            f"newest: {newest} ago ({iso_time(info.newest)})"
        )
    if info.damage is not None:
        click.echo(f"  damaged: {info.damage} (run `linkcheck cache clear`, or delete the file)")


@cache.command("clear")
@cache_file_option
def cache_clear(cache_file: str) -> None:
    """Delete every cached result, recorded snapshot and pending capture job."""
    store = _existing_cache(cache_file)
    if store is None:
        return
    with store:
        removed = store.clear()
    click.echo(f"{store.path}: removed {removed} results")
