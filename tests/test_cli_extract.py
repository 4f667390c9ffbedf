"""`linkcheck extract` end to end: inputs, outputs and every bad input a user can cause."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers import run_linkcheck as run

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def citations_json(*args: str, cwd: Path | None = None) -> dict[str, object]:
    result = run("extract", "--format", "json", *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_missing_path_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path / "nope.md"))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"linkcheck: error: {tmp_path / 'nope.md'}: no such file or directory"
    )
    assert "Traceback" not in result.stderr


def test_glob_matching_nothing_is_exit_2(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path / "*.md"))
    assert result.returncode == 2
    assert "no files match this pattern" in result.stderr


def test_empty_directory(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path))
    assert result.returncode == 0
    assert result.stderr.strip() == "linkcheck: no documents found"


def test_binary_files_are_skipped_and_other_encodings_read(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02https://e.com/x")
    (tmp_path / "latin1.md").write_bytes("caf\xe9 [x](https://e.com/l)".encode("latin-1"))
    (tmp_path / "ok.md").write_text("[ok](https://e.com/ok)", encoding="utf-8")
    result = run("extract", "--format", "json", str(tmp_path))
    assert result.returncode == 0
    assert f"{tmp_path / 'bin.txt'}: skipped: binary file" in result.stderr
    assert f"{tmp_path / 'latin1.md'}: not UTF-8 (byte 0xe9 at offset 3): read as Windows-1252" in (
        result.stderr
    )
    urls = [c["url"] for c in json.loads(result.stdout)["citations"]]
    assert urls == ["https://e.com/l", "https://e.com/ok"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "a.md").write_bytes("# Title\n\n[x](https://e.com/é)\n".encode(encoding))
    payload = citations_json(str(tmp_path / "a.md"))
    assert [(c["url"], c["line"], c["column"]) for c in payload["citations"]] == [  # type: ignore[index, union-attr]
        ("https://e.com/é", 3, 5)
    ]


def test_stdin_is_read_and_sniffed() -> None:
    result = run("extract", "--format", "json", "-", stdin=b"see [a](https://e.com/a)\n")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["documents"] == [{"file": "<stdin>", "format": "markdown", "citations": 1}]


def test_directory_walk_skips_vendored_and_gitignored(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/\n*.draft.md\n")
    for name in (
        "a.md",
        "b.draft.md",
        "build/c.md",
        "node_modules/d.md",
        ".git/e.md",
        "sub/f.html",
        "g.png",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[x](https://e.com/x)")
    payload = citations_json(str(tmp_path), "--exclude-path", "sub/")
    files = [Path(d["file"]).relative_to(tmp_path).as_posix() for d in payload["documents"]]  # type: ignore[index, union-attr]
    assert files == ["a.md"]


def test_glob_and_format_override(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("# not markdown here\nhttps://e.com/t\n")
    payload = citations_json(str(tmp_path / "*.txt"), "--format-of", "txt=text")
    assert payload["documents"] == [
        {"file": str(tmp_path / "a.txt"), "format": "text", "citations": 1}
    ]


def test_bad_format_override_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    result = run("extract", str(tmp_path), "--format-of", "txt=word")
    assert result.returncode == 2
    assert result.stderr.strip().startswith(
        "linkcheck: error: --format-of 'txt=word': unknown format"
    )


def test_csv_and_text_outputs(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("[a](https://e.com/a)\n")
    out = tmp_path / "out.csv"
    assert run("extract", "--format", "csv", "-o", str(out), str(doc)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["url"], r["line"], r["column"], r["role"]) for r in rows] == [
        ("https://e.com/a", "1", "5", "link")
    ]
    text = run("extract", "--format", "text", str(doc)).stdout
    assert text == f"{doc}:1:5\tlink\thttp\thttps://e.com/a\n"


def test_table_output_lists_locations(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("[a](https://e.com/a)\n")
    result = run("extract", "--format", "table", "a.md", cwd=tmp_path)
    assert "a.md:1:5" in result.stdout and "https://e.com/a" in result.stdout
    assert "1 citations in 1 documents" in result.stdout


def test_unknown_option_is_exit_2() -> None:
    result = run("extract", "--bogus", "x")
    assert result.returncode == 2
    assert "No such option '--bogus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("linkcheck, version ")


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[a](https://e.com/a)\n")
    result = run("extract", "a.md", "-o", str(tmp_path / "missing-dir" / "out.json"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("linkcheck: error: cannot write ")
    assert "Traceback" not in result.stderr


def test_declared_and_detected_encodings(tmp_path: Path) -> None:
    page = '<meta charset="shift_jis"><a href="https://e.com/テスト">リンク</a>'
    (tmp_path / "declared.html").write_bytes(page.encode("shift_jis"))
    front = "---\nencoding: koi8-r\n---\n[Привет](https://e.com/k)\n"
    (tmp_path / "front.md").write_bytes(front.encode("koi8_r"))
    russian = "Привет мир, это тест ссылки [ссылка](https://e.com/r)\n" * 3
    (tmp_path / "guess.md").write_bytes(russian.encode("cp1251"))
    result = run("extract", "--format", "json", str(tmp_path))
    assert result.returncode == 0, result.stderr
    found = {(c["url"], c["text"]) for c in json.loads(result.stdout)["citations"]}
    assert found == {
        ("https://e.com/テスト", "リンク"),
        ("https://e.com/k", "Привет"),
        ("https://e.com/r", "ссылка"),
    }
    # Only the guess is reported, and it says what was assumed.
    assert "declared.html" not in result.stderr and "front.md" not in result.stderr
    assert f"{tmp_path / 'guess.md'}: not UTF-8 (byte 0xcf at offset 0): detected as cp1251" in (
        result.stderr
    )


def test_valid_utf8_wins_over_a_quoted_declaration(tmp_path: Path) -> None:
    text = '# Encodings\n\n    <meta charset="shift_jis">\n\n[café](https://e.com/é)\n'
    (tmp_path / "tutorial.md").write_text(text, encoding="utf-8")
    result = run("extract", "--format", "json", str(tmp_path))
    assert result.returncode == 0 and result.stderr == ""
    found = [(c["url"], c["text"]) for c in json.loads(result.stdout)["citations"]]
    assert found == [("https://e.com/é", "café")]
