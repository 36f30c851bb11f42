"""Shared helpers for the screening tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from palermo.screening import ScreeningNamespace, builtin_catalogue


def screening_input(
    indicators: dict[str, str] | None = None,
    *,
    age: int | None = 30,
    age_uncertain: bool = False,
    sex: str = "female",
    accompanied: bool | None = None,
    stage: str = "destination",
    exploitation: str = "labour",
    **journey: bool | None,
) -> dict[str, Any]:
    return {
        "person": {"age": age, "age_uncertain": age_uncertain, "sex": sex, "accompanied": accompanied},
        "stage": stage,
        "exploitation": exploitation,
        "journey": journey,
        "indicators": dict(indicators or {}),
    }


@pytest.fixture
def ns() -> Iterator[ScreeningNamespace]:
    yield ScreeningNamespace()


@pytest.fixture(scope="session")
def catalogue() -> Any:
    return builtin_catalogue()
