"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SEEDS


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
