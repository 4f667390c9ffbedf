"""The registries with respx (no sockets) and a fake clock: doi.org, Crossref, DataCite and the
arXiv API as they answer, what a verdict makes of it, and what is asked again (nothing cached)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fakeweb import refused_port

from helpers import FakeClock
from linkcheck.config import CheckConfig
from linkcheck.model import FetchResult, Status, UrlKind, Work
from linkcheck.net.politeness import Lane
from linkcheck.registries import CitedIdentifier, IdentifierVerdict, check_identifiers
from linkcheck.registries.arxiv import read_feed
from linkcheck.registries.crossref import adapt_to, work_of
from linkcheck.registries.datacite import work_of as datacite_work

DOI = "https://doi.org"
CROSSREF = "https://api.crossref.org"
DATACITE = "https://api.datacite.org"
ARXIV = "https://export.arxiv.org/api/query"
RECORDED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "scholarly"


def crossref_work(doi: str, title: str, year: int = 2019, **more: Any) -> dict[str, Any]:
    message = {"DOI": doi.lower(), "title": [title], "issued": {"date-parts": [[year, 5]]}}
    return {
        "status": "ok",
        "message-type": "work",
        "message-version": "1.0.0",
        "message": {**message, **more},
    }


def update(kind: str, notice: str, year: int, source: str = "publisher") -> dict[str, Any]:
    return {
        "DOI": notice,
        "type": kind,
        "label": kind.title(),
        "source": source,
        "updated": {"date-parts": [[year, 2, 6]]},
    }


def registered(doi: str, agency: str = "Crossref") -> None:
    respx.get(f"{DOI}/{doi}").mock(
        return_value=httpx.Response(302, headers={"Location": "https://publisher.example/a"})
    )
    prefix = doi.split("/")[0]
    respx.get(f"{DOI}/ra/{prefix}").mock(
        return_value=httpx.Response(200, json=[{"DOI": prefix, "RA": agency}])
    )


def check(
    *items: CitedIdentifier, clock: FakeClock | None = None, **config: Any
) -> dict[str, IdentifierVerdict]:
    """The verdicts, by identifier key."""
    settings = CheckConfig(retries=2, **config)
    verdicts = check_identifiers(settings, list(items), sleep=(clock or FakeClock()).sleep)
    return {item.key: verdict for item, verdict in zip(items, verdicts, strict=True)}


def doi(identifier: str, *titles: str) -> CitedIdentifier:
    return CitedIdentifier(UrlKind.DOI, identifier.lower(), titles)


@respx.mock
def test_a_registered_doi_is_ok_without_its_publisher_being_asked() -> None:
    registered("10.1038/nphys1170")
    respx.get(f"{CROSSREF}/works/10.1038/nphys1170").mock(
        return_value=httpx.Response(200, json=crossref_work("10.1038/nphys1170", "Measured"))
    )
    publisher = respx.get("https://publisher.example/a")
    cited = doi("10.1038/nphys1170", "A Survey of Graph Neural Networks")
    verdict = check(cited)["doi:10.1038/nphys1170"]
    assert verdict.status is Status.MISMATCH
    assert verdict.reason == (
        "the DOI is registered to 'Measured' (2019), not 'A Survey of Graph Neural Networks'"
    )
    verdict = check(doi("10.1038/nphys1170"))["doi:10.1038/nphys1170"]
    assert (verdict.status, verdict.existence.final_url) == (
        Status.OK,
        "https://publisher.example/a",
    )
    assert verdict.work is not None and verdict.work.titles == ("Measured",)
    assert "registered to 'Measured' (2019)" in verdict.reason
    assert not publisher.called


@respx.mock
def test_an_unregistered_doi_is_asked_twice_then_broken_and_needs_no_metadata() -> None:
    route = respx.get(f"{DOI}/10.1000/nothere").mock(return_value=httpx.Response(404))
    verdict = check(doi("10.1000/nothere"))["doi:10.1000/nothere"]
    assert (verdict.status, route.call_count) == (Status.BROKEN, 2)
    assert verdict.reason == "DOI not registered (doi.org: DOI Not Found, asked twice)"


@respx.mock
def test_a_doi_the_resolver_did_not_know_yet_is_registered_when_asked_again() -> None:
    respx.get(f"{DOI}/10.1000/new").mock(
        side_effect=[httpx.Response(404), httpx.Response(302, headers={"Location": "https://p/"})]
    )
    respx.get(f"{DOI}/ra/10.1000").mock(
        return_value=httpx.Response(200, json=[{"DOI": "10.1000", "RA": "mEDRA"}])
    )
    verdict = check(doi("10.1000/new"))["doi:10.1000/new"]
    assert verdict.status is Status.OK
    assert verdict.work == Work("doi", "10.1000/new", "medra")  # no metadata read for mEDRA


@respx.mock
def test_not_a_doi_is_invalid() -> None:
    respx.get(f"{DOI}/10.1000").mock(return_value=httpx.Response(400))
    assert check(doi("10.1000"))["doi:10.1000"].status is Status.INVALID


@respx.mock
def test_429_then_an_answer_waits_as_asked_and_503_throughout_is_unknown_never_broken() -> None:
    respx.get(f"{DOI}/10.1000/a").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(302, headers={"Location": "https://p/"}),
        ]
    )
    respx.get(f"{DOI}/ra/10.1000").mock(
        return_value=httpx.Response(200, json=[{"DOI": "10.1000", "RA": "JaLC"}])
    )
    respx.get(f"{DOI}/10.1000/b").mock(return_value=httpx.Response(503))
    clock = FakeClock()
    verdicts = check(doi("10.1000/a"), doi("10.1000/b"), clock=clock)
    assert verdicts["doi:10.1000/a"].status is Status.OK
    assert any(seconds >= 7 for seconds in clock.sleeps)
    assert verdicts["doi:10.1000/b"].status is Status.ERROR
    assert "HTTP 503" in verdicts["doi:10.1000/b"].reason


@respx.mock
def test_a_registry_that_refuses_us_or_answers_garbage_leaves_the_record_unknown() -> None:
    registered("10.1000/c")
    respx.get(f"{DOI}/ra/10.1000").mock(
        return_value=httpx.Response(200, text="<html>Just a moment...</html>")
    )
    verdict = check(doi("10.1000/c", "Any Title That Is Long"))["doi:10.1000/c"]
    assert verdict.status is Status.OK and verdict.work is None
    assert "its record could not be read" in verdict.reason
    respx.get(f"{DOI}/10.1000/d").mock(return_value=httpx.Response(403))
    assert check(doi("10.1000/d"))["doi:10.1000/d"].status is Status.ERROR


def test_a_registry_out_of_reach_is_offline_when_the_network_is() -> None:
    port = refused_port()
    verdict = check(
        doi("10.1000/e"), doi_url=f"http://127.0.0.1:{port}", canary=f"http://127.0.0.1:{port}/"
    )["doi:10.1000/e"]
    assert verdict.status is Status.OFFLINE


@respx.mock
def test_retractions_corrections_and_concerns_from_updated_by() -> None:
    wakefield = "10.1016/s0140-6736(97)11096-0"
    registered(wakefield)
    respx.get(f"{CROSSREF}/works/{wakefield}").mock(
        return_value=httpx.Response(
            200,
            json=crossref_work(
                wakefield,
                "RETRACTED: Ileal-lymphoid-nodular hyperplasia",
                1998,
                **{
                    "updated-by": [
                        update("correction", "10.1016/c", 2004, "retraction-watch"),
                        update("retraction", "10.1016/r", 2010, "retraction-watch"),
                    ]
                },
            ),
        )
    )
    concern = "10.1016/concern"
    respx.get(f"{DOI}/{concern}").mock(return_value=httpx.Response(302, headers={"Location": "x"}))
    respx.get(f"{CROSSREF}/works/{concern}").mock(
        return_value=httpx.Response(
            200,
            json=crossref_work(
                concern,
                "Worrying",
                **{
                    "updated-by": [
                        update("expression_of_concern", "10.1016/n", 2020),
                        update("new_edition", "10.1016/e", 2021),
                    ]
                },
            ),
        )
    )
    itself = "10.1016/itself"
    respx.get(f"{DOI}/{itself}").mock(return_value=httpx.Response(302, headers={"Location": "x"}))
    respx.get(f"{CROSSREF}/works/{itself}").mock(
        return_value=httpx.Response(
            200,
            json=crossref_work(
                itself, "Versioned", **{"updated-by": [update("new_version", itself, 2020)]}
            ),
        )
    )
    verdicts = check(
        doi(wakefield, "Ileal-lymphoid-nodular hyperplasia"), doi(concern), doi(itself)
    )
    retracted = verdicts[f"doi:{wakefield}"]
    assert retracted.status is Status.RETRACTED
    assert retracted.reason.startswith(
        "retraction (2010-02-06, notice 10.1016/r, from Retraction Watch)"
    )
    worrying = verdicts[f"doi:{concern}"]
    assert worrying.status is Status.OK
    assert "expression of concern (2020-02-06, notice 10.1016/n)" in worrying.reason
    assert "updated: new edition (2021-02-06, notice 10.1016/e) (review it)" in worrying.reason
    versioned = verdicts[f"doi:{itself}"]
    assert versioned.status is Status.OK and versioned.work is not None
    assert versioned.work.updates == ()


@respx.mock
def test_crossref_gets_the_mailto_and_its_announced_limits_pace_the_lane() -> None:
    registered("10.1000/f")
    route = respx.get(f"{CROSSREF}/works/10.1000/f").mock(
        return_value=httpx.Response(
            200, json=crossref_work("10.1000/f", "T"), headers={"x-rate-limit-limit": "10"}
        )
    )
    check(doi("10.1000/f"), mailto="me@example.org")
    request = route.calls.last.request
    assert request.url.params["mailto"] == "me@example.org"
    assert "mailto:me@example.org" in request.headers["User-Agent"]
    lane = Lane(5.0, 1)
    headers = {
        "x-rate-limit-limit": "50, 50",
        "x-rate-limit-interval": "1s",
        "x-concurrency-limit": "3, 5",
    }
    adapt_to(lane, httpx.Response(200, headers=headers))
    assert (round(lane.rate, 1), lane.concurrency) == (48.5, 3)  # the smaller, a little under


@respx.mock
def test_datacite_dois_are_asked_in_one_request() -> None:
    dois = [f"10.5061/dryad.{n}" for n in range(3)]
    for name in dois:
        registered(name, "DataCite")
    records = [
        {
            "id": d,
            "type": "dois",
            "attributes": {"doi": d, "titles": [{"title": f"Data {d}"}], "publicationYear": 2020},
        }
        for d in dois[:2]
    ]
    route = respx.get(f"{DATACITE}/dois").mock(
        return_value=httpx.Response(200, json={"data": records})
    )
    verdicts = check(*(doi(d) for d in dois))
    assert route.call_count == 1
    assert set(route.calls.last.request.url.params["ids"].split(",")) == set(dois)
    assert verdicts["doi:10.5061/dryad.0"].work == Work(
        "doi", "10.5061/dryad.0", "datacite", ("Data 10.5061/dryad.0",), 2020
    )
    # Registered (doi.org said so) but not in DataCite's answer: no titles to compare.
    assert verdicts["doi:10.5061/dryad.2"].work == Work("doi", "10.5061/dryad.2", "datacite")


FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/hep-th/9901001v2</id><title>Old
  style</title><published>1999-01-01T00:00:00Z</published></entry>
<entry><id>http://arxiv.org/abs/2104.12255v1</id><title>0</title>
<published>2021-04-25T00:00:00Z</published></entry>
<entry><id>http://arxiv.org/abs/2101.00001v3</id><title>Withdrawn Work</title>
<published>2021-01-01T00:00:00Z</published>
<arxiv:comment>This paper has been withdrawn by the authors due to an error</arxiv:comment></entry>
</feed>"""


@respx.mock
def test_arxiv_ids_in_one_request_mapped_back_whatever_the_order() -> None:
    route = respx.get(ARXIV).mock(return_value=httpx.Response(200, text=FEED))
    papers = ["hep-th/9901001v1", "2104.12255", "2101.00001", "2101.00002", "2104.12255v3"]
    verdicts = check(*(CitedIdentifier(UrlKind.ARXIV, p, ()) for p in papers))
    assert route.call_count == 1
    assert route.calls.last.request.url.params["id_list"] == (
        "hep-th/9901001,2104.12255,2101.00001,2101.00002"
    )
    assert verdicts["arxiv:hep-th/9901001v1"].status is Status.OK
    zero = verdicts["arxiv:2104.12255"]
    assert zero.status is Status.OK and zero.work is not None and zero.work.titles == ("0",)
    assert verdicts["arxiv:2101.00001"].status is Status.RETRACTED
    assert verdicts["arxiv:2101.00002"].reason == "arXiv has no paper 2101.00002"
    assert verdicts["arxiv:2104.12255v3"].reason == (
        "arXiv has no version 3 of 2104.12255 (the latest is v1)"
    )


def test_an_error_entry_is_a_malformed_id_and_rate_exceeded_is_no_feed() -> None:
    error = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>"
        "</entry></feed>"
    )
    assert read_feed(error.encode()).malformed == {"abc"}
    with pytest.raises(ValueError):
        read_feed(b"Rate exceeded.")


class Remembering:
    """The cache's two stores, in memory."""

    def __init__(self) -> None:
        self.results: dict[str, FetchResult] = {}
        self.works: dict[str, Work] = {}
        self.agencies: dict[str, str | None] = {}

    def fresh_many(
        self, requests: Any, max_age: float, cache_failures: bool
    ) -> dict[str, FetchResult]:
        return {
            k: v
            for k, v in self.results.items()
            if k in requests and (cache_failures or v.status is Status.OK)
        }

    def failures(self, url: str) -> int:
        return self.results[url].failures if url in self.results else 0

    def put(self, url: str, result: FetchResult) -> None:
        self.results[url] = result

    def work(self, key: str, max_age: float) -> Work | None:
        return self.works.get(key)

    def put_work(self, key: str, work: Work) -> None:
        self.works[key] = work

    def agency(self, prefix: str, max_age: float) -> tuple[str | None] | None:
        return (self.agencies[prefix],) if prefix in self.agencies else None

    def put_agency(self, prefix: str, agency: str | None) -> None:
        self.agencies[prefix] = agency


@respx.mock
def test_a_rerun_asks_nothing_and_a_prefix_is_asked_its_agency_once() -> None:
    for name in ("10.1000/g", "10.1000/h"):
        registered(name)
        respx.get(f"{CROSSREF}/works/{name}").mock(
            return_value=httpx.Response(200, json=crossref_work(name, "A Work"))
        )
    respx.get(ARXIV).mock(return_value=httpx.Response(200, text=FEED))
    store = Remembering()
    items = [doi("10.1000/g"), doi("10.1000/h"), CitedIdentifier(UrlKind.ARXIV, "2104.12255", ())]
    first = check_identifiers(CheckConfig(), items, store, store, sleep=FakeClock().sleep)
    assert respx.get(f"{DOI}/ra/10.1000").call_count == 1
    asked = len(respx.calls)
    again = check_identifiers(CheckConfig(), items, store, store, sleep=FakeClock().sleep)
    assert len(respx.calls) == asked
    assert [v.status for v in again] == [v.status for v in first]


def test_a_cited_title_is_compared_as_people_write_it() -> None:
    from linkcheck.registries.titles import is_a_title, mismatched

    title = (
        "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
        "developmental disorder in children"
    )
    same = [
        "ileal lymphoid nodular hyperplasia, non-specific colitis and pervasive developmental "
        "disorder in children",
        "Ileal-Lymphoid-Nodular Hyperplasia, Non-Specific Colitis, and Pervasive Developmental "
        "Disorder in Children.",
        "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental",
    ]
    assert not any(mismatched(cited, (title,)) for cited in same)
    assert not mismatched(
        r"The {$\alpha$}-helix in Schr\"odinger's equation",
        ("The α-helix in Schrödinger’s equation",),
    )
    assert not mismatched("Deep learning &amp; its critics", ("Deep Learning & its Critics",))
    assert mismatched("Attention Is All You Need", (title,))
    assert mismatched("A survey of graph neural networks", ("Deep residual learning",))
    for label in (
        "here",
        "[12]",
        "doi:10.1000/1",
        "https://doi.org/10.1/x",
        "Vaswani et al.",
        "Smith and Jones 2019",
        "the paper",
        "PDF",
        "the original transformer paper",
        "see our study of graph networks here",
        "this great preprint about cats and dogs",
    ):
        assert not is_a_title(label), label
    assert is_a_title("Attention Is All You Need")  # Title Case
    assert is_a_title("Deep residual learning for image recognition")  # six words, no pointing
    assert is_a_title("BERT: Pre-training of Deep Bidirectional Transformers")
    assert not is_a_title("Attention is all you need")  # five words in sentence case: unsure


def recorded(name: str) -> Any:
    path = RECORDED / name
    if not path.exists():
        pytest.skip("the recorded registry answers (../shared/corpora/scholarly) are not here")
    return json.loads(path.read_text(encoding="utf-8"))


def test_recorded_crossref_and_datacite_answers_read_as_their_registries_meant() -> None:
    bodies = recorded("recorded_bodies.json")
    plos = json.loads(bodies["crossref_works_pone.0033693"]["body"])["message"]
    work = work_of(plos, "10.1371/journal.pone.0033693")
    assert work.title is not None and work.title.startswith("Methylphenidate Exposure")
    assert [u.kind for u in work.updates] == ["correction"] and work.retraction is None
    itself = json.loads(bodies["crossref_works_ppat.1008184"]["body"])["message"]
    assert work_of(itself, "10.1371/journal.ppat.1008184").updates == ()
    wakefield = recorded("recorded/crossref_works_200_retracted_wakefield1998.json")["body"]
    wakefield = json.loads(wakefield) if isinstance(wakefield, str) else wakefield
    retracted = work_of(wakefield["message"], "10.1016/S0140-6736(97)11096-0")
    assert retracted.retraction is not None and retracted.retraction.date == "2010-02-06"
    assert retracted.year == 1998
    figshare = json.loads(bodies["datacite_dois_figshare.1449060"]["body"])["data"]
    data = datacite_work(figshare)
    assert data is not None and data.agency == "datacite" and data.titles and data.year
    agency = json.loads(bodies["doiorg_ra_10.1371"]["body"])
    assert agency == [{"DOI": "10.1371", "RA": "Crossref"}]


@pytest.mark.parametrize(
    ("name", "found", "malformed"),
    [
        ("arxiv_api_200_1605.08386.json", {"1605.08386"}, set()),
        ("arxiv_api_200_empty_0000.0000.json", set(), set()),
        ("arxiv_api_200_multi_one_missing.json", {"1707.08567"}, set()),
        ("arxiv_api_200_oldstyle_quant-ph_0201082v1.json", {"quant-ph/0201082"}, set()),
        ("arxiv_api_200_title_zero_2104.12255v1.json", {"2104.12255"}, set()),
        ("arxiv_api_400_malformed_abc.json", set(), {"abc"}),
    ],
)
def test_recorded_arxiv_answers_read_as_arxiv_meant(
    name: str, found: set[str], malformed: set[str]
) -> None:
    answer = recorded(f"recorded/{name}")
    feed = read_feed(answer["body"].encode("latin-1"))
    assert (set(feed.papers), feed.malformed) == (found, malformed)
    if "title_zero" in name:
        assert feed.papers["2104.12255"].titles == ("0",)


@respx.mock
def test_one_doi_cited_under_two_titles_is_asked_once_and_judged_for_each() -> None:
    registered("10.1000/twice")
    respx.get(f"{CROSSREF}/works/10.1000/twice").mock(
        return_value=httpx.Response(200, json=crossref_work("10.1000/twice", "Cats on Keyboards"))
    )
    right = doi("10.1000/twice", "Cats on Keyboards")
    wrong = doi("10.1000/twice", "Dogs in the Garden Shed")
    verdicts = check_identifiers(CheckConfig(), [right, wrong], sleep=FakeClock().sleep)
    assert [v.status for v in verdicts] == [Status.OK, Status.MISMATCH]
    assert respx.get(f"{DOI}/10.1000/twice").call_count == 1


def test_a_fault_of_ours_in_the_registries_is_the_identifiers_verdict_not_the_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import linkcheck.registries
    from linkcheck.check.runner import Checker
    from linkcheck.model import Citation

    def broken(*args: object, **kwargs: object) -> list[IdentifierVerdict]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(linkcheck.registries, "check_identifiers", broken)
    citation = Citation("https://doi.org/10.1000/x", "a.md", 1, 1, "", "link", UrlKind.DOI,
                        identifier="10.1000/x")  # fmt: skip
    checker = Checker(CheckConfig(no_cache=True))
    (result,) = checker.check(checker.plan([citation]))
    assert (result.status, result.reason) == (Status.ERROR, "unexpected error: a bug")


def test_an_interruption_while_the_registries_are_asked_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import linkcheck.registries
    from linkcheck.check.runner import Checker
    from linkcheck.model import Citation

    def interrupted(*args: object, **kwargs: object) -> list[IdentifierVerdict]:
        raise KeyboardInterrupt

    monkeypatch.setattr(linkcheck.registries, "check_identifiers", interrupted)
    citation = Citation("https://doi.org/10.1000/x", "a.md", 1, 1, "", "link", UrlKind.DOI,
                        identifier="10.1000/x")  # fmt: skip
    checker = Checker(CheckConfig(no_cache=True))
    (result,) = checker.check(checker.plan([citation]))
    assert checker.interrupted and result.status is Status.SKIPPED
