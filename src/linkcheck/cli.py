"""The command line: click commands that turn options into pipeline calls, results into reports."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linkcheck import __version__
from linkcheck.config import (
    HostRule,
    find_config_file,
    load_config_file,
    parse_format_overrides,
    parse_host_rules,
    settings_table_name,
)
from linkcheck.errors import ExitCode, InternalError, LinkcheckError, UsageError
from linkcheck.options import (
    archive_options,
    archive_settings,
    cache_file_option,
    check_config,
    check_options,
    checked_setting,
    fail_options,
    format_option,
    input_options,
    output_option,
    quiet_option,
)
from linkcheck.report.extraction import EXTRACT_FORMATS
from linkcheck.report.formats import CHECK_FORMATS

if TYPE_CHECKING:
    from linkcheck.cache import Cache
    from linkcheck.changes import Changes
    from linkcheck.config import CheckConfig
    from linkcheck.model import CheckRun, Document, OpenDocument

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
        ctx.default_map = settings_defaults(settings, path)


def _relative(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it: shorter messages."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def host_rules() -> tuple[HostRule, ...]:
    """The settings file's ``[hosts]`` rules (none without a settings file)."""
    rules: tuple[HostRule, ...] = click.get_current_context().meta.get(HOSTS, ())
    return rules


# Settings that belong to one command: at the top level they apply to check alone.
PER_COMMAND = frozenset({"output", "format", "quiet"})


def settings_defaults(settings: dict[str, Any], path: Path) -> dict[str, Any]:
    """A settings file as click defaults for each command, every value checked first.

    The top level holds what every command shares; ``[tool.linkcheck.COMMAND]`` what one
    command alone takes (``output``, ``format``…). An unknown key, a key a command does not
    take in its own table, or a bad value is a usage error naming the file, table and key.
    """
    commands = {name: command for name, command in cli.commands.items() if name != "cache"}
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


def document_filter(options: dict[str, Any]) -> Changes | None:
    """The --changed-since/--new-only selection, or None; removes them from ``options``."""
    ref, new_only = options.pop("changed_since", None), options.pop("new_only", False)
    if new_only and not ref:
        raise UsageError("--new-only needs --changed-since REF")
    if not ref:
        return None
    from linkcheck.changes import changes_since

    return changes_since(ref, new_only)


def read_documents(options: dict[str, Any]) -> list[Document]:
    """The documents the input options name, with their citations; warns when there are none."""
    from linkcheck.documents import load_documents

    changes = document_filter(options)
    overrides = parse_format_overrides(options.pop("format_of"))
    paths, exclude_paths = options.pop("paths"), options.pop("exclude_paths")
    documents = load_documents(paths, exclude_paths, overrides, warn, changes)
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
    """List every citation in PATH… without touching the network."""
    from linkcheck.documents import stream_documents
    from linkcheck.report.extraction import render_extraction

    changes = document_filter(options)
    overrides = parse_format_overrides(options["format_of"])
    documents = stream_documents(
        options["paths"], options["exclude_paths"], overrides, warn, changes
    )
    if render_extraction(_warning_of_problems(documents), output_format, output) == 0:
        warn_no_documents(changes)


def _warning_of_problems(documents: Iterator[OpenDocument]) -> Iterator[OpenDocument]:
    """The documents; each one's problem, if any, is warned about once it has been read."""
    for document in documents:
        yield document
        if document.problem is not None:
            warn(f"{document.file}: {document.problem}")


@cli.command()
@input_options
@check_options
@format_option(list(CHECK_FORMATS), "text", "Report format.")
@output_option("Write the report to FILE.")
@quiet_option("No progress bar.")
def check(output_format: str, output: str | None, quiet: bool, **options: Any) -> None:
    """Check every citation in PATH… (the default command)."""
    from linkcheck.report.formats import publish_check

    config = check_config(options, host_rules())
    documents = read_documents(options)
    if not documents:
        return
    run = check_with_progress(documents, config, quiet)
    publish_check(run, config, output_format, output, warn)
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
        warn(f"interrupted: the manifest holds what was archived so far ({manifest})")
        sys.exit(ExitCode.INTERRUPTED)
    if archived.unavailable is not None:
        sys.exit(ExitCode.OFFLINE)  # nothing could be archived: the archive's fault, not theirs
    if archived.not_archived():
        sys.exit(ExitCode.FAILING)
    sys.exit(checked.exit_code(config.fail_on, config.fail_after))


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


@cli.group()
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
    from linkcheck.report.results import iso_time

    store = _existing_cache(cache_file)
    if store is None:
        return
    with store:
        info = store.info()
    entries = f"{info.entries} result{'s' if info.entries != 1 else ''}"
    click.echo(f"{info.path}: {entries}, {info.size_bytes / 1024:.0f} KiB")
    for status, count in sorted(info.by_status.items()):
        click.echo(f"  {status}: {count}")
    if info.oldest is not None and info.newest is not None:
        oldest, newest = _age(info.oldest), _age(info.newest)
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


def _age(timestamp: float) -> str:
    """``3d 4h``, ``25m``, ``40s``: how long ago ``timestamp`` was."""
    import time

    seconds = max(0, int(time.time() - timestamp))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "0s"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line, turning user errors into one line and an exit code."""
    code = run(argv)
    if argv is None and "pyreqwest" in sys.modules:
        # pyreqwest's runtime threads can call into Python while the interpreter tears itself
        # down, which aborts the process (seen in about one run in six). Everything is written
        # by now: flush, and leave without the teardown.
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
        click.echo("linkcheck: interrupted", err=True)
        return ExitCode.INTERRUPTED
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
