"""The JSON report and the manifest follow the schemas shipped in the package, and say which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeweb import Host

import linkcheck
from helpers import SCHEMAS, run_linkcheck, validate_json_files, validate_output
from linkcheck.report.manifest import MANIFEST_SCHEMA_VERSION
from linkcheck.report.results import REPORT_SCHEMA_VERSION


def test_the_schemas_are_shipped_and_name_the_current_versions() -> None:
    shipped = Path(linkcheck.__file__).parent / "schemas"
    assert shipped == SCHEMAS
    report = json.loads((shipped / "report.schema.json").read_text())
    manifest = json.loads((shipped / "manifest.schema.json").read_text())
    assert report["properties"]["schema_version"] == {"const": REPORT_SCHEMA_VERSION}
    assert manifest["properties"]["schema_version"] == {"const": MANIFEST_SCHEMA_VERSION}


def test_a_report_is_valid_and_a_changed_shape_is_caught(tmp_path: Path, site: Host) -> None:
    (tmp_path / "doc.md").write_text(
        f"[a]({site.url('/ok')}#:~:text=Hello) [b]({site.url('/gone')})\n"
    )
    done = run_linkcheck("check", "doc.md", "--format", "json", "--no-cache", cwd=tmp_path)
    payload = json.loads(done.stdout)
    assert payload["schema_version"] == REPORT_SCHEMA_VERSION
    validate_output(payload, "report")  # (run_linkcheck has validated it already)
    payload["results"][0]["new_field"] = 1
    with pytest.raises(AssertionError, match="Additional properties are not allowed"):
        validate_output(payload, "report")
    del payload["results"][0]["new_field"]
    payload["results"][0]["status"] = "gone"
    with pytest.raises(AssertionError, match="results/0/status"):
        validate_output(payload, "report")
    # The files a test writes are checked too.
    (tmp_path / "written.json").write_text(json.dumps(payload))
    with pytest.raises(AssertionError):
        validate_json_files(tmp_path)
    (tmp_path / "written.json").unlink()


def test_merge_refuses_a_report_from_a_newer_linkcheck(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(
        json.dumps({"schema_version": REPORT_SCHEMA_VERSION + 1, "summary": {}, "results": []})
    )
    done = run_linkcheck("merge", "r.json", cwd=tmp_path)
    assert done.returncode == 2
    assert f"schema version {REPORT_SCHEMA_VERSION + 1} (from a newer linkcheck)" in done.stderr
    (tmp_path / "r.json").unlink()  # invalid on purpose: not one of the suite's outputs
