"""Property: whatever the documents and URLs, no exception escapes the pipeline.

Generated documents are written to disk and go through the real stages (reading, extraction,
planning, checking with a mocked web); every document and every distinct URL must come back
with a verdict.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import httpx
import respx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linkcheck.cache import Cache
from linkcheck.check.runner import Checker
from linkcheck.config import CheckConfig
from linkcheck.extract import iter_citations, iter_text_stream
from linkcheck.extract.documents import load_documents
from linkcheck.model import Citation, Format, Status
from linkcheck.pipeline import run_check
from linkcheck.report.formats import CHECK_FORMATS, publish_check

HOSTS = st.one_of(
    st.sampled_from(
        [
            "e.test",
            "xn--zz.example",
            "xn--",
            "[::1]",
            "127.0.0.1:99999",
            "a..b",
            "ex ample.test",
            "[::1",
            "[zz::1]",
            "[fe80::1%25eth0]",
            "[2001:db8::1]:8080",
            "[::ffff:127.0.0.1]",
        ]
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
@example(urls=["http://[::1", "http://[zz::1]/x"], body="", suffix=".md")  # once a crash
def test_no_exception_escapes_the_pipeline(urls: list[str], body: str, suffix: str) -> None:
    links = "\n\n".join(f"[x]({url}) <{url}> {url} <a href='{url}'>y</a>" for url in urls)
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / f"doc{suffix}"
        document.write_text(f"---\nsource: {urls[0]}\n---\n{body}\n{links}\n", errors="replace")
        documents = load_documents([str(document)], [], {}, lambda message: None)
        config = CheckConfig(
            no_cache=True, retries=0, canary="http://127.0.0.1:9/", http_engine="httpx", jobs=1
        )
        with respx.mock(assert_all_called=False) as web:
            web.route().mock(return_value=httpx.Response(200, html="<title>t</title><p>x</p>"))
            run = run_check(documents, config)
        for output in CHECK_FORMATS:  # and every report renders them
            report = str(Path(folder) / "report")
            publish_check(run, config, output, report, lambda message: None)
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


class _FullDisk:
    """A connection whose writes fail as on a full disk (reads still work)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        raise sqlite3.OperationalError("database or disk is full")

    def close(self) -> None:
        self._db.close()


def test_a_cache_that_fails_mid_run_costs_no_result(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = Cache(tmp_path / "cache.db", warnings.append)
    cache.database._db = _FullDisk(cache.database.connection)  # type: ignore[assignment]
    urls = [f"https://e{n % 7}.test/page/{n}" for n in range(300)]
    citations = [Citation(url, "doc.md", n + 1, 1, "", "link") for n, url in enumerate(urls)]
    checker = Checker(
        CheckConfig(retries=0, http_engine="httpx", jobs=1), cache.results, cache.fingerprints
    )
    with respx.mock(assert_all_called=False) as web:
        web.route().mock(return_value=httpx.Response(200, html="<title>t</title>"))
        results = checker.check(checker.plan(citations))
    cache.close()
    assert [r.status for r in results] == [Status.OK] * 300
    assert len(warnings) == 1
    assert "database or disk is full: going on without the cache" in warnings[0]


def test_an_unreadable_folder_is_named_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: Any
) -> None:
    # As root every folder is readable: the refusal is made by hand, where the walk asks.
    import os as os_module

    from linkcheck.extract import inputs

    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "a.md").write_text("x")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.md").write_text("x")
    real_scandir = os_module.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(inputs.os, "scandir", scandir)
    notes: list[str] = []
    sources = inputs.discover([str(tmp_path)], note=notes.append)
    assert [Path(source.name).name for source in sources] == ["a.md"]
    assert notes == [f"{tmp_path / 'locked'}: cannot read this folder: Permission denied"]
