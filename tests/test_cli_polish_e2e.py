"""What users notice in their first ten minutes: settings per command, one-line errors,
completion, the cache commands, and the details strict report consumers check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fakeweb import Host

from helpers import run_linkcheck as linkcheck

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def test_settings_per_command(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(f"[x]({site.url('/ok')})\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.linkcheck]\nno-cache = true\n"
        '[tool.linkcheck.check]\nformat = "json"\noutput = "check.json"\n'
        '[tool.linkcheck.extract]\nformat = "csv"\noutput = "citations.csv"\n'
    )
    assert linkcheck("doc.md", f"--canary={site.base}", cwd=tmp_path).returncode == 0
    assert linkcheck("extract", "doc.md", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "check.json").read_text())["summary"]["ok"] == 1
    assert (tmp_path / "citations.csv").read_text().startswith("url,file,line")
    (tmp_path / "pyproject.toml").write_text("[tool.linkcheck.extract]\ntimeout = 3\n")
    wrong = linkcheck("extract", "doc.md", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (
        "linkcheck: error: pyproject.toml: [tool.linkcheck.extract] timeout: "
        "not a setting of extract"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.linkcheck]\noutput = "old.txt"\n')
    old = linkcheck("extract", "doc.md", cwd=tmp_path)
    assert old.returncode == 0 and not (tmp_path / "old.txt").exists()  # check's alone now
    assert "applies to check alone; move it to pyproject.toml: [tool.linkcheck.check]" in (
        old.stderr
    )


def test_a_usage_error_is_two_lines_at_most(tmp_path: Path) -> None:
    done = linkcheck("check", "--concurrency", "0", "doc.md", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("linkcheck: error: Invalid value for '--concurrency'")
    assert lines[1:] == ["Try 'linkcheck check --help'."]
    unknown = linkcheck("check", "--no-such-option", "doc.md", cwd=tmp_path)
    assert len(unknown.stderr.strip().splitlines()) == 2


def test_completion_offers_the_commands(tmp_path: Path) -> None:
    env = {**os.environ, "_LINKCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "linkcheck ",
           "COMP_CWORD": "1"}  # fmt: skip
    done = subprocess.run(
        [Path(sys.executable).parent / "linkcheck"], env=env, capture_output=True, text=True
    )
    offered = {line.split(",", 1)[1] for line in done.stdout.split()}
    assert {"check", "extract", "archive", "merge", "cache"} <= offered


def test_cache_info_reads_the_settings_and_shows_ages(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(f"[x]({site.url('/ok')})\n")
    (tmp_path / "linkcheck.toml").write_text('cache-file = "elsewhere.db"\n')
    assert linkcheck("doc.md", f"--canary={site.base}", cwd=tmp_path).returncode == 0
    info = linkcheck("cache", "info", cwd=tmp_path)
    assert info.stdout.startswith("elsewhere.db: 1 result, ")
    assert "oldest: " in info.stdout and " ago (" in info.stdout
    cleared = linkcheck("cache", "clear", cwd=tmp_path)
    assert cleared.stdout.strip() == "elsewhere.db: removed 1 results"


def test_report_details(tmp_path: Path, site: Host) -> None:
    quote = site.url("/page#:~:text=slow%20purple%20cat")
    long_dead = site.url("/missing?" + "long" * 30)
    (tmp_path / "doc.md").write_text(f"[q]({quote}) [dead]({long_dead})\n")
    common = ["doc.md", "--no-cache", f"--canary={site.base}"]
    junit = linkcheck(*common, "--format=junit", cwd=tmp_path)
    root = ElementTree.fromstring(junit.stdout)
    suite = root.find("testsuite")
    assert suite is not None
    assert {"time", "timestamp", "hostname", "tests", "failures"} <= set(suite.attrib)
    assert all("time" in case.attrib for case in suite.iter("testcase"))
    markdown = linkcheck(*common, "--format=markdown", cwd=tmp_path)
    assert "2 URLs checked: " in markdown.stdout
    assert "text 'text=slow purple cat'" in markdown.stdout  # the words, not %20
    linkcheck(*common, "-o", "report.txt", cwd=tmp_path)
    longest = max(len(line) for line in (tmp_path / "report.txt").read_text().splitlines())
    assert longest > 80  # piped or written to a file, lines are never hard-wrapped


def test_plurals() -> None:
    from linkcheck.report.results import plural

    assert (plural(1, "URL"), plural(2, "URL"), plural(0, "capture")) == (
        "1 URL",
        "2 URLs",
        "0 captures",
    )
