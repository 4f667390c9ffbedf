"""Site knowledge: a few documented rules for sites whose pages a plain fetch misjudges.

Each rule is small, keyed on the cited URL's host, and has a test; see the README's
"Site rules" section for the list and how to add one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from linkcheck.model import host_of

GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"})
_GITHUB_BLOB = re.compile(r"^/([^/]+)/([^/]+)/blob/(.+)$")
_LINE_ANCHOR = re.compile(r"^L(\d+)(?:C\d+)?(?:-L(\d+)(?:C\d+)?)?$")
_YOUTUBE_ID = re.compile(r"^[\w-]{6,}$")


def anchor_id_prefixes(url: str) -> tuple[str, ...]:
    """Prefixes a page's ids carry before the anchor a reader writes.

    GitHub renders the headings of Markdown files (a README on a repository page included)
    with ids ``user-content-<slug>``; a script scrolls ``#slug`` to them.
    """
    return ("user-content-",) if host_of(url) in GITHUB_HOSTS else ()


@dataclass(frozen=True, slots=True)
class LineAnchor:
    """``#L10`` or ``#L10-L20`` on a GitHub file page: lines of the file at ``raw_url``."""

    raw_url: str
    first: int
    last: int


def github_line_anchor(url: str, fragment: str) -> LineAnchor | None:
    """The lines a GitHub blob URL's fragment names, and where the raw file is; else None.

    These anchors exist only in the script-rendered view, so the file's line count decides.
    """
    parts = urlsplit(url)
    blob = _GITHUB_BLOB.match(parts.path)
    lines = _LINE_ANCHOR.match(fragment)
    if host_of(url) not in GITHUB_HOSTS or blob is None or lines is None:
        return None
    owner, repository, rest = blob.groups()
    first = int(lines.group(1))
    last = int(lines.group(2) or first)
    raw = f"https://raw.githubusercontent.com/{owner}/{repository}/{rest}"
    return LineAnchor(raw, min(first, last), max(first, last))


def count_lines(body: bytes) -> int:
    """Lines in a text file, a last line without a newline included."""
    if not body:
        return 0
    return body.count(b"\n") + (0 if body.endswith(b"\n") else 1)


def youtube_oembed(url: str) -> str | None:
    """The oEmbed URL that says whether a YouTube video still exists, or None.

    A removed video's watch page still answers 200; its oEmbed answers 404 (400 for an id that
    never existed).
    """
    parts = urlsplit(url)
    host = host_of(url)
    if host not in YOUTUBE_HOSTS:
        return None
    if host == "youtu.be":
        video = parts.path.strip("/")
    elif parts.path == "/watch":
        video = parse_qs(parts.query).get("v", [""])[0]
    else:
        return None
    if not _YOUTUBE_ID.match(video):
        return None
    watch = f"https://www.youtube.com/watch?v={video}"
    return f"https://www.youtube.com/oembed?format=json&url={quote(watch, safe='')}"
