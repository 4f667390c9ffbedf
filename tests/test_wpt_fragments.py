"""Cases ported from the web-platform-tests suite ``scroll-to-text-fragment/``.

WPT navigates a browser to a target page and records where it scrolled. Each case here keeps
the WPT case's fragment and turns its expectation into what a link checker reports: for every
directive and anchor, whether the page has it (found), not (missing), whether a browser drops
it (invalid), or whether an unused element id is only a note (skipped). The target page is our
own, written to hold what the cases look for.

The shadow-DOM case is ported with the shadow root written declaratively (``<template
shadowrootmode>``: WPT attaches it from script, which a link checker does not run). Not ported
(they need a browser's layout, not text): the scroll-position details (horizontal scroll, which
match is scrolled into view first). The README gives the count.
"""

from __future__ import annotations

import pytest

from linkcheck.fragments.verify import Page, verify_fragment

TARGET = """<!doctype html><html><head><title>Target page</title>
<style>.gone { display: none }</style></head><body>
<p>This is a test page</p>
<p id="element">An element to scroll to</p>
<p>foo foo bar</p>
<p>Characters that must be escaped: &amp;,-</p>
<p>A cat in Japanese: ネコ</p>
<p>!$'()*+./:;=?@_~</p>
<p>and here is more test page text</p>
<p>prefix <b>test page</b> <i>suffix</i></p>
<p hidden>hidden text</p>
<p class="gone">display none</p>
<div style="white-space: nowrap">horizontally scrolled text</div>
<div id="host"><template shadowrootmode="open"><p id="in-shadow">shadow text</p></template></div>
</body></html>"""

F, M, X, S = "found", "missing", "invalid", "skipped"  # X: a browser drops it
CASES = [
    # Fragments that are not text directives
    ("", []),
    (":~:text=this,is,test,page", [X]),  # four terms, no context markers: not a directive
    ("element:~:directive", [F, X]),  # the id works; the unknown directive is said
    (":~:TEXT=test", [X]),
    # Exact text, with every combination of context terms
    (":~:text=test", [F]),
    (":~:text=this is a-,test", [F]),
    (":~:text=test,-page", [F]),
    (":~:text=this is a-,test,-page", [F]),
    (":~:text=foo-,foo,-bar", [F]),  # the prefix equals the query
    # Ranges, with every combination of context terms
    (":~:text=this,page", [F]),
    (":~:text=this-,is,test", [F]),
    (":~:text=this,test,-page", [F]),
    (":~:text=this-,is,test,-page", [F]),
    (":~:text=this,none", [M]),
    (":~:text=none,page", [M]),
    (":~:text=this-,is,page,-none", [M]),
    (":~:text=none-,this,test,-page", [M]),
    # Percent-encoding
    (":~:text=this%20is%20a%20test%20page", [F]),
    (":~:text=test%20pag", [M]),  # not a whole word
    (":~:text=%26%2C%2D", [F]),
    (":~:text=%E3%83%8D%E3%82%B3", [F]),
    (":~:text=!$'()*+./:;=?@_~", [F]),
    # Several directives: each is reported on its own
    (":~:text=this&text=test,page", [F, F]),
    (":~:text=tes&text=age", [M, M]),
    (":~:text=none&text=test%20page", [M, F]),
    # WPT: "Text directive followed by non-text directive should match text", "Multiple text
    # directives and a non-text directive should match text": the unknown one is ignored.
    (":~:text=test%20page&directive", [F, S]),
    (":~:text=test&directive&text=page", [F, S, F]),
    (":~:directive", [X]),  # nothing a browser applies
    # An element id before the directive
    ("element:~:text=test", [F, F]),
    ("pagestate:~:text=test", [S, F]),  # the browser scrolls to the text
    ("element:~:text=nomatch", [F, M]),
    ("pagestate:~:text=nomatch", [M, M]),
    # Ambiguous text told apart by context
    (":~:text=more-,test%20page", [F]),
    (":~:text=test%20page,-text", [F]),
    (":~:text=more-,test%20page,-text", [F]),
    # Context terms in other elements than the text
    (":~:text=prefix-,test%20page,-suffix", [F]),
    # Hidden text: a browser does not scroll to it, and a reader cannot see it
    (":~:text=hidden%20text", [M]),
    (":~:text=display%20none", [M]),
    (":~:text=horizontally%20scrolled%20text", [F]),
    # WPT "shadow DOM": text in an open shadow root is found; its ids are not the document's
    (":~:text=shadow%20text", [F]),
    ("in-shadow", [M]),
]


@pytest.mark.parametrize(("fragment", "expected"), CASES, ids=[c[0] or "(empty)" for c in CASES])
def test_wpt_scroll_to_text_fragment_case(fragment: str, expected: list[str]) -> None:
    outcomes = verify_fragment(fragment, Page(TARGET, "text/html"))
    assert [outcome.state.value for outcome in outcomes] == expected, outcomes


def test_the_count_the_readme_gives() -> None:
    assert len(CASES) == 41
