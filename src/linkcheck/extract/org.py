"""Org mode: bracket links (``[[URL][description]]``, ``[[URL]]``), angle links, plain links,
and ``#+LINK:`` abbreviations, read by the rules of Org's manual.

Web links (``http``, ``https``, ``mailto``, ``doi:`` as its resolver URL) and ``file:`` links
(local files) are citations; other link types (``id:``, ``elisp:``, ``kbd:``, ``info:``…) are
Emacs's, not the web's. Nothing in source, example, export or comment blocks, in fixed-width
lines (``: …``), comment lines (``# …``), keyword lines, ``~code~`` or ``=verbatim=``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from linkcheck.extract.html import extract_html
from linkcheck.extract.identifiers import with_identifiers
from linkcheck.extract.raw import DOI_RESOLVER, RawLink, collapse_whitespace, inside, merged_spans
from linkcheck.extract.text import find_bare_urls

_BLOCK = re.compile(
    r"^[ \t]*#\+begin_(src|example|export|comment|verse_src)\b.*?^[ \t]*#\+end_\1\b[^\n]*",
    re.I | re.M | re.S,
)
_SKIPPED_LINE = re.compile(r"^[ \t]*(?::(?:[ \t][^\n]*)?|#(?:[ \t][^\n]*)?|#\+[^\n]*)$", re.M)
_HTML_EXPORT = re.compile(
    r"^[ \t]*#\+html:[ \t]*([^\n]*)$"
    r"|^[ \t]*#\+begin_export[ \t]+html[^\n]*\n(.*?)^[ \t]*#\+end_export",
    re.I | re.M | re.S,
)
_LINK_KEYWORD = re.compile(r"^[ \t]*#\+link:[ \t]+(\S+)[ \t]+(\S+)", re.I | re.M)
_BRACKET = re.compile(r"\[\[((?:[^\]\\]|\\.)+)\](?:\[(.*?)\])?\]", re.S)
_ANGLE = re.compile(r"<((?:https?|mailto|doi):[^>\n]+)>")
_MARKUP = re.compile(r"(?<![\w~=])([~=])(?=\S)(.+?)(?<=\S)\1(?![\w~=])", re.S)
_WEB = ("http://", "https://", "mailto:")


def extract_org(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of an Org document, in the order they are written."""
    abbreviations = {name: target for name, target in _LINK_KEYWORD.findall(text)}
    hidden = _hidden_spans(text)
    taken: list[tuple[int, int]] = []
    found: list[RawLink] = []
    for match in _BRACKET.finditer(text):
        if inside(hidden, match.start()):
            continue
        taken.append(match.span())
        written = match.group(1)
        url = _target(written.replace("\\]", "]").replace("\\[", "["), abbreviations)
        if url is not None:
            label = collapse_whitespace(match.group(2) or "")
            found.append(RawLink(url, base_offset + match.start(1), label, "link"))
    brackets = merged_spans(taken)
    for match in _ANGLE.finditer(text):
        if inside(hidden, match.start()) or inside(brackets, match.start()):
            continue
        taken.append(match.span())
        url = _target(match.group(1).replace("\n", ""), abbreviations)
        if url is not None:
            found.append(RawLink(url, base_offset + match.start(1), "", "autolink"))
    taken = merged_spans(taken)
    for bare in with_identifiers(find_bare_urls(text, plain=True), text):
        offset = bare.offset
        if bare.role == "bare" and not text.startswith(bare.url, offset):
            continue  # "www.…" without a scheme: Org links only URLs with one
        if inside(hidden, offset) or inside(taken, offset):
            continue
        found.append(RawLink(bare.url, base_offset + offset, "", bare.role))
    for export in _HTML_EXPORT.finditer(text):  # raw HTML, exported as it is
        start = export.start(1) if export.group(1) is not None else export.start(2)
        raw = export.group(1) if export.group(1) is not None else export.group(2)
        found += [
            link
            for link in extract_html(raw, base_offset + start)
            if link.url.lower().startswith(_WEB)
        ]
    yield from sorted(found, key=lambda link: link.offset)


def _target(written: str, abbreviations: dict[str, str]) -> str | None:
    """The URL a link's target names, or None for a link type that is not a citation."""
    written = collapse_whitespace(written)
    kind, colon, rest = written.partition(":")
    if colon and kind in abbreviations:
        template = abbreviations[kind]
        if "%h" in template:
            return template.replace("%h", quote(rest, safe=""))
        return template.replace("%s", rest) if "%s" in template else template + rest
    if written.lower().startswith(_WEB):
        return written
    if kind.lower() == "doi" and colon:
        return DOI_RESOLVER + rest
    if kind.lower() == "file" and colon:
        return rest.split("::", 1)[0] or None
    if not colon and (written.startswith(("./", "../", "/", "~/")) or "." in written[-6:]):
        return written.split("::", 1)[0]  # a bare file name: a file link
    return None


def _hidden_spans(text: str) -> list[tuple[int, int]]:
    """Spans where nothing is cited: blocks, fixed-width, comment and keyword lines, code and
    verbatim markup."""
    spans = [m.span() for m in _BLOCK.finditer(text)]
    spans += [m.span() for m in _SKIPPED_LINE.finditer(text)]
    spans += [m.span() for m in _MARKUP.finditer(text) if "\n\n" not in m.group(2)]
    return merged_spans(spans)
