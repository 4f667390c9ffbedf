"""The seams: modules import alone and only downward, and every option is written once."""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import pytest

from linkcheck import PROJECT_URL, __version__
from linkcheck.cli import cli
from linkcheck.cli.options import ARCHIVE_SETTINGS, CHECK_SETTINGS, Setting
from linkcheck.cli.settings import PER_COMMAND, setting_keys, settings_defaults

SOURCE = Path(__file__).resolve().parent.parent / "src" / "linkcheck"
README = (SOURCE.parent.parent / "README.md").read_text(encoding="utf-8")
MODULES = sorted(
    ".".join(("linkcheck", *path.relative_to(SOURCE).with_suffix("").parts)).removesuffix(
        ".__init__"
    )
    for path in SOURCE.rglob("*.py")
    if path.name != "__main__.py"  # runs the command line: not for importing
)
COMMANDS = {name: command for name, command in cli.commands.items() if name != "cache"}

# What each part of the package may import from linkcheck, besides its own modules. Stages
# import downward (vocabulary, settings, shared network code) and other stages' public faces only.
VOCABULARY = {"linkcheck", "linkcheck.model", "linkcheck.errors"}
ALLOWED = {
    "linkcheck.model": {"linkcheck.errors"},
    "linkcheck.net": VOCABULARY,
    "linkcheck.extract": VOCABULARY,
    "linkcheck.cache": VOCABULARY,
    "linkcheck.fix": VOCABULARY | {"linkcheck.extract"},
    "linkcheck.fragments": VOCABULARY | {"linkcheck.extract"},
    "linkcheck.registries": VOCABULARY | {"linkcheck.config", "linkcheck.net"},
    "linkcheck.check": VOCABULARY
    | {"linkcheck.config", "linkcheck.net", "linkcheck.fragments", "linkcheck.registries"},
    "linkcheck.archive": VOCABULARY | {"linkcheck.config", "linkcheck.net", "linkcheck.fragments"},
    "linkcheck.report": VOCABULARY | {"linkcheck.config", "linkcheck.net"},
}


def imports_of(module: str) -> set[str]:
    """Every linkcheck module ``module`` imports, at the top, in functions or for typing."""
    parts = module.split(".")
    path = SOURCE.joinpath(*parts[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES}


def part_of(module: str) -> str:
    """``linkcheck.check.fetch`` → ``linkcheck.check``; top-level modules are their own part."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_every_module_imports_alone_on_a_fresh_interpreter() -> None:
    def import_alone(module: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
        )
        return module, done.stderr.strip().splitlines()[-1] if done.returncode else ""

    with ThreadPoolExecutor(4) as pool:
        failures = {m: error for m, error in pool.map(import_alone, MODULES) if error}
    assert len(MODULES) > 40
    assert failures == {}


@pytest.mark.parametrize("module", MODULES)
def test_stages_import_only_downward(module: str) -> None:
    part = part_of(module)
    if part not in ALLOWED:
        return  # cli, options, pipeline, documents…: the layers that assemble the stages
    allowed = ALLOWED[part]
    wrong = {
        name
        for name in imports_of(module)
        if part_of(name) != part
        and name not in allowed
        and part_of(name)
        not in allowed
        - {
            "linkcheck.extract",  # another stage: its public face only, not its insides
            "linkcheck.fragments",
        }
        and not (part_of(name) == "linkcheck.model" and part == "linkcheck.model")
    }
    assert wrong == set(), f"{module} reaches into {sorted(wrong)}"


def test_the_import_rules_catch_a_stage_reaching_into_another() -> None:
    # The rule above must be able to fail: the archive stage once took check's insides.
    allowed = ALLOWED["linkcheck.archive"]
    assert (
        "linkcheck.check.fetch" not in allowed and part_of("linkcheck.check.fetch") not in allowed
    )
    assert "linkcheck.fragments" in ALLOWED["linkcheck.check"]
    assert "linkcheck.fragments.match" not in ALLOWED["linkcheck.check"]


def _readme_rows() -> dict[str, str]:
    """README option-table rows: flag → default column (tables with a default column only)."""
    rows = {}
    for line in README.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) == 3 and cells[0].startswith("`-"):
            for flag in re.findall(r"--[a-z][a-z-]*", cells[0]):
                rows[flag] = cells[1]
    return rows


def _readme_value(text: str) -> str:
    return text.strip("`").replace("<version>", __version__).replace("<url>", PROJECT_URL)


@pytest.mark.parametrize("setting", CHECK_SETTINGS + ARCHIVE_SETTINGS, ids=lambda s: s.flag)
def test_a_default_is_written_once(setting: Setting) -> None:
    """The help's default, the config dataclass's default and the README's agree."""
    field = {f.name: f for f in dataclasses.fields(setting.config)}[setting.field]
    command = COMMANDS["archive" if setting in ARCHIVE_SETTINGS else "check"]
    (param,) = [p for p in command.params if setting.flag in p.opts]
    assert param.default == setting.default
    if not setting.syntax.multiple:
        given = (
            param.default
            if param.default is None
            else param.type.convert(param.default, param, None)
        )
        assert setting.syntax.parse(given, "-") == field.default
    readme = _readme_rows().get(setting.flag)
    assert readme is not None, f"{setting.flag} is not in the README's options tables"
    if setting.syntax.is_flag or setting.syntax.multiple or setting.default in ("", None):
        assert readme == ""
    elif isinstance(param.type, click.types._NumberParamTypeBase):
        assert float(_readme_value(readme)) == float(setting.default)
    else:
        assert _readme_value(readme) == str(setting.default)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_documented_and_has_a_settings_key(name: str, tmp_path: Path) -> None:
    command = COMMANDS[name]
    keys = setting_keys(command)
    options = [p for p in command.params if isinstance(p, click.Option)]
    assert len(keys) == len(options)
    for key, param_name in keys:
        (param,) = [p for p in options if p.name == param_name]
        flag = next(o for o in param.opts if o.startswith("--"))
        assert f"`{flag}" in README or f", {flag}" in README, f"{flag} is not in the README"
        assert f"`{key.replace('_', '-')}`" in README, f"settings key {key} is not in the README"
        assert param.help, f"{flag} has no help text"
    # Every key is accepted in a settings file, with the option's own default as its value.
    settings = {key: p.default for key, name in keys for p in options if p.name == name}
    settings = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in settings.items()
        if isinstance(value, str | int | float | bool | tuple)  # not None, nor click's UNSET
    }
    defaults = settings_defaults(settings, tmp_path / "linkcheck.toml", COMMANDS, print)
    # output, format and quiet at the top level are check's alone (others take them in a table)
    expected = {
        p for key, p in keys if key in settings and (name == "check" or key not in PER_COMMAND)
    }
    assert set(defaults[name]) == expected


# The package's first screen: the vocabulary, the settings, the pipeline, and a folder a stage.
TOP_LEVEL = {"__init__.py", "__main__.py", "model", "errors.py", "config", "pipeline.py"}
STAGES = {
    "cli", "extract", "check", "registries", "fragments", "archive", "fix", "report", "cache",
    "net",
}  # fmt: skip
LONGEST = 400  # lines a module may have


def test_the_first_screen_shows_the_pipeline() -> None:
    shown = {p.name for p in SOURCE.iterdir() if p.name not in ("__pycache__", "schemas")}
    assert shown == TOP_LEVEL | STAGES


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_too_long_to_read(module: str) -> None:
    parts = module.split(".")
    path = SOURCE.joinpath(*parts[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST, f"{module} has {lines} lines: split it by what its parts do"


def _source(module: str) -> str:
    parts = module.split(".")
    path = SOURCE.joinpath(*parts[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("module", MODULES)
def test_only_the_cache_package_touches_the_cache_file(module: str) -> None:
    """Rows become objects in one place: SQLite is imported only by the cache's stores."""
    if part_of(module) == "linkcheck.cache":
        return
    tree = ast.parse(_source(module))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert "sqlite3" not in imported, (
        f"{module} opens SQLite itself: add a store to linkcheck.cache"
    )
    stores = {
        "linkcheck.cache." + name
        for name in ("database", "results", "fingerprints", "snapshots", "copies", "schema")
    }
    assert not imported & stores, f"{module} reaches into the cache's insides"


def test_every_table_is_made_by_a_migration_step_and_cleared_by_cache_clear(
    tmp_path: Path,
) -> None:
    import sqlite3

    from linkcheck.cache import Cache
    from linkcheck.cache.schema import STEPS, TABLES, migrate
    from linkcheck.model import FetchResult, Status, Work

    db = sqlite3.connect(":memory:")
    migrate(db)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == set(TABLES)
    assert [step.version for step in STEPS] == list(range(1, len(STEPS) + 1))
    with Cache(tmp_path / "cache.db") as cache:  # a row in every table, through every store
        cache.fingerprints.seen("https://e.example/", b"\x01" * 8, 1.0)
        cache.results.put("https://e.example/", FetchResult(Status.OK, "200 OK", 200))
        cache.results.flush()
        cache.snapshots.put_snapshot("https://e.example/", "20240101000000", "x", "captured")
        cache.snapshots.put_job("https://e.example/", "job")
        cache.copies.put_copies("https://e.example/", [("https://copy.example/", "20240101")])
        cache.copies.put_copy_check("https://copy.example/", "", True, "fine")
        cache.works.put_work("doi:10.1000/x", Work("doi", "10.1000/x", "crossref"))
        cache.works.put_agency("10.1000", "crossref")
        path = cache.path

    def counts() -> dict[str, int]:
        with sqlite3.connect(path) as check:
            return {t: check.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}

    assert all(counts().values()), counts()
    with Cache(path) as cache:
        assert cache.clear() == 1
    assert not any(counts().values()), counts()


FORMAT_MODULES = {
    "linkcheck.model.documents",  # the vocabulary names them
    "linkcheck.extract.formats",  # the registry
    "linkcheck.extract.declaration",
}


# Where a format is named for a reason of its own, not to read documents of it.
NAMED_FORMATS = {
    "linkcheck.extract.documents": {"Format.TEXT"},  # plain text streams by pieces
    "linkcheck.extract.wikidump": {"Format.WIKITEXT"},  # a MediaWiki export's pages
}
EXTENSION_USES = {
    "linkcheck.extract.urls": {".html"},  # a static server's clean URLs: /page serves page.html
    # the manifest's own output formats
    "linkcheck.report.manifest": {".md", ".markdown", ".html", ".htm"},
}


def _format_modules() -> set[str]:
    from linkcheck.extract import FORMATS

    return FORMAT_MODULES | {fmt.reader_module for fmt in FORMATS}


@pytest.mark.parametrize("module", MODULES)
def test_formats_are_known_only_through_the_registry(module: str) -> None:
    """No module but a format's own names a format member, or one of its extensions."""
    from linkcheck.extract import FORMATS

    if module in _format_modules():
        return
    tree = ast.parse(_source(module))
    members = {
        f"Format.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Format"
        and node.attr.isupper()
    }
    assert members <= NAMED_FORMATS.get(module, set()), f"{module} names {members}"
    extensions = {e for fmt in FORMATS for e in (*fmt.extensions, *fmt.by_content) if e}
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    listed = literals & extensions - EXTENSION_USES.get(module, set())
    assert not listed, f"{module} lists format extensions {listed}: ask the registry"


def test_the_registry_and_the_vocabulary_name_the_same_formats() -> None:
    from linkcheck.extract import FORMATS
    from linkcheck.model import Format

    assert [fmt.name for fmt in FORMATS] == sorted(Format, key=[f.name for f in FORMATS].index)
    assert {fmt.name for fmt in FORMATS} == set(Format)
    assert FORMATS[-1].sniff is None  # the fallback comes last, taking what nothing else did


def test_every_declared_reader_is_a_function_of_its_module() -> None:
    from linkcheck.extract import FORMATS
    from linkcheck.extract.declaration import resolve

    for fmt in FORMATS:
        reader = resolve(fmt.reader)
        assert callable(reader) and reader.__module__ == fmt.reader_module, fmt.reader
        if fmt.annotator is not None:
            assert callable(resolve(fmt.annotator)), fmt.annotator


def test_the_readme_and_the_hooks_list_the_registrys_formats() -> None:
    from linkcheck.extract import FORMATS, walked_extensions

    rows = re.findall(r"^\| `([a-z]+)` \| ([^|]+) \| ([^|]*) \| ([^|]*) \|$", README, re.M)
    table = {name: (title.strip(), extensions.strip()) for name, title, extensions, _ in rows}
    for fmt in FORMATS:
        shown = ", ".join(f"`{e}`" for e in (*fmt.extensions, *fmt.by_content) if e)
        assert table.get(fmt.name.value) == (fmt.title, shown), f"README's row for {fmt.name}"
    assert len(table) == len(FORMATS)
    hooks = (SOURCE.parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for files in re.findall(r"files: '(.*)'", hooks):
        pattern = re.compile(files)
        assert {e for e in walked_extensions() if pattern.search("doc" + e)} == walked_extensions()
        assert not pattern.search("sitemap.xml") and not pattern.search("setup.py")


def test_the_format_rules_can_fail() -> None:
    # A module that named a format or listed its extensions would be caught.
    tree = ast.parse('if fmt is Format.HTML and name.endswith(".htm"): pass')
    assert any(isinstance(n, ast.Attribute) and n.attr == "HTML" for n in ast.walk(tree))
    assert ".htm" in {
        e for fmt in __import__("linkcheck.extract").extract.FORMATS for e in fmt.extensions
    }
