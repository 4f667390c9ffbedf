"""Scholarly identifiers end to end: the real command line against fake registries (doi.org,
Crossref, DataCite, arXiv) and a fake publisher, all on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeregistries import Endpoints, FakeRegistries, Fault, Paper, RegisteredWork, serve_registries
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

RETRACTION_WATCH = "retraction-watch"


def notice(kind: str, doi: str, year: int, source: str = "publisher") -> dict[str, object]:
    return {"DOI": doi, "type": kind, "label": kind, "source": source,
            "updated": {"date-parts": [[year, 2, 6]]}}  # fmt: skip


@pytest.fixture
def world() -> Iterator[tuple[FakeRegistries, Endpoints, Host, FakeWeb]]:
    web = FakeWeb()
    web.pages["/article"] = (200, {}, b"<html><body><p>The quick brown fox.</p></body></html>")
    state = FakeRegistries()
    with serve(web) as publisher, serve_registries(state) as endpoints:
        article, walled = publisher.url("/article"), publisher.url("/status/403")
        state.add(
            RegisteredWork(
                "10.1038/nphys1170", "crossref", "Measured Measurement", 2009, url=article
            )
        )
        state.add(RegisteredWork("10.1162/tacl_a_00276", "crossref", "Escaped Things", 2019))
        state.add(
            RegisteredWork(
                "10.1145/3173574.3173595", "crossref", "Deep Learning for Pictures of Cats", 2018
            )
        )
        state.add(
            RegisteredWork(
                "10.1016/S0140-6736(97)11096-0",
                "crossref",
                "RETRACTED: Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
                "pervasive developmental disorder in children",
                1998,
                updated_by=[
                    notice("correction", "10.1016/s0140-6736(04)15715-2", 2004, RETRACTION_WATCH),
                    notice("retraction", "10.1016/s0140-6736(10)60175-4", 2010, RETRACTION_WATCH),
                ],
            )
        )
        state.add(
            RegisteredWork(
                "10.1371/journal.pone.0033693",
                "crossref",
                "A Worrying Study",
                2012,
                updated_by=[notice("expression_of_concern", "10.1371/annotation/1", 2020)],
            )
        )
        state.add(RegisteredWork("10.5061/dryad.abc", "datacite", "Data from: Feathers", 2019))
        state.add(RegisteredWork("10.9999/walled", "crossref", "Behind a Wall", 2020, url=walled))
        state.add_paper(Paper("1706.03762", "Attention Is All You Need", versions=7, year=2017))
        state.add_paper(Paper("hep-th/9901001", "Strings in Old Style", versions=2, year=1999))
        yield state, endpoints, publisher, web


DOCUMENT = """# Sources

- [Measured Measurement](https://doi.org/10.1038/nphys1170)
- doi:10.1038/NOTHERE
- [A Survey of Graph Neural Networks](http://dx.doi.org/10.1145/3173574.3173595)
- The MMR paper, DOI 10.1016/S0140-6736(97)11096-0.
- [A Worrying Study](https://doi.org/10.1371/journal.pone.0033693)
- [Data from: Feathers](https://doi.org/10.5061/dryad.abc)
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762v5), arXiv:hep-th/9901001,
  arXiv:1706.03762v9 and arXiv:2101.00001.
"""
BIBLIOGRAPHY = """@article{escaped,
  title = {Escaped Things},
  doi = {10.1162/tacl\\_a\\_00276},
}
"""


def check(endpoints: Endpoints, folder: Path, *more: str) -> tuple[int, dict[str, dict]]:
    done = run_linkcheck(
        "check", ".", "--format", "json", "--cache-file", "cache.db", "--mailto", "me@example.org",
        "--canary", endpoints.doi, *endpoints.options(), *more, cwd=folder,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, {r["url"]: r for r in json.loads(done.stdout)["results"]}


def test_every_kind_of_identifier_gets_its_registry_verdict(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    state, endpoints, _, web = world
    (tmp_path / "sources.md").write_text(DOCUMENT)
    (tmp_path / "refs.bib").write_text(BIBLIOGRAPHY)
    code, results = check(endpoints, tmp_path)
    verdicts = {url: (r["status"], r["reason"]) for url, r in results.items()}
    assert code == 1  # the retracted work and the unregistered DOI fail the run
    assert verdicts["https://doi.org/10.1038/nphys1170"][0] == "ok"
    assert verdicts["https://doi.org/10.1038/NOTHERE"] == (
        "broken",
        "DOI not registered (doi.org: DOI Not Found, asked twice)",
    )
    assert verdicts["http://dx.doi.org/10.1145/3173574.3173595"] == (
        "mismatch",
        "the DOI is registered to 'Deep Learning for Pictures of Cats' (2018), "
        "not 'A Survey of Graph Neural Networks'",
    )
    status, reason = verdicts["https://doi.org/10.1016/S0140-6736(97)11096-0"]
    assert status == "retracted"
    assert reason.startswith(
        "retraction (2010-02-06, notice 10.1016/s0140-6736(10)60175-4, from Retraction Watch)"
    )
    status, reason = verdicts["https://doi.org/10.1371/journal.pone.0033693"]
    assert status == "ok" and "expression of concern (2020-02-06" in reason
    assert verdicts["https://doi.org/10.5061/dryad.abc"][0] == "ok"
    assert "the cited title matches" in verdicts["https://doi.org/10.5061/dryad.abc"][1]
    assert verdicts["https://arxiv.org/abs/1706.03762v5"][0] == "ok"
    assert verdicts["https://arxiv.org/abs/hep-th/9901001"][0] == "ok"
    assert verdicts["https://arxiv.org/abs/1706.03762v9"] == (
        "broken",
        "arXiv has no version 9 of 1706.03762 (the latest is v7)",
    )
    assert verdicts["https://arxiv.org/abs/2101.00001"] == (
        "broken",
        "arXiv has no paper 2101.00001",
    )
    status, reason = verdicts["https://doi.org/10.1162/tacl_a_00276"]
    assert status == "ok" and "a DOI written with LaTeX escapes" in reason
    retracted = results["https://doi.org/10.1016/S0140-6736(97)11096-0"]["work"]
    assert retracted["agency"] == "crossref" and retracted["year"] == 1998
    assert [u["type"] for u in retracted["updates"]] == ["correction", "retraction"]
    assert results["https://arxiv.org/abs/1706.03762v5"]["work"]["versions"] == 7
    assert web.hits["/article"] == 0  # a DOI is judged by its registry, not its publisher
    assert state.count("arxiv") == 1  # every arXiv id in one request
    assert state.count("datacite") == 1
    assert not state.rate_limited  # paced within the announced limits


def test_mismatch_fails_only_when_asked_and_a_rerun_asks_nothing(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    state, endpoints, _, _ = world
    (tmp_path / "doc.md").write_text(
        "[A Survey of Graph Neural Networks](https://doi.org/10.1145/3173574.3173595) and "
        "[Attention Is All You Need](https://arxiv.org/abs/1706.03762).\n"
    )
    code, results = check(endpoints, tmp_path)
    assert code == 0 and results["https://doi.org/10.1145/3173574.3173595"]["status"] == "mismatch"
    asked = len(state.requests)
    assert asked >= 4  # doi.org, its agency lookup, Crossref, arXiv
    code, again = check(endpoints, tmp_path, "--fail-on", "mismatch")
    assert code == 1
    assert len(state.requests) == asked  # existence, metadata and agency all from the cache
    assert again["https://arxiv.org/abs/1706.03762"]["cached"] is True


def test_a_registry_that_answers_429_is_waited_for_and_a_publisher_403_is_blocked(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    state, endpoints, _, web = world
    state.faults.append(Fault("crossref", "/works/", 429, headers={"Retry-After": "1"}))
    (tmp_path / "doc.md").write_text(
        "[Measured Measurement](https://doi.org/10.1038/nphys1170) and "
        "[Behind a Wall](https://doi.org/10.9999/walled)\n"
    )
    code, results = check(endpoints, tmp_path, "--no-cache", "--follow-doi")
    assert code == 0
    measured = results["https://doi.org/10.1038/nphys1170"]
    assert measured["status"] == "ok" and measured["work"]["titles"] == ["Measured Measurement"]
    walled = results["https://doi.org/10.9999/walled"]
    assert walled["status"] == "blocked"  # the publisher's wall says nothing about the DOI
    assert walled["reason"].startswith("registered to 'Behind a Wall' (2020)")
    assert web.hits["/article"] == 1  # --follow-doi fetched the landing page
    assert state.faults[0].count == 0  # the 429 was answered, and waited out


def test_a_doi_cited_with_a_text_fragment_has_its_page_read(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    _, endpoints, _, web = world
    (tmp_path / "doc.md").write_text(
        "[Measured Measurement](https://doi.org/10.1038/nphys1170#:~:text=quick%20brown%20fox) "
        "and [again](https://doi.org/10.1038/nphys1170#:~:text=lazy%20cat)\n"
    )
    code, results = check(endpoints, tmp_path, "--no-cache")
    found = results["https://doi.org/10.1038/nphys1170#:~:text=quick%20brown%20fox"]
    missing = results["https://doi.org/10.1038/nphys1170#:~:text=lazy%20cat"]
    assert (found["status"], missing["status"], code) == ("ok", "fragment_missing", 1)
    assert missing["work"]["titles"] == ["Measured Measurement"]
    assert web.hits["/article"] == 1  # one fetch of the landing page serves both


def test_offline_and_an_unreachable_network_say_so_once(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    state, _, _, _ = world
    (tmp_path / "doc.md").write_text("doi:10.1038/nphys1170 and arXiv:1706.03762\n")
    skipped = run_linkcheck("check", "doc.md", "--offline", "--format", "json", cwd=tmp_path)
    statuses = [r["status"] for r in json.loads(skipped.stdout)["results"]]
    assert (skipped.returncode, statuses, state.requests) == (0, ["skipped", "skipped"], [])
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    done = run_linkcheck(
        "check", "doc.md", "--no-cache", "--canary", dead, "--doi-url", dead, "--arxiv-url",
        dead, "--retries", "0", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "network" in done.stdout.lower() and "broken" not in done.stdout


def test_fix_writes_a_dx_doi_org_link_the_way_the_doi_foundation_asks(
    tmp_path: Path, world: tuple[FakeRegistries, Endpoints, Host, FakeWeb]
) -> None:
    _, endpoints, _, _ = world
    doc = tmp_path / "doc.md"
    doc.write_text("[Measured Measurement](http://dx.doi.org/10.1038/nphys1170)\n")
    done = run_linkcheck(
        "fix", "doc.md", "--write", "--no-cache", "--canary", endpoints.doi, *endpoints.options(),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert doc.read_text() == "[Measured Measurement](https://doi.org/10.1038/nphys1170)\n"


def test_extract_lists_identifiers_with_their_kind(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("See doi:10.1038/NPHYS1170 and arXiv:math.GT/0309136.\n")
    done = run_linkcheck("extract", "doc.md", "--format", "json", cwd=tmp_path)
    citations = json.loads(done.stdout)["citations"]
    assert [(c["kind"], c["identifier"], c["url"]) for c in citations] == [
        ("doi", "10.1038/nphys1170", "https://doi.org/10.1038/NPHYS1170"),
        ("arxiv", "math/0309136", "https://arxiv.org/abs/math/0309136"),
    ]
