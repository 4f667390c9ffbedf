"""Quotes in PDFs: text directives matched on a PDF's text as PDFium reads it, with the page
where the quote starts; encrypted, scanned and damaged PDFs are unverifiable with the reason."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeweb import FakeWeb, Host, serve
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from helpers import run_linkcheck
from linkcheck.fragments import Page, verify_fragment


def make_pdf(pages: list[list[str]], encrypt: str | None = None, text: bool = True) -> bytes:
    """A PDF with these lines on these pages (drawn as shapes only when ``text`` is False)."""
    buffer = io.BytesIO()
    security = StandardEncryption(encrypt, canPrint=0) if encrypt else None
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=security)
    for lines in pages:
        y = 780
        for line in lines:
            if text:
                pdf.drawString(60, y, line)
            else:
                pdf.rect(60, y, 5 * len(line), 10, fill=1)  # a "scan": ink, no text
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


REPORT = make_pdf(
    [
        ["Annual report 2025", "Introduction and scope."],
        ["Chapter one", "Nothing to see here."],
        [
            "Chapter two",
            "Border crossings fell to their lowest level in de-",
            "cades, the report found, while well-",
            "known routes closed.",
        ],
    ]
)


def outcome(fragment: str, body: bytes, content_type: str = "application/pdf") -> Any:
    (result,) = verify_fragment(fragment, Page(body, content_type))
    return result


def test_a_quote_is_found_with_its_page() -> None:
    found = outcome(":~:text=Border%20crossings%20fell", REPORT)
    assert (found.state.value, found.reason) == ("found", "found on page 3")
    assert found.matched_text == "Border crossings fell"
    # A word broken with a hyphen at a line end is one word again…
    assert outcome(":~:text=lowest%20level%20in%20decades", REPORT).reason == "found on page 3"
    # …and a hyphenated word split there keeps its hyphen.
    assert outcome(":~:text=well%2Dknown%20routes", REPORT).reason == "found on page 3"
    # A range across lines, and one across pages.
    assert outcome(":~:text=Chapter%20two,closed", REPORT).state.value == "found"
    assert outcome(":~:text=Nothing%20to%20see%20here.%20Chapter%20two", REPORT).reason == (
        "found on page 2"
    )
    # Case, NBSP and quotes fold as on HTML pages.
    assert outcome(":~:text=ANNUAL%C2%A0REPORT", REPORT).reason == "found on page 1"
    # Served as octet-stream: known by its first bytes.
    octet = outcome(":~:text=Chapter%20one", REPORT, "application/octet-stream")
    assert octet.reason == "found on page 2"


def test_a_missing_quote_says_so_with_the_drift_hint() -> None:
    missing = outcome(":~:text=Border%20crossings%20rose%20to%20their%20lowest", REPORT)
    assert missing.state.value == "missing"
    assert missing.reason.startswith("quoted text not on the page; quoted")
    assert "fell to their lowest" in missing.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (make_pdf([["secret words"]], encrypt="pw"), "the PDF is encrypted (it needs a password)"),
        (make_pdf([["ink only"]], text=False), "the PDF has no text layer (a scanned document?)"),
        (b"%PDF-1.7\n%garbage that is not a PDF", "the PDF cannot be read"),
    ],
)
def test_pdfs_that_cannot_be_read_are_unverifiable(body: bytes, reason: str) -> None:
    result = outcome(":~:text=words", body)
    assert result.state.value == "unverifiable"
    assert result.reason.startswith(reason)


def test_a_truncated_pdf_is_unverifiable() -> None:
    (result,) = verify_fragment(":~:text=Border", Page(REPORT[:2000], "application/pdf", True))
    assert result.reason == "the PDF is larger than --max-bytes: its text cannot be read"


@pytest.fixture(scope="module")
def pdf_site() -> Iterator[Host]:
    web = FakeWeb()
    web.pages["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, REPORT)
    web.pages["/download"] = (200, {"Content-Type": "application/octet-stream"}, REPORT)
    web.pages["/locked.pdf"] = (
        200,
        {"Content-Type": "application/pdf"},
        make_pdf([["x"]], encrypt="pw"),
    )
    with serve(web) as host:
        yield host


def test_pdf_quotes_end_to_end(tmp_path: Path, pdf_site: Host) -> None:
    cited = {
        "found": pdf_site.url("/report.pdf#:~:text=lowest%20level%20in%20decades"),
        "octet": pdf_site.url("/download#:~:text=Chapter%20one"),
        "missing": pdf_site.url("/report.pdf#:~:text=record%20high"),
        "locked": pdf_site.url("/locked.pdf#:~:text=x"),
    }
    (tmp_path / "doc.md").write_text("\n\n".join(f"[{k}]({u})" for k, u in cited.items()) + "\n")
    done = run_linkcheck(
        "check", "doc.md", "--format", "json", "--no-cache", "--retries", "0", cwd=tmp_path
    )
    results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    assert results[cited["found"]]["status"] == "ok"
    assert results[cited["found"]]["fragments"][0]["reason"] == "found on page 3"
    assert results[cited["octet"]]["status"] == "ok"
    assert results[cited["missing"]]["status"] == "fragment_missing"
    assert results[cited["locked"]]["status"] == "unverifiable"
    assert "encrypted" in results[cited["locked"]]["reason"]
    assert done.returncode == 1  # the missing quote fails the run


def test_plain_text_pages_join_words_hyphenated_across_lines_too() -> None:
    text = b"The report found evi-\ndence of a well-\nknown route.\n"
    assert outcome(":~:text=found%20evidence%20of", text, "text/plain").state.value == "found"
    assert outcome(":~:text=well%2Dknown%20route", text, "text/plain").state.value == "found"
    assert outcome(":~:text=evi%2D%20dence", text, "text/plain").state.value == "found"  # as is
    assert outcome(":~:text=no%20such%20words", text, "text/plain").state.value == "missing"
