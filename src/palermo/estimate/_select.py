"""Choose the model: exhaustive search by AIC or BIC over two-way interaction models, or a forward
stepwise search, or main effects only, or a model named by the user.

Every candidate passes the existence and identifiability checks before it is compared; those that
fail are counted and the parameters they could not estimate are kept for the report.

Exhaustive search walks the models depth first, each child adding one pair after its parent's last,
so that every fit starts from its parent's coefficients. With ``P = k(k-1)/2`` pairs there are
``2**P`` models: all of them up to 6 lists (32,768); beyond that the search keeps to models with at
most as many interactions as ``max_models`` allows, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from scipy.stats import chi2, norm

from palermo.errors import NoIdentifiableModelError
from palermo.estimate._design import Model, Pair, all_pairs
from palermo.estimate._fit import Fit, Rejected, fit_model, start_for
from palermo.estimate._table import CaptureTable

Method = Literal["aic", "bic", "stepwise", "main", "fixed"]
METHODS: tuple[str, ...] = ("aic", "bic", "stepwise", "main")
MAX_MODELS = 1 << 15
P_THRESHOLD = 0.05


@dataclass(frozen=True)
class Scored:
    """One fitted candidate, kept light: what the criteria and the comparison table need."""

    model: Model
    label: str
    loglik: float
    n_params: int
    unseen: float
    observed: int

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + math.log(self.observed) * self.n_params

    @property
    def estimate(self) -> float:
        return self.observed + self.unseen

    @classmethod
    def of(cls, fit: Fit) -> Scored:
        return cls(fit.model, fit.label, fit.loglik, fit.n_params, fit.unseen, fit.observed)

    def criterion(self, name: str) -> float:
        return self.bic if name == "bic" else self.aic


@dataclass(frozen=True)
class Selection:
    """The chosen fit, the candidates compared (best first) and what could not be fitted."""

    method: str
    criterion: str
    best: Fit
    candidates: tuple[Scored, ...]
    rejected: int = 0
    rejected_examples: tuple[Rejected, ...] = ()
    unestimable: tuple[str, ...] = ()
    searched: int = 0
    max_terms: int | None = None
    steps: tuple[str, ...] = field(default=())


class _Rejections:
    def __init__(self) -> None:
        self.count = 0
        self.examples: list[Rejected] = []
        self.params: dict[str, None] = {}

    def add(self, rejected: Rejected) -> None:
        self.count += 1
        if len(self.examples) < 5:
            self.examples.append(rejected)
        for name in (*rejected.check.not_identifiable, *rejected.check.not_finite):
            self.params.setdefault(name, None)


def terms_cap(n_pairs: int, max_models: int) -> int:
    """Largest number of interactions r such that all models with at most r fit in ``max_models``."""
    total, r = 0, 0
    while r <= n_pairs:
        total += math.comb(n_pairs, r)
        if total > max_models:
            return r - 1
        r += 1
    return n_pairs


def _walk(
    pairs: tuple[Pair, ...], max_terms: int
) -> Iterator[tuple[tuple[Pair, ...], tuple[Pair, ...] | None]]:
    """Every subset of ``pairs`` with at most ``max_terms`` members, depth first, with its parent."""
    stack: list[tuple[tuple[Pair, ...], int, tuple[Pair, ...] | None]] = [((), 0, None)]
    while stack:
        chosen, nxt, parent = stack.pop()
        yield chosen, parent
        if len(chosen) < max_terms:
            for idx in range(len(pairs) - 1, nxt - 1, -1):
                stack.append(((*chosen, pairs[idx]), idx + 1, chosen))


def _no_model(table: CaptureTable, rejections: _Rejections, what: str) -> NoIdentifiableModelError:
    params = list(rejections.params)
    named = f": cannot estimate {', '.join(params)}" if params else ""
    return NoIdentifiableModelError(
        f"no {what} model of {table.source or 'this table'} has a maximum-likelihood estimate that exists "
        f"and is identifiable{named}",
        params,
    )


def exhaustive(table: CaptureTable, criterion: str, *, max_models: int = MAX_MODELS) -> Selection:
    """Fit every two-way interaction model (within ``max_models``) and rank them by ``criterion``."""
    pairs = all_pairs(table.k)
    cap = terms_cap(len(pairs), max_models)
    starts: dict[tuple[Pair, ...], dict[str, float]] = {}
    scored: list[Scored] = []
    rejections = _Rejections()
    best: Fit | None = None
    best_value = math.inf
    for chosen, parent in _walk(pairs, cap):
        model = Model(chosen)
        start = start_for(starts.get(parent) if parent is not None else None, table, model)
        result = fit_model(table, model, start=start)
        if isinstance(result, Rejected):
            rejections.add(result)
            continue
        if len(chosen) < cap:
            starts[chosen] = result.coefficient_map()
        score = Scored.of(result)
        scored.append(score)
        if score.criterion(criterion) < best_value:
            best, best_value = result, score.criterion(criterion)
    if best is None:
        raise _no_model(table, rejections, "two-way interaction")
    scored.sort(key=lambda s: s.criterion(criterion))
    return Selection(
        method=criterion,
        criterion=criterion,
        best=best,
        candidates=tuple(scored),
        rejected=rejections.count,
        rejected_examples=tuple(rejections.examples),
        unestimable=tuple(rejections.params),
        searched=len(scored) + rejections.count,
        max_terms=None if cap == len(pairs) else cap,
    )


def stepwise(table: CaptureTable, *, p_threshold: float = P_THRESHOLD, test: str = "lr") -> Selection:
    """Forward selection after Bales, Hesketh and Silverman: from main effects, add the interaction
    that lowers AIC most, as long as AIC falls and the test of the added term has p-value below
    ``p_threshold``. ``test="lr"`` (default) is the likelihood-ratio test; ``test="wald"`` is the
    Wald test of the published method, which cannot pass a term held at its boundary (p = 1)."""
    if test not in ("lr", "wald"):
        raise ValueError(f"unknown test {test!r} (lr or wald)")
    rejections = _Rejections()
    current = fit_model(table, Model())
    if isinstance(current, Rejected):
        rejections.add(current)
        raise _no_model(table, rejections, "main-effects")
    visited: dict[Model, Scored] = {current.model: Scored.of(current)}
    steps: list[str] = [f"start: {current.label} (AIC {current.aic:.2f}, estimate {current.estimate:,.0f})"]
    while True:
        best: Fit | None = None
        for pair in all_pairs(table.k):
            if pair in current.model.pairs:
                continue
            model = current.model.add(pair)
            cand = fit_model(table, model, start=start_for(current.coefficient_map(), table, model))
            if isinstance(cand, Rejected):
                rejections.add(cand)
                continue
            visited[model] = Scored.of(cand)
            if best is None or cand.aic < best.aic:
                best = cand
        if best is None or best.aic >= current.aic:
            steps.append("stop: no interaction lowers AIC")
            break
        added = best.model.terms(table.lists)[best.model.pairs.index(_new_pair(current.model, best.model))]
        p_value = _p_value(current, best, added, test)
        if p_value >= p_threshold:
            steps.append(f"stop: best addition {added} has p = {p_value:.3g} >= {p_threshold}")
            break
        steps.append(f"add {added}: AIC {best.aic:.2f}, p = {p_value:.3g}, estimate {best.estimate:,.0f}")
        current = best
    ranked = sorted(visited.values(), key=lambda s: s.aic)
    return Selection(
        method="stepwise",
        criterion="aic",
        best=current,
        candidates=tuple(ranked),
        rejected=rejections.count,
        rejected_examples=tuple(rejections.examples),
        unestimable=tuple(rejections.params),
        searched=len(visited) + rejections.count,
        steps=tuple(steps),
    )


def _p_value(current: Fit, best: Fit, added: str, test: str) -> float:
    if test == "lr":
        return float(chi2.sf(2.0 * (best.loglik - current.loglik), 1))
    if added in best.boundary:
        return 1.0
    index = best.names.index(added)
    z = float(best.coef[index]) / math.sqrt(max(float(best.cov[index, index]), 1e-300))
    return float(2.0 * norm.sf(abs(z)))


def _new_pair(old: Model, new: Model) -> Pair:
    return next(p for p in new.pairs if p not in old.pairs)


def fixed(table: CaptureTable, model: Model, method: str = "fixed") -> Selection:
    """Fit one given model; refuse it, naming the parameters at fault, if it fails a check."""
    result = fit_model(table, model)
    if isinstance(result, Rejected):
        rejections = _Rejections()
        rejections.add(result)
        raise NoIdentifiableModelError(
            f"model '{result.label}' cannot be fitted to {table.source or 'this table'}: {result.reason}",
            list(rejections.params),
        )
    return Selection(method=method, criterion="aic", best=result, candidates=(Scored.of(result),), searched=1)


def select(
    table: CaptureTable,
    method: str = "aic",
    *,
    model: Model | None = None,
    p_threshold: float = P_THRESHOLD,
    max_models: int = MAX_MODELS,
    test: str = "lr",
) -> Selection:
    """Run ``method``: ``aic`` or ``bic`` (exhaustive), ``stepwise``, ``main``, or ``fixed`` (``model``)."""
    if model is not None:
        return fixed(table, model)
    if method in ("aic", "bic"):
        return exhaustive(table, method, max_models=max_models)
    if method == "stepwise":
        return stepwise(table, p_threshold=p_threshold, test=test)
    if method == "main":
        return fixed(table, Model(), method="main")
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
