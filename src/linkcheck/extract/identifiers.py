"""Scholarly identifiers as citations: DOIs and arXiv ids, recognised in URLs and in prose,
and normalised (no network).

A DOI is found as a resolver URL (``https://doi.org/…``, ``http://dx.doi.org/…``), a ``doi:``
string, or a bare DOI after "DOI"; an arXiv id as an ``arxiv.org`` ``/abs/`` or ``/pdf/`` URL or
an ``arXiv:`` string. Patterns find identifiers; they never reject one a registry might hold,
except where the syntax rules it out (a DOI must start ``10.``; an arXiv id has two grammars).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote

from linkcheck.extract.raw import ARXIV_ABS, DOI_RESOLVER, RawLink
from linkcheck.model import UrlKind, doi_path

_DOI_URL = re.compile(r"^https?://(?:dx\.|www\.)?doi\.org/(?:urn:doi:)?(10\.[^#]*)(#.*)?$", re.I)
_DOI_SCHEME = re.compile(r"^(?:doi:|info:doi/)\s*(.*)$", re.I | re.S)
_DOI = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([^#?]+?)(?:\.pdf)?/?(#.*)?$", re.I
)
_ARXIV_SCHEME = re.compile(r"^arxiv:\s*(.*)$", re.I | re.S)
_ARXIV_NEW = re.compile(r"^(\d\d)(\d\d)\.(\d{4,5})(v[1-9]\d*)?$")
_ARXIV_OLD = re.compile(
    r"^([a-z]+(?:-[a-z]{2,})?)(\.[a-zA-Z-]{2,})?/(\d\d)(\d\d)(\d{3})(v[1-9]\d*)?$"
)
_TEX_ESCAPE = re.compile(r"\\([_%#&~$])")
# DOIs and arXiv ids in prose: "doi:10.…", "DOI 10.…", "arXiv:2101.00001", "arXiv hep-th/…".
_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]{2,})?(?:\.[A-Za-z-]{2,})?/\d{7})(?:v[1-9]\d*)?"
_PROSE = re.compile(
    r"(?<![\w/.\-])(?:doi(?:\s*:\s*|\s+)(?P<doi>10\.\d+(?:\.\d+)*/[^\s\"<>`]+)"
    rf"|arxiv(?:\s*:\s*|\s+)(?P<arxiv>{_ARXIV_ID})(?!\w|\.\w))",
    re.I,
)
# A text that may cite one ("doi" as a word: not every "doing" is a second look).
_MENTIONS = re.compile(r"\bdoi\b|arxiv", re.I)
_TRAILING = ".,;:!?'*_~"  # prose punctuation after a DOI, as after a bare URL
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# A prose mention this close to a link of the same identifier is that link's text.
_SAME_CITATION = 300


@dataclass(frozen=True, slots=True)
class Identified:
    """A citation recognised as an identifier: its kind (``doi``, ``arxiv``, or ``invalid``
    with the reason as ``note``), the normalised identifier, the URL it is reported as, and a
    note on how it was read."""

    kind: UrlKind
    identifier: str | None
    url: str
    note: str | None = None

    @property
    def key(self) -> tuple[UrlKind, str | None]:
        """What two citations of the same identifier share."""
        return self.kind, self.identifier


def _cited_as(url: str) -> tuple[UrlKind, str | None] | None:
    identified = identify(url)
    return identified.key if identified is not None else None


def doi_key(doi: str) -> str:
    """A DOI as compared and cached: ASCII case-folded (DOIs are case-insensitive so)."""
    return doi.translate(_ASCII_LOWER)


def doi_url(doi: str, resolver: str = DOI_RESOLVER) -> str:
    """``doi`` at ``resolver``, escaped as the DOI Handbook asks."""
    return resolver.rstrip("/") + "/" + doi_path(doi)


def identify(url: str) -> Identified | None:
    """``url`` as an identifier citation, or None when it is no DOI or arXiv id."""
    if not _MENTIONS.search(url):
        return None
    if match := _DOI_URL.match(url):
        return _doi(match.group(1), url, match.group(2) or "")
    if match := _DOI_SCHEME.match(url):
        return _doi(match.group(1), None, "")
    if match := _ARXIV_URL.match(url):
        return _arxiv(unquote(match.group(1)), url, match.group(2) or "", strict=True)
    if match := _ARXIV_SCHEME.match(url):
        return _arxiv(match.group(1).strip(), None, "", strict=False)
    return None


def _doi(written: str, url: str | None, fragment: str) -> Identified:
    doi = unquote(written).strip().rstrip(".,;")
    note = None
    if "\\" in doi:
        untexed = _TEX_ESCAPE.sub(r"\1", doi)
        if untexed != doi:
            note = f"read as {untexed}: a DOI written with LaTeX escapes ({doi}) exists nowhere"
            doi, url = untexed, None
    if not _DOI.match(doi):
        reason = f"not a DOI: {doi!r} (a DOI is 10.<prefix>/<suffix>)"
        return Identified(UrlKind.INVALID, None, url or doi_url(doi) + fragment, reason)
    return Identified(UrlKind.DOI, doi_key(doi), url or doi_url(doi) + fragment, note)


def arxiv_id(written: str) -> str | None:
    """``written`` as an arXiv id in its canonical form (an old id without its subject class,
    version kept), or None when it is not one."""
    if match := _ARXIV_NEW.match(written):
        year, month, number, version = match.groups()
        yymm = int(year + month)
        # New ids began April 2007; the number grew to five digits in January 2015.
        if not 1 <= int(month) <= 12 or yymm < 704 or (len(number) == 5) != (yymm >= 1501):
            return None
        return written
    if match := _ARXIV_OLD.match(written):
        archive, _, year, month, number, version = match.groups()
        if not 1 <= int(month) <= 12 or 8 <= int(year) <= 90:  # old ids: 1991 to March 2007
            return None
        return f"{archive}/{year}{month}{number}{version or ''}"
    return None


def _arxiv(written: str, url: str | None, fragment: str, *, strict: bool) -> Identified | None:
    identifier = arxiv_id(written)
    if identifier is None:
        if strict:  # an arxiv.org page that is no paper (a listing, a help page): a URL
            return None
        reason = f"not an arXiv identifier: {written!r}"
        return Identified(UrlKind.INVALID, None, ARXIV_ABS + quote(written, safe="/."), reason)
    return Identified(UrlKind.ARXIV, identifier, url or ARXIV_ABS + identifier + fragment)


def find_identifiers(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """DOIs and arXiv ids written in prose (``doi:10.…``, ``DOI 10.…``, ``arXiv:…``)."""
    if not _MENTIONS.search(text):
        return
    for match in _PROSE.finditer(text):
        if match.group("doi"):
            doi = _balanced(match.group("doi")).rstrip(_TRAILING)
            yield RawLink("doi:" + doi, base_offset + match.start(), "", "doi")
        else:
            yield RawLink("arXiv:" + match.group("arxiv"), base_offset + match.start(), "", "arxiv")


def _balanced(doi: str) -> str:
    """``doi`` up to a closing bracket it did not open (a DOI may hold ``(…)`` and ``[…]``;
    ``[doi:10.…](https://…)`` ends at ``]``)."""
    depth = {")": 0, "]": 0}
    for index, char in enumerate(doi):
        if char in "([":
            depth[")" if char == "(" else "]"] += 1
        elif char in ")]":
            if depth[char] == 0:
                return doi[:index]
            depth[char] -= 1
    return doi


def with_identifiers(
    links: Iterable[RawLink], text: str, base_offset: int = 0
) -> Iterator[RawLink]:
    """``links`` (a format's, in document order) with the identifiers ``text`` mentions in
    prose merged in by position; a mention of an identifier a link near it already cites (the
    link's own text, ``[doi:10.…](https://doi.org/10.…)``) is that link."""
    if not _MENTIONS.search(text):
        yield from links
        return
    mentions = list(find_identifiers(text, base_offset))
    if not mentions:
        yield from links
        return
    found = list(links)
    cited: dict[tuple[UrlKind, str | None], list[int]] = {}
    for link in found:
        if (key := _cited_as(link.url)) is not None:
            cited.setdefault(key, []).append(link.offset)
    kept = []
    for mention in mentions:
        key = _cited_as(mention.url)
        near = cited.get(key, []) if key is not None else []
        if not any(abs(offset - mention.offset) <= _SAME_CITATION for offset in near):
            kept.append(mention)
    yield from heapq.merge(found, kept, key=lambda link: link.offset)


def unlinked_mentions(text: str, linked: Iterable[str]) -> Iterator[str]:
    """The identifiers ``text`` mentions in prose that none of the ``linked`` URLs cites, for
    formats without positions (a PDF page, a Word paragraph): each once, as written."""
    if not _MENTIONS.search(text):
        return
    seen: set[object] = set()
    seen.update(key for url in linked if (key := _cited_as(url)) is not None)
    for mention in find_identifiers(text):
        said = _cited_as(mention.url) or mention.url
        if said not in seen:
            seen.add(said)
            yield mention.url
