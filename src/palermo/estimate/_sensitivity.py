"""How the estimate moves with linkage error, and how often its interval holds the truth.

Both studies run on synthetic worlds (``palermo.scenario``), where the hidden population is known.
``sweep`` perturbs one world's true histories (see ``_perturb``) at growing error rates; ``coverage``
generates many seeded worlds and counts how often the interval holds the true population. Plots are
drawn with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import math
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from palermo.estimate._estimate import estimate
from palermo.estimate._perturb import perturb
from palermo.estimate._readers import scenario_histories
from palermo.estimate._table import MIN_LISTS, CaptureTable
from palermo.estimate._threshold import ThresholdSweep

RATES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
KINDS = ("missed", "merged")
KIND_LABEL = {
    "missed": "missed links (true links dropped)",
    "merged": "over-merges (different persons joined)",
}


@dataclass(frozen=True)
class SweepPoint:
    """Medians over the replicates at one error rate."""

    kind: str
    rate: float
    replicates: int
    observed: float
    estimate: float
    lower: float
    upper: float | None
    holds_truth: float  # share of replicates whose interval holds the true population


@dataclass(frozen=True)
class Sensitivity:
    source: str
    lists: tuple[str, ...]
    true_population: int | None
    method: str
    points: tuple[SweepPoint, ...]
    plot: Path | None = None
    thresholds: ThresholdSweep | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "lists": list(self.lists),
            "true_population": self.true_population,
            "method": self.method,
            "plot": str(self.plot) if self.plot else None,
            "points": [
                {
                    "error": p.kind,
                    "rate": p.rate,
                    "replicates": p.replicates,
                    "observed": round(p.observed),
                    "estimate": round(p.estimate),
                    "interval": [round(p.lower), round(p.upper) if p.upper is not None else None],
                    "interval_holds_truth": round(p.holds_truth, 3),
                }
                for p in self.points
            ],
            "linkage_threshold_sweep": self.thresholds.to_dict() if self.thresholds else None,
        }


def _median(values: Sequence[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    return float(statistics.median(v for v in values if v is not None))


def sweep(
    table: CaptureTable,
    *,
    rates: Sequence[float] = RATES,
    kinds: Sequence[str] = KINDS,
    replicates: int = 10,
    seed: int = 0,
    method: str = "aic",
    level: float = 0.95,
) -> Sensitivity:
    """Estimate from ``table`` after each kind of linkage error at each rate (``replicates`` seeded
    draws per point; the error-free point is computed once)."""
    truth = table.true_population
    points: list[SweepPoint] = []
    for kind in kinds:
        for r_index, rate in enumerate(rates):
            reps = 1 if rate == 0 else replicates
            obs: list[float] = []
            est: list[float] = []
            lows: list[float] = []
            highs: list[float | None] = []
            holds = 0
            for rep in range(reps):
                rng = np.random.default_rng([seed, KINDS.index(kind) if kind in KINDS else 9, r_index, rep])
                result = estimate(perturb(table, kind, rate, rng), method=method, level=level)
                lo, hi = result.interval
                obs.append(result.observed)
                est.append(result.estimate)
                lows.append(lo)
                highs.append(hi)
                if truth is not None and lo <= truth <= (hi if hi is not None else math.inf):
                    holds += 1
            points.append(
                SweepPoint(
                    kind=kind,
                    rate=rate,
                    replicates=reps,
                    observed=float(statistics.median(obs)),
                    estimate=float(statistics.median(est)),
                    lower=float(statistics.median(lows)),
                    upper=_median(highs),
                    holds_truth=holds / reps,
                )
            )
    return Sensitivity(table.source, table.lists, truth, method, tuple(points))


def plot_sweep(result: Sensitivity, path: str | Path) -> Path:
    """Save the sweep as a PNG: one panel per kind of error, estimate and interval against the rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(p.kind for p in result.points))
    panels = len(kinds) + (1 if result.thresholds else 0)
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.2), squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=False):
        pts = [p for p in result.points if p.kind == kind]
        x = [100 * p.rate for p in pts]
        top = max([p.upper or p.estimate * 2 for p in pts] + [result.true_population or 0])
        ax.fill_between(x, [p.lower for p in pts], [p.upper if p.upper is not None else top for p in pts],
                        alpha=0.25, label="interval (median)")  # fmt: skip
        ax.plot(x, [p.estimate for p in pts], marker="o", label="estimate (median)")
        ax.plot(
            x, [p.observed for p in pts], linestyle=":", color="grey", label="persons observed after linkage"
        )
        if result.true_population is not None:
            ax.axhline(result.true_population, color="black", linestyle="--", label="true population")
        ax.set_title(KIND_LABEL.get(kind, kind))
        ax.set_xlabel("linkage error rate (%)")
        ax.grid(alpha=0.3)
    if result.thresholds:
        _threshold_panel(axes[0][-1], result.thresholds)
    axes[0][0].set_ylabel("persons")
    axes[0][len(kinds) - 1].legend(loc="best", fontsize=8)
    fig.suptitle(f"Estimate against linkage error: {result.source} ({result.method})", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def _threshold_panel(ax: Any, sweep: ThresholdSweep) -> None:
    pts = [p for p in sweep.points if p.estimate is not None]
    x = [p.threshold for p in pts]
    ax.fill_between(x, [p.lower or 0 for p in pts], [p.upper or p.estimate or 0 for p in pts], alpha=0.25,
                    label="interval")  # fmt: skip
    ax.plot(x, [p.estimate for p in pts], marker="o", label="estimate from the linked histories")
    ax.plot(x, [p.persons for p in pts], linestyle=":", color="grey", label="persons after linkage")
    ax.axhline(sweep.true_estimate, color="black", linestyle="--", label="estimate from the true links")
    for p in pts:
        ax.annotate(f"P {p.precision:.2f}\nR {p.recall:.2f}", (p.threshold, p.estimate or 0), fontsize=6,
                    textcoords="offset points", xytext=(0, 6), ha="center")  # fmt: skip
    ax.set_yscale("log")
    ax.set_title("real linkage (Bloom filters), threshold sweep")
    ax.set_xlabel("match threshold (Dice)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=7)


@dataclass(frozen=True)
class CoverageRun:
    seed: int
    country: str
    truth: int
    observed: int
    estimate: float
    lower: float
    upper: float | None
    model: str

    @property
    def inside(self) -> bool:
        return self.lower <= self.truth <= (self.upper if self.upper is not None else math.inf)


@dataclass(frozen=True)
class Coverage:
    method: str
    level: float
    persons: int
    bootstrap: int
    runs: tuple[CoverageRun, ...] = field(default=())
    plot: Path | None = None

    @property
    def coverage(self) -> float:
        return sum(r.inside for r in self.runs) / len(self.runs) if self.runs else math.nan

    def to_dict(self) -> dict[str, Any]:
        runs = self.runs
        below = sum(r.truth < r.lower for r in runs)
        rel = [r.estimate / r.truth - 1 for r in runs]
        widths = [((r.upper if r.upper is not None else math.inf) - r.lower) / r.truth for r in runs]
        countries = sorted({r.country for r in runs})
        return {
            "worlds": len({r.seed for r in runs}),
            "estimates": len(runs),
            "persons_per_world": self.persons,
            "method": self.method,
            "confidence": self.level,
            "interval": f"parametric bootstrap ({self.bootstrap}, model re-chosen)"
            if self.bootstrap
            else "profile likelihood",
            "coverage": round(self.coverage, 3),
            "coverage_by_country": {
                c: round(sum(r.inside for r in runs if r.country == c) / sum(r.country == c for r in runs), 3)
                for c in countries
            },
            "truth_below_interval": below,
            "truth_above_interval": len(runs) - below - sum(r.inside for r in runs),
            "mean_relative_error": round(float(np.mean(rel)), 4) if rel else None,
            "median_relative_width": round(float(np.median(widths)), 4) if widths else None,
            "plot": str(self.plot) if self.plot else None,
        }


def coverage_study(
    worlds: int = 50,
    *,
    persons: int = 3000,
    first_seed: int = 0,
    countries: Sequence[str] | None = None,
    method: str = "aic",
    level: float = 0.95,
    bootstrap: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Coverage:
    """Generate ``worlds`` seeded worlds; estimate every country covered by at least 3 lists."""
    from palermo.scenario import generate

    runs: list[CoverageRun] = []
    with tempfile.TemporaryDirectory(prefix="palermo-coverage-") as tmp:
        for i in range(worlds):
            seed = first_seed + i
            summary = generate(persons, seed, Path(tmp) / f"w{seed}").data
            for country, info in sorted(summary["countries"].items()):
                if (countries and country not in countries) or len(info["lists"]) < MIN_LISTS:
                    continue
                lists, hist, truth = scenario_histories(summary, country)
                table = CaptureTable.from_histories(
                    lists, hist, source=f"world {seed}, {country}", true_population=truth
                )
                res = estimate(
                    table, method=method, level=level, bootstrap=bootstrap, seed=seed, reselect=True
                )
                lo, hi = res.interval
                runs.append(CoverageRun(seed, country, truth, res.observed, res.estimate, lo, hi, res.model))
            if progress is not None:
                progress(i + 1, worlds)
    return Coverage(method, level, persons, bootstrap, tuple(runs))


def plot_coverage(result: Coverage, path: str | Path) -> Path:
    """Save a PNG: each run's interval relative to the true population, sorted, misses in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = sorted(result.runs, key=lambda r: r.estimate / r.truth)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for i, r in enumerate(runs):
        hi = (r.upper if r.upper is not None else 3 * r.truth) / r.truth
        colour = "tab:blue" if r.inside else "tab:red"
        ax.plot([i, i], [r.lower / r.truth, hi], color=colour, linewidth=1.2)
        ax.plot(i, r.estimate / r.truth, marker=".", color=colour)
    ax.axhline(1.0, color="black", linestyle="--", label="true population")
    ax.set_xlabel("estimate (sorted)")
    ax.set_ylabel("estimate / true population")
    ax.set_title(
        f"{result.coverage:.0%} of {len(runs)} intervals hold the truth "
        f"({result.method}, {result.level:.0%}, {result.persons:,} persons per world)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
