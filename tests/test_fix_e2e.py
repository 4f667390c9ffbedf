"""`linkcheck fix` end to end: the real CLI rewrites copies of documents, byte for byte except
the URLs, and its diff applies with `git apply`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakewayback import FakeWayback, days_ago
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

pytestmark = pytest.mark.e2e


@pytest.fixture
def sites() -> Iterator[tuple[FakeWeb, Host, Host]]:
    web = FakeWeb()
    with serve(web, "127.0.0.1") as here, serve(web, "127.0.0.3") as elsewhere:
        web.pages["/moved-away"] = (301, {"Location": elsewhere.url("/ok")}, b"")
        yield web, here, elsewhere


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip


def write_documents(folder: Path, here: Host) -> dict[str, bytes]:
    moved, gone = here.url("/redirect/301"), here.url("/gone")
    markdown = (
        "\ufeff---\r\ntitle: Ünïcode\r\ndate: 2026-02-24\r\n---\r\n"
        f"Inline [moved]({moved}) and [quoted]({gone}#:~:text=Hello).\r\n"
        f"Autolink <{gone}> and bare {moved}.\r\n"
        "[ref]: " + here.url("/redirect/308") + "\r\n"
        "Reference [link][ref]; [away](" + here.url("/moved-away") + ").\r\n"
        "<!-- linkcheck-disable-next-line -->\r\n"
        f"[ignored]({moved})\r\n"
        "<!-- linkcheck-disable-next-line broken -->\r\n"
        f"[ignored when dead]({gone})\r\n"
    ).encode("utf-8")
    html = (
        f'<html><body><a href="{moved}?a=1&amp;b=2">x</a> <a href="{gone}">y</a></body></html>'
    ).encode()  # no newline at the end
    text = f"See {gone} for details.\n".encode()
    files = {"doc.md": markdown, "page.html": html, "notes.txt": text}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_fix_rewrites_only_the_urls_and_its_diff_applies(
    tmp_path: Path, sites: tuple[FakeWeb, Host, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, here, elsewhere = sites
    fake, base = wayback
    gone, ok = here.url("/gone"), here.url("/ok")
    fake.add_capture(gone, days_ago(30))  # a good copy from when the page lived
    original = write_documents(tmp_path, here)
    common = ["--wayback-url", base, "--canary", here.base, "--retries", "0"]
    archived = run_linkcheck("archive", ".", "--manifest", "m.json", *common, cwd=tmp_path)
    assert "Traceback" not in archived.stderr
    assert git(tmp_path, "init", "-q").returncode == 0
    git(tmp_path, "add", "doc.md", "page.html", "notes.txt")
    git(tmp_path, "commit", "-qm", "documents")

    # --dry-run lists, writes nothing.
    dry = run_linkcheck("fix", ".", "--dry-run", *common, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert all((tmp_path / name).read_bytes() == data for name, data in original.items())
    assert "would fix" in dry.stdout

    # --diff: a patch git applies (read as bytes: its CRLF lines are the file's); the tree is
    # untouched until then.
    diff = subprocess.run(
        [sys.executable, "-m", "linkcheck", "fix", ".", "--diff", *common],
        cwd=tmp_path, capture_output=True, check=False,
    )  # fmt: skip
    assert diff.returncode == 0, diff.stderr
    assert b"\r\n" in diff.stdout
    (tmp_path.parent / "fix.patch").write_bytes(diff.stdout)
    assert git(tmp_path, "apply", "--check", str(tmp_path.parent / "fix.patch")).returncode == 0
    assert all((tmp_path / name).read_bytes() == data for name, data in original.items())

    # In a clean tree the default is to write in place.
    shutil.copytree(tmp_path, tmp_path.parent / "applied", ignore=shutil.ignore_patterns(".git"))
    written = run_linkcheck("fix", ".", *common, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "fixed" in written.stdout
    applied = git(tmp_path.parent / "applied", "apply", str(tmp_path.parent / "fix.patch"))
    assert applied.returncode == 0, applied.stderr
    for name in original:
        assert (tmp_path / name).read_bytes() == (tmp_path.parent / "applied" / name).read_bytes()

    markdown = (tmp_path / "doc.md").read_bytes()
    copy = f"{base}/web/{fake.captures[gone][0].timestamp}/{gone}"
    expected = (
        original["doc.md"]
        .decode("utf-8")
        .replace(f"({here.url('/redirect/301')})", f"({ok})", 1)  # not the ignored one
        .replace(f"bare {here.url('/redirect/301')}.", f"bare {ok}.")
        .replace(f"({gone}#:~:text=Hello)", f"({copy}#:~:text=Hello)")
        .replace(f"<{gone}>", f"<{copy}>")
        .replace(f"[ref]: {here.url('/redirect/308')}", f"[ref]: {ok}")
    )
    assert markdown.decode("utf-8") == expected  # BOM, CRLF, front matter, ignores: all kept
    assert markdown.startswith(b"\xef\xbb\xbf---\r\n")
    assert here.url("/moved-away") in expected  # another host: only with --cross-host
    assert f"[ignored]({here.url('/redirect/301')})" in expected
    assert f"[ignored when dead]({gone})" in markdown.decode("utf-8")
    html = (tmp_path / "page.html").read_bytes().decode()
    assert html == (
        f'<html><body><a href="{ok}">x</a> <a href="{copy}">y</a></body></html>'
    )  # the query went with the redirect; still no newline at the end
    assert (tmp_path / "notes.txt").read_text() == f"See {copy} for details.\n"
    assert "left as they are" in written.stdout and "--cross-host" in written.stdout

    # Twice changes nothing the second time (the tree is now dirty: a diff, and it is empty).
    again = run_linkcheck("fix", ".", *common, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""
    assert "fix: 0 citations in the diff in 0 files" in again.stderr

    # --cross-host follows the redirect to the other host.
    crossed = run_linkcheck("fix", "doc.md", "--write", "--cross-host", *common, cwd=tmp_path)
    assert crossed.returncode == 0, crossed.stderr
    assert f"[away]({elsewhere.url('/ok')})" in (tmp_path / "doc.md").read_text(encoding="utf-8")


def test_a_dead_link_without_a_verified_copy_is_left_and_said(
    tmp_path: Path, sites: tuple[FakeWeb, Host, Host]
) -> None:
    _, here, _ = sites
    (tmp_path / "doc.md").write_text(f"[gone]({here.url('/gone')})\n")
    done = run_linkcheck("fix", "doc.md", "--write", "--canary", here.base, cwd=tmp_path)
    assert done.returncode == 0
    assert "dead, with no verified archived copy (run linkcheck archive first)" in done.stdout
    assert (tmp_path / "doc.md").read_text() == f"[gone]({here.url('/gone')})\n"


def test_robust_turns_links_with_verified_copies_into_robust_links(
    tmp_path: Path, sites: tuple[FakeWeb, Host, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, here, _ = sites
    fake, base = wayback
    ok, page, gone = here.url("/ok"), here.url("/page"), here.url("/gone")
    day = days_ago(3)
    for url in (ok, page, gone):
        fake.add_capture(url, day)
    (tmp_path / "doc.md").write_text(
        "---\ndate: 2026-01-05\n---\n"
        f"See [the *page*]({ok}), ![an image]({page}) and [a dead one]({gone}#:~:text=Hello).\n"
    )
    (tmp_path / "page.html").write_text(f"<p><a class=x href='{page}'>p</a></p>\n")
    common = ["--wayback-url", base, "--canary", here.base, "--retries", "0"]
    archived = run_linkcheck("archive", ".", "--manifest", "m.json", *common, cwd=tmp_path)
    assert "Traceback" not in archived.stderr
    done = run_linkcheck("fix", ".", "--write", "--robust", *common, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = f"{base}/web/{day}"
    when = f"{day[:4]}-{day[4:6]}-{day[6:8]}"
    markdown = (tmp_path / "doc.md").read_text()
    assert (
        f'See <a href="{ok}" data-originalurl="{ok}" data-versionurl="{copy}/{ok} {when}"'
        f' data-versiondate="2026-01-05">the *page*</a>, ![an image]({page}) and '
        f'<a href="{copy}/{gone}#:~:text=Hello" data-originalurl="{gone}#:~:text=Hello"'
        f' data-versionurl="{copy}/{gone}#:~:text=Hello {when}" data-versiondate="2026-01-05">'
        "a dead one</a>."
    ) in markdown  # an image is no link to make robust
    html = (tmp_path / "page.html").read_text()
    assert html == (
        f"<p><a class=x href='{page}' data-originalurl=\"{page}\""
        f' data-versionurl="{copy}/{page} {when}" data-versiondate="{when}">p</a></p>\n'
    )
    assert "not a plain [text](URL) link" in done.stdout  # the image, said
    again = run_linkcheck("fix", ".", "--write", "--robust", *common, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "doc.md").read_text() == markdown
    assert (tmp_path / "page.html").read_text() == html


def test_fix_rewrites_a_notebook_and_rst_in_place_and_says_it_leaves_pdf_alone(
    tmp_path: Path, sites: tuple[FakeWeb, Host, Host]
) -> None:
    import json

    from reportlab.pdfgen import canvas

    _, here, _ = sites
    moved = here.url("/redirect/301")
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [f'A "quoted" [link]({moved}).\n']},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": [f"get('{moved}')"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook, indent=1))
    (tmp_path / "guide.rst").write_text(f"See `the page <{moved}>`_.\n")
    drawing = canvas.Canvas(str(tmp_path / "paper.pdf"))
    drawing.drawString(72, 780, "moved")
    drawing.linkURL(moved, (72, 778, 200, 790), relative=0)
    drawing.save()
    pdf_before = (tmp_path / "paper.pdf").read_bytes()
    done = run_linkcheck("fix", ".", "--write", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = json.loads((tmp_path / "nb.ipynb").read_text())
    assert fixed["cells"][0]["source"] == [f'A "quoted" [link]({here.url("/ok")}).\n']
    assert fixed["cells"][1]["source"] == [f"get('{moved}')"]  # code is not a citation
    assert (tmp_path / "guide.rst").read_text() == f"See `the page <{here.url('/ok')}>`_.\n"
    assert (tmp_path / "paper.pdf").read_bytes() == pdf_before
    assert "fix does not rewrite PDF documents" in done.stdout + done.stderr


def _templates(text: str) -> list[tuple[str, dict[str, str]]]:
    """Each template of a page: its name and parameters, as mwparserfromhell reads them."""
    import mwparserfromhell

    return [
        (str(t.name).strip(), {str(p.name).strip(): str(p.value).strip() for p in t.params})
        for t in mwparserfromhell.parse(text).filter_templates(recursive=True)
    ]


def test_fix_in_wikitext_writes_archived_copies_beside_citations(
    tmp_path: Path, sites: tuple[FakeWeb, Host, Host], wayback: tuple[FakeWayback, str]
) -> None:
    _, here, _ = sites
    fake, base = wayback
    gone, bare, lost, ok = (
        here.url("/gone"), here.url("/gone?bare"), here.url("/status/404"), here.url("/ok"),
    )  # fmt: skip
    day = days_ago(3)
    for url in (gone, bare, ok):
        fake.add_capture(url, day)
    page = (
        "{{Use dmy dates|date=May 2024}}\n"
        f"Dead.<ref>{{{{cite web |url={gone} |title=Gone |access-date=1 May 2020}}}}</ref>\n"
        f"Listed.<ref>{{{{cite news\n| url = {ok}\n| title = Live\n}}}}</ref>\n"
        f"Bare.<ref>[{bare} A bare link]</ref>\n"
        f"Lost.<ref>{{{{cite web|url={lost}|title=Lost|url-status=live}}}}</ref>\n"
        f"Moved.<ref>{{{{cite web |url={here.url('/redirect/301')} |title=Moved}}}}</ref>\n"
        f"Revived.<ref>[{here.url('/page')} A page] {{{{dead link|date=May 2021}}}}</ref>\n"
    )
    (tmp_path / "page.wiki").write_text(page, encoding="utf-8")
    common = ["--wayback-url", base, "--canary", here.base, "--retries", "0"]
    archived = run_linkcheck("archive", ".", "--manifest", "m.json", *common, cwd=tmp_path)
    assert "Traceback" not in archived.stderr
    assert git(tmp_path, "init", "-q").returncode == 0
    git(tmp_path, "add", "page.wiki")
    git(tmp_path, "commit", "-qm", "page")
    diff = run_linkcheck("fix", ".", "--diff", "--archive-live", *common, cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    said = " ".join(diff.stderr.split())
    assert f"{gone} + archived copy {base}/web/{day}/{gone} of " in said
    assert f"{lost} + {{{{dead link}}}} (broken, with no verified archived copy" in said
    patch = tmp_path / "fix.patch"
    patch.write_text(diff.stdout)
    applied = git(tmp_path, "apply", "fix.patch")
    assert applied.returncode == 0, applied.stderr
    fixed = (tmp_path / "page.wiki").read_text(encoding="utf-8")
    when = datetime.strptime(day[:8], "%Y%m%d")
    dmy = f"{when.day} {when:%B} {when.year}"
    copy = f"{base}/web/{day}"
    lines = fixed.splitlines()
    assert lines[1] == (
        f"Dead.<ref>{{{{cite web |url={gone} |title=Gone |access-date=1 May 2020"
        f" |archive-url={copy}/{gone} |archive-date={dmy} |url-status=dead}}}}</ref>"
    )
    assert lines[2:7] == [
        "Listed.<ref>{{cite news", f"| url = {ok}", "| title = Live",
        f"| archive-url = {copy}/{ok}", f"| archive-date = {dmy}",
    ]  # fmt: skip
    assert lines[7:9] == ["| url-status = live", "}}</ref>"]
    assert lines[9] == (
        f"Bare.<ref>[{bare} A bare link] {{{{webarchive |url={copy}/{bare} |date={dmy}}}}}</ref>"
    )
    month = datetime.now(UTC).strftime("%B %Y")
    assert lines[10] == (
        f"Lost.<ref>{{{{cite web|url={lost}|title=Lost|url-status=live}}}}"
        f"{{{{dead link|date={month}}}}}</ref>"
    )
    assert lines[11] == (
        f"Moved.<ref>{{{{cite web |url={here.url('/ok')} |title=Moved}}}}</ref>"
    )  # a permanent redirect: the URL itself
    assert lines[12] == f"Revived.<ref>[{here.url('/page')} A page]</ref>"  # alive again
    # Re-parsed, every template is as it was (the redirect's URL and a status aside), its
    # parameters in their order, the new ones after them; and the two templates added.
    before, after = _templates(page), _templates(fixed)
    kept = [t for t in after if t[0] not in ("webarchive", "dead link")]
    assert [name for name, _ in kept] == [n for n, _ in before if n != "dead link"]
    for (_, old), (_, new) in zip([t for t in before if t[0] != "dead link"], kept, strict=True):
        assert list(new)[: len(old)] == list(old)
        assert set(new) - set(old) <= {"archive-url", "archive-date", "url-status"}
        unchanged = {k: v for k, v in old.items() if k not in ("url", "url-status")}
        assert {k: new[k] for k in unchanged} == unchanged
    assert [name for name, _ in after if name in ("webarchive", "dead link")] == [
        "webarchive", "dead link",
    ]  # fmt: skip
    # A second run finds nothing more to do: the archived citations are no longer dead.
    git(tmp_path, "add", "page.wiki")
    git(tmp_path, "commit", "-qm", "fixed")
    again = run_linkcheck("fix", ".", "--write", *common, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "page.wiki").read_text(encoding="utf-8") == fixed
