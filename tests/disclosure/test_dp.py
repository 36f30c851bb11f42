"""dp_counts: public domains, refusals, contribution bounding, the epsilon OpenDP reports, real noise."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palermo.disclosure._dp import (
    DPTable,
    bound_contributions,
    cell_codes,
    count_transformation,
    dp_counts,
    opendp_prelude,
)
from palermo.errors import DisclosureParameterError, QuasiIdentifierError

DOMAINS: dict[str, list[str | None]] = {
    "gender": ["Female", "Male", "Transgender"],
    "region": ["Africa", "Asia", "Europe", None],
}


def small() -> pa.Table:
    return pa.table(
        {
            "gender": ["Female", "Female", "Male", "Female", "Male", "Female"],
            "region": ["Asia", "Asia", "Europe", None, "Asia", "Africa"],
            "person": ["p1", "p1", "p2", "p3", "p3", "p3"],
        }
    )


def test_every_domain_cell_is_released_in_order_even_empty_ones() -> None:
    result = dp_counts(small(), ["gender", "region"], epsilon=1.0, domains=DOMAINS)
    assert isinstance(result, DPTable)
    cells = result.cells
    assert cells.column_names == ["gender", "region", "count"]
    assert cells.num_rows == 3 * 4
    keys = list(zip(cells["gender"].to_pylist(), cells["region"].to_pylist(), strict=True))
    assert keys == [(g, r) for g in DOMAINS["gender"] for r in DOMAINS["region"]]
    assert ("Transgender", "Europe") in keys  # absent from the data, present in the release
    assert min(cells["count"].to_pylist()) >= 0
    assert result.unit == "record" and result.max_contributions == 1
    assert result.mechanism.name == "discrete Laplace" and result.delta == 0.0


def test_counts_are_close_at_a_large_epsilon_and_nulls_count_under_none() -> None:
    result = dp_counts(small(), ["region"], epsilon=200.0, domains=DOMAINS)
    counts = dict(zip(result.cells["region"].to_pylist(), result.cells["count"].to_pylist(), strict=True))
    assert counts == {"Africa": 1, "Asia": 3, "Europe": 1, None: 1}


@pytest.mark.parametrize("epsilon", [0.0, -1.0, math.nan, math.inf])
def test_epsilon_must_be_a_positive_finite_number(epsilon: float) -> None:
    with pytest.raises(DisclosureParameterError, match="epsilon"):
        dp_counts(small(), ["gender"], epsilon=epsilon, domains=DOMAINS)


@pytest.mark.parametrize("epsilon", ["1", True, None])
def test_epsilon_must_be_a_number(epsilon: Any) -> None:
    with pytest.raises(DisclosureParameterError, match="epsilon must be a number"):
        dp_counts(small(), ["gender"], epsilon=epsilon, domains=DOMAINS)


@pytest.mark.parametrize("delta", [-0.1, 1.0, 1.5, math.nan])
def test_delta_must_lie_in_zero_one(delta: float) -> None:
    with pytest.raises(DisclosureParameterError, match="delta"):
        dp_counts(small(), ["gender"], epsilon=1.0, delta=delta, domains=DOMAINS)


def test_unknown_columns_are_quasi_identifier_errors() -> None:
    with pytest.raises(QuasiIdentifierError, match="'age'"):
        dp_counts(small(), ["gender", "age"], epsilon=1.0, domains=DOMAINS)
    with pytest.raises(QuasiIdentifierError, match="person_id"):
        dp_counts(small(), ["gender"], epsilon=1.0, domains=DOMAINS, person_id="who")


def test_values_outside_the_domain_are_refused_without_other_and_never_named() -> None:
    data = small().set_column(0, "gender", pa.array(["Female", "Secret", "Male", "Male", "Male", "Male"]))
    with pytest.raises(DisclosureParameterError, match="outside its public domain") as info:
        dp_counts(data, ["gender"], epsilon=1.0, domains=DOMAINS)
    assert "Secret" not in str(info.value)
    domains = {"gender": ["Female", "Male", "Other"]}
    result = dp_counts(data, ["gender"], epsilon=200.0, domains=domains, other="Other")
    assert result.cells["count"].to_pylist() == [1, 4, 1]
    with pytest.raises(DisclosureParameterError, match="'other'"):
        dp_counts(data, ["gender"], epsilon=1.0, domains=DOMAINS, other="Other")


def test_domain_problems_are_refused() -> None:
    with pytest.raises(DisclosureParameterError, match="no public categories"):
        dp_counts(small(), ["gender", "region"], epsilon=1.0, domains={"gender": ["Female", "Male"]})
    with pytest.raises(DisclosureParameterError, match="twice"):
        dp_counts(small(), ["gender"], epsilon=1.0, domains={"gender": ["Female", "Male", "Male"]})
    with pytest.raises(DisclosureParameterError, match="must be a list"):
        dp_counts(small(), "gender", epsilon=1.0, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="empty"):
        dp_counts(small().slice(0, 0), ["gender"], epsilon=1.0, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="max_contributions"):
        dp_counts(small(), ["gender"], epsilon=1.0, domains=DOMAINS, person_id="person", max_contributions=0)


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.integers(0, 12), min_size=1, max_size=200),
    m=st.integers(1, 5),
)
def test_contribution_bounding_keeps_at_most_m_rows_per_person(ids: list[int], m: int) -> None:
    kept = bound_contributions(pa.chunked_array([pa.array(ids)]), m)
    assert np.all(np.diff(kept) > 0)  # row indices, in order, none twice
    kept_ids = np.asarray(ids)[kept]
    for person in set(ids):
        assert (kept_ids == person).sum() == min(ids.count(person), m)


def test_person_level_release_bounds_rows_before_the_noise() -> None:
    # p3 has three rows; with m=1 only one of them can be counted
    result = dp_counts(
        small(), ["gender"], epsilon=200.0, domains=DOMAINS, person_id="person", max_contributions=1
    )
    assert sum(result.cells["count"].to_pylist()) == 3
    assert result.unit == "person" and result.max_contributions == 1
    person_null = small().set_column(2, "person", pa.array(["p1", None, "p2", "p3", "p3", "p3"]))
    with pytest.raises(DisclosureParameterError, match="null"):
        dp_counts(person_null, ["gender"], epsilon=1.0, domains=DOMAINS, person_id="person")


def test_a_person_bound_of_m_needs_m_times_the_noise() -> None:
    one = dp_counts(small(), ["gender"], epsilon=1.0, domains=DOMAINS, person_id="person")
    three = dp_counts(
        small(), ["gender"], epsilon=1.0, domains=DOMAINS, person_id="person", max_contributions=3
    )
    assert three.mechanism.scale == pytest.approx(3 * one.mechanism.scale, rel=1e-6)
    assert three.epsilon <= 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    epsilon=st.floats(0.01, 20.0, allow_nan=False),
    delta=st.one_of(st.just(0.0), st.floats(1e-12, 0.1)),
)
def test_reported_epsilon_is_at_most_the_requested(epsilon: float, delta: float) -> None:
    result = dp_counts(small(), ["gender", "region"], epsilon=epsilon, domains=DOMAINS, delta=delta)
    assert 0 < result.epsilon <= epsilon
    assert result.epsilon >= 0.9 * epsilon  # the scale is the smallest within budget, not a loose one
    assert result.delta == delta
    assert result.mechanism.name == ("discrete Laplace" if delta == 0 else "discrete Gaussian (zCDP)")


def test_reported_epsilon_is_what_opendp_maps() -> None:
    dp = opendp_prelude()
    result = dp_counts(small(), ["gender"], epsilon=0.7, domains=DOMAINS)
    histogram = count_transformation(dp, 3, dp.L1Distance[dp.i64])
    space = (histogram.output_domain, histogram.output_metric)
    chain = histogram >> dp.m.make_laplace(*space, scale=result.mechanism.scale)
    assert result.epsilon == chain.map(1)


@settings(max_examples=40, deadline=None)
@given(
    codes=st.lists(st.integers(0, 3), min_size=1, max_size=60),
    codes2=st.lists(st.integers(0, 2), min_size=60, max_size=60),
)
def test_numpy_counts_equal_opendp_counts(codes: list[int], codes2: list[int]) -> None:
    """Palermo counts cells with numpy and noises OpenDP's output; the counts must be OpenDP's own."""
    dp = opendp_prelude()
    second = np.asarray(codes2[: len(codes)])
    cells = cell_codes([np.asarray(codes), second], [4, 3])
    ours = np.bincount(cells, minlength=12).tolist()
    theirs = count_transformation(dp, 12, dp.L2Distance[dp.i64])(cells.tolist())
    assert ours == theirs


def test_noise_is_added_two_releases_differ() -> None:
    data = pa.table({"region": ["Asia"] * 500 + ["Europe"] * 500})
    domains = {"region": [f"r{i}" for i in range(40)] + ["Asia", "Europe"]}
    first = dp_counts(data, ["region"], epsilon=1.0, domains=domains).cells["count"].to_pylist()
    second = dp_counts(data, ["region"], epsilon=1.0, domains=domains).cells["count"].to_pylist()
    truth = [0] * 40 + [500, 500]
    # each release equals the truth with probability about 0.46**2 * 0.73**40 (under 1e-6)
    assert first != truth and second != truth
    assert first != second


def _large() -> tuple[pa.Table, dict[str, list[str | None]], int]:
    cells, per_cell = 1000, 100
    names = [f"c{i:04d}" for i in range(cells)]
    data = pa.table({"cell": pa.array(np.repeat(np.asarray(names, dtype=object), per_cell), pa.string())})
    return data, {"cell": list(names)}, per_cell


def test_mean_laplace_error_matches_its_scale() -> None:
    data, domains, per_cell = _large()
    result = dp_counts(data, ["cell"], epsilon=0.2, domains=domains)
    scale = result.mechanism.scale
    assert scale == pytest.approx(5.0, rel=1e-3)
    alpha = math.exp(-1.0 / scale)
    expected = 2 * alpha / (1 - alpha**2)  # E|X| of the discrete Laplace with this scale
    error = np.abs(np.asarray(result.cells["count"]) - per_cell)  # counts of 100 are never clipped
    # standard error of the mean over 1,000 cells is about 0.16; 15% of 4.97 is 0.75 (~4.7 SE)
    assert error.mean() == pytest.approx(expected, rel=0.15)


def test_mean_gaussian_error_matches_its_scale() -> None:
    data, domains, per_cell = _large()
    result = dp_counts(data, ["cell"], epsilon=1.0, delta=1e-6, domains=domains)
    sigma = result.mechanism.scale
    error = np.abs(np.asarray(result.cells["count"]) - per_cell)
    assert 2.0 < sigma < 10.0
    assert error.mean() == pytest.approx(sigma * math.sqrt(2 / math.pi), rel=0.15)
