"""Reading JSON reports back, to merge the shards of one check (``linkcheck merge``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcheck.errors import UsageError
from linkcheck.model import (
    FETCH_FAILED,
    PARTS,
    CheckRun,
    FetchResult,
    FragmentOutcome,
    Location,
    Refusal,
    Result,
    Status,
    Work,
)
from linkcheck.report.results import REPORT_SCHEMA_VERSION


def merge_reports(paths: Sequence[Path]) -> CheckRun:
    """One run from the JSON reports of its shards (``check --shard I/N --format json``).

    A URL reported by several shards is listed once, with every place it is cited.
    """
    merged: dict[str, Result] = {}
    for path in paths:
        for record in _records(path):
            result = _result(record, path)
            if result.url in merged:
                known = merged[result.url].locations
                known.extend(loc for loc in result.locations if loc not in known)
            else:
                merged[result.url] = result
    results = list(merged.values())
    citations = sum(len(result.locations) for result in results)
    # One report read back (as the GitHub Action does) is still a check's.
    shards = len(paths) > 1
    return CheckRun(results, citations, 0.0, paths=tuple(map(str, paths)), merged=shards)


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not a JSON report ({exc})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise UsageError(f'{path}: not a linkcheck JSON report (no "results" list)')
    version = payload.get("schema_version", 1)  # reports before versioning had shape 1
    if not isinstance(version, int) or version > REPORT_SCHEMA_VERSION:
        raise UsageError(
            f"{path}: a report of schema version {version} (from a newer linkcheck); this one "
            f"reads up to {REPORT_SCHEMA_VERSION}"
        )
    records: list[dict[str, Any]] = payload["results"]
    return records


def _result(record: dict[str, Any], path: Path) -> Result:
    """A result as ``result_record`` wrote it."""
    try:
        status = Status(record["status"])
        locations = [
            Location(
                str(loc["file"]),
                int(loc["line"]),
                int(loc["column"]),
                str(loc["text"]),
                next(((part, loc[part]) for part in PARTS if part in loc), None),
            )
            for loc in record.get("locations", [])
        ]
        fragments = [FragmentOutcome.from_record(item) for item in record.get("fragments", [])]
        fetch = None
        if record.get("consecutive_failures") is not None:
            checked = record.get("checked_at")
            refusal = record.get("refusal")
            fetch = FetchResult(
                # The page's own verdict, before its fragments (what --fail-after counts).
                status=status if status in FETCH_FAILED or not fragments else Status.OK,
                reason=str(record.get("reason", "")),
                http_status=record.get("http_status"),
                final_url=record.get("final_url"),
                redirects=list(record.get("redirects", [])),
                checked_at=datetime.fromisoformat(checked).timestamp() if checked else 0.0,
                cached=bool(record.get("cached")),
                failures=int(record["consecutive_failures"]),
                refusal=Refusal(refusal) if refusal in set(Refusal) else None,
                drift=record.get("drift"),
            )
        witness = record.get("witness")
        work = record.get("work")
        return Result(
            str(record["url"]), status, str(record["reason"]), fetch, locations, fragments,
            witness=str(witness) if witness is not None else None,
            work=Work.from_record(work) if work is not None else None,
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: a result of an unexpected shape ({exc})") from None
