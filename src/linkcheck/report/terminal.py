"""The terminal report: problems grouped by status, a summary and hints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from rich.console import Console
from rich.markup import escape

from linkcheck.model import ArchiveRun, FileChange, ManifestEntry, Result, Skipped, Status
from linkcheck.report.hints import hints
from linkcheck.report.progress import SNAPSHOT_STYLES, STATUS_STYLES
from linkcheck.report.results import plural, problems, summary


def render_text(
    results: Sequence[Result],
    failing: Collection[Status],
    console: Console,
    *,
    citations: int,
    elapsed: float,
    canary: str,
) -> None:
    """Problems grouped by status, a citation a line (``file:line:col  URL  reason``), a summary."""
    listed = problems(results)
    current: Status | None = None
    for result in listed:
        if result.status is Status.OFFLINE:
            continue
        if result.status is not current:
            current = result.status
            count = sum(1 for r in listed if r.status is current)
            marker = "✗" if current in failing else "!"
            console.print(
                f"\n[{STATUS_STYLES[current]}]{marker} {current.value}[/] ({count})",
                highlight=False,
            )
        for loc in result.locations:
            console.print(
                f"  [bold]{escape(loc.file)}:{loc.line}:{loc.column}[/]  {escape(result.url)}\n"
                f"      [dim]{escape(result.reason)}[/]",
                highlight=False,
                soft_wrap=True,
            )
    offline = sum(1 for r in results if r.status is Status.OFFLINE)
    if offline:
        console.print(
            f"\n[bold red]network unreachable[/]: {plural(offline, 'URL')} "
            f"could not be checked; the canary {escape(canary)} did not answer either. "
            "Nothing was found dead: check your connection and run again.",
            highlight=False,
        )
    counts = summary(results)
    shown = ", ".join(
        f"[{STATUS_STYLES[s]}]{counts[s.value]} {s.value}[/]" for s in Status if counts[s.value]
    )
    console.print(
        f"\n{plural(citations, 'citation')}, {plural(counts['total'], 'URL')}: "
        f"{shown or 'nothing to check'} "
        f"[dim]in {elapsed:.1f} s[/]",
        highlight=False,
    )
    for hint in hints(results):
        console.print(f"[dim]hint:[/] {escape(hint)}", highlight=False)


def render_archive_summary(archived: ArchiveRun, manifest: str) -> None:
    """The live sources left without an archived copy (a citation a line, as the check lists
    its problems), one line of counts by kind of snapshot, and where the manifest is."""
    console = Console(soft_wrap=True)
    missing = archived.not_archived()
    _list_entries(
        console,
        "[red]✗ not archived[/]",
        # Copies there were, and none passed: say what was wrong with them.
        [(e, e.reason + (f" ({e.verification})" if e.copies else "")) for e in missing],
    )
    waiting = archived.waiting()
    _list_entries(
        console,
        "[yellow]⧗ waiting to be replayable[/]",
        [(e, f"{e.archive_url}: {e.verification}") for e in waiting],
    )
    if archived.unavailable is not None:
        console.print(f"\n[bold red]archive unavailable[/]: {escape(archived.unavailable)}")
    entries = archived.entries
    counts = Counter(entry.snapshot.value for entry in entries)
    shown = ", ".join(
        f"[{SNAPSHOT_STYLES[kind]}]{counts[kind]} {kind.replace('_', ' ')}[/]"
        for kind in SNAPSHOT_STYLES
        if counts[kind]
    )
    submitted = archived.captures_submitted
    verified = sum(1 for entry in entries if entry.verified)
    rejected = sum(1 for e in entries for copy in e.copies if copy.verified is False)
    checked = f"{verified} with a verified copy"
    if waiting:
        checked += f", {plural(len(waiting), 'copy', 'copies')} waiting to be replayable"
    if rejected:
        checked += f", {plural(rejected, 'copy', 'copies')} rejected"
    console.print(
        f"\narchive: {plural(len(entries), 'URL')}: {shown or 'nothing to archive'}; {checked}; "
        f"{plural(submitted, 'capture')} submitted; manifest: {escape(manifest)}",
        highlight=False,
    )


def _list_entries(console: Console, heading: str, entries: list[tuple[ManifestEntry, str]]) -> None:
    """A heading with a count, then each entry's citations a line, with what to say of it."""
    if not entries:
        return
    console.print(f"\n{heading} ({len(entries)})", highlight=False)
    for entry, why in entries:
        for loc in entry.locations:
            console.print(
                f"  [bold]{escape(loc.file)}:{loc.line}:{loc.column}[/]  {escape(entry.url)}\n"
                f"      [dim]{escape(why)}[/]",
                highlight=False,
            )


def render_fixes(
    changes: Sequence[FileChange], skipped: Sequence[Skipped], mode: str, *, to_stderr: bool
) -> None:
    """Every change, a citation a line (``file:line:col  OLD → NEW  (why)``), the fixable
    citations left alone with why, and a count; on standard error when a diff is on stdout."""
    console = Console(soft_wrap=True, stderr=to_stderr)
    done = {"write": "fixed", "diff": "in the diff", "dry-run": "would fix"}[mode]
    for change in changes:
        for fix in sorted(change.fixes, key=lambda f: (f.location.line, f.location.column)):
            loc = fix.location
            if fix.beside == "unarchived":
                change_line = "+ {{dead link}}"
            elif fix.beside == "revived":
                change_line = "alive again"
            elif fix.beside is not None:
                change_line = f"+ archived copy {fix.new} of {fix.version_date}"
            else:
                change_line = f"→ {fix.new}"
            console.print(
                f"[bold]{escape(loc.file)}:{loc.line}:{loc.column}[/]  {escape(fix.old)}\n"
                f"      [green]{escape(change_line)}[/]  [dim]({escape(fix.why)})[/]",
                highlight=False,
            )
    for item in skipped:
        loc = item.location
        console.print(
            f"[bold]{escape(loc.file)}:{loc.line}:{loc.column}[/]  {escape(item.url)}\n"
            f"      [yellow]not fixed:[/] [dim]{escape(item.why)}[/]",
            highlight=False,
        )
    count = sum(len(change.fixes) for change in changes)
    files = plural(len(changes), "file")
    left = f"; {plural(len(skipped), 'citation')} left as they are" if skipped else ""
    console.print(f"\nfix: {plural(count, 'citation')} {done} in {files}{left}", highlight=False)
