"""Rendering the result of ``linkcheck extract``: table, text, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from linkcheck.documents import OpenDocument
from linkcheck.errors import UsageError
from linkcheck.model import Citation

CITATION_FIELDS = ("url", "file", "line", "column", "text", "role", "kind", "target", "reason")


@contextmanager
def open_output(output: str | None) -> Iterator[IO[str]]:
    """The named file (written as UTF-8), or standard output."""
    if output is None or output == "-":
        yield sys.stdout
        return
    try:
        stream = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    with stream:
        yield stream


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
    if citation.target is not None:
        record["target"] = citation.target
    if citation.reason is not None:
        record["reason"] = citation.reason
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
        if output_format == "json":
            return _write_json(documents, stream)
        if output_format == "table":
            return _render_table(documents, stream)
        count = 0
        if output_format == "csv":
            writer = csv.writer(stream)
            writer.writerow(CITATION_FIELDS)
            for document in documents:
                count += 1
                writer.writerows(
                    (
                        c.url,
                        c.file,
                        c.line,
                        c.column,
                        c.text,
                        c.role,
                        c.kind.value,
                        c.target,
                        c.reason,
                    )
                    for c in document.citations
                )
        else:
            for document in documents:
                count += 1
                for c in document.citations:
                    stream.write(f"{c.file}:{c.line}:{c.column}\t{c.role}\t{c.kind}\t{c.url}\n")
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
        summaries.append(
            {"file": document.file, "format": document.format.value, "citations": count}
        )
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
            table.add_row(f"{c.file}:{c.line}:{c.column}", c.role, url, c.text)
    if count:
        console.print(table)
        console.print(f"{total} citations in {count} documents")
    return count
