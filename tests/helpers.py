"""Shared test helpers."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "linkcheck" / "schemas"


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema

    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_of(payload: Any) -> str | None:
    """Which shipped schema a JSON output claims to follow: report, manifest, or None."""
    if not isinstance(payload, dict):
        return None
    if "results" in payload and "summary" in payload:
        return "report"
    if "entries" in payload and "generated_at" in payload:
        return "manifest"
    return None


def validate_output(payload: Any, origin: str) -> None:
    """Every JSON report and manifest the test suite sees must follow its shipped schema."""
    name = schema_of(payload)
    if name is None:
        return
    errors = sorted(_validator(name).iter_errors(payload), key=lambda e: list(e.absolute_path))
    assert not errors, f"{origin}: not a valid {name}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )


def validate_json_files(folder: Path) -> None:
    """Validate every report and manifest written under ``folder``."""
    for path in folder.rglob("*.json"):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        validate_output(payload, str(path))


def run_linkcheck(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess, as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if done.stdout.startswith("{"):
        try:
            payload = json.loads(done.stdout)
        except ValueError:
            payload = None
        validate_output(payload, f"linkcheck {' '.join(args)}")
    return done
