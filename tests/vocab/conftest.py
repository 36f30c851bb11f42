"""Fixtures of the vocabulary tests: the real reference files beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def reference_dir() -> Path:
    """``../shared/data`` beside the repository, or ``$PALERMO_SHARED_DATA``."""
    env = os.environ.get("PALERMO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    path = reference_dir()
    if not path.is_dir():
        pytest.skip(f"shared reference data not found at {path} (set PALERMO_SHARED_DATA to its folder)")
    return path


def need(path: Path) -> Path:
    """``path`` if it exists, else skip the test saying which file is missing."""
    if not path.exists():
        pytest.skip(f"reference file {path} is absent")
    return path
