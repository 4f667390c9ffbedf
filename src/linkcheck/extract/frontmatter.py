"""YAML front matter: the ``---`` block at the top of Markdown and text documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from linkcheck.extract.raw import RawLink

if TYPE_CHECKING:
    import yaml

_OPENING = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_URL_VALUE = re.compile(r"^(?:https?|ftp)://\S+$", re.IGNORECASE)


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


def extract_front_matter(text: str, end: int) -> Iterator[RawLink]:
    """Yield each URL-valued key of the front matter ``text[:end]``, role ``front-matter:<key>``.

    Nested mappings give dotted keys (``links.source``); list items keep their key. Front matter
    that is not valid YAML yields nothing: it is then just text at the top of the document.
    """
    if end == 0:
        return
    import yaml  # only documents with front matter pay for it

    opening = _OPENING.match(text)
    assert opening is not None
    block = text[opening.end() : end]
    try:
        root = yaml.compose(_strip_closing(block), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    if root is None:
        return
    line_starts = _line_starts(text, opening.end(), end)
    for key, node in _scalars(root, ""):
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


def _scalars(node: yaml.Node, key: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if key:
            yield key, node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            yield from _scalars(value_node, f"{key}.{name}" if key else name)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item, key)
