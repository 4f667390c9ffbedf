"""Rendering the result of ``linkcheck extract``: table, text, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

from linkcheck.model import PARTS, Citation, OpenDocument
from linkcheck.report.output import open_output

CITATION_FIELDS = (
    "url", "file", "line", "column", "text", "role", "kind", "identifier", "target", "reason",
    *PARTS,
)  # fmt: skip


def citation_record(citation: Citation) -> dict[str, Any]:
    """A citation as a JSON-ready mapping; optional fields appear only when set."""
    record: dict[str, Any] = {
        "url": citation.url,
        "file": citation.file,
        "line": citation.line,
        "column": citation.column,
        "text": citation.text,
        "role": citation.role,
        "kind": citation.kind.value,
    }
    if citation.identifier is not None:
        record["identifier"] = citation.identifier
    if citation.target is not None:
        record["target"] = citation.target
    if citation.reason is not None:
        record["reason"] = citation.reason
    if citation.part is not None:
        record[citation.part[0]] = citation.part[1]
    if citation.claims is not None:
        claims = citation.claims
        said = {
            "quote": claims.quote,
            "url_status": claims.status,
            "archive_url": claims.archive_url,
            "archive_date": claims.archive_date,
            "access_date": claims.access_date,
            "dead_link": claims.dead_tag,
        }
        record["claims"] = {key: value for key, value in said.items() if value is not None}
    return record


def render_extraction(
    documents: Iterable[OpenDocument], output_format: str | None, output: str | None
) -> int:
    """Write the documents' citations in ``output_format`` to ``output`` (stdout when None).

    Citations are written as they are extracted (except for the table), so memory does not
    grow with their number. Returns how many documents there were.
    """
    if output_format is None:
        output_format = "table" if output is None and sys.stdout.isatty() else "text"
    with open_output(output) as stream:
        return EXTRACT_FORMATS[output_format](documents, stream)


def _write_text(documents: Iterable[OpenDocument], stream: IO[str]) -> int:
    count = 0
    for document in documents:
        count += 1
        for c in document.citations:
            stream.write(f"{c.file}:{c.line}:{c.column}\t{c.role}\t{c.kind}\t{c.url}\n")
    return count


def _write_csv(documents: Iterable[OpenDocument], stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, CITATION_FIELDS)
    writer.writeheader()
    count = 0
    for document in documents:
        count += 1
        writer.writerows(citation_record(c) for c in document.citations)
    return count


def _write_json(documents: Iterable[OpenDocument], stream: IO[str]) -> int:
    # Streamed by hand: citations first, then the per-document counts known only at the end.
    summaries = []
    stream.write('{\n  "citations": [')
    separator = "\n    "
    for document in documents:
        count = 0
        for citation in document.citations:
            stream.write(separator + json.dumps(citation_record(citation), ensure_ascii=False))
            separator = ",\n    "
            count += 1
        summary: dict[str, Any] = {
            "file": document.file,
            "format": document.format.value if document.format is not None else None,
            "citations": count,
        }
        if document.problem is not None:
            summary["problem"] = document.problem
        summaries.append(summary)
    stream.write('\n  ],\n  "documents": ')
    stream.write(json.dumps(summaries, ensure_ascii=False))
    stream.write("\n}\n")
    return len(summaries)


def _render_table(documents: Iterable[OpenDocument], stream: IO[str]) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream)
    table = Table(header_style="bold", expand=True)
    table.add_column("location", overflow="fold", ratio=2)
    table.add_column("role", ratio=1)
    table.add_column("url", overflow="fold", ratio=4)
    table.add_column("text", overflow="ellipsis", ratio=2)
    count = total = 0
    for document in documents:
        count += 1
        for c in document.citations:
            total += 1
            url = c.url if c.kind != "invalid" else f"{c.url} [red](invalid: {c.reason})[/red]"
            if c.identifier is not None:
                url += f" ({c.kind} {c.identifier})"
            table.add_row(f"{c.file}:{c.line}:{c.column}", c.role, url, c.text)
    if count:
        console.print(table)
        console.print(f"{total} citations in {count} documents")
    return count


# Each format writes the documents' citations to a stream and returns how many documents it saw.
EXTRACT_FORMATS: dict[str, Callable[[Iterable[OpenDocument], IO[str]], int]] = {
    "table": _render_table,
    "text": _write_text,
    "json": _write_json,
    "csv": _write_csv,
}
