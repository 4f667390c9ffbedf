"""``fix`` in wikitext, as editors and InternetArchiveBot do it: an archived copy is written
beside the citation, never in place of its URL.

A citation template gains ``archive-url``, ``archive-date`` and ``url-status`` (its other
parameters, their order and spacing untouched; the new ones written in the template's own
style); a bracketed or bare link gains ``{{webarchive |url= |date=}}``; a dead citation without
a copy gains ``{{dead link|date=Month YYYY}}``. Dates follow the page's ``{{use dmy dates}}`` or
``{{use mdy dates}}``, else the template's own dates, else ISO 8601.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Template
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from linkcheck.extract.wikitext import (
    ARCHIVE_URL,
    DEAD_LINK_TEMPLATES,
    WEBARCHIVE_TEMPLATES,
    is_cs1,
    nested,
    normal_name,
    parameter_key,
    parameter_values,
    template_name,
)
from linkcheck.model import Fix

_DMY = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")
_MDY = re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")
_DEAD_TAG = re.compile(r"[ \t]*\{\{\s*([^|{}]+?)\s*(?:\|[^{}]*)?\}\}")
_USE_DATES = re.compile(r"\{\{\s*use\s+(dmy|mdy)\s+dates", re.I)


def annotate(text: str, start: int, fix: Fix) -> tuple[int, int, str] | str:
    """(start, end, replacement) recording ``fix`` beside the citation whose URL starts at
    ``start`` in ``text``, or why it cannot be."""
    found = _citation_at(_parsed(text), start)
    if found is None:
        return "not a citation template or an external link: left as it is"
    node, offset = found
    written = str(node)
    end = offset + len(written)
    following = text[end:]
    if (
        not isinstance(node, Template)
        and text[:offset].rstrip(" \t").endswith(("=", "|"))
        and following.lstrip(" \t").startswith(("|", "}}"))
    ):  # a template's own parameter ({{Internetquelle |url=…}}): its template is not ours
        return "the link is a parameter of a template that is no citation template: left as it is"
    if fix.beside == "unarchived":
        if _followed_by(following, DEAD_LINK_TEMPLATES):
            return "already tagged {{dead link}}"
        return end, end, "{{dead link|date=" + _month() + "}}"
    if isinstance(node, Template):
        keys = {parameter_key(str(p.name)): p for p in node.params if p.showkey}
        if fix.beside == "revived":
            return _revived(text, node, offset, written, keys)
        return _archived(text, node, offset, written, keys, fix)
    if fix.beside == "revived":
        tag = _dead_tag(text, end)
        return (*tag, "") if tag else "no {{dead link}} after it to remove"
    if fix.beside == "live":
        return "a live external link is left as it is (a citation template records live copies)"
    if _followed_by(following, WEBARCHIVE_TEMPLATES):
        return "already followed by {{webarchive}}"
    when = _written_date(fix.version_date, _page_style(text))
    return end, end, " {{webarchive |url=" + fix.new + (f" |date={when}" if when else "") + "}}"


def _archived(
    text: str,
    template: Template,
    offset: int,
    written: str,
    keys: dict[str, Parameter],
    fix: Fix,
) -> tuple[int, int, str] | str:
    """A citation template with its archived copy: archive-url, archive-date, url-status."""
    if any(k in keys and keys[k].value.strip() for k in ARCHIVE_URL):
        return "its template already has an archive-url"
    style = _page_style(text) or _template_style(keys)
    wanted = {
        "archive-url": fix.new,
        "archive-date": _written_date(fix.version_date, style) or "",
        "url-status": "dead" if fix.beside == "dead" else "live",
    }
    rewritten = _with_parameters(template, written, wanted, keys)
    before = {k: str(p.value).strip() for k, p in keys.items()}
    after_template = mwparserfromhell.parse(rewritten).filter_templates(recursive=False)
    after = {
        parameter_key(str(p.name)): str(p.value).strip()
        for p in (after_template[0].params if after_template else [])
        if p.showkey
    }
    expected = {**before, **{parameter_key(k): v for k, v in wanted.items()}}
    if after != expected or len(after_template) != 1:
        return "the template would not re-parse as written: left as it is"
    return offset, offset + len(written), rewritten


def _revived(
    text: str, template: Template, offset: int, written: str, keys: dict[str, Parameter]
) -> tuple[int, int, str] | str:
    """A source alive again: its template's url-status=dead becomes live, and a {{dead link}}
    after it goes."""
    end = offset + len(written)
    status = keys.get("urlstatus") or keys.get("deadurl")
    rewritten = written
    if status is not None and str(status.value).strip().lower() in ("dead", "yes", "y", "true"):
        value = "live" if parameter_key(str(status.name)) == "urlstatus" else "no"
        rewritten = _with_parameters(template, written, {str(status.name).strip(): value}, keys)
    tag = _dead_tag(text, end)
    if rewritten == written and tag is None:
        return "neither url-status=dead nor a {{dead link}} to undo"
    return offset, tag[1] if tag else end, rewritten


def _dead_tag(text: str, position: int) -> tuple[int, int] | None:
    """The span of a {{dead link}} right after ``position`` (the space before it included)."""
    match = _DEAD_TAG.match(text, position)
    if match is None:
        return None
    return (position, match.end()) if normal_name(match.group(1)) in DEAD_LINK_TEMPLATES else None


def _with_parameters(
    template: Template, written: str, wanted: dict[str, str], keys: dict[str, Parameter]
) -> str:
    """The template's source with ``wanted`` set: an existing parameter's value replaced in
    place, new ones appended after the last in the spacing its parameters use."""
    params = list(template.params)
    # (value start, value end) in ``written``, for each parameter
    positions = [(start, start + len(str(p.value))) for p, start in parameter_values(template, 0)]
    replaced = written
    appended = []
    changed: dict[int, str] = {}
    for name, value in wanted.items():
        index = next((i for i, p in enumerate(params) if p is keys.get(parameter_key(name))), None)
        if index is None:
            appended.append((name, value))
        else:
            changed[index] = value
    for index in sorted(changed, reverse=True):  # from the end: earlier positions hold
        start, end = positions[index]
        current = replaced[start:end]
        lead = len(current) - len(current.lstrip())
        tail = len(current) - len(current.rstrip())
        replaced = replaced[: start + lead] + changed[index] + replaced[end - tail :]
    if not appended:
        return replaced
    pipe_before, pipe_after, equals_before, equals_after = _spacing(params)
    last_end = len(replaced) - 2  # before the closing }}
    body = replaced[:last_end]
    trail = body[len(body.rstrip()) :]
    added = "".join(
        f"{pipe_before}|{pipe_after}{name}{equals_before}={equals_after}{value}"
        for name, value in appended
    )
    return body.rstrip() + added + trail + "}}"


def _spacing(params: list[Parameter]) -> tuple[str, str, str, str]:
    """How the template writes a parameter: the space before its |, after it, and around =
    (as its last named parameter is written)."""
    named = [p for p in params if p.showkey]
    if not named:
        return " ", "", "", ""
    last = named[-1]
    name, value = str(last.name), str(last.value)
    index = params.index(last)
    previous = str(params[index - 1].value) if index > 0 else ""
    pipe_before = previous[len(previous.rstrip()) :] if index > 0 else " "
    pipe_after = name[: len(name) - len(name.lstrip())]
    equals_before = name[len(name.rstrip()) :]
    equals_after = value[: len(value) - len(value.lstrip())]
    return pipe_before, pipe_after, equals_before, equals_after


def _template_style(keys: dict[str, Parameter]) -> str | None:
    """dmy or mdy, as the template's own dates are written (None: ISO or none)."""
    for key in ("accessdate", "date", "archivedate", "publicationdate"):
        param = keys.get(key)
        value = str(param.value).strip() if param is not None else ""
        if _DMY.match(value):
            return "dmy"
        if _MDY.match(value):
            return "mdy"
    return None


def _page_style(text: str) -> str | None:
    match = _USE_DATES.search(text)
    return match.group(1).lower() if match else None


def _written_date(iso: str | None, style: str | None) -> str | None:
    """A YYYY-MM-DD date as the page writes dates."""
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    if style == "dmy":
        return f"{day.day} {day:%B} {day.year}"
    if style == "mdy":
        return f"{day:%B} {day.day}, {day.year}"
    return day.isoformat()


def _month() -> str:
    """This month as ``{{dead link}}`` dates it: ``December 2026``."""
    return datetime.now(UTC).strftime("%B %Y")


def _followed_by(following: str, names: frozenset[str]) -> bool:
    """Does the text after a citation start (past spaces) with one of these templates?"""
    match = re.match(r"\s*\{\{\s*([^|}]+)", following)
    return match is not None and normal_name(match.group(1)) in names


@lru_cache(maxsize=1)
def _parsed(text: str) -> Wikicode:
    """One page's parse, shared by its every fix."""
    return mwparserfromhell.parse(text, skip_style_tags=True)


def _citation_at(code: Wikicode, start: int) -> tuple[Template | ExternalLink, int] | None:
    """The innermost citation template holding offset ``start`` (or the external link that
    starts there), and where it starts."""
    offset = 0
    for node in code.nodes:
        written = str(node)
        end = offset + len(written)
        if offset <= start < end:
            if isinstance(node, ExternalLink):
                return node, offset
            if isinstance(node, Template) and is_cs1(template_name(node)):
                return node, offset
            for inner, inner_offset in nested(node, offset, written):
                found = _citation_at(inner, start - inner_offset)
                if found is not None:
                    return found[0], found[1] + inner_offset
            return None
        offset = end
    return None
