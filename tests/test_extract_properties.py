"""Properties: no input crashes an extractor; locations are exact in non-ASCII documents."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import extract
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
