"""The document formats extraction reads: one module each, registered here in the order their
content is tried. The walk, format detection, ``--format-of``, ``fix`` and the README's table of
formats all read this registry.

To add a format: a module declaring its ``FORMAT`` (see DocumentFormat), its name in
``model.Format``, and one line in ``FORMATS`` below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

from linkcheck.extract import (
    asciidoc,
    bibtex,
    docx,
    html,
    latex,
    markdown,
    notebook,
    org,
    pdf,
    rst,
    sitemap,
    text,
)
from linkcheck.extract.declaration import DocumentFormat
from linkcheck.model import Format

# In the order a document's content is tried: the most distinctive first, plain text last.
FORMATS: tuple[DocumentFormat, ...] = (
    pdf.FORMAT,
    docx.FORMAT,
    notebook.FORMAT,
    sitemap.FORMAT,
    html.FORMAT,
    latex.FORMAT,
    rst.FORMAT,
    org.FORMAT,
    asciidoc.FORMAT,
    markdown.FORMAT,
    bibtex.FORMAT,
    text.FORMAT,
)
FALLBACK = text.FORMAT  # what a document that looks like nothing else is read as

_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
_BY_EXTENSION = {extension: fmt.name for fmt in FORMATS for extension in fmt.extensions}
_SNIFF_BYTES = 64 * 1024


def document_format(name: Format) -> DocumentFormat:
    """The registered format called ``name``."""
    return _BY_NAME[name]


def walked_extensions() -> frozenset[str]:
    """The extensions a folder walk reads."""
    return frozenset(
        extension
        for fmt in FORMATS
        if fmt.walked
        for extension in (*fmt.extensions, *fmt.by_content)
        if extension
    )


def named_format(name: str, overrides: Mapping[str, Format] | None = None) -> Format | None:
    """The format ``name``'s extension decides (an override first), or None."""
    suffix = PurePath(name).suffix.lower()
    if overrides and suffix in overrides:
        return overrides[suffix]
    return _BY_EXTENSION.get(suffix)


def detect_format(name: str, text: str, overrides: Mapping[str, Format] | None = None) -> Format:
    """Format of ``name``: an override for its extension, a known extension, or its content."""
    named = named_format(name, overrides)
    return named if named is not None else sniff_format(text)


def sniff_format(text: str) -> Format:
    """The first format whose sniff recognises the start of ``text``; else plain text."""
    head = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    for fmt in FORMATS:
        if fmt.sniff is not None and fmt.sniff(head):
            return fmt.name
    return FALLBACK.name
