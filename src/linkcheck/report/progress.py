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
    Status.CHANGED: "bold yellow",
    Status.INVALID: "red",
    Status.OFFLINE: "dim",
    Status.EXCLUDED: "dim",
    Status.UNSUPPORTED: "dim",
    Status.SKIPPED: "dim",
    Status.UNREADABLE: "bold red",
    Status.RETRACTED: "bold red",
    Status.MISMATCH: "bold magenta",
}


SNAPSHOT_STYLES = {
    "captured": "green",
    "existing": "green",
    "suggested": "yellow",
    "not_captured": "dim",
    "failed": "red",
}


# Short forms of the counts, for narrow terminals: "80✓ 3✗ 2!".
SYMBOLS = {
    "ok": "✓", "redirected": "→", "broken": "✗", "error": "!", "timeout": "⧖", "blocked": "⊘",
    "fragment_missing": "¶", "unverifiable": "?", "invalid": "≠", "offline": "~",
    "excluded": "-", "unsupported": "-", "skipped": "-", "unreadable": "✗",
    "captured": "✓", "existing": "✓", "suggested": "→", "not_captured": "-", "failed": "✗",
}  # fmt: skip


def progress_line(
    label: str,
    done: int,
    total: int,
    counts: list[tuple[str, int, str]],
    remaining: str,
    width: int,
) -> str:
    """The progress line in rich markup, fitted to ``width`` columns.

    done/total and the time left are kept at any width of 60 or more; the bar shrinks first,
    then the counts take their short form (``80✓ 3✗``), then they are dropped.
    """
    head = f"{label} {done}/{total}"
    tail = f"ETA {remaining}"
    full = " ".join(f"[{style}]{n} {name}[/]" for name, n, style in counts)
    full_len = sum(len(f"{n} {name}") + 1 for name, n, _ in counts)
    short = " ".join(f"[{style}]{n}{SYMBOLS.get(name, '·')}[/]" for name, n, style in counts)
    short_len = sum(len(f"{n}{SYMBOLS.get(name, '·')}") + 1 for name, n, _ in counts)
    fixed = len(head) + len(tail) + 2
    for shown, length in ((full, full_len), (short, short_len), ("", 0)):
        room = width - fixed - length - 1
        if room >= 10 or not shown:
            bar_width = max(0, min(40, room))
            filled = round(bar_width * done / total) if total else 0
            bar = f"[magenta]{'━' * filled}[/][dim]{'━' * (bar_width - filled)}[/]"
            parts = [f"[bold]{head}[/]", bar if bar_width >= 5 else "", shown, f"[dim]{tail}[/]"]
            return " ".join(part for part in parts if part)
    raise AssertionError("unreachable")


class CheckProgress:
    """A progress line on standard error: done/total, a bar, counts by status and time left,
    fitted to the terminal's width (see progress_line).

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
        """Show the line for ``total`` items."""
        if self._enabled and total and self._progress is None:
            from rich.console import Console
            from rich.progress import Progress, ProgressColumn, Task
            from rich.text import Text

            console = Console(stderr=True)
            progress = self

            class Line(ProgressColumn):
                def render(self, task: Task) -> Text:
                    remaining = task.time_remaining
                    left = "-:--:--" if remaining is None else _clock(remaining)
                    counts = [
                        (name, n, progress._styles[name])
                        for name, n in progress._counts.most_common()
                    ]
                    line = progress_line(
                        progress.label,
                        int(task.completed),
                        int(task.total or 0),
                        counts,
                        left,
                        console.width - 1,
                    )
                    return Text.from_markup(line)

            self._progress = Progress(Line(), console=console, transient=True)
            self._task = self._progress.add_task("check", total=total)
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
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1)


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}"


class ArchiveProgress(CheckProgress):
    """The archive stage's progress bar: counts by kind of snapshot."""

    label = "archiving"

    def advance(self, entry: ManifestEntry) -> None:  # type: ignore[override]
        """Count one archived URL."""
        self._count(entry.snapshot.value, SNAPSHOT_STYLES[entry.snapshot.value])
