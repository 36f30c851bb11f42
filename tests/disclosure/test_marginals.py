"""marginal_error against a brute-force count of every k-way cell."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palermo.disclosure._marginals import marginal_error
from palermo.errors import DisclosureParameterError, QuasiIdentifierError

COLUMNS = ["a", "b", "c"]
Row = tuple[str | None, str | None, str | None]


def table(rows: Sequence[Row]) -> pa.Table:
    return pa.table({name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(COLUMNS)})


def brute_force(original: Sequence[Row], synthetic: Sequence[Row], length: int) -> dict[int, float]:
    scale = len(original) / len(synthetic)
    result = {}
    for k in range(1, length + 1):
        error, cells = 0.0, 0
        for combo in itertools.combinations(range(len(COLUMNS)), k):
            a = Counter(tuple(r[i] for i in combo) for r in original)
            b = Counter(tuple(r[i] for i in combo) for r in synthetic)
            for cell in set(a) | set(b):
                error += abs(a[cell] - b[cell] * scale)
                cells += 1
        result[k] = error / cells
    return result


values = st.sampled_from(["x", "y", "z", None])
rows = st.lists(st.tuples(values, st.sampled_from(["1", "2"]), values), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(original=rows, synthetic=rows, length=st.integers(1, 3))
def test_marginal_error_equals_a_brute_force_count(
    original: list[Row], synthetic: list[Row], length: int
) -> None:
    got = marginal_error(table(original), table(synthetic), COLUMNS, length)
    expected = brute_force(original, synthetic, length)
    assert list(got) == list(range(1, length + 1))
    for k in expected:
        assert got[k] == pytest.approx(expected[k], rel=1e-12, abs=1e-12)


def test_a_worked_example() -> None:
    original: list[Row] = [("x", "1", "x"), ("x", "1", "y"), ("y", "2", None)]
    synthetic: list[Row] = [("x", "1", "x"), ("z", "2", None), ("x", "2", "y")]
    got = marginal_error(table(original), table(synthetic), COLUMNS, 1)
    # a: x 2-2, y 1-0, z 0-1 -> 2 over 3 cells; b: 1 2-1, 2 1-2 -> 2 over 2; c: x, y, None all 1-1 -> 0
    assert got == {1: pytest.approx(4 / 8)}


def test_the_same_records_in_another_order_or_repeated_have_no_error() -> None:
    original: list[Row] = [("x", "1", "x"), ("x", "1", "y"), ("y", "2", None), ("z", "1", "z")]
    assert marginal_error(table(original), table(original[::-1]), COLUMNS) == {1: 0.0, 2: 0.0, 3: 0.0}
    assert marginal_error(table(original), table(original * 3), COLUMNS) == {1: 0.0, 2: 0.0, 3: 0.0}


def test_values_are_compared_as_strings() -> None:
    original = pa.table({"year": pa.array([2019, 2020, 2020])})
    synthetic = pa.table({"year": pa.array(["2019", "2020", "2020"])})
    assert marginal_error(original, synthetic, ["year"], 1) == {1: 0.0}


def test_bad_arguments_are_refused() -> None:
    data = table([("x", "1", "x")])
    with pytest.raises(QuasiIdentifierError):
        marginal_error(data, data, ["a", "nope"], 1)
    with pytest.raises(DisclosureParameterError, match="length"):
        marginal_error(data, data, COLUMNS, 4)
    with pytest.raises(DisclosureParameterError, match="length"):
        marginal_error(data, data, COLUMNS, 0)
    with pytest.raises(DisclosureParameterError, match="empty"):
        marginal_error(data, data.slice(0, 0), COLUMNS, 1)
