"""What the commands share: the documents the input options name, and a check behind a
progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linkcheck.cli.group import warn
from linkcheck.config import parse_format_overrides
from linkcheck.errors import UsageError
from linkcheck.model import Site

if TYPE_CHECKING:
    from linkcheck.config import CheckConfig
    from linkcheck.extract.changes import Changes
    from linkcheck.extract.inputs import Source
    from linkcheck.model import CheckRun, Document


def document_filter(options: dict[str, Any]) -> Changes | None:
    """The --changed-since/--new-only selection, or None; removes them from ``options``."""
    ref, new_only = options.pop("changed_since", None), options.pop("new_only", False)
    if new_only and not ref:
        raise UsageError("--new-only needs --changed-since REF")
    if not ref:
        return None
    from linkcheck.extract.changes import changes_since

    return changes_since(ref, new_only)


def site_inputs(options: dict[str, Any]) -> tuple[Site, list[str], list[Source]]:
    """The built site the options describe, and the paths and fetched sitemaps to read;
    removes the options it reads from ``options``."""
    from linkcheck.config import DEFAULT_USER_AGENT, parse_http_url

    root_dir, base_url = options.pop("root_dir", None), options.pop("base_url", None)
    site = Site(
        Path(root_dir) if root_dir else None,
        parse_http_url(base_url, "--base-url") if base_url else None,
    )
    paths = list(options.pop("paths"))
    sitemaps = options.pop("sitemaps", ())
    fetched: list[Source] = []
    if sitemaps:
        from linkcheck.extract.sitemap_inputs import sitemap_inputs

        agent = options.get("user_agent") or DEFAULT_USER_AGENT
        listed, fetched = sitemap_inputs(sitemaps, site, agent)
        paths += [path for path in listed if path not in paths]
    if not paths and not fetched:
        raise click.UsageError("Missing argument 'PATHS...' (or --sitemap).")
    return site, paths, fetched


def read_documents(options: dict[str, Any]) -> list[Document]:
    """The documents the input options name, with their citations; warns when there are none."""
    from linkcheck.extract.documents import load_documents

    changes = document_filter(options)
    overrides = parse_format_overrides(options.pop("format_of"))
    site, paths, fetched = site_inputs(options)
    exclude_paths = options.pop("exclude_paths")
    documents = load_documents(paths, exclude_paths, overrides, warn, changes, site, fetched)
    if not documents:
        warn_no_documents(changes)
    return documents


def warn_no_documents(changes: Changes | None) -> None:
    """Say on standard error that the inputs named no document to read."""
    warn("no documents found" if changes is None else f"no documents changed since {changes.ref}")


def show_progress(quiet: bool) -> bool:
    """Progress bars go to a terminal only, and not with --quiet."""
    return not quiet and sys.stderr.isatty()


def check_with_progress(documents: list[Document], config: CheckConfig, quiet: bool) -> CheckRun:
    """Check ``documents`` behind a progress bar (when one is shown)."""
    from linkcheck.pipeline import run_check
    from linkcheck.report.progress import CheckProgress

    with CheckProgress(show_progress(quiet)) as progress:
        return run_check(
            documents,
            config,
            on_planned=progress.planned,
            on_result=progress.advance,
            notice=progress.interrupting(warn),
        )
