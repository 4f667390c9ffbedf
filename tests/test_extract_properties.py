"""Properties: no input crashes an extractor; locations are exact in non-ASCII documents."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import extract, located
from linkcheck.extract import UnreadableDocument, markdown, sniff_format
from linkcheck.model import Format

# Text that is likely to hit the extractors' syntax: brackets, URLs, fences, tags, front matter.
_FRAGMENTS = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "](",
        "![",
        "`",
        "```\n",
        "---\n",
        "\n",
        "\n\n",
        " ",
        "    ",
        "https://",
        "http://",
        "www.",
        "e.com",
        "/p?q=1&r=2",
        "#:~:text=",
        "%",
        "%zz",
        "[ref]: ",
        '<a href="',
        '">',
        "</a>",
        "<base href='",
        "mailto:",
        "tel:",
        "key: ",
        "- ",
        "> ",
        "|",
        "\\",
        "é",
        "\u00a0",
        "\ufeff",
        "\r\n",
        "[::1]",
        "javascript:",
        "<!--",
        "-->",
        "`",
        ">`_",
        "`__",
        ".. _x: ",
        ".. image:: ",
        ".. code-block::",
        "\\url{",
        "\\href{",
        "}{",
        "\\begin{verbatim}",
        "%",
        "[[",
        "][",
        "]]",
        "#+LINK: ",
        "#+BEGIN_SRC",
        "link:",
        "image::",
        "{attr}",
        ":attr: ",
        "----",
        "@misc{",
        "url = {",
        "doi = ",
        '{"cells": [',
        '"source": [',
        "%PDF-",
    ]
)
_TEXT = st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS | st.text(max_size=5)).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, fmt=st.sampled_from(list(Format)))
def test_no_text_crashes_any_extractor(text: str, fmt: Format) -> None:
    """Any text, read as any format, gives citations inside it or one clear reason it cannot
    be read (UnreadableDocument: the document's problem), never another exception."""
    lines = text.split("\n")
    try:
        for citation in extract(text, fmt):
            assert 1 <= citation.line <= len(lines)
            assert 1 <= citation.column <= len(lines[citation.line - 1]) + 1
    except UnreadableDocument as exc:
        assert str(exc) and "\n" not in str(exc)
    sniff_format(text)


def test_positions_are_characters_not_bytes_in_non_ascii_documents() -> None:
    lines = []
    for i in range(300):
        lines.append(f"Ünïcödé 日本語 {i} [lïnk {i}](https://e.com/{i}) and https://b.com/{i} —")
        lines.append("")
    lines.append("[ref]: https://e.com/ref")
    text = "\n".join(lines) + "\n"
    citations = extract(text)
    assert len(citations) == 601
    for citation in citations:
        line = lines[citation.line - 1]
        assert line[citation.column - 1 :].startswith(citation.url), citation


def test_chunked_parsing_agrees_with_whole_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = []
    for i in range(300):
        blocks.append(f"Paragraph {i} cites [source {i}](https://e.com/{i}) and [ref{i % 7}].")
        if i % 10 == 0:
            blocks.append(
                f"```\n[not](https://e.com/code{i})\n\n\nstill code https://e.com/c{i}\n```"
            )
        if i % 25 == 0:
            blocks.append(f"- item https://e.com/item{i}\n\n  continued [c](https://e.com/cont{i})")
        if i % 40 == 0:
            blocks.append(f"<!--\n\nhttps://e.com/comment{i}\n\n-->")
            blocks.append(f"> quoted\n\n> https://e.com/quote{i}")
    blocks += [f"[ref{k}]: https://e.com/ref{k}" for k in range(8)]
    text = "\n\n".join(blocks) + "\n"
    whole = located(extract(text))
    monkeypatch.setattr(markdown, "CHUNK_THRESHOLD", 100)
    monkeypatch.setattr(markdown, "CHUNK_SIZE", 400)
    assert len(list(markdown._chunks(text))) > 20
    assert sorted(located(extract(text))) == sorted(whole)
    assert not any("code" in url or "comment" in url for url, *_ in whole)
