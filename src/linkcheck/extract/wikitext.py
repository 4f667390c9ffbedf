"""Wikitext (MediaWiki's markup), read with mwparserfromhell, the parser MediaWiki bots use.

What cites: Citation Style 1 and 2 templates (``{{cite web}}``, ``{{cite news}}``,
``{{citation}}``…: their URL parameters, ``archive-url``, and ``doi``/``arxiv`` as identifiers),
bracketed and bare external links, and ``{{webarchive |url=}}``. What a template says about
its source travels with the citation as ``Claims``: ``quote``, ``url-status``, ``archive-url``,
``access-date``, and a ``{{dead link}}`` after it. Parameter and template names are read as
CS1 reads them, aliases included, case and spacing aside. Nothing is read in comments,
``<nowiki>``, ``<pre>``, ``<syntaxhighlight>`` or ``<math>``. A named ``<ref>`` used again
(``<ref name="a"/>``) is no second citation: it has no text of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, Node, Tag, Template, Wikilink
from mwparserfromhell.nodes.extras import Parameter

from linkcheck.extract.raw import ARXIV_ABS, DOI_RESOLVER, RawLink, collapse_whitespace
from linkcheck.model import Claims

if TYPE_CHECKING:
    from mwparserfromhell.wikicode import Wikicode

# Tags whose content MediaWiki shows as written, or does not show as links.
UNREAD_TAGS = frozenset({"nowiki", "pre", "syntaxhighlight", "source", "math", "chem", "score"})
# CS1's URL parameters, normalised (see ``_key``): the cited source's own addresses.
URL_PARAMETERS = frozenset(
    {
        "url", "chapterurl", "contributionurl", "sectionurl", "entryurl", "articleurl",
        "conferenceurl", "transcripturl", "mapurl", "layurl", "laysummary",
    }
)  # fmt: skip
ARCHIVE_URL = frozenset({"archiveurl"})
IDENTIFIER_PARAMETERS = {"doi": DOI_RESOLVER, "arxiv": ARXIV_ABS, "eprint": ARXIV_ABS}
QUOTE_PARAMETERS = ("quote", "scriptquote")
DEAD_LINK_TEMPLATES = frozenset(
    {"dead link", "deadlink", "dead-link", "dead url", "dl", "404", "broken link", "brokenlink"}
)
WEBARCHIVE_TEMPLATES = frozenset({"webarchive", "web archive"})
# deadurl (deprecated) said yes/no; url-status says what the source became.
_DEAD_URL_VALUES = {"yes": "dead", "y": "dead", "true": "dead", "no": "live", "n": "live"}
_NAME_SPACE = re.compile(r"[\s_]+")


def extract_wikitext(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of a page's wikitext, in document order, with what their templates say."""
    found: list[RawLink] = []
    _walk(mwparserfromhell.parse(text, skip_style_tags=True), base_offset, found)
    yield from found


def is_cs1(name: str) -> bool:
    """Is a template of this (normalised) name a Citation Style 1 or 2 template?"""
    return name.startswith("cite ") or name in ("citation", "cite")


def template_name(template: Template) -> str:
    """A template's name as MediaWiki matches it (see ``normal_name``)."""
    return normal_name(_text_of(template.name))


def normal_name(written: str) -> str:
    """A template name as MediaWiki matches it: case of the first letter aside, spaces and
    underscores alike, without a ``Template:`` prefix."""
    name = _NAME_SPACE.sub(" ", written).strip().lower()
    return name.removeprefix("template:").strip()


def parameter_key(name: str) -> str:
    """A parameter name with case, spaces, underscores and hyphens aside: ``access-date``,
    ``accessdate`` and ``Access date`` are one."""
    return re.sub(r"[\s_-]+", "", name).lower()


def _text_of(code: Wikicode) -> str:
    """The text of a parameter's value, comments left out."""
    return "".join(str(node) for node in code.nodes if not isinstance(node, Comment))


def _walk(code: Wikicode, offset: int, found: list[RawLink]) -> None:
    for node in code.nodes:
        written = str(node)
        if isinstance(node, Template):
            _template(node, offset, found)
        elif isinstance(node, ExternalLink):
            url = str(node.url)
            if "{{" not in url:
                title = collapse_whitespace(node.title.strip_code()) if node.title else ""
                found.append(RawLink(url, offset + (1 if node.brackets else 0), title, "wiki:link"))
        else:
            for inner, start in nested(node, offset, written):
                _walk(inner, start, found)
        offset += len(written)


def nested(node: Node, offset: int, written: str) -> list[tuple[Wikicode, int]]:
    """The wikitext inside a node that starts at ``offset`` and reads ``written`` (a template's
    parameter values, a tag's contents, a heading's title, a file's caption), with where each
    starts; nothing inside a tag whose content MediaWiki shows as written."""
    if isinstance(node, Template):
        return [(param.value, start) for param, start in parameter_values(node, offset)]
    if isinstance(node, Tag):
        contents = str(node.contents) if node.contents is not None else ""
        if not contents or str(node.tag).strip().lower() in UNREAD_TAGS:
            return []
        return [(node.contents, offset + _contents_at(node, written, contents))]
    if isinstance(node, Heading):
        return [(node.title, offset + node.level)]
    if isinstance(node, Wikilink) and node.text is not None:  # a file's caption cites too
        return [(node.text, offset + 3 + len(str(node.title)))]
    return []


def _contents_at(tag: Tag, written: str, contents: str) -> int:
    """Where a tag's contents start in its source (after its opening tag or markup)."""
    if tag.wiki_markup is not None:
        end = len(written) - len(tag.closing_wiki_markup or "")
    elif tag.self_closing or tag.implicit:
        end = len(written)
    else:
        end = written.rfind("</")
    start = end - len(contents)
    if start < 0 or written[start:end] != contents:
        start = max(0, written.find(contents))
    return start


def parameter_values(template: Template, offset: int) -> Iterator[tuple[Parameter, int]]:
    """Each parameter of a template starting at ``offset``, with where its value starts."""
    position = offset + 2 + len(str(template.name))
    for param in template.params:
        position += 1  # the |
        yield param, position + (len(str(param.name)) + 1 if param.showkey else 0)
        position += len(str(param))


@dataclass
class _Parameter:
    value: str  # stripped, comments left out
    offset: int  # where the value's text starts in the file


def _parameters(template: Template, offset: int) -> dict[str, _Parameter]:
    """A template's named parameters by normalised name (the first of a name wins, as a
    template's own duplicate-parameter check reports), with where each value starts."""
    found: dict[str, _Parameter] = {}
    for param, start in parameter_values(template, offset):
        written = str(param.value)
        key = parameter_key(str(param.name))
        if param.showkey and key not in found:
            lead = len(written) - len(written.lstrip())
            found[key] = _Parameter(_text_of(param.value).strip(), start + lead)
    return found


def _template(template: Template, offset: int, found: list[RawLink]) -> None:
    name = template_name(template)
    if is_cs1(name):
        _citation(template, name, offset, found)
    elif name in WEBARCHIVE_TEMPLATES:
        _webarchive(template, offset, found)
    elif name in DEAD_LINK_TEMPLATES:
        if found:
            date = _parameters(template, offset).get("date")
            _update_claims(found, lambda c: replace(c, dead_tag=date.value if date else ""))
    else:  # a citation may sit in any template's parameters ({{refn}}, {{efn}}, …)
        for inner, start in nested(template, offset, str(template)):
            _walk(inner, start, found)


def _citation(template: Template, name: str, offset: int, found: list[RawLink]) -> None:
    params = _parameters(template, offset)
    title = collapse_whitespace(
        mwparserfromhell.parse(params["title"].value).strip_code() if "title" in params else ""
    )
    archive = next((params[k] for k in ARCHIVE_URL if k in params and params[k].value), None)
    status = _status(params, archive is not None)
    quote = next((params[k].value for k in QUOTE_PARAMETERS if params.get(k)), None)
    claims = Claims(
        quote=collapse_whitespace(mwparserfromhell.parse(quote).strip_code()) if quote else None,
        status=status,
        archive_url=archive.value if archive else None,
        archive_date=_value(params, "archivedate"),
        access_date=_value(params, "accessdate"),
    )
    role = f"wiki:{name}"
    for key, param in params.items():
        if key in URL_PARAMETERS and param.value and "{{" not in param.value:
            found.append(RawLink(param.value.split()[0], param.offset, title, role, claims=claims))
    for key, resolver in IDENTIFIER_PARAMETERS.items():
        written = params.get(key)
        if written and written.value and "{{" not in written.value:
            found.append(RawLink(resolver + written.value, written.offset, title, f"wiki:{key}"))
    if archive is not None and "{{" not in archive.value:
        found.append(RawLink(archive.value.split()[0], archive.offset, title, "wiki:archive-url"))


def _status(params: dict[str, _Parameter], archived: bool) -> str | None:
    """The template's url-status: as written, from deadurl, or CS1's default (``dead`` when
    there is an archive-url)."""
    written = _value(params, "urlstatus")
    if written:
        return written.lower()
    dead_url = _value(params, "deadurl")  # also dead-url
    if dead_url:
        return _DEAD_URL_VALUES.get(dead_url.lower(), dead_url.lower())
    return "dead" if archived else None


def _value(params: dict[str, _Parameter], key: str) -> str | None:
    param = params.get(key)
    return param.value if param is not None and param.value else None


def _webarchive(template: Template, offset: int, found: list[RawLink]) -> None:
    """``{{webarchive |url=…}}``: an archived copy of the link before it (checked on its own)."""
    params = _parameters(template, offset)
    archive = params.get("url")
    if archive is None or not archive.value or "{{" in archive.value:
        return
    date = _value(params, "date")
    if found:
        _update_claims(
            found,
            lambda c: replace(
                c,
                archive_url=c.archive_url or archive.value,
                archive_date=c.archive_date or date,
                status=c.status or "dead",
            ),
        )
    found.append(RawLink(archive.value.split()[0], archive.offset, "", "wiki:webarchive"))


def _update_claims(found: list[RawLink], change: Callable[[Claims], Claims]) -> None:
    """Apply ``change`` to what the last cited source's template says (to each of its URLs)."""
    sources = [index for index, raw in enumerate(found) if _is_source(raw)]
    if not sources:
        return
    last = found[sources[-1]]
    for index in sources:
        raw = found[index]
        if raw is last or (raw.claims is not None and raw.claims is last.claims):
            found[index] = replace(raw, claims=change(raw.claims or Claims()))


def _is_source(raw: RawLink) -> bool:
    """Is ``raw`` a cited source (not an archived copy or an identifier)?"""
    return raw.role == "wiki:link" or (
        raw.role.startswith("wiki:") and raw.role[5:] not in ("archive-url", "webarchive")
        and raw.role[5:] not in IDENTIFIER_PARAMETERS
    )  # fmt: skip
