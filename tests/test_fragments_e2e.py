"""The CLI against local pages: ok, fragment_missing, invalid, unverifiable, as a browser sees."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

pytestmark = pytest.mark.e2e  # runs the real command line or real servers

ARTICLE = """<!doctype html><html><head><title>Border report</title>
<style>.promo { display: none }</style></head><body>
<h1 id="summary">Summary</h1>
<p>Section 1. &nbsp;Deployment of the National Guard to support law enforcement operations.</p>
<p>In 2025 fentanyl trafficking was cut by 58% compared to the previous year.</p>
<div class="promo">Subscribe for secret offers</div>
</body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    web = FakeWeb()
    web.pages["/article"] = (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.encode())
    web.pages["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 ...")
    web.pages["/notes.txt"] = (200, {"Content-Type": "text/plain"}, b"first line\nsecond line")
    with serve(web) as host:
        host.web = web  # type: ignore[attr-defined]
        yield host


def run(tmp_path: Path, site: Host, body: str, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    (tmp_path / "doc.md").write_text(body)
    result = run_linkcheck("doc.md", "--format", "json", "--canary", site.base, *args, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, {r["url"]: r for r in json.loads(result.stdout)["results"]}


def test_text_fragments_and_anchors_end_to_end(tmp_path: Path, site: Host) -> None:
    article = site.url("/article")
    urls = {
        "range": f"{article}#:~:text=Section%201.%20%C2%A0Deployment,law%20enforcement",
        "drift": f"{article}#:~:text=cut%20by%2056%25%20compared",
        "hidden": f"{article}#:~:text=secret%20offers",
        "invalid": f"{article}#:~:text=e-mail",
        "anchor": f"{article}#summary",
        "no-anchor": f"{article}#conclusion",
        "pdf": site.url("/report.pdf") + "#:~:text=anything",
        "plain": site.url("/notes.txt") + "#:~:text=first,second",
    }
    body = "\n\n".join(f"[{name}]({url})" for name, url in urls.items()) + "\n"
    hits = site.web.hits["/article"]  # type: ignore[attr-defined]
    code, results = run(tmp_path, site, body, "--no-cache")
    status = {name: results[url]["status"] for name, url in urls.items()}
    assert status == {
        "range": "ok",
        "drift": "fragment_missing",
        "hidden": "fragment_missing",
        "invalid": "invalid",
        "anchor": "ok",
        "no-anchor": "fragment_missing",
        "pdf": "unverifiable",
        "plain": "ok",
    }
    assert code == 1
    assert site.web.hits["/article"] - hits == 1  # type: ignore[attr-defined]
    (found,) = results[urls["range"]]["fragments"]
    assert found["found"] is True
    assert found["matched_text"].startswith("Section 1. \u00a0Deployment")
    (drift,) = results[urls["drift"]]["fragments"]
    assert drift["found"] is False
    assert 'page now reads "…cut by 58% compared to the…"' in drift["reason"]
    assert "quoted text not on the page" in results[urls["drift"]]["reason"]


def test_fragment_results_are_cached_and_new_fragments_refetch(tmp_path: Path, site: Host) -> None:
    page = site.url(f"/article?key={uuid.uuid4().hex}")
    hits = site.web.hits["/article"]  # type: ignore[attr-defined]
    run(tmp_path, site, f"[a]({page}#:~:text=National%20Guard)\n")
    _, results = run(tmp_path, site, f"[a]({page}#:~:text=National%20Guard)\n")
    assert results[f"{page}#:~:text=National%20Guard"]["cached"] is True
    assert site.web.hits["/article"] - hits == 1  # type: ignore[attr-defined]
    _, results = run(tmp_path, site, f"[b]({page}#:~:text=fentanyl)\n")
    assert results[f"{page}#:~:text=fentanyl"]["status"] == "ok"
    assert site.web.hits["/article"] - hits == 2  # type: ignore[attr-defined]


def test_local_markdown_heading_anchors(tmp_path: Path, site: Host) -> None:
    (tmp_path / "guide.md").write_text("# Guide\n\n## Set-up & use\n")
    body = "# Doc\n\n[a](guide.md#set-up--use) [b](guide.md#nowhere) [c](#doc) [d](#missing)\n"
    code, results = run(tmp_path, site, body, "--no-cache")
    assert {url: r["status"] for url, r in results.items()} == {
        "guide.md#set-up--use": "ok",
        "guide.md#nowhere": "fragment_missing",
        "#doc": "ok",
        "#missing": "fragment_missing",
    }
    assert code == 1


QUOTES = """<!doctype html><html><body>
<p>The quick brown fox jumps over the lazy dog.</p>
<p>She said "hello world" and left.</p>
<p>Dessert: crème brûlée.</p>
</body></html>"""


def test_quotes_written_as_people_write_them(tmp_path: Path, site: Host) -> None:
    site.web.pages["/quotes"] = (  # type: ignore[attr-defined]
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        QUOTES.encode(),
    )
    page = site.url("/quotes")
    markdown = f"[a](<{page}#:~:text=lazy dog>)\n\n[b](<{page}#:~:text=crème brûlée>)\n"
    html = f'<a href="{page}#:~:text=&quot;hello world&quot;">c</a>'
    (tmp_path / "page.html").write_text(html)
    (tmp_path / "doc.md").write_text(markdown)
    result = run_linkcheck(
        "doc.md", "page.html", "--format=json", "--canary", site.base, cwd=tmp_path
    )
    results = json.loads(result.stdout)["results"]
    assert len(results) == 3
    assert {r["status"] for r in results} == {"ok"}, results
    assert all(r["fragments"][0]["found"] is True for r in results)


def test_an_unused_element_id_and_malformed_directives(tmp_path: Path, site: Host) -> None:
    site.web.pages["/quotes"] = (  # type: ignore[attr-defined]
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        QUOTES.encode(),
    )
    page = site.url("/quotes")
    body = (
        f"[id]({page}#section2:~:text=lazy%20dog)\n\n[empty]({page}#:~:)\n\n"
        f"[upper]({page}#:~:TEXT=lazy)\n\n[unknown]({page}#:~:text=Tom%20&%20Jerry)\n"
    )
    _, results = run(tmp_path, site, body)
    unused = results[f"{page}#section2:~:text=lazy%20dog"]
    assert unused["status"] == "ok"  # a browser scrolls to the words
    (anchor, text) = unused["fragments"]
    assert anchor["state"] == "skipped" and "unused" in anchor["reason"]
    assert text["found"] is True
    assert results[f"{page}#:~:"]["status"] == "invalid"
    assert "nothing after :~:" in results[f"{page}#:~:"]["reason"]
    upper = results[f"{page}#:~:TEXT=lazy"]
    assert upper["status"] == "invalid" and "names are case-sensitive" in upper["reason"]
    # A raw '&' cut the quote: "Tom " is searched (and is not on the page), "%20Jerry" ignored.
    unknown = results[f"{page}#:~:text=Tom%20&%20Jerry"]
    assert unknown["status"] == "fragment_missing"
    assert "unknown directive '%20Jerry' ignored" in unknown["reason"]


def test_cjk_word_boundaries_end_to_end(tmp_path: Path, site: Host) -> None:
    site.web.pages["/ja"] = (  # type: ignore[attr-defined]
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        "<p>ようこそ日本へ</p>".encode(),
    )
    page = site.url("/ja")
    whole, part = f"{page}#:~:text=ようこそ", f"{page}#:~:text=ようこ"
    _, results = run(tmp_path, site, f"[a]({whole})\n\n[b]({part})\n")
    assert results[whole]["status"] == "ok"
    assert results[part]["status"] == "fragment_missing"  # not a word inside ようこそ
