"""The sample documents: the acceptance figures of the extraction issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkcheck.cli import cli

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def test_seed_citations(seeds_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(seeds_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    by_file = {Path(d["file"]).name: d for d in payload["documents"]}
    markdown_seed = by_file["000_e66d45765caffbcb.txt"]
    assert markdown_seed["format"] == "markdown"
    assert markdown_seed["citations"] == 29
    assert by_file["001_1b3a0a909926de04.txt"]["citations"] == 0

    citations = payload["citations"]
    links = [c for c in citations if c["role"] == "link"]
    assert len(links) == 28
    assert len({c["url"] for c in links}) == 27
    assert sum(":~:text=" in c["url"] for c in links) == 5
    assert citations[0]["role"] == "front-matter:source_url"
    assert (citations[0]["line"], citations[0]["column"]) == (4, 13)

    # Every location points at the URL itself in the original file.
    lines = (seeds_dir / "000_e66d45765caffbcb.txt").read_text(encoding="utf-8").splitlines()
    for citation in citations:
        line = lines[citation["line"] - 1]
        assert line[citation["column"] - 1 :].startswith(citation["url"][:40]), citation

    first = links[0]
    assert (first["line"], first["column"], first["text"]) == (17, 13, "1970s")
    wrapped = next(c for c in links if c["text"] == "negative net migration")
    assert (wrapped["line"], wrapped["column"]) == (20, 16)
