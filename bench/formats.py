"""Found, missed and extra URLs per document format, against each format's reference tool, and
extraction speed per MB against Markdown's.

Reads ``../shared/corpora/formats/corpus.tar.xz`` (real documents from public repositories,
never copied into the project) when it is there; a folder of documents can be named instead.
The judges: docutils' own rendering for reStructuredText (its transforms resolve references);
Asciidoctor's HTML for AsciiDoc; pandoc for LaTeX, Org, notebooks (Markdown cells, their raw
HTML included, not outputs) and Word; pandoc's CSL JSON for BibTeX (URL, DOI, arXiv); pypdf's
link annotations for PDF (the URLs PDFium finds in the text have no judge and are counted
apart). Only web URLs are compared (http, https, mailto), each document's distinct URLs, after
percent-decoding, as each tool may escape a character the other does not.

    python bench/formats.py [FOLDER] [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import html as lxml_html

from linkcheck.extract import FORMATS, extract_document, named_format
from linkcheck.extract.raw import from_bytes
from linkcheck.model import Format

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "formats" / "corpus.tar.xz"
MARKDOWN = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-real" / "corpus.tar.xz"
)
WEB = ("http://", "https://", "mailto:")
_TEX_ESCAPE = re.compile(r"\\([_#%&~$])")
_HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)


def normal(url: str) -> str:
    """A URL as both sides are compared: percent-decoded, scheme and host lower-cased, TeX's
    escapes as TeX prints them (pandoc keeps ``\\_``), and a DOI written as a URL read once
    (pandoc's CSL prefixes the resolver to a ``doi`` that already has it)."""
    url = _TEX_ESCAPE.sub(r"\1", unquote(url.strip()))
    url = url.replace("https://doi.org/https://doi.org/", "https://doi.org/")
    scheme, sep, rest = url.partition("://")
    if sep:
        host, slash, path = rest.partition("/")
        url = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return url


def web(urls: list[str]) -> set[str]:
    return {normal(u) for u in urls if u.lower().startswith(WEB)}


def pandoc_links(path: Path, reader: str) -> list[str]:
    done = subprocess.run(
        ["pandoc", "-f", reader, "-t", "json", str(path)], capture_output=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace").strip()[:200])
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Div" and "output" in (node.get("c") or [[None, []]])[0][1]:
                return  # a notebook cell's output
            if kind == "CodeBlock":
                return
            if kind in ("Link", "Image"):
                found.append(node["c"][2][0])
            if kind in ("RawInline", "RawBlock") and node["c"][0] == "html":
                found.extend(_HTML_LINK.findall(node["c"][1]))  # raw HTML, kept as it is
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(done.stdout))
    return found


def docutils_links(path: Path) -> list[str]:
    """docutils' reading (with its transforms): references, images, and external targets,
    which a document defines whether or not it references them."""
    from docutils import nodes
    from docutils.core import publish_doctree

    settings = {"file_insertion_enabled": False, "raw_enabled": False, "report_level": 5}
    tree = publish_doctree(path.read_text(errors="replace"), settings_overrides=settings)
    found = [n["refuri"] for n in tree.findall(nodes.reference) if n.get("refuri")]
    found += [n["refuri"] for n in tree.findall(nodes.target) if n.get("refuri")]
    return found + [n["uri"] for n in tree.findall(nodes.image)]


def asciidoctor_links(path: Path) -> list[str]:
    """The links of the page Asciidoctor makes, as GitHub shows it and as a site does: both
    sides of an ``ifdef::env-github[]``."""
    found: list[str] = []
    for environment in ([], ["-a", "env-github"]):
        done = subprocess.run(
            ["asciidoctor", "-S", "secure", *environment, "-o", "-", str(path)],
            capture_output=True,
            timeout=120,
        )
        page = lxml_html.fromstring(done.stdout or b"<html/>")
        found += [a.get("href") for a in page.iter("a") if a.get("href")]
        found += [m.get("src") for m in page.iter("img", "video", "audio") if m.get("src")]
    return found


def bibtex_links(path: Path) -> list[str]:
    done = subprocess.run(
        ["pandoc", "-f", "bibtex", "-t", "csljson", str(path)], capture_output=True, timeout=120
    )
    found: list[str] = []
    for item in json.loads(done.stdout or b"[]"):
        if item.get("URL"):
            found.append(item["URL"])
        for field in ("note", "publisher", "container-title", "title"):  # \url{…} kept as text
            found += re.findall(r"(?:https?|ftp)://[^\s{}]+", str(item.get(field, "")))
        if item.get("DOI"):
            found.append("https://doi.org/" + item["DOI"])
    return found


def pdf_annotations(path: Path) -> list[str]:
    from pypdf import PdfReader

    found: list[str] = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/URI"):
                found.append(str(action.get_object()["/URI"]))
    return found


JUDGES: dict[Format, tuple[str, Callable[[Path], list[str]]]] = {
    Format.RST: ("docutils", docutils_links),
    Format.ASCIIDOC: ("asciidoctor", asciidoctor_links),
    Format.LATEX: ("pandoc", lambda p: pandoc_links(p, "latex")),
    Format.ORG: ("pandoc", lambda p: pandoc_links(p, "org")),
    Format.NOTEBOOK: ("pandoc", lambda p: pandoc_links(p, "ipynb")),
    Format.DOCX: ("pandoc", lambda p: pandoc_links(p, "docx")),
    Format.BIBTEX: ("pandoc csljson", bibtex_links),
    Format.PDF: ("pypdf annotations", pdf_annotations),
}


def ours(path: Path, fmt: Format) -> tuple[list[str], list[str]]:
    """(URLs compared with the judge, URLs with no judge: a PDF's written ones)."""
    text, _ = (from_bytes if fmt in (Format.PDF, Format.DOCX) else _decoded)(path.read_bytes())
    citations = extract_document(text, path.name, fmt, path.parent).citations
    judged = [c.url for c in citations if c.role != "pdf:text"]
    return judged, [c.url for c in citations if c.role == "pdf:text"]


def _decoded(data: bytes) -> tuple[str, str | None]:
    from linkcheck.extract import decode_document

    return decode_document(data)


def documents(folder: Path) -> Iterator[tuple[Path, Format]]:
    for path in sorted(folder.rglob("*")):
        fmt = named_format(path.name) if path.is_file() else None
        if fmt is not None and fmt in JUDGES:
            yield path, fmt


def accuracy(folder: Path, show: int) -> None:
    totals: dict[Format, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    examples: dict[Format, list[str]] = defaultdict(list)
    for path, fmt in documents(folder):
        judge, read = JUDGES[fmt]
        try:
            expected = web(read(path))
        except Exception as exc:  # a judge that cannot read the file: counted, not compared
            totals[fmt][5] += 1
            examples[fmt].append(f"  {path.name}: {judge} failed: {exc}")
            continue
        mine, unjudged = ours(path, fmt)
        got = web(mine)
        row = totals[fmt]
        row[0] += 1
        row[1] += len(expected)
        row[2] += len(expected & got)
        row[3] += len(got - expected)
        row[4] += len(web(unjudged))
        for url in sorted(expected - got)[:show]:
            examples[fmt].append(f"  missed {path.name}: {url}")
        for url in sorted(got - expected)[:show]:
            examples[fmt].append(f"  extra  {path.name}: {url}")
    print("| format | judge | documents | judge's URLs | found | missed | extra | unjudged |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for fmt, (judge, _) in JUDGES.items():
        docs, expected, found, extra, unjudged, failed = totals[fmt]
        if not docs and not failed:
            continue
        ours_total = found + extra
        print(
            f"| {fmt.value} | {judge} | {docs}{f' (+{failed} unread by judge)' if failed else ''}"
            f" | {expected} | {found} ({100 * found / max(expected, 1):.1f}%)"
            f" | {expected - found} | {extra} ({100 * extra / max(ours_total, 1):.1f}%)"
            f" | {unjudged} |"
        )
    if show:
        for fmt, lines in examples.items():
            print(f"\n{fmt.value}:")
            print("\n".join(lines[: show * 10]))


def speed(folder: Path, markdown_folder: Path | None) -> None:
    """Extraction time per MB of each format, beside Markdown's (extract-real's Markdown)."""
    per_format: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    markdown = sorted(markdown_folder.rglob("*.md")) if markdown_folder else []
    files = [(p, Format.MARKDOWN) for p in markdown] + list(documents(folder))
    for path, fmt in files:
        data = path.read_bytes()
        started = time.perf_counter()
        ours(path, fmt)
        per_format[fmt.value][0] += time.perf_counter() - started
        per_format[fmt.value][1] += len(data) / 1e6
    base = per_format.get("markdown", [0.0, 0.0])
    base_rate = base[0] / base[1] if base[1] else None
    print("\n| format | MB | seconds | s/MB | × Markdown's s/MB |")
    print("| --- | --- | --- | --- | --- |")
    others = [value for name, value in per_format.items() if name != "markdown"]
    rows = sorted(per_format.items())
    rows.append(("all but Markdown", [sum(v[0] for v in others), sum(v[1] for v in others)]))
    for name, (seconds, megabytes) in rows:
        rate = seconds / megabytes if megabytes else 0.0
        ratio = f"{rate / base_rate:.2f}" if base_rate else "–"
        print(f"| {name} | {megabytes:.2f} | {seconds:.2f} | {rate:.2f} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--show", type=int, default=0, help="list up to N misses/extras a document")
    args = parser.parse_args()
    missing = [tool for tool in ("pandoc", "asciidoctor") if shutil.which(tool) is None]
    if missing:
        print(f"needs {' and '.join(missing)} (Debian: apt-get install pandoc asciidoctor)")
    folder = args.folder
    with tempfile.TemporaryDirectory() as scratch:
        if folder is None:
            if not CORPUS.is_file():
                print(f"no corpus at {CORPUS}: name a folder of documents to measure")
                return
            with tarfile.open(CORPUS) as archive:
                archive.extractall(scratch, filter="data")
            folder = Path(scratch)
        formats = ", ".join(f.name.value for f in FORMATS)
        print(f"formats registered: {formats}\n")
        accuracy(folder, args.show)
        markdown = None
        if MARKDOWN.is_file():
            markdown = Path(scratch) / "markdown"
            with tarfile.open(MARKDOWN) as archive:
                archive.extractall(markdown, filter="data")
        speed(folder, markdown)


if __name__ == "__main__":
    main()
