"""PDF and Word documents: links and written URLs with their page, paragraph or note; no file
is rewritten, and an encrypted, damaged or hostile file is one unreadable document."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from helpers import run_linkcheck
from linkcheck.extract import UnreadableDocument, extract_document
from linkcheck.extract.raw import from_bytes
from linkcheck.model import Citation, Format


def read(data: bytes, fmt: Format, name: str) -> list[Citation]:
    text, _ = from_bytes(data)
    return extract_document(text, name, fmt, None).citations


def pdf(pages: list[list[tuple[str, str | None]]], encrypt: str | None = None) -> bytes:
    """A PDF whose pages write each (text, link) pair on its own line; a link is annotated
    over its text."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, encrypt=encrypt)
    for lines in pages:
        y = 780
        for text, link in lines:
            drawing.drawString(72, y, text)
            if link is not None:
                drawing.linkURL(link, (72, y - 2, 300, y + 10), relative=0)
            y -= 20
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def test_pdf_link_annotations_and_written_urls_with_their_pages() -> None:
    data = pdf(
        [
            [("Read the report", "https://report.example/2024"), ("and nothing else", None)],
            [
                ("Written: https://written.example/page?a=1 in text", None),
                ("https://linked.example/ written and linked", "https://linked.example/"),
            ],
        ]
    )
    found = [(c.url, c.part, c.role, c.line, c.column) for c in read(data, Format.PDF, "r.pdf")]
    assert found == [
        ("https://report.example/2024", ("page", 1), "pdf:link", 1, 1),
        ("https://linked.example/", ("page", 2), "pdf:link", 1, 1),
        ("https://written.example/page?a=1", ("page", 2), "pdf:text", 1, 1),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (pdf([[("secret https://secret.example/", None)]], encrypt="pw"), "the PDF is encrypted"),
        (pdf([[("x", None)]])[:200], "the PDF is damaged"),
    ],
    ids=["encrypted", "damaged"],
)
def test_an_unreadable_pdf_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableDocument, match=reason):
        read(data, Format.PDF, "r.pdf")


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def docx(
    body: str, footnotes: str = "", rels: dict[str, str] | None = None, doctype: str = ""
) -> bytes:
    def relationships(targets: dict[str, str]) -> str:
        items = "".join(
            f'<Relationship Id="{rid}" Type="{HYPERLINK}" Target="{url}" TargetMode="External"/>'
            for rid, url in targets.items()
        )
        return (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{items}</Relationships>"
        )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "word/document.xml",
            f"{doctype}<w:document {W} {R}><w:body>{body}</w:body></w:document>",
        )
        package.writestr("word/_rels/document.xml.rels", relationships(rels or {}))
        if footnotes:
            package.writestr(
                "word/footnotes.xml", f"<w:footnotes {W} {R}>{footnotes}</w:footnotes>"
            )
            package.writestr(
                "word/_rels/footnotes.xml.rels", relationships({"rF": "https://note.example/"})
            )
    return buffer.getvalue()


BODY = (
    "<w:p><w:r><w:t>Intro</w:t></w:r></w:p>"
    '<w:p><w:hyperlink r:id="rId1" w:anchor="sec-2"><w:r><w:t>the </w:t></w:r>'
    "<w:r><w:t>standard</w:t></w:r></w:hyperlink></w:p>"
    '<w:p><w:hyperlink w:anchor="_Toc1"><w:r><w:t>internal</w:t></w:r></w:hyperlink></w:p>'
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
    ' HYPERLINK "https://field.example/a" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/>'
    "</w:r></w:p>"
)
NOTES = (
    '<w:footnote w:id="-1"><w:p/></w:footnote><w:footnote w:id="0"><w:p/></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:hyperlink r:id="rF"><w:r><w:t>source</w:t></w:r>'
    "</w:hyperlink></w:p></w:footnote>"
)


def test_word_hyperlinks_fields_and_footnotes_with_their_places() -> None:
    data = docx(BODY, NOTES, {"rId1": "https://standard.example/doc"})
    found = [(c.url, c.text, c.part, c.role) for c in read(data, Format.DOCX, "r.docx")]
    assert found == [
        ("https://standard.example/doc#sec-2", "the standard", ("paragraph", 2), "docx:hyperlink"),
        ("https://field.example/a", "", ("paragraph", 4), "docx:field"),
        ("https://note.example/", "source", ("footnote", 1), "docx:hyperlink"),
    ]


def test_a_word_file_expands_no_entity_and_loads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://leaked.example/")
    doctype = (
        f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    body = (
        '<w:p><w:r><w:instrText>HYPERLINK "https://ok.example/&leak;&b;"</w:instrText></w:r></w:p>'
    )
    urls = [c.url for c in read(docx(body, doctype=doctype), Format.DOCX, "r.docx")]
    assert urls == ["https://ok.example/"]


def test_a_file_that_is_not_a_word_document_says_so() -> None:
    with pytest.raises(UnreadableDocument, match="not a Word document"):
        read(b"PK\x03\x04 not really a zip", Format.DOCX, "r.docx")


@pytest.mark.e2e
def test_a_folder_of_pdf_and_word_files_is_read_and_fix_leaves_them_alone(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(pdf([[("see", "http://127.0.0.1:9/gone")]]))
    (tmp_path / "memo.docx").write_bytes(
        docx(BODY, NOTES, {"rId1": "https://standard.example/doc"})
    )
    (tmp_path / "locked.pdf").write_bytes(pdf([[("x", None)]], encrypt="pw"))
    done = run_linkcheck("extract", ".", "--format", "json", cwd=tmp_path)
    listed = json.loads(done.stdout)
    formats = {d["file"]: d["format"] for d in listed["documents"]}
    assert formats == {"report.pdf": "pdf", "memo.docx": "docx", "locked.pdf": "pdf"}
    assert "locked.pdf: the PDF is encrypted (it needs a password)" in done.stderr
    pages = {c["url"]: c.get("page") for c in listed["citations"]}
    assert pages["http://127.0.0.1:9/gone"] == 1
    before = (tmp_path / "report.pdf").read_bytes()
    fixed = run_linkcheck("fix", "report.pdf", "--no-cache", "--write", cwd=tmp_path)
    assert (tmp_path / "report.pdf").read_bytes() == before
    assert "Traceback" not in fixed.stderr
