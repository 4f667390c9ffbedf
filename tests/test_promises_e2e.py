"""Promises the README makes that no test held (issue 31): each through the real CLI."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakewayback import FakeWayback, days_ago, serve_wayback
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    with serve(FakeWeb()) as host:
        yield host


def small_files(limit: int) -> Callable[[], None]:
    """For a child process: files may not grow past ``limit`` bytes (EFBIG, even for root,
    where permissions would not stop a write)."""

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_file_size


def linkcheck_limited(cwd: Path, limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linkcheck", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, preexec_fn=small_files(limit),
    )  # fmt: skip


def test_an_internal_error_is_one_line_and_exit_70(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(f"[a]({site.url('/ok')})\n")
    # A bug planted from outside the product: the text report's renderer raises.
    program = (
        "import sys; import linkcheck.report.formats as formats\n"
        "def broken(*args): raise ZeroDivisionError('division by zero')\n"
        "formats.CHECK_FORMATS['text'] = broken\n"
        "from linkcheck.cli import main; sys.argv[0] = 'linkcheck'; main()\n"
    )
    command = [sys.executable, "-c", program]
    done = subprocess.run(
        [*command, "check", "doc.md", "--no-cache", "--canary", site.base],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 70
    assert done.stderr.strip().splitlines() == [
        "linkcheck: internal error: ZeroDivisionError: division by zero (rerun with --debug)"
    ]
    debug = subprocess.run(
        [*command, "--debug", "check", "doc.md", "--no-cache", "--canary", site.base],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert debug.returncode == 70
    assert "Traceback (most recent call last)" in debug.stderr


def test_a_report_that_cannot_be_written_leaves_the_old_one(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(f"[a]({site.url('/ok')})\n" * 3)
    old = '{"an": "earlier report"}'
    (tmp_path / "report.json").write_text(old)
    done = linkcheck_limited(
        tmp_path, 64, "check", "doc.md", "--no-cache", "--format", "json", "-o", "report.json",
        "--canary", site.base,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("linkcheck: error: cannot write")
    assert (tmp_path / "report.json").read_text() == old
    assert not list(tmp_path.glob(".report.json.*"))  # no partial file left behind


def test_fix_usage_errors_are_one_line_and_exit_2(tmp_path: Path, site: Host) -> None:
    moved = site.url("/redirect/301")
    document = f"See [moved]({moved}#:~:text=Hello).\n"
    (tmp_path / "doc.md").write_text(document)
    for modes in (("--write", "--diff"), ("--diff", "--dry-run"), ("--write", "--dry-run")):
        done = run_linkcheck("fix", "doc.md", *modes, "--no-cache", cwd=tmp_path)
        assert done.returncode == 2, modes
        assert done.stderr.strip().splitlines()[0] == (
            f"linkcheck: error: {modes[0]} and {modes[1]} cannot be used together"
        )
    # A file it cannot write back: exit 2, one line, the document as it was.
    done = linkcheck_limited(
        tmp_path, 16, "fix", "doc.md", "--write", "--no-cache", "--canary", site.base
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("linkcheck: error: cannot write")
    assert (tmp_path / "doc.md").read_text() == document


def test_fix_leaves_a_file_that_is_not_utf8_untouched_and_says_so(
    tmp_path: Path, site: Host
) -> None:
    data = f"[moved]({site.url('/redirect/301')}) caf\xe9\n".encode("latin-1")
    (tmp_path / "latin.md").write_bytes(data)
    done = run_linkcheck(
        "fix", "latin.md", "--write", "--no-cache", "--canary", site.base, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "not UTF-8" in done.stdout + done.stderr
    assert (tmp_path / "latin.md").read_bytes() == data


def test_fix_keeps_the_fragment_and_waits_for_fail_after(tmp_path: Path, site: Host) -> None:
    moved = site.url("/redirect/301")
    failing = site.url("/status/500")
    fake = FakeWayback()
    fake.add_capture(failing, days_ago(30))  # a good copy from when the page worked
    document = f"[quote]({moved}#:~:text=Hello) and [down]({failing}).\n"
    (tmp_path / "doc.md").write_text(document)
    with serve_wayback(fake) as base:
        common = ("--wayback-url", base, "--canary", site.base, "--retries", "0")
        archived = run_linkcheck("archive", "doc.md", "--manifest", "m.json", *common, cwd=tmp_path)
        entries = json.loads((tmp_path / "m.json").read_text())["entries"]
        assert {e["url"]: e["verified"] for e in entries}[failing] is True, archived.stderr
        # The archive's check was the first failing run, this is the second: not yet 3.
        early = run_linkcheck(
            "fix", "doc.md", "--write", "--fail-after", "3", *common, cwd=tmp_path
        )
        assert early.returncode == 0, early.stderr
        text = (tmp_path / "doc.md").read_text()
        assert f"({site.url('/ok')}#:~:text=Hello)" in text  # the quote goes with the move
        assert f"({failing})" in text  # an error is not dead before --fail-after runs
        late = run_linkcheck("fix", "doc.md", "--write", "--fail-after", "3", *common, cwd=tmp_path)
        assert late.returncode == 0, late.stderr
        text = (tmp_path / "doc.md").read_text()
        assert f"({failing})" not in text
        assert f"{base}/web/" in text and failing in text  # now its verified archived copy
