"""Extraction: a document's text in, its citations out (pure: no I/O), through the format
registry; ``inputs``, ``documents``, ``changes`` and ``sitemap_inputs`` read the documents the
command line names."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urljoin

from linkcheck.extract.declaration import DocumentFormat
from linkcheck.extract.deephtml import parse_html_document
from linkcheck.extract.formats import (
    FALLBACK,
    FORMATS,
    detect_format,
    document_format,
    named_format,
    sniff_format,
    walked_extensions,
)
from linkcheck.extract.frontmatter import document_date, extract_front_matter, front_matter_end
from linkcheck.extract.identifiers import identify, with_identifiers
from linkcheck.extract.ignores import ignore_for, ignore_rules
from linkcheck.extract.raw import RawLink, UnreadableDocument, attribute_escaped
from linkcheck.extract.source import (
    FALLBACK_ENCODING,
    LineIndex,
    UndecodableError,
    codec_for,
    declared_codec,
    decode_document,
)
from linkcheck.extract.urls import classify_url, served_file
from linkcheck.model import Citation, Document, Format, Site, UrlKind

__all__ = [
    "FALLBACK_ENCODING",
    "FORMATS",
    "DocumentFormat",
    "LineIndex",
    "UndecodableError",
    "UnreadableDocument",
    "attribute_escaped",
    "codec_for",
    "declared_codec",
    "decode_document",
    "detect_format",
    "document_date",
    "document_format",
    "extract_document",
    "iter_citations",
    "iter_text_stream",
    "named_format",
    "parse_html_document",
    "served_file",
    "sniff_format",
    "walked_extensions",
]


def extract_document(text: str, file: str, fmt: Format, document_dir: Path | None) -> Document:
    """Every citation in ``text`` (the contents of ``file``), in the order they appear.

    ``document_dir`` anchors relative links; None (standard input) anchors them at the cwd.
    """
    return Document(file, fmt, list(iter_citations(text, file, fmt, document_dir)))


def iter_citations(
    text: str,
    file: str,
    fmt: Format,
    document_dir: Path | None,
    notes: list[str] | None = None,
    site: Site | None = None,
) -> Iterator[Citation]:
    """The citations of ``text`` one at a time, in the order the parser meets them.

    That is document order, except that a reference-style link is met where it is used and
    a definition nothing uses is met at the end. What was passed over (front matter too deep
    to read, say) is appended to ``notes``. With a ``site``, relative links resolve as the
    built site will serve them (see Site).
    """
    lines = LineIndex(text)
    rules = ignore_rules(text, lines, file)
    for raw in _raw_links(text, fmt, notes if notes is not None else []):
        line, column = lines.position(raw.offset)
        citation = _citation(raw, line, column, file, document_dir, site)
        ignore = ignore_for(rules, line, citation.url) if rules else None
        yield citation if ignore is None else dataclasses.replace(citation, ignore=ignore)


def _raw_links(text: str, fmt: Format, notes: list[str]) -> Iterator[RawLink]:
    declared = document_format(fmt)
    if not declared.front_matter:
        links = declared.extract(text, 0)
        yield from with_identifiers(links, text) if declared.prose else links
        return
    body_start = front_matter_end(text)
    yield from extract_front_matter(text, body_start, notes)
    body = text[body_start:] if body_start else text
    links = declared.extract(body, body_start)
    yield from with_identifiers(links, body, body_start) if declared.prose else links


def iter_text_stream(
    pieces: Iterable[str],
    file: str,
    document_dir: Path | None,
    notes: list[str] | None = None,
) -> Iterator[Citation]:
    """The citations of a plain-text document that arrives in pieces, in order.

    Memory is bounded by the size of a piece: each piece is cut after its last whitespace, so
    that a URL never straddles two cuts, and line and column are counted as the text passes.
    Front matter is read from the first piece.
    """
    carry = ""
    lines_before = 0  # newlines before ``carry``
    column_base = 0  # characters since the last newline before ``carry``
    first = True
    for piece, last in _with_last(pieces):
        text = carry + piece
        start = 0
        if first:
            first = False
            body_start = front_matter_end(text)
            if body_start:
                head = LineIndex(text[:body_start])
                for raw in extract_front_matter(text, body_start, notes):
                    yield _citation(raw, *head.position(raw.offset), file, document_dir)
                start = body_start
        cut = len(text) if last else max(text.rfind(" "), text.rfind("\n"), text.rfind("\t")) + 1
        cut = max(cut, start)
        segment = text[start:cut]
        lines_before += text.count("\n", 0, start)
        newline = text.rfind("\n", 0, start)
        column_base = start - newline - 1 if newline != -1 else column_base + start
        local = LineIndex(segment)
        for raw in FALLBACK.extract(segment, 0):  # plain text
            line, column = local.position(raw.offset)
            if line == 1:
                column += column_base
            yield _citation(raw, lines_before + line, column, file, document_dir)
        lines_before += segment.count("\n")
        newline = segment.rfind("\n")
        column_base = len(segment) - newline - 1 if newline != -1 else column_base + len(segment)
        carry = text[cut:]


def _with_last(pieces: Iterable[str]) -> Iterator[tuple[str, bool]]:
    iterator = iter(pieces)
    previous = next(iterator, None)
    if previous is None:
        yield "", True
        return
    for piece in iterator:
        yield previous, False
        previous = piece
    yield previous, True


def _citation(
    raw: RawLink,
    line: int,
    column: int,
    file: str,
    document_dir: Path | None,
    site: Site | None = None,
) -> Citation:
    identified = identify(raw.url)
    if identified is not None:
        return Citation(
            identified.url, file, line, column, raw.text, raw.role, identified.kind,
            reason=identified.note, part=raw.part, identifier=identified.identifier,
            claims=raw.claims,
        )  # fmt: skip
    verdict = classify_url(raw.url, document_dir, site.root_dir if site else None)
    if verdict.kind is UrlKind.LOCAL and verdict.target and site and site.base_url and document_dir:
        # A relative link of a page to be served at --base-url: the URL it will be there.
        page = site.page_url(document_dir / Path(file).name)
        absolute = urljoin(page or site.base_url, raw.url)
        served = classify_url(absolute, document_dir)
        if served.kind is UrlKind.HTTP:  # fetched at its address; reported as written
            address = served.target or absolute
            return Citation(
                raw.url, file, line, column, raw.text, raw.role, UrlKind.HTTP, address,
                part=raw.part, claims=raw.claims,
            )  # fmt: skip
    target = verdict.target
    if target == "":  # "#anchor": the citing document itself
        target = str(document_dir / Path(file).name) if document_dir else file
    return Citation(
        raw.url, file, line, column, raw.text, raw.role, verdict.kind, target, verdict.reason,
        part=raw.part, claims=raw.claims,
    )  # fmt: skip
