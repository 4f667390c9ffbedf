"""Turning the command line's inputs (files, directories, globs, ``-``) into documents to read."""

from __future__ import annotations

import errno
import glob
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkcheck.errors import UsageError
from linkcheck.extract import walked_extensions

if TYPE_CHECKING:
    import pathspec

SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".tox"})
STDIN_NAME = "<stdin>"
_WALKED_EXTENSIONS = walked_extensions()


@dataclass(frozen=True, slots=True)
class Source:
    """One document to read: a file (``path``) or standard input (``path`` is None).

    ``name`` is how reports show it: always valid UTF-8, a file name's undecodable bytes written
    as ``\\xNN``; ``path`` keeps the name's bytes exactly. ``walked``: found in a folder, not
    named on the command line.
    """

    name: str
    path: Path | None
    walked: bool = False
    data: bytes | None = None  # a document fetched from the network (a sitemap)

    def read_bytes(self) -> bytes:
        """The document's bytes."""
        if self.data is not None:
            return self.data
        if self.path is None:
            if sys.stdin is None:  # started with standard input closed (``<&-``)
                raise OSError(errno.EBADF, "standard input is closed")
            return sys.stdin.buffer.read()
        return self.path.read_bytes()


def display_name(path: str) -> str:
    """``path`` as valid UTF-8 text: bytes that are not UTF-8 become ``\\xNN``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(
    inputs: Sequence[str],
    exclude: Sequence[str] = (),
    note: Callable[[str], None] | None = None,
) -> list[Source]:
    """Every document named by ``inputs``, each once, in a stable order.

    Raises UsageError for a path that does not exist or a glob that matches nothing. What a
    folder walk passes over (pipes, devices, symlink loops, unreadable folders) goes to ``note``.
    """
    note = note or (lambda message: None)
    excluded = _spec(exclude) if exclude else None
    sources: list[Source] = []
    seen: set[tuple[int, int]] = set()
    for item in inputs:
        for source in _expand(item, note):
            if source.path is not None:
                try:
                    status = source.path.stat()
                except OSError as exc:
                    note(f"{source.name}: skipped: {exc.strerror or exc}")
                    continue
                key = (status.st_dev, status.st_ino)
                if key in seen or (excluded is not None and excluded.match_file(source.name)):
                    continue
                seen.add(key)
            sources.append(source)
    return sources


def _expand(item: str, note: Callable[[str], None]) -> Iterator[Source]:
    if item == "-":
        yield Source(STDIN_NAME, None)
        return
    path = Path(item)
    if path.is_dir():
        yield from _walk(path, note)
    elif path.is_file():
        yield Source(display_name(item), path)
    elif glob.has_magic(item):
        matches = sorted(glob.glob(item, recursive=True))
        if not matches:
            raise UsageError(f"{display_name(item)}: no files match this pattern")
        for match in matches:
            if Path(match).is_dir():
                yield from _walk(Path(match), note)
            elif Path(match).is_file():
                yield Source(display_name(match), Path(match))
    elif path.exists():
        raise UsageError(f"{display_name(item)}: not a regular file or directory")
    else:
        raise UsageError(f"{display_name(item)}: no such file or directory")


def _walk(root: Path, note: Callable[[str], None]) -> Iterator[Source]:
    """The documents below ``root``, depth first in name order; no recursion, so no depth limit.

    Symbolic links are followed; a folder met twice (a symlink loop) is read once.
    """
    ignores = _GitIgnores(root)
    visited: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        directory = pending.pop()
        shown = display_name(str(directory))
        try:
            status = directory.stat()
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            note(f"{shown}: cannot read this folder: {exc.strerror or exc}")
            continue
        if (status.st_dev, status.st_ino) in visited:
            note(f"{shown}: skipped: a folder already read (a symbolic link loop?)")
            continue
        visited.add((status.st_dev, status.st_ino))
        ignores.load(directory)
        folders = []
        for entry in entries:
            path = Path(entry.path)  # "./doc.md" as "doc.md", as it is shown everywhere
            try:
                mode = entry.stat().st_mode  # follows symbolic links
            except OSError as exc:
                note(f"{display_name(entry.path)}: skipped: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode):
                if entry.name not in SKIPPED_DIRECTORIES and not ignores.ignored(path, True):
                    folders.append(path)
            elif path.suffix.lower() in _WALKED_EXTENSIONS and not ignores.ignored(path):
                if stat.S_ISREG(mode):
                    yield Source(display_name(str(path)), path, walked=True)
                else:
                    note(f"{display_name(str(path))}: skipped: not a regular file")
        pending.extend(reversed(folders))


class _GitIgnores:
    """The .gitignore files that apply inside a walk: the root's ancestors up to the repository
    top, and every directory the walk enters."""

    def __init__(self, root: Path) -> None:
        self._specs: list[tuple[Path, pathspec.PathSpec[Any]]] = []
        resolved = _real(root)
        top = next((p for p in (resolved, *resolved.parents) if (p / ".git").exists()), resolved)
        for ancestor in reversed(resolved.relative_to(top).parents):
            if top / ancestor != resolved:
                self._load_file(top / ancestor)

    def load(self, directory: Path) -> None:
        self._load_file(_real(directory))

    def _load_file(self, directory: Path) -> None:
        ignore_file = directory / ".gitignore"
        if ignore_file.is_file():
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self._specs.append((directory, _spec(lines)))

    def ignored(self, path: Path, is_dir: bool = False) -> bool:
        if not self._specs:
            return False
        resolved = _real(path)
        for directory, spec in self._specs:
            try:
                relative = resolved.relative_to(directory).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


def _real(path: Path) -> Path:
    """The path with symbolic links resolved; a loop leaves it as it is (never raises)."""
    return Path(os.path.realpath(path))


def _spec(lines: Sequence[str]) -> pathspec.PathSpec[Any]:
    """Gitignore-style patterns; pathspec is imported only when there are some."""
    import pathspec

    return pathspec.PathSpec.from_lines("gitignore", lines)
