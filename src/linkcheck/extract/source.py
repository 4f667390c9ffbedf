"""Reading document bytes as text, and turning character offsets into line and column."""

from __future__ import annotations

import codecs
from array import array
from bisect import bisect_right


class UndecodableError(ValueError):
    """The bytes are not a text document linkcheck can read (``binary``: they are not text)."""

    def __init__(self, message: str, binary: bool = False) -> None:
        super().__init__(message)
        self.binary = binary


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# What a browser assumes for bytes that are not UTF-8 and declare nothing.
FALLBACK_ENCODING = "windows-1252"


def decode_document(data: bytes) -> tuple[str, str | None]:
    """Decode a document: by its byte-order mark, as UTF-8, else as Windows-1252.

    Returns the text and, when the encoding was a guess, a note saying so. Raises
    UndecodableError for binary data (NUL bytes) or a damaged UTF-16 document.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), None
            except UnicodeDecodeError as exc:
                raise UndecodableError(f"invalid {encoding.upper()} at byte {exc.start}") from exc
    if b"\x00" in data[:8192]:
        raise UndecodableError("binary file (NUL bytes)", binary=True)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        # One stray byte must not cost the document: read it as a browser would.
        note = (
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}): read as Windows-1252"
        )
        return data.decode(FALLBACK_ENCODING, "replace"), note


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
