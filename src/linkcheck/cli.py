"""The command line: a thin layer that turns options into calls and results into reports."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from linkcheck import __version__
from linkcheck.errors import LinkcheckError, UsageError
from linkcheck.model import Format

EXIT_INTERNAL = 70


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a command, is a path for ``check``."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((i for i, a in enumerate(args) if not a.startswith("-") or a == "-"), None)
        if first is not None and args[first] not in self.commands:
            args.insert(first, self.default_command)
        elif first is None and not any(a in ("--help", "-h", "--version") for a in args):
            args.insert(0, self.default_command)
        return super().parse_args(ctx, args)


def format_overrides(values: Sequence[str]) -> dict[str, Format]:
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
def cli(ctx: click.Context, debug: bool) -> None:
    """Check, verify and archive the URLs cited in documents.

    With no command, PATH… is checked: `linkcheck docs/` is `linkcheck check docs/`.
    """
    ctx.obj = {"debug": debug}


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
]


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
) -> None:
    """List every citation in PATH… without touching the network."""
    from linkcheck.documents import stream_documents
    from linkcheck.report.extraction import render_extraction

    documents = stream_documents(paths, exclude_paths, format_overrides(format_of), warn)
    if render_extraction(documents, output_format, output) == 0:
        warn("no documents found")


@cli.command()
@input_options
def check(
    paths: tuple[str, ...], exclude_paths: tuple[str, ...], format_of: tuple[str, ...]
) -> None:
    """Check every citation in PATH… (the default command)."""
    raise UsageError("check is not available yet")


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
