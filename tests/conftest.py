"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import SEEDS


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
