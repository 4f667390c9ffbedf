"""Settings files and option values: every mistake is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_linkcheck as linkcheck
from linkcheck.config import parse_accept, parse_duration, parse_size

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "doc.md").write_text("[local](doc.md) [skip](https://skip.example/x)\n")
    return tmp_path


def test_pyproject_settings_apply_and_the_command_line_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.linkcheck]\nexclude = ["skip\\\\.example"]\nno-cache = true\nformat = "json"\n'
    )
    sub = project / "sub"
    sub.mkdir()
    (sub / "doc.md").write_text((project / "doc.md").read_text())
    result = linkcheck("doc.md", cwd=sub)  # found from the current directory upwards
    assert result.returncode == 0, result.stderr
    assert '"excluded": 1' in result.stdout
    result = linkcheck("doc.md", "--format", "markdown", cwd=sub)
    assert result.stdout.startswith("## linkcheck")
    assert not (sub / ".linkcheck").exists()


def test_linkcheck_toml(project: Path) -> None:
    (project / "linkcheck.toml").write_text('exclude = ["skip"]\nno_cache = true\n')
    result = linkcheck("doc.md", "--format", "json", cwd=project)
    assert result.returncode == 0 and '"excluded": 1' in result.stdout


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("bogus = 1\n", "unknown setting 'bogus'"),
        ("timeout = [\n", "invalid TOML"),
        ('fail-on = "broken,dead"\n', "linkcheck.toml: fail-on = 'dead': unknown status"),
        ('accept = "abc"\n', "linkcheck.toml: accept = 'abc': expected codes or ranges"),
        ('max-age = "soon"\n', "linkcheck.toml: max-age = 'soon': expected a duration"),
        ("timeout = [1, 2]\n", "linkcheck.toml: timeout = [1, 2]: expected seconds"),
        ('timeout = "abc"\n', 'linkcheck.toml: timeout = "abc": expected seconds'),
        ("concurrency = 0\n", "linkcheck.toml: concurrency = 0: expected a whole number (x>=1)"),
        ("insecure = 1\n", "linkcheck.toml: insecure = 1: expected true or false"),
        ('format = "pdf"\n', 'linkcheck.toml: format = "pdf": expected one of csv, github'),
        ("exclude = [1]\n", "linkcheck.toml: exclude = [1]: expected a list of strings"),
    ],
)
def test_bad_settings_are_one_line_exit_2(project: Path, settings: str, message: str) -> None:
    (project / "linkcheck.toml").write_text(settings)
    result = linkcheck("doc.md", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remap", "nospace"], "--remap 'nospace': expected 'REGEX REPLACEMENT'"),
        (["--exclude", "("], "--exclude '(': not a regular expression"),
        (["--header", "NoColon"], "--header 'NoColon': expected 'Name: value'"),
        (["--max-bytes", "lots"], "--max-bytes 'lots': expected a size"),
        (["--concurrency", "0"], "Invalid value for '--concurrency'"),
        (["--config", "missing.toml"], "--config missing.toml: no such file"),
    ],
)
def test_bad_options_are_exit_2(project: Path, args: list[str], message: str) -> None:
    result = linkcheck(*args, "doc.md", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_cache_file_is_a_clear_error(project: Path) -> None:
    (project / "cache.db").write_bytes(b"this is not sqlite" * 100)
    result = linkcheck("doc.md", "--cache-file", "cache.db", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("linkcheck: error: cache file cache.db:")


def test_value_parsers() -> None:
    assert parse_accept("200..202, 403") == frozenset({200, 201, 202, 403})
    assert parse_duration("90", "-") == 90 and parse_duration("1.5h", "-") == 5400
    assert parse_size("10MB", "-") == 10 << 20 and parse_size("512k", "-") == 512 << 10


def test_a_format_one_command_lacks_is_left_to_the_others(project: Path) -> None:
    (project / "linkcheck.toml").write_text('format = "markdown"\nno-cache = true\n')
    assert linkcheck("doc.md", cwd=project).stdout.startswith("## linkcheck")
    extracted = linkcheck("extract", "doc.md", cwd=project)
    assert extracted.returncode == 0 and "doc.md:1:9\tlink\tlocal\tdoc.md" in extracted.stdout
