"""``linkcheck fix``, the rewrite: planned fixes applied to the documents' own bytes.

Only the URL's own characters change, found at the line and column the extraction recorded; a
file keeps its encoding, its byte-order mark, its line endings and everything else byte for byte.
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

from linkcheck.extract import LineIndex, attribute_escaped, declared_codec, document_format
from linkcheck.fix.plan import ALREADY_ROBUST
from linkcheck.model import FileChange, Fix, Format, Skipped


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
    if fix.beside is not None and fmt is not None:
        if not text.startswith(fix.old, start):
            return "the URL is written differently in the source: left as it is"
        return document_format(fmt).annotate(text, start, fix)
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
