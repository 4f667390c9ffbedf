"""Bare URLs in prose, ended by GitHub-flavoured Markdown's autolink-literal rules.

A bare URL starts with ``http://``, ``https://``, ``ftp://``, ``www.`` or ``mailto:`` and runs to
whitespace or ``<``; trailing punctuation, unbalanced closing parentheses and a trailing entity
reference are not part of it. Unlike GFM, a URL glued to a word boundary such as ``source:`` is
still found: for a link checker a missed citation costs more than a strict grammar gains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkcheck.extract.raw import RawLink

_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9+.\-/@])(?:(?:https?|ftp)://[^\s<>]|www\.[A-Za-z0-9_\-]|mailto:[^\s<>@]+@)[^\s<>]*",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = frozenset("?!.,:*_~'\";")
_TRAILING_ENTITY = re.compile(r"&[A-Za-z0-9]+;$")


def find_bare_urls(text: str, base_offset: int = 0, role: str = "bare") -> Iterator[RawLink]:
    """Yield every bare URL in ``text``; ``base_offset`` is where ``text`` starts in its file."""
    for match in _CANDIDATE.finditer(text):
        raw = trim_url(match.group())
        if raw[:4].lower() == "www.":
            if "." not in raw[4:].split("/", 1)[0]:
                continue
            url = "http://" + raw
        elif raw.endswith(("://", "@")):
            continue
        else:
            url = raw
        yield RawLink(url, base_offset + match.start(), "", role)


def trim_url(url: str) -> str:
    """Drop trailing punctuation, unbalanced ``)`` and a trailing entity reference (GFM rules)."""
    while url:
        last = url[-1]
        if last == ";" and (entity := _TRAILING_ENTITY.search(url)):
            url = url[: entity.start()]
        elif last in _TRAILING_PUNCTUATION or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def extract_text(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Citations of a plain-text document: its bare URLs."""
    return find_bare_urls(text, base_offset)
