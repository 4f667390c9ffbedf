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

import tinycss2
from cssselect import ExpressionError, SelectorError
from lxml.html import HtmlElement

from linkcheck.extract import parse_html_document

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
    """Parse an HTML page into its searchable runs and its element ids / ``<a name>`` anchors.

    This walks lxml's own tree (the parser BeautifulSoup uses underneath) rather than a
    BeautifulSoup tree: building BeautifulSoup's Python objects costs 20 times as long, and a
    2 MB page must be searchable in well under a second.
    """
    result = SearchableText()
    root = parse_html_document(html)  # read whole, however deep it is nested
    if root is None:
        return result  # an empty page has nothing to search
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element_id = element.get("id")
        if element_id:
            result.ids.add(element_id)
        if element.tag == "a" and element.get("name"):
            result.ids.add(element.get("name") or "")
    sheet = _stylesheet_styles(root)
    builder = _RunBuilder(result.runs)
    for item in _walk(root, sheet):
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


def _walk(root: HtmlElement, sheet: dict[HtmlElement, _Style]) -> Iterator[str | None]:
    """Yield visible text in tree order, and None at every block boundary.

    ``display:none`` removes a subtree; ``visibility:hidden`` is inherited and a descendant may
    set ``visibility:visible`` again, so it decides text by text.
    """
    # Entries: (element, closing, is_block, visible in the parent). A closing entry ends the
    # element's block and yields its tail, the text after it, which belongs to the parent.
    stack: list[tuple[HtmlElement, bool, bool, bool]] = [(root, False, False, True)]
    while stack:
        element, closing, is_block, parent_visible = stack.pop()
        if closing:
            if is_block:
                yield None
            if element.tail and parent_visible:
                yield element.tail
            continue
        name = element.tag
        if not isinstance(name, str) or not _rendered(element, name, sheet):
            if element.tail and parent_visible:
                yield element.tail
            continue
        style = _computed(element, sheet)
        visible = parent_visible
        if style.visibility in ("hidden", "collapse"):
            visible = False
        elif style.visibility == "visible":
            visible = True
        if name == "input":
            kind = (element.get("type") or "").lower()
            value = element.get("value")
            if kind in TEXT_INPUT_TYPES and value is not None and visible:
                yield None
                yield value
                yield None
            if element.tail and parent_visible:
                yield element.tail
            continue
        block = style.display in BLOCK_DISPLAYS if style.display else name in BLOCK_TAGS
        if block:
            yield None
        if element.text and visible:
            yield element.text
        stack.append((element, True, block, parent_visible))
        stack.extend((child, False, False, visible) for child in reversed(element))


def _rendered(element: HtmlElement, name: str, sheet: dict[HtmlElement, _Style]) -> bool:
    """Is the element rendered at all (not skipped, ``hidden`` or ``display:none``)?"""
    if name in SKIPPED_TAGS or (name == "select" and element.get("multiple") is None):
        return False
    hidden = element.get("hidden")
    if hidden is not None and hidden.lower() != "until-found":
        return False
    return _computed(element, sheet).display != "none"


def _computed(element: HtmlElement, sheet: dict[HtmlElement, _Style]) -> _Style:
    """The element's display and visibility: its inline style wins over the stylesheets."""
    from_sheet = sheet.get(element)
    style = _Style(from_sheet.display, from_sheet.visibility) if from_sheet else _Style()
    inline = element.get("style")
    if inline:
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


def _stylesheet_styles(root: HtmlElement) -> dict[HtmlElement, _Style]:
    """Display and visibility set by the page's own ``<style>`` rules, keyed by element.

    Rules apply in source order (later wins; specificity is not weighed). Selectors cssselect
    cannot match (pseudo-classes such as ``:hover``) are skipped, as are nested at-rules.
    """
    styles: dict[HtmlElement, _Style] = {}
    for element in root.iter("style"):
        css = element.text_content()
        if "display" not in css and "visibility" not in css:
            continue
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            declared = _Style()
            _apply_declarations(declared, tinycss2.parse_blocks_contents(rule.content))
            if declared.display is None and declared.visibility is None:
                continue
            try:
                matched = root.cssselect(tinycss2.serialize(rule.prelude).strip())
            except (SelectorError, ExpressionError):
                continue
            for target in matched:
                style = styles.setdefault(target, _Style())
                if declared.display is not None:
                    style.display = declared.display
                if declared.visibility is not None:
                    style.visibility = declared.visibility
    return styles
