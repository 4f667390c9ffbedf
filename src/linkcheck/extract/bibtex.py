"""BibTeX and BibLaTeX bibliographies, read by bibtexparser: what each entry cites.

Every entry's ``url``, its ``doi`` (as the DOI's resolver URL), its ``eprint`` as biblatex
links it (``archivePrefix``/``eprinttype`` arXiv, JSTOR, PubMed, Google Books, Handle), and
``\\url{…}``, ``\\href{…}`` or a URL written out in a field a style prints (``note``,
``howpublished``…). String macros
(``@string``) are expanded. The link text is the entry's title (what a registry's record of an
identifier is compared with); the location is the value as written (a DOI's, for a DOI), and
names the entry's key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from linkcheck.extract.raw import (
    ARXIV_ABS,
    DOI_RESOLVER,
    RawLink,
    collapse_whitespace,
    inside,
    merged_spans,
)
from linkcheck.extract.text import find_bare_urls

# The eprint types biblatex links (its standard ``eprinttype`` handlers), and where.
EPRINTS = {
    "arxiv": ARXIV_ABS,
    "jstor": "https://www.jstor.org/stable/",
    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "googlebooks": "https://books.google.com?id=",
    "hdl": "https://hdl.handle.net/",
}
# The fields a bibliography style prints, where a URL written in the text is cited too (a field
# no style prints — ``abstract``, a field switched off as ``_note`` — is never on the page).
PRINTED = frozenset(
    {"note", "howpublished", "addendum", "annote", "annotation", "publisher", "organization",
     "institution", "school", "journal", "journaltitle", "booktitle", "series", "title",
     "address", "location", "edition", "type", "chapter", "pages", "version", "eventtitle"}
)  # fmt: skip
_URL_COMMANDS = re.compile(r"\\(?:url|href)\s*\{([^{}\s]+)\}")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)
# TeX escapes a URL or DOI may carry: \_ \% \# \& \~ as the characters they print.
_TEX_ESCAPE = re.compile(r"\\([_%#&~$])")


def extract_bibtex(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of every entry, in the order the entries are written."""
    import bibtexparser

    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    lines = [0] + [match.end() for match in re.finditer("\n", text)]
    for entry in library.entries:
        fields = {field.key.lower(): field for field in entry.fields}
        title = _plain(str(fields["title"].value)) if "title" in fields else ""
        for name, field in fields.items():
            for url, written, role in _cited(name, str(field.value), fields):
                start = lines[min(field.start_line, len(lines) - 1)]
                offset = _written_at(text, written, start)
                yield RawLink(url, base_offset + offset, title, role, ("entry", entry.key))


def _cited(name: str, value: str, fields: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(URL, as written, role) for what the field ``name`` cites."""
    value = value.strip()
    if name == "url":
        if value:
            yield _untex(value), value, "bibtex:url"
    elif name == "doi":
        written = _DOI_PREFIX.sub("", value).strip()
        if written:
            yield DOI_RESOLVER + written, written, "bibtex:doi"  # escapes: read with a note
    elif name == "eprint":
        kind = str(getattr(fields.get("archiveprefix") or fields.get("eprinttype"), "value", ""))
        base = EPRINTS.get(kind.strip().lower())
        if base is not None and value:
            yield base + _untex(value), value, "bibtex:eprint"
    elif name in PRINTED:
        commands = list(_URL_COMMANDS.finditer(value))
        for match in commands:
            yield _untex(match.group(1)), match.group(1), f"bibtex:{name}"
        spans = merged_spans([m.span() for m in commands])
        for bare in find_bare_urls(value, plain=True):
            host = bare.url.partition("://")[2].split("/", 1)[0]
            if "." not in host.strip(".") or not value.startswith(bare.url, bare.offset):
                continue  # "http://www. example. org": cut short, not an address
            if not inside(spans, bare.offset):
                yield _untex(bare.url.rstrip("}")), bare.url, f"bibtex:{name}"


def _untex(value: str) -> str:
    return _TEX_ESCAPE.sub(r"\1", value)


def _plain(title: str) -> str:
    """A title as read: braces that protect capitals removed, whitespace collapsed."""
    return collapse_whitespace(title.replace("{", "").replace("}", ""))


def _written_at(text: str, written: str, start: int) -> int:
    """Where ``written`` first appears from ``start`` (the field's line) on."""
    found = text.find(written, start)
    return found if found != -1 else start
