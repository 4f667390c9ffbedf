"""The text a browser searches for a text fragment: rendered text, split into blocks.

Skips what a browser does not search (``<head>``, scripts, styles, ``hidden``, ``display:none``
and ``visibility:hidden`` set inline or by the page's own stylesheets…) and keeps what it does
(``<textarea>``, ``<input value>``, closed ``<details>``, ``hidden=until-found``, ``opacity:0``…).
Every block boundary (``<p>``, ``<div>``, table cells, ``<br>``, inline-block, or any element
styled ``display:block``/``flex``/``grid``…) ends a run: one term must sit inside one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from linkcheck.extract import parse_html_document
from linkcheck.fragments.shadow import assign_slots, shadow_root
from linkcheck.fragments.styles import (
    BLOCK_DISPLAYS,
    PRE_LINE,
    PRESERVED,
    Style,
    computed,
    page_hides,
    stylesheet_styles,
)

# Subtrees a browser never searches.
SKIPPED_TAGS = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "img",
        "meter",
        "object",
        "progress",
        "video",
        "audio",
        "canvas",
        "embed",
        "map",
        "datalist",
        "source",
        "track",
        "param",
        "base",
        "link",
        "meta",
    }
)
# Elements whose default display makes them blocks (or breaks, or inline-blocks) in Chromium.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "listing",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "plaintext",
        "pre",
        "search",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "xmp",
        "br",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "optgroup",
        "frameset",
        "frame",
    }
)
TEXT_INPUT_TYPES = frozenset(
    {
        "",
        "text",
        "search",
        "email",
        "url",
        "tel",
        "number",
        "date",
        "time",
        "datetime-local",
        "month",
        "week",
        "button",
        "submit",
        "reset",
    }
)
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_COLLAPSIBLE_SPACES = re.compile(r"[ \t\f]*[\n\r][ \t\f]*|[ \t\f]+")
# CSS white-space values that keep spaces and line breaks, and the one that keeps breaks only.
# Elements whose user-agent style preserves whitespace.
PREFORMATTED_TAGS = {
    "pre": "pre", "listing": "pre", "plaintext": "pre", "xmp": "pre", "textarea": "pre-wrap",
}  # fmt: skip
_FIRST_NEWLINE_DROPPED = frozenset({"pre", "listing", "textarea"})


@dataclass(slots=True)
class SearchableText:
    """A page's searchable text as runs (blocks), plus the ids a plain fragment can name.

    ``collapsed``: the runs with preformatted whitespace collapsed too (None when the page has
    none), to say why a quote a browser will not find was meant. ``revealed``: when a script is
    to lift a style hiding the whole page (an anti-flicker snippet), what hides it and the runs a
    reader then sees.
    """

    runs: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    collapsed: list[str] | None = None
    revealed: tuple[str, list[str]] | None = None


class _Text(str):
    """Text whose whitespace is kept (CSS ``white-space`` of ``mode``)."""

    __slots__ = ("mode",)
    mode: str


def _kept(text: str, mode: str) -> _Text:
    kept = _Text(text)
    kept.mode = mode
    return kept


def searchable_html(html: str | bytes) -> SearchableText:
    """Parse an HTML page into its searchable runs and its element ids / ``<a name>`` anchors.

    This walks lxml's own tree (the parser BeautifulSoup uses underneath) rather than a
    BeautifulSoup tree: building BeautifulSoup's Python objects costs 20 times as long, and a
    2 MB page must be searchable in well under a second.
    """
    result = SearchableText()
    root = parse_html_document(html)  # read whole, however deep it is nested
    if root is None:
        return result  # an empty page has nothing to search
    # A fragment names an element of the document tree: not one inside a (shadow) template.
    templates = next(root.iter("template"), None) is not None
    outside = "[not(ancestor::template)]" if templates else ""
    result.ids.update(str(v) for v in root.xpath(f"//*[@id and @id != '']{outside}/@id"))
    result.ids.update(str(v) for v in root.xpath(f"//a[@name and @name != '']{outside}/@name"))
    sheet = stylesheet_styles(root)
    read = _read_runs(_walk(root, sheet, shadows=templates), result.runs)
    if read.preformatted:
        result.collapsed = read.collapsed
    hides = page_hides(root, sheet)
    if hides:
        revealed: list[str] = []
        _read_runs(_walk(root, sheet, frozenset(hides), shadows=templates), revealed)
        if revealed != result.runs:
            result.revealed = (next(iter(hides.values())), revealed)
    return result


def searchable_plain_text(text: str) -> SearchableText:
    """A ``text/plain`` page: one run (ranges may cross lines, as in Chromium)."""
    runs: list[str] = []
    builder = _RunBuilder(runs)
    builder.add(text)
    builder.boundary()
    return SearchableText(runs, set())


def _read_runs(items: Iterator[str | None], runs: list[str]) -> _RunBuilder:
    """Build ``runs`` from a walk's text and boundaries; the builder says whether any text kept
    its whitespace, and holds the runs with all of it collapsed."""
    builder = _RunBuilder(runs)
    for item in items:
        if item is None:
            builder.boundary()
        else:
            builder.add(item)
    builder.boundary()
    return builder


class _RunBuilder:
    """Runs as rendered, and beside them (``collapsed``) as they would read if no whitespace
    were preformatted: the same strings, unless ``preformatted`` text was met."""

    def __init__(self, runs: list[str]) -> None:
        self._runs = runs
        self._parts: list[str] = []
        self.collapsed: list[str] = []
        self.preformatted = False

    def add(self, text: str) -> None:
        self._parts.append(text)

    def boundary(self) -> None:
        if not self._parts:
            return
        # Rendered whitespace: source whitespace runs collapse to one space; NBSP does not.
        collapsed = _COLLAPSIBLE.sub(" ", "".join(self._parts)).strip(" ")
        kept = any(isinstance(p, _Text) for p in self._parts)
        run = self._with_kept_whitespace() if kept else collapsed
        self._parts.clear()
        if run:
            self._runs.append(run)
        if collapsed:
            self.collapsed.append(collapsed)

    def _with_kept_whitespace(self) -> str:
        """The run with each part's whitespace treated by its own ``white-space``: kept in
        preformatted text (line breaks and indentation, as a browser renders and searches it),
        collapsed elsewhere, line breaks kept under ``pre-line``."""
        pieces: list[str] = []
        for part in self._parts:
            mode = part.mode if isinstance(part, _Text) else "normal"
            if mode in PRESERVED:
                if any(c in part for c in " \t\n\r\f"):
                    self.preformatted = True
                pieces.append(str(part))
                continue
            if mode == PRE_LINE:
                text = _COLLAPSIBLE_SPACES.sub(
                    lambda m: "\n" if m.group().strip(" \t\f") else " ", part
                )
                self.preformatted = self.preformatted or "\n" in text
            else:
                text = _COLLAPSIBLE.sub(" ", part)
            if text.startswith(" ") and pieces and pieces[-1][-1:] in (" ", "\n", "\t"):
                text = text[1:]  # a collapsible space after a space collapses into it
            if text:
                pieces.append(text)
        return "".join(pieces).strip(" ")


# A walk's stack entry: element, closing, is_block, visible in the parent, and the parent's
# white-space (for the element's tail, the text after it, which belongs to the parent).
_Entry = tuple[HtmlElement, bool, bool, bool, str]


def _walk(
    root: HtmlElement,
    sheet: dict[HtmlElement, Style],
    unhide: frozenset[HtmlElement] = frozenset(),
    *,
    shadows: bool = True,
) -> Iterator[str | None]:
    """Yield visible text in tree order, and None at every block boundary.

    ``display:none`` removes a subtree; ``visibility:hidden`` is inherited and a descendant may
    set ``visibility:visible`` again, so it decides text by text. A declarative shadow root
    (``<template shadowrootmode>``) is walked in place of its host's children, which appear
    where its ``<slot>`` elements take them (``shadows``: the page may have some).
    ``unhide``: elements whose hiding is ignored.
    """
    # Text on the stack is yielded as it is popped (a host's text, moved to its slot).
    stack: list[_Entry | str] = [(root, False, False, True, "normal")]
    slots: dict[HtmlElement, list[HtmlElement | str]] = {}
    moved_tails: set[HtmlElement] = set()  # a shadow host's children: their tails are slotted
    while stack:
        entry = stack.pop()
        if isinstance(entry, str):
            yield entry
            continue
        element, closing, is_block, parent_visible, outer = entry
        tail = element.tail if parent_visible and element not in moved_tails else None
        if closing:
            if is_block:
                yield None
            if tail:
                yield _with_mode(tail, outer)
            continue
        name = element.tag
        if not isinstance(name, str) or not _rendered(element, name, sheet, unhide):
            if tail:
                yield _with_mode(tail, outer)
            continue
        style = computed(element, sheet, unhide)
        visible = parent_visible
        if style.visibility in ("hidden", "collapse"):
            visible = False
        elif style.visibility == "visible":
            visible = True
        white_space = style.white_space or PREFORMATTED_TAGS.get(name) or outer
        if name == "input":
            kind = (element.get("type") or "").lower()
            value = element.get("value")
            if kind in TEXT_INPUT_TYPES and value is not None and visible:
                yield None
                yield value
                yield None
            if tail:
                yield _with_mode(tail, outer)
            continue
        block = style.display in BLOCK_DISPLAYS if style.display else name in BLOCK_TAGS
        if block:
            yield None
        stack.append((element, True, block, parent_visible, outer))
        shadow = shadow_root(element) if shadows else None
        children: list[HtmlElement | str]
        if shadow is not None:
            assign_slots(element, shadow, slots, moved_tails)
            if shadow.text and visible:
                yield _with_mode(shadow.text, white_space)
            children = list(shadow)
        elif name == "slot" and element in slots:
            # The host's children assigned to this slot, its own content only as a fallback.
            children = slots.pop(element)
        else:
            text = element.text
            if text and name in _FIRST_NEWLINE_DROPPED and text.startswith("\n"):
                text = text[1:]  # as the HTML parser does after <pre>; libxml2 keeps it
            if text and visible:
                yield _with_mode(text, white_space)
            children = list(element)
        for child in reversed(children):
            if not isinstance(child, str):
                stack.append((child, False, False, visible, white_space))
            elif visible:
                stack.append(_with_mode(child, white_space))


def _with_mode(text: str, white_space: str) -> str:
    return text if white_space == "normal" else _kept(text, white_space)


def _rendered(
    element: HtmlElement,
    name: str,
    sheet: dict[HtmlElement, Style],
    unhide: frozenset[HtmlElement] = frozenset(),
) -> bool:
    """Is the element rendered at all (not skipped, ``hidden`` or ``display:none``)?"""
    if name in SKIPPED_TAGS or (name == "select" and element.get("multiple") is None):
        return False
    hidden = element.get("hidden")
    if hidden is not None and hidden.lower() != "until-found":
        return False
    return computed(element, sheet, unhide).display != "none"
