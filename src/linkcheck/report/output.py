"""Where a report goes: a named file or standard output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from linkcheck.errors import OutputError


@contextmanager
def open_output(output: str | None) -> Iterator[IO[str]]:
    """The named file (written as UTF-8), or standard output for None or ``-``."""
    if output is None or output == "-":
        yield sys.stdout
        return
    try:
        stream = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    with stream:
        yield stream
