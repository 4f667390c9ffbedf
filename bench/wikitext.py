"""Wikitext: every cited URL at its exact place, against mwparserfromhell's own reading of the
templates; and a MediaWiki export of 1,000 pages streamed in bounded memory.

Reads the corpus in place (``../shared/corpora/wikitext``: Wikipedia articles' wikitext in
several languages, and a small XML export; see its README), never copying it:

1. For each article: the URLs linkcheck reads (CS1/CS2 URL parameters, ``archive-url``,
   ``{{webarchive |url=}}``, external links) and whether the file's text at each reported
   offset starts with the URL; and the same URLs as mwparserfromhell's recursive walk finds
   them (its ``filter_templates`` and ``filter_external_links``; a link inside a citation
   template is the template's, one inside ``{{dead link |url=}}`` or an unread tag is no
   citation), compared as multisets.
2. ``fix`` on every citation of every article, one at a time, as if each were dead with a
   verified copy: the page re-parsed after the edit must hold the same templates with the same
   parameters in the same order, plus the new ones (``archive-url``, ``archive-date``,
   ``url-status``; or one ``{{webarchive}}`` after a link). Pages are parsed as the reader
   parses them, quote marks for italics and bold as text (a stray pair in one title otherwise
   pairs with another across templates, in the parser's reading only).
3. An export of ``--pages`` pages (the articles over and over, XML-escaped) built in a
   temporary folder: ``linkcheck extract`` on it, its wall time, peak RSS and pages read.

Run: ``python bench/wikitext.py [--corpus ../shared/corpora/wikitext] [--pages 1000]``
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import mwparserfromhell
from mwparserfromhell.nodes import Tag, Template

from linkcheck.extract.wikiedit import annotate
from linkcheck.extract.wikitext import (
    ARCHIVE_URL,
    DEAD_LINK_TEMPLATES,
    UNREAD_TAGS,
    URL_PARAMETERS,
    WEBARCHIVE_TEMPLATES,
    extract_wikitext,
    is_cs1,
    template_name,
)
from linkcheck.model import Fix, Location

ROOT = Path(__file__).resolve().parent.parent

IDENTIFIER_ROLES = ("wiki:doi", "wiki:arxiv", "wiki:eprint")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/wikitext")
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    articles = sorted((args.corpus / "pages").glob("*/*.wiki"))
    if not articles:
        sys.exit(f"no articles under {args.corpus / 'pages'}")
    locations(articles)
    round_trips(articles)
    streamed(articles, args.pages)


def locations(articles: list[Path]) -> None:
    total = exact = agreed = theirs_total = 0
    started = time.perf_counter()
    differences: list[str] = []
    for path in articles:
        text = path.read_text(encoding="utf-8")
        ours = [raw for raw in extract_wikitext(text) if raw.role not in IDENTIFIER_ROLES]
        total += len(ours)
        exact += sum(text.startswith(raw.url, raw.offset) for raw in ours)
        mine = Counter(raw.url for raw in ours)
        theirs = reference_reading(text)
        theirs_total += sum(theirs.values())
        agreed += sum((mine & theirs).values())
        for url, count in (theirs - mine).items():
            differences.append(f"  only mwparserfromhell: {path.name}: {url} (x{count})")
        for url, count in (mine - theirs).items():
            differences.append(f"  only linkcheck: {path.name}: {url} (x{count})")
    seconds = time.perf_counter() - started
    print(f"{len(articles)} articles, {total:,} URLs read in {seconds:.2f} s (both readings)")
    print(f"  at their exact place: {exact:,} ({exact / total:.2%})")
    print(
        f"  agreeing with mwparserfromhell's reading: {agreed:,} of {theirs_total:,} "
        f"({agreed / max(theirs_total, 1):.2%}); linkcheck's own total {total:,}"
    )
    print("\n".join(differences[:10]))


def reference_reading(text: str) -> Counter[str]:
    """The cited URLs as mwparserfromhell's own recursive filters find them."""
    code = mwparserfromhell.parse(text, skip_style_tags=True)
    found: Counter[str] = Counter()
    for template in code.filter_templates(recursive=True):
        name = template_name(template)
        wanted = URL_PARAMETERS | ARCHIVE_URL if is_cs1(name) else set()
        if name in WEBARCHIVE_TEMPLATES:
            wanted = {"url"}
        if any(
            isinstance(a, Tag) and str(a.tag).lower() in UNREAD_TAGS
            for a in code.get_ancestors(template)
        ):
            continue
        seen = set()
        for param in template.params:
            key = "".join(c for c in str(param.name).lower() if c.isalnum())
            value = "".join(
                str(n) for n in param.value.nodes if type(n).__name__ != "Comment"
            ).strip()
            if key in wanted and key not in seen and value and "{{" not in value:
                found[value.split()[0]] += 1
            seen.add(key)
    for link in code.filter_external_links(recursive=True):
        ancestors = code.get_ancestors(link)
        inside_citation = any(
            isinstance(a, Template)
            and (
                is_cs1(template_name(a))
                or template_name(a) in WEBARCHIVE_TEMPLATES | DEAD_LINK_TEMPLATES
            )
            for a in ancestors
        )
        unread = any(isinstance(a, Tag) and str(a.tag).lower() in UNREAD_TAGS for a in ancestors)
        if not inside_citation and not unread and "{{" not in str(link.url):
            found[str(link.url)] += 1
    return found


def round_trips(articles: list[Path]) -> None:
    copy = "https://web.archive.org/web/20240503000000/https://example.org/"
    edits = identical = 0
    reasons: Counter[str] = Counter()
    started = time.perf_counter()
    for path in articles:
        text = path.read_text(encoding="utf-8")
        before = _template_params(text)
        for raw in extract_wikitext(text):
            if raw.role in IDENTIFIER_ROLES or raw.role in ("wiki:archive-url", "wiki:webarchive"):
                continue
            location = Location(path.name, 1, 1, "")
            fix = Fix(location, raw.url, copy, "", version_date="2024-05-03", beside="dead")
            placed = annotate(text, raw.offset, fix)
            if isinstance(placed, str):
                reasons[placed] += 1
                continue
            edits += 1
            start, end, replacement = placed
            after = _template_params(text[:start] + replacement + text[end:])
            identical += _only_added(before, after, text[start:end], replacement)
    seconds = time.perf_counter() - started
    print(
        f"\nfix, one citation at a time: {edits:,} edits, {identical:,} re-parse as before plus "
        f"the new parameters ({identical / max(edits, 1):.2%}), {seconds:.1f} s; left alone: "
        + ", ".join(f"{why} ({count})" for why, count in reasons.most_common())
    )


def _template_params(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (template_name(t), [(str(p.name).strip(), str(p.value).strip()) for p in t.params])
        for t in mwparserfromhell.parse(text, skip_style_tags=True).filter_templates(recursive=True)
    ]


def _only_added(
    before: list[tuple[str, list[tuple[str, str]]]],
    after: list[tuple[str, list[tuple[str, str]]]],
    original: str,
    replacement: str,
) -> bool:
    """Is ``after`` ``before`` with new parameters at the end of one template, or with one
    {{webarchive}} more? (A template holding the edited one in a parameter holds the edit: it
    is read with the edit undone.)"""
    added = {"archive-url", "archive-date", "url-status"}
    undone = [(n, [(k, v.replace(replacement, original)) for k, v in ps]) for n, ps in after]
    if not original:  # an insertion: one {{webarchive}} more, nothing else
        extra = [
            i for i, t in enumerate(undone) if t[0] in WEBARCHIVE_TEMPLATES and t not in before
        ]
        return len(extra) == 1 and undone[: extra[0]] + undone[extra[0] + 1 :] == before
    if len(undone) != len(before):
        return False
    changed = [(old, new) for old, new in zip(before, undone, strict=True) if old != new]
    if len(changed) != 1:
        return False
    (name, old), (new_name, new) = changed[0]
    kept = [(k, v) for k, v in new if k not in added or k in dict(old)]
    same = [(k, v) for k, v in old if k != "url-status"] == [
        (k, v) for k, v in kept if k != "url-status"
    ]
    return name == new_name and same and {k for k, _ in new} - {k for k, _ in old} <= added


def streamed(articles: list[Path], pages: int) -> None:
    texts = [path.read_text(encoding="utf-8") for path in articles]
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xml"
        with export.open("w", encoding="utf-8") as out:
            out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/">\n')
            for index in range(pages):
                text = texts[index % len(texts)]
                out.write(
                    f"<page><title>Page {index}</title><ns>0</ns><id>{index}</id><revision>"
                    f'<text xml:space="preserve">{html.escape(text, quote=False)}</text>'
                    "</revision></page>\n"
                )
            out.write("</mediawiki>\n")
        size = export.stat().st_size / 1e6
        linkcheck = str(Path(sys.executable).parent / "linkcheck")
        command = [linkcheck, "extract", str(export), "--format", "json", "-o", os.devnull]
        started = time.perf_counter()
        child = subprocess.Popen(command, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        assert child.stderr is not None
        errors = child.stderr.read().decode()
        print(
            f"\nexport of {pages:,} pages ({size:.0f} MB): linkcheck extract {wall:.1f} s, "
            f"peak RSS {usage.ru_maxrss / 1024:.0f} MB, exit {os.waitstatus_to_exitcode(status)}"
            + (f"\n  {errors.strip()[:300]}" if errors.strip() else "")
        )


if __name__ == "__main__":
    main()
