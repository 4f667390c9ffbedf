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

from linkcheck.extract import declared_codec
from linkcheck.model import FETCH_FAILED, FileChange, Fix, Format, Result, Skipped, Status


class CopyStore(Protocol):
    """What ``linkcheck archive`` recorded (the cache): snapshots, copies, verifications."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...
    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None: ...
    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None: ...


def plan_fixes(
    results: Sequence[Result],
    store: CopyStore | None,
    *,
    wayback_url: str,
    cross_host: bool,
    fail_after: int,
    citation_dates: dict[str, date],
) -> tuple[list[Fix], list[Skipped]]:
    """The fixes the results call for, and the fixable citations left alone (with why)."""
    fixes: list[Fix] = []
    skipped: list[Skipped] = []
    for result in results:
        fetch = result.fetch
        if fetch is None:
            continue
        new, why, problem = None, "", None
        if fetch.status is Status.REDIRECTED and fetch.final_url:
            new, why = _with_fragment(fetch.final_url, result.url), "moved permanently"
            if not cross_host and _host(fetch.final_url) != _host(result.url):
                new, problem = (
                    None,
                    f"moved to another host ({_host(fetch.final_url)}): --cross-host",
                )
        elif _dead(fetch.status, fetch.failures, fail_after):
            copy = _verified_copy(result.url, store, wayback_url, citation_dates.get(result.url))
            if copy is None:
                problem = "dead, with no verified archived copy (run linkcheck archive first)"
            else:
                new, why = copy, f"{fetch.status.value}: its verified archived copy"
        for location in result.locations:
            if new is not None and new != result.url:
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
        starts = _line_starts(text)
        edits: list[tuple[int, int, str, Fix]] = []
        for fix in wanted:
            placed = _place(text, starts, fix, formats.get(file))
            if isinstance(placed, str):
                skipped.append(Skipped(fix.location, fix.old, placed))
            else:
                edits.append((*placed, fix))
        if not edits:
            continue
        for start, end, replacement, _ in sorted(edits, key=lambda edit: -edit[0]):
            text = text[:start] + replacement + text[end:]
        after = bom + text.encode(codec)
        changes.append(FileChange(path, before, after, [edit[3] for edit in edits]))
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


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _with_fragment(target: str, cited: str) -> str:
    fragment = urldefrag(cited).fragment if "#" in cited else ""
    if not fragment or "#" in target:
        return target
    return f"{target}#{fragment}"


def _verified_copy(
    url: str, store: CopyStore | None, wayback_url: str, cited_on: date | None
) -> str | None:
    """The verified archived copy of ``url`` nearest its citation's date, fragment kept."""
    if store is None:
        return None
    page, fragment = urldefrag(url)
    fragment = fragment if "#" in url else ""
    candidates: dict[str, str] = {}
    recorded = store.snapshot(page)
    if recorded is not None:
        timestamp, original, _ = recorded
        candidates[f"{wayback_url.rstrip('/')}/web/{timestamp}/{original}"] = timestamp
    for copy_url, timestamp in store.copies(page, float("inf")) or []:
        candidates.setdefault(copy_url, timestamp)
    target = (cited_on or datetime.now(UTC).date()).strftime("%Y%m%d")
    for copy_url, _ in sorted(candidates.items(), key=lambda c: abs(int(c[1][:8]) - int(target))):
        check = store.copy_check(copy_url, fragment)
        if check is not None and check[0]:
            return copy_url + (f"#{fragment}" if fragment else "")
    return None


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


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _place(
    text: str, starts: list[int], fix: Fix, fmt: Format | None
) -> tuple[int, int, str] | str:
    """(start, end, replacement) of the fix in ``text``, or why it cannot be placed."""
    line, column = fix.location.line, fix.location.column
    if not 1 <= line <= len(starts):
        return "its position is outside the file (changed since the check?)"
    start = starts[line - 1] + column - 1
    if text.startswith(fix.old, start):
        return start, start + len(fix.old), fix.new
    if fmt is Format.HTML:
        written = fix.old.replace("&", "&amp;")
        if text.startswith(written, start):  # &amp; in an attribute: written back the same way
            return start, start + len(written), fix.new.replace("&", "&amp;")
    return "the URL is written differently in the source (escapes or entities): left as it is"
