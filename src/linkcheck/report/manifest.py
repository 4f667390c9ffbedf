"""The archive manifest: each cited URL and its snapshot, as JSON, CSV, Markdown or Robust Links."""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from linkcheck.model import ArchivedCopy, Location, ManifestEntry, iso_utc
from linkcheck.report.output import write_text_file

# The manifest's shape (schemas/manifest.schema.json); 2: entries gained verified,
# verification, archive, citation_date and copies. A new shape is a new version, with a line in
# the README's changelog.
MANIFEST_SCHEMA_VERSION = 5
# A manifest named so is the HTML report of the archive run (report/html.py), not a manifest.
AS_A_PAGE = (".html", ".htm")


def write_manifest(entries: Sequence[ManifestEntry], path: Path, generated_at: datetime) -> None:
    """Write the manifest in the format its extension names: .json (default), .csv or .md.

    Written whole or not at all; a failed write raises OutputError naming the file.
    """
    suffix = path.suffix.lower()
    with write_text_file(path, make_parents=True) as stream:
        if suffix == ".csv":
            writer = csv.writer(stream)
            writer.writerow(
                ["url", "status", "snapshot", "archive_url", "archived_at", "archive", "verified",
                 "verification", "reason", "job_id", "citation_date", "copies", "file", "line",
                 "column", "text", "identifier", "registered_title"]
            )  # fmt: skip
            for e in entries:
                for loc in e.locations or [Location("", 0, 0, "")]:
                    snapshot = [e.snapshot.value, e.archive_url or "", e.archived_at or ""]
                    verdict = [e.archive or "", "true" if e.verified else "false", e.verification]
                    more = [e.reason, e.job_id or "", e.citation_date or "", len(e.copies)]
                    where = [loc.file, loc.line, loc.column, loc.text]
                    work = [e.identifier or "", e.registered_title or ""]
                    writer.writerow([e.url, e.status, *snapshot, *verdict, *more, *where, *work])
        elif suffix in (".md", ".markdown"):
            stream.write(render_markdown(entries, generated_at))
        else:
            payload = {
                "schema_version": MANIFEST_SCHEMA_VERSION,
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
        "| source | status | snapshot | verified copy | verification | other verified copies "
        "| reason |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in entries:
        copy = f"[{e.archived_at or 'snapshot'}]({e.archive_url})" if e.archive_url else ""
        others = ", ".join(
            f"[{c.archive} {c.captured_at[:10]}]({c.url})"
            for c in robust_copies(e)
            if c.url != e.archive_url
        )
        cells = [e.url, e.status, e.snapshot.value, copy, e.verification, others, e.reason]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def robust_copies(entry: ManifestEntry, most: int = 3) -> list[ArchivedCopy]:
    """Up to ``most`` verified copies from different archives: the chosen one first, then the
    others nearest the citation's date."""
    chosen: list[ArchivedCopy] = []
    for copy in sorted(entry.copies, key=lambda c: c.url != entry.archive_url):
        if copy.verified and all(copy.archive != c.archive for c in chosen):
            chosen.append(copy)
    return chosen[:most]


def write_robust_links(entries: Sequence[ManifestEntry], path: Path) -> None:
    """One Robust Links anchor per citation with a verified copy: ``data-versionurl`` holds up
    to three verified copies from different archives, each followed by its capture date (the
    2025 revision of the specification); ``data-versiondate`` is the citation's date (its
    document's), else the chosen copy's."""
    lines = ["<!-- Robust Links: https://robustlinks.mementoweb.org/spec/ -->"]
    for e in entries:
        copies = robust_copies(e)
        if not copies:
            continue
        versions = " ".join(f"{c.url} {c.captured_at[:10]}" for c in copies)
        version_date = e.citation_date or copies[0].captured_at[:10]
        for loc in e.locations:
            text = html.escape(loc.text or e.url)
            lines.append(
                f'<a href="{html.escape(e.url)}" data-originalurl="{html.escape(e.url)}" '
                f'data-versionurl="{html.escape(versions)}" '
                f'data-versiondate="{version_date}">{text}</a>'
            )
    with write_text_file(path, make_parents=True) as stream:
        stream.write("\n".join(lines) + "\n")
