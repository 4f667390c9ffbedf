"""The document formats extraction reads, declared here in the order their content is tried:
what each is called, how its files are recognised (extensions, and a sniff of a document's start)
and decoded, and which module reads it. The walk, format detection, ``--format-of``, ``fix`` and
the README's table of formats all read this registry. A reader module is imported with the first
document of its format (a warm rerun of Markdown loads no other reader).

To add a format: a module with its reader (text and offset in, ``RawLink``s out), its name in
``model.Format``, and its declaration in ``FORMATS`` below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePath

from linkcheck.extract.declaration import DocumentFormat
from linkcheck.extract.raw import attribute_escaped, from_bytes
from linkcheck.model import Format

# What a document's start shows in each format; a sniff reads the first 64 KB.
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:p|div|a\s+href|table|ul|section|article)\b", re.I)
_SITEMAP_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:urlset|sitemapindex)\b", re.S
)
_LATEX_SIGNS = re.compile(r"\\(?:documentclass|begin\{document\}|section\*?\{|usepackage)")
_RST_SIGNS = re.compile(
    r"^\.\. (?:_[^:\n]+:|\|[^|\n]+\||[a-zA-Z][\w:-]*::)(?:\s|$)|`[^`\n]+ <[^>\n]+>`__?|^__ \S",
    re.M,
)
_MARKDOWN_LINK = re.compile(r"\]\([^)\s]+\)")
_ORG_SIGNS = re.compile(r"^(?:#\+(?:title|author|startup|options|begin_src)\b|\*+ \S)", re.I | re.M)
_ASCIIDOC_SIGNS = re.compile(r"^(?:= \S|:[\w-]+:(?:\s|$)|\[source(?:,|\])|image::|include::)", re.M)
_MARKDOWN_SIGNS = re.compile(  # links, definitions, headings, fences, autolinks
    r"\[[^\]\n]*\]\([^)\s]+|^ {0,3}\[[^\]\n]+\]:\s*\S|^ {0,3}#{1,6}\s+\S|^ {0,3}(?:```|~~~)"
    r"|<https?://[^>\s]+>",
    re.M,
)
_WIKI_SIGNS = re.compile(
    r"(?P<template>\{\{\s*(?:cite[ _]|citation\b|reflist\b|webarchive\b|dead[ _]link\b"
    r"|infobox\b))|(?P<ref><ref[\s>/])|(?P<heading>^=={1,5}[^=\n]+={2,6}[ \t]*$)"
    r"|(?P<link>\[\[[^\]\n]+\]\])|(?P<table>^\{\|)",
    re.I | re.M,
)
_BIBTEX_ENTRY = re.compile(
    r"^\s*@\s*(?:article|book|inproceedings|misc|online|string|techreport)\s*\{", re.I | re.M
)


def _looks_like_html(head: str) -> bool:
    """It starts like a page, or like a fragment of one."""
    return _HTML_START.match(head) is not None or (
        head.startswith("<") and bool(_HTML_TAGS.search(head))
    )


def _looks_like_a_notebook(head: str) -> bool:
    return head.startswith("{") and '"cells"' in head and '"nbformat"' in head[-4096:] + head


def _looks_like_wikitext(head: str) -> bool:
    """Two kinds of wiki markup (citation templates, refs, == headings ==, [[links]], tables),
    and no Markdown link."""
    signs = {match.lastgroup for match in _WIKI_SIGNS.finditer(head)}
    return len(signs) >= 2 and _MARKDOWN_LINK.search(head) is None


def _looks_like_rst(head: str) -> bool:
    """Directives, hyperlink targets or embedded URIs, and no Markdown link."""
    return _RST_SIGNS.search(head) is not None and _MARKDOWN_LINK.search(head) is None


# In the order a document's content is tried: the most distinctive first, plain text last.
FORMATS: tuple[DocumentFormat, ...] = (
    DocumentFormat(
        Format.PDF,
        "PDF",
        "pdf:extract_pdf",
        extensions=(".pdf",),
        sniff=lambda head: head.startswith("%PDF-"),
        decode=from_bytes,
        media_type="application/pdf",
        fixable=False,
        prose=False,
    ),
    DocumentFormat(
        Format.DOCX,
        "Word document",
        "docx:extract_docx",
        extensions=(".docx",),
        decode=from_bytes,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        fixable=False,
        prose=False,
    ),
    DocumentFormat(
        Format.NOTEBOOK,
        "Jupyter notebook",
        "notebook:extract_notebook",
        extensions=(".ipynb",),
        sniff=_looks_like_a_notebook,
        media_type="application/x-ipynb+json",
        escaped=lambda url: json.dumps(url)[1:-1],
        prose=False,
    ),
    DocumentFormat(
        Format.SITEMAP,
        "XML sitemap",
        "sitemap:extract_sitemap",
        by_content=(".xml",),
        sniff=lambda head: _SITEMAP_START.match(head) is not None,
        walked=False,  # XML is read when it is a sitemap: a walk passes over other XML files
        prose=False,
    ),
    DocumentFormat(
        Format.HTML,
        "HTML",
        "html:extract_html",
        extensions=(".html", ".htm", ".xhtml"),
        sniff=_looks_like_html,
        media_type="text/html",
        escaped=attribute_escaped,
    ),
    DocumentFormat(
        Format.LATEX,
        "LaTeX",
        "latex:extract_latex",
        extensions=(".tex", ".ltx"),
        sniff=lambda head: _LATEX_SIGNS.search(head) is not None,
    ),
    DocumentFormat(
        Format.RST,
        "reStructuredText",
        "rst:extract_rst",
        extensions=(".rst", ".rest"),
        sniff=_looks_like_rst,
    ),
    DocumentFormat(
        Format.ORG,
        "Org",
        "org:extract_org",
        extensions=(".org",),
        sniff=lambda head: _ORG_SIGNS.search(head) is not None and "[[" in head,
        prose=False,  # its reader finds identifiers in its prose itself
    ),
    DocumentFormat(
        Format.ASCIIDOC,
        "AsciiDoc",
        "asciidoc:extract_asciidoc",
        extensions=(".adoc", ".asciidoc", ".asc"),
        sniff=lambda head: len(_ASCIIDOC_SIGNS.findall(head)) >= 2,
    ),
    DocumentFormat(
        Format.WIKITEXT,
        "wikitext",
        "wikitext:extract_wikitext",
        extensions=(".wiki", ".mediawiki", ".wikitext"),
        sniff=_looks_like_wikitext,
        prose=False,  # identifiers are template parameters, read by its reader
        annotator="wikiedit:annotate",
    ),
    DocumentFormat(
        Format.MARKDOWN,
        "Markdown",
        "markdown:extract_markdown",
        extensions=(".md", ".markdown", ".mdown", ".mkd", ".mdx"),
        sniff=lambda head: _MARKDOWN_SIGNS.search(head) is not None,
        front_matter=True,
        media_type="text/markdown",
        prose=False,  # its reader finds identifiers in its prose itself
    ),
    DocumentFormat(
        Format.BIBTEX,
        "BibTeX",
        "bibtex:extract_bibtex",
        extensions=(".bib",),
        sniff=lambda head: _BIBTEX_ENTRY.search(head) is not None and "\\documentclass" not in head,
        prose=False,
    ),
    DocumentFormat(
        Format.TEXT,
        "plain text",
        "text:extract_text",
        by_content=(".txt", ".text", ""),
        front_matter=True,
        prose=False,  # its reader finds identifiers itself
    ),
)
FALLBACK = FORMATS[-1]  # what a document that looks like nothing else is read as

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
