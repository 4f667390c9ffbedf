"""Where a report goes: a named file or standard output, every write guarded.

A file is written whole or not at all: to a temporary file beside it, renamed into place once
complete, so a failed write never leaves a half report under the final name. A failed write
is one OutputError naming the target.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from linkcheck.errors import OutputError


def _shown(path: Path | str) -> str:
    """A path as valid UTF-8 for a message (undecodable bytes as ``\\xNN``)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@contextmanager
def open_output(output: str | None) -> Iterator[IO[str]]:
    """The named file (written as UTF-8), or standard output for None or ``-``."""
    if output is None or output == "-":
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader stopped reading (| head): not an error of ours
        except OSError as exc:
            _abandon_stdout()
            raise OutputError(f"cannot write standard output: {exc.strerror or exc}") from None
        return
    with write_text_file(Path(output)) as stream:
        yield stream


@contextmanager
def write_text_file(path: Path, make_parents: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 stream whose text replaces ``path`` once it is complete.

    A device or named pipe (``/dev/stdout``, ``/dev/full``) is written directly. With
    ``make_parents``, missing parent folders are created.
    """
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    except OSError as exc:
        raise OutputError(f"cannot write {_shown(path)}: {exc.strerror or exc}") from None
    target = path if special else path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        if make_parents and not special:
            path.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as stream:
            yield stream
        if not special:
            os.replace(target, path)
    except OSError as exc:
        if not special:
            with contextlib.suppress(OSError):
                target.unlink()
        raise OutputError(f"cannot write {_shown(path)}: {exc.strerror or exc}") from None
    except BaseException:
        if not special:
            with contextlib.suppress(OSError):
                target.unlink()
        raise


def _abandon_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered for it cannot be written, and
    Python would otherwise complain about it again at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def replace_bytes(path: Path, data: bytes) -> None:
    """Replace a file's bytes whole or not at all, keeping its permissions (OutputError)."""
    target = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        target.write_bytes(data)
        os.chmod(target, mode)
        os.replace(target, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise OutputError(f"cannot write {_shown(path)}: {exc.strerror or exc}") from None
