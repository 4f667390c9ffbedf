"""Check results as JSON, Markdown, GitHub workflow commands and JUnit XML."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from linkcheck.model import Result, Status

# The order in which problems are listed: most actionable first.
PROBLEM_ORDER = (
    Status.UNREADABLE,
    Status.RETRACTED,
    Status.BROKEN,
    Status.MISMATCH,
    Status.FRAGMENT_MISSING,
    Status.CHANGED,
    Status.ERROR,
    Status.TIMEOUT,
    Status.INVALID,
    Status.BLOCKED,
    Status.REDIRECTED,
    Status.OFFLINE,
)
WARNING_STATUSES = frozenset({Status.BLOCKED, Status.REDIRECTED, Status.CHANGED, Status.MISMATCH})


def iso_time(timestamp: float | None) -> str | None:
    """ISO 8601 UTC, to the second (as ``iso_utc`` writes it, in half the time: one a result)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp)) if timestamp else None


def age(timestamp: float) -> str:
    """``3d 4h``, ``25m``, ``40s``: how long ago ``timestamp`` was."""
    seconds = max(0, int(time.time() - timestamp))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "0s"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 URL``, ``2 URLs``; ``words`` for an irregular plural (``copies``)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {words or word + 's'}"


def summary(results: Sequence[Result]) -> dict[str, int]:
    """``{"total": N, "<status>": N, …}`` over distinct cited URLs, every status present."""
    counts = Counter(result.status for result in results)
    return {"total": len(results), **{status.value: counts.get(status, 0) for status in Status}}


# The JSON report's shape (schemas/report.schema.json): a new shape is a new version, with a
# line in the README's changelog.
REPORT_SCHEMA_VERSION = 3


def result_record(result: Result) -> dict[str, Any]:
    """One result in the JSON shape users and later stages rely on."""
    fetch = result.fetch
    return {
        "url": result.url,
        "status": result.status.value,
        "http_status": fetch.http_status if fetch else None,
        "final_url": fetch.final_url if fetch else None,
        "reason": result.reason,
        "redirects": list(fetch.redirects) if fetch else [],
        "checked_at": iso_time(fetch.checked_at) if fetch else None,
        "cached": fetch.cached if fetch else False,
        "consecutive_failures": fetch.failures if fetch else None,
        "refusal": fetch.refusal.value if fetch and fetch.refusal else None,
        "drift": fetch.drift if fetch else None,
        "locations": [location.record() for location in result.locations],
        "fragments": [outcome.record() for outcome in result.fragments],
        "witness": result.witness,
        "work": result.work.record() if result.work is not None else None,
    }


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps makes one a call


def render_json(results: Sequence[Result]) -> str:
    """The whole run as JSON, one result a line.

    (json's indenting encoder is pure Python and ten times slower than the compact C one.)
    """
    lines = ",\n    ".join(_ENCODE(result_record(r)) for r in results)
    body = f"[\n    {lines}\n  ]" if results else "[]"
    summary_json = json.dumps(summary(results))
    return (
        f'{{\n  "schema_version": {REPORT_SCHEMA_VERSION},\n  "summary": {summary_json},\n'
        f'  "results": {body}\n}}\n'
    )


def problems(results: Iterable[Result]) -> list[Result]:
    """Results worth a reader's attention, most actionable status first."""
    rank = {status: index for index, status in enumerate(PROBLEM_ORDER)}
    listed = [r for r in results if r.status in rank]
    return sorted(listed, key=lambda r: rank[r.status])


def render_markdown(results: Sequence[Result], failing: Collection[Status]) -> str:
    """A Markdown report: counts, then a table of every problem citation."""
    counts = summary(results)
    lines = ["## linkcheck", ""]
    shown = [f"{counts[s.value]} {s.value}" for s in Status if counts[s.value]]
    lines.append(f"{plural(counts['total'], 'URL')} checked: " + ", ".join(shown) + ".")
    rows = [
        (r, loc) for r in problems(results) if r.status is not Status.OFFLINE for loc in r.locations
    ]
    offline = counts[Status.OFFLINE.value]
    if offline:
        lines += ["", f"**Network unreachable**: {plural(offline, 'URL')} could not be checked."]
    if rows:
        lines += ["", "| status | where | URL | reason |", "| --- | --- | --- | --- |"]
        for result, loc in rows:
            mark = "❌" if result.status in failing else "⚠️"
            cells = [
                f"{mark} {result.status.value}",
                f"`{loc.file}:{loc.line}:{loc.column}`",
                result.url,
                result.reason,
            ]
            lines.append("| " + " | ".join(_markdown_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_github(results: Sequence[Result], failing: Collection[Status]) -> str:
    """GitHub Actions workflow commands: an annotation on every problem citation."""
    lines = []
    for result in problems(results):
        if result.status in failing:
            level = "error"
        elif result.status in WARNING_STATUSES or result.status is Status.OFFLINE:
            level = "warning"
        else:
            continue
        for loc in result.locations:
            properties = ",".join(
                f"{key}={_escape_property(str(value))}"
                for key, value in (
                    ("file", loc.file),
                    ("line", loc.line),
                    ("col", loc.column),
                    ("title", f"linkcheck: {result.status.value}"),
                )
            )
            lines.append(
                f"::{level} {properties}::{_escape_data(f'{result.url} — {result.reason}')}"
            )
    counts = summary(results)
    shown = ", ".join(f"{counts[s.value]} {s.value}" for s in Status if counts[s.value])
    lines.append(f"linkcheck: {plural(counts['total'], 'URL')}: {shown}")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_junit(
    results: Sequence[Result],
    failing: Collection[Status],
    *,
    elapsed: float = 0.0,
    started: datetime | None = None,
) -> str:
    """JUnit XML: one test case per citation, failing where its URL's status fails the run.

    Suites carry ``time``, ``timestamp`` and ``hostname`` and cases ``time``, as strict
    consumers (the Ant schema) require; a case's time is its URL's share of the run's.
    """
    import socket
    from xml.etree import ElementTree

    started = started or datetime.now(UTC)
    suite = ElementTree.Element(
        "testsuite",
        name="linkcheck",
        timestamp=started.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        hostname=socket.gethostname() or "localhost",
        time=f"{elapsed:.3f}",
    )
    share = elapsed / max(1, sum(len(r.locations) for r in results))
    tests = failures = skipped = 0
    for result in results:
        for loc in result.locations:
            tests += 1
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=loc.file,
                name=f"{loc.line}:{loc.column} {result.url}",
                time=f"{share:.3f}",
            )
            if result.status in failing:
                failures += 1
                element = ElementTree.SubElement(
                    case, "failure", message=result.reason, type=result.status.value
                )
                element.text = f"{result.status.value}: {result.url} ({result.reason})"
            elif result.status in (
                Status.EXCLUDED,
                Status.SKIPPED,
                Status.OFFLINE,
                Status.UNSUPPORTED,
            ):
                skipped += 1
                ElementTree.SubElement(
                    case, "skipped", message=f"{result.status.value}: {result.reason}"
                )
            else:
                ElementTree.SubElement(
                    case, "system-out"
                ).text = f"{result.status.value}: {result.reason}"
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ElementTree.Element(
        "testsuites",
        tests=str(tests),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{elapsed:.3f}",
    )
    root.append(suite)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


RULE_HELP = {
    Status.UNREADABLE: "A document could not be read: none of its citations were checked.",
    Status.BROKEN: "The cited URL is dead: 4xx, an unknown host, a soft 404 or a missing file.",
    Status.ERROR: "The server failed (5xx), refused or reset the connection, or looped.",
    Status.TIMEOUT: "No complete answer within the time limit.",
    Status.FRAGMENT_MISSING: "The page is alive but the cited words or anchor are not on it.",
    Status.INVALID: "The URL or its text directive is malformed.",
    Status.BLOCKED: "The site refuses automated requests (401, 403, 429, 999, bot challenge).",
    Status.REDIRECTED: "The URL moved permanently: cite the new address.",
    Status.OFFLINE: "The network was unreachable: not checked.",
    Status.UNVERIFIABLE: "The cited fragment cannot be verified on this kind of page.",
    Status.CHANGED: "The page answers, but its text is mostly not what was there when first seen.",
    Status.RETRACTED: "The cited work has been retracted or withdrawn.",
    Status.MISMATCH: "The identifier is registered to another work than the title cited.",
}


RULE_ACTION = {
    Status.UNREADABLE: "Fix the file's encoding or content, or exclude it with --exclude-path.",
    Status.BROKEN: "Cite a live address, or the archived copy `linkcheck archive` suggests.",
    Status.ERROR: "Check again later; if it persists, cite an archived copy.",
    Status.TIMEOUT: "Check again later, or raise --timeout for this host ([hosts]).",
    Status.FRAGMENT_MISSING: "Update the quote or anchor, or cite the archived copy that has it.",
    Status.INVALID: "Correct the URL or the text directive.",
    Status.BLOCKED: "Not a failure by default: check it by hand, or give the host a token.",
    Status.REDIRECTED: "Replace the URL by its new address (final_url).",
    Status.OFFLINE: "Run again with a network connection.",
    Status.UNVERIFIABLE: "Verify the quote by hand.",
    Status.CHANGED: "Check the page still says what you cite; else cite its archived copy.",
    Status.RETRACTED: "Do not cite it as sound: say it was retracted, or cite the notice.",
    Status.MISMATCH: "Correct the DOI or arXiv id (or the title) so both name the same work.",
}


def render_sarif(results: Sequence[Result], failing: Collection[Status]) -> str:
    """SARIF 2.1.0 for code scanning: one result per problem citation, at its location.

    Locations are relative to ``%SRCROOT%`` (the current directory), as code scanning expects;
    every rule has a full description and help.
    """
    import os
    from pathlib import Path

    from linkcheck import PROJECT_URL, __version__

    root = Path.cwd()

    def uri(file: str) -> str:
        path = Path(file)
        if path.is_absolute():
            try:
                path = path.relative_to(root)
            except ValueError:
                return path.as_uri()  # outside the source root: an absolute file URI
        return quote(path.as_posix().replace(os.sep, "/"))

    findings = []
    used: dict[Status, None] = {}
    for result in problems(results):
        if result.status not in failing and result.status not in WARNING_STATUSES:
            continue
        used[result.status] = None
        for loc in result.locations:
            findings.append(
                {
                    "ruleId": f"linkcheck/{result.status.value}",
                    "level": "error" if result.status in failing else "warning",
                    "message": {"text": f"{result.url} — {result.reason}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": uri(loc.file),
                                    "uriBaseId": "%SRCROOT%",
                                },
                                "region": {"startLine": loc.line, "startColumn": loc.column},
                            }
                        }
                    ],
                }
            )
    rules = [
        {
            "id": f"linkcheck/{status.value}",
            "name": status.value,
            "shortDescription": {"text": RULE_HELP.get(status, status.value)},
            "fullDescription": {"text": RULE_HELP.get(status, status.value)},
            "help": {
                "text": f"{RULE_HELP.get(status, status.value)} {RULE_ACTION.get(status, '')}",
                "markdown": f"**{status.value}**: {RULE_HELP.get(status, status.value)} "
                f"{RULE_ACTION.get(status, '')}",
            },
            "helpUri": f"{PROJECT_URL}#commands",
        }
        for status in used
    ]
    payload = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "linkcheck",
                        "version": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": rules,
                    }
                },
                "results": findings,
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
            }
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
