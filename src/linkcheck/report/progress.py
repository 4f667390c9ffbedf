"""Progress bars on standard error (rich, loaded only when a bar is shown) and the styles
every terminal rendering gives each status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from linkcheck.model import ManifestEntry, Result, Status

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

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


SNAPSHOT_STYLES = {
    "captured": "green",
    "existing": "green",
    "suggested": "yellow",
    "not_captured": "dim",
    "failed": "red",
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
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

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


class ArchiveProgress(CheckProgress):
    """The archive stage's progress bar: counts by kind of snapshot."""

    label = "archiving"

    def advance(self, entry: ManifestEntry) -> None:  # type: ignore[override]
        """Count one archived URL."""
        self._count(entry.snapshot.value, SNAPSHOT_STYLES[entry.snapshot.value])
