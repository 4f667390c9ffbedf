"""The terminal report: a live progress bar, then problems grouped by status and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from linkcheck.model import ManifestEntry, Result, Status
from linkcheck.report.hints import hints
from linkcheck.report.results import problems, summary

STATUS_STYLES = {
    Status.OK: "green",
    Status.REDIRECTED: "yellow",
    Status.BROKEN: "bold red",
    Status.ERROR: "red",
    Status.TIMEOUT: "red",
    Status.BLOCKED: "yellow",
    Status.FRAGMENT_MISSING: "bold magenta",
    Status.UNVERIFIABLE: "yellow",
    Status.INVALID: "red",
    Status.OFFLINE: "dim",
    Status.EXCLUDED: "dim",
    Status.UNSUPPORTED: "dim",
    Status.SKIPPED: "dim",
    Status.UNREADABLE: "bold red",
}


class CheckProgress:
    """A rich progress bar on standard error: done/total, counts by status, rate and ETA.

    It appears once the total is known (``planned``), and only when ``enabled``.
    """

    label = "checking"

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._counts: Counter[str] = Counter()
        self._styles: dict[str, str] = {}
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def planned(self, total: int) -> None:
        """Show the bar for ``total`` items."""
        if self._enabled and total and self._progress is None:
            self._progress = Progress(
                TextColumn(f"[bold]{self.label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TextColumn("[dim]{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task("check", total=total, counts="", rate="")
            self._progress.start()

    def interrupting(self, say: Callable[[str], None]) -> Callable[[str], None]:
        """``say``, printed above the bar rather than through it."""

        def said(message: str) -> None:
            if self._progress is not None:
                self._progress.console.print(f"linkcheck: {message}", highlight=False, markup=False)
            else:
                say(message)

        return said

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, result: Result) -> None:
        """Count one finished URL."""
        self._count(result.status.value, STATUS_STYLES[result.status])

    def _count(self, name: str, style: str) -> None:
        self._counts[name] += 1
        self._styles[name] = style
        if self._progress is None or self._task is None:
            return
        counts = " ".join(f"[{self._styles[s]}]{n} {s}[/]" for s, n in self._counts.most_common())
        task = self._progress.tasks[0]
        speed = task.speed
        self._progress.update(
            self._task,
            advance=1,
            counts=counts,
            rate=f"{speed:.0f} URLs/s" if speed else "",
        )


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
            f"\n[bold red]network unreachable[/]: {offline} URL{'s' if offline != 1 else ''} "
            f"could not be checked; the canary {escape(canary)} did not answer either. "
            "Nothing was found dead: check your connection and run again.",
            highlight=False,
        )
    counts = summary(results)
    shown = ", ".join(
        f"[{STATUS_STYLES[s]}]{counts[s.value]} {s.value}[/]" for s in Status if counts[s.value]
    )
    console.print(
        f"\n{citations} citation{'s' if citations != 1 else ''}, {counts['total']} "
        f"URL{'s' if counts['total'] != 1 else ''}: {shown or 'nothing to check'} "
        f"[dim]in {elapsed:.1f} s[/]",
        highlight=False,
    )
    for hint in hints(results):
        console.print(f"[dim]hint:[/] {escape(hint)}", highlight=False)


SNAPSHOT_STYLES = {
    "captured": "green",
    "existing": "green",
    "suggested": "yellow",
    "not_captured": "dim",
    "failed": "red",
}


class ArchiveProgress(CheckProgress):
    """The archive stage's progress bar: counts by kind of snapshot."""

    label = "archiving"

    def advance(self, entry: ManifestEntry) -> None:  # type: ignore[override]
        """Count one archived URL."""
        self._count(entry.snapshot.value, SNAPSHOT_STYLES[entry.snapshot.value])


def render_archive_summary(
    entries: Sequence[ManifestEntry], captures_submitted: int, manifest: str
) -> None:
    """One line per kind of snapshot, and where the manifest is."""
    console = Console()
    counts = Counter(entry.snapshot.value for entry in entries)
    shown = ", ".join(
        f"[{SNAPSHOT_STYLES[kind]}]{counts[kind]} {kind.replace('_', ' ')}[/]"
        for kind in SNAPSHOT_STYLES
        if counts[kind]
    )
    console.print(
        f"archive: {len(entries)} URLs: {shown or 'nothing to archive'}; "
        f"{captures_submitted} captures submitted; manifest: {escape(manifest)}",
        highlight=False,
    )
