"""Wikitext: CS1 templates, external links and what templates say about their sources, read at
their exact places; and the check weighing a template's url-status, {{dead link}} and quote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import mwparserfromhell
import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

# ruff: noqa: E501 (wikitext as editors write it: templates on one long line)
from linkcheck.extract import sniff_format
from linkcheck.extract.wikiedit import annotate
from linkcheck.extract.wikitext import extract_wikitext, template_name
from linkcheck.fragments import quote_fragment
from linkcheck.model import Claims, Fix, Format, Location

# Written for these tests: the shapes editors and InternetArchiveBot leave in articles.
PAGE = """{{Use dmy dates|date=May 2024}}
'''Example''' is a town.<ref name="census">{{Cite Web | url = http://stats.example/census
 |title=Census {{lang|fr|de la ville}} |access_date=1 May 2020
 |archive-url=https://web.archive.org/web/20200501000000/http://stats.example/census
 |url-status=dead |quote=The town had “4,000” inhabitants … in 2019}}</ref> It grew.<ref name="census"/>

== History ==
''See [http://history.example/town The town's history]'' {{dead link|date=May 2021}}
<pre>http://pre.example/</pre> <syntaxhighlight lang="python">x = "http://code.example/"</syntaxhighlight>
<!-- http://comment.example/ --> <nowiki>http://nowiki.example/</nowiki>
* A list item cites http://bare.example/page.
* {{cite journal |doi=10.1000/xyz123 |title=A Journal Article |arxiv=2101.00001}}
* [http://old.example/page Old page] {{webarchive |url=https://web.archive.org/web/2019/http://old.example/page |date=1 May 2019}}
{{refn|group=n|{{cite news |url=http://news.example/n |title=News |deadurl=no}}}}
{{citation |chapterurl=http://book.example/ch1 |chapter=One |url=http://book.example/ |title=Book}}
{{cite web |url=http://usurped.example/ |title=Gone astray |url-status=usurped |archiveurl=https://web.archive.org/web/2015/http://usurped.example/}}
{| class="wikitable"
| cell http://table.example/d
|}
"""


def links() -> list[tuple[str, str, str]]:
    return [(r.url, r.role, PAGE[r.offset : r.offset + 12]) for r in extract_wikitext(PAGE)]


def test_every_citation_is_read_at_its_place() -> None:
    found = list(extract_wikitext(PAGE))
    urls = [raw.url for raw in found]
    assert urls == [
        "http://stats.example/census",
        "https://web.archive.org/web/20200501000000/http://stats.example/census",
        "http://history.example/town",
        "http://bare.example/page",
        "https://doi.org/10.1000/xyz123",
        "https://arxiv.org/abs/2101.00001",
        "http://old.example/page",
        "https://web.archive.org/web/2019/http://old.example/page",
        "http://news.example/n",
        "http://book.example/ch1",
        "http://book.example/",
        "http://usurped.example/",
        "https://web.archive.org/web/2015/http://usurped.example/",
        "http://table.example/d",
    ]
    for raw in found:
        written = raw.url.removeprefix("https://doi.org/").removeprefix("https://arxiv.org/abs/")
        assert PAGE[raw.offset :].startswith(written), raw
    roles = {raw.url: raw.role for raw in found}
    assert roles["http://stats.example/census"] == "wiki:cite web"
    assert roles["http://history.example/town"] == "wiki:link"
    assert roles["https://doi.org/10.1000/xyz123"] == "wiki:doi"
    texts = {raw.url: raw.text for raw in found}
    assert texts["http://stats.example/census"] == "Census"  # the nested template left out
    assert texts["http://history.example/town"] == "The town's history"
    assert texts["http://book.example/ch1"] == "Book"


def test_what_a_template_says_travels_with_its_source() -> None:
    claims = {raw.url: raw.claims for raw in extract_wikitext(PAGE)}
    census = claims["http://stats.example/census"]
    assert census is not None
    assert census.status == "dead" and census.access_date == "1 May 2020"
    assert census.archive_url == (
        "https://web.archive.org/web/20200501000000/http://stats.example/census"
    )
    assert census.quote == "The town had “4,000” inhabitants … in 2019"
    history = claims["http://history.example/town"]
    assert history is not None and history.dead_tag == "May 2021" and history.status is None
    old = claims["http://old.example/page"]  # {{webarchive}} after a bare link: dead, archived
    assert old is not None and old.status == "dead" and old.archive_date == "1 May 2019"
    news = claims["http://news.example/n"]
    assert news is not None and news.status == "live"  # deadurl=no
    usurped = claims["http://usurped.example/"]
    assert usurped is not None and usurped.unfit
    assert claims["http://bare.example/page"] is None


def test_names_and_parameters_are_read_as_cs1_reads_them() -> None:
    text = "{{ Template:cite_WEB |URL=http://a.example/ |Access-Date=2020 |ArchiveURL=http://b.example/ }}"
    (source, archive) = extract_wikitext(text)
    assert template_name(mwparserfromhell.parse(text).filter_templates()[0]) == "cite web"
    assert source.url == "http://a.example/" and archive.url == "http://b.example/"
    assert source.claims is not None and source.claims.access_date == "2020"
    assert text[source.offset :].startswith("http://a.example/")


def test_nothing_is_read_where_mediawiki_shows_no_link() -> None:
    urls = " ".join(raw.url for raw in extract_wikitext(PAGE))
    for hidden in ("pre.example", "code.example", "comment.example", "nowiki.example"):
        assert hidden not in urls


def test_a_named_ref_used_again_is_one_citation() -> None:
    census = [raw for raw in extract_wikitext(PAGE) if raw.url == "http://stats.example/census"]
    assert len(census) == 1


@pytest.mark.parametrize(
    ("quoted", "fragment"),
    [
        ("plain words here", ":~:text=plain%20words%20here"),
        ("The town had “4,000” inhabitants … in 2019", ":~:text=The%20town%20had,in%202019"),
        ("first [...] last", ":~:text=first,last"),
        ("don't stop now", ":~:text=stop%20now"),  # the page may write don’t
        ("a-b, c", ":~:text=a%2Db%2C%20c"),
        ("“”", None),
    ],
)
def test_a_quote_becomes_the_text_fragment_that_finds_it(quoted: str, fragment: str) -> None:
    assert quote_fragment(quoted) == fragment


def test_wikitext_is_recognised_by_its_content() -> None:
    assert sniff_format(PAGE) is Format.WIKITEXT
    assert sniff_format("== Notes ==\nSee [[Main Page]].\n") is Format.WIKITEXT
    # Markdown with a wiki link (Obsidian) stays Markdown; so does one citation sign alone.
    assert sniff_format("# Notes\n[[Page]] and [a](http://a.example/)\n") is Format.MARKDOWN
    assert sniff_format("see <ref> in the manual\n") is Format.TEXT


ARTICLE = b"""<!doctype html><html><head><title>Census</title></head><body>
<p>The town had 4,000 inhabitants, according to the count made in 2019.</p></body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    web = FakeWeb()
    web.pages["/census"] = (200, {"Content-Type": "text/html"}, ARTICLE)
    with serve(web) as host:
        yield host


def test_the_check_weighs_what_templates_say(tmp_path: Path, site: Host) -> None:
    census, gone = site.url("/census"), site.url("/gone")
    archived = site.url("/page")  # stands for an archived copy: alive
    page = f"""Town.<ref>{{{{cite web |url={census} |title=Census |quote=The town had “4,000”
 inhabitants … in 2019}}}}</ref> Moved.<ref>{{{{cite web |url={census}?v=2 |title=Census
 |quote=a sentence the page never had}}}}</ref>
Dead.<ref>{{{{cite web |url={gone} |title=Gone |archive-url={archived} |url-status=dead}}}}</ref>
Tagged.<ref>[{census}?v=3 Census] {{{{dead link|date=May 2021}}}}</ref>
Usurped.<ref>{{{{cite web |url={site.url("/usurped")} |title=U |url-status=usurped}}}}</ref>
"""
    (tmp_path / "page.wiki").write_text(page, encoding="utf-8")
    done = run_linkcheck(
        "page.wiki", "--format", "json", "--no-cache", "--canary", site.base, cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr  # the missing quote fails, nothing else
    results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    assert results[census]["status"] == "ok"
    (outcome,) = results[census]["fragments"]
    assert outcome["found"] is True
    assert results[f"{census}?v=2"]["status"] == "fragment_missing"
    assert results[gone]["status"] == "excluded"
    assert "marked url-status=dead, with an archived copy" in results[gone]["reason"]
    assert results[archived]["status"] == "ok"
    assert results[f"{census}?v=3"]["status"] == "ok"
    assert (
        "alive again, though marked {{dead link|date=May 2021}}"
        in (results[f"{census}?v=3"]["reason"])
    )
    usurped = results[site.url("/usurped")]
    assert usurped["status"] == "excluded" and "url-status=usurped" in usurped["reason"]
    (location,) = results[gone]["locations"]
    assert (location["file"], location["line"]) == ("page.wiki", 4)
    assert page.splitlines()[3][location["column"] - 1 :].startswith(gone)


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
  <siteinfo><sitename>Examplepedia</sitename><dbname>examplewiki</dbname></siteinfo>
  <page>
    <title>Example town</title><ns>0</ns><id>1</id>
    <revision><id>10</id><text xml:space="preserve">An old revision http://old-revision.example/</text></revision>
    <revision><id>11</id><text bytes="120" xml:space="preserve">'''Example''' is a town.&lt;ref&gt;{{cite web |url=http://stats.example/census |title=Census}}&lt;/ref&gt;

== History ==
See [http://history.example/town history] &amp; more.</text></revision>
  </page>
  <page>
    <title>Talk:Example town</title><ns>1</ns><id>2</id>
    <revision><id>20</id><text xml:space="preserve">Source? http://talk.example/ ~~~~</text></revision>
  </page>
  <page>
    <title>Empty</title><ns>0</ns><id>3</id>
    <revision><id>30</id><text xml:space="preserve" /></revision>
  </page>
</mediawiki>
"""


def extracted(tmp_path: Path, name: str) -> dict[str, object]:
    done = run_linkcheck("extract", name, "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return dict(json.loads(done.stdout))


def test_an_export_is_read_page_by_page_named_by_title(tmp_path: Path) -> None:
    (tmp_path / "export.xml").write_text(EXPORT, encoding="utf-8")
    report = extracted(tmp_path, "export.xml")
    found = [(c["file"], c["line"], c["column"], c["url"]) for c in report["citations"]]  # type: ignore[index,union-attr]
    assert found == [
        ("Example town", 1, 46, "http://stats.example/census"),
        ("Example town", 4, 6, "http://history.example/town"),
        ("Talk:Example town", 1, 9, "http://talk.example/"),
    ]
    documents = {d["file"]: d["format"] for d in report["documents"]}  # type: ignore[index,union-attr]
    assert documents == {
        "Example town": "wikitext",
        "Talk:Example town": "wikitext",
        "Empty": "wikitext",
    }


def test_a_damaged_export_keeps_the_pages_before_and_says_what_broke(tmp_path: Path) -> None:
    (tmp_path / "export.xml").write_text(EXPORT[: EXPORT.index("<title>Empty")], encoding="utf-8")
    report = extracted(tmp_path, "export.xml")
    assert [c["file"] for c in report["citations"]][-1] == "Talk:Example town"  # type: ignore[index,union-attr]
    (broken,) = [d for d in report["documents"] if d.get("problem")]  # type: ignore[union-attr,attr-defined]
    assert broken["file"] == "export.xml"
    assert "not a readable MediaWiki export" in broken["problem"]


def test_a_files_caption_cites_too() -> None:
    text = (
        "[[File:Map.png|thumb|The map<ref>{{cite web |url=http://maps.example/ |title=M}}</ref>]]"
    )
    (raw,) = extract_wikitext(text)
    assert raw.url == "http://maps.example/" and text[raw.offset :].startswith(raw.url)


def test_a_templates_title_is_compared_with_the_registered_one() -> None:
    from linkcheck.extract import iter_citations
    from linkcheck.registries import cited_titles

    text = "{{cite journal |doi=10.1000/xyz |title=Short}} [https://doi.org/10.1000/abc doi]"
    doi, link = iter_citations(text, "page.wiki", Format.WIKITEXT, None)
    assert cited_titles([doi]) == ("Short",)  # a template's title, however short
    assert cited_titles([link]) == ()  # a bracketed link's text is no title


def _fix(url: str, beside: str, copy: str = "https://web.archive.org/web/2024/x") -> Fix:
    return Fix(
        Location("p.wiki", 1, 1, ""), url, copy, "", version_date="2024-05-03", beside=beside
    )


def _annotated(text: str, url: str, beside: str) -> str:
    placed = annotate(text, text.index(url), _fix(url, beside))
    if isinstance(placed, str):
        return placed
    start, end, replacement = placed
    return text[:start] + replacement + text[end:]


def test_an_archived_copy_is_dated_as_the_template_dates() -> None:
    mdy = "{{cite web|url=http://a.example/|access-date=May 1, 2020}}"
    assert _annotated(mdy, "http://a.example/", "dead") == (
        "{{cite web|url=http://a.example/|access-date=May 1, 2020"
        "|archive-url=https://web.archive.org/web/2024/x|archive-date=May 3, 2024"
        "|url-status=dead}}"
    )
    iso = "{{cite web |url=http://a.example/ |title=T }}"
    assert _annotated(iso, "http://a.example/", "live") == (
        "{{cite web |url=http://a.example/ |title=T |archive-url=https://web.archive.org/web/2024/x"
        " |archive-date=2024-05-03 |url-status=live }}"
    )


def test_what_is_already_written_is_not_written_again() -> None:
    archived = "{{cite web |url=http://a.example/ |archiveurl=http://b.example/}}"
    assert _annotated(archived, "http://a.example/", "dead") == (
        "its template already has an archive-url"
    )
    tagged = "{{cite web |url=http://a.example/}} {{Dead link|date=May 2021}}"
    assert _annotated(tagged, "http://a.example/", "unarchived") == "already tagged {{dead link}}"
    bare = "[http://a.example/ A] {{webarchive |url=http://b.example/}}"
    assert _annotated(bare, "http://a.example/", "dead") == "already followed by {{webarchive}}"
    live = "[http://a.example/ A]"
    assert "left as it is" in _annotated(live, "http://a.example/", "live")


def test_an_existing_status_is_changed_in_place() -> None:
    text = "{{cite web | url = http://a.example/ | url-status = live | title = T}}"
    assert _annotated(text, "http://a.example/", "dead") == (
        "{{cite web | url = http://a.example/ | url-status = dead | title = T"
        " | archive-url = https://web.archive.org/web/2024/x | archive-date = 2024-05-03}}"
    )


@pytest.mark.parametrize(
    ("access", "archive", "day"),
    [
        ("1 May 2020", None, date(2020, 5, 1)),
        ("May 1, 2020", None, date(2020, 5, 1)),
        ("2020-05-01", None, date(2020, 5, 1)),
        ("May 2020", None, date(2020, 5, 1)),
        (None, "3 Jun 2019", date(2019, 6, 3)),
        ("someday", None, None),
    ],
)
def test_the_day_a_source_was_read_is_read_as_cs1_writes_it(
    access: str | None, archive: str | None, day: date | None
) -> None:
    assert Claims(access_date=access, archive_date=archive).read_on == day


def test_a_link_that_is_another_templates_parameter_is_not_written_into() -> None:
    text = "{{Internetquelle |url=http://a.example/ |titel=A}}"
    assert "no citation template" in _annotated(text, "http://a.example/", "dead")
    prose = "{{refn|See [http://a.example/ A] here.}}"  # a link in a note's text gains its copy
    assert _annotated(prose, "http://a.example/", "dead") == (
        "{{refn|See [http://a.example/ A] {{webarchive |url=https://web.archive.org/web/2024/x"
        " |date=2024-05-03}} here.}}"
    )


def test_a_source_alive_again_is_marked_live_and_untagged() -> None:
    link = "See [http://a.example/ A] {{dead link|date=May 2021}}."
    assert _annotated(link, "http://a.example/", "revived") == "See [http://a.example/ A]."
    cite = "{{cite web |url=http://a.example/ |url-status=dead |archive-url=http://b.example/}}"
    assert _annotated(cite, "http://a.example/", "revived") == (
        "{{cite web |url=http://a.example/ |url-status=live |archive-url=http://b.example/}}"
    )
    old = "{{cite web|url=http://a.example/|deadurl=yes}}{{Dead_link|date=May 2021}}</ref>"
    assert _annotated(old, "http://a.example/", "revived") == (
        "{{cite web|url=http://a.example/|deadurl=no}}</ref>"
    )
    plain = "{{cite web |url=http://a.example/}}"
    assert "to undo" in _annotated(plain, "http://a.example/", "revived")


def test_extract_says_what_a_template_says(tmp_path: Path) -> None:
    (tmp_path / "page.wiki").write_text(
        "{{cite web |url=http://a.example/ |title=A |access-date=1 May 2020 |quote=Some words}}"
        " {{dead link|date=May 2021}}\n",
        encoding="utf-8",
    )
    report = extracted(tmp_path, "page.wiki")
    (citation,) = report["citations"]  # type: ignore[misc]
    assert citation["role"] == "wiki:cite web"
    assert citation["claims"] == {
        "quote": "Some words", "access_date": "1 May 2020", "dead_link": "May 2021",
    }  # fmt: skip


def test_a_citation_in_a_heading_is_found_to_be_fixed() -> None:
    text = "== History<ref>{{cite web |url=http://a.example/}}</ref> ==\n"
    assert _annotated(text, "http://a.example/", "unarchived").startswith(
        "== History<ref>{{cite web |url=http://a.example/}}{{dead link|date="
    )
