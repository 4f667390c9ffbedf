"""Declarative shadow DOM: a host's shadow root, and what each of its ``<slot>``s shows."""

from __future__ import annotations

from lxml.html import HtmlElement


def shadow_root(element: HtmlElement) -> HtmlElement | None:
    """The element's declarative shadow root (its first ``<template shadowrootmode>``)."""
    for child in element:
        if child.tag == "template" and child.get("shadowrootmode") in ("open", "closed"):
            return child
        if isinstance(child.tag, str):
            return None  # only a host's first child element becomes its shadow root
    return None


def assign_slots(
    host: HtmlElement,
    shadow: HtmlElement,
    slots: dict[HtmlElement, list[HtmlElement | str]],
    moved_tails: set[HtmlElement],
) -> None:
    """What each ``<slot>`` of ``host``'s shadow root shows: the host's children of its
    ``slot=`` name; the unnamed slot takes the other children and the host's text. A slot
    given nothing shows its own content."""
    named: dict[str, list[HtmlElement | str]] = {}
    unnamed: list[HtmlElement | str] = [host.text] if host.text else []
    after_root = [shadow.tail] if shadow.tail else []
    for text_or_child in (*after_root, *(c for c in host if c is not shadow)):
        if isinstance(text_or_child, str):
            unnamed.append(text_or_child)
            continue
        child = text_or_child
        moved_tails.add(child)
        if isinstance(child.tag, str) and child.get("slot"):
            named.setdefault(child.get("slot") or "", []).append(child)
        else:
            unnamed.append(child)
        if child.tail:
            unnamed.append(child.tail)
    if all(isinstance(item, str) and not item.strip() for item in unnamed):
        unnamed = []  # only whitespace: the default slot keeps its fallback
    for slot in shadow.iter("slot"):
        name = slot.get("name") or ""
        assigned = named.pop(name, None) if name else unnamed
        if assigned:
            slots[slot] = assigned
            if not name:
                unnamed = []
