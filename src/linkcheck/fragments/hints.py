"""A drift hint for a quote a page no longer has: the nearest passage, and how it now reads."""

from __future__ import annotations

import difflib
from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkcheck.fragments.directive import TextDirective
    from linkcheck.fragments.verify import Page

_HINT_CONTEXT = 3  # words shown either side of the first difference


def drift_hint(page: Page, directive: TextDirective) -> str | None:
    """``quoted "…cut by 56%…" — page now reads "…cut by 58%…"`` for the nearest passage."""
    from linkcheck.fragments.match import fold

    quoted = directive.start if directive.end is None else f"{directive.start} … {directive.end}"
    query_words = fold(directive.start).split()
    if directive.end is not None:
        query_words += fold(directive.end).split()
    if len(query_words) < 2:
        return None
    starts, ends = page.words()
    folded = page.folded.folded
    best: tuple[float, int, int] | None = None
    anchors = {0, len(query_words) - 2, max(0, len(query_words) // 2 - 1)}
    for offset in sorted(anchors):
        needle = " ".join(query_words[offset : offset + 2])
        position = folded.find(needle)
        seen = 0
        while position != -1 and seen < 20:
            seen += 1
            word = bisect_right(starts, position) - 1
            first = max(0, word - offset)
            last = min(len(starts), first + len(query_words) + 2)
            window = [folded[starts[i] : ends[i]] for i in range(first, last)]
            matcher = difflib.SequenceMatcher(None, query_words, window, autojunk=False)
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, first, last)
            position = folded.find(needle, position + 1)
    if best is None or best[0] < 0.6:
        return None
    _, first, last = best
    window = [folded[starts[i] : ends[i]] for i in range(first, last)]
    matcher = difflib.SequenceMatcher(None, query_words, window, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if not changes:
        return None
    _, q1, q2, p1, p2 = changes[0]
    original = page.folded
    quoted_words = quoted.split()
    if len(quoted_words) != len(query_words):
        quoted_words = query_words
    q_from, q_to = max(0, q1 - _HINT_CONTEXT), min(len(quoted_words), q2 + _HINT_CONTEXT)
    p_from, p_to = first + max(0, p1 - _HINT_CONTEXT), first + min(len(window), p2 + _HINT_CONTEXT)
    page_start = original.origin[starts[p_from]]
    page_end = original.origin[ends[p_to - 1] - 1] + 1
    page_text = " ".join(original.original[page_start:page_end].split())
    return f'quoted "…{" ".join(quoted_words[q_from:q_to])}…" — page now reads "…{page_text}…"'
