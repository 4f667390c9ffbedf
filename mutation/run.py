"""Mutation testing of the modules that hold verdicts and decisions, with cosmic-ray.

Each target module is mutated one small change at a time (an operator swapped, a constant
changed, a condition negated…) and the tests that should notice are run against each mutant;
a mutant they do not fail on has *survived*: a bug the tests would let through. The work is
done in a scratch copy of ``src/`` and ``tests/`` per module (``.mutation/<module>/``), never in
the working tree, and the copy is what both the tests and the command line they start import
(``PYTHONPATH``); ``--jobs N`` mutates N modules at once, each in its own copy.

Run: ``python mutation/run.py`` for every target (``make mutate``), or name targets:
``python mutation/run.py check/classify.py`` (``make mutate MODULE=check/classify.py``). Only the
definitions that make decisions are mutated (``TARGETS``).
Prints, per module, the mutants, how many survived and the surviving ones' diffs. Equivalent
mutants are counted apart and not shown: one that only changes a type annotation (never
evaluated here: ``from __future__ import annotations``), or ``is`` made ``==``.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutation"

# module (under src/linkcheck/) -> the tests that hold its decisions, and the functions and
# classes that make them (None: the whole module). Mutants elsewhere are not run: a message's
# wording or a transport detail is not a verdict, and each mutant costs seconds.
TARGETS: dict[str, tuple[list[str], list[str] | None]] = {
    "check/classify.py": (["tests/test_check_unit.py", "tests/test_pages_unit.py"], None),
    "check/fetch.py": (
        ["tests/test_check_unit.py"],
        ["_could_be_the_network", "_should_retry", "location_of"],
    ),
    "check/failures.py": (["tests/test_check_unit.py"], ["describe_connect_error"]),
    "fragments/match.py": (
        ["tests/test_fragments.py"],
        [
            "fold_char",
            "fold",
            "FoldedText",
            "find_text_directive",
            "_find",
            "_skip_whitespace",
            "_to_original",
            "matched_text",
        ],
    ),
    "archive/verify.py": (
        ["tests/test_archive_unit.py"],
        ["_judge_page", "_judge_quote", "witness_of", "same_resource", "wayback_parts"],
    ),
    "fix/plan.py": (
        ["tests/test_fixes_unit.py"],
        ["plan_fixes", "_dead", "_with_fragment", "verified_copies"],
    ),
    "fix/rewrite.py": (["tests/test_fixes_unit.py"], ["apply_fixes", "_place"]),
    "model/results.py": (
        ["tests/test_model_unit.py", "tests/test_check_unit.py"],
        ["consecutive_failures", "Result", "unreadable", "CheckRun", "host_of"],
    ),
    "model/archive.py": (["tests/test_model_unit.py"], ["ManifestEntry", "ArchiveRun"]),
    "model/documents.py": (["tests/test_model_unit.py"], ["Site"]),
}
# Seconds for one mutant's tests: a mutant that loops forever is killed (and counts as caught).
TIMEOUT = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="targets (default: all)", metavar="MODULE")
    parser.add_argument("--jobs", type=int, default=1, help="modules mutated at once")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="seconds for one mutant's tests"
    )
    args = parser.parse_args()
    chosen = args.modules or list(TARGETS)
    unknown = [m for m in chosen if m not in TARGETS]
    if unknown:
        print(f"unknown target(s): {', '.join(unknown)}; known: {', '.join(TARGETS)}")
        return 2
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        summary = list(
            pool.map(lambda module: mutate(module, *TARGETS[module], args.timeout), chosen)
        )
    print("\nmodule                  mutants  killed  survived  rate")
    for module, total, survived in summary:
        rate = f"{100 * survived / total:.1f}%" if total else "-"
        print(f"{module:22}  {total:7}  {total - survived:6}  {survived:8}  {rate}")
    return 0


def copy_tree(scratch: Path) -> None:
    """A fresh scratch copy of what the tests need."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("src", "tests", "seeds"):
        shutil.copytree(ROOT / name, scratch / name, ignore=ignore)
    for name in ("pyproject.toml", "action.yml", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, scratch / name)


def mutate(
    module: str, tests: list[str], only: list[str] | None, timeout: float = TIMEOUT
) -> tuple[str, int, int]:
    """Run every mutant of ``module`` (inside the definitions ``only`` names, when given);
    (module, mutants, survivors)."""
    name = module.replace("/", "_").removesuffix(".py")
    scratch = SCRATCH / name
    copy_tree(scratch)
    config, session = scratch / "cosmic-ray.toml", scratch / "session.sqlite"
    # Each mutant pays pytest's start-up: plugins these tests do not need are left out (half).
    flags = "-x -q -p no:cacheprovider -p no:xdist -p no:hypothesispytest"
    command = f"{sys.executable} -m pytest {flags} " + " ".join(tests)
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "src/linkcheck/{module}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(scratch / "src")}
    cosmic_ray = [sys.executable, "-m", "cosmic_ray.cli"]
    started = time.monotonic()
    subprocess.run(
        [*cosmic_ray, "init", str(config), str(session)], cwd=scratch, env=env, check=True
    )
    if only is not None:
        keep_only(session, (scratch / "src" / "linkcheck" / module).read_text(), only)
    baseline = subprocess.run(
        [*cosmic_ray, "baseline", str(config)], cwd=scratch, env=env, capture_output=True, text=True
    )
    if baseline.returncode != 0:
        print(f"{module}: the tests fail without any mutation; fix them first")
        print(baseline.stdout[-2000:], baseline.stderr[-2000:])
        return module, 0, 0
    subprocess.run([*cosmic_ray, "exec", str(config), str(session)], cwd=scratch, env=env)
    total, found = results(session)
    source = (scratch / "src" / "linkcheck" / module).read_text()
    survivors = [s for s in found if not equivalent_mutant(source, s[1], s[2])]
    equivalent = len(found) - len(survivors)
    minutes = (time.monotonic() - started) / 60
    print(
        f"\n== {module}: {total} mutants, {len(survivors)} survived, {equivalent} equivalent "
        f"({minutes:.1f} min)"
    )
    for line, operator, diff in survivors:
        changed = [d for d in diff.splitlines() if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        print(f"-- line {line}: {operator}\n" + "\n".join(changed))
    return module, total - equivalent, len(survivors)


def keep_only(session: Path, source: str, names: list[str]) -> None:
    """Drop the session's mutants outside the top-level definitions (or methods) ``names``."""
    lines: set[int] = set()
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, definitions) and node.name in names and node.end_lineno:
            lines.update(range(node.lineno, node.end_lineno + 1))
    with sqlite3.connect(session) as db:
        outside = [
            job
            for job, row in db.execute("SELECT job_id, start_pos_row FROM mutation_specs")
            if row not in lines
        ]
        db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", [(j,) for j in outside])
        db.executemany("DELETE FROM work_items WHERE job_id = ?", [(j,) for j in outside])


# ``a is b`` made ``a == b`` (or ``is not`` made ``!=``) changes nothing where these modules
# use it: on enum members, None and booleans, equality is identity.
IDENTITY_TO_EQUALITY = frozenset(
    {"core/ReplaceComparisonOperator_Is_Eq", "core/ReplaceComparisonOperator_IsNot_NotEq"}
)


def equivalent_mutant(source: str, operator: str, diff: str) -> bool:
    """A survivor that cannot change behaviour: annotations only, or identity to equality."""
    return operator in IDENTITY_TO_EQUALITY or only_annotations(source, diff)


def only_annotations(source: str, diff: str) -> bool:
    """Does the mutant ``diff`` of ``source`` change nothing but annotations?"""
    try:
        mutated = ast.parse(patched(source, diff))
    except (SyntaxError, ValueError, IndexError):  # a diff that does not fit: not equivalent
        return False
    return _without_annotations(ast.parse(source)) == _without_annotations(mutated)


def _without_annotations(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def patched(source: str, diff: str) -> str:
    """``source`` with a unified ``diff`` applied (hunks in order, context trusted)."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    body = diff.splitlines(keepends=True)
    index = 0
    while index < len(body):
        header = body[index]
        index += 1
        if not header.startswith("@@"):
            continue
        start = int(header.split()[1].split(",")[0].lstrip("-")) - 1
        out += lines[position:start]
        position = start
        while index < len(body) and not body[index].startswith("@@"):
            line = body[index]
            index += 1
            if line.startswith(" "):
                out.append(lines[position])
                position += 1
            elif line.startswith("-"):
                position += 1
            elif line.startswith("+"):
                out.append(line[1:])
    out += lines[position:]
    return "".join(out)


def results(session: Path) -> tuple[int, list[tuple[int, str, str]]]:
    """How many mutants ran, and each survivor's (line, operator, diff)."""
    with sqlite3.connect(session) as db:
        total = db.execute("SELECT count(*) FROM work_results").fetchone()[0]
        rows = db.execute(
            "SELECT s.start_pos_row, s.operator_name, r.diff FROM work_results r"
            " JOIN mutation_specs s ON s.job_id = r.job_id"
            " WHERE r.test_outcome = 'SURVIVED' ORDER BY s.start_pos_row"
        ).fetchall()
    return int(total), [(int(line), str(op), str(diff)) for line, op, diff in rows]


if __name__ == "__main__":
    sys.exit(main())
