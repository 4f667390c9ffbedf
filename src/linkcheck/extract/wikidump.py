"""MediaWiki's XML export (``Special:Export``, or a dump) as documents: one a page, named by
its title, read one at a time so that memory holds one page whatever the export's size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from linkcheck.extract import iter_citations
from linkcheck.model import Format, OpenDocument

_HEAD_BYTES = 1024


def is_export(path: Path) -> bool:
    """Is the file at ``path`` a MediaWiki XML export (its root element ``<mediawiki>``)?"""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except OSError:
        return False  # said when the file is read as a document
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<?xml"):
        start = start[start.find(b"?>") + 2 :].lstrip()
    return start.startswith(b"<mediawiki")


def export_documents(path: Path, name: str) -> Iterator[OpenDocument]:
    """Each page of the export at ``path`` as a wikitext document named by its title; a file
    that stops being a well-formed export is a problem of ``name``'s, after the pages before."""
    from lxml import etree

    pages = etree.iterparse(str(path), events=("end",), tag="{*}page", huge_tree=True)
    try:
        for _, page in pages:
            title = page.findtext("{*}title") or name
            revisions = page.findall("{*}revision")
            text = (revisions[-1].findtext("{*}text") or "") if revisions else ""
            page.clear()
            parent = page.getparent()
            while parent is not None and page.getprevious() is not None:
                del parent[0]  # the pages read before, and the site's information
            yield OpenDocument(
                title, Format.WIKITEXT, iter_citations(text, title, Format.WIKITEXT, None)
            )
    except etree.XMLSyntaxError as exc:
        yield OpenDocument(name, None, iter(()), problem=f"not a readable MediaWiki export: {exc}")
