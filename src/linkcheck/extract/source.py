"""Reading document bytes as text, and turning character offsets into line and column."""

from __future__ import annotations

import codecs
from array import array
from bisect import bisect_right


class UndecodableError(ValueError):
    """The bytes are not a text document linkcheck can read."""


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_document(data: bytes) -> str:
    """Decode a document: UTF-8, or UTF-8/UTF-16 with a byte-order mark.

    Raises UndecodableError for binary data or any other encoding, naming why.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UndecodableError(f"invalid {encoding.upper()} at byte {exc.start}") from exc
    if b"\x00" in data[:8192]:
        raise UndecodableError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableError(f"not UTF-8 (invalid byte at offset {exc.start})") from exc


class LineIndex:
    """Maps character offsets in a text to 1-based (line, column) in O(log lines)."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = array("q", [0])  # compact: a million-line document costs 8 MB, not 36
        find = text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``offset``."""
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
