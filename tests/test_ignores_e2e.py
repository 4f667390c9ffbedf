"""Inline ignores and the ignore file, through the real command line against a fake web."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck
from linkcheck.extract.ignores import ignore_rules
from linkcheck.extract.source import LineIndex
from linkcheck.model import Status

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    with serve(FakeWeb()) as host:
        yield host


def check(tmp_path: Path, name: str, text: str, *args: str) -> tuple[int, list[dict[str, Any]]]:
    (tmp_path / name).write_text(text)
    done = run_linkcheck(
        "check", name, "--format", "json", "--no-cache", "--retries", "0", *args, cwd=tmp_path
    )
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)["results"]


def by_line(results: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    return {
        location["line"]: (result["status"], result["reason"])
        for result in results
        for location in result["locations"]
    }


def test_inline_ignores_in_markdown(tmp_path: Path, site: Host) -> None:
    gone, ok = site.url("/gone"), site.url("/ok")
    text = "\n".join(
        [
            f"[a]({gone})",  # 1: checked
            "<!-- linkcheck-disable-next-line -->",
            f"[b]({gone})",  # 3: ignored, not fetched
            "<!-- linkcheck-disable-next-line broken -->",
            f"[c]({gone}) and [d]({ok})",  # 5: ignored when broken: gone is, ok is not
            "<!-- linkcheck-disable https://elsewhere.invalid/ -->",
            f"[e](https://elsewhere.invalid/x) [f]({gone})",  # 7: only elsewhere is ignored
            "<!-- linkcheck-enable -->",
            "[g](https://elsewhere.invalid/y)",  # 9: checked again
            "",
        ]
    )
    code, results = check(tmp_path, "doc.md", text, "--offline")
    assert code == 0
    lines = by_line(results)
    assert lines[3] == ("excluded", "ignored at doc.md:2")
    assert lines[9][0] == "skipped"
    at_7 = {
        r["url"]: r["status"] for r in results if any(loc["line"] == 7 for loc in r["locations"])
    }
    assert at_7 == {"https://elsewhere.invalid/x": "excluded", gone: "skipped"}
    ignored = [r for r in results if r["url"] == "https://elsewhere.invalid/x"]
    assert ignored[0]["status"] == "excluded" and ignored[0]["reason"] == "ignored at doc.md:6"

    code, results = check(tmp_path, "doc.md", text)
    lines = by_line(results)
    assert lines[1][0] == "broken"
    assert lines[3] == ("excluded", "ignored at doc.md:2")
    statuses = {(r["url"], loc["line"]): r for r in results for loc in r["locations"]}
    assert statuses[(gone, 5)]["status"] == "excluded"
    assert statuses[(gone, 5)]["reason"] == "ignored at doc.md:4 (was broken: HTTP 410 Gone)"
    assert statuses[(ok, 5)]["status"] == "ok"  # reached by the rule, but its verdict is not listed
    assert statuses[(gone, 7)]["status"] == "broken"  # the block names another site
    assert code == 1  # lines 1 and 7 still fail


def test_inline_ignores_in_html_and_the_ignore_file(tmp_path: Path, site: Host) -> None:
    gone = site.url("/gone")
    html = (
        "<html><body>\n"
        "<!-- linkcheck-disable -->\n"
        f'<a href="{gone}">a</a>\n'
        "<!-- linkcheck-enable -->\n"
        f'<a href="{site.url("/status/500")}">b</a>\n'
        "</body></html>\n"
    )
    (tmp_path / ".linkcheckignore").write_text(
        "# known to be down\n\n" + site.url("/status/").replace(".", r"\.") + "\n"
    )
    code, results = check(tmp_path, "page.html", html)
    assert code == 0
    lines = by_line(results)
    assert lines[3] == ("excluded", "ignored at page.html:2")
    assert lines[5] == ("excluded", "ignored by .linkcheckignore:3")

    (tmp_path / "other.txt").write_text("(unclosed\n")
    done = run_linkcheck("check", "page.html", "--ignore-file", "other.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert "other.txt:1: '(unclosed' is not a regular expression" in done.stderr
    done = run_linkcheck("check", "page.html", "--ignore-file", "missing.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert "--ignore-file 'missing.txt': no such file" in done.stderr


def test_ignore_rules_read_every_form() -> None:
    text = (
        "<!-- linkcheck-disable-next-line https://a.test/* timeout, error -->\nx\n"
        "<!--linkcheck-disable-->\ny\n<!-- linkcheck-disable broken -->\nz\n"
        "<!-- linkcheck-enabled -->\n"  # not a directive
    )
    rules = ignore_rules(text, LineIndex(text), "d.md")
    assert [(r.first, r.last, r.urls, r.statuses, r.where) for r in rules] == [
        (2, 2, ("https://a.test/*",), frozenset({Status.TIMEOUT, Status.ERROR}), "d.md:1"),
        (3, 5, (), frozenset(), "d.md:3"),
        (5, None, (), frozenset({Status.BROKEN}), "d.md:5"),
    ]
    assert rules[0].covers(2, "https://a.test/x") and not rules[0].covers(2, "https://b.test/")
