"""Properties: no input crashes an extractor, and chunked parsing agrees with whole parsing."""

from __future__ import annotations

import pytest
from helpers import extract
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkcheck.extract import markdown
from linkcheck.extract.sniff import sniff_format
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
    ]
)
_TEXT = st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS | st.text(max_size=5)).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, fmt=st.sampled_from(list(Format)))
def test_no_text_crashes_any_extractor(text: str, fmt: Format) -> None:
    lines = text.split("\n")
    for citation in extract(text, fmt):
        assert 1 <= citation.line <= len(lines)
        assert 1 <= citation.column <= len(lines[citation.line - 1]) + 1
    sniff_format(text)


def test_chunked_parsing_matches_whole_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = []
    for i in range(200):
        blocks.append(f"Paragraph {i} cites [source {i}](https://e.com/{i}) and [ref{i % 7}].")
        if i % 10 == 0:
            blocks.append(f"```\n[not](https://e.com/code{i})\n\n\nstill code\n```")
        if i % 25 == 0:
            blocks.append(f"- item https://e.com/item{i}\n\n  continued [c](https://e.com/cont{i})")
    blocks += [f"[ref{k}]: https://e.com/ref{k}" for k in range(8)]
    text = "\n\n".join(blocks) + "\n"
    whole = extract(text)
    monkeypatch.setattr(markdown, "CHUNK_THRESHOLD", 100)
    monkeypatch.setattr(markdown, "CHUNK_SIZE", 300)
    assert len(list(markdown._chunks(text))) > 10
    chunked = extract(text)
    assert [(c.url, c.line, c.column, c.role, c.text) for c in chunked] == [
        (c.url, c.line, c.column, c.role, c.text) for c in whole
    ]
    assert not any("code" in c.url for c in whole)
