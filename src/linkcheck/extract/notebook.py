"""Jupyter notebooks: their Markdown cells, read as Markdown, located in the ``.ipynb`` file itself.

A citation's line and column are those of the URL inside the JSON string that holds it, so an
editor jumps there and ``fix`` rewrites the JSON with its escaping intact; the cell's number
(from 1) comes with it. Code cells and outputs are not cited: a ``localhost`` in code is not a
citation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from linkcheck.extract.markdown import extract_markdown
from linkcheck.extract.raw import RawLink, UnreadableDocument

# A JSON string literal, and the "source" key that holds a cell's text.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SOURCE_KEY = re.compile(r'"source"\s*:\s*')
_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\.", re.S)


def extract_notebook(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of every Markdown cell, at their places in the notebook's JSON."""
    import warnings

    import nbformat

    with warnings.catch_warnings():  # a notebook's own defects (a missing cell id) are not ours
        warnings.simplefilter("ignore")
        try:
            notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
            cells = [(cell.cell_type, cell.source) for cell in notebook.cells]
        except Exception as exc:  # nbformat's own, and whatever a malformed file makes it meet
            reason = " ".join(str(exc).split())[:200]
            raise UnreadableDocument(f"not a Jupyter notebook ({reason})") from None
    cursor = 0
    for number, (cell_type, cell_source) in enumerate(cells, start=1):
        if cell_type != "markdown":
            continue
        source = cell_source if isinstance(cell_source, str) else "".join(cell_source)
        if not source:
            continue
        found = _pieces(text, source, cursor)
        if found is None:  # a cell nbformat rewrote (a v3 heading cell): at its source's start
            key = _SOURCE_KEY.search(text, cursor)
            start = key.end() if key else cursor
            for link in extract_markdown(source):
                yield RawLink(link.url, base_offset + start, link.text, link.role, ("cell", number))
            continue
        pieces, cursor = found
        for link in extract_markdown(source):
            offset = _raw_offset(pieces, link.offset)
            yield RawLink(link.url, base_offset + offset, link.text, link.role, ("cell", number))


def _pieces(text: str, source: str, cursor: int) -> tuple[list[tuple[int, int, str]], int] | None:
    """Where ``source`` is written, from ``cursor`` on: (offset in the source, offset of the
    string literal's first character in the file, the literal) for each string it is made of,
    and where the search goes on; None when the file does not hold it as it is."""
    for key in _SOURCE_KEY.finditer(text, cursor):
        position = key.end()
        literals: list[tuple[int, str]] = []
        if text.startswith("[", position):
            position += 1
            while True:
                literal = _STRING.match(text, _skip_space(text, position))
                if literal is None:
                    break
                literals.append((literal.start() + 1, literal.group()[1:-1]))
                position = _skip_space(text, literal.end())
                if not text.startswith(",", position):
                    break
                position += 1
        else:
            literal = _STRING.match(text, position)
            if literal is not None:
                literals.append((literal.start() + 1, literal.group()[1:-1]))
        decoded = [json.loads(f'"{raw}"') for _, raw in literals]
        if "".join(decoded) == source:
            pieces, at = [], 0
            for (start, raw), text_of in zip(literals, decoded, strict=True):
                pieces.append((at, start, raw))
                at += len(text_of)
            return pieces, position
    return None


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _raw_offset(pieces: list[tuple[int, int, str]], offset: int) -> int:
    """The file offset of the source's character ``offset``: the JSON escapes before it in
    its string literal counted as written."""
    piece = max((p for p in pieces if p[0] <= offset), key=lambda p: p[0])
    at, start, raw = piece
    wanted = offset - at
    decoded = 0
    position = 0
    while decoded < wanted and position < len(raw):
        escape = _ESCAPE.match(raw, position)
        step = escape.end() - position if escape else 1
        code = raw[position + 2 : position + 6] if escape and raw[position + 1] == "u" else ""
        if code and 0xD800 <= int(code, 16) < 0xDC00:
            step += 6  # a surrogate pair is one character
        position += step
        decoded += 1
    return start + position
