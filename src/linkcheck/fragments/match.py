"""Finding a text directive in a page's searchable text, as Chromium does.

Comparison is at the base-letter level (case, accents, ß/ss, ligatures, full-width forms, curly
quotes all compare equal); NBSP compares as a space; each term lies inside one block; word
boundaries (Unicode UAX #29) are checked at the outer edges of prefix+start and end+suffix; only
whitespace may separate the prefix from the start and the end from the suffix; a range ends at
the first end term after its start.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from linkcheck.fragments.directive import TextDirective

BLOCK_SEPARATOR = "\n"  # never inside a run, so no match of a term can cross two blocks
_WORD_BOUNDARY = regex.compile(r"\b", regex.WORD | regex.V1)
_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character at the collation's primary level: base letters, no case, plain forms.

    Invisible format characters (word joiner, zero-width space, soft hyphen…) fold to nothing:
    Chromium's search skips them, in the page and in the quote alike.
    """
    if char in ("\u00a0", "\u202f", "\u2007"):
        return " "
    if unicodedata.category(char) == "Cf":
        return ""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_QUOTES)


def fold(text: str) -> str:
    """Fold a query term (see ``fold_char``)."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(c) for c in text)


@dataclass(slots=True)
class FoldedText:
    """A page's runs joined by block separators, folded, with a map back to the original.

    ``origin[i]`` is the index in ``original`` of the character that folded to ``folded[i]``.
    """

    original: str
    folded: str
    origin: array[int]
    # ICU word boundaries of the blocks searched so far, by block start (see is_boundary).
    _dictionary_blocks: dict[int, frozenset[int]] = field(default_factory=dict)
    _has_dictionary_text: bool | None = None
    # Set when text that needs a dictionary was met but ICU could not be loaded.
    approximate: bool = False

    @classmethod
    def from_runs(cls, runs: list[str]) -> FoldedText:
        original = BLOCK_SEPARATOR.join(runs)
        if original.isascii():
            return cls(original, original.lower(), array("i", range(len(original))))
        pieces: list[str] = []
        origin = array("i")
        position = 0
        for match in _NON_ASCII.finditer(original):
            ascii_part = original[position : match.start()]
            pieces.append(ascii_part.lower())
            origin.extend(range(position, match.start()))
            for index in range(match.start(), match.end()):
                folded = fold_char(original[index])
                pieces.append(folded)
                origin.extend([index] * len(folded))
            position = match.end()
        pieces.append(original[position:].lower())
        origin.extend(range(position, len(original)))
        return cls(original, "".join(pieces), origin)

    def original_start(self, index: int) -> int | None:
        """Original index of folded ``index`` if it starts an original character, else None."""
        if index >= len(self.origin):
            return len(self.original)
        here = self.origin[index]
        if index > 0 and self.origin[index - 1] == here:
            return None
        return here

    def original_end(self, index: int) -> int | None:
        """Original index just past the character ending at folded ``index`` (exclusive).

        Characters that fold to nothing (combining marks) after it are included.
        """
        if index <= 0:
            return 0
        if index >= len(self.origin):
            return len(self.original)
        here, last = self.origin[index], self.origin[index - 1]
        if here == last:
            return None  # ends inside an expansion such as ß → ss
        end = last + 1
        # Combining marks that fold to nothing belong to the character before them; a format
        # character does not: the match (and its word-boundary test) ends before it, so a word
        # joiner glued to a word leaves no boundary there, as in Chromium.
        while end < here and unicodedata.category(self.original[end]) != "Cf":
            end += 1
        return end

    def is_boundary(self, original_index: int) -> bool:
        """A word boundary in the original text, as Chromium finds it: UAX #29, and ICU's
        dictionaries where the script has no spaces between words (Chinese, Japanese, Thai…):
        ``ようこ`` is not bounded inside ``ようこそ``."""
        if self._has_dictionary_text is None:
            self._has_dictionary_text = _DICTIONARY_SCRIPT.search(self.original) is not None
        if self._has_dictionary_text and self._beside_dictionary_text(original_index):
            boundaries = self._dictionary_boundaries(original_index)
            if boundaries is not None:
                return original_index in boundaries
        return _WORD_BOUNDARY.match(self.original, original_index) is not None

    def _beside_dictionary_text(self, index: int) -> bool:
        text = self.original
        return any(
            0 <= position < len(text) and _DICTIONARY_SCRIPT.match(text, position) is not None
            for position in (index - 1, index)
        )

    def _dictionary_boundaries(self, index: int) -> frozenset[int] | None:
        """ICU's word boundaries of the block around ``index`` (None without ICU)."""
        start = self.original.rfind(BLOCK_SEPARATOR, 0, index) + 1
        if start not in self._dictionary_blocks:
            end = self.original.find(BLOCK_SEPARATOR, index)
            block = self.original[start : end if end != -1 else len(self.original)]
            segments = icu_words(block)
            if segments is None:
                self.approximate = True
                return None
            boundaries = {start}
            position = start
            for segment in segments:
                position += len(segment)
                boundaries.add(position)
            self._dictionary_blocks[start] = frozenset(boundaries)
        return self._dictionary_blocks[start]


# Scripts written without spaces between words, whose word boundaries need a dictionary.
_DICTIONARY_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)


@lru_cache(maxsize=1)
def _word_breaker() -> type | None:
    try:
        from icu4py.breakers import WordBreaker
    except ImportError:  # ICU is missing: UAX #29 rules alone, said in the reason
        return None
    return WordBreaker  # type: ignore[no-any-return,unused-ignore]


def icu_words(text: str) -> list[str] | None:
    """ICU's word segments of ``text`` (dictionary-based for CJK, Thai…), or None without ICU."""
    breaker = _word_breaker()
    if breaker is None:
        return None
    from icu4py.locale import Locale

    return list(breaker(text, Locale("und")))


@dataclass(frozen=True, slots=True)
class Match:
    """Where a directive matched: original indexes of the highlighted text."""

    start: int
    end: int


def find_text_directive(page: FoldedText, directive: TextDirective) -> Match | None:
    """The first range of ``page`` that ``directive`` selects, per the spec's algorithm."""
    start = fold(directive.start)
    end = fold(directive.end) if directive.end is not None else None
    prefix = fold(directive.prefix) if directive.prefix is not None else None
    suffix = fold(directive.suffix) if directive.suffix is not None else None
    text = page.folded
    search_from = 0
    while search_from < len(text):
        if prefix is not None:
            prefix_match = _find(page, prefix, search_from, len(text), True, False)
            if prefix_match is None:
                return None
            search_from = prefix_match[0] + 1
            match_from = _skip_whitespace(text, prefix_match[1])
            if match_from >= len(text):
                return None
            must_end = end is not None or suffix is None
            potential = _find(page, start, match_from, len(text), False, must_end)
            if potential is None or potential[0] != match_from:
                continue
        else:
            must_end = end is not None or suffix is None
            potential = _find(page, start, search_from, len(text), True, must_end)
            if potential is None:
                return None
            search_from = potential[0] + 1
        match_start, match_end = potential
        end_search_from = match_end
        while end_search_from < len(text) or end is None:
            if end is not None:
                end_match = _find(page, end, end_search_from, len(text), True, suffix is None)
                if end_match is None:
                    return None
                match_end = end_match[1]
            if suffix is None:
                return _to_original(page, match_start, match_end)
            suffix_from = _skip_whitespace(text, match_end)
            suffix_match = _find(page, suffix, suffix_from, len(text), False, True)
            if suffix_match is None:
                return None
            if suffix_match[0] == suffix_from:
                return _to_original(page, match_start, match_end)
            if end is None:
                break
            end_search_from = match_end
        else:
            return None
    return None


def _find(
    page: FoldedText, query: str, start: int, stop: int, word_start: bool, word_end: bool
) -> tuple[int, int] | None:
    """First occurrence of ``query`` in folded [start, stop) meeting the word-boundary rules."""
    text = page.folded
    index = text.find(query, start, stop)
    while index != -1:
        last = index + len(query)
        original_start = page.original_start(index)
        original_end = page.original_end(last)
        if (
            original_start is not None
            and original_end is not None
            and (not word_start or page.is_boundary(original_start))
            and (not word_end or page.is_boundary(original_end))
        ):
            return index, last
        index = text.find(query, index + 1, stop)
    return None


def _skip_whitespace(text: str, index: int) -> int:
    """The next non-whitespace position; whitespace here includes block boundaries and, as the
    spec oddly says, the literal text ``&nbsp;`` (or ``&nbsp``)."""
    while index < len(text):
        if text[index].isspace():
            index += 1
        elif text.startswith("&nbsp", index):
            index += 6 if text.startswith("&nbsp;", index) else 5
        else:
            break
    return index


def _to_original(page: FoldedText, start: int, end: int) -> Match:
    original_start = page.original_start(start)
    original_end = page.original_end(end)
    assert original_start is not None and original_end is not None
    return Match(original_start, original_end)


def matched_text(page: FoldedText, match: Match) -> str:
    """The highlighted text, blocks joined by a space."""
    return page.original[match.start : match.end].replace(BLOCK_SEPARATOR, " ")
