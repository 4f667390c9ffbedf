"""The commands that read documents and report: ``extract``, ``check``, ``archive``, and
``merge`` (of sharded reports)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from linkcheck.cli.common import (
    check_with_progress,
    document_filter,
    read_documents,
    show_progress,
    site_inputs,
    warn_no_documents,
)
from linkcheck.cli.decorators import (
    WAYBACK_URL_OPTION,
    archive_options,
    check_options,
    fail_options,
    format_option,
    input_options,
    output_option,
    quiet_option,
)
from linkcheck.cli.group import host_rules, warn
from linkcheck.cli.options import archive_settings, check_config
from linkcheck.cli.signals import interruption, interruption_code
from linkcheck.config import parse_format_overrides
from linkcheck.errors import ExitCode, UsageError
from linkcheck.report.extraction import EXTRACT_FORMATS
from linkcheck.report.formats import CHECK_FORMATS


@click.command()
@input_options
@format_option(
    list(EXTRACT_FORMATS), None, "Output format (default: table on a terminal, text otherwise)."
)
@output_option("Write to FILE.")
def extract(output_format: str | None, output: str | None, **options: Any) -> None:
    """List every citation in PATH… without touching the network (but a --sitemap URL)."""
    from linkcheck.extract.documents import stream_documents, warning_of_problems
    from linkcheck.report.extraction import render_extraction

    changes = document_filter(options)
    overrides = parse_format_overrides(options["format_of"])
    site, paths, fetched = site_inputs(options)
    documents = stream_documents(
        paths, options["exclude_paths"], overrides, warn, changes, site, fetched
    )
    if render_extraction(warning_of_problems(documents, warn), output_format, output) == 0:
        warn_no_documents(changes)


@click.command()
@input_options
@check_options
@format_option(list(CHECK_FORMATS), "text", "Report format.")
@output_option("Write the report to FILE.")
@quiet_option("No progress bar.")
@WAYBACK_URL_OPTION
@click.option(
    "--witness",
    is_flag=True,
    help="Ask the Wayback Machine about missing quotes and changed or dead pages: does the "
    "archived copy nearest the citation's date still have them?",
)
def check(
    output_format: str, output: str | None, quiet: bool, witness: bool, **options: Any
) -> None:
    """Check every citation in PATH… (the default command)."""
    from linkcheck.report.formats import publish_check

    config = check_config(options, host_rules())
    settings = archive_settings(options)
    paths = tuple(options.get("paths", ()))
    documents = read_documents(options)
    if not documents:
        return
    run = check_with_progress(documents, config, quiet)
    run.paths = paths
    if witness and not config.offline and not run.offline and not run.interrupted:
        from linkcheck.pipeline import run_witness

        run_witness(run, config, settings, warn)
    publish_check(run, config, output_format, output, warn)
    if run.interrupted:
        warn(f"{interruption()}: the report holds what was checked so far")
        sys.exit(interruption_code())
    sys.exit(run.exit_code(config.fail_on, config.fail_after))


@click.command()
@input_options
@check_options
@archive_options
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    required=True,
    help="Write the archive manifest here (.json, .csv, .md, or .html: the check's report with "
    "each citation's archived copy).",
)
@click.option(
    "--robust-links",
    type=click.Path(dir_okay=False),
    help="Also write Robust Links HTML anchors (data-versionurl, data-versiondate) here.",
)
@quiet_option("No progress bars.")
def archive(manifest: str, robust_links: str | None, quiet: bool, **options: Any) -> None:
    """Check PATH…, snapshot every live source in the Wayback Machine, and write a manifest.

    Live pages get a snapshot (an existing one younger than --reuse-within, or a new capture);
    dead ones get their newest good snapshot as a suggested replacement.
    """
    from datetime import UTC, datetime

    from linkcheck.archive.keys import load_keys
    from linkcheck.pipeline import run_archive
    from linkcheck.report.manifest import AS_A_PAGE, write_manifest, write_robust_links
    from linkcheck.report.progress import ArchiveProgress
    from linkcheck.report.terminal import render_archive_summary

    config = check_config(options, host_rules())
    settings = archive_settings(options)
    if config.offline:
        raise UsageError("archive needs the network: --offline cannot be used with archive")
    paths = tuple(options.get("paths", ()))
    documents = read_documents(options)
    if not documents:
        return
    checked = check_with_progress(documents, config, quiet)
    if checked.interrupted:
        raise KeyboardInterrupt  # stopped while checking: nothing archived, nothing to write
    with ArchiveProgress(show_progress(quiet)) as progress:
        progress.planned(len(checked.results))
        archived = run_archive(
            checked,
            config,
            settings,
            keys=load_keys(),
            on_entry=progress.advance,
            notice=progress.interrupting(warn),
        )
    if Path(manifest).suffix.lower() in AS_A_PAGE:
        from linkcheck.report.html import RunInfo, write_html

        info = RunInfo("archive", paths, datetime.now(UTC), checked.elapsed, checked.citations)
        entries = {entry.url: entry for entry in archived.entries}
        write_html(Path(manifest), checked.results, info, config, entries)
    else:
        write_manifest(archived.entries, Path(manifest), datetime.now(UTC))
    if robust_links:
        write_robust_links(archived.entries, Path(robust_links))
    render_archive_summary(archived, manifest)
    if archived.interrupted:
        warn(f"{interruption()}: the manifest holds what was archived so far ({manifest})")
        sys.exit(interruption_code())
    if archived.unavailable is not None:
        sys.exit(ExitCode.OFFLINE)  # nothing could be archived: the archive's fault, not theirs
    if archived.not_archived() or archived.waiting():
        sys.exit(ExitCode.FAILING)  # a copy not verified yet is not a copy to rely on
    sys.exit(checked.exit_code(config.fail_on, config.fail_after))


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option(list(CHECK_FORMATS), "text", "Report format.")
@output_option("Write the report to FILE.")
@fail_options
def merge(reports: tuple[str, ...], output_format: str, output: str | None, **options: Any) -> None:
    """Merge the JSON reports of a sharded check (--shard I/N) into one report and exit code."""
    from linkcheck.report.formats import publish_check
    from linkcheck.report.merge import merge_reports

    config = check_config(options)
    run = merge_reports([Path(report) for report in reports])
    publish_check(run, config, output_format, output, warn)
    sys.exit(run.exit_code(config.fail_on, config.fail_after))
