"""The ``linkcheck`` command group: its own options, the settings file, the default command,
and unexpected errors made one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from linkcheck import __version__
from linkcheck.cli.settings import settings_defaults
from linkcheck.config import HostRule, find_config_file, load_config_file, parse_host_rules
from linkcheck.errors import InternalError, LinkcheckError, UsageError

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
    """The commands a settings file configures (not the cache commands: see ``settings.py``)."""
    return {name: command for name, command in cli.commands.items() if name != "cache"}


def host_rules() -> tuple[HostRule, ...]:
    """The settings file's ``[hosts]`` rules (none without a settings file)."""
    rules: tuple[HostRule, ...] = click.get_current_context().meta.get(HOSTS, ())
    return rules
