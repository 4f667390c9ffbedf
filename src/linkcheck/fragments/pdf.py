"""The text of a PDF, as PDFium (Chromium's PDF engine, through pypdfium2) reads it, for
matching text directives: page by page, within a time limit, with words broken across line
ends joined again."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from dataclasses import dataclass

PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
PDF_MAGIC = b"%PDF-"
# Text extraction of one document stops after this long (a hostile or enormous PDF).
TIME_LIMIT = 10.0

_COLLAPSIBLE = re.compile(r"[ \t\n\r\f\v]+")
# A soft hyphen (U+00AD), with the line end after it: never part of the word.
_SOFT_BREAK = re.compile(r"\u00ad\s*")
# A hyphen at a line end: PDFium joins the lines and leaves U+FFFE (or U+0002) in its place;
# a hyphen then a line break elsewhere. "evi-|dence" is one word, "well-|known" keeps it.
_HARD_BREAK = re.compile(
    r"[\ufffe\u0002][ \t]*(?:\r\n|\r|\n)?\s*|(?<=\w)-[ \t]*(?:\r\n|\r|\n)\s*(?=\w)"
)


# How an unreadable PDF's reason starts when the file itself is broken (not encrypted, not a
# scan, not too large): an archived copy like that is no copy.
DAMAGED_PDF = "the PDF cannot be read"


class PdfUnreadable(Exception):
    """Why a PDF's text cannot be read: encrypted, a scan, damaged, too large or too slow."""


@dataclass(frozen=True, slots=True)
class PdfText:
    """A PDF's text in two readings of hyphens at line ends (joined, kept), one run each,
    and where each page starts in them."""

    joined: str
    kept: str
    joined_starts: list[int]
    kept_starts: list[int]

    def page_of(self, offset: int, hyphens_kept: bool = False) -> int:
        """The 1-based page where ``offset`` of a reading falls."""
        starts = self.kept_starts if hyphens_kept else self.joined_starts
        return bisect_right(starts, offset)


def is_pdf(content_type: str, body: bytes | str) -> bool:
    """A PDF by its Content-Type, or by its first bytes (servers often say octet-stream)."""
    return content_type in PDF_TYPES or (isinstance(body, bytes) and body.startswith(PDF_MAGIC))


def pdf_text(body: bytes, truncated: bool, time_limit: float = TIME_LIMIT) -> PdfText:
    """The searchable text of a PDF, or PdfUnreadable saying why there is none."""
    if truncated:
        raise PdfUnreadable("the PDF is larger than --max-bytes: its text cannot be read")
    import pypdfium2 as pdfium  # a native engine: loaded only when a PDF is quoted

    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfUnreadable("the PDF is encrypted (it needs a password)") from None
        raise PdfUnreadable(f"{DAMAGED_PDF} ({str(exc).rstrip('.')})") from None
    started = time.monotonic()
    pages: list[str] = []
    try:
        for index in range(len(document)):
            if time.monotonic() - started > time_limit:
                raise PdfUnreadable(
                    f"reading the PDF's text took longer than {time_limit:g} s "
                    f"(stopped at page {index + 1} of {len(document)})"
                )
            page = document[index]
            try:
                pages.append(page.get_textpage().get_text_range())
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise PdfUnreadable(f"{DAMAGED_PDF} ({str(exc).rstrip('.')})") from None
    finally:
        document.close()
    if not any(text.strip() for text in pages):
        raise PdfUnreadable("the PDF has no text layer (a scanned document?)")
    joined, joined_starts = _run(pages, keep_hyphens=False)
    kept, kept_starts = _run(pages, keep_hyphens=True)
    return PdfText(joined, kept, joined_starts, kept_starts)


def join_hyphenated(text: str) -> str:
    """``text`` with words hyphenated across line ends joined ("evi-\ndence": "evidence")."""
    return _HARD_BREAK.sub("", _SOFT_BREAK.sub("", text))


def keep_hyphenated(text: str) -> str:
    """``text`` with the line breaks after hyphens removed ("well-\nknown": "well-known")."""
    return _HARD_BREAK.sub("-", _SOFT_BREAK.sub("", text))


def _run(pages: list[str], keep_hyphens: bool) -> tuple[str, list[int]]:
    """The pages as one run (whitespace collapsed, as rendered), and each page's start."""
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for text in pages:
        text = _SOFT_BREAK.sub("", text)
        text = _HARD_BREAK.sub("-" if keep_hyphens else "", text)
        text = _COLLAPSIBLE.sub(" ", text).strip(" ")
        if parts:
            length += 1  # the space between two pages
        starts.append(length)
        parts.append(text)
        length += len(text)
    return " ".join(parts), starts
