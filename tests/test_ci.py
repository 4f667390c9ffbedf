"""linkcheck in CI: --offline, SARIF, pull-request mode, the Action, pre-commit, packaging."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import respx
import yaml
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck as linkcheck
from linkcheck.cli import main

pytestmark = pytest.mark.e2e  # runs the real command line or real servers

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def site() -> Iterator[Host]:
    with serve(FakeWeb()) as host:
        yield host


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_offline_makes_no_network_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "guide.md").write_text("# Guide\n")
    (tmp_path / "doc.md").write_text(
        "[a](https://example.com/page) [b](https://example.com/p#:~:text=e-mail) "
        "[c](guide.md#guide) [d](guide.md#nope) [e](missing.md) [f](http://)\n"
    )
    monkeypatch.chdir(tmp_path)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"--offline opened a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(asyncio, "open_connection", refuse)
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=refuse)
        with pytest.raises(SystemExit) as exit_info:
            main(["check", "doc.md", "--offline", "--format", "json", "-o", "out.json"])
        assert not router.calls
    assert exit_info.value.code == 1
    statuses = {
        r["url"]: r["status"] for r in json.loads((tmp_path / "out.json").read_text())["results"]
    }
    assert statuses == {
        "https://example.com/page": "skipped",
        "https://example.com/p#:~:text=e-mail": "invalid",
        "guide.md#guide": "ok",
        "guide.md#nope": "fragment_missing",
        "missing.md": "broken",
        "http://": "invalid",
    }


def test_sarif_validates_against_the_schema(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(
        f"[dead]({site.url('/missing')})\n[moved]({site.url('/redirect/301')})\n[ok]({site.url('/ok')})\n"
    )
    result = linkcheck(
        "doc.md", "--no-cache", "--canary", site.base, "--format", "sarif", cwd=tmp_path
    )
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    findings = sarif["runs"][0]["results"]
    assert [(f["ruleId"], f["level"]) for f in findings] == [
        ("linkcheck/broken", "error"),
        ("linkcheck/redirected", "warning"),
    ]
    region = findings[0]["locations"][0]["physicalLocation"]
    assert region == {
        "artifactLocation": {"uri": "doc.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 8},
    }
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rule["fullDescription"]["text"] and rule["help"]["text"] for rule in rules)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "old.md").write_text("[a](missing-old.md)\n")
    (tmp_path / "edited.md").write_text("[b](missing-b.md)\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "edited.md").write_text("[b](missing-b.md)\n\n[c](missing-c.md)\n")
    (tmp_path / "new.md").write_text("[d](missing-d.md)\n")
    return tmp_path


def test_changed_since_checks_exactly_the_changed_files(repo: Path) -> None:
    result = linkcheck("extract", ".", "--changed-since", "main", "--format", "json", cwd=repo)
    payload = json.loads(result.stdout)
    assert sorted(d["file"] for d in payload["documents"]) == ["edited.md", "new.md"]
    result = linkcheck(
        "extract", ".", "--changed-since", "main", "--new-only", "--format", "json", cwd=repo
    )
    assert sorted(c["url"] for c in json.loads(result.stdout)["citations"]) == [
        "missing-c.md",
        "missing-d.md",
    ]
    check = linkcheck(
        "check", ".", "--changed-since", "HEAD", "--offline", "--format", "json", cwd=repo
    )
    assert check.returncode == 1
    assert len(json.loads(check.stdout)["results"]) == 3


def test_changed_since_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    bad_ref = linkcheck("check", ".", "--changed-since", "no-such-branch", cwd=repo)
    assert bad_ref.returncode == 2
    assert "--changed-since no-such-branch: not a commit in this repository" in bad_ref.stderr
    elsewhere = tmp_path_factory.mktemp("plain")
    (elsewhere / "a.md").write_text("x")
    no_repo = linkcheck("check", ".", "--changed-since", "main", cwd=elsewhere)
    assert no_repo.returncode == 2 and "needs a git repository" in no_repo.stderr
    lonely = linkcheck("check", ".", "--new-only", cwd=repo)
    assert lonely.returncode == 2 and "--new-only needs --changed-since REF" in lonely.stderr


def test_the_action_step_runs_locally(tmp_path: Path, site: Host) -> None:
    """ci/github-action.sh is the Action's run step; here it runs on a sample repository."""
    (tmp_path / "docs").mkdir()
    line = f"Alive [source]({site.url('/ok')}), dead [one]({site.url('/missing')})."
    (tmp_path / "docs" / "paper.md").write_text(f"# Paper\n\n{line}\n")
    column = line.index(site.url("/missing")) + 1
    summary = tmp_path / "summary.md"
    result = subprocess.run(
        ["bash", str(ROOT / "ci" / "github-action.sh")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={
            **os.environ,
            "LINKCHECK_VENV": sys.prefix,  # linkcheck is already installed here: no reinstall
            "LINKCHECK_PATHS": "docs",
            "LINKCHECK_ARGS": f"--canary {site.base}",
            "GITHUB_STEP_SUMMARY": str(summary),
        },
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    annotation = f"::error file=docs/paper.md,line=3,col={column},title=linkcheck%3A broken::"
    assert annotation + site.url("/missing") in result.stdout
    assert f"| ❌ broken | `docs/paper.md:3:{column}` |" in summary.read_text()
    assert (tmp_path / ".linkcheck" / "cache.db").exists()  # the cache the Action keeps


def test_action_inputs_are_read_as_written(tmp_path: Path, site: Host) -> None:
    """Globs reach linkcheck unexpanded (** included), quotes group words, a path may hold a
    space, ``fail: false`` passes the step, and the exit code and a report file come out."""
    repository = tmp_path / "repo"
    for folder in ("docs/a/b", "docs/c", "my docs"):
        (repository / folder).mkdir(parents=True)
    dead = site.url("/missing")
    for name in ("docs/top.md", "docs/a/one.md", "docs/a/b/two.md", "docs/c/three.md"):
        (repository / name).write_text(f"[dead]({dead}?in={name})\n")
    (repository / "my docs" / "spaced.md").write_text(f"[skip]({site.url('/missing')}?skip=1)\n")
    (repository / "docs" / "c" / "notes.txt").write_text("not a Markdown file, not named\n")
    outputs, report = tmp_path / "outputs", tmp_path / "report.md"
    result = subprocess.run(
        ["bash", str(ROOT / "ci" / "github-action.sh")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={
            **os.environ,
            "LINKCHECK_VENV": sys.prefix,
            "LINKCHECK_WORKING_DIRECTORY": str(repository),
            "LINKCHECK_PATHS": "docs/**/*.md\n'my docs/spaced.md'",
            "LINKCHECK_ARGS": f"--canary {site.base} --no-cache\n--exclude 'skip=1|never'"
            " --header 'X-Team: docs' --format text -o swallowed.txt",
            "LINKCHECK_FAIL": "false",
            "LINKCHECK_OUTPUT": str(report),
            "LINKCHECK_HTML_REPORT": "report.html",
            "GITHUB_OUTPUT": str(outputs),
        },
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # fail: false
    assert outputs.read_text() == "exit_code=1\n"
    annotated = {
        line.split("file=", 1)[1].split(",", 1)[0]
        for line in result.stdout.splitlines()
        if line.startswith("::error ")
    }
    assert annotated == {"docs/top.md", "docs/a/one.md", "docs/a/b/two.md", "docs/c/three.md"}
    assert "skip=1" not in result.stdout  # the quoted --exclude pattern applied, quotes off
    assert report.read_text().startswith("## linkcheck")
    assert not (repository / "swallowed.txt").exists()  # -o in args cannot steal the report
    page = (repository / "report.html").read_text()  # the page the Action uploads
    assert "<title>linkcheck check: 4 of 5 citations failing</title>" in page


def test_action_metadata_is_valid_yaml_with_a_consistent_schema() -> None:
    """GitHub refuses an action.yml that does not parse before running any step."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    assert declared == {
        "paths", "args", "fail-on", "fail", "output", "output-format", "html-report",
        "working-directory", "cache", "python-version",
    }  # fmt: skip
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used and used <= declared, f"undeclared inputs: {sorted(used - declared)}"
    for name, output in action["outputs"].items():
        assert output.get("value"), f"output {name} has no value"
        step_id = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", output["value"])
        assert step_id is not None and step_id.group(1) in {
            s.get("id") for s in action["runs"]["steps"]
        }
    run_steps = [step for step in action["runs"]["steps"] if "run" in step]
    assert all(step.get("shell") for step in run_steps)  # composite run steps need a shell
    assert run_steps[0]["run"] == "${{ github.action_path }}/ci/github-action.sh"
    python_step = next(s for s in action["runs"]["steps"] if s.get("id") == "python")
    assert python_step["with"]["update-environment"] is False  # the caller's Python kept
    assert "github.event.repository.default_branch" in text


def test_action_metadata_passes_the_action_schema() -> None:
    """SchemaStore's schema for action metadata (vendored by check-jsonschema: no network)."""
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
         str(ROOT / "action.yml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hooks_file_is_valid() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["linkcheck", "linkcheck-offline"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        pattern = re.compile(hook["files"])
        assert pattern.search("docs/a.md") and pattern.search("x.html")
        assert not pattern.search("picture.png")


def try_repo(hook: str) -> list[str]:
    """pre-commit running this checkout's ``hook`` on every file of the current repository
    (--verbose: a passing hook's output is shown only then)."""
    return [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        hook,
        "--all-files",
        "--verbose",
    ]


@pytest.mark.slow
def test_pre_commit_hooks_through_try_repo(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    git(sample, "init", "-q", "-b", "main")
    (sample / "README.md").write_text("# Sample\n\nSee [the guide](guide.md#install).\n")
    (sample / "guide.md").write_text("# Guide\n\n## Usage\n")
    git(sample, "add", ".")
    home = tmp_path / "pre-commit-home"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    command = try_repo("linkcheck-offline")
    failing = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=900
    )
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "README.md:3:17  guide.md#install" in failing.stdout
    (sample / "guide.md").write_text("# Guide\n\n## Install\n")
    passing = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=900
    )
    assert passing.returncode == 0, passing.stdout + passing.stderr


@pytest.mark.slow
def test_the_network_hook_selects_documents_keeps_no_cache_in_the_repo_and_survives_offline(
    tmp_path: Path, site: Host
) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    git(sample, "init", "-q", "-b", "main")
    dead = site.url("/missing")
    (sample / "README.md").write_text(f"# Sample\n\nAlive: [source]({site.url('/ok')}).\n")
    (sample / "notes.txt").write_text(f"Also alive: {site.url('/ok?n=2')}\n")
    (sample / "tool.py").write_text(f'URL = "{dead}"  # not a document: never checked\n')
    (sample / "data.json").write_text(f'{{"url": "{dead}"}}\n')
    (sample / "linkcheck.toml").write_text(f'canary = "{site.base}"\n')
    git(sample, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
    }
    command = try_repo("linkcheck")
    online = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=900
    )
    assert online.returncode == 0, online.stdout + online.stderr
    assert list((tmp_path / "user-cache" / "linkcheck").glob("pre-commit-*.db"))
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=sample, capture_output=True, text=True
    )
    untracked = [line for line in status.stdout.splitlines() if line.startswith("??")]
    assert untracked == []  # no .linkcheck/ left in the user's repository
    # Offline: the sources cannot be reached, nor can the canary; a local link is still checked.
    (sample / "README.md").write_text(
        "# Sample\n\n[away](http://away.invalid/) [local](notes.txt)\n"
    )
    (sample / "linkcheck.toml").write_text('canary = "http://canary.invalid/"\n')
    git(sample, "add", ".")
    offline = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=900
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "the network is unreachable: ran the offline checks instead" in offline.stdout
    (sample / "README.md").write_text("# Sample\n\n[away](http://away.invalid/) [gone](gone.md)\n")
    git(sample, "add", ".")
    broken = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=900
    )
    assert broken.returncode == 1 and "gone.md" in broken.stdout, broken.stdout


@pytest.mark.slow
def test_sdist_and_wheel_install_cleanly(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(tmp_path / "dist"),
         str(ROOT)],
        check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    wheel = next((tmp_path / "dist").glob("*.whl"))
    sdist = next((tmp_path / "dist").glob("*.tar.gz"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    for package in (sdist, wheel):  # the sdist builds and installs too; the wheel is kept
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--force-reinstall",
             "--no-deps" if package is wheel else "--quiet", str(package)],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
    from linkcheck import __version__

    version = subprocess.run(
        [str(venv / "bin" / "linkcheck"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"linkcheck, version {__version__}"
    (tmp_path / "doc.md").write_text("[x](missing.md)\n")
    extracted = subprocess.run(
        [str(venv / "bin" / "linkcheck"), "extract", "doc.md", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(extracted.stdout)["citations"][0]["url"] == "missing.md"
