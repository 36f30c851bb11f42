"""From table to reported estimate: intervals, bootstrap, warnings, strata, the synthetic truth."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palermo.errors import CaptureTableError, ScenarioError
from palermo.estimate import (
    CaptureTable,
    EstimateNamespace,
    MSEResult,
    StratifiedResult,
    estimate,
    read_scenario,
    threshold_sweep,
)
from palermo.estimate._intervals import parametric_bootstrap, profile_interval, wald_log_interval
from palermo.estimate._perturb import miss_links, over_merge, persons, perturb
from palermo.estimate._select import select
from tests.estimate.helpers import table, write


def test_uk_reproduction_stepwise(uk: CaptureTable) -> None:
    """Home Office (Silverman 2014): between 10,000 and 13,000 victims in total in 2013."""
    result = estimate(uk, method="stepwise")
    assert 10_000 <= result.estimate <= 13_000
    lo, hi = result.interval
    assert hi is not None and lo < result.estimate < hi
    assert 9_000 < lo < 10_500 and 12_500 < hi < 14_000
    assert result.observed == 2744
    assert result.unseen == pytest.approx(result.estimate - 2744)


def test_profile_interval_properties(uk5: CaptureTable) -> None:
    fit = select(uk5, "main").best
    lo, hi = profile_interval(uk5, fit)
    wlo, whi = wald_log_interval(fit)
    assert hi is not None
    assert lo < fit.estimate < hi
    assert (
        abs(lo - wlo) / fit.estimate < 0.02 and abs(hi - whi) / fit.estimate < 0.02
    )  # large counts: they agree
    lo90, hi90 = profile_interval(uk5, fit, level=0.90)
    assert hi90 is not None and lo < lo90 < hi90 < hi


def test_unbounded_upper_limit_is_reported_as_none() -> None:
    t = table("ABC", A=400, B=350, C=500, AB=1)
    fit = select(t, "main").best
    lo, hi = profile_interval(t, fit)
    assert hi is None and lo >= t.observed
    result = estimate(t, method="main")
    assert any(w.startswith("No upper limit") for w in result.warnings)
    assert result.to_dict()["interval"][1] is None


def test_bootstrap_is_seeded(uk5: CaptureTable) -> None:
    fit = select(uk5, "stepwise").best
    a = parametric_bootstrap(uk5, fit, 60, seed=4)
    b = parametric_bootstrap(uk5, fit, 60, seed=4)
    c = parametric_bootstrap(uk5, fit, 60, seed=5)
    assert a.interval == b.interval and a.estimates == b.estimates
    assert a.interval != c.interval
    assert a.failed == 0 and len(a.estimates) == 60
    assert a.interval[0] < fit.estimate < a.interval[1]


def test_result_json_shape(uk: CaptureTable) -> None:
    data = estimate(uk, method="stepwise", bootstrap=20, seed=1).to_dict()
    assert list(data)[:5] == ["observed", "estimate", "interval", "model", "warnings"]
    assert data["observed"] == 2744
    assert isinstance(data["estimate"], int) and len(data["interval"]) == 2
    assert data["interval_method"].startswith("parametric bootstrap")
    assert data["bootstrap"]["replicates"] == 20 and data["bootstrap"]["model_reselected"] is True
    assert set(data["intervals"]) == {"profile_likelihood", "wald_log", "bootstrap"}
    assert data["competing_models"][0]["aic"] <= data["competing_models"][-1]["aic"]
    assert sum(r["count"] for r in data["table"]) == 2744
    json.dumps(data)  # plain JSON


def test_warnings_speak_of_assumptions_and_of_this_table(uk: CaptureTable) -> None:
    warnings = estimate(uk, merge={"PF+NCA": ["PF", "NCA"]}).warnings
    starts = [w.split(":")[0] for w in warnings]
    for needed in ("Closed population", "Perfect linkage", "Homogeneity", "Sparse table", "Merged lists"):
        assert needed in starts
    sparse = next(w for w in warnings if w.startswith("Sparse table"))
    assert "LA and GP" in sparse


def test_bad_inputs_never_give_a_silent_number(tmp_path: Path) -> None:
    with pytest.raises(CaptureTableError, match="at least 3 informative lists"):
        estimate(table("ABC", A=3, AB=2, B=4))  # C has no case: two lists remain
    with pytest.raises(CaptureTableError, match="not a list of interactions"):
        estimate(table("ABC", A=3, AB=2, B=4, C=1, AC=1), model="A:Q")
    with pytest.raises(ValueError, match="unknown method"):
        estimate(table("ABC", A=3, AB=2, B=4, C=1, AC=1), method="magic")


def test_stratified_estimate_adds_up(tmp_path: Path, mse_dir: Path) -> None:
    uk_rows = (mse_dir / "UKdat.csv").read_text().splitlines()
    lines = ["LA,NG,PF,GO,GP,NCA,region,count"]
    for row in uk_rows[1:]:
        *bits, n = row.split(",")
        half = int(n) // 2
        lines.append(",".join([*bits, "north", str(half)]))
        lines.append(",".join([*bits, "south", str(int(n) - half)]))
    path = write(tmp_path / "strata.csv", "\n".join(lines) + "\n")
    result = EstimateNamespace().mse(path, stratify="region", method="main")
    assert isinstance(result, StratifiedResult)
    assert set(result.strata) == {"north", "south"}
    assert result.observed == 2744
    assert result.estimate == pytest.approx(sum(r.estimate for r in result.strata.values()))
    lo, hi = result.interval
    assert hi is not None and lo < result.estimate < hi
    data = result.to_dict()
    assert data["stratified_by"] == "region" and data["strata"]["north"]["stratum"] == "north"


def test_scenario_truth(world: Path) -> None:
    t = read_scenario(world, "ESP")
    assert t.k == 3 and t.true_population is not None and t.true_population > t.observed
    result = estimate(t, method="aic")
    data = result.to_dict()
    assert data["true_population"] == t.true_population
    assert isinstance(data["true_inside_interval"], bool)
    with pytest.raises(ScenarioError, match="has no capture histories for country 'XXX'"):
        read_scenario(world, "XXX")
    with pytest.raises(ScenarioError, match="not a generated world"):
        read_scenario(world.parent, "ESP")


masks_st = st.lists(st.integers(1, 15), min_size=1, max_size=200)


@settings(max_examples=60, deadline=None)
@given(masks_st, st.floats(0, 0.9), st.integers(0, 10_000))
def test_missed_links_keep_every_record(masks: list[int], rate: float, seed: int) -> None:
    before = np.array(masks)
    after = miss_links(before, rate, 4, np.random.default_rng(seed))
    per_list = [int(((after >> j) & 1).sum()) for j in range(4)]
    assert per_list == [int(((before >> j) & 1).sum()) for j in range(4)]  # every record kept
    assert len(after) >= len(before) and np.all(after > 0)
    if rate == 0:
        assert np.array_equal(after, before)


@settings(max_examples=60, deadline=None)
@given(masks_st, st.floats(0, 1), st.integers(0, 10_000))
def test_over_merges_join_pairs(masks: list[int], rate: float, seed: int) -> None:
    before = np.array(masks)
    after = over_merge(before, rate, np.random.default_rng(seed))
    pairs = round(rate * len(before) / 2)
    assert len(after) == len(before) - pairs
    assert np.bitwise_or.reduce(after) == np.bitwise_or.reduce(before)


def test_linkage_errors_move_the_estimate_as_expected(world: Path) -> None:
    t = read_scenario(world, "ESP")
    assert len(persons(t)) == t.observed
    base = estimate(t, method="main").estimate
    rng = np.random.default_rng(0)
    missed = estimate(perturb(t, "missed", 0.3, rng), method="main")
    merged = estimate(perturb(t, "merged", 0.3, rng), method="main")
    assert missed.observed > t.observed and missed.estimate > base
    assert merged.observed < t.observed and merged.estimate < base
    assert any("30% of true links dropped" in w for w in missed.warnings)


def test_namespace_runs_on_a_workspace(ws: object, uk: CaptureTable) -> None:
    result = ws.estimate.mse(uk, method="main")  # type: ignore[attr-defined]
    assert isinstance(result, MSEResult) and math.isclose(result.estimate, 12213.995, abs_tol=0.01)


def test_real_linkage_threshold_sweep(world: Path) -> None:
    """Bloom-filter linkage of the world's Spanish agencies at two thresholds: a stricter threshold
    finds fewer links, so more apparent persons and a larger estimate; the same seed, the same sweep."""
    lists = read_scenario(world, "ESP").lists
    sweep = threshold_sweep(world, lists, thresholds=(0.8, 0.95), method="main", seed=3)
    loose, strict = sweep.points
    assert loose.estimate is not None and strict.estimate is not None
    assert strict.persons > loose.persons and strict.estimate > loose.estimate
    assert 0 <= loose.recall <= 1 and strict.recall < loose.recall
    assert sweep.true_persons > 0 and sweep.true_estimate > sweep.true_persons
    again = threshold_sweep(world, lists, thresholds=(0.8, 0.95), method="main", seed=3)
    assert again.to_dict() == sweep.to_dict()


def test_from_a_stored_linkage_run(world: Path, tmp_path: Path) -> None:
    """A run stored by ws.linkage.match is read back as capture histories, one list per agency."""
    import hashlib

    import palermo
    from palermo.linkage import world_inputs

    agencies = ["es-inspeccion", "eu-hotline", "es-policia"]
    inputs = world_inputs(world, tmp_path / "inputs", agencies=agencies)
    key = tmp_path / "key"
    key.write_text(hashlib.sha256(b"estimate-test").hexdigest())
    with palermo.open(tmp_path / "store.duckdb") as ws:
        encoded: list[Path | str] = []
        for agency, path in inputs.items():
            ws.linkage.encode(path, tmp_path / f"{agency}.clk", secret_file=key)
            encoded.append(tmp_path / f"{agency}.clk")
        run = ws.linkage.match(encoded, threshold=0.8)
        assert run.run_id is not None
        t = ws.estimate.from_linkage(run.run_id)
        assert t.lists == tuple(run.sources)
        assert t.observed == run.cluster_count
        assert t.source == f"linkage run {run.run_id}"
        assert ws.estimate.mse(t, method="main").estimate > t.observed
