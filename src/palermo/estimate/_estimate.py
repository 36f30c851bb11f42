"""From a capture table to a reported estimate: tidy, choose the model, fit, interval, warnings."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from palermo.errors import CaptureTableError, Problem
from palermo.estimate import _warnings as w
from palermo.estimate._design import Model
from palermo.estimate._fit import Fit
from palermo.estimate._intervals import Bootstrap, parametric_bootstrap, profile_interval, wald_log_interval
from palermo.estimate._select import MAX_MODELS, METHODS, P_THRESHOLD, Selection, select
from palermo.estimate._table import CaptureTable

COMPETING = 10
RESELECT_MAX_MODELS = 1024


@dataclass(frozen=True)
class MSEResult:
    """A population estimate with its interval, model, competing models and warnings.

    ``to_dict()`` gives the JSON the CLI prints: ``observed``, ``estimate``, ``interval``, ``model`` and
    ``warnings`` first, then the details.
    """

    table: CaptureTable
    selection: Selection
    level: float
    profile: tuple[float, float | None]
    wald: tuple[float, float]
    bootstrap: Bootstrap | None
    warnings: tuple[str, ...]

    @property
    def fit(self) -> Fit:
        return self.selection.best

    @property
    def observed(self) -> int:
        return self.table.observed

    @property
    def estimate(self) -> float:
        return self.fit.estimate

    @property
    def unseen(self) -> float:
        return self.fit.unseen

    @property
    def interval(self) -> tuple[float, float | None]:
        """The bootstrap interval when one was asked for, else the profile-likelihood interval."""
        if self.bootstrap is not None and not math.isnan(self.bootstrap.interval[0]):
            return self.bootstrap.interval
        return self.profile

    @property
    def interval_method(self) -> str:
        pct = f"{self.level:.0%}"
        if self.bootstrap is not None and not math.isnan(self.bootstrap.interval[0]):
            return f"parametric bootstrap percentile, {pct}, {self.bootstrap.replicates} replicates"
        return f"profile likelihood, {pct}"

    @property
    def model(self) -> str:
        return self.fit.label

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.interval
        fit, sel = self.fit, self.selection
        out: dict[str, Any] = {
            "observed": self.observed,
            "estimate": round(self.estimate),
            "interval": [math.floor(lo), math.ceil(hi) if hi is not None else None],
            "model": self.model,
            "warnings": list(self.warnings),
            "unseen": round(self.unseen),
            "interval_method": self.interval_method,
            "confidence": self.level,
            "method": sel.method,
            "lists": list(self.table.lists),
            "source": self.table.source,
            "intervals": {
                "profile_likelihood": [_r(self.profile[0]), _r(self.profile[1])],
                "wald_log": [_r(self.wald[0]), _r(self.wald[1])],
            },
            "criteria": {
                "aic": round(fit.aic, 3),
                "bic": round(fit.bic, 3),
                "deviance": round(fit.deviance, 3),
                "residual_df": fit.residual_df,
                "parameters": fit.n_params,
            },
            "boundary_terms": list(fit.boundary),
            "coefficients": {
                n: {k: round(v, 6) for k, v in c.items()} for n, c in fit.coefficients().items()
            },
            "competing_models": [
                {
                    "model": c.label,
                    "estimate": round(c.estimate),
                    "aic": round(c.aic, 3),
                    "bic": round(c.bic, 3),
                }
                for c in sel.candidates[:COMPETING]
            ],
            "models_searched": sel.searched,
            "models_rejected": sel.rejected,
            "rejected_examples": [{"model": r.label, "reason": r.reason} for r in sel.rejected_examples],
            "steps": list(sel.steps),
            "table": self.table.rows(),
        }
        if self.bootstrap is not None:
            b = self.bootstrap
            out["intervals"]["bootstrap"] = [_r(b.interval[0]), _r(b.interval[1])]
            out["bootstrap"] = {
                "replicates": b.replicates,
                "failed": b.failed,
                "seed": b.seed,
                "model_reselected": b.reselected,
                "standard_error": _r(b.standard_error),
            }
        if self.table.true_population is not None:
            out["true_population"] = self.table.true_population
            out["true_inside_interval"] = bool(
                lo <= self.table.true_population <= (hi if hi is not None else math.inf)
            )
        if self.table.stratum is not None:
            out["stratum"] = self.table.stratum
        return out


def _r(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 1)


@dataclass(frozen=True)
class StratifiedResult:
    """One estimate per stratum and their sum. The total's interval adds the strata's bootstrap
    replicates when there are any (strata are independent); otherwise it adds the bounds, which is
    conservative (wider than needed)."""

    covariate: str
    strata: dict[str, MSEResult]
    warnings: tuple[str, ...] = field(default=())

    @property
    def observed(self) -> int:
        return sum(r.observed for r in self.strata.values())

    @property
    def estimate(self) -> float:
        return sum(r.estimate for r in self.strata.values())

    @property
    def interval(self) -> tuple[float, float | None]:
        boots = [r.bootstrap for r in self.strata.values()]
        if all(b is not None and len(b.estimates) > 1 for b in boots):
            n = min(len(b.estimates) for b in boots if b is not None)
            sums = np.sum([np.array(b.estimates[:n]) for b in boots if b is not None], axis=0)
            level = next(iter(self.strata.values())).level
            lo, hi = np.quantile(sums, [(1 - level) / 2, (1 + level) / 2])
            return float(lo), float(hi)
        highs = [r.interval[1] for r in self.strata.values()]
        high = None if any(h is None for h in highs) else sum(h for h in highs if h is not None)
        return sum(r.interval[0] for r in self.strata.values()), high

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.interval
        return {
            "observed": self.observed,
            "estimate": round(self.estimate),
            "interval": [math.floor(lo), math.ceil(hi) if hi is not None else None],
            "model": f"one model per stratum of {self.covariate} (see strata)",
            "warnings": list(self.warnings),
            "stratified_by": self.covariate,
            "strata": {name: r.to_dict() for name, r in self.strata.items()},
        }


def prepare(table: CaptureTable, merge: Mapping[str, Sequence[str]] | None = None) -> CaptureTable:
    """Merge the lists asked for, then drop lists that carry no information; refuse < 3 lists."""
    if merge:
        table = table.merge(merge)
    table = table.tidy()
    table.require_lists()
    return table


def estimate(
    table: CaptureTable,
    *,
    method: str = "aic",
    model: str | None = None,
    merge: Mapping[str, Sequence[str]] | None = None,
    level: float = 0.95,
    bootstrap: int = 0,
    seed: int = 0,
    reselect: bool | None = None,
    p_threshold: float = P_THRESHOLD,
    test: str = "lr",
    max_models: int = MAX_MODELS,
) -> MSEResult:
    """Estimate the total population behind ``table`` (see the package docstring for the choices)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not 0.5 <= level < 1.0:
        raise ValueError("level must be at least 0.5 and below 1")
    table = prepare(table, merge)
    chosen: Model | None = None
    if model is not None:
        try:
            chosen = Model.parse(model, table.lists)
        except ValueError:
            raise CaptureTableError(
                [
                    Problem(
                        None,
                        "model",
                        f"'{model}' is not a list of interactions like A:B,C:D over {', '.join(table.lists)}",
                    )
                ],
                what="model",
            ) from None
    selection = select(table, method, model=chosen, p_threshold=p_threshold, max_models=max_models, test=test)
    fit = selection.best
    profile = profile_interval(table, fit, level)
    boot: Bootstrap | None = None
    notes: list[str] = []
    if reselect is None:  # re-choose the model in each replicate unless that search is large
        reselect = method not in ("aic", "bic") or selection.searched <= RESELECT_MAX_MODELS
        if not reselect and bootstrap > 0 and chosen is None:
            notes.append(
                f"The bootstrap refitted the chosen model without repeating the search over {selection.searched:,} "
                "models, so it leaves out the uncertainty of choosing the model; --method stepwise repeats it."
            )
    if bootstrap > 0:

        def refit(replica: CaptureTable) -> float:
            again = select(
                replica, method, model=chosen, p_threshold=p_threshold, max_models=max_models, test=test
            )
            return again.best.estimate

        boot = parametric_bootstrap(
            table, fit, bootstrap, seed=seed, level=level, refit=refit if reselect else None
        )
    upper = profile[1] if boot is None else boot.interval[1]
    warnings = [
        *w.note_warnings(table),
        *w.merge_warnings(table),
        *w.sparse_warnings(table),
        *w.model_warnings(table, selection, fit),
        *w.interval_warnings(upper, boot.failed if boot else 0, boot.replicates if boot else 0),
        *notes,
        w.CLOSED,
        w.LINKAGE,
        w.HOMOGENEITY,
    ]
    return MSEResult(
        table=table,
        selection=selection,
        level=level,
        profile=profile,
        wald=wald_log_interval(fit, level),
        bootstrap=boot,
        warnings=tuple(warnings),
    )


def estimate_strata(
    tables: Mapping[str | None, CaptureTable], covariate: str, **options: Any
) -> StratifiedResult:
    """One estimate per stratum (same method and options), and their sum."""
    results: dict[str, MSEResult] = {}
    for name, table in tables.items():
        results[str(name)] = estimate(table, **options)
    warnings = [
        f"Stratified by {covariate}: each of the {len(results)} groups has its own model; the total is their sum.",
        w.CLOSED,
        w.LINKAGE,
        w.HOMOGENEITY,
    ]
    if not options.get("bootstrap"):
        warnings.insert(
            1,
            "The total's interval adds the groups' limits, which makes it wider than needed; ask for a bootstrap for a tighter one.",
        )
    return StratifiedResult(covariate, results, tuple(warnings))
