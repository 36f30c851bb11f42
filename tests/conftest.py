"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import palermo
from palermo.workspace import Workspace


def shared_data_dir() -> Path:
    """The real public data beside the repository (../shared/data), or $PALERMO_SHARED_DATA."""
    env = os.environ.get("PALERMO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real reference data not found at {path} (set PALERMO_SHARED_DATA)")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = palermo.open(tmp_path / "store" / "palermo.duckdb")
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's ./.palermo."""
    monkeypatch.setenv("PALERMO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PALERMO_STORE", raising=False)
