"""The command line: click commands that turn options into pipeline calls, results into reports."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from linkcheck import __version__
from linkcheck.cache_commands import cache
from linkcheck.config import (
    HostRule,
    find_config_file,
    load_config_file,
    parse_format_overrides,
    parse_host_rules,
)
from linkcheck.errors import ExitCode, InternalError, LinkcheckError, UsageError
from linkcheck.model import Site
from linkcheck.options import (
    WAYBACK_URL_OPTION,
    archive_options,
    archive_settings,
    check_config,
    check_options,
    fail_options,
    format_option,
    input_options,
    output_option,
    quiet_option,
)
from linkcheck.report.extraction import EXTRACT_FORMATS
from linkcheck.report.formats import CHECK_FORMATS
from linkcheck.settings import settings_defaults

if TYPE_CHECKING:
    from linkcheck.changes import Changes
    from linkcheck.config import CheckConfig
    from linkcheck.inputs import Source
    from linkcheck.model import CheckRun, Document

HOSTS = "linkcheck.hosts"  # where the settings file's [hosts] rules wait for the command
# Errors that already say what went wrong to the user; anything else is a bug.
_EXPECTED = (
    click.ClickException,
    click.exceptions.Exit,
    click.exceptions.Abort,
    LinkcheckError,
    KeyboardInterrupt,
    BrokenPipeError,
)


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a command, is a path for ``check``.

    Unexpected exceptions from a command become one-line internal errors unless ``--debug``.
    """

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing:  # shell completion: offer the commands, choose none
            return super().parse_args(ctx, args)
        takes_value = {
            name: not (isinstance(p, click.Option) and p.is_flag)
            for p in self.params
            for name in p.opts
        }
        index = 0
        # Skip the group's own options; the first other word is a command, or check's input.
        while index < len(args):
            word = args[index]
            name = word.split("=", 1)[0]
            if word in ("--help", "-h", "--version"):
                return super().parse_args(ctx, args)
            if name not in takes_value:
                break
            index += 2 if takes_value[name] and "=" not in word else 1
        if index >= len(args) or args[index] not in self.commands:
            args.insert(min(index, len(args)), self.default_command)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _EXPECTED:
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
                raise InternalError(f"{type(exc).__name__}: {exc}") from exc
            raise InternalError(f"{type(exc).__name__}: {exc} (rerun with --debug)") from exc


def warn(message: str) -> None:
    """Print a one-line warning on standard error."""
    click.echo(f"linkcheck: {message}", err=True)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linkcheck")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Settings file (default: linkcheck.toml, or [tool.linkcheck] in pyproject.toml, "
    "found from the current directory upwards).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, config_file: str | None) -> None:
    """Check, verify and archive the URLs cited in documents.

    With no command, PATH… is checked: `linkcheck docs/` is `linkcheck check docs/`.
    """
    if config_file and not Path(config_file).is_file():
        raise UsageError(f"--config {config_file}: no such file")
    path = Path(config_file) if config_file else find_config_file(Path.cwd())
    if path is not None:
        path = _relative(path)
        settings = load_config_file(path)
        if "hosts" in settings:
            ctx.meta[HOSTS] = parse_host_rules(settings.pop("hosts"), str(path), warn=warn)
        ctx.default_map = settings_defaults(settings, path, _commands(), warn)


def _relative(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it: shorter messages."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _commands() -> dict[str, click.Command]:
    """The commands a settings file configures (not the cache commands: see settings.py)."""
    return {name: command for name, command in cli.commands.items() if name != "cache"}


def host_rules() -> tuple[HostRule, ...]:
    """The settings file's ``[hosts]`` rules (none without a settings file)."""
    rules: tuple[HostRule, ...] = click.get_current_context().meta.get(HOSTS, ())
    return rules


def document_filter(options: dict[str, Any]) -> Changes | None:
    """The --changed-since/--new-only selection, or None; removes them from ``options``."""
    ref, new_only = options.pop("changed_since", None), options.pop("new_only", False)
    if new_only and not ref:
        raise UsageError("--new-only needs --changed-since REF")
    if not ref:
        return None
    from linkcheck.changes import changes_since

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
        from linkcheck.sitemaps import sitemap_inputs

        agent = options.get("user_agent") or DEFAULT_USER_AGENT
        listed, fetched = sitemap_inputs(sitemaps, site, agent)
        paths += [path for path in listed if path not in paths]
    if not paths and not fetched:
        raise click.UsageError("Missing argument 'PATHS...' (or --sitemap).")
    return site, paths, fetched


def read_documents(options: dict[str, Any]) -> list[Document]:
    """The documents the input options name, with their citations; warns when there are none."""
    from linkcheck.documents import load_documents

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


@cli.command()
@input_options
@format_option(
    list(EXTRACT_FORMATS), None, "Output format (default: table on a terminal, text otherwise)."
)
@output_option("Write to FILE.")
def extract(output_format: str | None, output: str | None, **options: Any) -> None:
    """List every citation in PATH… without touching the network (but a --sitemap URL)."""
    from linkcheck.documents import stream_documents, warning_of_problems
    from linkcheck.report.extraction import render_extraction

    changes = document_filter(options)
    overrides = parse_format_overrides(options["format_of"])
    site, paths, fetched = site_inputs(options)
    documents = stream_documents(
        paths, options["exclude_paths"], overrides, warn, changes, site, fetched
    )
    if render_extraction(warning_of_problems(documents, warn), output_format, output) == 0:
        warn_no_documents(changes)


@cli.command()
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
    documents = read_documents(options)
    if not documents:
        return
    run = check_with_progress(documents, config, quiet)
    if witness and not config.offline and not run.offline and not run.interrupted:
        from linkcheck.pipeline import run_witness

        run_witness(run, config, settings, warn)
    publish_check(run, config, output_format, output, warn)
    if run.interrupted:
        warn(f"{interruption()}: the report holds what was checked so far")
        sys.exit(interruption_code())
    sys.exit(run.exit_code(config.fail_on, config.fail_after))


@cli.command()
@input_options
@check_options
@archive_options
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    required=True,
    help="Write the archive manifest here (.json, .csv or .md).",
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
    from linkcheck.report.manifest import write_manifest, write_robust_links
    from linkcheck.report.progress import ArchiveProgress
    from linkcheck.report.terminal import render_archive_summary

    config = check_config(options, host_rules())
    settings = archive_settings(options)
    if config.offline:
        raise UsageError("archive needs the network: --offline cannot be used with archive")
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


@cli.command()
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
@quiet_option("No progress bar.")
def fix(
    write: bool,
    diff: bool,
    dry_run: bool,
    cross_host: bool,
    robust: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Apply the fixes the check knows to PATH…: permanent redirects to their final URL, dead
    citations to their verified archived copy (from the last `linkcheck archive`)."""
    from linkcheck.cache import Cache
    from linkcheck.fixes import apply_fixes, plan_fixes, unified_diff
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
        )
    finally:
        if store is not None:
            store.close()
    formats = {document.file: document.format for document in documents}
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


@cli.command()
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


cli.add_command(cache)


_terminated = False  # set when SIGTERM stopped the run


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (a cancelled CI job) stops the run as Ctrl-C does: the SIGINT handler in force
    (asyncio's, which cancels the work) is called, what finished is written, and the exit code
    says which signal it was. A process started with SIGINT ignored (a background job of a
    script) is still stopped."""
    global _terminated
    _terminated = True
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


def interruption() -> str:
    """How the run was stopped, in a word: "terminated" (SIGTERM) or "interrupted" (Ctrl-C)."""
    return "terminated" if _terminated else "interrupted"


def interruption_code() -> ExitCode:
    """143 for SIGTERM, 130 for Ctrl-C."""
    return ExitCode.TERMINATED if _terminated else ExitCode.INTERRUPTED


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line, turning user errors into one line and an exit code."""
    if argv is None:
        signal.signal(signal.SIGTERM, _on_sigterm)
    code = run(argv)
    if argv is None:
        # Everything is written by now: flush, and leave without the interpreter's teardown.
        # It would wait for every worker thread (a lookup still waiting on a silent archive
        # kept a Ctrl-C'd run alive), and pyreqwest's runtime threads can call into Python
        # while it runs, which aborts the process (seen in about one run in six).
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code. Errors are told on standard error, in one line."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="linkcheck",  # also when run as python -m linkcheck
            standalone_mode=False,
        )
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        # One line for the mistake and one for where to look: not click's usage block.
        click.echo(f"linkcheck: error: {exc.format_message()}", err=True)
        if exc.ctx is not None:
            click.echo(f"Try '{exc.ctx.command_path} --help'.", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"linkcheck: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(f"linkcheck: {interruption()}", err=True)
        return interruption_code()
    except InternalError as exc:
        click.echo(f"linkcheck: internal error: {exc}", err=True)
        return exc.exit_code
    except LinkcheckError as exc:
        click.echo(f"linkcheck: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:  # outside any command (commands wrap their own: see invoke)
        click.echo(f"linkcheck: internal error: {type(exc).__name__}: {exc}", err=True)
        return ExitCode.INTERNAL
    return ExitCode.OK
