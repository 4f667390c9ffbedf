"""Deciding a document's format from its content, with its extension as a strong hint."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath

from linkcheck.model import Format

EXTENSION_FORMATS: dict[str, Format] = {
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".mdown": Format.MARKDOWN,
    ".mkd": Format.MARKDOWN,
    ".mdx": Format.MARKDOWN,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
}
# XML is read when it is a sitemap (sniffed), so a walk passes over other XML files.
XML_EXTENSIONS = frozenset({".xml"})
# Extensions whose content is sniffed; a directory walk reads these and the ones above.
TEXT_EXTENSIONS = frozenset({".txt", ".text", ""})

_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:p|div|a\s+href|table|ul|section|article)\b", re.I)
_MARKDOWN_SIGNS = re.compile(
    r"\[[^\]\n]*\]\([^)\s]+|^ {0,3}\[[^\]\n]+\]:\s*\S|^ {0,3}#{1,6}\s+\S|^ {0,3}(?:```|~~~)|<https?://[^>\s]+>",
    re.M,
)
_SNIFF_BYTES = 64 * 1024
_SITEMAP_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:urlset|sitemapindex)\b", re.S
)


def detect_format(name: str, text: str, overrides: Mapping[str, Format] | None = None) -> Format:
    """Format of ``name``: an override for its extension, a known extension, or its content."""
    suffix = PurePath(name).suffix.lower()
    if overrides and suffix in overrides:
        return overrides[suffix]
    if suffix in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[suffix]
    return sniff_format(text)


def sniff_format(text: str) -> Format:
    """HTML if it starts like a page; Markdown if it uses Markdown syntax; otherwise text."""
    head = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    if _SITEMAP_START.match(head):
        return Format.SITEMAP
    if _HTML_START.match(head) or (head.startswith("<") and _HTML_TAGS.search(head)):
        return Format.HTML
    if _MARKDOWN_SIGNS.search(head):
        return Format.MARKDOWN
    return Format.TEXT
