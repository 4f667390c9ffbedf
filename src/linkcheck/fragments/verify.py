"""Verifying a page's cited fragments: text directives and anchors, with a drift hint on a miss."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import unquote

from linkcheck.fragments.directive import InvalidDirective, TextDirective, parse_fragment
from linkcheck.fragments.hints import drift_hint
from linkcheck.fragments.pdf import PDF_TYPES, PdfText, PdfUnreadable, is_pdf
from linkcheck.model import PAGE_ALIVE, FragmentOutcome, FragmentState, Status

if TYPE_CHECKING:
    from linkcheck.fragments.match import FoldedText
    from linkcheck.fragments.searchtext import SearchableText

# The matcher (regex) and the page parser (lxml, tinycss2, cssselect) are imported where a
# page is first parsed: a run without fragments does not pay for them at start-up.

TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"}) | PDF_TYPES
# Bodies read when a text directive is cited: a PDF is often served as octet-stream.
QUOTED_TYPES = TEXT_TYPES | {"application/octet-stream", "binary/octet-stream"}
ANCHOR_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WORD = re.compile(r"\S+")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


class Page:
    """A fetched page, parsed once for every fragment cited on it."""

    def __init__(
        self,
        body: bytes | str,
        content_type: str | None,
        truncated: bool = False,
        id_prefixes: tuple[str, ...] = (),
    ) -> None:
        """``content_type`` is the Content-Type header, parameters (charset) included;
        ``id_prefixes``: what the site puts before the ids readers write (see check/sites.py)."""
        self.id_prefixes = id_prefixes
        media_type, _, parameters = (content_type or "").partition(";")
        self.content_type = media_type.strip().lower()
        if is_pdf(self.content_type, body):
            self.content_type = "application/pdf"
        charset = _CHARSET.search(parameters)
        self.charset = charset.group(1) if charset else None
        self.truncated = truncated
        self._body = body
        self._searchable: SearchableText | None = None
        self._folded: FoldedText | None = None
        self._words: tuple[list[int], list[int]] | None = None
        self._pdf: PdfText | PdfUnreadable | None = None
        self._others: list[FoldedText] | None = None
        self._anchors_only = False

    @property
    def verifiable(self) -> bool:
        """Can text directives apply to this page?"""
        return self.content_type in TEXT_TYPES

    @property
    def has_anchors(self) -> bool:
        """Can ``#id`` anchors be looked up on this page?"""
        return self.content_type in ANCHOR_TYPES or self._anchors_only

    def set_anchors(self, searchable: SearchableText) -> None:
        """Use these ids as the page's anchors (a Markdown file's heading slugs)."""
        self._searchable = searchable
        self._anchors_only = True

    @property
    def is_pdf(self) -> bool:
        """Is this page a PDF (by its type or its first bytes)?"""
        return self.content_type == "application/pdf"

    def pdf(self) -> PdfText | PdfUnreadable:
        """The PDF's text, or why it cannot be read (computed once)."""
        if self._pdf is None:
            from linkcheck.fragments.pdf import pdf_text

            body = self._body if isinstance(self._body, bytes) else self._body.encode()
            try:
                self._pdf = pdf_text(body, self.truncated)
            except PdfUnreadable as exc:
                self._pdf = exc
        return self._pdf

    def other_hyphens(self) -> list[FoldedText]:
        """The text read other ways at hyphens that end a line: a PDF's with them kept
        ("well-known"; it is searched with them joined first), a plain-text page's with them
        joined ("evidence") or kept without the break (it is searched as written first)."""
        if self._others is None:
            from linkcheck.fragments.match import FoldedText
            from linkcheck.fragments.pdf import join_hyphenated, keep_hyphenated

            readings: list[str] = []
            if self.is_pdf:
                pdf = self.pdf()
                if isinstance(pdf, PdfText) and pdf.kept != pdf.joined:
                    readings = [pdf.kept]
            elif self.content_type == "text/plain":
                body = self._body
                text = body if isinstance(body, str) else decode_page(body, self.charset)
                readings = [r for r in (join_hyphenated(text), keep_hyphenated(text)) if r != text]
            from linkcheck.fragments.searchtext import searchable_plain_text

            self._others = [FoldedText.from_runs(searchable_plain_text(r).runs) for r in readings]
        return self._others

    @property
    def searchable(self) -> SearchableText:
        if self._searchable is None and self.is_pdf:
            from linkcheck.fragments.searchtext import SearchableText

            pdf = self.pdf()
            self._searchable = SearchableText([pdf.joined] if isinstance(pdf, PdfText) else [])
        if self._searchable is None:
            from linkcheck.fragments.searchtext import searchable_html, searchable_plain_text

            body = self._body
            text = decode_page(body, self.charset) if isinstance(body, bytes) else body
            if self.content_type == "text/plain":
                self._searchable = searchable_plain_text(text)
            else:
                self._searchable = searchable_html(text)
        return self._searchable

    @cached_property
    def revealed_text(self) -> tuple[str, FoldedText] | None:
        """What hides the whole page until a script runs (an anti-flicker snippet), and the
        text a reader then sees; None for a page with nothing of the kind."""
        revealed = self.searchable.revealed if not self.is_pdf else None
        if revealed is None:
            return None
        from linkcheck.fragments.match import FoldedText

        return revealed[0], FoldedText.from_runs(revealed[1])

    @cached_property
    def collapsed_text(self) -> FoldedText | None:
        """The page's text with preformatted whitespace collapsed too (None without any)."""
        collapsed = self.searchable.collapsed if not self.is_pdf else None
        if collapsed is None:
            return None
        from linkcheck.fragments.match import FoldedText

        return FoldedText.from_runs(collapsed)

    @property
    def folded(self) -> FoldedText:
        if self._folded is None:
            from linkcheck.fragments.match import FoldedText

            self._folded = FoldedText.from_runs(self.searchable.runs)
        return self._folded

    def words(self) -> tuple[list[int], list[int]]:
        """Start and end offsets (in folded text) of every word, for drift hints."""
        if self._words is None:
            spans = [(m.start(), m.end()) for m in _WORD.finditer(self.folded.folded)]
            self._words = ([s for s, _ in spans], [e for _, e in spans])
        return self._words


def decode_page(body: bytes, charset: str | None) -> str:
    """A page's text: a BOM, else the header's charset, else ``<meta charset>``, else UTF-8
    (windows-1252 when the bytes are not UTF-8, as browsers fall back)."""
    from linkcheck.extract import FALLBACK_ENCODING, codec_for, declared_codec

    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", "replace")
    codec = codec_for(charset) if charset is not None else declared_codec(body[:4096])
    if codec is not None:
        return body.decode(codec, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode(FALLBACK_ENCODING, "replace")


def verify_fragments(
    fragments: Iterable[str], page: Page | None
) -> dict[str, list[FragmentOutcome]]:
    """Outcomes for each cited fragment (as written, without ``#``) against ``page``.

    ``page`` is None for a page that could not be read: every check is then unverifiable.
    """
    return {fragment: verify_fragment(fragment, page) for fragment in dict.fromkeys(fragments)}


def verify_fragment(fragment: str, page: Page | None) -> list[FragmentOutcome]:
    """The outcomes of one fragment: its text directives, and its element id if it has one."""
    if not fragment:
        return []
    if fragment.startswith(("/", "!")):
        return [
            FragmentOutcome(
                fragment, "anchor", FragmentState.SKIPPED, "client-side route: not checked"
            )
        ]
    parsed = parse_fragment(fragment)
    # Chromium applies every valid text directive and ignores the rest of the fragment
    # directive; only when none is valid does nothing get highlighted.
    applied = any(isinstance(d, TextDirective) for d in parsed.directives)
    directives: list[FragmentOutcome] = []
    for directive in parsed.directives:
        if isinstance(directive, InvalidDirective) and directive.unknown and applied:
            note = _ignored(directive.raw)
            directives.append(FragmentOutcome(directive.raw, "text", FragmentState.SKIPPED, note))
        elif isinstance(directive, InvalidDirective):
            directives.append(
                FragmentOutcome(directive.raw, "text", FragmentState.INVALID, directive.reason)
            )
        else:
            directives.append(_verify_text(directive, page))
    outcomes: list[FragmentOutcome] = []
    if parsed.element_id:
        anchor = _verify_anchor(parsed.element_id, page)
        scrolled = any(o.state is FragmentState.FOUND for o in directives)
        if scrolled and anchor.state is FragmentState.MISSING:
            # The browser scrolls to the quoted words: the unused id is a note, not a failure.
            # (It would fall back to the id only if no quote were found.)
            note = f"{anchor.reason}: unused, the text directive decides where a browser goes"
            anchor = FragmentOutcome(anchor.directive, "anchor", FragmentState.SKIPPED, note)
        outcomes.append(anchor)
    outcomes.extend(directives)
    return outcomes


def _ignored(raw: str) -> str:
    """The note for a directive a browser ignores beside a valid text directive."""
    if raw[:5].lower() == "text=":
        return f"directive {raw!r} ignored: names are case-sensitive (text=)"
    if "=" not in raw:  # most often the rest of a quote cut at a raw '&'
        return f"unknown directive {raw!r} ignored (if it is the rest of a quote, write '&' as %26)"
    return f"unknown directive {raw!r} ignored"


def _verify_anchor(element_id: str, page: Page | None) -> FragmentOutcome:
    if page is None or not page.has_anchors:
        kind = (page.content_type or "unknown content") if page is not None else "this target"
        return FragmentOutcome(
            element_id, "anchor", FragmentState.UNVERIFIABLE, f"anchors cannot be checked in {kind}"
        )
    ids = page.searchable.ids
    decoded = unquote(element_id)
    if element_id in ids or decoded in ids:
        return FragmentOutcome(element_id, "anchor", FragmentState.FOUND, f'element id "{decoded}"')
    for prefix in page.id_prefixes:
        if prefix + decoded in ids:
            found = f'element id "{prefix}{decoded}"'
            return FragmentOutcome(element_id, "anchor", FragmentState.FOUND, found)
    if decoded.lower() == "top":
        return FragmentOutcome(
            element_id, "anchor", FragmentState.FOUND, "#top: the top of the page"
        )
    if page.truncated:
        return FragmentOutcome(
            element_id, "anchor", FragmentState.UNVERIFIABLE, "not in the part of the page read"
        )
    return FragmentOutcome(
        element_id, "anchor", FragmentState.MISSING, f'no element with id or name "{decoded}"'
    )


def _verify_text(directive: TextDirective, page: Page | None) -> FragmentOutcome:
    if page is None or not page.verifiable:
        kind = (page.content_type or "unknown content") if page is not None else "this target"
        return FragmentOutcome(
            directive.raw,
            "text",
            FragmentState.UNVERIFIABLE,
            f"text fragments apply to HTML, plain-text and PDF pages, not {kind}",
        )
    from linkcheck.fragments.match import find_text_directive, matched_text

    pdf = page.pdf() if page.is_pdf else None
    if isinstance(pdf, PdfUnreadable):
        return FragmentOutcome(directive.raw, "text", FragmentState.UNVERIFIABLE, str(pdf))
    match = find_text_directive(page.folded, directive)
    # Without ICU, word boundaries in Chinese, Japanese, Thai… are UAX #29's alone: say so.
    note = "; word boundaries approximated (ICU not installed)" if page.folded.approximate else ""
    if match is not None:
        text = matched_text(page.folded, match)
        if isinstance(pdf, PdfText):
            note = f" on page {pdf.page_of(match.start)}{note}"
        return FragmentOutcome(directive.raw, "text", FragmentState.FOUND, f"found{note}", text)
    for other in page.other_hyphens():  # "well-|known" a hyphen of the word, "evi-|dence" one
        match = find_text_directive(other, directive)
        if match is not None:
            found = f"found{note}"
            if isinstance(pdf, PdfText):
                found = f"found on page {pdf.page_of(match.start, hyphens_kept=True)}{note}"
            text = matched_text(other, match)
            return FragmentOutcome(directive.raw, "text", FragmentState.FOUND, found, text)
    revealed = page.revealed_text  # folded once per page, for every directive cited on it
    if revealed is not None:
        snippet, shown = revealed
        match = find_text_directive(shown, directive)
        if match is not None:
            found = f"found{note}; the page hides its text until a script shows it ({snippet})"
            return FragmentOutcome(
                directive.raw, "text", FragmentState.FOUND, found, matched_text(shown, match)
            )
    if page.truncated:
        return FragmentOutcome(
            directive.raw, "text", FragmentState.UNVERIFIABLE, "not in the part of the page read"
        )
    collapsed = page.collapsed_text
    if collapsed is not None and find_text_directive(collapsed, directive) is not None:
        reason = (
            "the quote runs over a line break or extra spaces in preformatted text; "
            "browsers do not match it"
        )
        return FragmentOutcome(directive.raw, "text", FragmentState.MISSING, reason + note)
    hint = drift_hint(page, directive)
    reason = f"quoted text not on the page; {hint}" if hint else "quoted text not on the page"
    return FragmentOutcome(directive.raw, "text", FragmentState.MISSING, reason + note)


def with_fragments(
    status: Status, reason: str, outcomes: list[FragmentOutcome]
) -> tuple[Status, str]:
    """A live page's status once its fragments are known: a missing one outranks an invalid one.

    Notes worth the reader's eye follow the reason: directives a browser ignores, and what a
    found quote's reason adds after "found…" (a page hidden until a script shows it, say).
    """
    if status not in PAGE_ALIVE or not outcomes:
        return status, reason
    notes = [o.reason for o in outcomes if o.kind == "text" and o.state is FragmentState.SKIPPED]
    notes += [
        o.reason.split("; ", 1)[1]
        for o in outcomes
        if o.kind == "text" and o.state is FragmentState.FOUND and "; " in o.reason
    ]
    for state, verdict in (
        (FragmentState.MISSING, Status.FRAGMENT_MISSING),
        (FragmentState.INVALID, Status.INVALID),
    ):
        failed = [o for o in outcomes if o.state is state]
        if failed:
            what = [f"{o.kind} {unquote(o.directive)!r}: {o.reason}" for o in failed]
            return verdict, "; ".join(dict.fromkeys([*what, *notes]))
    if all(
        o.state in (FragmentState.UNVERIFIABLE, FragmentState.SKIPPED) for o in outcomes
    ) and any(o.state is FragmentState.UNVERIFIABLE for o in outcomes):
        unverifiable = next(o for o in outcomes if o.state is FragmentState.UNVERIFIABLE)
        reason = f"{reason}; {unverifiable.reason}"
        status = Status.UNVERIFIABLE
    return status, "; ".join(dict.fromkeys([reason, *notes]))
