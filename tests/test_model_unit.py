"""The vocabulary's own decisions: what fails a run, consecutive failures, archive entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.model import (
    DEFAULT_FAIL_ON,
    ArchivedCopy,
    ArchiveRun,
    Document,
    FetchResult,
    Format,
    ManifestEntry,
    Result,
    Site,
    SnapshotKind,
    Status,
    consecutive_failures,
    host_of,
    unreadable,
)


def test_a_page_url_is_the_base_url_joined_to_the_path_below_the_root(tmp_path: Path) -> None:
    site = Site(root_dir=tmp_path, base_url="https://docs.test/v2/")
    assert (
        site.page_url(tmp_path / "guide" / "intro.html") == "https://docs.test/v2/guide/intro.html"
    )
    assert Site(root_dir=tmp_path).page_url(tmp_path / "a.html") is None
    outside = tmp_path.parent / "elsewhere.html"  # not below the root: served by its name
    assert site.page_url(outside) == "https://docs.test/v2/elsewhere.html"


@pytest.mark.parametrize(
    ("status", "previous", "now"),
    [
        (Status.ERROR, 0, 1), (Status.ERROR, 1, 2), (Status.ERROR, 2, 3), (Status.ERROR, 3, 4),
        (Status.TIMEOUT, 4, 5), (Status.BROKEN, 7, 8),
        (Status.OK, 3, 0), (Status.BLOCKED, 3, 0),
    ],
)  # fmt: skip
def test_consecutive_failures_count_up_and_reset(status: Status, previous: int, now: int) -> None:
    assert consecutive_failures(status, previous) == now


@pytest.mark.parametrize(
    ("status", "failures", "fail_after", "fails"),
    [
        (Status.ERROR, 1, 1, True), (Status.ERROR, 1, 2, False), (Status.ERROR, 2, 2, True),
        (Status.ERROR, 3, 2, True), (Status.TIMEOUT, 1, 3, False),
        (Status.BROKEN, 1, 3, False), (Status.BROKEN, 3, 3, True),  # any URL, --fail-after runs
        (Status.BLOCKED, 5, 1, False),  # not in --fail-on by default
    ],
)  # fmt: skip
def test_a_failed_fetch_fails_the_run_after_fail_after_runs(
    status: Status, failures: int, fail_after: int, fails: bool
) -> None:
    result = Result("https://e.test/a", status, "x", FetchResult(status, "x", failures=failures))
    assert result.fails(DEFAULT_FAIL_ON, fail_after) is fails


def test_an_unreadable_document_is_reported_at_its_first_line() -> None:
    result = unreadable(Document("doc.md", None, [], "cannot read: it is a folder"))
    assert (result.url, result.status, result.reason) == (
        "doc.md", Status.UNREADABLE, "cannot read: it is a folder"
    )  # fmt: skip
    assert [(loc.file, loc.line, loc.column) for loc in result.locations] == [("doc.md", 1, 1)]
    with pytest.raises(AssertionError):
        unreadable(Document("fine.md", Format.MARKDOWN))


def entry(url: str, status: str, archive_url: str | None, verified: bool) -> ManifestEntry:
    return ManifestEntry(url, status, SnapshotKind.CAPTURED, "r", archive_url, verified=verified)


def test_the_runs_entries_without_a_copy_and_waiting_ones() -> None:
    good = entry("https://e.test/a", "ok", "https://w.test/web/1/a", True)
    waiting = entry("https://e.test/b", "ok", "https://w.test/web/2/b", False)
    lost = entry("https://e.test/c", "ok", None, False)
    dead = entry("https://e.test/d", "broken", None, False)
    run = ArchiveRun([good, waiting, lost, dead], 2, False)
    assert run.not_archived() == [lost]  # a dead page is not expected to be archived now
    assert run.waiting() == [waiting]


def test_an_entry_names_the_archive_of_its_chosen_copy() -> None:
    chosen = "".join(["https://archive.test/", "web/1/a"])  # equal, not the same object
    copies = [
        ArchivedCopy("a.test", "https://a.test/x", "2024-01-01T00:00:00Z", True, "ok"),
        ArchivedCopy("other.test", "https://other.test/x", "2024-01-01T00:00:00Z", True, "ok"),
        ArchivedCopy("archive.test", "https://archive.test/web/1/a", "2024-01-02T00:00:00Z",
                     True, "ok"),
    ]  # fmt: skip
    found = ManifestEntry("https://e.test/a", "ok", SnapshotKind.EXISTING, "r", chosen,
                          verified=True, copies=copies)  # fmt: skip
    assert found.archive == "archive.test"
    assert ManifestEntry("https://e.test/a", "ok", SnapshotKind.EXISTING, "r").archive is None


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://E.Test/a", "e.test"), ("http://[::1]:8080/", "::1"),
        ("http://[::1", ""), ("mailto:a@b.c", ""), ("not a url", ""),
    ],
)  # fmt: skip
def test_host_of_any_url_even_a_malformed_one(url: str, host: str) -> None:
    assert host_of(url) == host


def test_a_run_is_whole_and_an_entry_unverified_unless_said() -> None:
    from linkcheck.model import CheckRun

    assert CheckRun([], 0, 0.0).interrupted is False
    assert ManifestEntry("https://e.test/a", "ok", SnapshotKind.FAILED, "r").verified is False


@pytest.mark.parametrize("status", list(Status))
def test_only_an_offline_result_makes_a_run_offline(status: Status) -> None:
    from linkcheck.errors import ExitCode
    from linkcheck.model import CheckRun

    run = CheckRun([Result("https://e.test/a", status, "r", None)], 1, 0.0)
    assert run.offline is (status is Status.OFFLINE)
    if status not in DEFAULT_FAIL_ON:
        expected = ExitCode.OFFLINE if status is Status.OFFLINE else ExitCode.OK
        assert run.exit_code(DEFAULT_FAIL_ON, 1) is expected
