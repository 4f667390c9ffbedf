"""Text-fragment conformance: parsing and matching pinned to the spec and to Chromium's behaviour.

Cases come from the WICG spec's examples and from ../shared/docs/text-fragments.md (Chromium 156).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from linkcheck.fragments.directive import (
    InvalidDirective,
    TextDirective,
    parse_fragment,
    parse_text_directive,
)
from linkcheck.fragments.local import github_slug, markdown_anchors
from linkcheck.fragments.verify import FragmentState, Page, verify_fragment


def found(html: str, fragment: str, content_type: str = "text/html") -> bool:
    """Does the browser find every directive of ``fragment`` on the page?"""
    outcomes = verify_fragment(fragment, Page(html, content_type))
    assert outcomes, fragment
    # What a browser ignores (an unknown directive, say) is reported but decides nothing here.
    ignored = (FragmentState.INVALID, FragmentState.SKIPPED)
    states = {o.state for o in outcomes if o.state not in ignored}
    assert states <= {FragmentState.FOUND, FragmentState.MISSING}, outcomes
    return states == {FragmentState.FOUND}


def matched(html: str, fragment: str) -> str | None:
    (outcome,) = verify_fragment(fragment, Page(html, "text/html"))
    return outcome.matched_text


# --- Parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lazy%20dog", TextDirective("text=lazy%20dog", "lazy dog")),
        (
            "an%20example,text%20fragment",
            TextDirective("text=an%20example,text%20fragment", "an example", "text fragment"),
        ),
        (
            "this%20is-,an%20example",
            TextDirective("text=this%20is-,an%20example", "an example", prefix="this is"),
        ),
        (
            "an%20example,-text",
            TextDirective("text=an%20example,-text", "an example", suffix="text"),
        ),
        ("a-,b,c,-d", TextDirective("text=a-,b,c,-d", "b", "c", "a", "d")),
        ("1+1%3D2", TextDirective("text=1+1%3D2", "1+1=2")),  # + is a literal plus
        ("e%2Dmail", TextDirective("text=e%2Dmail", "e-mail")),
        ("caf%C3%A9", TextDirective("text=caf%C3%A9", "café")),
        ("caf%C3", TextDirective("text=caf%C3", "caf\ufffd")),  # truncated UTF-8 → U+FFFD
    ],
)
def test_parse_valid(value: str, expected: TextDirective) -> None:
    assert parse_text_directive(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty start term"),
        ("lazy,", "empty end term"),
        ("e-mail", "literal '-' in the start term (write it as %2D)"),
        ("lazy-", "literal '-' in the start term (write it as %2D)"),
        ("-lazy", "literal '-' in the start term (write it as %2D)"),
        ("the-,-dog", "literal '-' in the start term (write it as %2D)"),
        ("a,b,c,d,e", "too many parts (5; at most prefix-,start,end,-suffix)"),
        ("a-,b,c,d", "expected text=[prefix-,]start[,end][,-suffix]"),
        ("bad%ZZescape", "bad percent-escape in the start term"),
    ],
)
def test_parse_invalid(value: str, reason: str) -> None:
    result = parse_text_directive(value)
    assert isinstance(result, InvalidDirective) and result.reason == reason


def test_only_the_first_delimiter_counts_and_unknown_directives_are_ignored() -> None:
    parsed = parse_fragment("sec:~:text=lazy%20dog:~:text=fox&foo=bar&text=quick")
    assert parsed.element_id == "sec"
    assert [d.start for d in parsed.directives if isinstance(d, TextDirective)] == [
        "lazy dog:~:text=fox",
        "quick",
    ]
    for not_a_directive in ("text=x", ":~text=x"):
        assert parse_fragment(not_a_directive).directives == ()
    (upper,) = parse_fragment(":~:TEXT=x").directives
    assert isinstance(upper, InvalidDirective)
    assert upper.reason.startswith("TEXT= is not a text directive: names are case-sensitive")
    (empty,) = parse_fragment("intro:~:").directives
    assert isinstance(empty, InvalidDirective) and "nothing after :~:" in empty.reason
    unknown = [d for d in parsed.directives if isinstance(d, InvalidDirective)]
    assert [d.raw for d in unknown] == ["foo=bar"]
    assert unknown[0].reason.startswith("unknown directive 'foo': browsers ignore it")


def test_raw_ampersand_truncates_and_raw_comma_makes_a_range() -> None:
    tom, jerry = parse_fragment(":~:text=Tom%20&%20Jerry").directives
    assert tom == TextDirective("text=Tom%20", "Tom ")
    assert isinstance(jerry, InvalidDirective) and jerry.raw == "%20Jerry"  # said, not hidden
    (money,) = parse_fragment(":~:text=123,456%20dollars").directives
    assert money == TextDirective("text=123,456%20dollars", "123", "456 dollars")


def test_the_seed_directives_parse_into_the_expected_terms(seeds_dir: Path) -> None:
    from linkcheck.extract import extract_document
    from linkcheck.model import Format

    text = (seeds_dir / "000_e66d45765caffbcb.txt").read_text(encoding="utf-8")
    citations = extract_document(text, "seed", Format.MARKDOWN, None).citations
    directives = [
        d
        for c in citations
        if ":~:" in c.url
        for d in parse_fragment(urlsplit(c.url).fragment).directives
    ]
    assert all(isinstance(d, TextDirective) for d in directives)
    terms = [
        (d.prefix, d.start, d.end, d.suffix) for d in directives if isinstance(d, TextDirective)
    ]
    assert terms == [
        (None, "Nine straight months of zero", "unmatched in modern border history.", None),
        (None, "Section 1. \u00a0Deployment", "law enforcement operations.", None),
        (None, "The Lone Star", "their final destination.", None),
        (None, "The Trump administration announced Tuesday", 'was "barely a country."', None),
        (
            None,
            "ALERT: Secretary of Homeland Security Kristi Noem\u00a0has terminated Temporary "
            "Protected Status for Haiti and TPS benefits will no longer be in effect starting at "
            "11:59 p.m. on Feb. 3, 2026. Additional information is available in the\u00a0Federal "
            "Register notice.",
            None,
            None,
        ),
    ]


# --- Searchable text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<head><title>secret words</title></head><body>x</body>",
        "<script>var a = 'secret words';</script>",
        "<style>/* secret words */</style>",
        "<noscript>secret words</noscript>",
        "<template>secret words</template>",
        "<select><option>secret words</option></select>",
        "<p title='secret words'>x</p>",
        "<img alt='secret words'>",
        "<div hidden>secret words</div>",
        "<div style='display: none'>secret words</div>",
        "<div style='visibility:hidden'>secret words</div>",
        "<style>.x { display:none }</style><div class='x'>secret words</div>",
        "<style>#y{visibility: hidden}</style><p id='y'>secret words</p>",
        "<style>div.a.b { display : none !important }</style><div class='a b'>secret words</div>",
        "<style>span, p.note { display:none }</style><p class='note'>secret words</p>",
        "<!-- secret words -->",
        "<input type='hidden' value='secret words'>",
    ],
)
def test_text_a_browser_does_not_search(html: str) -> None:
    assert not found(f"<html>{html}<p>visible</p></html>", ":~:text=secret%20words")


@pytest.mark.parametrize(
    "html",
    [
        "<p style='opacity:0'>shown words</p>",
        "<div style='height:0;overflow:hidden'>shown words</div>",
        "<p aria-hidden='true'>shown words</p>",
        "<details><summary>More</summary>shown words</details>",
        "<div hidden='until-found'>shown words</div>",
        "<textarea>shown words</textarea>",
        "<input value='shown words'>",
        "<svg><text>shown words</text></svg>",
        "<style>.x { display:none }</style><div class='x' style='display:block'>shown words</div>",
        "<style>p:hover { display:none }</style><p>shown words</p>",
        "<p>sho<b>wn</b> <span>words</span></p>",
    ],
)
def test_text_a_browser_does_search(html: str) -> None:
    assert found(f"<html><body>{html}</body></html>", ":~:text=shown%20words")


@pytest.mark.parametrize(
    "html",
    [
        "<div>The<div> </div>quick brown fox</div>",  # the spec's own example
        "<p>The</p><p>quick brown fox</p>",
        "<li>The</li><li>quick brown fox</li>",
        "<table><tr><td>The</td><td>quick brown fox</td></tr></table>",
        "<p>The<br>quick brown fox</p>",
        "<p>The<span style='display:block'>quick brown fox</span></p>",
        "<p>The<span style='display:inline-block'>quick brown fox</span></p>",
        "<style>.b{display:flex}</style><p>The<span class='b'>quick brown fox</span></p>",
    ],
)
def test_a_term_cannot_cross_a_block_boundary(html: str) -> None:
    assert not found(html, ":~:text=The%20quick")


def test_inline_display_on_a_block_tag_does_not_break() -> None:
    html = "<div>The <div style='display:inline'>quick</div> fox</div>"
    assert found(html, ":~:text=The%20quick")


def test_ranges_and_context_may_cross_blocks() -> None:
    html = "<p>The quick</p><p>brown fox</p><p>jumps</p>"
    assert found(html, ":~:text=quick,jumps")
    assert found(html, ":~:text=The%20quick-,brown%20fox")
    assert found(html, ":~:text=brown%20fox,-jumps")
    assert matched(html, ":~:text=quick,jumps") == "quick brown fox jumps"


# --- Matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("café in Zürich", "cafe%20in%20Zurich"),
        ("Straße", "STRASSE"),
        ("“Smart quotes”", "%22Smart%20quotes%22"),
        ("it’s here", "it's%20here"),
        ("a ﬁle", "a%20file"),
        ("ＡＢＣ", "ABC"),
        ("cafe\u0301", "caf%C3%A9"),  # decomposed page, composed query
        ("café", "cafe%CC%81"),  # composed page, decomposed query
        ("1+1=2", "1+1%3D2"),
    ],
)
def test_primary_level_comparison(page: str, query: str) -> None:
    assert found(f"<p>{page}</p>", f":~:text={query}")


def test_whitespace_collapses_but_nbsp_does_not() -> None:
    page = "<p>Section 1. &nbsp;Deployment of the\n   Guard</p>"
    assert found(page, ":~:text=Section%201.%20%C2%A0Deployment")
    assert found(page, ":~:text=Section%201.%20%20Deployment")
    assert not found(page, ":~:text=Section%201.%20Deployment")
    assert found(page, ":~:text=of%20the%20Guard")
    assert not found(page, ":~:text=of%20the%20%20Guard")  # several spaces vs collapsed source
    assert found("<p>one&nbsp;two</p>", ":~:text=one%20two")
    assert not found("<p>one&nbsp;&nbsp;two</p>", ":~:text=one%20two")
    assert found("<p>Image <img src=x> between words</p>", ":~:text=Image%20between%20words")


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [
        ("123,456 dollars", "123", False),  # 123,456 is one word
        ("123,456 dollars", "123%2C456", True),
        ("snake_case here", "snake", False),
        ("mountain ranger", "ranger", True),
        ("mountain ranger", "range", False),
        ("mountain ranger", "mountain%20ran-,ger", True),  # the prefix/start joint is not checked
        ("a partial, then partial word", "part", False),
        ("par partial part", "part", True),  # a later full-word instance is used
        ("Tom & Jerry", "Tom%20&%20Jerry", True),  # raw & truncates: matches "Tom "
        ("1,234,567 and 123 and 456 dollars", "123,456%20dollars", True),
    ],
)
def test_word_boundaries(page: str, query: str, expected: bool) -> None:
    assert found(f"<p>{page}</p>", f":~:text={query}") is expected


def test_context_allows_only_whitespace_and_ranges_end_at_the_first_end() -> None:
    page = "<p>alpha beta gamma</p><p>alpha x beta delta</p><p>gamma end one end two</p>"
    assert matched(page, ":~:text=alpha-,beta") == "beta"
    assert not found("<p>alpha x beta</p>", ":~:text=alpha-,beta")
    assert found("<p>alpha x beta</p><p>alpha beta</p>", ":~:text=alpha-,beta")
    assert not found("<p>beta x gamma</p>", ":~:text=beta,-gamma")
    # The first start wins, and the range runs across blocks to the first end after it.
    assert matched(page, ":~:text=gamma,end") == "gamma alpha x beta delta gamma end"
    assert matched("<p>start a end b end</p>", ":~:text=start,end") == "start a end"
    # With a suffix, the range ends at the first end that the suffix follows.
    assert matched("<p>start a end b end!</p>", ":~:text=start,end,-!") == "start a end b end"
    assert not found("<p>x end then start</p>", ":~:text=start,end")


def test_several_directives_each_reported() -> None:
    outcomes = verify_fragment(
        ":~:text=quick&text=missing%20words&text=e-mail", Page("<p>quick</p>", "text/html")
    )
    assert [o.state for o in outcomes] == [
        FragmentState.FOUND,
        FragmentState.MISSING,
        FragmentState.INVALID,
    ]


def test_plain_text_pages_and_other_types() -> None:
    plain = "line one ends\nline two starts here"
    assert found(plain, ":~:text=ends,starts", content_type="text/plain")
    (outcome,) = verify_fragment(":~:text=x", Page(b"\x89PNG", "image/png"))
    assert outcome.state is FragmentState.UNVERIFIABLE
    assert "HTML, plain-text and PDF pages, not image/png" in outcome.reason
    (outcome,) = verify_fragment(":~:text=x", Page(b"%PDF-1.7", "application/pdf"))
    assert outcome.state is FragmentState.UNVERIFIABLE
    assert (
        outcome.reason
        == "the PDF cannot be read (Failed to load document (PDFium: Data format error))"
    )


def test_drift_hint_names_the_nearest_passage() -> None:
    page = "<p>In 2025, fentanyl trafficking at the border was cut by 58% compared to 2024.</p>"
    (outcome,) = verify_fragment(
        ":~:text=trafficking%20at%20the%20border%20was%20cut%20by%2056%25%20compared",
        Page(page, "text/html"),
    )
    assert outcome.state is FragmentState.MISSING
    assert outcome.reason == (
        'quoted text not on the page; quoted "…was cut by 56% compared…" — '
        'page now reads "…was cut by 58% compared to 2024.…"'
    )


# --- Anchors --------------------------------------------------------------------------------


def test_anchors() -> None:
    page = Page("<h2 id='results'>R</h2><a name='old'></a><p id='caf\u00e9'>c</p>", "text/html")
    states = {
        f: verify_fragment(f, page)[0].state for f in ("results", "old", "caf%C3%A9", "top", "nope")
    }
    assert states == {
        "results": FragmentState.FOUND,
        "old": FragmentState.FOUND,
        "caf%C3%A9": FragmentState.FOUND,
        "top": FragmentState.FOUND,
        "nope": FragmentState.MISSING,
    }
    assert verify_fragment("/route/x", page)[0].state is FragmentState.SKIPPED
    assert verify_fragment("!hashbang", page)[0].state is FragmentState.SKIPPED
    both = verify_fragment("results:~:text=R", page)
    assert [(o.kind, o.state) for o in both] == [
        ("anchor", FragmentState.FOUND),
        ("text", FragmentState.FOUND),
    ]


def test_github_heading_slugs() -> None:
    seen: dict[str, int] = {}
    assert github_slug("Hello, World!", seen) == "hello-world"
    assert github_slug("Hello, World!", seen) == "hello-world-1"
    assert github_slug("Use `code` & more", {}) == "use-code--more"
    text = "# Intro\n\n## Set-up & use\n\n## Intro\n\n### Ünïcode title\n"
    assert markdown_anchors(text) == {"intro", "set-up--use", "intro-1", "ünïcode-title"}


def test_results_record_shape() -> None:
    (outcome,) = verify_fragment(":~:text=quick", Page("<p>quick</p>", "text/html"))
    assert json.loads(json.dumps(outcome.record())) == {
        "directive": "text=quick",
        "kind": "text",
        "found": True,
        "state": "found",
        "matched_text": "quick",
        "reason": "found",
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<p>café crème</p>".encode(), "text/html; charset=utf-8"),
        ("<p>café crème</p>".encode(), "text/html"),  # no charset: UTF-8 first
        ("<p>café crème</p>".encode("cp1252"), "text/html"),  # not UTF-8: windows-1252
        ("<meta charset='iso-8859-1'><p>café crème</p>".encode("latin-1"), "text/html"),
        ("<p>café crème</p>".encode("utf-16"), "text/html"),  # byte-order mark
        ("<p>café crème</p>".encode("latin-1"), "text/html; charset=ISO-8859-1"),
    ],
)
def test_page_encodings(body: bytes, content_type: str) -> None:
    (outcome,) = verify_fragment(":~:text=caf%C3%A9%20cr%C3%A8me", Page(body, content_type))
    assert outcome.state is FragmentState.FOUND


def test_empty_and_xml_declared_pages() -> None:
    assert verify_fragment(":~:text=x", Page(b"", "text/html"))[0].state is FragmentState.MISSING
    xhtml = b"<?xml version='1.0' encoding='utf-8'?><html><body><p>deep text</p></body></html>"
    (outcome,) = verify_fragment(":~:text=deep%20text", Page(xhtml, "application/xhtml+xml"))
    assert outcome.state is FragmentState.FOUND


def test_visibility_is_inherited_and_can_be_restored() -> None:
    page = (
        "<div style='visibility:hidden'>hidden words "
        "<span style='visibility:visible'>shown again</span> more hidden</div><p>after</p>"
    )
    assert found(page, ":~:text=shown%20again")
    assert not found(page, ":~:text=hidden%20words")
    assert not found(page, ":~:text=more%20hidden")
    assert found(page, ":~:text=after")


def test_literal_nbsp_text_counts_as_whitespace_between_context_and_match() -> None:
    page = "<p>price &amp;nbsp;42 dollars</p>"  # the page shows the literal text "&nbsp;"
    assert found(page, ":~:text=price-,42%20dollars")


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [
        ("ようこそ日本へ", "ようこ", False),  # inside the dictionary word ようこそ
        ("ようこそ日本へ", "ようこそ", True),
        ("ようこそ日本へ", "日本", True),
        ("我们的中文课很好", "中文", True),
        ("我们的中文课很好", "中", False),
        ("สวัสดีครับ", "สวัสดี", True),
        ("สวัสดีครับ", "สวัส", False),
        ("mixed ようこそ text", "mixed%20ようこそ", True),
    ],
)
def test_cjk_and_thai_word_boundaries_come_from_icu_dictionaries(
    page: str, query: str, expected: bool
) -> None:
    assert found(f"<p>{page}</p>", f":~:text={query}") is expected


def test_without_icu_boundaries_are_approximated_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    from linkcheck.fragments import match

    monkeypatch.setattr(match, "_word_breaker", lambda: None)
    (outcome,) = verify_fragment(":~:text=ようこ", Page("<p>ようこそ日本へ</p>", "text/html"))
    assert outcome.state is FragmentState.FOUND  # UAX #29 alone cannot tell: a false match
    assert outcome.reason == "found; word boundaries approximated (ICU not installed)"


# --- What Chromium renders and searches (issue 24) --------------------------------------


@pytest.mark.parametrize(
    ("page", "fragment", "expected"),
    [
        ("<pre>one\n   two</pre>", ":~:text=one%20two", False),
        ("<pre>one\n   two</pre>", ":~:text=one%0A%20%20%20two", True),
        ("<pre>one  two</pre>", ":~:text=one%20two", False),
        ("<pre>\none two</pre>", ":~:text=one%20two", True),
        ("<textarea>one\ntwo</textarea>", ":~:text=one%20two", False),
        ("<listing>one\ntwo</listing>", ":~:text=one%20two", False),
        ("<div style='white-space: pre-wrap'>one\n two</div>", ":~:text=one%20two", False),
        ("<div style='white-space: pre-line'>one   two\nthree</div>", ":~:text=one%20two", True),
        ("<div style='white-space: pre-line'>one\n  two</div>", ":~:text=one%20two", False),
        ("<style>.c { white-space: pre }</style><p class=c>a\nb</p>", ":~:text=a%20b", False),
        ("<pre>kept <span style='white-space: normal'>x\n  y</span></pre>", ":~:text=x%20y", True),
        ("<p>one\n   two</p>", ":~:text=one%20two", True),
    ],
)
def test_whitespace_is_collapsed_by_the_white_space_property(
    page: str, fragment: str, expected: bool
) -> None:
    assert found(page, fragment) is expected


def test_a_quote_over_a_preformatted_line_break_says_why() -> None:
    (outcome,) = verify_fragment(":~:text=one%20two", Page("<pre>one\n   two</pre>", "text/html"))
    assert outcome.state is FragmentState.MISSING
    assert outcome.reason.startswith("the quote runs over a line break or extra spaces")


@pytest.mark.parametrize(
    ("page", "fragment", "expected"),
    [
        ("des \u2060UBA\u2060 und", ":~:text=UBA", False),  # no word boundary before the joiner
        ("des \u2060UBA\u2060 und", ":~:text=des,-%E2%81%A0UBA%E2%81%A0", False),
        ("des \u2060UBA\u2060 und", ":~:text=des%20UBA%20und", True),
        ("Straf\u00adrecht", ":~:text=Strafrecht", True),  # a soft hyphen is skipped
        ("zero\u200bwidth", ":~:text=zerowidth", True),
        ("zero\u200bwidth", ":~:text=zero", True),  # U+200B is no Format char in UAX #29
        ("word\ufeff next", ":~:text=word%20next", True),
        ("cafe\u0301 au lait", ":~:text=cafe", True),  # a combining mark stays with its letter
    ],
)
def test_invisible_format_characters_as_chromium_treats_them(
    page: str, fragment: str, expected: bool
) -> None:
    assert found(f"<p>{page}</p>", fragment) is expected


FLICKER = "<style id='{id}'>{rule}</style><script>lift()</script><p>Shown text</p>"


@pytest.mark.parametrize(
    ("style_id", "rule", "snippet"),
    [
        ("chartbeat-flicker-control-style", "body { visibility: hidden !important }", "Chartbeat"),
        ("_vis_opt_path_hides", "body { display: none !important }", "VWO"),
        ("at-body-style", "html { visibility: hidden }", "Adobe Target"),
        ("", "body { display: none }", "a style that hides the whole page"),
    ],
)
def test_a_page_hidden_until_its_script_runs_is_read(
    style_id: str, rule: str, snippet: str
) -> None:
    page = Page(FLICKER.format(id=style_id, rule=rule), "text/html")
    (outcome,) = verify_fragment(":~:text=Shown%20text", page)
    assert outcome.state is FragmentState.FOUND
    assert snippet in outcome.reason


def test_without_a_script_a_hidden_page_stays_hidden() -> None:
    page = Page("<style>body { display: none }</style><p>Shown text</p>", "text/html")
    assert not found(page._body, ":~:text=Shown%20text")  # type: ignore[arg-type]


def test_declarative_shadow_roots_and_slots() -> None:
    page = (
        "<div id=host><template shadowrootmode=closed><p>in the root</p><slot name=a></slot>"
        "<slot>default fallback</slot></template><b slot=a>named</b> loose text</div>"
        "<template><p>an inert template</p></template>"
    )
    assert found(page, ":~:text=in%20the%20root")
    assert found(page, ":~:text=named")
    assert found(page, ":~:text=loose%20text")
    assert not found(page, ":~:text=default%20fallback")  # the default slot got the loose text
    assert not found(page, ":~:text=an%20inert%20template")
    assert found(
        "<div><template shadowrootmode=open><p>no slot</p></template>gone</div>",
        ":~:text=no%20slot",
    )
    assert not found(
        "<div><template shadowrootmode=open><p>x</p></template>unslotted</div>", ":~:text=unslotted"
    )


@pytest.mark.parametrize(
    ("page", "fragment", "expected"),
    [
        # A joiner inside the word and an accent at its end: the match ends after the accent.
        ("a\u2060bc\u0301 x", ":~:text=abc", True),
        # A dictionary word at the very end of the last block is bounded there.
        ("ようこそ日本へ", ":~:text=日本へ", True),
        # The prefix is searched again from just after its last start: occurrences overlap.
        ("x x x y", ":~:text=x%20x-,y", True),
        # In a range, the start is a whole word even when a suffix is given.
        ("a ranger is here at the end now", ":~:text=range,end,-now", False),
        ("a range is here at the end now", ":~:text=range,end,-now", True),
        ("a ranger is here at the end now", ":~:text=a-,range,end,-now", False),
        ("a range is here at the end now", ":~:text=a-,range,end,-now", True),
        # The joint between the match and the suffix is not checked (as with the prefix).
        ("abc def", ":~:text=ab,-c", True),
        # The spec's odd whitespace: the literal "&nbsp" between prefix and start is skipped.
        ("prefix &amp;nbspstart", ":~:text=prefix-,start", True),
        ("prefix &amp;nbsp;start", ":~:text=prefix-,start", True),
        # The prefix, a lone start and a range's end each begin at a word boundary.
        ("xprefix start", ":~:text=prefix-,start", False),
        ("xword next", ":~:text=word", False),
        ("start foo xend", ":~:text=start,end", False),
        ("start foo end", ":~:text=start,end", True),
        # A start whose suffix does not follow is tried again further on.
        ("alpha beta. alpha gamma", ":~:text=alpha,-gamma", True),
    ],
)
def test_matching_edges_mutation_testing_found(page: str, fragment: str, expected: bool) -> None:
    assert found(f"<p>{page}</p>", fragment) is expected
