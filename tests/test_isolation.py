"""Property: whatever the documents and URLs, no exception escapes the pipeline.

Generated documents are written to disk and go through the real stages (reading, extraction,
planning, checking with a mocked web); every document and every distinct URL must come back
with a verdict.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import respx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linkcheck.config import CheckConfig
from linkcheck.documents import load_documents
from linkcheck.extract import iter_citations, iter_text_stream
from linkcheck.model import Format, Status
from linkcheck.pipeline import run_check

HOSTS = st.one_of(
    st.sampled_from(
        ["e.test", "xn--zz.example", "xn--", "[::1]", "127.0.0.1:99999", "a..b", "ex ample.test"]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12),
)
PATHS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20).map(
    lambda text: "/" + text
)
URLS = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}{path}",
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    HOSTS,
    PATHS,
)
BODIES = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda data: data.decode("latin-1")),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    urls=st.lists(URLS, min_size=1, max_size=6),
    body=BODIES,
    suffix=st.sampled_from([".md", ".html", ".txt"]),
)
@example(urls=["http://xn--zz.example/page"], body="", suffix=".md")  # IDNA refuses the host
def test_no_exception_escapes_the_pipeline(urls: list[str], body: str, suffix: str) -> None:
    links = "\n\n".join(f"[x]({url}) <{url}> {url} <a href='{url}'>y</a>" for url in urls)
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / f"doc{suffix}"
        document.write_text(f"---\nsource: {urls[0]}\n---\n{body}\n{links}\n", errors="replace")
        documents = load_documents([str(document)], [], {}, lambda message: None)
        config = CheckConfig(no_cache=True, retries=0, canary="http://127.0.0.1:9/")
        with respx.mock(assert_all_called=False) as web:
            web.route().mock(return_value=httpx.Response(200, html="<title>t</title><p>x</p>"))
            run = run_check(documents, config)
    assert len(documents) == 1
    assert all(isinstance(result.status, Status) for result in run.results)
    cited = {c.url for d in documents for c in d.citations}
    assert {r.url for r in run.results} >= cited


TEXT_PIECES = st.lists(
    st.one_of(
        st.sampled_from(
            ["https://e.test/a", "http://x.test/p?q=1.", " ", "\n", "\n\n", "(www.w.test)"]
        ),
        st.text(max_size=8),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(parts=TEXT_PIECES, cuts=st.lists(st.integers(1, 30), min_size=1, max_size=10))
def test_a_text_read_in_pieces_gives_the_citations_of_the_whole(
    parts: list[str], cuts: list[int]
) -> None:
    text = "".join(parts)
    pieces, position = [], 0
    for size in cuts * (len(text) // max(1, sum(cuts)) + 1):
        if position >= len(text):
            break
        pieces.append(text[position : position + size])
        position += size
    whole = list(iter_citations(text, "doc.txt", Format.TEXT, None))
    streamed = list(iter_text_stream(pieces, "doc.txt", None))
    assert [(c.url, c.line, c.column) for c in streamed] == [
        (c.url, c.line, c.column) for c in whole
    ]
