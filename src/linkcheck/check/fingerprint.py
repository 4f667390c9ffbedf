"""A compact fingerprint of a page's main text, to tell content drift from re-rendering.

The main text is the page without its boilerplate (scripts, styles, navigation, header,
footer, asides, forms, and blocks named like ads, promotions, cookie banners, share bars,
comments or related links); its first 400 words, numbers left out (dates, counters and prices
change on every render), are cut into overlapping 3-word shingles. The fingerprint is the bottom-k
sketch of their hashes: the 128 smallest, 512 bytes. Two sketches estimate the Jaccard
similarity of the shingle sets; drift is what is not shared, in percent.
"""

from __future__ import annotations

import heapq
import re
import zlib
from array import array

SKETCH_SIZE = 128
SHINGLE = 3
MIN_SHINGLES = 8  # fewer: too little text to judge (a redirect stub, an image page)
# The opening of the main text is enough to tell another text from the same one re-rendered,
# and keeps a long page's fingerprint as cheap as a short one's.
MAX_WORDS = 400
MAX_CHARACTERS = 20_000

_BOILERPLATE_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer",
    "aside", "form", "button", "select",
)  # fmt: skip
_BOILERPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_BOILERPLATE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|promo\w*|sponsor\w*|cookie\w*|consent|newsletter|share|"
    r"social|comments?|related|recommend\w*|breadcrumbs?|sidebar|banner|popup|modal)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Punctuation and digits become spaces, so that splitting leaves words (str.translate and
# str.split: ten times faster than a Unicode-aware word regex over the same text).
_NOT_WORDS = str.maketrans(
    dict.fromkeys(
        "0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7\u00a9\u00ae",
        " ",
    )
)


def sketch_of(body: bytes) -> bytes | None:
    """The fingerprint of an HTML page's main text, or None when it has too little text."""
    from lxml import etree, html

    try:
        root = html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    etree.strip_elements(root, *_BOILERPLATE_TAGS, with_tail=False)
    named = root.xpath("//*[@class or @id or @role]")  # chosen in C: most elements have none
    for element in named if isinstance(named, list) else []:
        if not isinstance(element, etree._Element):
            continue
        parent = element.getparent()
        if parent is None:
            continue
        role = str(element.get("role") or "").lower()
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if role in _BOILERPLATE_ROLES or (names.strip() and _BOILERPLATE_NAMES.search(names)):
            # The element goes, its tail (text after it, in the parent) stays.
            if element.tail:
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + element.tail
                else:
                    parent.text = (parent.text or "") + element.tail
            parent.remove(element)
    body_element = root.find("body")
    # Every text node apart: "</p><p>" must not glue the words on either side together.
    top = body_element if body_element is not None else root
    text = " ".join(str(piece) for piece in top.itertext())
    return sketch_of_text(text)


def sketch_of_text(text: str) -> bytes | None:
    """The fingerprint of plain text (see the module's docstring)."""
    words = text[:MAX_CHARACTERS].lower().translate(_NOT_WORDS).split()[:MAX_WORDS]
    if len(words) < SHINGLE + MIN_SHINGLES - 1:
        return None
    # A stable hash a word (Python's own is salted per process), combined three at a time:
    # one C call a word and integer arithmetic a shingle, not a string a shingle.
    h = [zlib.crc32(word.encode()) for word in words]
    shingles = {
        (a * 0x9E3779B1 ^ b * 0x85EBCA77 ^ c * 0xC2B2AE3D) & 0xFFFFFFFF
        for a, b, c in zip(h, h[1:], h[2:], strict=False)
    }
    return array("I", sorted(heapq.nsmallest(SKETCH_SIZE, shingles))).tobytes()


def drift(first: bytes, now: bytes) -> float:
    """How much of the text differs between two fingerprints, in percent (0: the same)."""
    a, b = set(array("I", first)), set(array("I", now))
    union = heapq.nsmallest(SKETCH_SIZE, a | b)
    if not union:
        return 0.0
    shared = sum(1 for value in union if value in a and value in b)
    return round(100.0 * (1 - shared / len(union)), 1)
