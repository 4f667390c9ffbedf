"""Turning the command line's inputs (files, directories, globs, ``-``) into documents to read."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkcheck.errors import UsageError
from linkcheck.extract.sniff import EXTENSION_FORMATS, TEXT_EXTENSIONS

if TYPE_CHECKING:
    import pathspec

SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".tox"})
STDIN_NAME = "<stdin>"
_WALKED_EXTENSIONS = (frozenset(EXTENSION_FORMATS) | TEXT_EXTENSIONS) - {""}


@dataclass(frozen=True, slots=True)
class Source:
    """One document to read: a file (``path``) or standard input (``path`` is None)."""

    name: str
    path: Path | None

    def read_bytes(self) -> bytes:
        """The document's bytes."""
        if self.path is None:
            return sys.stdin.buffer.read()
        return self.path.read_bytes()


def discover(inputs: Sequence[str], exclude: Sequence[str] = ()) -> list[Source]:
    """Every document named by ``inputs``, each once, in a stable order.

    Raises UsageError for a path that does not exist or a glob that matches nothing.
    """
    excluded = _spec(exclude) if exclude else None
    sources: list[Source] = []
    seen: set[Path] = set()
    for item in inputs:
        for source in _expand(item):
            if source.path is not None:
                key = source.path.resolve()
                if key in seen or (excluded is not None and excluded.match_file(source.name)):
                    continue
                seen.add(key)
            sources.append(source)
    return sources


def _expand(item: str) -> Iterator[Source]:
    if item == "-":
        yield Source(STDIN_NAME, None)
        return
    path = Path(item)
    if path.is_dir():
        yield from _walk(path)
    elif path.is_file():
        yield Source(item, path)
    elif glob.has_magic(item):
        matches = sorted(glob.glob(item, recursive=True))
        if not matches:
            raise UsageError(f"{item}: no files match this pattern")
        for match in matches:
            yield from _expand(match) if Path(match).is_dir() else [Source(match, Path(match))]
    elif path.exists():
        raise UsageError(f"{item}: not a regular file or directory")
    else:
        raise UsageError(f"{item}: no such file or directory")


def _walk(root: Path) -> Iterator[Source]:
    ignores = _GitIgnores(root)
    for directory, subdirectories, files in os.walk(root):
        here = Path(directory)
        ignores.load(here)
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and not ignores.ignored(here / name, is_dir=True)
        )
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() in _WALKED_EXTENSIONS and not ignores.ignored(path):
                yield Source(str(path), path)


class _GitIgnores:
    """The .gitignore files that apply inside a walk: the root's ancestors up to the repository
    top, and every directory the walk enters."""

    def __init__(self, root: Path) -> None:
        self._specs: list[tuple[Path, pathspec.PathSpec[Any]]] = []
        resolved = root.resolve()
        top = next((p for p in (resolved, *resolved.parents) if (p / ".git").exists()), resolved)
        for ancestor in reversed(resolved.relative_to(top).parents):
            if top / ancestor != resolved:
                self._load_file(top / ancestor)

    def load(self, directory: Path) -> None:
        self._load_file(directory.resolve())

    def _load_file(self, directory: Path) -> None:
        ignore_file = directory / ".gitignore"
        if ignore_file.is_file():
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self._specs.append((directory, _spec(lines)))

    def ignored(self, path: Path, is_dir: bool = False) -> bool:
        resolved = path.resolve()
        for directory, spec in self._specs:
            try:
                relative = resolved.relative_to(directory).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


def _spec(lines: Sequence[str]) -> pathspec.PathSpec[Any]:
    """Gitignore-style patterns; pathspec is imported only when there are some."""
    import pathspec

    return pathspec.PathSpec.from_lines("gitignore", lines)
