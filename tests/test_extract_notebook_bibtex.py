"""Jupyter notebooks and BibTeX: each read by its own parser, located where the URL is written."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from helpers import extract, located, run_linkcheck
from linkcheck.extract import detect_format
from linkcheck.model import Format

SCHEMAS = Path(__file__).resolve().parent.parent / "src" / "linkcheck" / "schemas"

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [
                "# Fetching works\n",
                'See [the "docs"](https://docs.example/a?b=1) and é <https://auto.example/>\n',
                "\n",
                "A line with https://bare.example/x\n",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["http://localhost:8888/\n"]}
            ],
            "source": ["requests.get('http://localhost:8888/api')"],
        },
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": "one string: 😀 [y](https://after-emoji.example/)",
        },
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8", "escaped"])
def test_markdown_cells_are_cited_at_their_place_in_the_json(ascii_only: bool) -> None:
    text = json.dumps(NOTEBOOK, indent=1, ensure_ascii=ascii_only)
    citations = extract(text, Format.NOTEBOOK, "nb.ipynb")
    lines = text.split("\n")
    assert [(c.url, c.part, c.role) for c in citations] == [
        ("https://docs.example/a?b=1", ("cell", 1), "link"),
        ("https://auto.example/", ("cell", 1), "autolink"),
        ("https://bare.example/x", ("cell", 1), "bare"),
        ("https://after-emoji.example/", ("cell", 3), "link"),
    ]
    for citation in citations:  # each line and column is where the URL is in the file
        assert lines[citation.line - 1][citation.column - 1 :].startswith(citation.url)
    assert citations[0].line == 8 and citations[3].line == 33


def test_a_notebook_is_known_by_its_content_too() -> None:
    text = json.dumps(NOTEBOOK)
    assert detect_format("nb.json", text) is Format.NOTEBOOK
    assert detect_format("nb.ipynb", "") is Format.NOTEBOOK


BIB = r"""@string{acm = "ACM Press"}

@article{knuth84,
  title = {Literate {P}rogramming},
  doi = {https://doi.org/10.1093/comjnl/27.2.97},
  url = {https://example.org/a\_b},
  publisher = acm,
  note = {Available at \url{https://note.example/x}},
}

@misc{vaswani2017, title={Attention Is All You Need}, eprint={1706.03762}, archivePrefix={arXiv}}
@misc{other, title={Not arXiv}, eprint={hep-th/9901001}, archivePrefix={SSRN}}
@online{web, title = "A page", url = "https://page.example/",
  howpublished = {\href{https://how.example/}{here}}}
"""


def test_every_entry_cites_its_url_doi_eprint_and_urls_in_notes() -> None:
    assert located(extract(BIB, Format.BIBTEX, "refs.bib")) == [
        ("https://doi.org/10.1093/comjnl/27.2.97", 5, 26, "bibtex:doi", "Literate Programming"),
        ("https://example.org/a_b", 6, 10, "bibtex:url", "Literate Programming"),
        ("https://note.example/x", 8, 29, "bibtex:note", "Literate Programming"),
        (
            "https://arxiv.org/abs/1706.03762", 11, 63, "bibtex:eprint",
            "Attention Is All You Need",
        ),
        ("https://page.example/", 13, 39, "bibtex:url", "A page"),
        ("https://how.example/", 14, 25, "bibtex:howpublished", "A page"),
    ]  # fmt: skip


@pytest.mark.e2e
def test_a_folder_of_notebooks_and_bibliographies_is_read_and_reported_with_cells(
    tmp_path: Path,
) -> None:
    (tmp_path / "nb.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    (tmp_path / "refs.bib").write_text(BIB)
    done = run_linkcheck("extract", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert {d["file"]: d["format"] for d in listed["documents"]} == {
        "nb.ipynb": "notebook",
        "refs.bib": "bibtex",
    }
    cells = {c["url"]: c.get("cell") for c in listed["citations"] if c["file"] == "nb.ipynb"}
    assert cells["https://after-emoji.example/"] == 3
    assert not any("localhost" in c["url"] for c in listed["citations"])
    report = run_linkcheck("nb.ipynb", "--offline", "--no-cache", "--format", "json", cwd=tmp_path)
    payload = json.loads(report.stdout)
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    jsonschema.validate(payload, schema)
    locations = [loc for r in payload["results"] for loc in r["locations"]]
    assert {loc.get("cell") for loc in locations} == {1, 3}
    bib = run_linkcheck("refs.bib", "--offline", "--no-cache", "--format", "json", cwd=tmp_path)
    entries = {
        loc.get("entry") for r in json.loads(bib.stdout)["results"] for loc in r["locations"]
    }
    jsonschema.validate(json.loads(bib.stdout), schema)
    assert entries == {"knuth84", "vaswani2017", "web"}


def test_each_bibtex_citation_names_its_entry() -> None:
    assert [c.part for c in extract(BIB, Format.BIBTEX, "refs.bib")] == [
        ("entry", "knuth84"), ("entry", "knuth84"), ("entry", "knuth84"),
        ("entry", "vaswani2017"), ("entry", "web"), ("entry", "web"),
    ]  # fmt: skip


def test_biblatex_eprints_link_where_biblatex_links_them() -> None:
    bib = (
        "@book{a, title={A}, eprint={2101.00001}, eprinttype={arxiv}}\n"
        "@book{b, title={B}, eprint={1234567}, eprinttype={jstor}}\n"
        "@book{c, title={C}, eprint={4hiwAAAAYAAJ}, eprinttype={googlebooks}}\n"
        "@book{d, title={D}, eprint={12345678}, eprinttype={pubmed}}\n"
        "@book{e, title={E}, eprint={1721.1/12345}, eprinttype={hdl}}\n"
        "@book{f, title={F}, eprint={X-1}, eprinttype={ssrn}}\n"
    )
    assert [c.url for c in extract(bib, Format.BIBTEX, "refs.bib")] == [
        "https://arxiv.org/abs/2101.00001",
        "https://www.jstor.org/stable/1234567",
        "https://books.google.com?id=4hiwAAAAYAAJ",
        "https://www.ncbi.nlm.nih.gov/pubmed/12345678",
        "https://hdl.handle.net/1721.1/12345",
    ]


def test_urls_written_out_in_printed_fields_count_and_unprinted_fields_do_not() -> None:
    bib = (
        "@misc{a, title={A},\n"
        "  note = {https://github.com/org/tool},\n"
        "  _note = {\\url{https://switched-off.example/}},\n"
        "  abstract = {see https://abstract.example/},\n"
        "  booktitle = {Talks (http://www. broken. gov/x. pdf)}}\n"
    )
    assert located(extract(bib, Format.BIBTEX, "refs.bib")) == [
        ("https://github.com/org/tool", 2, 11, "bibtex:note", "A"),
    ]


def test_an_old_notebook_is_read_and_a_rewritten_cell_is_placed_at_its_source() -> None:
    old = {
        "metadata": {}, "nbformat": 3, "nbformat_minor": 0,
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 1, "metadata": {},
             "source": ["The [docs](https://docs.example/)"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["See https://after.example/"]},
            {"cell_type": "code", "collapsed": False, "input": ["x = 'https://code.example/'"],
             "language": "python", "metadata": {}, "outputs": []},
        ]}],
    }  # fmt: skip
    text = json.dumps(old, indent=1)
    found = [(c.url, c.part, c.line) for c in extract(text, Format.NOTEBOOK, "old.ipynb")]
    lines = text.split("\n")
    assert found == [
        ("https://docs.example/", ("cell", 1), 12),  # v3's heading cell: nbformat adds "# "
        ("https://after.example/", ("cell", 2), 20),
    ]
    assert '"source": [' in lines[11] and "https://after.example/" in lines[19]
