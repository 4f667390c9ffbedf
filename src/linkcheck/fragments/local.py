"""Local files as pages whose anchors a link can name: HTML ids, Markdown heading slugs."""

from __future__ import annotations

import re
from pathlib import Path

import pyromark

from linkcheck.extract import UndecodableError, decode_document, detect_format, document_format
from linkcheck.fragments.searchtext import SearchableText
from linkcheck.fragments.verify import Page

_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(heading: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens,
    ``-1``, ``-2``… for repeats (``seen`` counts them across one document)."""
    slug = _SLUG_DROP.sub("", heading.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


def markdown_anchors(text: str) -> set[str]:
    """Every heading slug of a Markdown document."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    parts: list[str] | None = None
    for event in pyromark.events(text, options=pyromark.Options.ENABLE_HEADING_ATTRIBUTES):
        if isinstance(event, dict) and "Start" in event:
            start = event["Start"]
            if isinstance(start, dict) and "Heading" in start:
                parts = []
                explicit = start["Heading"].get("id")
                if explicit:
                    anchors.add(str(explicit))
        elif isinstance(event, dict) and "End" in event:
            end = event["End"]
            if isinstance(end, dict) and "Heading" in end and parts is not None:
                anchors.add(github_slug("".join(parts), seen))
                parts = None
        elif parts is not None and isinstance(event, dict):
            text_part = event.get("Text") or event.get("Code")
            if isinstance(text_part, str):
                parts.append(text_part)
    return anchors


def local_page(path: Path) -> Page | None:
    """A local file as a Page (None for a directory or a file that cannot be read)."""
    if path.is_dir():
        return None
    try:
        text, _ = decode_document(path.read_bytes())
    except (OSError, UndecodableError):
        return None
    media_type = document_format(detect_format(path.name, text)).media_type
    page = Page(text, media_type)
    if media_type == "text/markdown":  # its anchors are its headings' slugs, as GitHub makes them
        page.set_anchors(SearchableText([], markdown_anchors(text)))
    return page
