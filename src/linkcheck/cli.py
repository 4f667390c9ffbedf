"""The command line: a thin layer that turns options into calls and results into reports."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linkcheck import __version__
from linkcheck.config import (
    DEFAULT_CANARY,
    DEFAULT_USER_AGENT,
    CheckConfig,
    find_config_file,
    load_config_file,
    parse_accept,
    parse_duration,
    parse_headers,
    parse_patterns,
    parse_remaps,
    parse_size,
    parse_statuses,
)
from linkcheck.errors import LinkcheckError, UsageError
from linkcheck.model import DEFAULT_FAIL_ON, Document, Format

if TYPE_CHECKING:
    from linkcheck.cache import ResultCache
    from linkcheck.changes import Changes
    from linkcheck.pipeline import CheckRun

EXIT_INTERNAL = 70


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a command, is a path for ``check``."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        index = 0
        # Skip the group's own options; the first other word is a command, or check's input.
        while index < len(args):
            word = args[index]
            if word in ("--help", "-h", "--version"):
                return super().parse_args(ctx, args)
            if word == "--debug" or word.startswith("--config="):
                index += 1
            elif word == "--config":
                index += 2
            else:
                break
        if index >= len(args) or args[index] not in self.commands:
            args.insert(min(index, len(args)), self.default_command)
        return super().parse_args(ctx, args)


def format_overrides(values: Sequence[str]) -> dict[str, Format]:
    """``--format-of txt=markdown`` values as an extension → format map."""
    overrides: dict[str, Format] = {}
    for value in values:
        extension, _, name = value.partition("=")
        extension = extension.strip().lower()
        if not extension or not name:
            raise UsageError(f"--format-of {value!r}: expected EXT=FORMAT, e.g. txt=markdown")
        try:
            fmt = Format(name.strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in Format)
            raise UsageError(f"--format-of {value!r}: unknown format (choose {choices})") from None
        overrides["." + extension.lstrip(".")] = fmt
    return overrides


def warn(message: str) -> None:
    """Print a one-line warning on standard error."""
    click.echo(f"linkcheck: {message}", err=True)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linkcheck")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.pass_context
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Settings file (default: linkcheck.toml, or [tool.linkcheck] in pyproject.toml, "
    "found from the current directory upwards).",
)
def cli(ctx: click.Context, debug: bool, config_file: str | None) -> None:
    """Check, verify and archive the URLs cited in documents.

    With no command, PATH… is checked: `linkcheck docs/` is `linkcheck check docs/`.
    """
    ctx.obj = {"debug": debug}
    path = Path(config_file) if config_file else find_config_file(Path.cwd())
    if config_file and not Path(config_file).is_file():
        raise UsageError(f"--config {config_file}: no such file")
    if path is not None:
        ctx.default_map = settings_defaults(load_config_file(path), path)


def settings_defaults(settings: dict[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """A settings file as click defaults for each command; an unknown key is a usage error."""
    commands = {name: command for name, command in cli.commands.items() if name != "cache"}
    known = {key for command in commands.values() for key, _ in _setting_keys(command)}
    for key in settings:
        if key not in known:
            raise UsageError(f"{path}: unknown setting {key!r}")
    defaults: dict[str, dict[str, Any]] = {}
    for name, command in commands.items():
        params = {p.name: p for p in command.params}
        defaults[name] = {
            param: settings[key]
            for key, param in _setting_keys(command)
            if key in settings and _fits(params[param], settings[key])
        }
    return defaults


def _fits(param: click.Parameter, value: Any) -> bool:
    """A choice a command does not offer (format = "sarif" for extract) is left to the others."""
    return not isinstance(param.type, click.Choice) or value in param.type.choices


def _setting_keys(command: click.Command) -> list[tuple[str, str]]:
    """(settings key, parameter name) for each option: the key is the long option's name."""
    keys = []
    for param in command.params:
        if isinstance(param, click.Option) and param.name:
            long_names = [o for o in param.opts if o.startswith("--")]
            key = long_names[0][2:].replace("-", "_") if long_names else param.name
            keys.append((key, param.name))
    return keys


_input_options = [
    click.argument("paths", nargs=-1, required=True),
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
        help="Read files with this extension as markdown, html or text (repeatable).",
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
]


def document_filter(options: dict[str, Any]) -> Changes | None:
    """The --changed-since/--new-only selection, or None; removes them from ``options``."""
    from linkcheck.changes import changes_since

    ref, new_only = options.pop("changed_since", None), options.pop("new_only", False)
    if new_only and not ref:
        raise UsageError("--new-only needs --changed-since REF")
    return changes_since(ref, new_only) if ref else None


def warn_no_documents(changes: Changes | None) -> None:
    """Say on standard error that the inputs named no document to read."""
    warn("no documents found" if changes is None else f"no documents changed since {changes.ref}")


def input_options(function: Any) -> Any:
    """The options every command that reads documents shares."""
    for option in reversed(_input_options):
        function = option(function)
    return function


@cli.command()
@input_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "text", "json", "csv"]),
    help="Output format (default: table on a terminal, text otherwise).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
def extract(
    paths: tuple[str, ...],
    exclude_paths: tuple[str, ...],
    format_of: tuple[str, ...],
    output_format: str | None,
    output: str | None,
    **selection: Any,
) -> None:
    """List every citation in PATH… without touching the network."""
    from linkcheck.documents import stream_documents
    from linkcheck.report.extraction import render_extraction

    changes = document_filter(selection)
    documents = stream_documents(paths, exclude_paths, format_overrides(format_of), warn, changes)
    if render_extraction(documents, output_format, output) == 0:
        warn_no_documents(changes)


_check_options = [
    click.option(
        "--concurrency",
        type=click.IntRange(1),
        default=64,
        show_default=True,
        help="Requests in flight at once.",
    ),
    click.option(
        "--per-host",
        type=click.IntRange(1),
        default=4,
        show_default=True,
        help="Requests in flight to one host.",
    ),
    click.option(
        "--host-interval",
        type=click.FloatRange(0),
        default=0.0,
        show_default=True,
        metavar="SECONDS",
        help="Minimum time between requests to one host.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(0, min_open=True),
        default=20.0,
        show_default=True,
        metavar="SECONDS",
        help="Deadline for a whole request: connect, redirects, body.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(0),
        default=3,
        show_default=True,
        help="Retries of connection errors, 429 and 502/503/504.",
    ),
    click.option(
        "--max-retry-wait",
        type=click.FloatRange(0),
        default=60.0,
        show_default=True,
        metavar="SECONDS",
        help="Longest Retry-After honoured.",
    ),
    click.option("--max-redirects", type=click.IntRange(0), default=10, show_default=True),
    click.option(
        "--max-bytes",
        default="10MB",
        show_default=True,
        metavar="SIZE",
        help="Most body read from one response, after decompression.",
    ),
    click.option(
        "--user-agent",
        default=None,
        metavar="TEXT",
        help="User-Agent header (default: linkcheck/<version> (+<project url>)).",
    ),
    click.option(
        "--header",
        multiple=True,
        metavar="'NAME: VALUE'",
        help="Extra request header (repeatable).",
    ),
    click.option("--insecure", is_flag=True, help="Do not verify TLS certificates."),
    click.option(
        "--include",
        multiple=True,
        metavar="REGEX",
        help="Check only URLs matching (repeatable; wins over --exclude).",
    ),
    click.option(
        "--exclude", multiple=True, metavar="REGEX", help="Do not check URLs matching (repeatable)."
    ),
    click.option(
        "--remap",
        multiple=True,
        metavar="'REGEX REPLACEMENT'",
        help="Rewrite URLs before fetching (repeatable).",
    ),
    click.option(
        "--accept",
        default="",
        metavar="CODES",
        help="HTTP statuses that count as ok, e.g. 200..299,403.",
    ),
    click.option(
        "--exclude-private",
        is_flag=True,
        help="Skip URLs on loopback, private and link-local addresses.",
    ),
    click.option(
        "--canary",
        default=DEFAULT_CANARY,
        show_default=True,
        metavar="URL",
        help="Host probed to tell a dead link from a dead network.",
    ),
    click.option(
        "--fail-on",
        default=",".join(sorted(s.value for s in DEFAULT_FAIL_ON)),
        show_default=True,
        metavar="STATUSES",
        help="Statuses that make the run fail (exit 1).",
    ),
    click.option(
        "--fail-after",
        type=click.IntRange(1),
        default=1,
        show_default=True,
        metavar="N",
        help="Fail only after N consecutive failing runs (needs the cache).",
    ),
    click.option(
        "--cache-file",
        type=click.Path(dir_okay=False),
        default=".linkcheck/cache.db",
        show_default=True,
        help="The cached results file.",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    click.option(
        "--max-age",
        default="1d",
        show_default=True,
        metavar="DURATION",
        help="Reuse cached results younger than this (e.g. 30m, 12h, 1d).",
    ),
    click.option(
        "--cache-failures", is_flag=True, help="Reuse cached failures too (default: re-check them)."
    ),
    click.option(
        "--offline",
        is_flag=True,
        help="No network at all: check URL syntax, local files and anchors, and fragment "
        "syntax; remote URLs are reported as skipped.",
    ),
]


def check_options(function: Any) -> Any:
    """The options that decide how URLs are checked (shared by check and archive)."""
    for option in reversed(_check_options):
        function = option(function)
    return function


def build_check_config(options: dict[str, Any]) -> CheckConfig:
    """Turn the command line's check options into a CheckConfig, validating every value."""
    return CheckConfig(
        concurrency=options["concurrency"],
        per_host=options["per_host"],
        host_interval=options["host_interval"],
        max_bytes=parse_size(options["max_bytes"], "--max-bytes"),
        max_redirects=options["max_redirects"],
        timeout=options["timeout"],
        retries=options["retries"],
        max_retry_wait=options["max_retry_wait"],
        user_agent=options["user_agent"] or DEFAULT_USER_AGENT,
        headers=parse_headers(options["header"]),
        insecure=options["insecure"],
        include=parse_patterns(options["include"], "--include"),
        exclude=parse_patterns(options["exclude"], "--exclude"),
        remap=parse_remaps(options["remap"]),
        accept=parse_accept(options["accept"]),
        exclude_private=options["exclude_private"],
        canary=options["canary"],
        fail_on=parse_statuses(options["fail_on"], "--fail-on"),
        fail_after=options["fail_after"],
        cache_file=None if options["no_cache"] else Path(options["cache_file"]),
        max_age=parse_duration(options["max_age"], "--max-age"),
        cache_failures=options["cache_failures"],
        offline=options["offline"],
    )


def check_with_progress(
    documents: list[Document], config: CheckConfig, show_progress: bool
) -> tuple[CheckRun, int]:
    """Check ``documents`` behind a progress bar (when shown); the run and the URLs counted."""
    from linkcheck.pipeline import count_urls, run_check
    from linkcheck.report.terminal import CheckProgress

    total = count_urls(documents, config) if show_progress else 0
    with CheckProgress(total, show_progress) as progress:
        return run_check(documents, config, on_result=progress.advance), total


@cli.command()
@input_options
@check_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown", "github", "junit", "sarif"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def check(
    paths: tuple[str, ...],
    exclude_paths: tuple[str, ...],
    format_of: tuple[str, ...],
    output_format: str,
    output: str | None,
    quiet: bool,
    **options: Any,
) -> None:
    """Check every citation in PATH… (the default command)."""
    from linkcheck.documents import load_documents
    from linkcheck.report.publish import publish_check

    changes = document_filter(options)
    config = build_check_config(options)
    documents = load_documents(paths, exclude_paths, format_overrides(format_of), warn, changes)
    if not documents:
        warn_no_documents(changes)
        return
    run, _ = check_with_progress(documents, config, show_progress=not quiet and sys.stderr.isatty())
    publish_check(run, config, output_format, output)
    sys.exit(run.exit_code(config))


@cli.command()
@input_options
@check_options
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
@click.option(
    "--wayback-url",
    envvar="LINKCHECK_WAYBACK_URL",
    default="https://web.archive.org",
    show_default=True,
    metavar="URL",
    help="The Wayback Machine to use; every endpoint derives from it (env LINKCHECK_WAYBACK_URL).",
)
@click.option(
    "--reuse-within",
    default="30d",
    show_default=True,
    metavar="DURATION",
    help="Reuse a snapshot younger than this instead of capturing again.",
)
@click.option(
    "--capture-rate",
    type=click.FloatRange(0, min_open=True),
    default=6.0,
    show_default=True,
    metavar="N",
    help="Captures submitted a minute, at most.",
)
@click.option(
    "--lookup-rate",
    type=click.FloatRange(0, min_open=True),
    default=50.0,
    show_default=True,
    metavar="N",
    help="Snapshot lookups (CDX) a minute, at most.",
)
@click.option(
    "--poll-interval",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="Time between two polls of a capture job.",
)
@click.option(
    "--capture-timeout",
    default="3m",
    show_default=True,
    metavar="DURATION",
    help="Give up waiting for one capture after this (the job is kept and resumed next run).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def archive(
    paths: tuple[str, ...],
    exclude_paths: tuple[str, ...],
    format_of: tuple[str, ...],
    manifest: str,
    robust_links: str | None,
    wayback_url: str,
    reuse_within: str,
    capture_rate: float,
    lookup_rate: float,
    poll_interval: str,
    capture_timeout: str,
    quiet: bool,
    **options: Any,
) -> None:
    """Check PATH…, snapshot every live source in the Wayback Machine, and write a manifest.

    Live pages get a snapshot (an existing one younger than --reuse-within, or a new capture);
    dead ones get their newest good snapshot as a suggested replacement.
    """
    from datetime import UTC, datetime

    from linkcheck.archive.keys import load_keys
    from linkcheck.archive.manifest import write_manifest, write_robust_links
    from linkcheck.archive.runner import ArchiveSettings
    from linkcheck.documents import load_documents
    from linkcheck.pipeline import run_archive
    from linkcheck.report.terminal import ArchiveProgress, render_archive_summary

    changes = document_filter(options)
    config = build_check_config(options)
    if config.offline:
        raise UsageError("archive needs the network: --offline cannot be used with archive")
    if not wayback_url.startswith(("http://", "https://")):
        raise UsageError(f"--wayback-url {wayback_url!r}: expected an http(s) URL")
    settings = ArchiveSettings(
        wayback_url=wayback_url.rstrip("/"),
        reuse_within=parse_duration(reuse_within, "--reuse-within"),
        capture_rate=capture_rate,
        lookup_rate=lookup_rate,
        poll_interval=parse_duration(poll_interval, "--poll-interval"),
        capture_timeout=parse_duration(capture_timeout, "--capture-timeout"),
        timeout=max(config.timeout, 30.0),
        retries=config.retries,
        max_retry_wait=config.max_retry_wait,
        user_agent=config.user_agent,
    )
    documents = load_documents(paths, exclude_paths, format_overrides(format_of), warn, changes)
    if not documents:
        warn_no_documents(changes)
        return
    show_progress = not quiet and sys.stderr.isatty()
    checked, total = check_with_progress(documents, config, show_progress)
    keys = load_keys()
    with ArchiveProgress(total, show_progress) as progress:
        archived = run_archive(
            checked, config, settings, keys, on_entry=progress.advance, notice=warn
        )
    try:
        write_manifest(archived.entries, Path(manifest), datetime.now(UTC))
        if robust_links:
            write_robust_links(archived.entries, Path(robust_links))
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    render_archive_summary(archived.entries, archived.captures_submitted, manifest)
    if archived.interrupted:
        warn(f"interrupted: the manifest holds what was archived so far ({manifest})")
        sys.exit(130)
    sys.exit(checked.exit_code(config))


@cli.group()
def cache() -> None:
    """Inspect or clear the cached results file."""


_cache_file_option = click.option(
    "--cache-file",
    type=click.Path(dir_okay=False),
    default=".linkcheck/cache.db",
    show_default=True,
)


def _existing_cache(cache_file: str) -> ResultCache | None:
    """The cache at ``cache_file``, or None (said on stdout) when there is none yet."""
    from linkcheck.cache import ResultCache

    path = Path(cache_file)
    if not path.exists():
        click.echo(f"{path}: no cache yet")
        return None
    return ResultCache(path)


@cache.command("info")
@_cache_file_option
def cache_info(cache_file: str) -> None:
    """How many results are cached, by status, and how old they are."""
    from linkcheck.report.results import iso_time

    store = _existing_cache(cache_file)
    if store is None:
        return
    with store:
        info = store.info()
    click.echo(f"{info.path}: {info.entries} results, {info.size_bytes / 1024:.0f} KiB")
    for status, count in sorted(info.by_status.items()):
        click.echo(f"  {status}: {count}")
    if info.oldest is not None:
        click.echo(f"  oldest: {iso_time(info.oldest)}, newest: {iso_time(info.newest)}")


@cache.command("clear")
@_cache_file_option
def cache_clear(cache_file: str) -> None:
    """Delete every cached result, recorded snapshot and pending capture job."""
    store = _existing_cache(cache_file)
    if store is None:
        return
    with store:
        removed = store.clear()
    click.echo(f"{store.path}: removed {removed} results")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line, turning user errors into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("linkcheck: interrupted", err=True)
        sys.exit(130)
    except LinkcheckError as exc:
        click.echo(f"linkcheck: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("linkcheck: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"linkcheck: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True
        )
        sys.exit(EXIT_INTERNAL)
