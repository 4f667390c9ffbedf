"""The vocabulary of extraction: citations, where they are, and the documents they are in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkcheck.model.results import Status


class UrlKind(StrEnum):
    """What kind of target a cited URL points at, decided without the network."""

    HTTP = "http"
    MAILTO = "mailto"
    TEL = "tel"
    LOCAL = "local"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"
    DOI = "doi"  # a DOI, checked at its registry (its url: the resolver's)
    ARXIV = "arxiv"  # an arXiv identifier, checked with the arXiv API


class Format(StrEnum):
    """Document formats that extraction understands."""

    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"
    SITEMAP = "sitemap"  # an XML sitemap: its <loc> entries are its citations
    RST = "rst"  # reStructuredText
    NOTEBOOK = "notebook"  # a Jupyter notebook
    BIBTEX = "bibtex"  # a BibTeX or BibLaTeX bibliography
    LATEX = "latex"
    ORG = "org"  # Org mode
    ASCIIDOC = "asciidoc"
    PDF = "pdf"
    DOCX = "docx"  # a Word document
    WIKITEXT = "wikitext"  # MediaWiki's markup: a page's source, or pages of an XML export


@dataclass(frozen=True, slots=True)
class Site:
    """Where documents will be served, for their relative links: a built site's folder on
    disk (root-relative links are files in it), and the base URL it will be served at
    (relative links are then URLs under it, checked over the network)."""

    root_dir: Path | None = None
    base_url: str | None = None

    def page_url(self, document: Path) -> str | None:
        """The URL ``document`` will be served at: its path below the root (the current
        folder without one) joined to the base URL; None without a base URL."""
        if self.base_url is None:
            return None
        root = (self.root_dir or Path.cwd()).resolve()
        try:
            below = document.resolve().relative_to(root).as_posix()
        except ValueError:
            below = document.name
        return self.base_url.rstrip("/") + "/" + below


@dataclass(frozen=True, slots=True)
class Ignore:
    """An inline ignore reaching a citation: where it is written, and the verdicts it silences
    (none listed: every verdict, and the URL is not fetched)."""

    where: str  # file:line of the directive
    statuses: frozenset[Status] = frozenset()


@dataclass(frozen=True, slots=True)
class Claims:
    """What a citing document says about a source beside its URL (a wiki citation template's
    parameters): the words it quotes, whether the source is dead or unfit to link, where an
    archived copy is, when it was read."""

    quote: str | None = None
    # The template's url-status (CS1: live, dead, usurped, unfit, deviated; deadurl=yes is dead).
    status: str | None = None
    dead_tag: str | None = None  # a {{dead link}} after the citation: its date, or ''
    archive_url: str | None = None
    archive_date: str | None = None
    access_date: str | None = None

    @property
    def unfit(self) -> bool:
        """Must the original not be linked (usurped by another site, or unfit)?"""
        return self.status in ("usurped", "unfit")

    @property
    def read_on(self) -> date | None:
        """The day the writer read the source (its access-date: ``1 May 2020``, ``May 1,
        2020``, ``2020-05-01`` or ``May 2020``), or, failing that, its archive-date."""
        for written in (self.access_date, self.archive_date):
            for pattern in _DATE_FORMATS:
                try:
                    return datetime.strptime((written or "").strip(), pattern).date()
                except ValueError:
                    continue
        return None


# How citation templates write a day (CS1 accepts these, and the month alone).
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%B %Y")


@dataclass(frozen=True, slots=True)
class Citation:
    """One place where a document cites a URL.

    ``line`` and ``column`` are 1-based and point at the first character of the URL as it is
    written in the original file (front matter included). ``target`` is the resolved local path
    for ``local`` citations; ``reason`` explains an ``invalid`` one, or notes how an identifier
    was read (an escape undone). ``identifier``: a ``doi`` or ``arxiv`` citation's identifier,
    normalised (a case-folded DOI; an arXiv id in its canonical form, version kept).
    """

    url: str
    file: str
    line: int
    column: int
    text: str
    role: str
    kind: UrlKind = UrlKind.HTTP
    target: str | None = None
    reason: str | None = None
    ignore: Ignore | None = None
    # The part of the document it is in, for formats that have them: ("cell", 3) in a
    # notebook, ("page", 2) in a PDF, ("paragraph", 14) in a Word document, ("entry",
    # "knuth84") in a bibliography.
    part: tuple[str, int | str] | None = None
    identifier: str | None = None
    claims: Claims | None = None  # what the document says about the source (see Claims)


@dataclass(slots=True)
class Document:
    """A document, its detected format and the citations found in it.

    ``problem`` says why it could not be read (``format`` is then None), or why reading it
    stopped part-way.
    """

    file: str
    format: Format | None
    citations: list[Citation] = field(default_factory=list)
    problem: str | None = None


@dataclass(slots=True)
class OpenDocument:
    """A document whose citations are extracted lazily, as they are consumed (``problem``:
    as for Document, known once the citations are consumed)."""

    file: str
    format: Format | None
    citations: Iterator[Citation]
    problem: str | None = None
