"""DOIs and arXiv ids recognised as citations in every format, normalised, and located."""

from __future__ import annotations

import json

import pytest
from test_extract_pdf_docx import W, docx, pdf, read

from helpers import extract
from linkcheck.extract.identifiers import arxiv_id, identify
from linkcheck.model import Citation, Format, UrlKind


def ids(citations: list[Citation]) -> list[tuple[str, str | None, str]]:
    return [(c.kind.value, c.identifier, c.url) for c in citations]


@pytest.mark.parametrize(
    ("written", "kind", "identifier", "url"),
    [
        ("https://doi.org/10.1038/NPHYS1170", "doi", "10.1038/nphys1170",
         "https://doi.org/10.1038/NPHYS1170"),
        ("http://dx.doi.org/10.1000/182", "doi", "10.1000/182", "http://dx.doi.org/10.1000/182"),
        ("https://doi.org/urn:doi:10.123/456", "doi", "10.123/456",
         "https://doi.org/urn:doi:10.123/456"),
        ("doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", "doi",
         "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0",
         "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"),
        ("https://doi.org/10.1000/a%23b", "doi", "10.1000/a#b", "https://doi.org/10.1000/a%23b"),
        ("https://arxiv.org/abs/2101.00001v2", "arxiv", "2101.00001v2",
         "https://arxiv.org/abs/2101.00001v2"),
        ("https://arxiv.org/pdf/1706.03762.pdf", "arxiv", "1706.03762",
         "https://arxiv.org/pdf/1706.03762.pdf"),
        ("arXiv:math.GT/0309136v1", "arxiv", "math/0309136v1",
         "https://arxiv.org/abs/math/0309136v1"),
        ("arXiv:hep-th/9901001", "arxiv", "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
        ("doi:foo", "invalid", None, "https://doi.org/foo"),
        ("arXiv:1313.00001", "invalid", None, "https://arxiv.org/abs/1313.00001"),
    ],
)  # fmt: skip
def test_identifiers_are_read_and_normalised(
    written: str, kind: str, identifier: str | None, url: str
) -> None:
    found = identify(written)
    assert found is not None
    assert (found.kind.value, found.identifier, found.url) == (kind, identifier, url)


@pytest.mark.parametrize(
    "url",
    ["https://doi.org/the-identifier/what-is-a-doi/", "https://arxiv.org/list/cs.CL/recent",
     "https://example.org/doi/10.1000/1", "https://arxiv.org/help/api"],
)  # fmt: skip
def test_pages_of_the_registries_that_are_no_identifier_stay_urls(url: str) -> None:
    assert identify(url) is None


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("0704.0001", "0704.0001"), ("1412.9999v3", "1412.9999v3"), ("1501.00001", "1501.00001"),
     ("0703.0001", None), ("1501.0001", None), ("1412.00001", None), ("2113.00001", None),
     ("astro-ph.CO/0601001", "astro-ph/0601001"), ("hep-th/0803001", None)],
)  # fmt: skip
def test_arxiv_ids_follow_their_two_grammars(written: str, canonical: str | None) -> None:
    assert arxiv_id(written) == canonical


def test_a_latex_escaped_doi_is_read_unescaped_with_a_note() -> None:
    # (In Markdown "\\_" is an escape that renders "_": a plain-text document keeps it.)
    (citation,) = extract("See https://doi.org/10.1162/tacl\\_a\\_00276 now.\n", Format.TEXT)
    assert (citation.kind, citation.identifier) == (UrlKind.DOI, "10.1162/tacl_a_00276")
    assert citation.url == "https://doi.org/10.1162/tacl_a_00276"
    assert citation.reason is not None and "LaTeX escapes" in citation.reason


def test_markdown_finds_identifier_links_and_identifiers_written_in_prose() -> None:
    text = (
        "# Refs\n\n"
        "[Attention Is All You Need](https://arxiv.org/abs/1706.03762) and doi:10.1038/nphys1170.\n"
        "Also DOI 10.1016/S0140-6736(97)11096-0, see [doi:10.1145/3173574.3173595]"
        "(https://doi.org/10.1145/3173574.3173595).\n"
        "Preprint arXiv:2101.00001v2; (arXiv: hep-th/9901001) and `doi:10.9/code` is code.\n"
    )
    found = [(c.kind.value, c.identifier, c.line, c.column, c.text) for c in extract(text)]
    assert found == [
        ("arxiv", "1706.03762", 3, 29, "Attention Is All You Need"),
        ("doi", "10.1038/nphys1170", 3, 67, ""),
        ("doi", "10.1016/s0140-6736(97)11096-0", 4, 6, ""),
        ("doi", "10.1145/3173574.3173595", 4, 75, "doi:10.1145/3173574.3173595"),
        ("arxiv", "2101.00001v2", 5, 10, ""),
        ("arxiv", "hep-th/9901001", 5, 31, ""),
    ]  # the link's own text is that link; code is not cited


def test_html_rst_latex_org_and_asciidoc_cite_identifiers() -> None:
    html = '<p><a href="https://doi.org/10.1/a">A Title Here</a> or doi:10.1/b.</p>'
    assert ids(extract(html, Format.HTML, "a.html")) == [
        ("doi", "10.1/a", "https://doi.org/10.1/a"), ("doi", "10.1/b", "https://doi.org/10.1/b"),
    ]  # fmt: skip
    rst = "Title\n=====\n\nSee `the paper <https://arxiv.org/abs/2101.00001>`_ and DOI 10.1/c.\n"
    assert ids(extract(rst, Format.RST, "a.rst")) == [
        ("arxiv", "2101.00001", "https://arxiv.org/abs/2101.00001"),
        ("doi", "10.1/c", "https://doi.org/10.1/c"),
    ]
    latex = "\\documentclass{article}\\begin{document}\\doi{10.1/d} arXiv:2101.00002\\end{document}"
    assert ids(extract(latex, Format.LATEX, "a.tex")) == [
        ("doi", "10.1/d", "https://doi.org/10.1/d"),
        ("arxiv", "2101.00002", "https://arxiv.org/abs/2101.00002"),
    ]
    org = "* Notes\n[[doi:10.1/e][A paper]] and arXiv:2101.00003\n"
    assert ids(extract(org, Format.ORG, "a.org")) == [
        ("doi", "10.1/e", "https://doi.org/10.1/e"),
        ("arxiv", "2101.00003", "https://arxiv.org/abs/2101.00003"),
    ]
    asciidoc = "= Doc\n\nhttps://doi.org/10.1/f[The Paper] and doi:10.1/g\n"
    assert ids(extract(asciidoc, Format.ASCIIDOC, "a.adoc")) == [
        ("doi", "10.1/f", "https://doi.org/10.1/f"), ("doi", "10.1/g", "https://doi.org/10.1/g"),
    ]  # fmt: skip


def test_a_bibliography_entry_cites_its_doi_and_eprint_under_its_title() -> None:
    bib = (
        "@article{vaswani17,\n  title = {Attention Is {All} You Need},\n"
        "  doi = {10.48550/arXiv.1706.03762},\n  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n}\n"
        "@article{escaped,\n  title = {Escaped},\n  doi = {10.1162/tacl\\_a\\_00276},\n}\n"
    )
    found = extract(bib, Format.BIBTEX, "refs.bib")
    assert [(c.kind.value, c.identifier, c.text, c.part) for c in found] == [
        ("doi", "10.48550/arxiv.1706.03762", "Attention Is All You Need", ("entry", "vaswani17")),
        ("arxiv", "1706.03762", "Attention Is All You Need", ("entry", "vaswani17")),
        ("doi", "10.1162/tacl_a_00276", "Escaped", ("entry", "escaped")),
    ]
    assert found[2].reason is not None and "\\_" in found[2].reason


def test_a_notebook_cell_pdf_page_and_word_paragraph_cite_identifiers_in_their_text() -> None:
    cell = {"cell_type": "markdown", "metadata": {}, "source": ["See doi:10.1/n here."]}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (found,) = extract(json.dumps(notebook), Format.NOTEBOOK, "a.ipynb")
    assert (found.identifier, found.part) == ("10.1/n", ("cell", 1))
    data = pdf([[("Cited as doi:10.1/p and arXiv:2101.00004.", None)],
                [("Linked", "https://doi.org/10.1/q"), ("doi:10.1/q", None)]])  # fmt: skip
    assert [(c.identifier, c.part) for c in read(data, Format.PDF, "a.pdf")] == [
        ("10.1/p", ("page", 1)), ("2101.00004", ("page", 1)), ("10.1/q", ("page", 2)),
    ]  # fmt: skip
    body = "<w:p><w:r><w:t>As DOI 10.1/w shows.</w:t></w:r></w:p>"
    assert [(c.identifier, c.part) for c in read(docx(body), Format.DOCX, "a.docx")] == [
        ("10.1/w", ("paragraph", 1))
    ]
    assert W  # the Word namespace the body is written in


def test_a_mention_far_from_a_link_of_the_same_doi_is_its_own_citation() -> None:
    text = "[A paper](https://doi.org/10.1/x)\n\n" + "Filler text. " * 40 + "\n\ndoi:10.1/x\n"
    assert [c.line for c in extract(text)] == [1, 5]
