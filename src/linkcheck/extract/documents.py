"""From command-line inputs to documents and their citations, one document's trouble its own.

A document that cannot be read (or whose extraction fails) is reported as a problem of that
document, never the run's; a binary file met while walking a folder is only a note.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from linkcheck.extract import (
    FALLBACK_ENCODING,
    UndecodableError,
    UnreadableDocument,
    decode_document,
    detect_format,
    document_format,
    iter_citations,
    iter_text_stream,
    named_format,
)
from linkcheck.extract.inputs import Source, discover
from linkcheck.model import Citation, Document, Format, OpenDocument, Site

if TYPE_CHECKING:
    from linkcheck.extract.changes import Changes


# Plain-text documents larger than this are read in pieces, so memory stays bounded.
STREAM_BYTES = 16 * 1024 * 1024
PIECE_BYTES = 1024 * 1024
_SNIFF_BYTES = 64 * 1024


def open_document(
    source: Source,
    overrides: Mapping[str, Format] | None,
    note: Callable[[str], None],
    site: Site | None = None,
) -> tuple[Format, Iterator[Citation]]:
    """Read and decode one document; its format and a lazy stream of its citations.

    Raises UndecodableError (binary) or OSError (unreadable) for the caller to report. What was
    guessed or passed over (an encoding, front matter) goes to ``note``, naming the file.
    """
    if source.path is not None and source.path.stat().st_size > STREAM_BYTES:
        streamed = _open_streamed(source, source.path, overrides, note)
        if streamed is not None:
            return streamed
    named = named_format(source.name, overrides)
    decode = document_format(named).decode if named is not None else decode_document
    text, guessed = decode(source.read_bytes())
    if guessed is not None:
        note(f"{source.name}: {guessed}")
    fmt = named if named is not None else detect_format(source.name, text, overrides)
    document_dir = source.path.parent if source.path is not None else None
    notes: list[str] = []

    def citations() -> Iterator[Citation]:
        yield from iter_citations(text, source.name, fmt, document_dir, notes, site)
        for message in notes:
            note(f"{source.name}: {message}")

    return fmt, citations()


def _open_streamed(
    source: Source, path: Path, overrides: Mapping[str, Format] | None, note: Callable[[str], None]
) -> tuple[Format, Iterator[Citation]] | None:
    """A large plain-text document as a stream of citations read piece by piece; None for any
    other document (read whole instead)."""
    with path.open("rb") as stream:
        head = stream.read(_SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:8192]:
        return None
    fmt = detect_format(source.name, head.decode("utf-8", "replace"), overrides)
    if fmt is not Format.TEXT:
        return None
    notes: list[str] = []

    def citations() -> Iterator[Citation]:
        pieces = _decoded_pieces(path, source.name, note)
        yield from iter_text_stream(pieces, source.name, path.parent, notes)
        for message in notes:
            note(f"{source.name}: {message}")

    return fmt, citations()


def _decoded_pieces(path: Path, name: str, note: Callable[[str], None]) -> Iterator[str]:
    """The file's text, a piece at a time: UTF-8, or Windows-1252 from the first byte that is
    not UTF-8 on (said in a note)."""
    decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    with path.open("rb") as stream:
        while True:
            data = stream.read(PIECE_BYTES)
            last = not data
            try:
                yield decoder.decode(data, final=last)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                yield data[: exc.start].decode("utf-8", "replace") if exc.start else ""
                note(f"{name}: not UTF-8 from byte {bad} on: read as Windows-1252")
                yield data[exc.start :].decode(FALLBACK_ENCODING, "replace")
                decoder = codecs.getincrementaldecoder(FALLBACK_ENCODING)("replace")
            if last:
                return
            offset += len(data)


def stream_documents(
    paths: Sequence[str],
    exclude_paths: Sequence[str],
    overrides: Mapping[str, Format],
    warn: Callable[[str], None],
    changes: Changes | None = None,
    site: Site | None = None,
    extra: Sequence[Source] = (),
) -> Iterator[OpenDocument]:
    """Each document the inputs name, its citations extracted as they are consumed.

    A document that cannot be read comes with its ``problem`` and no citations (so does one
    whose extraction fails part-way, after the citations found before); a binary file found
    in a folder is skipped with a warning. With ``changes``, only documents changed since its
    ref (and maybe only their new lines). ``site``: how relative links resolve (a built
    site); ``extra``: documents from elsewhere (a sitemap fetched from the network).
    """
    sources = [*extra, *discover(paths, exclude_paths, warn)] if paths else list(extra)
    for source in sources:
        if changes is not None and (source.path is None or not changes.includes(source.path)):
            continue
        if source.path is not None and named_format(source.name, overrides) is None:
            from linkcheck.extract.wikidump import export_documents, is_export

            if is_export(source.path):
                for page in export_documents(source.path, source.name):
                    page.citations = _guarded(page.citations, page)
                    yield page
                continue
        try:
            fmt, citations = open_document(source, overrides, warn, site)
        except UndecodableError as exc:
            if source.walked and exc.binary:
                warn(f"{source.name}: skipped: {exc}")
                continue
            yield _unreadable(source, str(exc))
            continue
        except OSError as exc:
            yield _unreadable(source, f"cannot read: {exc.strerror or exc}")
            continue
        if changes is not None and source.path is not None:
            citations = changes.filter(source.path, citations)
        document = OpenDocument(source.name, fmt, iter(()))
        document.citations = _guarded(citations, document)
        yield document


def _unreadable(source: Source, reason: str) -> OpenDocument:
    return OpenDocument(source.name, None, iter(()), problem=reason)


def _guarded(citations: Iterator[Citation], document: OpenDocument) -> Iterator[Citation]:
    """The citations, until extraction fails: the failure becomes the document's problem."""
    try:
        yield from citations
    except UnreadableDocument as exc:  # its reader says why, in a user's words
        document.problem = str(exc)
    except Exception as exc:  # whatever a parser meets: this document's problem, not the run's
        document.problem = f"extraction failed part-way ({type(exc).__name__}: {exc})"


def load_documents(
    paths: Sequence[str],
    exclude_paths: Sequence[str],
    overrides: Mapping[str, Format],
    warn: Callable[[str], None],
    changes: Changes | None = None,
    site: Site | None = None,
    extra: Sequence[Source] = (),
) -> list[Document]:
    """Every document with all its citations, in memory (a problem, if any, after them)."""
    documents = []
    for opened in stream_documents(paths, exclude_paths, overrides, warn, changes, site, extra):
        citations = list(opened.citations)
        documents.append(Document(opened.file, opened.format, citations, opened.problem))
    return documents


def warning_of_problems(
    documents: Iterator[OpenDocument], warn: Callable[[str], None]
) -> Iterator[OpenDocument]:
    """The documents; each one's problem, if any, is warned about once it has been read."""
    for document in documents:
        yield document
        if document.problem is not None:
            warn(f"{document.file}: {document.problem}")
