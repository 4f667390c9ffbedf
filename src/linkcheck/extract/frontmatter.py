"""YAML front matter: the ``---`` block at the top of Markdown and text documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from linkcheck.extract.raw import RawLink

if TYPE_CHECKING:
    import yaml

_OPENING = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_URL_VALUE = re.compile(r"^(?:https?|ftp)://\S+$", re.IGNORECASE)
# Front matter is a few keys; these bounds keep a hostile one (alias bombs, deep nesting) cheap.
MAX_NODES = 100_000
MAX_DEPTH = 200


def front_matter_end(text: str) -> int:
    """Offset just past the front matter's closing ``---`` line; 0 when there is none."""
    opening = _OPENING.match(text)
    if not opening:
        return 0
    closing = _CLOSING.search(text, opening.end())
    if not closing:
        return 0
    end = closing.end()
    if text.startswith("\r\n", end):
        return end + 2
    return end + 1 if text.startswith("\n", end) else end


def extract_front_matter(text: str, end: int, notes: list[str] | None = None) -> Iterator[RawLink]:
    """Yield each URL-valued key of the front matter ``text[:end]``, role ``front-matter:<key>``.

    Nested mappings give dotted keys (``links.source``); list items keep their key. Front matter
    that is not valid YAML yields nothing: it is then just text at the top of the document.
    Front matter nested deeper than MAX_DEPTH, or with more than MAX_NODES nodes, is skipped
    with a note: the body is still read.
    """
    if end == 0:
        return
    import yaml  # only documents with front matter pay for it

    opening = _OPENING.match(text)
    assert opening is not None
    block = text[opening.end() : end]
    try:
        root = yaml.compose(_strip_closing(block), Loader=yaml.SafeLoader)
        scalars = list(_scalars(root)) if root is not None else []
    except yaml.YAMLError:
        return
    except (_TooComplex, RecursionError) as exc:
        if notes is not None:
            reason = str(exc) if isinstance(exc, _TooComplex) else "nested too deeply"
            notes.append(f"front matter skipped: {reason}")
        return
    line_starts = _line_starts(text, opening.end(), end)
    for key, node in scalars:
        value = str(node.value).strip()
        if not _URL_VALUE.match(value):
            continue
        mark = node.start_mark
        column = mark.column + (1 if node.style in ("'", '"') else 0)
        offset = line_starts[mark.line] + column if mark.line < len(line_starts) else opening.end()
        yield RawLink(value, offset, "", f"front-matter:{key}")


def _strip_closing(block: str) -> str:
    lines = block.splitlines(keepends=True)
    return "".join(lines[:-1]) if lines else ""


def _line_starts(text: str, start: int, end: int) -> list[int]:
    starts = [start]
    index = text.find("\n", start, end)
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1, end)
    return starts


class _TooComplex(Exception):
    """Front matter beyond the node or depth budget."""


def _scalars(root: yaml.Node) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """(dotted key, node) for every scalar under a key, walked without recursion.

    A node reached again through an alias is not walked again (an alias bomb costs what its
    distinct nodes cost); more than MAX_NODES distinct nodes, or nesting deeper than MAX_DEPTH,
    raises _TooComplex.
    """
    import yaml

    walked: set[int] = set()
    pending: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
    while pending:
        node, key, depth = pending.pop()
        if id(node) in walked:
            continue
        walked.add(id(node))
        if len(walked) > MAX_NODES:
            raise _TooComplex(f"more than {MAX_NODES:,} nodes")
        if depth > MAX_DEPTH:
            raise _TooComplex(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            if key:
                yield key, node
        elif isinstance(node, yaml.MappingNode):
            children = []
            for key_node, value_node in node.value:
                name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                children.append((value_node, f"{key}.{name}" if key else name, depth + 1))
            pending.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, key, depth + 1) for item in reversed(node.value))


# The keys a document's own date goes by (Jekyll/Hugo ``date``, Open Graph's article time…).
DATE_KEYS = ("date", "published_time", "published", "pubdate", "date_published", "datePublished")
_META_DATE = re.compile(
    r"""<meta\s[^>]*(?:property|name|itemprop)\s*=\s*["']?(?:article:published_time|
    datePublished|dc\.date|date)["']?[^>]*>""",
    re.IGNORECASE | re.VERBOSE,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def document_date(text: str) -> date | None:
    """The date a document gives itself: a front-matter ``date`` (or ``published_time``…),
    else an HTML ``<meta property="article:published_time">`` (or ``datePublished``)."""
    end = front_matter_end(text)
    if end:
        import yaml

        opening = _OPENING.match(text)
        assert opening is not None
        try:
            data = yaml.safe_load(_strip_closing(text[opening.end() : end]))
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            for key in DATE_KEYS:
                found = _as_date(data.get(key))
                if found is not None:
                    return found
    meta = _META_DATE.search(text[:65536])
    if meta is not None:
        content = _CONTENT.search(meta.group(0))
        if content is not None:
            return _as_date(content.group(1))
    return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
