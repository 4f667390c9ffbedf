"""The text a browser searches for a text fragment: rendered text, split into blocks.

Skips what a browser does not search (``<head>``, scripts, styles, ``hidden``, ``display:none``
and ``visibility:hidden`` set inline or by the page's own stylesheets…) and keeps what it does
(``<textarea>``, ``<input value>``, closed ``<details>``, ``hidden=until-found``, ``opacity:0``…).
Every block boundary (``<p>``, ``<div>``, table cells, ``<br>``, inline-block, or any element
styled ``display:block``/``flex``/``grid``…) ends a run: one term must sit inside one run.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import soupsieve
import tinycss2
from bs4 import BeautifulSoup, Tag
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
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
BLOCK_DISPLAYS = frozenset(
    {
        "block",
        "inline-block",
        "flex",
        "inline-flex",
        "grid",
        "inline-grid",
        "table",
        "inline-table",
        "list-item",
        "flow-root",
        "table-cell",
        "table-row",
        "table-caption",
        "table-row-group",
        "table-header-group",
        "table-footer-group",
        "run-in",
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
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")


@dataclass(slots=True)
class SearchableText:
    """A page's searchable text as runs (blocks), plus the ids a plain fragment can name."""

    runs: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Style:
    display: str | None = None
    visibility: str | None = None


def searchable_html(html: str | bytes) -> SearchableText:
    """Parse an HTML page into its searchable runs and its element ids / ``<a name>`` anchors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "lxml")
    sheet = _stylesheet_styles(soup)
    result = SearchableText()
    for tag in soup.find_all(True):
        if isinstance(tag, Tag):
            element_id = tag.get("id")
            if isinstance(element_id, str) and element_id:
                result.ids.add(element_id)
            name = tag.get("name")
            if tag.name == "a" and isinstance(name, str) and name:
                result.ids.add(name)
    builder = _RunBuilder(result.runs)
    for item in _walk(soup, sheet):
        if item is None:
            builder.boundary()
        else:
            builder.add(item)
    builder.boundary()
    return result


def searchable_plain_text(text: str) -> SearchableText:
    """A ``text/plain`` page: one run (ranges may cross lines, as in Chromium)."""
    runs: list[str] = []
    builder = _RunBuilder(runs)
    builder.add(text)
    builder.boundary()
    return SearchableText(runs, set())


class _RunBuilder:
    def __init__(self, runs: list[str]) -> None:
        self._runs = runs
        self._parts: list[str] = []

    def add(self, text: str) -> None:
        self._parts.append(text)

    def boundary(self) -> None:
        if not self._parts:
            return
        # Rendered whitespace: runs of source whitespace collapse to one space; NBSP does not.
        run = _COLLAPSIBLE.sub(" ", "".join(self._parts)).strip(" ")
        self._parts.clear()
        if run:
            self._runs.append(run)


def _walk(soup: BeautifulSoup, sheet: dict[int, _Style]) -> Iterator[str | None]:
    """Yield visible text in tree order, and None at every block boundary."""
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(soup.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            yield None
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                yield str(node)
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in SKIPPED_TAGS or (name == "select" and not node.has_attr("multiple")):
            continue
        hidden = node.get("hidden")
        if hidden is not None and str(hidden).lower() != "until-found":
            continue
        style = _computed(node, sheet)
        if style.display == "none" or style.visibility in ("hidden", "collapse"):
            continue
        if name == "input":
            kind = str(node.get("type", "")).lower()
            value = node.get("value")
            if kind in TEXT_INPUT_TYPES and isinstance(value, str):
                yield None
                yield value
                yield None
            continue
        is_block = style.display in BLOCK_DISPLAYS if style.display else name in BLOCK_TAGS
        if is_block:
            yield None
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))


def _computed(tag: Tag, sheet: dict[int, _Style]) -> _Style:
    """The element's display and visibility: its inline style wins over the stylesheets."""
    from_sheet = sheet.get(id(tag))
    style = _Style(from_sheet.display, from_sheet.visibility) if from_sheet else _Style()
    inline = tag.get("style")
    if isinstance(inline, str) and inline:
        _apply_declarations(style, tinycss2.parse_blocks_contents(inline))
    return style


def _apply_declarations(style: _Style, nodes: list[object]) -> None:
    for node in nodes:
        if getattr(node, "type", None) != "declaration":
            continue
        name = str(getattr(node, "lower_name", ""))
        if name not in ("display", "visibility"):
            continue
        value = tinycss2.serialize(getattr(node, "value", [])).strip().lower()
        value = value.split()[0] if value else ""
        if name == "display":
            style.display = value
        else:
            style.visibility = value


def _stylesheet_styles(soup: BeautifulSoup) -> dict[int, _Style]:
    """Display and visibility set by the page's own ``<style>`` rules, keyed by element.

    Rules apply in source order (later wins; specificity is not weighed). Selectors soupsieve
    cannot match (pseudo-classes such as ``:hover``) are skipped, as are nested at-rules.
    """
    styles: dict[int, _Style] = {}
    for element in soup.find_all("style"):
        css = element.get_text()
        if "display" not in css and "visibility" not in css:
            continue
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            declared = _Style()
            _apply_declarations(declared, tinycss2.parse_blocks_contents(rule.content))
            if declared.display is None and declared.visibility is None:
                continue
            selector = tinycss2.serialize(rule.prelude).strip()
            try:
                matched = soupsieve.select(selector, soup)
            except Exception:  # soupsieve raises several kinds for selectors it lacks
                continue
            for tag in matched:
                style = styles.setdefault(id(tag), _Style())
                if declared.display is not None:
                    style.display = declared.display
                if declared.visibility is not None:
                    style.visibility = declared.visibility
    return styles
