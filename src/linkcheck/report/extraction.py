"""Rendering the result of ``linkcheck extract``: table, text, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import IO, Any

from linkcheck.model import Citation, Document

CITATION_FIELDS = ("url", "file", "line", "column", "text", "role", "kind", "target", "reason")


@contextmanager
def open_output(output: str | None) -> Iterator[IO[str]]:
    """The named file (written as UTF-8), or standard output."""
    if output is None or output == "-":
        yield sys.stdout
        return
    with open(output, "w", encoding="utf-8", newline="") as stream:
        yield stream


def citation_record(citation: Citation) -> dict[str, Any]:
    """A citation as a JSON-ready mapping; optional fields appear only when set."""
    record = asdict(citation)
    record["kind"] = citation.kind.value
    for key in ("target", "reason"):
        if record[key] is None:
            del record[key]
    return record


def render_extraction(
    documents: Sequence[Document], output_format: str | None, output: str | None
) -> None:
    """Write the documents' citations in ``output_format`` to ``output`` (stdout when None)."""
    if output_format is None:
        output_format = "table" if output is None and sys.stdout.isatty() else "text"
    with open_output(output) as stream:
        if output_format == "json":
            payload = {
                "documents": [
                    {"file": d.file, "format": d.format.value, "citations": len(d.citations)}
                    for d in documents
                ],
                "citations": [citation_record(c) for d in documents for c in d.citations],
            }
            json.dump(payload, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        elif output_format == "csv":
            writer = csv.DictWriter(stream, fieldnames=CITATION_FIELDS, extrasaction="ignore")
            writer.writeheader()
            for document in documents:
                for citation in document.citations:
                    writer.writerow(citation_record(citation))
        elif output_format == "text":
            for document in documents:
                for c in document.citations:
                    stream.write(f"{c.file}:{c.line}:{c.column}\t{c.role}\t{c.kind}\t{c.url}\n")
        else:
            _render_table(documents, stream)


def _render_table(documents: Sequence[Document], stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream)
    table = Table(header_style="bold", expand=True)
    table.add_column("location", overflow="fold", ratio=2)
    table.add_column("role", ratio=1)
    table.add_column("url", overflow="fold", ratio=4)
    table.add_column("text", overflow="ellipsis", ratio=2)
    for document in documents:
        for c in document.citations:
            url = c.url if c.kind != "invalid" else f"{c.url} [red](invalid: {c.reason})[/red]"
            table.add_row(f"{c.file}:{c.line}:{c.column}", c.role, url, c.text)
    console.print(table)
    total = sum(len(d.citations) for d in documents)
    console.print(f"{total} citations in {len(documents)} documents")
