"""A store holding a generated world's cases, built once and copied for each test that changes it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import palermo
from palermo.scenario import generate
from palermo.workspace import Workspace


@pytest.fixture(scope="session")
def world_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the cases of a 3,000-person world (about 1,900 victim records)."""
    base = tmp_path_factory.mktemp("disclosure-world")
    generate(3000, 7, base / "world")
    path = base / "store" / "palermo.duckdb"
    ws = palermo.open(path)
    try:
        ws.scenario.load(base / "world")
    finally:
        ws.close()
    return path


@pytest.fixture
def cases_ws(world_store: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace on a fresh copy of the world's store (the ledger starts empty)."""
    copy = tmp_path / "cases" / "palermo.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copy(world_store, copy)
    ws = palermo.open(copy)
    try:
        yield ws
    finally:
        ws.close()
