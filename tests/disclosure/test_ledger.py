"""The ledger's budget never goes over its total, whatever sequence of releases is asked for."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import palermo
from palermo.disclosure import _ledger
from palermo.errors import PrivacyBudgetError
from palermo.store import Store


def _insert(store: Store, n: int, epsilon: float, delta: float) -> None:
    store.execute(
        "INSERT INTO releases VALUES (?, ?, 'p', 'a', 'v', 1, 1, 0, NULL, ?, ?, ?, 'sha', 'dir', 'x')",
        [f"R{n}", datetime(2026, 1, 1), epsilon, delta, json.dumps({})],
    )


@settings(max_examples=25, deadline=None)
@given(
    total=st.floats(0.1, 20),
    asks=st.lists(st.tuples(st.floats(0.0, 5.0), st.floats(0.0, 1e-5)), min_size=1, max_size=12),
)
def test_the_budget_is_never_exceeded(total: float, asks: list[tuple[float, float]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = palermo.open(Path(folder) / "palermo.duckdb")
        try:
            _spend(ws.store, total, asks)
        finally:
            ws.close()


def _spend(store: Store, total: float, asks: list[tuple[float, float]]) -> None:
    """Ask for each release in turn; record it only when the ledger accepts it."""
    for n, (epsilon, delta) in enumerate(asks):
        state = _ledger.budget(store, total, 2e-5)
        try:
            _ledger.check_budget(state, epsilon, delta)
        except PrivacyBudgetError as exc:
            assert "nothing was written" in str(exc)
            assert state.epsilon_spent + epsilon > total or state.delta_spent + delta > 2e-5
            continue
        _insert(store, n, epsilon, delta)
        after = _ledger.budget(store, total, 2e-5)
        assert after.epsilon_spent <= total + 1e-9
        assert after.delta_spent <= 2e-5 * (1 + 1e-9)
    assert _ledger.budget(store, total, 2e-5).releases <= len(asks)
