"""The command line: click commands that turn options into pipeline calls, results into reports."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence

import click

from linkcheck.cli.cache_commands import cache
from linkcheck.cli.commands import archive, check, extract, merge
from linkcheck.cli.fix_command import fix
from linkcheck.cli.group import cli, warn
from linkcheck.cli.signals import interruption, interruption_code, on_sigterm
from linkcheck.errors import ExitCode, InternalError, LinkcheckError

__all__ = ["cli", "main", "run", "warn"]

for command in (check, extract, archive, fix, merge, cache):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command line, turning user errors into one line and an exit code."""
    if argv is None:
        signal.signal(signal.SIGTERM, on_sigterm)
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
