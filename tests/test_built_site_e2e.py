"""A built static site: root-relative links on disk (--root-dir), relative links as the URLs
they will be served at (--base-url), and the pages a sitemap lists (--sitemap)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

pytestmark = pytest.mark.e2e

PAGE = "<!doctype html><html><head><title>{0}</title></head><body>{1}</body></html>"


@pytest.fixture
def served() -> Iterator[tuple[FakeWeb, Host]]:
    web = FakeWeb()
    with serve(web) as host:
        yield web, host


def build_site(folder: Path) -> Path:
    site = folder / "public"
    (site / "docs").mkdir(parents=True)
    (site / "index.html").write_text(
        PAGE.format(
            "Home",
            '<a href="/docs/">docs</a> <a href="/docs/guide#install">install</a> '
            '<a href="/docs/guide.html#nope">nope</a> <a href="/missing.html">missing</a>',
        )
    )
    (site / "docs" / "index.html").write_text(PAGE.format("Docs", '<a href="../">home</a>'))
    (site / "docs" / "guide.html").write_text(
        PAGE.format("Guide", '<h2 id="install">Install</h2><a href="../about.html">about</a>')
    )
    (site / "about.html").write_text(PAGE.format("About", '<a href="/">home</a>'))
    return site


def results(done: Any) -> dict[tuple[str, str], dict[str, Any]]:
    assert "Traceback" not in done.stderr, done.stderr
    payload = json.loads(done.stdout)
    return {(loc["file"], r["url"]): r for r in payload["results"] for loc in r["locations"]}


def test_root_relative_links_resolve_in_the_built_site(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    done = run_linkcheck(
        "check", "public", "--root-dir", "public", "--format", "json", "--no-cache", cwd=tmp_path
    )
    found = results(done)
    home = "public/index.html"
    assert found[(home, "/docs/")]["status"] == "ok"  # a folder: its index.html
    assert found[(home, "/docs/guide#install")]["status"] == "ok"  # guide.html, and the id
    assert found[(home, "/docs/guide.html#nope")]["status"] == "fragment_missing"
    assert found[(home, "/missing.html")]["status"] == "broken"
    assert found[("public/docs/guide.html", "../about.html")]["status"] == "ok"
    assert done.returncode == 1
    # Without --root-dir, root-relative links are files under the current folder: broken.
    plain = results(
        run_linkcheck("check", "public", "--format", "json", "--no-cache", cwd=tmp_path)
    )
    assert plain[(home, "/docs/")]["status"] == "broken"
    assert site.is_dir()


def test_base_url_checks_relative_links_where_they_will_be_served(
    tmp_path: Path, served: tuple[FakeWeb, Host]
) -> None:
    web, host = served
    build_site(tmp_path)
    web.pages["/docs/guide.html"] = (200, {}, b"<h2 id='install'>Install</h2>")
    web.pages["/about.html"] = (200, {}, b"about")
    done = run_linkcheck(
        "check", "public/docs/guide.html", "public/index.html", "--root-dir", "public",
        "--base-url", host.url("/"), "--format", "json", "--no-cache", "--retries", "0",
        cwd=tmp_path,
    )  # fmt: skip
    found = results(done)
    about = found[("public/docs/guide.html", "../about.html")]
    assert about["status"] == "ok" and about["final_url"] in (None, host.url("/about.html"))
    assert found[("public/index.html", "/docs/guide#install")]["status"] == "broken"  # 404 there
    assert found[("public/index.html", "/missing.html")]["status"] == "broken"
    assert web.hits["/about.html"] == 1  # fetched at the URL it will be served at


def test_sitemap_pages_are_checked_and_read_from_the_built_site(
    tmp_path: Path, served: tuple[FakeWeb, Host]
) -> None:
    web, host = served
    site = build_site(tmp_path)
    base = host.url("/")
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <url><loc>{base}</loc></url>\n"
        f"  <url><loc>{base}docs/guide.html</loc></url>\n"
        f"  <url><loc>{base}gone?a=1&amp;b=2</loc></url>\n"
        "</urlset>\n"
    )
    (site / "sitemap.xml").write_text(sitemap)
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}sitemap.xml</loc></sitemap></sitemapindex>"
    )
    web.pages["/sitemap_index.xml"] = (200, {"Content-Type": "application/xml"}, index.encode())
    web.pages["/docs/guide.html"] = (200, {}, b"guide")
    done = run_linkcheck(
        "check", "--sitemap", host.url("/sitemap_index.xml"), "--root-dir", "public",
        "--base-url", base, "--format", "json", "--no-cache", "--retries", "0", cwd=tmp_path,
    )  # fmt: skip
    found = results(done)
    listed = {url: r["status"] for (file, url), r in found.items() if file == "public/sitemap.xml"}
    assert listed == {base: "ok", f"{base}docs/guide.html": "ok", f"{base}gone?a=1&b=2": "broken"}
    loc = next(r for (f, u), r in found.items() if u.startswith(f"{base}gone"))["locations"][0]
    assert (loc["line"], loc["column"]) == (5, 13)  # after "  <url><loc>"
    # The listed pages were read from disk, so their own links were checked too.
    assert ("public/docs/guide.html", "../about.html") in found
    assert ("public/index.html", "/missing.html") in found
    assert web.hits["/sitemap_index.xml"] == 1

    done = run_linkcheck("check", "--sitemap", host.url("/nothing.xml"), cwd=tmp_path)
    assert done.returncode == 2
    assert f"--sitemap {host.url('/nothing.xml')}: HTTP 404" in done.stderr
    done = run_linkcheck("check", cwd=tmp_path)
    assert done.returncode == 2 and "Missing argument" in done.stderr
