"""The network pre-commit hook: ``linkcheck check`` on the staged documents, with the cache kept
outside the repository, and the offline checks instead when the network is unreachable.

A commit on a plane must not be blocked by the plane: when the network cannot be reached, the
hook says so in one line and runs the checks that need none (URL syntax, local files and
anchors, fragment syntax), passing unless those fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from linkcheck.cli import run
from linkcheck.errors import ExitCode


def cache_file(repository: Path) -> Path:
    """This repository's cache in the user's cache folder (``~/.cache/linkcheck`` on Linux)."""
    from platformdirs import user_cache_path

    key = hashlib.sha256(str(repository.resolve()).encode()).hexdigest()[:16]
    return user_cache_path("linkcheck") / f"pre-commit-{key}.db"


def hook(arguments: Sequence[str]) -> int:
    """Check ``arguments`` (the hook's arguments and the staged files); the exit code."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        cache = cache_file(Path.cwd())
        code = run(
            ["check", "-q", f"--cache-file={cache}", *arguments, "--format=json", "-o", str(report)]
        )
        if code == ExitCode.OFFLINE:
            print(
                "linkcheck: the network is unreachable: ran the offline checks instead",
                file=sys.stderr,
            )
            return run(["check", "-q", "--offline", "--no-cache", *arguments])
        if report.exists():
            run(["merge", str(report), f"--fail-on={_fail_on(arguments)}"])
        return code


def _fail_on(arguments: Sequence[str]) -> str:
    """The hook's own --fail-on, for the report it prints (the exit code is the check's)."""
    for index, argument in enumerate(arguments):
        if argument.startswith("--fail-on="):
            return argument.split("=", 1)[1]
        if argument == "--fail-on" and index + 1 < len(arguments):
            return arguments[index + 1]
    from linkcheck.model import DEFAULT_FAIL_ON

    return ",".join(sorted(status.value for status in DEFAULT_FAIL_ON))


def main() -> None:
    """Entry point of ``linkcheck-pre-commit``."""
    code = hook(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)  # past the teardown, as the linkcheck command does (see cli.main)
