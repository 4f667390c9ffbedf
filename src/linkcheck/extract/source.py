"""Reading document bytes as text, and turning character offsets into line and column."""

from __future__ import annotations

import codecs
import re
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
# A charset declared in the first kilobyte: HTML's <meta>, or an ``encoding:`` front-matter key.
_DECLARED = re.compile(
    rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]{1,40})"
    rb"|\A---\r?\n(?:[^\n]*\n){0,40}?(?:encoding|charset)\s*:\s*[\"']?([A-Za-z0-9_.:\-]{1,40})",
    re.IGNORECASE,
)
# Labels the Encoding Standard reads as windows-1252, whatever Python would do with them.
_WINDOWS_1252_LABELS = frozenset({"ascii", "us-ascii", "latin1", "latin-1", "iso-8859-1", "l1"})
# What the detector may decide: scripts whose bytes a Western guess would turn to nonsense.
# (On a few stray bytes of English it names Central European or Urdu code pages: those it is
# not trusted with, and the browser's Western default stands.)
_DETECTABLE = frozenset(
    {
        "big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jp", "euc_kr",
        "gb18030", "gb2312", "gbk", "hz", "iso2022_jp", "iso2022_kr", "johab", "shift_jis",
        "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866",
        "cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874", "tis_620",
    }
)  # fmt: skip
_DETECTION_MINIMUM = 8  # non-ASCII bytes: fewer say too little about the script


def decode_document(data: bytes) -> tuple[str, str | None]:
    """Decode a document: by its byte-order mark, as UTF-8, by its declared charset, else by
    detection (a CJK, Cyrillic, Greek, Hebrew, Arabic or Thai code page), else as Windows-1252.

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
        # Valid UTF-8 first, even against a declaration: legacy bytes are almost never valid
        # UTF-8 by chance, while a Markdown page may well quote a <meta charset> it does not use.
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        declared = declared_codec(data[:1024])
        if declared is not None:
            return data.decode(declared, "replace"), None
        # One stray byte must not cost the document: read it as a browser would.
        found = f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        detected = _detect(data)
        if detected is not None:
            return data.decode(detected, "replace"), f"{found}: detected as {detected}"
        return data.decode(FALLBACK_ENCODING, "replace"), f"{found}: read as Windows-1252"


def declared_codec(head: bytes) -> str | None:
    """The Python codec of a charset ``head`` declares (``<meta>`` or front matter), if known."""
    match = _DECLARED.search(head)
    if match is None:
        return None
    return codec_for((match.group(1) or match.group(2)).decode("ascii"))


def codec_for(label: str) -> str | None:
    """The Python codec for a charset label as a browser reads it (None: unknown)."""
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return FALLBACK_ENCODING
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _detect(data: bytes) -> str | None:
    """A detected encoding for a non-UTF-8 document in a script a Western guess would garble."""
    if sum(1 for byte in data[:65536] if byte > 0x7F) < _DETECTION_MINIMUM:
        return None
    from charset_normalizer import from_bytes  # only for the rare document that needs it

    best = from_bytes(data).best()
    if best is None or best.encoding not in _DETECTABLE:
        return None
    return str(best.encoding)


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

    def offset(self, line: int, column: int) -> int | None:
        """The character offset of 1-based (line, column); None for a line the text lacks."""
        if not 1 <= line <= len(self._starts):
            return None
        return self._starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``offset``."""
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
