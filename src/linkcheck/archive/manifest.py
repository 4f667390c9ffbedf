"""The archive manifest: each cited URL and its snapshot, as JSON, CSV, Markdown or Robust Links."""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from linkcheck.model import Location, iso_utc


class SnapshotKind(StrEnum):
    """How an entry's snapshot came about."""

    CAPTURED = "captured"  # requested now (or by an earlier, interrupted run)
    EXISTING = "existing"  # a recent enough snapshot was already there
    SUGGESTED = "suggested"  # the link is dead: its newest good snapshot, to cite instead
    NOT_CAPTURED = "not_captured"
    FAILED = "failed"


@dataclass(slots=True)
class ManifestEntry:
    """One cited URL (fragment included) and where its archived copy is."""

    url: str
    status: str
    snapshot: SnapshotKind
    reason: str
    archive_url: str | None = None
    archived_at: str | None = None
    job_id: str | None = None
    locations: list[Location] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "archive_url": self.archive_url,
            "archived_at": self.archived_at,
            "snapshot": self.snapshot.value,
            "reason": self.reason,
            "job_id": self.job_id,
            "locations": [location.record() for location in self.locations],
        }


def write_manifest(entries: Sequence[ManifestEntry], path: Path, generated_at: datetime) -> None:
    """Write the manifest in the format its extension names: .json (default), .csv or .md."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(
                ["url", "status", "snapshot", "archive_url", "archived_at", "reason", "job_id",
                 "file", "line", "column", "text"]
            )  # fmt: skip
            for e in entries:
                for loc in e.locations or [Location("", 0, 0, "")]:
                    snapshot = [e.snapshot.value, e.archive_url or "", e.archived_at or ""]
                    where = [loc.file, loc.line, loc.column, loc.text]
                    writer.writerow([e.url, e.status, *snapshot, e.reason, e.job_id or "", *where])
    elif suffix in (".md", ".markdown"):
        path.write_text(render_markdown(entries, generated_at), encoding="utf-8")
    else:
        payload = {
            "generated_at": iso_utc(generated_at),
            "entries": [e.record() for e in entries],
        }
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def render_markdown(entries: Sequence[ManifestEntry], generated_at: datetime) -> str:
    """A Markdown table of every entry."""
    lines = [
        "# Archive manifest",
        "",
        f"Generated {iso_utc(generated_at)}.",
        "",
        "| source | status | snapshot | archived copy | reason |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in entries:
        copy = f"[{e.archived_at or 'snapshot'}]({e.archive_url})" if e.archive_url else ""
        cells = [e.url, e.status, e.snapshot.value, copy, e.reason]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_robust_links(entries: Sequence[ManifestEntry], path: Path) -> None:
    """One Robust Links anchor per citation that has an archived copy."""
    lines = ["<!-- Robust Links: https://robustlinks.mementoweb.org/spec/ -->"]
    for e in entries:
        if not e.archive_url or not e.archived_at:
            continue
        for loc in e.locations:
            text = html.escape(loc.text or e.url)
            lines.append(
                f'<a href="{html.escape(e.url)}" data-originalurl="{html.escape(e.url)}" '
                f'data-versionurl="{html.escape(e.archive_url)}" '
                f'data-versiondate="{e.archived_at[:10]}">{text}</a>'
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
