"""dp_synthesize: the guarantee it reports, refusals, and marginals kept on real CTDC data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palermo.cases import load_categories
from palermo.disclosure._dp import count_transformation, opendp_prelude
from palermo.disclosure._marginals import marginal_error
from palermo.disclosure._source import read_text_csv
from palermo.disclosure._synth import SynthResult, _estimate, _record_count, _systematic, dp_synthesize
from palermo.errors import DisclosureParameterError, QuasiIdentifierError

CTDC = "ctdc/CTDC_VPsynthetic_condensed.csv"
CTDC_COLUMNS = [
    "yearRegister",
    "gender",
    "majorityStatus",
    "isForcedLabour",
    "isSexualExploit",
    "UN_COO_Region",
    "UN_COE_Region",
]


def read_ctdc(shared_data: Path) -> pa.Table:
    path = shared_data / CTDC
    if not path.is_file():
        pytest.skip(f"{CTDC} not found in the shared data")
    return read_text_csv(path)


def vocabulary_domains() -> dict[str, list[str | None]]:
    """Public domains from the vocabulary (gender is left out: the vocabulary's codes are HTCDS's)."""
    categories = load_categories()

    def codes(name: str) -> list[str | None]:
        return [*(c.code for c in categories[name].codes), None]

    return {
        "yearRegister": codes("registration_period"),
        "majorityStatus": codes("majority_status"),
        "UN_COO_Region": codes("un_region"),
        "UN_COE_Region": codes("un_region"),
        "isForcedLabour": ["1", None],
        "isSexualExploit": ["1", None],
    }


@pytest.fixture(scope="module")
def ctdc(shared_data: Path) -> pa.Table:
    return read_ctdc(shared_data)


def test_ctdc_marginals_are_kept_at_epsilon_4(ctdc: pa.Table) -> None:
    n = ctdc.num_rows
    assert n == 21_195
    result = dp_synthesize(ctdc, CTDC_COLUMNS, epsilon=4.0, domains=vocabulary_domains(), seed=7)
    assert isinstance(result, SynthResult)
    assert result.categories_from_data == ("gender",)
    assert 0 < result.epsilon <= 4.0 and result.delta == 1e-6 and result.reporting_length == 3
    assert abs(result.table.num_rows - n) < 0.01 * n  # the noisy record count
    error = marginal_error(ctdc, result.table, CTDC_COLUMNS, 3)
    assert error[1] < 0.002 * n  # measured about 5 records per 1-way cell (0.03% of n)
    assert error[2] < 0.003 * n
    assert error[3] < 0.004 * n
    # every released value is a public category (the vocabulary's regions include some absent here)
    regions = set(vocabulary_domains()["UN_COO_Region"])
    assert set(result.table["UN_COO_Region"].to_pylist()) <= regions


def test_ctdc_categories_from_data_are_flagged_without_domains(ctdc: pa.Table) -> None:
    result = dp_synthesize(ctdc, CTDC_COLUMNS[:4], epsilon=4.0, reporting_length=2, records=500)
    assert result.categories_from_data == tuple(CTDC_COLUMNS[:4])
    assert result.table.num_rows == 500
    assert result.to_dict()["categories_from_data"] == CTDC_COLUMNS[:4]


def small(rows: int = 300) -> pa.Table:
    rng = np.random.default_rng(3)
    return pa.table(
        {
            "sex": pa.array(rng.choice(["F", "M"], rows, p=[0.7, 0.3])),
            "age": pa.array(
                np.asarray(["minor", "adult", None], dtype=object)[rng.choice(3, rows, p=[0.2, 0.7, 0.1])]
            ),
            "region": pa.array(rng.choice(["Asia", "Europe", "Africa"], rows)),
            "person": pa.array([f"p{i // 2}" for i in range(rows)]),
        }
    )


DOMAINS: dict[str, list[str | None]] = {
    "sex": ["F", "M", "X"],
    "age": ["minor", "adult", None],
    "region": ["Africa", "Asia", "Europe", "Oceania"],
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(epsilon=st.floats(0.05, 10.0), delta=st.floats(1e-12, 1e-3))
def test_reported_epsilon_is_at_most_the_requested(epsilon: float, delta: float) -> None:
    result = dp_synthesize(small(), ["sex", "age", "region"], epsilon=epsilon, delta=delta, domains=DOMAINS)
    assert 0 < result.epsilon <= epsilon
    assert result.epsilon >= 0.99 * epsilon
    assert result.delta == delta and result.rho > 0


def test_reported_epsilon_is_what_opendp_maps_for_the_composed_marginals() -> None:
    dp = opendp_prelude()
    result = dp_synthesize(small(), ["sex", "age", "region"], epsilon=2.0, delta=1e-7, domains=DOMAINS)
    sizes = {"sex": 3, "age": 3, "region": 4}
    cells = [3, 3, 4, 9, 12, 12, 36]  # the 1-, 2- and 3-way marginals, in order
    assert np.prod(list(sizes.values())) == cells[-1]
    chains = []
    for n_cells, length in zip(cells, [1, 1, 1, 2, 2, 2, 3], strict=True):
        histogram = count_transformation(dp, n_cells, dp.L2Distance[dp.i64])
        noise = dp.m.make_gaussian(
            histogram.output_domain, histogram.output_metric, scale=result.scales[length - 1]
        )
        chains.append(histogram >> noise)
    composed = dp.c.make_composition(chains)
    assert composed.map(1) == pytest.approx(result.rho, rel=1e-12)
    approx = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(composed), 1e-7).map(1)
    assert approx[0] == pytest.approx(result.epsilon, rel=1e-12)


def test_values_come_only_from_the_domains_and_records_is_exact() -> None:
    result = dp_synthesize(small(), ["sex", "age", "region"], epsilon=1.0, domains=DOMAINS, records=123)
    assert result.table.num_rows == 123
    assert result.categories_from_data == ()
    for name in ["sex", "age", "region"]:
        assert set(result.table[name].to_pylist()) <= set(DOMAINS[name])


def test_the_noise_is_real_two_syntheses_differ() -> None:
    a = dp_synthesize(small(), ["sex", "age", "region"], epsilon=1.0, domains=DOMAINS, seed=1)
    b = dp_synthesize(small(), ["sex", "age", "region"], epsilon=1.0, domains=DOMAINS, seed=1)
    assert a.table.to_pylist() != b.table.to_pylist()


def test_person_unit_bounds_contributions_and_scales_the_noise() -> None:
    columns = ["sex", "age", "region"]
    record = dp_synthesize(small(), columns, epsilon=1.0, domains=DOMAINS)
    person = dp_synthesize(
        small(), columns, epsilon=1.0, domains=DOMAINS, person_id="person", max_contributions=2
    )
    assert record.unit == "record" and person.unit == "person" and person.max_contributions == 2
    assert person.scales == pytest.approx([2 * s for s in record.scales], rel=1e-6)
    assert person.epsilon <= 1.0


def test_reporting_length_one_and_two() -> None:
    one = dp_synthesize(small(), ["sex", "age", "region"], epsilon=1.0, reporting_length=1, domains=DOMAINS)
    assert one.reporting_length == 1 and len(one.scales) == 1
    two = dp_synthesize(small(), ["sex", "age", "region"], epsilon=1.0, reporting_length=2, domains=DOMAINS)
    assert len(two.scales) == 2 and two.epsilon <= 1.0


def test_bad_arguments_are_refused() -> None:
    data, cols = small(), ["sex", "age", "region"]
    with pytest.raises(DisclosureParameterError, match="delta"):
        dp_synthesize(data, cols, delta=0.0, domains=DOMAINS)
    for epsilon in (0.0, -2.0, float("nan")):
        with pytest.raises(DisclosureParameterError, match="epsilon"):
            dp_synthesize(data, cols, epsilon=epsilon, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="delta"):
        dp_synthesize(data, cols, delta=1.0, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="reporting_length"):
        dp_synthesize(data, cols, reporting_length=4, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="reporting_length"):
        dp_synthesize(data, cols, reporting_length=0, domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="records"):
        dp_synthesize(data, cols, records=0, domains=DOMAINS)
    with pytest.raises(QuasiIdentifierError, match="'nope'"):
        dp_synthesize(data, [*cols, "nope"], domains=DOMAINS)
    with pytest.raises(DisclosureParameterError, match="outside its public domain"):
        dp_synthesize(data, cols, domains={**DOMAINS, "age": ["minor", "adult"]})
    with pytest.raises(DisclosureParameterError, match="empty"):
        dp_synthesize(data.slice(0, 0), cols, domains=DOMAINS)


def test_too_many_cells_are_refused_before_any_noise() -> None:
    wide = {name: [f"v{i}" for i in range(300)] for name in ["a", "b", "c"]}
    data = pa.table({name: ["v1", "v2"] for name in wide})
    with pytest.raises(DisclosureParameterError, match="cells"):
        dp_synthesize(data, ["a", "b", "c"], domains=wide)


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(st.integers(0, 4), min_size=1, max_size=300),
    weights=st.lists(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4), min_size=5, max_size=5),
    seed=st.integers(0, 2**32 - 1),
)
def test_systematic_sampling_puts_each_value_within_one_of_its_expected_count(
    groups: list[int], weights: list[list[float]], seed: int
) -> None:
    conditional = np.asarray(weights) + 1e-3
    conditional /= conditional.sum(axis=1, keepdims=True)
    group = np.asarray(groups, dtype=np.int64)
    child = _systematic(group, conditional, np.random.default_rng(seed))
    assert child.shape == group.shape and child.min() >= 0 and child.max() < 4
    for g in range(5):
        n_g = int((group == g).sum())
        counts = np.bincount(child[group == g], minlength=4)
        assert counts.sum() == n_g
        assert np.all(np.abs(counts - n_g * conditional[g]) < 1 + 1e-9)


def test_estimates_are_non_negative_consistent_and_sum_to_the_record_count() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 50, size=(3, 4)).astype(np.float64)
    measured = {
        (0,): truth.sum(axis=1) + rng.normal(0, 2, 3),
        (1,): truth.sum(axis=0) + rng.normal(0, 2, 4),
        (0, 1): truth + rng.normal(0, 2, (3, 4)),
    }
    variance = dict.fromkeys(measured, 4.0)
    n_hat = _record_count(measured, variance)
    assert abs(n_hat - truth.sum()) < 10
    tables = _estimate(measured, variance, n_hat)
    for table in tables.values():
        assert table.min() >= 0 and table.sum() == pytest.approx(n_hat)
    assert tables[(0, 1)].sum(axis=1) == pytest.approx(tables[(0,)], rel=1e-6)
    assert tables[(0, 1)].sum(axis=0) == pytest.approx(tables[(1,)], rel=1e-3)
    assert np.abs(tables[(0, 1)] - truth).mean() < 3
