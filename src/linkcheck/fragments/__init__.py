"""Fragments: text directives and anchors, found on a page as a browser finds them.

The public face of the stage; its parser and matcher load when a page is first parsed.
"""

from __future__ import annotations

from pathlib import Path

from linkcheck.fragments.directive import quote_fragment
from linkcheck.fragments.pdf import DAMAGED_PDF
from linkcheck.fragments.verify import (
    QUOTED_TYPES,
    TEXT_TYPES,
    Page,
    verify_fragment,
    verify_fragments,
    with_fragments,
)

__all__ = [
    "DAMAGED_PDF",
    "QUOTED_TYPES",
    "TEXT_TYPES",
    "Page",
    "local_page",
    "quote_fragment",
    "verify_fragment",
    "verify_fragments",
    "with_fragments",
]


def local_page(path: Path) -> Page | None:
    """A local file as a page for its anchors (HTML ids, Markdown heading slugs), or None."""
    from linkcheck.fragments.local import local_page as read_local_page

    return read_local_page(path)
