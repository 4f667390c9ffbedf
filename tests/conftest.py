"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakewayback import FakeWayback, serve_wayback
from fakeweb import FakeWeb, Host, serve

from helpers import SEEDS, validate_json_files


@pytest.fixture(autouse=True)
def _json_outputs_follow_their_schemas(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, every JSON report or manifest it wrote under its tmp_path is checked
    against the schemas shipped in the package (run_linkcheck checks standard output)."""
    yield
    folder = request.node.funcargs.get("tmp_path") if hasattr(request.node, "funcargs") else None
    if isinstance(folder, Path):
        validate_json_files(folder)


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


# A module that wants a fake web of its own defines its own ``web`` fixture; these use it.
@pytest.fixture(scope="module")
def web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture(scope="module")
def site(web: FakeWeb) -> Iterator[Host]:
    with serve(web, "127.0.0.1") as host:
        yield host


@pytest.fixture(scope="module")
def other_site(web: FakeWeb) -> Iterator[Host]:
    with serve(web, "127.0.0.2") as host:
        yield host


@pytest.fixture
def wayback() -> Iterator[tuple[FakeWayback, str]]:
    """A fresh fake Wayback Machine on loopback: its state, and its base URL."""
    fake = FakeWayback()
    with serve_wayback(fake) as base:
        yield fake, base
