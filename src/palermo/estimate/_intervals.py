"""Confidence intervals for the total population: profile likelihood, parametric bootstrap, Wald.

Profile likelihood (Cormack 1992, as in Rcapture's ``closedpCI``): for a candidate total ``N`` the
unseen cell gets ``N - n`` persons, the model is fitted to the completed table, and the multinomial
log-likelihood of the whole table is kept. The interval holds every ``N`` whose log-likelihood is
within ``chi2_1(level) / 2`` of the best. It accounts for the randomness of the unseen count itself
and is not symmetric, as the uncertainty of a population count should not be.

Parametric bootstrap: complete tables are drawn from the fitted model (multinomial with the estimated
total and fitted cell probabilities, the unseen cell included), the unseen cell is hidden, the model is
refitted (and, on request, chosen again), and the percentile interval of the new estimates is reported.
The generator is seeded, so the same seed gives the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2, norm

from palermo.estimate._design import full_design, model_columns
from palermo.estimate._fit import Fit, Rejected, fit_model, irls, start_for
from palermo.estimate._table import CaptureTable

UNBOUNDED_FACTOR = 1000.0


def wald_log_interval(fit: Fit, level: float = 0.95) -> tuple[float, float]:
    """Normal interval for the log of the unseen count, shifted by the observed (SparseMSE's default)."""
    z = float(norm.ppf(0.5 + level / 2))
    se = math.sqrt(max(float(fit.cov[0, 0]), 0.0))
    b0 = float(fit.coef[0])
    return fit.observed + math.exp(b0 - z * se), fit.observed + math.exp(b0 + z * se)


def _profile_function(table: CaptureTable, fit: Fit) -> Callable[[float], float]:
    """Multinomial log-likelihood of the completed table as a function of the total ``N``."""
    k = table.k
    estimable = [p for p in fit.model.pairs if table.overlap(*p) > 0]
    cells = np.concatenate([[0], fit.cells])
    x = full_design(k)[np.ix_(cells, model_columns(k, estimable))]
    y_obs = table.counts[fit.cells].astype(np.float64)
    n = float(table.observed)
    constant = -float(np.sum(gammaln(y_obs + 1.0)))
    start = [fit.coef.copy()]

    def loglik(total: float) -> float:
        unseen = total - n
        y = np.concatenate([[unseen], y_obs])
        try:
            coef, mu, _ = irls(x, y, start[0])
        except FloatingPointError:  # no fit at this total: treat it as far outside the interval
            return -1e18
        start[0] = coef
        p = mu / mu.sum()
        observed_part = float(
            np.sum(np.where(y_obs > 0, y_obs * np.log(np.where(y_obs > 0, p[1:], 1.0)), 0.0))
        )
        unseen_part = unseen * math.log(p[0]) if unseen > 0 else 0.0
        return float(gammaln(total + 1.0) - gammaln(unseen + 1.0)) + constant + unseen_part + observed_part

    return loglik


def profile_interval(table: CaptureTable, fit: Fit, level: float = 0.95) -> tuple[float, float | None]:
    """Profile-likelihood interval for the total; the upper end is ``None`` when the likelihood stays
    within the cut-off up to ``UNBOUNDED_FACTOR`` times the observed count."""
    n = float(table.observed)
    loglik = _profile_function(table, fit)
    cut = float(chi2.ppf(level, 1)) / 2.0
    centre = fit.estimate
    lo_edge = n + 0.5
    try:
        best = minimize_scalar(
            lambda t: -loglik(t),
            bracket=(max(lo_edge, centre * 0.98), centre, centre * 1.02 + 1.0),
            method="brent",
        )
        peak_at, peak = float(best.x), -float(best.fun)
        if peak_at < lo_edge or not math.isfinite(peak):
            raise ValueError
    except (ValueError, FloatingPointError):
        peak_at, peak = centre, loglik(centre)

    def gap(total: float) -> float:
        return peak - loglik(total) - cut

    lower = n if gap(lo_edge) <= 0 else brentq(gap, lo_edge, peak_at, xtol=0.01)
    span = max(peak_at - n, 10.0)
    upper_edge = peak_at + span
    limit = n * UNBOUNDED_FACTOR + 1000.0
    while gap(upper_edge) <= 0:
        if upper_edge >= limit:
            return float(lower), None
        span *= 2.0
        upper_edge = min(peak_at + span, limit)
    upper = brentq(gap, peak_at, upper_edge, xtol=0.01)
    return float(lower), float(upper)


@dataclass(frozen=True)
class Bootstrap:
    """Parametric bootstrap result: percentile interval and what went into it."""

    interval: tuple[float, float]
    replicates: int
    failed: int
    seed: int
    reselected: bool
    standard_error: float
    estimates: tuple[float, ...]


def parametric_bootstrap(
    table: CaptureTable,
    fit: Fit,
    replicates: int,
    *,
    seed: int = 0,
    level: float = 0.95,
    refit: Callable[[CaptureTable], float] | None = None,
) -> Bootstrap:
    """Draw ``replicates`` tables from ``fit``, re-estimate, return the percentile interval.

    ``refit`` (table -> estimate) re-runs a whole model choice on each replicate; without it the chosen
    model is refitted. Replicates where no estimate can be made are counted in ``failed``.
    """
    rng = np.random.default_rng(seed)
    total = round(fit.estimate)
    probs = np.concatenate([[fit.unseen], fit.fitted])
    probs = probs / probs.sum()
    known = fit.coefficient_map()
    estimates: list[float] = []
    failed = 0
    for _ in range(replicates):
        draw = rng.multinomial(total, probs)
        counts = np.zeros(1 << table.k, dtype=np.int64)
        counts[fit.cells] = draw[1:]
        replica = CaptureTable(table.lists, counts, source=table.source)
        try:
            if refit is not None:
                estimates.append(refit(replica))
                continue
            result = fit_model(replica, fit.model, start=start_for(known, replica, fit.model))
        except Exception:  # any failure of one replicate is counted, never silent
            failed += 1
            continue
        if isinstance(result, Rejected) or not math.isfinite(result.estimate):
            failed += 1
            continue
        estimates.append(result.estimate)
    if not estimates:
        return Bootstrap((math.nan, math.nan), replicates, failed, seed, refit is not None, math.nan, ())
    values = np.array(estimates)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [tail, 1.0 - tail])
    return Bootstrap(
        interval=(float(lo), float(hi)),
        replicates=replicates,
        failed=failed,
        seed=seed,
        reselected=refit is not None,
        standard_error=float(values.std(ddof=1)) if len(values) > 1 else math.nan,
        estimates=tuple(float(v) for v in values),
    )
