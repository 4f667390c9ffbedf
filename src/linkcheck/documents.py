"""From command-line inputs to documents and their citations, warning about unreadable files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkcheck.extract import open_document
from linkcheck.extract.source import UndecodableError
from linkcheck.inputs import discover
from linkcheck.model import Citation, Document, Format

if TYPE_CHECKING:
    from linkcheck.changes import Changes


@dataclass(slots=True)
class OpenDocument:
    """A document whose citations are extracted lazily, as they are consumed."""

    file: str
    format: Format
    citations: Iterator[Citation]


def stream_documents(
    paths: Sequence[str],
    exclude_paths: Sequence[str],
    overrides: Mapping[str, Format],
    warn: Callable[[str], None],
    changes: Changes | None = None,
) -> Iterator[OpenDocument]:
    """Each readable document the inputs name; unreadable ones are skipped with a warning.

    With ``changes``, only documents changed since its ref (and maybe only their new lines).
    """
    for source in discover(paths, exclude_paths):
        if changes is not None and (source.path is None or not changes.includes(source.path)):
            continue
        try:
            fmt, citations = open_document(source, overrides)
        except UndecodableError as exc:
            warn(f"{source.name}: skipped: {exc}")
            continue
        except OSError as exc:
            warn(f"{source.name}: skipped: {exc.strerror or exc}")
            continue
        if changes is not None and source.path is not None:
            citations = changes.filter(source.path, citations)
        yield OpenDocument(source.name, fmt, citations)


def load_documents(
    paths: Sequence[str],
    exclude_paths: Sequence[str],
    overrides: Mapping[str, Format],
    warn: Callable[[str], None],
    changes: Changes | None = None,
) -> list[Document]:
    """Every readable document with all its citations, in memory."""
    return [
        Document(d.file, d.format, list(d.citations))
        for d in stream_documents(paths, exclude_paths, overrides, warn, changes)
    ]
