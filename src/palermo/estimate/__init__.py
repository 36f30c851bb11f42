"""Multiple systems estimation: how many victims no list has recorded, from how the lists overlap.

Input is a capture-history table (how many persons each combination of lists recorded), read from a
CSV, from a LINKS.csv of linked records, from a stored linkage run, or from a synthetic world's
ground truth. Models are Poisson log-linear models on the incomplete 2^k table: main effects of every
list plus chosen two-list interactions. Before a fit is trusted, its maximum-likelihood estimate must
exist and be identifiable (the checks of Chan, Silverman and Vincent 2021); pairs of lists that
never share a case are held at their boundary. Models are chosen exhaustively by AIC or BIC, or by
forward stepwise selection (Bales, Hesketh and Silverman 2015), or fixed by the user. Intervals come
from the profile likelihood (Cormack 1992) and, on request, a seeded parametric bootstrap.

Public names: :class:`EstimateNamespace` (``ws.estimate``), :class:`CaptureTable`, :class:`Model`,
:class:`MSEResult`, :class:`StratifiedResult`, :func:`estimate`, :func:`estimate_strata`,
:func:`read_table_csv`, :func:`read_links_csv`, :func:`read_scenario`, :func:`table_from_clusters`,
:func:`sweep`, :func:`plot_sweep`, :func:`threshold_sweep`, :func:`coverage_study`, :func:`plot_coverage`, :data:`METHODS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.estimate._design import Model
from palermo.estimate._estimate import MSEResult, StratifiedResult, estimate, estimate_strata
from palermo.estimate._readers import (
    read_linkage_run,
    read_links_csv,
    read_scenario,
    read_table_csv,
    table_from_clusters,
)
from palermo.estimate._select import METHODS
from palermo.estimate._sensitivity import (
    Coverage,
    Sensitivity,
    coverage_study,
    plot_coverage,
    plot_sweep,
    sweep,
)
from palermo.estimate._table import CaptureTable
from palermo.estimate._threshold import THRESHOLDS, ThresholdSweep, threshold_sweep

if TYPE_CHECKING:
    from palermo.workspace import Workspace


class EstimateNamespace:
    """``ws.estimate``: read capture histories, estimate the hidden population, study its sensitivity."""

    def __init__(self, ws: Workspace | None = None) -> None:
        self._ws = ws

    # -- tables --------------------------------------------------------------------------------
    def table(
        self, path: str | Path, *, stratify: str | None = None, count_column: str | None = None
    ) -> dict[str | None, CaptureTable]:
        """Read a capture-history CSV (see :func:`read_table_csv`)."""
        return read_table_csv(path, count_column=count_column, stratify=stratify)

    def from_links(self, path: str | Path) -> CaptureTable:
        """Capture histories from a LINKS.csv (``cluster_id,source,record_id``)."""
        return read_links_csv(path)

    def from_scenario(self, world_dir: str | Path, country: str) -> CaptureTable:
        """True capture histories of one country of a generated world, truth attached."""
        return read_scenario(world_dir, country)

    def from_linkage(self, run: str) -> CaptureTable:
        """Capture histories from a stored linkage run (raises ``UnknownLinkageRunError`` if none)."""
        return read_linkage_run(self._ws, run)

    # -- estimation ----------------------------------------------------------------------------
    def mse(
        self,
        source: CaptureTable | Mapping[str | None, CaptureTable] | str | Path,
        *,
        stratify: str | None = None,
        method: str = "aic",
        model: str | None = None,
        merge: Mapping[str, Sequence[str]] | None = None,
        level: float = 0.95,
        bootstrap: int = 0,
        seed: int = 0,
        reselect: bool | None = None,
        p_threshold: float = 0.05,
        test: str = "lr",
    ) -> MSEResult | StratifiedResult:
        """Estimate the total population (observed plus unseen) with its interval and warnings.

        ``source`` is a table, a ``{stratum: table}`` mapping, or the path of a capture-history CSV
        (read with ``stratify``). Several strata give a :class:`StratifiedResult`.
        """
        tables: Mapping[str | None, CaptureTable]
        if isinstance(source, CaptureTable):
            tables = {None: source}
        elif isinstance(source, (str, Path)):
            tables = read_table_csv(source, stratify=stratify)
        else:
            tables = source
        options: dict[str, Any] = {
            "method": method,
            "model": model,
            "merge": merge,
            "level": level,
            "bootstrap": bootstrap,
            "seed": seed,
            "reselect": reselect,
            "p_threshold": p_threshold,
            "test": test,
        }
        if stratify is None and list(tables) == [None]:
            return estimate(tables[None], **options)
        return estimate_strata(tables, stratify or "stratum", **options)

    def sensitivity(
        self,
        world_dir: str | Path,
        *,
        country: str,
        out: str | Path,
        rates: Sequence[float] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
        replicates: int = 10,
        seed: int = 0,
        method: str = "aic",
        thresholds: Sequence[float] | None = THRESHOLDS,
    ) -> Sensitivity:
        """Sweep linkage error on a world's true histories (and, with ``thresholds``, link the
        country's agencies for real at each threshold); save the plot to ``out`` (PNG)."""
        table = read_scenario(world_dir, country)
        result = sweep(table, rates=rates, replicates=replicates, seed=seed, method=method)
        real = (
            threshold_sweep(world_dir, table.lists, thresholds=thresholds, method=method)
            if thresholds
            else None
        )
        result = replace(result, thresholds=real)
        return replace(result, plot=plot_sweep(result, out))

    def coverage(
        self,
        worlds: int = 50,
        *,
        persons: int = 3000,
        first_seed: int = 0,
        method: str = "aic",
        bootstrap: int = 0,
        out: str | Path | None = None,
    ) -> Coverage:
        """How often the interval holds the true population over seeded worlds; optional PNG."""
        result = coverage_study(
            worlds, persons=persons, first_seed=first_seed, method=method, bootstrap=bootstrap
        )
        if out is None:
            return result
        return Coverage(
            result.method,
            result.level,
            result.persons,
            result.bootstrap,
            result.runs,
            plot_coverage(result, out),
        )


__all__ = [
    "METHODS",
    "CaptureTable",
    "Coverage",
    "EstimateNamespace",
    "MSEResult",
    "Model",
    "Sensitivity",
    "StratifiedResult",
    "ThresholdSweep",
    "coverage_study",
    "estimate",
    "estimate_strata",
    "plot_coverage",
    "plot_sweep",
    "read_links_csv",
    "read_scenario",
    "read_table_csv",
    "sweep",
    "table_from_clusters",
    "threshold_sweep",
]
