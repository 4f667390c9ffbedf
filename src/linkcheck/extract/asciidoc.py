"""AsciiDoc, read by the rules of the Asciidoctor syntax reference (no maintained Python parser
reports where a link is written).

Citations: URL macros (``https://…[text]``), ``link:`` and ``mailto:`` macros, bare URLs and
``<https://…>``, ``image:``/``image::`` (relative to ``:imagesdir:``), ``video::`` and
``audio::`` targets and an image's ``link=``; a target may use attribute references
(``:url-repo: https://…`` then ``{url-repo}/issues[issues]``), located where the reference is
written (an attribute nothing references is on no page: not a citation). Nothing in listing,
literal or comment blocks, line comments, indented literal paragraphs, constrained
passthroughs (``+…+``) or escaped URLs (``\\https://…``); the raw HTML of ``pass:[…]`` and
``++++`` blocks is read as HTML. The text on both sides of a conditional (``ifdef::…[]``) is
read; an attribute entry under one counts only where it holds (see ``_attributes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from posixpath import join as join_path

from linkcheck.extract.html import extract_html
from linkcheck.extract.raw import RawLink, collapse_whitespace, inside, merged_spans
from linkcheck.extract.text import trim_url

_ATTRIBUTE = re.compile(r"^:([\w][\w-]*):[ \t]*(\S[^\n]*?)[ \t]*$", re.M)
_ENTRY_OR_CONDITIONAL = re.compile(
    r"^(?::(?P<name>[\w][\w-]*):[ \t]*(?P<value>\S[^\n]*?)[ \t]*"
    r"|(?P<kind>ifdef|ifndef|ifeval)::(?P<names>[^\[\n]*)\[(?P<inline>[^\n]*)\]"
    r"|(?P<endif>endif)::[^\[\n]*\[\])$",
    re.M,
)
_REFERENCE = re.compile(r"(?<!\\)\{([\w][\w-]*)\}")
_DELIMITED = re.compile(r"^(-{4,}|\.{4,}|\+{4,}|/{4,})[ \t]*\n.*?^\1[ \t]*$", re.M | re.S)
_LINE_COMMENT = re.compile(r"^//(?!//)[^\n]*$", re.M)
# An indented paragraph is literal, unless it is a list item (markers may be indented).
_LITERAL_PARAGRAPH = re.compile(
    r"(?:\A|\n[ \t]*\n)((?:[ \t]+(?![-*.]+[ \t]|\d+\.[ \t])\S[^\n]*(?:\n|\Z))+)"
)
_PASSTHROUGH = re.compile(
    r"(?<![\w+])(\+{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w+])|pass:[a-z,]*\[(.*?)\]|\$\$(.*?)\$\$", re.S
)
_PASSTHROUGH_BLOCK = re.compile(r"^(\+{4,})[ \t]*\n(.*?)^\1[ \t]*$", re.M | re.S)
_TEXT = r"(?:[^\]\n\\]|\\.)*"  # a macro's text: a "\]" in it is a bracket, not its end
_TARGET = r"(?:\{[\w][\w-]*\}|(?:https?|ftp|irc)://|mailto:)[^\s\[\]<>`]*"
_MEDIA = re.compile(rf"(?<![\w\\])(image|video|audio)::?([^\s\[\]]+)\[({_TEXT})\]")
_LINK_MACRO = re.compile(rf"(?<![\w\\])link:(\+\+.+?\+\+|\$\$.+?\$\$|[^\s\[\]]+)\[({_TEXT})\]")
_URL_MACRO = re.compile(rf"(?<![\w\\:/]){_TARGET}\[({_TEXT})\]")
_ANGLE = re.compile(r"<((?:https?|ftp|irc)://[^\s<>\[]+)(?:\[([^\]\n]*)\])?>")
_BARE = re.compile(rf"(?<![\w\\:/\[={{]){_TARGET}")
_EMAIL = re.compile(r"(?<![\w.:/\\])[a-zA-Z0-9][\w.%+-]*@[\w-]+(?:\.[a-zA-Z0-9-]+)+")
_WEB = ("http://", "https://", "ftp://", "irc://", "mailto:")


def extract_asciidoc(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of an AsciiDoc document, in the order they are written."""
    attributes = _attributes(text)
    hidden = merged_spans(_hidden(text))
    block_spans = merged_spans([m.span() for m in _PASSTHROUGH_BLOCK.finditer(text)])
    taken: list[tuple[int, int]] = []
    found: list[RawLink] = []

    def expand(target: str) -> str | None:
        def value(match: re.Match[str]) -> str:
            return attributes.get(match.group(1), ("\0", 0))[0]

        expanded = _REFERENCE.sub(value, target).replace("\\...", "...")
        return None if "\0" in expanded else expanded

    def add(url: str | None, offset: int, label: str, role: str, span: tuple[int, int]) -> None:
        taken.append(span)
        if url:
            found.append(RawLink(url, base_offset + offset, collapse_whitespace(label), role))

    for match in _MEDIA.finditer(text):
        if inside(hidden, match.start()):
            continue
        target = expand(match.group(2))
        if target is not None and not target.startswith(_WEB) and match.group(1) == "image":
            folder = attributes.get("imagesdir", ("", 0))[0]
            target = join_path(expand(folder) or "", target) if folder else target
        add(target, match.start(2), match.group(3).split(",")[0], match.group(1), match.span())
        link = re.search(r"(?:^|,)\s*link=\"?([^\",\]]+)", match.group(3))
        if link is not None:
            url = expand(link.group(1))
            add(url, match.start(3) + link.start(1), "", "image-link", match.span())
    spans = merged_spans(taken)
    for match in _LINK_MACRO.finditer(text):
        if inside(hidden, match.start()) or inside(spans, match.start()):
            continue
        written = match.group(1)
        quoted = written.startswith(("++", "$$"))  # a passthrough: the target as written
        target = written[2:-2] if quoted else expand(written)
        start = match.start(1) + (2 if quoted else 0)
        add(target, start, _label(match.group(2)), "link", match.span())
    spans = merged_spans(taken)
    for match in _URL_MACRO.finditer(text):
        if inside(hidden, match.start()) or inside(spans, match.start()):
            continue
        target = expand(match.group().split("[", 1)[0])
        if target is not None and target.startswith("link:"):
            target = target.removeprefix("link:")  # an attribute made it a link macro
        elif target is not None and not target.startswith(_WEB):
            continue
        add(target, match.start(), _label(match.group(1)), "link", match.span())
    spans = merged_spans(taken)
    for match in _ANGLE.finditer(text):
        if not inside(hidden, match.start()) and not inside(spans, match.start()):
            add(
                match.group(1),
                match.start(1),
                _label(match.group(2) or ""),
                "autolink",
                match.span(),
            )
    spans = merged_spans(taken)
    for match in _BARE.finditer(text):
        if inside(hidden, match.start()) or inside(spans, match.start()):
            continue
        written = trim_url(match.group())
        target = expand(written)
        taken.append((match.start(), match.start() + len(written)))
        if target is not None and target.startswith(_WEB) and not target.endswith("://"):
            found.append(RawLink(target, base_offset + match.start(), "", "bare"))
    spans = merged_spans(taken)
    for match in _EMAIL.finditer(text):
        if not inside(hidden, match.start()) and not inside(spans, match.start()):
            address = "mailto:" + match.group()
            found.append(RawLink(address, base_offset + match.start(), "", "bare"))
    for block in _PASSTHROUGH_BLOCK.finditer(text):  # raw HTML, passed through to the page
        found += _html_links(block.group(2), base_offset + block.start(2))
    for inline in _PASSTHROUGH.finditer(text):
        raw = inline.group(3) if inline.group(3) is not None else inline.group(4)
        if raw is not None and "<" in raw and not inside(block_spans, inline.start()):
            start = inline.start(3) if inline.group(3) is not None else inline.start(4)
            found += _html_links(raw, base_offset + start)
    yield from sorted(found, key=lambda link: link.offset)


def _attributes(text: str) -> dict[str, tuple[str, int]]:
    """Each attribute's value (its own references expanded, as they stand then) and where it
    is written. An entry under a conditional counts only when the conditional holds for the
    document as rendered anywhere (no ``env-*`` attribute set, the document's own set): a
    site's or an editor's values are that place's, not the document's."""
    attributes: dict[str, tuple[str, int]] = {}
    active: list[bool] = []
    for match in _ENTRY_OR_CONDITIONAL.finditer(text):
        if match.group("endif") is not None:
            if active:
                active.pop()
            continue
        if match.group("kind") is not None:
            holds = _holds(match.group("kind"), match.group("names"), attributes)
            inline = match.group("inline")
            if inline:  # ifdef::name[:attr: value]: one line, no endif
                entry = _ATTRIBUTE.match(inline)
                if entry is not None and holds and all(active):
                    start = match.start("inline") + entry.start(2)
                    attributes[entry.group(1)] = (_expanded(entry.group(2), attributes), start)
            else:
                active.append(holds)
            continue
        if all(active):
            value = _expanded(match.group("value"), attributes)
            attributes[match.group("name")] = (value, match.start("value"))
    return attributes


def _holds(kind: str, names: str, attributes: dict[str, tuple[str, int]]) -> bool:
    if kind == "ifeval":
        return True  # an expression: not evaluated, the entry counts
    wanted = [name for name in re.split(r"[,+]", names) if name]
    defined = [name in attributes for name in wanted]
    found = all(defined) if "+" in names else any(defined)
    return found if kind == "ifdef" else not found


def _expanded(value: str, attributes: dict[str, tuple[str, int]]) -> str:
    return _REFERENCE.sub(lambda m: attributes.get(m.group(1), (m.group(), 0))[0], value)


def _html_links(html: str, offset: int) -> list[RawLink]:
    """The links of raw HTML a passthrough puts on the page, at their places."""
    return [link for link in extract_html(html, offset) if link.url.startswith(_WEB)]


def _label(attributes: str) -> str:
    """A macro's text: its first attribute, unquoted, without the ``^`` (new window) mark."""
    first = (
        attributes.split(",", 1)[0] if '"' not in attributes[:1] else attributes[1:].split('"')[0]
    )
    return first.rstrip("^").replace("\\]", "]")


def _hidden(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _DELIMITED.finditer(text)]
    spans += [m.span() for m in _LINE_COMMENT.finditer(text)]
    spans += [m.span(1) for m in _LITERAL_PARAGRAPH.finditer(text)]
    spans += [m.span() for m in _ATTRIBUTE.finditer(text)]
    spans += [m.span() for m in _PASSTHROUGH.finditer(text) if "\n\n" not in m.group()]
    for line in _ENTRY_OR_CONDITIONAL.finditer(text):  # the preprocessor's own lines
        inline = line.group("inline")
        if line.group("endif") or (line.group("kind") and not inline):
            spans.append(line.span())
        elif line.group("kind") and _ATTRIBUTE.match(inline):
            spans.append(line.span())  # ifdef::name[:attr: value]: an entry, not text
    return spans
