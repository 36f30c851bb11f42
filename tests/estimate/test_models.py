"""Models: existence and identifiability checks, the fit against statsmodels, model selection."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from palermo.errors import NoIdentifiableModelError
from palermo.estimate import CaptureTable, Model
from palermo.estimate._design import all_pairs, cells_without, full_design, model_columns
from palermo.estimate._fit import Fit, Rejected, fit_model, irls
from palermo.estimate._select import exhaustive, select, stepwise, terms_cap
from tests.estimate.helpers import table


def test_model_names_and_parsing() -> None:
    lists = ("LA", "NG", "PF")
    m = Model.parse("NG:PF, LA:NG", lists)
    assert m.pairs == ((0, 1), (1, 2))
    assert m.label(lists) == "main effects + LA:NG + NG:PF"
    assert Model.parse("main effects + LA:NG + NG:PF", lists) == m
    assert Model.parse("main", lists) == Model()
    for bad in ("LA:XX", "LA", "LA:LA"):
        with pytest.raises(ValueError):
            Model.parse(bad, lists)


def test_fit_matches_statsmodels(uk: CaptureTable) -> None:
    for pairs in [(), ((0, 1), (2, 3)), ((1, 2), (2, 3), (2, 5), (3, 4))]:
        fit = fit_model(uk, Model(pairs))
        assert isinstance(fit, Fit)
        cells = cells_without(6, ())
        x = full_design(6)[np.ix_(cells, model_columns(6, pairs))]
        ref = sm.GLM(uk.counts[cells], x, family=sm.families.Poisson()).fit()
        assert fit.loglik == pytest.approx(ref.llf, rel=1e-9)
        assert fit.aic == pytest.approx(ref.aic, rel=1e-9)
        assert np.allclose(fit.coef, ref.params, atol=1e-6)
        assert np.allclose(np.sqrt(np.diag(fit.cov)), ref.bse, rtol=1e-4)
    main = fit_model(uk, Model())
    assert isinstance(main, Fit) and main.estimate == pytest.approx(12213.995, abs=0.01)


def test_pair_that_never_overlaps_is_held_at_its_boundary(uk: CaptureTable) -> None:
    fit = fit_model(uk, Model.parse("LA:GP", uk.lists))  # LA and GP share no case
    assert isinstance(fit, Fit)
    assert fit.boundary == ("LA:GP",)
    assert "LA:GP" not in fit.names
    assert len(fit.cells) == 63 - 16  # histories holding both LA and GP are left out
    assert fit.n_params == 1 + 6 + 1  # still counted by AIC and BIC
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * 8)


def test_non_existence_is_detected_and_named() -> None:
    t = table("ABC", A=5, AB=9, C=6, BC=17)  # B alone empty, A and C never together
    result = fit_model(t, Model.parse("A:C", t.lists))
    assert isinstance(result, Rejected)
    assert result.check.identifiable and not result.check.exists
    assert result.check.not_finite == ("(intercept)", "A", "C")
    assert result.check.zero_cells == (2,)  # B alone would be fitted as 0
    assert "does not exist" in result.reason


def test_non_identifiability_is_detected_and_named() -> None:
    t = table("ABC", A=5, AB=9, C=6, BC=17)
    result = fit_model(t, Model(all_pairs(3)))
    assert isinstance(result, Rejected)
    assert not result.check.identifiable
    assert "(intercept)" in result.check.not_identifiable
    assert "not identifiable" in result.reason


def test_no_identifiable_model_is_an_error_naming_parameters() -> None:
    t = table("ABC", A=5, B=4, C=6)  # no overlap at all: nothing can be said of the unseen
    for method in ("stepwise", "aic", "main"):
        with pytest.raises(NoIdentifiableModelError) as info:
            select(t, method)
        assert info.value.parameters
        assert "(intercept)" in info.value.parameters


_tables = st.lists(st.integers(0, 12), min_size=7, max_size=7).filter(lambda c: sum(c) > 0)


@settings(max_examples=120, deadline=None)
@given(_tables, st.sets(st.sampled_from(all_pairs(3))))
def test_check_agrees_with_what_newton_does(counts: list[int], pairs: set[tuple[int, int]]) -> None:
    """Where the check says the estimate exists, Newton converges to finite values with zero score;
    where it says not, an unchecked fit drifts to the boundary (a fitted zero or huge coefficients)."""
    t = CaptureTable(("A", "B", "C"), np.array([0, *counts]))
    model = Model.of(pairs)
    result = fit_model(t, model)
    if isinstance(result, Fit):
        assert np.all(np.isfinite(result.coef)) and np.max(np.abs(result.coef)) < 40
        score = result.design.T @ (result.counts - result.fitted)
        assert np.max(np.abs(score)) < 1e-5 * (t.observed + 1)
        return
    if not result.check.identifiable:
        return
    boundary = [p for p in model.pairs if t.overlap(*p) == 0]
    cells = cells_without(3, tuple(boundary))
    x = full_design(3)[np.ix_(cells, model_columns(3, [p for p in model.pairs if p not in boundary]))]
    y = t.counts[cells].astype(float)
    try:
        coef, mu, _ = irls(x, y)
    except FloatingPointError:
        return
    assert np.min(mu[y == 0]) < 1e-4 or np.max(np.abs(coef)) > 8


def test_exhaustive_five_list_uk(uk5: CaptureTable) -> None:
    sel = exhaustive(uk5, "aic")
    assert sel.searched == 2**10 and sel.rejected == 0 and sel.max_terms is None
    aics = [c.aic for c in sel.candidates]
    assert aics == sorted(aics)
    assert sel.best.aic == pytest.approx(aics[0])
    assert 10_000 <= sel.best.estimate <= 13_000
    bic = exhaustive(uk5, "bic")
    assert bic.best.bic == min(c.bic for c in bic.candidates)


def test_stepwise_uk_reproduces_the_published_range(uk: CaptureTable) -> None:
    sel = stepwise(uk)
    assert 10_000 <= sel.best.estimate <= 13_000
    assert sel.steps[0].startswith("start: main effects")
    assert sel.steps[1].startswith("add PF:NCA")  # the strongest dependence: police and NCA
    assert sel.steps[-1].startswith("stop")
    assert sel.best.label.startswith("main effects + LA:NG")


def test_search_is_capped_beyond_six_lists() -> None:
    assert terms_cap(15, 2**15) == 15
    assert terms_cap(21, 2**15) == 5
    assert terms_cap(28, 2**15) == 4
    rng = np.random.default_rng(3)
    counts = rng.poisson(6, 1 << 7)
    counts[0] = 0
    t = CaptureTable(tuple("ABCDEFG"), counts)
    sel = exhaustive(t, "aic", max_models=100)
    assert sel.max_terms == 1
    assert sel.searched == 1 + 21
    assert all(len(c.model.pairs) <= 1 for c in sel.candidates)


def test_exhaustive_walk_visits_every_model_once() -> None:
    from palermo.estimate._select import _walk

    pairs = all_pairs(4)
    seen = [chosen for chosen, _ in _walk(pairs, len(pairs))]
    assert len(seen) == len(set(seen)) == 2 ** len(pairs)
    expected = {c for r in range(len(pairs) + 1) for c in itertools.combinations(pairs, r)}
    assert set(seen) == expected
