"""``linkcheck fix``: the fixes a check already knows, applied to the documents' own bytes.

A permanent redirect becomes its final URL (same host unless asked otherwise); a dead
citation becomes its verified archived copy, text fragment kept. Only the URL's own characters
change, found at the line and column the extraction recorded; a file keeps its encoding, its
byte-order mark, its line endings and everything else byte for byte.
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urldefrag, urlsplit

from linkcheck.extract import LineIndex, attribute_escaped, declared_codec, document_format
from linkcheck.model import (
    FETCH_FAILED,
    FileChange,
    Fix,
    Format,
    Result,
    Skipped,
    Status,
    host_of,
)

ALREADY_ROBUST = "already a Robust Link"


class SnapshotRecords(Protocol):
    """The snapshot ``linkcheck archive`` recorded for each page (the cache)."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...


class CopyRecords(Protocol):
    """The copies ``linkcheck archive`` found of each page, and their verifications."""

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None: ...
    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None: ...


def plan_fixes(
    results: Sequence[Result],
    snapshots: SnapshotRecords | None,
    copies: CopyRecords | None,
    *,
    wayback_url: str,
    cross_host: bool,
    fail_after: int,
    citation_dates: dict[str, date],
    document_dates: dict[str, date] | None = None,
    robust: bool = False,
) -> tuple[list[Fix], list[Skipped]]:
    """The fixes the results call for, and the fixable citations left alone (with why).

    With ``robust``, every link with a verified archived copy is also to become a Robust Link,
    dated by its own document (``document_dates``), else by its nearest copy.
    """
    fixes: list[Fix] = []
    skipped: list[Skipped] = []
    for result in results:
        fetch = result.fetch
        if fetch is None or result.status is Status.EXCLUDED:
            continue  # not fetched, or left alone on purpose (an ignore)
        cited_on = citation_dates.get(result.url)
        found = verified_copies(result.url, snapshots, copies, wayback_url, cited_on)
        new, why, problem = None, "", None
        if fetch.status is Status.REDIRECTED and fetch.final_url:
            new, why = _with_fragment(fetch.final_url, result.url), "moved permanently"
            if not cross_host and host_of(fetch.final_url) != host_of(result.url):
                elsewhere = host_of(fetch.final_url)
                new, problem = None, f"moved to another host ({elsewhere}): --cross-host"
        elif _dead(fetch.status, fetch.failures, fail_after):
            if not found:
                problem = "dead, with no verified archived copy (run linkcheck archive first)"
            else:
                new, why = found[0][0], f"{fetch.status.value}: its verified archived copy"
        for location in result.locations:
            if robust and found:
                made = (document_dates or {}).get(location.file)
                version_date = made.isoformat() if made else found[0][1]
                fixes.append(
                    Fix(
                        location,
                        result.url,
                        new or result.url,
                        f"{why} and a Robust Link" if why else "a Robust Link",
                        tuple(found[:3]),
                        version_date,
                    )
                )
            elif new is not None and new != result.url:
                fixes.append(Fix(location, result.url, new, why))
            elif problem is not None:
                skipped.append(Skipped(location, result.url, problem))
    return fixes, skipped


def apply_fixes(
    fixes: Iterable[Fix], formats: dict[str, Format | None]
) -> tuple[list[FileChange], list[Skipped]]:
    """Each file's new bytes (files are read, never written here), and the fixes that could
    not be placed: a URL written differently in the source, a file that would not round-trip."""
    by_file: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_file.setdefault(fix.location.file, []).append(fix)
    changes: list[FileChange] = []
    skipped: list[Skipped] = []
    for file, wanted in by_file.items():
        fmt = formats.get(file)
        if fmt is not None and not document_format(fmt).fixable:
            why = f"fix does not rewrite {document_format(fmt).title} documents"
            skipped += [Skipped(f.location, f.old, why) for f in wanted]
            continue
        path = Path(file)
        try:
            before = path.read_bytes()
        except OSError as exc:
            skipped += [Skipped(f.location, f.old, f"cannot read {file}: {exc}") for f in wanted]
            continue
        encoding = _encoding(before)
        if encoding is None:
            why = "the file is not UTF-8 (nor in a charset it declares): left untouched"
            skipped += [Skipped(f.location, f.old, why) for f in wanted]
            continue
        codec, bom = encoding
        text = before[len(bom) :].decode(codec)
        lines = LineIndex(text)
        edits: list[tuple[int, int, str, Fix]] = []  # (start, end, replacement, fix)
        for fix in wanted:
            placed = _place(text, lines, fix, fmt)
            if placed == ALREADY_ROBUST:
                continue  # done by an earlier run: nothing to say
            if isinstance(placed, str):
                skipped.append(Skipped(fix.location, fix.old, placed))
            else:
                edits.append((*placed, fix))
        applied: list[Fix] = []
        limit = len(text) + 1
        for start, end, replacement, fix in sorted(edits, key=lambda edit: -edit[0]):
            if end > limit:  # inside a span another fix rewrites (a URL in a link's text)
                skipped.append(Skipped(fix.location, fix.old, "inside another fixed link"))
                continue
            text = text[:start] + replacement + text[end:]
            applied.append(fix)
            limit = start
        if applied:
            after = bom + text.encode(codec)
            changes.append(FileChange(path, before, after, applied[::-1]))
    return changes, skipped


def unified_diff(changes: Sequence[FileChange]) -> str:
    """A patch ``git apply`` accepts: a/ and b/ paths, and the end-of-file marker."""
    out: list[str] = []
    for change in changes:
        name = change.path.as_posix()
        old = _patch_lines(change.before)
        new = _patch_lines(change.after)
        body = list(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}", n=3))
        if not body:
            continue
        out.append(f"diff --git a/{name} b/{name}\n")
        for line in body:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _patch_lines(data: bytes) -> list[str]:
    # surrogateescape: any byte survives the round trip, whatever the file's encoding.
    return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)


def _dead(status: Status, failures: int, fail_after: int) -> bool:
    if status is Status.BROKEN:
        return True
    return status in FETCH_FAILED and failures >= fail_after


def _with_fragment(target: str, cited: str) -> str:
    fragment = urldefrag(cited).fragment if "#" in cited else ""
    if not fragment or "#" in target:
        return target
    return f"{target}#{fragment}"


def verified_copies(
    url: str,
    snapshots: SnapshotRecords | None,
    copies: CopyRecords | None,
    wayback_url: str,
    cited_on: date | None,
) -> list[tuple[str, str]]:
    """The verified archived copies of ``url`` (fragment kept) and their dates (YYYY-MM-DD),
    one per archive, nearest the citation's date first, as ``linkcheck archive`` recorded them."""
    if snapshots is None or copies is None:
        return []
    page, fragment = urldefrag(url)
    fragment = fragment if "#" in url else ""
    candidates: dict[str, str] = {}
    recorded = snapshots.snapshot(page)
    if recorded is not None:
        timestamp, original, _ = recorded
        candidates[f"{wayback_url.rstrip('/')}/web/{timestamp}/{original}"] = timestamp
    for copy_url, timestamp in copies.copies(page, float("inf")) or []:
        candidates.setdefault(copy_url, timestamp)
    target = int((cited_on or datetime.now(UTC).date()).strftime("%Y%m%d"))
    found: list[tuple[str, str]] = []
    archives: set[str] = set()
    for copy_url, stamp in sorted(candidates.items(), key=lambda c: abs(int(c[1][:8]) - target)):
        archive = urlsplit(copy_url).netloc.lower()
        check = copies.copy_check(copy_url, fragment)
        if archive in archives or check is None or not check[0]:
            continue
        archives.add(archive)
        day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
        found.append((copy_url + (f"#{fragment}" if fragment else ""), day))
    return found


def _encoding(data: bytes) -> tuple[str, bytes] | None:
    """(codec, byte-order mark) to read and write the file back byte for byte, or None."""
    if data.startswith(codecs.BOM_UTF8):
        bom, data = codecs.BOM_UTF8, data[len(codecs.BOM_UTF8) :]
    else:
        bom = b""
    try:
        data.decode("utf-8")
        return "utf-8", bom
    except UnicodeDecodeError:
        pass
    declared = declared_codec(data[:1024])
    if bom or declared is None:
        return None
    try:
        if data.decode(declared).encode(declared) == data:
            return declared, bom
    except (UnicodeDecodeError, UnicodeEncodeError):
        pass
    return None


def _place(text: str, lines: LineIndex, fix: Fix, fmt: Format | None) -> tuple[int, int, str] | str:
    """(start, end, replacement) of the fix in ``text``, or why it cannot be placed."""
    start = lines.offset(fix.location.line, fix.location.column)
    if start is None:
        return "its position is outside the file (changed since the check?)"
    escaped = document_format(fmt).escaped if fmt is not None else None
    if text.startswith(fix.old, start):
        end, new = start + len(fix.old), fix.new
    elif escaped is not None and text.startswith(escaped(fix.old), start):
        end, new = start + len(escaped(fix.old)), escaped(fix.new)  # &amp; kept as &amp;
    else:
        return "the URL is written differently in the source (escapes or entities): left as it is"
    if not fix.robust:
        return start, end, new
    return _robust(text, start, end, fix)


def _robust(text: str, start: int, end: int, fix: Fix) -> tuple[int, int, str] | str:
    """A Markdown ``[text](URL)`` or an HTML ``<a href="URL">`` made a Robust Link."""
    attributes = (
        f' data-originalurl="{attribute_escaped(fix.old)}"'
        f' data-versionurl="{attribute_escaped(" ".join(f"{u} {d}" for u, d in fix.robust))}"'
        f' data-versiondate="{fix.version_date}"'
    )
    opening = text.rfind("<", 0, start)
    if text[start - 1 : start] in ('"', "'") and text[opening : opening + 2].lower() == "<a":
        closing = text.find(">", end)
        if closing == -1:
            return "an unclosed <a> tag: left as it is"
        if "data-versionurl" in text[opening:closing]:
            return ALREADY_ROBUST
        quote = text[start - 1]
        if text[end : end + 1] != quote:
            return "the href is not quoted as expected: left as it is"
        return start, end + 1, attribute_escaped(fix.new) + quote + attributes
    if text[start - 2 : start] == "](" and text[end : end + 1] == ")":
        depth, index = 0, start - 3
        while index >= 0:
            char = text[index]
            if char == "]" and text[index - 1 : index] != "\\":
                depth += 1
            elif char == "[" and text[index - 1 : index] != "\\":
                if depth == 0:
                    break
                depth -= 1
            elif char == "\n" and text[index - 1 : index] == "\n":
                index = -1  # a blank line: no link text starts before it
                break
            index -= 1
        if index < 0 or text[index - 1 : index] == "!":
            return "not a plain [text](URL) link: left as it is"
        label = text[index + 1 : start - 2]
        html = f'<a href="{attribute_escaped(fix.new)}"{attributes}>{label}</a>'
        return index, end + 1, html
    return "a Robust Link needs a [text](URL) or <a href> link: left as it is"
