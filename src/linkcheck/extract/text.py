"""Bare URLs and e-mail addresses in prose, ended by GitHub-flavoured Markdown's autolink rules.

A bare URL starts with ``http://``, ``https://``, ``ftp://``, ``www.`` or ``mailto:`` and runs to
whitespace or ``<``; trailing punctuation, unbalanced closing parentheses or brackets and a
trailing entity reference are not part of it. Unlike GFM, a URL glued to a word boundary such as
``source:`` is still found: for a link checker a missed citation costs more than a strict grammar
gains. A ``mailto:`` URL ends where GFM's e-mail address grammar ends.
"""

from __future__ import annotations

import heapq
import re
import sys
from collections.abc import Iterator

from linkcheck.extract.identifiers import with_identifiers
from linkcheck.extract.raw import RawLink, inside

# The address grammar of GFM's extended e-mail autolink.
_ADDRESS = r"[A-Za-z0-9.\-_+]+@[A-Za-z0-9\-_]+(?:\.[A-Za-z0-9\-_]+)+"
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9+.\-/@])(?:"
    r"(?:https?|ftp)://[^\s<>]|www\.[A-Za-z0-9_\-]"
    r")[^\s<>]*"
    rf"|(?<![A-Za-z0-9+.\-/@])mailto:{_ADDRESS}",
    re.IGNORECASE,
)
# Plain text is not rendered: a double quote is never part of a URL there (it would be %22).
_PLAIN_CANDIDATE = re.compile(_CANDIDATE.pattern.replace(r"[^\s<>]*", r'[^\s<>"]*'), re.IGNORECASE)
_EMAIL = re.compile(rf"(?<![A-Za-z0-9.\-_+/:@]){_ADDRESS}")
# RFC 3986 Appendix C: a URL in angle brackets may be wrapped over lines; the whitespace goes.
# Only line breaks (and the indentation around them) are removed: ``<http://a b>`` is no URL.
_WRAPPED = re.compile(
    r"<(?:URL:)?((?:https?|ftp)://[^<>\"\s]*(?:[ \t]*\r?\n\s*[^<>\"\s]+)+)>", re.IGNORECASE
)
_TRAILING_PUNCTUATION = frozenset("?!.,:*_~'\";")
_TRAILING_ENTITY = re.compile(r"&[A-Za-z0-9]+;$")
_CLOSERS = {")": "(", "]": "["}
_END = sys.maxsize


def find_bare_urls(
    text: str,
    base_offset: int = 0,
    role: str = "bare",
    *,
    emails: bool = False,
    plain: bool = False,
) -> Iterator[RawLink]:
    """Yield every bare URL in ``text``; ``base_offset`` is where ``text`` starts in its file.

    ``emails``: bare addresses too, as ``mailto:`` (GFM links them in Markdown).
    ``plain``: the text is not rendered, so a double quote ends a URL.
    """
    spans: list[tuple[int, int]] = []
    for match in (_PLAIN_CANDIDATE if plain else _CANDIDATE).finditer(text):
        raw = trim_url(match.group())
        if match.start() >= 2 and text[match.start() - 2 : match.start()] == "[[":
            raw = raw.split("|", 1)[0]  # a wiki link: [[https://…|its text]]
        if raw[:4].lower() == "www.":
            if "." not in raw[4:].split("/", 1)[0]:
                continue
            url = "http://" + raw
        elif raw.endswith(("://", "@")):
            continue
        elif raw[:7].lower() == "mailto:" and match.group()[-1] in "-_":
            continue  # GFM links no address that ends so
        else:
            url = raw
        spans.append((match.start(), match.end()))
        yield RawLink(url, base_offset + match.start(), "", role)
    if emails and "@" in text:
        for match in _EMAIL.finditer(text):
            address = match.group().rstrip(".")
            if address[-1] in "-_" or inside(spans, match.start()):
                continue
            yield RawLink("mailto:" + address, base_offset + match.start(), "", role)


def trim_url(url: str) -> str:
    """Drop trailing punctuation, an unbalanced ``)`` or ``]`` and a trailing entity reference."""
    while url:
        last = url[-1]
        if last == ";" and (entity := _TRAILING_ENTITY.search(url)):
            url = url[: entity.start()]
        elif last in _TRAILING_PUNCTUATION or (
            last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        ):
            url = url[:-1]
        else:
            break
    return url


def extract_text(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Citations of a plain-text document: its bare URLs, wrapped ``<…>`` URLs joined, and the
    DOIs and arXiv ids it writes out."""
    wrapped: list[tuple[int, int]] = []
    joined: list[RawLink] = []
    if "<" in text:
        for match in _WRAPPED.finditer(text):
            wrapped.append((match.start(), match.end()))
            url = "".join(match.group(1).split())
            joined.append(RawLink(url, base_offset + match.start(1), "", "bare"))
    bare = with_identifiers(find_bare_urls(text, base_offset, plain=True), text, base_offset)
    if not joined:
        yield from bare
        return
    others = (raw for raw in bare if not inside(wrapped, raw.offset - base_offset))
    yield from heapq.merge(joined, others, key=lambda raw: raw.offset)
