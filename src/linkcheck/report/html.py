"""The HTML report: one self-contained page for people to read and forward.

No CDN, font, script or stylesheet from anywhere: its style and script are inline, and the
page declares its own Content-Security-Policy allowing exactly those two (by their hashes) and
nothing else, so it loads nothing and runs nothing injected, from ``file://`` or an artifact
viewer. Every string from documents and from the web is escaped; only ``http(s)`` URLs become
links. With JavaScript off every citation is shown, every document expanded.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from linkcheck import __version__
from linkcheck.config import CheckConfig
from linkcheck.model import Location, ManifestEntry, Result, Status, iso_utc
from linkcheck.report.output import write_text_file
from linkcheck.report.results import plural, summary

# How each status is shown: a class for its colour (each passes WCAG AA against white text) and
# a sign, so that a status is never told by colour alone.
_LOOK = {
    Status.OK: ("good", "✓"), Status.REDIRECTED: ("warn", "↪"), Status.BROKEN: ("bad", "✗"),
    Status.ERROR: ("bad", "✗"), Status.TIMEOUT: ("bad", "⏱"), Status.BLOCKED: ("warn", "⊘"),
    Status.EXCLUDED: ("quiet", "–"), Status.UNSUPPORTED: ("quiet", "–"),
    Status.INVALID: ("bad", "✗"), Status.OFFLINE: ("quiet", "○"),
    Status.FRAGMENT_MISSING: ("quote", "❝"), Status.UNVERIFIABLE: ("warn", "?"),
    Status.CHANGED: ("warn", "≠"), Status.SKIPPED: ("quiet", "–"),
    Status.UNREADABLE: ("bad", "✗"), Status.MISMATCH: ("warn", "≠"),
    Status.RETRACTED: ("bad", "✗"),
}  # fmt: skip
_FILL = {"good": "#1a7f37", "bad": "#b42318", "warn": "#7d4e00", "quote": "#6e40c9",
         "quiet": "#57606a"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What the page's header says about the run."""

    command: str  # check, archive or merge
    paths: tuple[str, ...]
    generated_at: datetime
    elapsed: float
    citations: int


def _asset(name: str) -> str:
    return files("linkcheck.report").joinpath("page", name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def esc(text: str) -> str:
    """``text`` safe in HTML text and in a quoted attribute."""
    return html.escape(text, quote=True)


def link(url: str, shown: str | None = None) -> str:
    """``url`` as a link when it is http(s) (never ``javascript:`` or ``data:``), else as text.
    A URL is written whole (to search and copy); the style shows a long one on one line, cut,
    and whole on hover. (No referrer is sent: the page says so once.)"""
    label = esc(shown if shown is not None else url)
    if url[:8].lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}">{label}</a>'
    return f"<code>{label}</code>"


def badge(status: Status) -> str:
    look, sign = _LOOK[status]
    return f'<b class="badge {look}">{sign} {status.value.replace("_", " ")}</b>'


def render_html(
    results: Sequence[Result],
    info: RunInfo,
    *,
    fail_on: Collection[Status],
    fail_after: int,
    entries: Mapping[str, ManifestEntry] | None = None,
) -> str:
    """The report of ``results`` as one HTML page; ``entries``: the archive manifest's entry
    for each URL (the archive command's page shows each citation's archived copy)."""
    css, script = _asset("report.css"), _asset("report.js")
    policy = (
        f"default-src 'none'; style-src '{_digest(css)}'; script-src '{_digest(script)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    failing = [r for r in results if r.fails(fail_on, fail_after)]
    failing_ids = {id(r) for r in failing}
    cited = sum(len(r.locations) for r in results)
    shown_failing = sum(len(r.locations) for r in failing)
    title = f"linkcheck {info.command}: {shown_failing} of {cited} citations failing"
    rows = _Rows(entries, failing_ids)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title><style>{css}</style></head><body>",
        _header(results, info, title),
        _controls(results),
        "<main>",
        f'<section id="failing" data-rows><h2>Failing ({shown_failing})</h2>',
        rows.table(((r, loc) for r in failing for loc in r.locations), in_document=False)
        if failing
        else '<p class="empty">Nothing fails the run.</p>',
        "</section>",
        '<section id="documents"><h2>By document</h2>',
        *rows.documents(results),
        "</section></main>",
        f"<footer>Written by linkcheck {esc(__version__)}. The statuses are explained in "
        "linkcheck's README; the same run as data: <code>--format json</code>.</footer>",
        f"<script>{script}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(
    path: Path,
    results: Sequence[Result],
    info: RunInfo,
    config: CheckConfig,
    entries: Mapping[str, ManifestEntry] | None = None,
) -> None:
    """The page, written to ``path`` whole or not at all."""
    page = render_html(
        results, info, fail_on=config.fail_on, fail_after=config.fail_after, entries=entries
    )
    with write_text_file(path, make_parents=True) as stream:
        stream.write(page)


def _header(results: Sequence[Result], info: RunInfo, title: str) -> str:
    counts = summary(results)  # distinct URLs, as the JSON report counts them
    present = [(s, counts[s.value]) for s in Status if counts[s.value]]
    total = sum(n for _, n in present) or 1
    bars, x = [], 0.0
    for status, count in present:
        width = 1000 * count / total
        fill = _FILL[_LOOK[status][0]]
        bars.append(
            f'<rect x="{x:.1f}" width="{width:.1f}" height="20" fill="{fill}" stroke="#fff">'
            f"<title>{status.value}: {count}</title></rect>"
        )
        x += width
    said = ", ".join(f"{s.value.replace('_', ' ')} {n}" for s, n in present)
    legend = "".join(f"<li>{badge(s)} {n}</li>" for s, n in present)
    when = iso_utc(info.generated_at).replace("T", " ").replace("Z", " UTC")
    documents = len({loc.file for r in results for loc in r.locations})
    return (
        f'<header><h1>{esc(title)}</h1><dl class="run">'
        f"<dt>Run</dt><dd>{esc(when)} · {info.elapsed:.1f} s · linkcheck {esc(__version__)}</dd>"
        f"<dt>Paths</dt><dd>{esc(' '.join(info.paths) or '—')}</dd>"
        f"<dt>Checked</dt><dd>{_count(info.citations, 'citation')} of "
        f"{_count(len(results), 'URL')} in {_count(documents, 'document')}</dd></dl>"
        f'<figure class="chart"><svg viewBox="0 0 1000 20" preserveAspectRatio="none" role="img" '
        f'aria-label="{esc(said)}">{"".join(bars)}</svg>'
        f'<figcaption>URLs by status<ul class="counts">{legend}</ul></figcaption></figure>'
        "</header>"
    )


def _count(number: int, word: str) -> str:
    """``1 URL``, ``20,000 URLs``: a count as a reader of a large report reads it."""
    return plural(number, word).replace(str(number), f"{number:,}", 1)


def _controls(results: Sequence[Result]) -> str:
    present = dict.fromkeys(result.status for result in results)
    options = "".join(
        f'<option value="{s.value}">{s.value.replace("_", " ")}</option>' for s in present
    )
    return (
        '<nav id="controls" hidden aria-label="Filter the citations">'
        '<label for="status">Show</label><select id="status">'
        '<option value="">every status</option><option value="failing">failing</option>'
        f'{options}</select><label for="search">Search</label>'
        '<input id="search" type="search" placeholder="URL, file, link text or reason">'
        '<span id="shown" role="status"></span></nav>'
    )


class _Rows:
    """Table rows of citations: one per place a URL is cited."""

    def __init__(self, entries: Mapping[str, ManifestEntry] | None, failing: set[int]) -> None:
        self._entries = entries
        self._failing = failing

    def head(self) -> str:
        archived = "<th>Archived copy</th>" if self._entries is not None else ""
        widths = '<col class="more">' if self._entries is not None else ""
        return (
            '<colgroup><col class="where"><col class="text"><col class="url">'
            f'<col class="status"><col class="why">{widths}</colgroup>'
            "<thead><tr><th>Where</th><th>Link text</th><th>URL</th><th>Status</th>"
            f"<th>Reason</th>{archived}</tr></thead>"
        )

    def table(self, cited: Iterable[tuple[Result, Location]], *, in_document: bool) -> str:
        body = "".join(self.row(result, where, in_document) for result, where in cited)
        return f"<table>{self.head()}<tbody>{body}</tbody></table>"

    def documents(self, results: Sequence[Result]) -> list[str]:
        by_file: dict[str, list[tuple[Result, Location]]] = {}
        for result in results:
            for where in result.locations:
                by_file.setdefault(where.file, []).append((result, where))
        sections = []
        for file, cited in by_file.items():
            cited.sort(key=lambda pair: (pair[1].line, pair[1].column))
            failing = sum(1 for result, _ in cited if id(result) in self._failing)
            tally = _count(len(cited), "citation")
            tally += f", {failing} failing" if failing else ""
            sections.append(
                f'<details class="doc" open data-rows><summary>{esc(file)} '
                f'<span class="tally">({tally})</span></summary>'
                f"{self.table(cited, in_document=True)}</details>"
            )
        return sections or ['<p class="empty">No citations.</p>']

    def row(self, result: Result, where: Location, in_document: bool) -> str:
        marks = f' data-s="{result.status.value}"'
        if id(result) in self._failing:
            marks += " data-f"
        # Under its document's heading a citation's place is its line and column.
        place = f"{where.line}:{where.column}" if in_document else f"{where.file}:{where.line}"
        place += "" if in_document else f":{where.column}"
        if where.part is not None:
            place += f" ({where.part[0]} {where.part[1]})"
        notes = "".join(f'<span class="note">{esc(note)}</span>' for note in _notes(result))
        cells = [
            esc(place), esc(where.text), link(result.url), badge(result.status),
            esc(result.reason) + notes,
        ]  # fmt: skip
        if self._entries is not None:
            cells.append(_archived(self._entries.get(result.url)))
        # End tags of cells and rows are optional in HTML: left out, a fifth of the page.
        return f"<tr{marks}>" + "".join(f"<td>{cell}" for cell in cells)


def _notes(result: Result) -> list[str]:
    """What else a reader wants beside the reason: the quote, the drift, where it moved."""
    notes = []
    for outcome in result.fragments:
        if outcome.kind == "text":
            found = {"found": "quote found", "missing": "quote missing"}.get(outcome.state.value)
            notes.append(f"{found or 'quote ' + outcome.state.value}: {outcome.reason}")
    if result.witness:
        notes.append(f"archive: {result.witness}")
    fetch = result.fetch
    if fetch is not None and fetch.drift is not None:
        notes.append(f"drift {fetch.drift:.0f}%")
    if fetch is not None and fetch.final_url and fetch.final_url != result.url and fetch.redirects:
        notes.append(f"now at {fetch.final_url}")
    if result.work is not None and result.work.title is not None:
        notes.append(f"registered: {result.work.described()}")
    return notes


def _archived(entry: ManifestEntry | None) -> str:
    if entry is None:
        return '<span class="empty">—</span>'
    if entry.archive_url:
        label = "✓ verified copy" if entry.verified else "pending copy"
        when = (entry.archived_at or "")[:10]
        return (
            link(entry.archive_url, f"{label} {when}".strip())
            + f'<span class="note">{esc(entry.verification)}</span>'
        )
    return f'<span class="empty">none</span><span class="note">{esc(entry.verification)}</span>'
