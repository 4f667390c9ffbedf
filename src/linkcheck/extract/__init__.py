"""Extraction: a document's text in, its citations out. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from linkcheck.extract.frontmatter import extract_front_matter, front_matter_end
from linkcheck.extract.html import extract_html
from linkcheck.extract.markdown import extract_markdown
from linkcheck.extract.raw import RawLink
from linkcheck.extract.sniff import detect_format
from linkcheck.extract.source import LineIndex, UndecodableError, decode_document
from linkcheck.extract.text import extract_text
from linkcheck.extract.urls import classify_url
from linkcheck.model import Citation, Document, Format

__all__ = [
    "UndecodableError",
    "decode_document",
    "detect_format",
    "extract_document",
    "iter_citations",
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
) -> Iterator[Citation]:
    """The citations of ``text`` one at a time, in the order the parser meets them.

    That is document order, except that a reference-style link is met where it is used and
    a definition nothing uses is met at the end. What was passed over (front matter too deep
    to read, say) is appended to ``notes``.
    """
    lines = LineIndex(text)
    for raw in _raw_links(text, fmt, notes if notes is not None else []):
        line, column = lines.position(raw.offset)
        verdict = classify_url(raw.url, document_dir)
        target = verdict.target
        if target == "":  # "#anchor": the citing document itself
            target = str(document_dir / Path(file).name) if document_dir else file
        yield Citation(
            raw.url, file, line, column, raw.text, raw.role, verdict.kind, target, verdict.reason
        )


def _raw_links(text: str, fmt: Format, notes: list[str]) -> Iterator[RawLink]:
    if fmt is Format.HTML:
        yield from extract_html(text)
        return
    body_start = front_matter_end(text)
    yield from extract_front_matter(text, body_start, notes)
    body = text[body_start:] if body_start else text
    if fmt is Format.MARKDOWN:
        yield from extract_markdown(body, body_start)
    else:
        yield from extract_text(body, body_start)
