"""The HTML report: its structure and escaping (parsed with lxml), and in headless Chromium as a
person sees it, from file://, with JavaScript and without."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from browser import Browser, needs_chromium
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck
from linkcheck.model import DEFAULT_FAIL_ON, FetchResult, Location, Result, Status
from linkcheck.report.html import RunInfo, render_html

HOSTILE_TEXT = '<script>alert("text")</script><img src=x onerror=alert(1)>'
HOSTILE_REASON = '"><svg onload=alert(2)>&amp;'


def page(results: list[Result]) -> lxml.html.HtmlElement:
    info = RunInfo("check", ("docs/",), datetime(2026, 12, 8, tzinfo=UTC), 1.5, 3)
    text = render_html(results, info, fail_on=DEFAULT_FAIL_ON, fail_after=1)
    return lxml.html.document_fromstring(text)


def result(url: str, status: Status, *where: tuple[str, int, str], reason: str = "") -> Result:
    fetch = FetchResult(status, reason or status.value, failures=1)
    places = [Location(file, line, 1, text) for file, line, text in where]
    return Result(url, status, reason or status.value, fetch, places)


def test_every_citation_is_shown_once_by_document_and_failing_ones_first() -> None:
    results = [
        result("https://a.example/ok", Status.OK, ("one.md", 3, "fine"), ("two.md", 1, "again")),
        result("https://a.example/gone", Status.BROKEN, ("one.md", 1, "gone")),
        result("https://a.example/wall", Status.BLOCKED, ("two.md", 4, "walled")),
    ]
    root = page(results)
    documents = root.xpath("//details[@class='doc']")
    assert [d.xpath("string(summary)").split(" (")[0] for d in documents] == ["one.md", "two.md"]
    rows = root.xpath("//section[@id='documents']//tr[@data-s]")
    assert len(rows) == 4  # a URL cited twice is two rows
    assert [r.get("data-s") for r in rows] == ["broken", "ok", "ok", "blocked"]  # by line
    failing = root.xpath("//section[@id='failing']//tr[@data-s]")
    assert [r.get("data-s") for r in failing] == ["broken"]
    assert root.xpath("string(//title)") == "linkcheck check: 1 of 4 citations failing"
    legend = [" ".join(li.text_content().split()) for li in root.xpath("//ul[@class='counts']/li")]
    assert legend == ["✓ ok 1", "✗ broken 1", "⊘ blocked 1"]  # URLs, as the JSON summary
    assert root.xpath("//details[@open]") == documents  # everything shown without a script
    assert root.xpath("//nav[@id='controls']/@hidden") == [""]  # the filters need the script


def test_hostile_strings_are_text_and_only_web_urls_are_links() -> None:
    results = [
        result("javascript:alert(3)", Status.UNSUPPORTED, ("a.md", 1, HOSTILE_TEXT)),
        result("data:text/html,<b>x</b>", Status.UNSUPPORTED, ("a.md", 2, "data")),
        result(
            'https://e.example/"><script>x()</script>',
            Status.BROKEN,
            ("a.md", 3, "q"),
            reason=HOSTILE_REASON,
        ),
    ]
    root = page(results)
    assert len(root.xpath("//script")) == 1  # the page's own
    assert not root.xpath("//*[@onerror or @onload or @onclick]") and not root.xpath("//img")
    hrefs = root.xpath("//a/@href")
    assert hrefs == ['https://e.example/"><script>x()</script>'] * 2  # failing, and by document
    cells = [td.text_content() for td in root.xpath("//section[@id='documents']//td")]
    assert HOSTILE_TEXT in cells and HOSTILE_REASON in cells and "javascript:alert(3)" in cells


def test_the_page_allows_only_its_own_style_and_script() -> None:
    root = page([result("https://a.example/", Status.OK, ("a.md", 1, "a"))])
    (policy,) = root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        body = root.xpath(f"string(//{tag})")
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert policy.startswith("default-src 'none';")
    assert not root.xpath("//link | //*[@src] | //*[@style]")  # nothing loaded, no inline style


@pytest.fixture
def site() -> Iterator[Host]:
    web = FakeWeb()
    web.pages["/article"] = (200, {}, b"<html><body><p>The quick brown fox.</p></body></html>")
    with serve(web) as host:
        yield host


def write_report(tmp_path: Path, site: Host) -> tuple[Path, dict[str, int]]:
    (tmp_path / "a.md").write_text(
        f"[fine]({site.url('/ok')}) [gone]({site.url('/gone')}) "
        f"[quote]({site.url('/article')}#:~:text=quick%20brown)\n"
    )
    (tmp_path / "b.md").write_text(
        f"[missing quote]({site.url('/article')}#:~:text=lazy%20dog) "
        f"[&lt;script&gt;alert(1)&lt;/script&gt;]({site.url('/ok')})\n"
    )
    common = ["--no-cache", "--canary", site.base]
    json_report = run_linkcheck("check", ".", "--format", "json", *common, cwd=tmp_path)
    summary = json.loads(json_report.stdout)["summary"]
    done = run_linkcheck(
        "check", ".", "--format", "html", "-o", "report.html", *common, cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    return tmp_path / "report.html", summary


def test_a_person_sees_the_counts_filters_and_finds_a_citation(tmp_path: Path, site: Host) -> None:
    executable = needs_chromium()
    report, summary = write_report(tmp_path, site)
    with Browser(executable) as browser:
        browser.open(report)
        legend = browser.evaluate(
            "Array.from(document.querySelectorAll('.counts li')).map(li => li.innerText)"
        )
        assert sorted(legend) == sorted(
            f"{sign} {status.replace('_', ' ')} {count}"
            for status, count in summary.items()
            for sign in [{"ok": "✓", "broken": "✗", "fragment_missing": "❝"}.get(status, "")]
            if status != "total" and count
        )
        visible = "Array.from(document.querySelectorAll('#documents tr[data-s]'))" \
                  ".filter(r => r.offsetParent !== null).map(r => r.dataset.s)"  # fmt: skip
        assert sorted(browser.evaluate(visible)) == [
            "broken", "fragment_missing", "ok", "ok", "ok"
        ]  # fmt: skip
        browser.evaluate("(s => { s.value = 'broken'; s.dispatchEvent(new Event('change')) })"
                         "(document.getElementById('status'))")  # fmt: skip
        assert browser.evaluate(visible) == ["broken"]
        assert browser.evaluate("document.getElementById('shown').innerText") == (
            "1 citation shown"
        )
        browser.evaluate("(s => { s.value = ''; s.dispatchEvent(new Event('change')) })"
                         "(document.getElementById('status'))")  # fmt: skip
        browser.evaluate("(q => { q.value = 'LAZY%20dog'; q.dispatchEvent(new Event('input')) })"
                         "(document.getElementById('search'))")  # fmt: skip
        assert browser.evaluate(visible) == ["fragment_missing"]
        shown = browser.evaluate("document.querySelector('#documents').textContent")
        assert "<script>alert(1)</script>" in shown  # markup in link text is text, never run
        assert browser.errors() == []  # no script error, no CSP violation
        assert browser.requests() == [report.resolve().as_uri()]  # nothing else loaded


def test_without_javascript_everything_is_shown(tmp_path: Path, site: Host) -> None:
    executable = needs_chromium()
    report, _ = write_report(tmp_path, site)
    with Browser(executable, javascript=False) as browser:
        browser.open(report)
        browser.send("Emulation.setScriptExecutionDisabled", value=False)  # to look, not to run
        rows = browser.evaluate(
            "Array.from(document.querySelectorAll('#documents tr[data-s]'))"
            ".filter(r => r.offsetParent !== null).length"
        )
        assert rows == 5
        assert browser.evaluate("document.getElementById('controls').offsetParent") is None


def test_the_archive_page_shows_each_citations_archived_copy(
    tmp_path: Path, site: Host, wayback: tuple[object, str]
) -> None:
    import os

    from fakewayback import ACCESS, SECRET

    _, base = wayback
    (tmp_path / "a.md").write_text(f"[article]({site.url('/article')}#:~:text=quick%20brown)\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IA_")}
    done = run_linkcheck(
        "archive", "a.md", "--manifest", "archive.html", "--wayback-url", base, "--canary",
        site.base, "--poll-interval", "0.05s", "--lookup-rate", "6000", "--capture-rate", "6000",
        cwd=tmp_path, env={**environment, "IA_ACCESS_KEY": ACCESS, "IA_SECRET_KEY": SECRET,
                           "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    root = lxml.html.document_fromstring((tmp_path / "archive.html").read_text())
    assert root.xpath("string(//title)") == "linkcheck archive: 0 of 1 citations failing"
    assert root.xpath("//th[last()]/text()")[-1] == "Archived copy"
    (copy,) = root.xpath("//section[@id='documents']//td[last()]/a")
    assert copy.text.startswith("✓ verified copy") and copy.get("href").startswith(base + "/web/")


def test_merge_writes_one_page_for_the_shards(tmp_path: Path, site: Host) -> None:
    (tmp_path / "a.md").write_text(f"[fine]({site.url('/ok')}) [gone]({site.url('/gone')})\n")
    for shard in ("1/2", "2/2"):
        name = f"shard{shard[0]}.json"
        run_linkcheck("check", "a.md", "--shard", shard, "--no-cache", "--canary", site.base,
                      "--format", "json", "-o", name, cwd=tmp_path)  # fmt: skip
    done = run_linkcheck("merge", "shard1.json", "shard2.json", "--format", "html", cwd=tmp_path)
    root = lxml.html.document_fromstring(done.stdout)
    assert root.xpath("string(//title)") == "linkcheck merge: 1 of 2 citations failing"
    assert "shard1.json shard2.json" in root.xpath("string(//dl[@class='run'])")


def test_status_colours_pass_wcag_aa_under_white_text() -> None:
    import re
    from importlib.resources import files

    css = files("linkcheck.report").joinpath("page", "report.css").read_text(encoding="utf-8")

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    colours = dict(
        re.findall(r"\.(good|bad|warn|quote|quiet) \{ background: (#[0-9a-f]{6}); \}", css)
    )
    assert set(colours) == {"good", "bad", "warn", "quote", "quiet"}
    for name, colour in colours.items():
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, f".{name} {colour} on white text"
