"""Fit one Poisson log-linear model to the observed histories of a capture table.

Two lists that never share a case give their interaction a maximum-likelihood value of minus
infinity. As in Chan, Silverman and Vincent (2021), such an interaction is kept at that boundary:
the histories holding both lists are left out of the fit (their expected count is zero), the term
leaves the design, and it still counts as a parameter in AIC and BIC.

The fit itself is Newton's method (iteratively reweighted least squares) on the remaining histories,
run only after the model passes the existence and identifiability checks of ``_checks``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.linalg import lapack
from scipy.special import gammaln

from palermo.estimate._checks import Check, check
from palermo.estimate._design import Model, cells_without, design_rows, model_columns, parameter_names
from palermo.estimate._table import CaptureTable

MAX_ITER = 100
_posv = lapack.get_lapack_funcs("posv", (np.zeros((1, 1)),))


@dataclass(frozen=True)
class Fit:
    """A fitted model: coefficients, fitted counts, likelihood and the estimate it implies."""

    model: Model
    lists: tuple[str, ...]
    names: tuple[str, ...]
    coef: np.ndarray
    design: np.ndarray
    cells: np.ndarray
    counts: np.ndarray
    fitted: np.ndarray
    loglik: float
    boundary: tuple[str, ...]
    observed: int
    iterations: int

    @cached_property
    def cov(self) -> np.ndarray:
        """Inverse Fisher information of the estimated parameters."""
        x = self.design
        inverse: np.ndarray = np.linalg.inv(x.T @ (self.fitted[:, None] * x))
        return inverse

    @property
    def deviance(self) -> float:
        return poisson_deviance(self.counts, self.fitted)

    @property
    def label(self) -> str:
        return self.model.label(self.lists)

    @property
    def n_params(self) -> int:
        """Parameters counted by the criteria: those estimated plus those held at the boundary."""
        return len(self.names) + len(self.boundary)

    @property
    def unseen(self) -> float:
        """Expected count of the history recorded by no list: exp(intercept)."""
        return math.exp(float(self.coef[0]))

    @property
    def estimate(self) -> float:
        return self.observed + self.unseen

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + math.log(self.observed) * self.n_params

    @property
    def residual_df(self) -> int:
        return len(self.cells) - len(self.names)

    def coefficient_map(self) -> dict[str, float]:
        return dict(zip(self.names, self.coef.tolist(), strict=True))

    def coefficients(self) -> dict[str, dict[str, float]]:
        se = np.sqrt(np.clip(np.diag(self.cov), 0.0, None))
        return {
            n: {"estimate": float(b), "se": float(s)}
            for n, b, s in zip(self.names, self.coef, se, strict=True)
        }


@dataclass(frozen=True)
class Rejected:
    """A model that was not fitted, and why (its check names the parameters at fault)."""

    model: Model
    lists: tuple[str, ...]
    check: Check

    @property
    def label(self) -> str:
        return self.model.label(self.lists)

    @property
    def reason(self) -> str:
        return self.check.reason()


def poisson_loglik(y: np.ndarray, mu: np.ndarray) -> float:
    safe = np.where(y > 0, mu, 1.0)
    return float(np.sum(y * np.log(safe) - mu - gammaln(y + 1.0)))


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    ratio = np.where(y > 0, y / np.where(y > 0, mu, 1.0), 1.0)
    return float(2.0 * np.sum(y * np.log(ratio) - (y - mu)))


def irls(
    x: np.ndarray, y: np.ndarray, start: np.ndarray | None = None, offset: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Poisson regression with log link by Newton's method with step halving.

    Returns ``(coef, mu, iterations)``; raises ``FloatingPointError`` when it does not converge.
    The deviance is tracked as ``2 * sum(mu - y * eta)`` plus a constant, which is cheaper and
    decides the same steps.
    """
    off = np.zeros(len(y)) if offset is None else offset
    if start is None:
        # one weighted least-squares step from mu = y + 1/2, as glm starts
        mu0 = y + 0.5
        beta, ok = _solve_spd(x.T @ (mu0[:, None] * x), x.T @ (mu0 * (np.log(mu0) - off) + (y - mu0)))
        if not ok:
            raise FloatingPointError("singular information matrix")
    else:
        beta = start.copy()
    eta = x @ beta + off
    mu = np.exp(eta)
    dev = float(mu.sum() - y @ eta)
    scale = float(y.sum()) + 1.0
    for it in range(1, MAX_ITER + 1):
        score = x.T @ (y - mu)
        info = x.T @ (mu[:, None] * x)
        step, ok = _solve_spd(info, score)
        if not ok:
            raise FloatingPointError("singular information matrix")
        t = 1.0
        while True:
            cand = beta + t * step
            eta_c = np.minimum(x @ cand + off, 700.0)
            mu_c = np.exp(eta_c)
            dev_c = float(mu_c.sum() - y @ eta_c)
            if dev_c <= dev + 1e-12 * scale or t < 1e-8:
                break
            t *= 0.5
        beta, mu = cand, mu_c
        if abs(dev - dev_c) <= 1e-11 * scale:
            return beta, mu, it
        dev = dev_c
    raise FloatingPointError(f"no convergence in {MAX_ITER} iterations")


def _solve_spd(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, bool]:
    """Solve ``a x = b`` for symmetric positive definite ``a`` (LAPACK posv, no Python checks)."""
    _, x, info = _posv(a, b, lower=1, overwrite_a=0, overwrite_b=0)
    return x, info == 0


def empty_pairs(table: CaptureTable, model: Model) -> tuple[tuple[int, int], ...]:
    """The model's pairs of lists that share no case."""
    return tuple(p for p in model.pairs if table.overlap(*p) == 0)


def start_for(known: dict[str, float] | None, table: CaptureTable, model: Model) -> np.ndarray | None:
    """Starting coefficients for ``model`` from known ones (a related fit's), 0 for a new term."""
    if known is None:
        return None
    names = parameter_names(table.lists, Model(tuple(p for p in model.pairs if table.overlap(*p) > 0)))
    return np.array([known.get(n, 0.0) for n in names])


def fit_model(table: CaptureTable, model: Model, *, start: np.ndarray | None = None) -> Fit | Rejected:
    """Check, then fit ``model`` to ``table``. A model that fails a check comes back ``Rejected``."""
    k = table.k
    boundary = empty_pairs(table, model)
    estimable = tuple(p for p in model.pairs if p not in boundary)
    cells = cells_without(k, boundary)
    x = design_rows(k, boundary)[:, model_columns(k, estimable)]
    y = table.counts[cells].astype(np.float64)
    names = parameter_names(table.lists, Model(estimable))
    verdict = check(x, y, names, cells)
    if not verdict.ok:
        return Rejected(model, table.lists, verdict)
    try:
        coef, mu, iterations = irls(x, y, start)
    except FloatingPointError:
        return Rejected(model, table.lists, Check(identifiable=True, exists=False, not_finite=tuple(names)))
    return Fit(
        model=model,
        lists=table.lists,
        names=tuple(names),
        coef=coef,
        design=x,
        cells=cells,
        counts=y,
        fitted=mu,
        loglik=poisson_loglik(y, mu),
        boundary=tuple(f"{table.lists[i]}:{table.lists[j]}" for i, j in boundary),
        observed=table.observed,
        iterations=iterations,
    )
