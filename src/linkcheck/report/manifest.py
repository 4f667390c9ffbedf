"""The archive manifest: each cited URL and its snapshot, as JSON, CSV, Markdown or Robust Links."""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from linkcheck.model import Location, ManifestEntry, iso_utc
from linkcheck.report.output import write_text_file


def write_manifest(entries: Sequence[ManifestEntry], path: Path, generated_at: datetime) -> None:
    """Write the manifest in the format its extension names: .json (default), .csv or .md.

    Written whole or not at all; a failed write raises OutputError naming the file.
    """
    suffix = path.suffix.lower()
    with write_text_file(path, make_parents=True) as stream:
        if suffix == ".csv":
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
            stream.write(render_markdown(entries, generated_at))
        else:
            payload = {
                "generated_at": iso_utc(generated_at),
                "entries": [e.record() for e in entries],
            }
            stream.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


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
    with write_text_file(path, make_parents=True) as stream:
        stream.write("\n".join(lines) + "\n")
