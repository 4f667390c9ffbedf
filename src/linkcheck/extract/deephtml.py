"""HTML nested deeper than lxml's parser reads, read whole.

libxml2's parser stops at 2,048 levels of nesting (even with ``huge_tree``) and drops what lies
below, without a word: a generated or fuzzed page nested 100,000 deep would lose its links and
its text. Such a page is read again with Python's own HTML tokenizer, which has no depth limit,
into an lxml tree built element by element: every element is kept, in document order, with its
attributes and text. lxml's own trees take any depth, but walking a very deep one costs time
that grows with the square of its depth (52 s for 100,000 levels), so the tree is folded: an
element whose parent lies ``FOLD_AT`` deep is hung ``FOLD_TO`` deep instead, on its ancestor
there (measured best among 128 to 4,096: 1.4 s to extract, 2.9 s to search such a page). A link
keeps its own children unless it sits right at the fold.
"""

from __future__ import annotations

import contextlib
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# The message libxml2 leaves in the parser's error log when it stopped descending.
_TOO_DEEP = "Excessive depth"
FOLD_AT = 2048
FOLD_TO = 1024
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip


def parse_html_document(text: str | bytes) -> HtmlElement | None:
    """The document's tree: lxml's, or the tokenizer's reading when lxml stopped descending;
    None when there is nothing to parse."""
    from lxml import etree, html  # slow to import: only when a document needs it

    parser = html.HTMLParser()
    try:
        root = html.document_fromstring(text, parser=parser)
    except ValueError:
        # lxml refuses text that carries an XML encoding declaration: give it the bytes.
        if not isinstance(text, str):
            return None
        return parse_html_document(text.encode("utf-8"))
    except etree.ParserError:
        return None  # nothing but whitespace or comments
    if any(_TOO_DEEP in entry.message for entry in parser.error_log):
        source = text if isinstance(text, str) else text.decode("utf-8", "replace")
        return tokenized_tree(source)
    return root


def tokenized_tree(source: str) -> HtmlElement:
    """Every element of ``source`` in an lxml tree, read by Python's HTML tokenizer (no implied
    elements or misnesting repairs beyond closing what an end tag closes)."""
    reader = _TreeReader()
    reader.feed(source)
    reader.close()
    return reader.root


class _TreeReader(HTMLParser):
    def __init__(self) -> None:
        from lxml.html import html_parser

        super().__init__(convert_charrefs=True)
        self.root: HtmlElement = html_parser.makeelement("html")
        # The open elements, each with its depth in the tree being built.
        self._open: list[tuple[str, HtmlElement, int]] = [("html", self.root, 0)]
        # Where the next text goes: the text of an element just opened, or the tail of one
        # just closed (or of a void element).
        self._cursor: tuple[HtmlElement, bool] = (self.root, True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        from lxml import etree

        if tag == "html":
            for name, value in attrs:
                self._set(self.root, name, value)
            return
        _, parent, depth = self._open[-1]
        if depth >= FOLD_AT:
            parent = next(element for _, element, at in reversed(self._open) if at == FOLD_TO - 1)
            depth = FOLD_TO - 1
        try:
            element = etree.SubElement(parent, tag)
        except ValueError:  # a tag name lxml cannot hold
            return
        for name, value in attrs:
            self._set(element, name, value)
        if tag in _VOID:
            self._cursor = (element, False)
        else:
            self._open.append((tag, element, depth + 1))
            self._cursor = (element, True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth][0] == tag:
                element = self._open[depth][1]
                del self._open[depth:]
                self._cursor = (element, False)
                return

    def handle_data(self, data: str) -> None:
        element, inside = self._cursor
        if inside:
            element.text = (element.text or "") + data
        else:
            element.tail = (element.tail or "") + data

    @staticmethod
    def _set(element: HtmlElement, name: str, value: str | None) -> None:
        with contextlib.suppress(ValueError):  # an attribute name lxml cannot hold
            element.set(name, value or "")
