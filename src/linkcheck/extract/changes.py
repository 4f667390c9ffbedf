"""Pull-request mode: only files (with ``--new-only``, only lines) changed since a git ref."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from linkcheck.errors import UsageError
from linkcheck.model import Citation

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(slots=True)
class Changes:
    """What changed since ``ref`` in the repository around the current directory."""

    ref: str
    top: Path
    files: set[Path] = field(default_factory=set)
    untracked: set[Path] = field(default_factory=set)
    new_only: bool = False

    def includes(self, path: Path) -> bool:
        """Was this file changed (or added) since the ref?"""
        return path.resolve() in self.files

    def filter(self, path: Path, citations: Iterable[Citation]) -> Iterator[Citation]:
        """With ``--new-only``, only the citations on lines added since the ref."""
        if not self.new_only or path.resolve() in self.untracked:
            yield from citations
            return
        added = self._added_lines(path.resolve())
        yield from (c for c in citations if c.line in added)

    def _added_lines(self, path: Path) -> set[int]:
        diff = _git(["diff", "--no-color", "--unified=0", self.ref, "--", str(path)], self.top)
        lines: set[int] = set()
        for match in _HUNK.finditer(diff):
            start, count = int(match.group(1)), int(match.group(2) or "1")
            lines.update(range(start, start + count))
        return lines


def changes_since(ref: str, new_only: bool, cwd: Path | None = None) -> Changes:
    """The files changed since ``ref``: committed, staged, unstaged, and new untracked files."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd or Path.cwd()).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except UsageError:
        raise UsageError(f"--changed-since {ref}: not a commit in this repository") from None
    changed = _git(["diff", "--name-only", "-z", ref, "--"], top).split("\0")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    new = {(top / name).resolve() for name in untracked if name}
    files = {(top / name).resolve() for name in changed if name} | new
    return Changes(ref, top, files, new, new_only)


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, which is not installed") from None
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()[0] if completed.stderr.strip() else ""
        if "not a git repository" in message:
            raise UsageError("--changed-since needs a git repository (none here)")
        raise UsageError(f"git {args[0]} failed: {message or 'exit ' + str(completed.returncode)}")
    return completed.stdout
