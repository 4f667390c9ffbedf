"""Errors a user can cause, each with the exit code the command line reports for it."""

from __future__ import annotations


class LinkcheckError(Exception):
    """An error shown to the user as one line, ending the run with ``exit_code``."""

    exit_code = 2


class UsageError(LinkcheckError):
    """Bad arguments, a missing input path, or a bad configuration."""
