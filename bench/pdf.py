"""Quotes in a PDF: a 200-page report with 100 text directives, verified from its bytes.

The PDF is generated (reportlab, a dev dependency) with 40 lines a page and words hyphenated
at line ends; 90 directives quote real passages (some across a hyphenated line end, some
across a page break), 10 quote words that are not there. Prints the time to read the PDF's
text once (PDFium) and verify all 100, the same through pypdf for comparison, and the peak
memory. Target: under 2 s, memory bounded by --max-bytes (the body is the only copy held).

Run: ``python bench/pdf.py``.
"""

from __future__ import annotations

import io
import random
import resource
import time
from urllib.parse import quote

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from linkcheck.fragments.verify import Page, verify_fragments

WORDS = [
    "border", "security", "report", "national", "guard", "deployment", "trafficking",
    "compared", "previous", "administration", "policy", "release", "interior", "removal",
    "court", "agency", "program", "crossings", "decline", "measures",
]  # fmt: skip


def make_pdf(rng: random.Random) -> tuple[bytes, list[str]]:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    lines: list[str] = []
    for page in range(200):
        y = 800
        for _ in range(40):
            words = [rng.choice(WORDS) for _ in range(11)]
            line = " ".join(words)
            if rng.random() < 0.2:  # hyphenate the last word across the line end
                last = words[-1]
                line = " ".join(words[:-1]) + " " + last[:3] + "-"
                lines.append(line[:-1] + last[3:])
            else:
                lines.append(line)
            pdf.drawString(40, y, line)
            y -= 19
        pdf.drawString(40, 30, f"page {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue(), lines


def directives(lines: list[str], rng: random.Random) -> list[str]:
    found = []
    for _ in range(90):
        line = rng.choice(lines).split()
        start = rng.randrange(0, len(line) - 4)
        found.append(":~:text=" + quote(" ".join(line[start : start + 4]), safe=""))
    missing = [":~:text=" + quote(f"absent phrase number {i}", safe="") for i in range(10)]
    return found + missing


def main() -> None:
    rng = random.Random(7)
    body, lines = make_pdf(rng)
    cited = directives(lines, rng)
    started = time.perf_counter()
    outcomes = verify_fragments(cited, Page(body, "application/pdf"))
    elapsed = time.perf_counter() - started
    states = [o.state.value for results in outcomes.values() for o in results]
    print(f"PDF: {len(body) / 1e6:.1f} MB, 200 pages, {len(cited)} directives")
    print(f"linkcheck (PDFium): {elapsed:.2f} s — {states.count('found')} found, "
          f"{states.count('missing')} missing (target: under 2 s)")  # fmt: skip
    try:
        import pypdf
    except ImportError:
        pass
    else:
        started = time.perf_counter()
        reader = pypdf.PdfReader(io.BytesIO(body))
        text = " ".join(page.extract_text() for page in reader.pages)
        print(f"pypdf text extraction alone: {time.perf_counter() - started:.2f} s "
              f"({len(text):,} characters)")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
