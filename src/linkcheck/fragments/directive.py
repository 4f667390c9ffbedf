"""Parsing URL fragments: the element id, and the text directives after ``:~:``.

Follows the WICG Scroll-to-Text-Fragment grammar as Chromium applies it: only the first
``:~:`` counts, directives split on ``&``, ``text=[prefix-,]start[,end][,-suffix]``, each term
percent-decoded after splitting (``+`` stays a plus). Invalid directives are reported, not
guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

DELIMITER = ":~:"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Where a quote as an editor wrote it may differ from the page: an ellipsis or a bracketed one
# for omitted words, and quotation marks and apostrophes (straight or curly, either way).
_QUOTE_BREAKS = re.compile(r"\[?(?:…|\.{3})\]?|[\"“”„‟«»]")
_APOSTROPHES = "'‘’‚‛"


@dataclass(frozen=True, slots=True)
class TextDirective:
    """One parsed ``text=`` directive; ``raw`` is the directive as written."""

    raw: str
    start: str
    end: str | None = None
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True, slots=True)
class InvalidDirective:
    """A directive a browser drops, and why; ``unknown``: not a ``text=`` directive at all
    (which a browser ignores beside a valid text directive)."""

    raw: str
    reason: str
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class ParsedFragment:
    """A URL fragment split into the element id before ``:~:`` and the directives after it."""

    element_id: str
    directives: tuple[TextDirective | InvalidDirective, ...]


def parse_fragment(fragment: str) -> ParsedFragment:
    """Parse a URL fragment (without ``#``).

    What a browser silently ignores after ``:~:`` — nothing at all, ``TEXT=`` (names are
    case-sensitive), an unknown directive (often the tail of a quote whose ``&`` was not
    written as ``%26``) — comes back as an InvalidDirective, so that the author learns what
    will not be highlighted.
    """
    element_id, delimiter, directive = fragment.partition(DELIMITER)
    if not delimiter:
        return ParsedFragment(fragment, ())
    if not directive:
        return ParsedFragment(
            element_id, (InvalidDirective(DELIMITER, "nothing after :~: (browsers ignore it)"),)
        )
    parsed: list[TextDirective | InvalidDirective] = []
    for part in directive.split("&"):
        if part.startswith("text="):
            parsed.append(parse_text_directive(part[len("text=") :], part))
        elif part[:5].lower() == "text=":
            reason = (
                f"{part[:4]}= is not a text directive: names are case-sensitive; browsers ignore it"
            )
            parsed.append(InvalidDirective(part, reason, unknown=True))
        elif part:
            name = part.split("=", 1)[0]
            reason = (
                f"unknown directive {name!r}: browsers ignore it (a raw '&' in a quote ends "
                "the quote there: write it as %26)"
            )
            parsed.append(InvalidDirective(part, reason, unknown=True))
    return ParsedFragment(element_id, tuple(parsed))


def parse_text_directive(value: str, raw: str | None = None) -> TextDirective | InvalidDirective:
    """Parse the value of one ``text=`` directive."""
    raw = raw if raw is not None else f"text={value}"
    tokens = value.split(",")
    if len(tokens) > 4:
        return InvalidDirective(
            raw, f"too many parts ({len(tokens)}; at most prefix-,start,end,-suffix)"
        )
    prefix = suffix = None
    if len(tokens) > 1 and tokens[0].endswith("-"):
        prefix = tokens.pop(0)[:-1]
    if len(tokens) > 1 and tokens[-1].startswith("-"):
        suffix = tokens.pop()[1:]
    if not 1 <= len(tokens) <= 2:
        return InvalidDirective(raw, "expected text=[prefix-,]start[,end][,-suffix]")
    terms = {"prefix": prefix, "start": tokens[0], "end": tokens[1] if len(tokens) == 2 else None}
    terms["suffix"] = suffix
    decoded: dict[str, str | None] = {}
    for name, term in terms.items():
        if term is None:
            decoded[name] = None
            continue
        if term == "":
            return InvalidDirective(raw, f"empty {name} term")
        if "-" in term:
            return InvalidDirective(raw, f"literal '-' in the {name} term (write it as %2D)")
        if _BAD_ESCAPE.search(term):
            # The spec would search for the literal text; Chromium drops the directive.
            return InvalidDirective(raw, f"bad percent-escape in the {name} term")
        decoded[name] = decode_term(term)
    start = decoded["start"]
    assert start is not None
    return TextDirective(raw, start, decoded["end"], decoded["prefix"], decoded["suffix"])


def decode_term(term: str) -> str:
    """Percent-decode as UTF-8 (invalid bytes become U+FFFD); ``+`` is a literal plus."""
    return unquote_to_bytes(term).decode("utf-8", "replace")


def encode_term(term: str) -> str:
    """A directive term percent-encoded: ``,`` ``&`` and ``-`` too, which the grammar reserves."""
    return quote(term, safe="").replace("-", "%2D")


def quote_fragment(quoted: str) -> str | None:
    """The text fragment (``:~:text=…``) that finds a quote cited as its writer wrote it.

    Where the writer and the page may differ (an ellipsis or a bracketed one standing for
    omitted words; quotation marks and apostrophes, straight or curly), the quote is cut: its
    words from the first run to the last are a range (``text=start,end``), and a word with an
    apostrophe in it is left out. None when no words are left.
    """
    runs: list[list[str]] = [[]]
    for token in _QUOTE_BREAKS.sub(" \0 ", quoted).split():
        core = token.strip(_APOSTROPHES)
        if token != "\0" and core == token and not any(a in core for a in _APOSTROPHES):
            runs[-1].append(token)
            continue
        if token.startswith(tuple(_APOSTROPHES)):  # an opening quotation mark
            runs.append([])
        if core and token != "\0" and not any(a in core for a in _APOSTROPHES):
            runs[-1].append(core)
        runs.append([])
    words = [" ".join(run).strip(" ,;:") for run in runs]
    words = [run for run in words if any(c.isalnum() for c in run)]
    if not words:
        return None
    terms = words[:1] if len(words) == 1 else [words[0], words[-1]]
    return DELIMITER + "text=" + ",".join(encode_term(term) for term in terms)
