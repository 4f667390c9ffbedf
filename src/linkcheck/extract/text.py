"""Bare URLs in prose, with GitHub-flavoured autolink rules for where a URL ends."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from linkify_it import LinkifyIt

from linkcheck.extract.raw import RawLink

# Cheap test that lets most lines of a large document skip the linkifier entirely.
_HINTS = ("://", "www.", "WWW.", "mailto:")


@lru_cache(maxsize=1)
def bare_url_finder() -> LinkifyIt:
    """A linkifier that finds scheme URLs and ``www.`` hosts, but not bare domains or emails."""
    return LinkifyIt(options={"fuzzy_link": True, "fuzzy_email": False, "fuzzy_ip": False})


def is_citation_like(raw: str) -> bool:
    """GFM links bare text only with a scheme or ``www.``: ``example.com`` alone is prose."""
    lowered = raw[:8].lower()
    return "://" in raw[:12] or lowered.startswith("www.") or lowered.startswith("mailto:")


def find_bare_urls(text: str, base_offset: int = 0, role: str = "bare") -> Iterator[RawLink]:
    """Yield every bare URL in ``text``, one line at a time so that time and memory stay linear."""
    finder = bare_url_finder()
    for offset, line in iter_lines(text):
        if any(hint in line for hint in _HINTS):
            for match in finder.match(line) or ():
                if is_citation_like(match.raw):
                    yield RawLink(match.url, base_offset + offset + match.index, "", role)


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for each newline-terminated line, without splitting the whole text."""
    start = 0
    find = text.find
    while start < len(text):
        end = find("\n", start)
        end = len(text) if end == -1 else end + 1
        yield start, text[start:end]
        start = end


def extract_text(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Citations of a plain-text document: its bare URLs."""
    return find_bare_urls(text, base_offset)
