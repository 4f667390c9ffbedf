"""Shared test helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from linkcheck.extract import extract_document
from linkcheck.model import Citation, Format

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def extract(text: str, fmt: Format = Format.MARKDOWN, file: str = "doc.md") -> list[Citation]:
    """Citations of ``text`` as a document in the current directory."""
    return extract_document(text, file, fmt, Path(".")).citations


def located(citations: list[Citation]) -> list[tuple[str, int, int, str, str]]:
    """(url, line, column, role, text) for each citation: what most tests pin."""
    return [(c.url, c.line, c.column, c.role, c.text) for c in citations]


class FakeClock:
    """Records sleeps instead of sleeping, and advances its own time."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_linkcheck(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "linkcheck", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
