"""``linkcheck fix``: the fixes a check knows, written into the documents (or shown as a diff)."""

from __future__ import annotations

import sys
from typing import Any

import click

from linkcheck.cli.common import check_with_progress, read_documents
from linkcheck.cli.decorators import WAYBACK_URL_OPTION, check_options, input_options, quiet_option
from linkcheck.cli.group import host_rules, warn
from linkcheck.cli.options import archive_settings, check_config
from linkcheck.errors import UsageError


@click.command()
@input_options
@check_options
@WAYBACK_URL_OPTION
@click.option(
    "--write",
    is_flag=True,
    help="Rewrite the files in place (the default in a clean git tree or outside git).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print a unified diff instead (the default when the git tree has uncommitted changes).",
)
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option("--cross-host", is_flag=True, help="Follow permanent redirects to another host too.")
@click.option(
    "--robust",
    is_flag=True,
    help="Also make Markdown and HTML links with a verified archived copy Robust Links.",
)
@click.option(
    "--archive-live",
    is_flag=True,
    help="Wikitext: also give live citations their verified archived copy (url-status=live).",
)
@quiet_option("No progress bar.")
def fix(
    write: bool,
    diff: bool,
    dry_run: bool,
    cross_host: bool,
    robust: bool,
    archive_live: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Apply the fixes the check knows to PATH…: permanent redirects to their final URL, dead
    citations to their verified archived copy (from the last `linkcheck archive`); in wikitext,
    the copy is written beside the citation, as editors do."""
    from linkcheck.cache import Cache
    from linkcheck.extract import document_format
    from linkcheck.fix import apply_fixes, plan_fixes, unified_diff
    from linkcheck.pipeline import citation_dates, document_dates
    from linkcheck.report.output import replace_bytes
    from linkcheck.report.terminal import render_fixes

    chosen = [name for name, on in (("write", write), ("diff", diff), ("dry-run", dry_run)) if on]
    if len(chosen) > 1:
        raise UsageError(f"--{chosen[0]} and --{chosen[1]} cannot be used together")
    mode = chosen[0] if chosen else None
    config = check_config(options, host_rules())
    settings = archive_settings(options)
    documents = read_documents(options)
    if not documents:
        return
    checked = check_with_progress(documents, config, quiet)
    if checked.interrupted:
        raise KeyboardInterrupt  # stopped while checking: no file is rewritten on half a check
    store = Cache(config.cache_path, warn) if config.cache_path is not None else None
    dated = document_dates(checked)
    formats = {document.file: document.format for document in documents}
    beside = {
        file
        for file, fmt in formats.items()
        if fmt is not None and document_format(fmt).annotator is not None
    }
    try:
        fixes, skipped = plan_fixes(
            checked.results,
            store.snapshots if store is not None else None,
            store.copies if store is not None else None,
            wayback_url=settings.wayback_url,
            cross_host=cross_host,
            fail_after=config.fail_after,
            citation_dates=citation_dates(checked, dated),
            document_dates=dated,
            robust=robust,
            beside=beside,
            archive_live=archive_live,
        )
    finally:
        if store is not None:
            store.close()
    changes, unplaced = apply_fixes(fixes, formats)
    if mode is None:
        mode = "diff" if _uncommitted_changes() else "write"
        if mode == "diff" and changes:
            warn("the git tree has uncommitted changes: printing a diff (--write applies it)")
    if mode == "diff":
        sys.stdout.write(unified_diff(changes))
    elif mode == "write":
        for change in changes:
            replace_bytes(change.path, change.after)
    render_fixes(changes, skipped + unplaced, mode, to_stderr=mode == "diff")


def _uncommitted_changes() -> bool:
    """Is the current directory in a git tree with uncommitted changes?"""
    import subprocess

    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return status.returncode == 0 and bool(status.stdout.strip())
