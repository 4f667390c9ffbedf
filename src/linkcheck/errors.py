"""Every error a user can meet, and every exit code the command line reports."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The command line's exit codes (documented in the README)."""

    OK = 0
    FAILING = 1  # some citation fails the run (--fail-on)
    USAGE = 2  # bad arguments, settings, input paths, or an unusable cache or output file
    OFFLINE = 3  # the network was unreachable: nothing could be judged dead
    INTERNAL = 70  # a bug: rerun with --debug for the traceback
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM (a CI job cancelled)


class LinkcheckError(Exception):
    """An error shown to the user as one line, ending the run with ``exit_code``."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(LinkcheckError):
    """Bad arguments, a missing input path, or a bad configuration."""


class CacheError(LinkcheckError):
    """The cache file cannot be opened or is not a linkcheck cache."""


class OutputError(LinkcheckError):
    """A report, manifest or other output file cannot be written."""


class InternalError(LinkcheckError):
    """An unexpected exception: a bug, reported in one line unless --debug asks for more."""

    exit_code = ExitCode.INTERNAL
