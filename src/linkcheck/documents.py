"""From command-line inputs to documents and their citations, warning about unreadable files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from linkcheck.extract import UndecodableError, decode_document, detect_format, iter_citations
from linkcheck.inputs import Source, discover
from linkcheck.model import Citation, Document, Format, OpenDocument

if TYPE_CHECKING:
    from linkcheck.changes import Changes


def open_document(
    source: Source, overrides: Mapping[str, Format] | None = None
) -> tuple[Format, Iterator[Citation]]:
    """Read and decode one document; its format and a lazy stream of its citations.

    Raises UndecodableError (binary, unknown encoding) or OSError (unreadable) for the caller
    to report as a warning naming the file.
    """
    text = decode_document(source.read_bytes())
    fmt = detect_format(source.name, text, overrides)
    document_dir = source.path.parent if source.path is not None else None
    return fmt, iter_citations(text, source.name, fmt, document_dir)


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
