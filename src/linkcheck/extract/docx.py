"""Word documents (``.docx``): hyperlinks (their relationships' external targets, with a bookmark
as the fragment) and ``HYPERLINK`` field codes, in the body, the footnotes and the endnotes.

The package's XML is read safely: no entity is expanded, no DTD or network resource loaded. A
Word document has no lines to point at: a citation's line and column are 1, and its location
names its ``paragraph`` (of the body, from 1), or its ``footnote`` or ``endnote``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from linkcheck.extract.identifiers import unlinked_mentions
from linkcheck.extract.raw import (
    RawLink,
    UnreadableDocument,
    as_bytes,
    collapse_whitespace,
)

if TYPE_CHECKING:
    import zipfile

    from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_HYPERLINK_TYPE = "/hyperlink"
_FIELD = re.compile(r'^\s*HYPERLINK\s+"([^"]+)"(?:.*?\\l\s+"([^"]+)")?', re.S)
# The parts read, and the part of the document each one's citations are in.
_PARTS = (
    ("word/document.xml", "paragraph", f"{_W}p"),
    ("word/footnotes.xml", "footnote", f"{_W}footnote"),
    ("word/endnotes.xml", "endnote", f"{_W}endnote"),
)
_MAX_PART_BYTES = 64 * 1024 * 1024  # a zip bomb's part is not read


def extract_docx(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The hyperlinks and HYPERLINK fields of the body, the footnotes and the endnotes."""
    import io
    import zipfile  # loaded for Word documents only

    try:
        package = zipfile.ZipFile(io.BytesIO(as_bytes(text)))
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(f"not a Word document ({exc})") from None
    with package:
        names = set(package.namelist())
        if "word/document.xml" not in names:
            raise UnreadableDocument("not a Word document (no word/document.xml)")
        for part, kind, unit in _PARTS:
            if part not in names:
                continue
            root = _xml(package, part)
            folder, _, file = part.rpartition("/")
            rels_name = f"{folder}/_rels/{file}.rels"
            targets = _external_targets(_xml(package, rels_name)) if rels_name in names else {}
            units = list(root.iter(unit))
            for number, element in enumerate(units, start=1):
                where = number if kind == "paragraph" else _note_number(element, number)
                if kind != "paragraph" and where < 1:
                    continue  # the separator "notes" Word keeps at ids -1 and 0
                linked = list(_links(element, targets))
                for url, label, role in linked:
                    yield RawLink(url, base_offset, label, role, (kind, where))
                for url in unlinked_mentions(_text(element), [url for url, _, _ in linked]):
                    yield RawLink(url, base_offset, "", "docx:text", (kind, where))


def _xml(package: zipfile.ZipFile, name: str) -> etree._Element:
    from lxml import etree  # loaded for Word documents only

    if package.getinfo(name).file_size > _MAX_PART_BYTES:
        raise UnreadableDocument(f"{name} is larger than {_MAX_PART_BYTES >> 20} MB")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(package.read(name), parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"{name} is not well-formed XML ({exc})") from None


def _external_targets(relationships: etree._Element) -> dict[str, str]:
    return {
        str(rel.get("Id")): str(rel.get("Target"))
        for rel in relationships.iter(_RELATIONSHIPS)
        if str(rel.get("Type", "")).endswith(_HYPERLINK_TYPE)
        and rel.get("TargetMode") == "External"
    }


def _note_number(note: etree._Element, fallback: int) -> int:
    try:
        return int(note.get(f"{_W}id", fallback))
    except ValueError:
        return fallback


def _links(unit: etree._Element, targets: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(URL, link text, role) of each hyperlink and HYPERLINK field in a paragraph or note."""
    paragraphs = [unit] if unit.tag == f"{_W}p" else list(unit.iter(f"{_W}p"))
    for paragraph in paragraphs:
        for link in paragraph.iter(f"{_W}hyperlink"):
            target = targets.get(str(link.get(f"{_R}id")))
            if target is None:
                continue  # an internal link (w:anchor alone): a bookmark in the document
            anchor = link.get(f"{_W}anchor")
            url = f"{target}#{anchor}" if anchor and "#" not in target else target
            label = collapse_whitespace("".join(_text(t) for t in link.iter(f"{_W}t")))
            yield url, label, "docx:hyperlink"
        code = "".join(_text(t) for t in paragraph.iter(f"{_W}instrText"))
        for field in re.split(r"(?=\bHYPERLINK\b)", code):
            match = _FIELD.match(field)
            if match is not None:
                url = match.group(1) + (f"#{match.group(2)}" if match.group(2) else "")
                yield url, "", "docx:field"


def _text(element: etree._Element) -> str:
    """An element's text; an entity reference (never expanded) adds nothing."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):  # an element (an entity reference's tag is not a name)
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
