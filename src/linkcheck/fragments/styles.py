"""What a page's own styles say about its text: ``display``, ``visibility`` and ``white-space``
from inline styles and ``<style>`` rules, and the anti-flicker styles that hide a whole page
until a script lifts them."""

from __future__ import annotations

from dataclasses import dataclass

import tinycss2
from cssselect import ExpressionError, SelectorError
from lxml.html import HtmlElement

# display values that make an element a block: it ends a run of searchable text.
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
# white-space values that keep whitespace as written.
PRESERVED = frozenset({"pre", "pre-wrap", "break-spaces"})
PRE_LINE = "pre-line"

# Anti-flicker snippets, by the id of the <style> they add: they hide the whole page until a
# script (an A/B test, an analytics tag) lifts the style a moment later.
FLICKER_SNIPPETS = {
    "chartbeat-flicker-control-style": "Chartbeat's anti-flicker snippet",
    "_vis_opt_path_hides": "VWO's anti-flicker snippet",
    "at-body-style": "Adobe Target's pre-hiding snippet",
    "async-hide": "Google Optimize's anti-flicker snippet",
    "optimizely-hide": "Optimizely's anti-flicker snippet",
}
_PAGE_HIDE = "a style that hides the whole page until a script shows it"


@dataclass(slots=True)
class Style:
    display: str | None = None
    visibility: str | None = None
    white_space: str | None = None


def computed(
    element: HtmlElement,
    sheet: dict[HtmlElement, Style],
    unhide: frozenset[HtmlElement] = frozenset(),
) -> Style:
    """The element's display, visibility and white-space: its inline style wins over the
    stylesheets."""
    from_sheet = sheet.get(element)
    style = (
        Style(from_sheet.display, from_sheet.visibility, from_sheet.white_space)
        if from_sheet
        else Style()
    )
    inline = element.get("style")
    if inline:
        apply_declarations(style, tinycss2.parse_blocks_contents(inline))
    if element in unhide:
        style.display = None if style.display == "none" else style.display
        style.visibility = None if style.visibility in ("hidden", "collapse") else style.visibility
    return style


def apply_declarations(style: Style, nodes: list[object]) -> None:
    for node in nodes:
        if getattr(node, "type", None) != "declaration":
            continue
        name = str(getattr(node, "lower_name", ""))
        if name not in ("display", "visibility", "white-space"):
            continue
        value = tinycss2.serialize(getattr(node, "value", [])).strip().lower()
        value = value.split()[0] if value else ""
        if name == "display":
            style.display = value
        elif name == "visibility":
            style.visibility = value
        elif value in (*PRESERVED, PRE_LINE, "normal", "nowrap"):
            style.white_space = "normal" if value == "nowrap" else value


def page_hides(root: HtmlElement, sheet: dict[HtmlElement, Style]) -> dict[HtmlElement, str]:
    """``<html>`` and ``<body>`` when a style hides the whole page and a script is there to
    lift it (an anti-flicker snippet), each with what hides it."""
    if next(root.iter("script"), None) is None:
        return {}
    name = snippet_of(root)
    hides = {}
    for element in (root, root.find("body")):
        if element is None:
            continue
        style = computed(element, sheet)
        if style.display == "none" or style.visibility in ("hidden", "collapse"):
            hides[element] = name
    return hides


def snippet_of(root: HtmlElement) -> str:
    """Which anti-flicker snippet a page carries, by its ``<style>`` element's id or class."""
    for style in root.iter("style"):
        marks = f"{style.get('id') or ''} {style.text or ''}"
        for key, name in FLICKER_SNIPPETS.items():
            if key in marks:
                return name
    return _PAGE_HIDE


def stylesheet_styles(root: HtmlElement) -> dict[HtmlElement, Style]:
    """Display, visibility and white-space set by the page's own ``<style>`` rules, by element.

    Rules apply in source order (later wins; specificity is not weighed). Selectors cssselect
    cannot match (pseudo-classes such as ``:hover``) are skipped, as are nested at-rules.
    """
    styles: dict[HtmlElement, Style] = {}
    for element in root.iter("style"):
        css = element.text_content()
        if "display" not in css and "visibility" not in css and "white-space" not in css:
            continue
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            declared = Style()
            apply_declarations(declared, tinycss2.parse_blocks_contents(rule.content))
            if declared == Style():
                continue
            try:
                matched = root.cssselect(tinycss2.serialize(rule.prelude).strip())
            except (SelectorError, ExpressionError):
                continue
            for target in matched:
                style = styles.setdefault(target, Style())
                if declared.display is not None:
                    style.display = declared.display
                if declared.visibility is not None:
                    style.visibility = declared.visibility
                if declared.white_space is not None:
                    style.white_space = declared.white_space
    return styles
