"""`fix`'s decisions, fast: which citations are rewritten, to what, and which are left and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from linkcheck.fix import apply_fixes, plan_fixes, unified_diff, verified_copies
from linkcheck.model import FetchResult, Fix, Format, Location, Result, Status

WAYBACK = "https://web.archive.org"
HERE = Location("doc.md", 3, 8, "a source")


class Store:
    """What `linkcheck archive` recorded: a snapshot per page, other copies, verdicts."""

    def __init__(
        self,
        snapshots: dict[str, tuple[str, str, str]] | None = None,
        copies: dict[str, list[tuple[str, str]]] | None = None,
        checks: dict[tuple[str, str], tuple[bool, str]] | None = None,
    ) -> None:
        self._snapshots = snapshots or {}
        self._copies = copies or {}
        self._checks = checks or {}

    def snapshot(self, url: str) -> tuple[str, str, str] | None:
        return self._snapshots.get(url)

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None:
        return self._copies.get(url)

    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None:
        return self._checks.get((copy_url, fragment))


def result(url: str, status: Status, final_url: str | None = None, failures: int = 0) -> Result:
    fetch = FetchResult(status, status.value, final_url=final_url, failures=failures)
    return Result(url, status, status.value, fetch, [HERE])


def plan(
    results: list[Result], store: Store | None = None, **options: object
) -> tuple[list[Fix], list[tuple[str, str]]]:
    settings: dict[str, object] = {
        "wayback_url": WAYBACK, "cross_host": False, "fail_after": 1, "citation_dates": {},
    }  # fmt: skip
    settings.update(options)
    fixes, skipped = plan_fixes(results, store, store, **settings)  # type: ignore[arg-type]
    return fixes, [(s.url, s.why) for s in skipped]


def copy_of(page: str, stamp: str = "20240102030405") -> str:
    return f"{WAYBACK}/web/{stamp}/{page}"


def archived(page: str, fragment: str = "", verified: bool = True) -> Store:
    copy = copy_of(page)
    return Store(
        snapshots={page: ("20240102030405", page, "suggested")},
        checks={(copy, fragment): (verified, "a 200 capture of the cited page")},
    )


def test_a_permanent_redirect_is_followed_with_its_fragment() -> None:
    cited = "https://e.test/old#:~:text=quoted%20words"
    fixes, skipped = plan([result(cited, Status.REDIRECTED, "https://e.test/new")])
    assert [(f.old, f.new, f.why) for f in fixes] == [
        (cited, "https://e.test/new#:~:text=quoted%20words", "moved permanently")
    ]
    assert skipped == []
    # A target that carries its own fragment keeps it, and only it.
    fixes, _ = plan([result(cited, Status.REDIRECTED, "https://e.test/new#part")])
    assert fixes[0].new == "https://e.test/new#part"


def test_a_move_to_another_host_needs_cross_host() -> None:
    cited = "https://e.test/old"
    moved = [result(cited, Status.REDIRECTED, "https://elsewhere.test/new")]
    fixes, skipped = plan(moved)
    assert fixes == []
    assert skipped == [(cited, "moved to another host (elsewhere.test): --cross-host")]
    fixes, skipped = plan(moved, cross_host=True)
    assert [f.new for f in fixes] == ["https://elsewhere.test/new"] and skipped == []


def test_a_temporary_redirect_or_a_live_page_is_left_alone() -> None:
    fixes, skipped = plan(
        [
            result("https://e.test/a", Status.OK, "https://e.test/b"),
            result("https://e.test/c", Status.OK),
            result("https://e.test/d", Status.BLOCKED),
        ],
        archived("https://e.test/c"),
    )
    assert fixes == [] and skipped == []


def test_a_broken_citation_becomes_its_verified_copy_fragment_kept() -> None:
    page, fragment = "https://e.test/gone", ":~:text=quoted"
    fixes, skipped = plan([result(f"{page}#{fragment}", Status.BROKEN)], archived(page, fragment))
    assert [(f.new, f.why) for f in fixes] == [
        (f"{copy_of(page)}#{fragment}", "broken: its verified archived copy")
    ]
    assert skipped == []


def test_a_dead_citation_without_a_verified_copy_is_left_and_said() -> None:
    page = "https://e.test/gone"
    for store in (None, Store(), archived(page, verified=False)):
        fixes, skipped = plan([result(page, Status.BROKEN)], store)
        assert fixes == []
        assert skipped == [
            (page, "dead, with no verified archived copy (run linkcheck archive first)")
        ]


@pytest.mark.parametrize("status", [Status.ERROR, Status.TIMEOUT])
def test_error_and_timeout_wait_for_fail_after_consecutive_failures(status: Status) -> None:
    page = "https://e.test/flaky"
    store = archived(page)
    for failures, fixed in ((1, False), (2, False), (3, True), (4, True)):
        fixes, skipped = plan([result(page, status, failures=failures)], store, fail_after=3)
        assert bool(fixes) is fixed, failures
        assert skipped == []
    # broken does not wait: a 404 is an answer, not a hiccup.
    fixes, _ = plan([result(page, Status.BROKEN, failures=1)], store, fail_after=3)
    assert fixes


def test_excluded_and_unfetched_citations_are_never_touched() -> None:
    page = "https://e.test/gone"
    excluded = result(page, Status.EXCLUDED)
    unfetched = Result("file.md", Status.BROKEN, "file not found", None, [HERE])
    fixes, skipped = plan([excluded, unfetched], archived(page))
    assert fixes == [] and skipped == []


def test_robust_links_carry_up_to_three_copies_and_the_document_date() -> None:
    page = "https://e.test/a"
    copies = {
        f"https://archive{n}.test/{page}": f"2024010{n}000000" for n in range(1, 5)
    }  # fmt: skip
    store = Store(
        copies={page: list(copies.items())},
        checks={(url, ""): (True, "ok") for url in copies},
    )
    made = {"doc.md": date(2024, 1, 2)}
    cited = {page: date(2024, 1, 2)}
    (fix,) = plan(
        [result(page, Status.OK)], store, robust=True, document_dates=made, citation_dates=cited
    )[0]
    assert (fix.new, fix.why, fix.version_date) == (page, "a Robust Link", "2024-01-02")
    assert len(fix.robust) == 3
    # The nearest to the citation's date first, one per archive.
    assert fix.robust[0] == ("https://archive2.test/https://e.test/a", "2024-01-02")


def test_verified_copies_are_one_per_archive_nearest_the_citation_first() -> None:
    page = "https://e.test/a"
    near, far = copy_of(page, "20240105000000"), copy_of(page, "20200101000000")
    other = f"https://archive.ph.test/{page}"
    store = Store(
        copies={page: [(far, "20200101000000"), (near, "20240105000000"), (other, "20230101")]},
        checks={(near, ""): (True, "ok"), (far, ""): (True, "ok"), (other, ""): (True, "ok")},
    )
    found = verified_copies(page, store, store, WAYBACK, date(2024, 1, 4))
    assert found == [(near, "2024-01-05"), (other, "2023-01-01")]


def test_fixes_are_placed_at_their_location_and_nothing_else_changes(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    old = "https://e.test/old"
    document.write_bytes(f"\ufeffSee [x]({old}) and {old}.\r\n".encode())  # columns: no BOM
    fixes = [
        Fix(Location(str(document), 1, 9, "x"), old, "https://e.test/new", "moved"),
        Fix(Location(str(document), 1, 33, ""), old, "https://e.test/new", "moved"),
        Fix(Location(str(document), 1, 1, ""), old, "https://e.test/new", "moved"),  # misplaced
    ]
    changes, skipped = apply_fixes(fixes, {str(document): Format.MARKDOWN})
    (change,) = changes
    assert change.after == "\ufeffSee [x](https://e.test/new) and https://e.test/new.\r\n".encode()
    assert [s.location.column for s in skipped] == [1]
    assert "+\ufeffSee [x](https://e.test/new) and https://e.test/new." in unified_diff(changes)


def test_an_excluded_citation_does_not_stop_the_ones_after_it() -> None:
    excluded = result("https://e.test/skip", Status.EXCLUDED)
    moved = result("https://e.test/old", Status.REDIRECTED, "https://e.test/new")
    fixes, _ = plan([excluded, moved])
    assert [f.new for f in fixes] == ["https://e.test/new"]


@pytest.mark.parametrize(
    "status", [Status.OK, Status.UNVERIFIABLE, Status.TIMEOUT, Status.FRAGMENT_MISSING]
)
def test_only_a_permanent_redirect_is_a_move(status: Status) -> None:
    fixes, skipped = plan([result("https://e.test/a", status, "https://e.test/b")])
    assert fixes == [] and skipped == []


def test_a_move_to_a_host_that_sorts_first_is_another_host_too() -> None:
    cited = "https://e.test/old"
    fixes, skipped = plan([result(cited, Status.REDIRECTED, "https://a.test/new")])
    assert fixes == [] and skipped == [(cited, "moved to another host (a.test): --cross-host")]


def test_a_robust_link_without_a_document_date_takes_its_nearest_copys() -> None:
    page = "https://e.test/a"
    copy, other = copy_of(page, "20240105000000"), f"https://archive.ph.test/{page}"
    store = Store(
        copies={page: [(copy, "20240105000000"), (other, "20200101000000")]},
        checks={(copy, ""): (True, "ok"), (other, ""): (True, "ok")},
    )
    (fix,) = plan([result(page, Status.OK)], store, robust=True)[0]
    assert fix.version_date == "2024-01-05"  # the nearest copy's, not another's


def test_the_nearest_copy_is_by_distance_in_days() -> None:
    page = "https://e.test/a"
    before, after = copy_of(page, "20240103000000"), copy_of(page, "20240106000000")
    store = Store(
        copies={page: [(after, "20240106000000"), (before, "20240103000000")]},
        checks={(before, ""): (True, "ok"), (after, ""): (True, "ok")},
    )
    # One a day before beats one two days after (not by any other arithmetic on the dates).
    assert verified_copies(page, store, store, WAYBACK, date(2024, 1, 4)) == [
        (before, "2024-01-03")
    ]


def test_files_that_cannot_be_read_or_decoded_do_not_stop_the_others(tmp_path: Path) -> None:
    latin, good = tmp_path / "latin.md", tmp_path / "good.md"
    latin.write_bytes(b"caf\xe9 https://e.test/old\n")
    good.write_text("https://e.test/old\n")
    fixes = [
        Fix(Location(str(tmp_path / "gone.md"), 1, 1, ""), "https://e.test/old", "https://n", "m"),
        Fix(Location(str(latin), 1, 6, ""), "https://e.test/old", "https://e.test/new", "m"),
        Fix(Location(str(good), 1, 1, ""), "https://e.test/old", "https://e.test/new", "m"),
    ]
    formats = {str(p): Format.TEXT for p in (latin, good, tmp_path / "gone.md")}
    changes, skipped = apply_fixes(fixes, formats)
    assert [c.path for c in changes] == [good]
    assert changes[0].after == b"https://e.test/new\n"
    reasons = sorted(s.why.split(":")[0] for s in skipped)
    assert reasons == [
        f"cannot read {tmp_path / 'gone.md'}",
        "the file is not UTF-8 (nor in a charset it declares)",
    ]


def test_a_fix_is_placed_by_offset_and_length_anywhere_on_the_line(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("ab https://e.test/old-address tail\n")  # starts at offset 3
    fix = Fix(
        Location(str(document), 1, 4, ""), "https://e.test/old-address", "https://n.test/", "m"
    )
    (change,), skipped = apply_fixes([fix], {str(document): Format.TEXT})
    assert change.after == b"ab https://n.test/ tail\n" and skipped == []


def test_an_entity_written_url_is_rewritten_in_html_only(tmp_path: Path) -> None:
    url = "https://e.test/a?x=1&y=2"
    html, markdown = tmp_path / "page.html", tmp_path / "doc.md"
    html.write_text('<a href="https://e.test/a?x=1&amp;y=2">x</a>\n')
    markdown.write_text("[x](https://e.test/a?x=1&amp;y=2)\n")
    fixes = [
        Fix(Location(str(html), 1, 10, "x"), url, "https://e.test/b?x=1&y=2", "m"),
        Fix(Location(str(markdown), 1, 5, "x"), url, "https://e.test/b?x=1&y=2", "m"),
    ]
    changes, skipped = apply_fixes(fixes, {str(html): Format.HTML, str(markdown): Format.MARKDOWN})
    assert [c.after for c in changes] == [b'<a href="https://e.test/b?x=1&amp;y=2">x</a>\n']
    assert [s.why for s in skipped] == [
        "the URL is written differently in the source (escapes or entities): left as it is"
    ]


def test_a_fix_inside_another_fixed_span_is_left(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("https://e.test/old/x\n")
    outer = Fix(Location(str(document), 1, 1, ""), "https://e.test/old/x", "https://n.test/", "m")
    inner = Fix(Location(str(document), 1, 9, ""), "e.test/old", "e.test/new", "m")
    (change,), skipped = apply_fixes([outer, inner], {str(document): Format.TEXT})
    assert change.after == b"https://e.test/new/x\n"
    assert [(s.url, s.why) for s in skipped] == [
        ("https://e.test/old/x", "inside another fixed link")
    ]


def test_a_url_that_ends_the_file_is_fixed_and_fixes_are_listed_in_order(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("ab https://e.test/1 b https://e.test/22", newline="")  # odd, no newline
    fixes = [
        Fix(Location(str(document), 1, 4, ""), "https://e.test/1", "https://n.test/1", "m"),
        Fix(Location(str(document), 1, 23, ""), "https://e.test/22", "https://n.test/22", "m"),
    ]
    (change,), skipped = apply_fixes(fixes, {str(document): Format.TEXT})
    assert change.after == b"ab https://n.test/1 b https://n.test/22" and skipped == []
    assert [f.location.column for f in change.fixes] == [4, 23]  # as the document reads


def test_a_dead_link_takes_the_nearest_copy_that_verified() -> None:
    page = "https://e.test/gone"
    unverified, near, far = (
        copy_of(page, stamp) for stamp in ("20240104000000", "20240101000000", "20200101000000")
    )
    other = f"https://archive.ph.test/{page}"
    store = Store(
        copies={page: [(far, "20200101"), (near, "20240101"), (unverified, "20240104"),
                       (other, "20180101")]},
        checks={(unverified, ""): (False, "a wall"), (near, ""): (True, "ok"),
                (far, ""): (True, "ok"), (other, ""): (True, "ok")},
    )  # fmt: skip
    cited = {page: date(2024, 1, 5)}
    (fix,), _ = plan([result(page, Status.BROKEN)], store, citation_dates=cited)
    assert fix.new == near  # the nearest (unverified one skipped), not the farthest
    assert verified_copies(page, store, store, WAYBACK, date(2024, 1, 5)) == [
        (near, "2024-01-01"),
        (other, "2018-01-01"),
    ]


def test_a_robust_link_is_dated_by_its_document_first() -> None:
    page = "https://e.test/a"
    copy = copy_of(page, "20240105000000")
    store = Store(copies={page: [(copy, "20240105000000")]}, checks={(copy, ""): (True, "ok")})
    made = {"doc.md": date(2023, 6, 1)}
    (fix,) = plan([result(page, Status.OK)], store, robust=True, document_dates=made)[0]
    assert fix.version_date == "2023-06-01"


def test_an_existing_robust_link_or_a_nested_fix_does_not_stop_the_others(
    tmp_path: Path,
) -> None:
    document = tmp_path / "page.html"
    document.write_text(
        '<a href="https://e.test/a" data-versionurl="https://w.test/1 2024-01-01">a</a>\n'
        "https://e.test/b https://e.test/old/x\n"
    )
    copies = (("https://w.test/2", "2024-01-02"),)
    fixes = [
        Fix(Location(str(document), 1, 10, "a"), "https://e.test/a", "https://e.test/a",
            "a Robust Link", copies, "2024-01-02"),
        Fix(Location(str(document), 2, 18, ""), "https://e.test/old/x", "https://n.test/", "m"),
        Fix(Location(str(document), 2, 26, ""), "e.test/old", "e.test/new", "m"),
        Fix(Location(str(document), 2, 1, ""), "https://e.test/b", "https://n.test/b", "m"),
    ]  # fmt: skip
    (change,), skipped = apply_fixes(fixes, {str(document): Format.HTML})
    assert change.after.decode().splitlines()[1] == "https://n.test/b https://e.test/new/x"
    assert [s.why for s in skipped] == ["inside another fixed link"]


def test_a_redirect_back_to_the_cited_url_is_no_fix() -> None:
    cited = "https://e.test/a"
    same = "".join(["https://e.test/", "a"])  # equal, not the same object
    assert plan([result(cited, Status.REDIRECTED, same)]) == ([], [])
