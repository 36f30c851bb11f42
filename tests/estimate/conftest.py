"""Fixtures of the estimation tests: the real MSE tables beside the repository, and small tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo.estimate import CaptureTable, read_table_csv


@pytest.fixture(scope="session")
def mse_dir(shared_data: Path) -> Path:
    path = shared_data / "mse"
    if not (path / "UKdat.csv").is_file():
        pytest.skip(f"MSE tables not found at {path} (set PALERMO_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def uk(mse_dir: Path) -> CaptureTable:
    return read_table_csv(mse_dir / "UKdat.csv")[None]


@pytest.fixture(scope="session")
def uk5(mse_dir: Path) -> CaptureTable:
    return read_table_csv(mse_dir / "UKdat_5.csv")[None]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic world (its hidden population is known)."""
    from palermo.scenario import generate

    out = tmp_path_factory.mktemp("estimate-world") / "world"
    generate(3000, 11, out)
    return out
