"""Differentially private synthetic microdata from noisy 1- to R-way marginals: ``dp_synthesize``.

In the spirit of Microsoft's Synthetic Data Showcase (DP marginals, Gopi, Mahabadi and Yekhanin):

1. **Measure.** Every k-way marginal, k = 1 .. ``reporting_length``, over the columns' public categories
   is one OpenDP measurement ``make_count_by_categories >> make_gaussian`` (discrete Gaussian, zCDP) on
   the records' cell codes (counted with numpy, noised by the chain's measurement: see ``_dp``).
   A record falls in exactly one cell of each marginal, so OpenDP's map of the count gives an L2
   sensitivity of 1 for a record, ``m`` for a person bounded to ``m`` records.
   The measurements are composed with ``make_composition`` (rho adds up), and the composition is
   converted to (epsilon, delta) with ``make_zCDP_to_approxDP`` and ``make_fix_delta``: the epsilon
   reported is that map's. Rho is split over the marginals by :data:`LENGTH_WEIGHTS`.
2. **Estimate** (post-processing: noisy values only from here on). The record count is the
   inverse-variance mean of the noisy marginals' totals, so it costs no budget. Each marginal is
   combined with the margins of the noisy longer marginals that contain it (inverse-variance weights),
   then shrunk towards the table its own (k-1)-way estimates imply (iterative proportional fitting,
   IPF): an empirical-Bayes weight per cell keeps well-measured large cells and replaces cells that
   are mostly noise. Counts are clipped at 0, and each estimate is raked (IPF) to its shorter ones.
3. **Sample.** A Bayesian network whose nodes have at most R-1 parents is chosen greedily by mutual
   information in the estimated tables (in the manner of PrivBayes), and a support of records is
   drawn along it, attribute by attribute (systematic sampling within each parent combination). The
   support's weights are raked (IPF) to every estimated marginal, longest first, 1-way last; the
   records are then taken from the weighted support by systematic sampling in the network's order.
   ``seed`` seeds this step only.

The full joint table over all columns is never built: memory and time grow with the measured marginals.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from palermo.disclosure._dp import (
    MAX_CELLS,
    IntArray,
    categories_in,
    cell_codes,
    check_columns,
    check_domain,
    check_privacy,
    count_transformation,
    encode,
    noisy,
    opendp_prelude,
    privacy_unit,
)
from palermo.errors import DisclosureParameterError

DEFAULT_DELTA = 1e-6
# Rho of one marginal of length 1, 2, 3 (longer: the last) relative to the others. Measured
# (docs/differential-privacy.md): 1:1:1, 2:1:1, 4:2:1, 1:2:1, 1:1:2, 1:1:3, 1:2:2, 1:2:3 and 1:4:9
# gave 1- and 2-way errors within run-to-run noise of each other; weighting the 3-way marginals up
# lowered their error (the shorter estimates also borrow from the 3-way margins); 1:1:3 was best.
LENGTH_WEIGHTS = (1.0, 1.0, 3.0)
IPF_SWEEPS = 10
RAKE_SWEEPS = 5

Combo = tuple[int, ...]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SynthResult:
    """Synthetic records and the privacy loss OpenDP computed for them.

    ``epsilon``/``delta``: the (epsilon, delta)-DP guarantee from OpenDP's map; ``rho``: the composed
    zCDP loss; ``scales``: the noise scale of a marginal of each length; ``categories_from_data``: the
    columns whose categories came from the data, which the guarantee does not cover.
    """

    table: pa.Table
    epsilon: float
    delta: float
    reporting_length: int
    categories_from_data: tuple[str, ...] = ()
    rho: float = 0.0
    scales: tuple[float, ...] = ()
    unit: str = "record"
    max_contributions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.table.num_rows,
            "columns": self.table.column_names,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "rho": self.rho,
            "reporting_length": self.reporting_length,
            "scales": list(self.scales),
            "unit": self.unit,
            "max_contributions": self.max_contributions,
            "categories_from_data": list(self.categories_from_data),
        }


def dp_synthesize(
    data: pa.Table,
    columns: Sequence[str],
    *,
    epsilon: float = 4.0,
    delta: float | None = None,
    reporting_length: int = 3,
    records: int | None = None,
    domains: Mapping[str, Sequence[str | None]] | None = None,
    seed: int | None = None,
    person_id: str | None = None,
    max_contributions: int = 1,
) -> SynthResult:
    """Differentially private synthetic records preserving the 1- to ``reporting_length``-way marginals.

    ``columns`` are categorical (cast to strings; a null is a category of its own, None in a domain).
    Categories come from ``domains`` where given (values outside are refused); a column without a
    public domain takes its categories from the data, which the guarantee does not cover: such columns
    are listed in ``categories_from_data``. ``delta`` defaults to 1e-6 and must be above 0. ``records``
    defaults to the noisy record count. With ``person_id`` each person keeps at most
    ``max_contributions`` records and the privacy unit is the person; otherwise the record. ``seed``
    controls the sampling only: the noise comes from OpenDP and cannot be seeded.
    """
    delta = DEFAULT_DELTA if delta is None else delta
    check_privacy(epsilon, delta)
    if delta == 0:
        raise DisclosureParameterError("delta must be above 0: the Gaussian marginals need it")
    check_columns(data, columns, "columns")
    if isinstance(reporting_length, bool) or not isinstance(reporting_length, int):
        raise DisclosureParameterError("reporting_length must be a whole number")
    if not 1 <= reporting_length <= len(columns):
        raise DisclosureParameterError("reporting_length must be between 1 and the number of columns")
    if records is not None and (isinstance(records, bool) or not isinstance(records, int) or records < 1):
        raise DisclosureParameterError("records must be a whole number, at least 1")
    cats, from_data = _categories(data, columns, domains)
    sizes = [len(c) for c in cats]
    combos = [c for k in range(1, reporting_length + 1) for c in itertools.combinations(range(len(sizes)), k)]
    if sum(int(np.prod([sizes[i] for i in c], dtype=np.float64)) for c in combos) > MAX_CELLS:
        raise DisclosureParameterError(
            f"the marginals would hold more than {MAX_CELLS:,} cells; "
            "use fewer columns, coarser categories or a shorter reporting length"
        )
    rows, d_in = privacy_unit(data, person_id, max_contributions)
    codes = [encode(rows[name], c, name, None) for name, c in zip(columns, cats, strict=True)]
    dp = opendp_prelude()
    weights = [LENGTH_WEIGHTS[min(len(c), len(LENGTH_WEIGHTS)) - 1] for c in combos]
    noises, scales, spent, rho = _calibrate(dp, combos, sizes, weights, epsilon, delta, d_in)
    measured: dict[Combo, FloatArray] = {}
    for combo, noise in zip(combos, noises, strict=True):
        shape = tuple(sizes[i] for i in combo)
        cells = cell_codes([codes[i] for i in combo], shape)
        counts = np.bincount(cells, minlength=int(np.prod(shape)))
        measured[combo] = noisy(noise, counts).reshape(shape).astype(np.float64)
    # ---- post-processing only from here: the noisy tables, the public categories, the seed ----
    variance = {combo: scale**2 for combo, scale in zip(combos, scales, strict=True)}
    n_hat = max(_record_count(measured, variance), 1.0)  # a tiny epsilon can make it negative
    tables = _estimate(measured, variance, n_hat)
    n_out = records if records is not None else max(round(n_hat), 1)
    synthetic = _sample(tables, sizes, reporting_length, n_out, np.random.default_rng(seed))
    table = pa.table(
        {
            name: pa.array(list(cat), type=pa.string()).take(pa.array(part))
            for name, cat, part in zip(columns, cats, synthetic, strict=True)
        }
    )
    by_length = tuple(scales[[len(c) for c in combos].index(k)] for k in range(1, reporting_length + 1))
    unit = "record" if person_id is None else "person"
    return SynthResult(table, spent, float(delta), reporting_length, from_data, rho, by_length, unit, d_in)


def _categories(
    data: pa.Table, columns: Sequence[str], domains: Mapping[str, Sequence[str | None]] | None
) -> tuple[list[list[str | None]], tuple[str, ...]]:
    if domains is not None and not isinstance(domains, Mapping):
        raise DisclosureParameterError("domains must map columns to their public categories")
    cats, from_data = [], []
    for name in columns:
        if domains is not None and name in domains:
            cats.append(check_domain(name, domains[name]))
        else:
            cats.append(categories_in(data[name]))
            from_data.append(name)
    return cats, tuple(from_data)


def _calibrate(
    dp: Any,
    combos: Sequence[Combo],
    sizes: Sequence[int],
    weights: Sequence[float],
    epsilon: float,
    delta: float,
    d_in: int,
) -> tuple[list[Any], list[float], float, float]:
    """One noise measurement per marginal whose composed (epsilon, delta), by OpenDP's map, is within
    the target; also the noise scales, the epsilon spent and the composed rho."""
    l2 = (dp.vector_domain(dp.atom_domain(T=dp.i64)), dp.l2_distance(T=dp.i64))

    def single(scale: float) -> Any:
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(dp.m.make_gaussian(*l2, scale=scale)), delta)

    rho = 0.5 / float(dp.binary_search_param(single, d_in=1, d_out=(float(epsilon), float(delta)))) ** 2
    histograms = [
        count_transformation(dp, int(np.prod([sizes[i] for i in c])), dp.L2Distance[dp.i64]) for c in combos
    ]
    sensitivity = [float(h.map(d_in)) for h in histograms]
    total = float(sum(weights))
    factor = 1.0
    for _ in range(50):
        scales = [
            factor * s * (2.0 * rho * w / total) ** -0.5 for s, w in zip(sensitivity, weights, strict=True)
        ]
        noises = [
            dp.m.make_gaussian(h.output_domain, h.output_metric, scale=s)
            for h, s in zip(histograms, scales, strict=True)
        ]
        composed = dp.c.make_composition([h >> n for h, n in zip(histograms, noises, strict=True)])
        spent = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(composed), float(delta)).map(d_in)
        if spent[0] <= epsilon:
            return noises, scales, float(spent[0]), float(composed.map(d_in))
        factor *= 1.0 + 1e-6
    raise DisclosureParameterError("OpenDP could not find noise scales within epsilon")


def _margin(table: FloatArray, combo: Combo, sub: Combo) -> FloatArray:
    """The margin of ``table`` (over ``combo``) on the columns ``sub`` (a subset, same order)."""
    margin: FloatArray = table.sum(axis=tuple(i for i, c in enumerate(combo) if c not in sub))
    return margin


def _record_count(measured: Mapping[Combo, FloatArray], variance: Mapping[Combo, float]) -> float:
    """Inverse-variance mean of the noisy totals: every marginal counts every record once."""
    weights = np.array([1.0 / (y.size * variance[c]) for c, y in measured.items()])
    totals = np.array([float(y.sum()) for y in measured.values()])
    return float(np.dot(weights, totals) / weights.sum())


def _estimate(
    measured: Mapping[Combo, FloatArray], variance: Mapping[Combo, float], n_hat: float
) -> dict[Combo, FloatArray]:
    """Non-negative estimates of every measured marginal, each summing to ``n_hat``."""
    combos = sorted(measured, key=len)
    estimates: dict[Combo, FloatArray] = {}
    for combo in combos:
        num = measured[combo] / variance[combo]
        precision = 1.0 / variance[combo]
        for wider in combos:
            if len(wider) > len(combo) and set(combo) <= set(wider):
                extra = measured[wider].size // measured[combo].size
                num = num + _margin(measured[wider], wider, combo) / (extra * variance[wider])
                precision += 1.0 / (extra * variance[wider])
        mixed = num / precision
        if len(combo) == 1:
            table = np.maximum(mixed, 0.0)
        else:
            model = _ipf_model(combo, mixed.shape, estimates, n_hat)
            table = _shrink(mixed, model, 1.0 / precision)
        total = table.sum()
        table = table * (n_hat / total) if total > 0 else np.full(table.shape, n_hat / table.size)
        if len(combo) > 1:  # consistent with the shorter estimates, as one joint table's margins would be
            table = table + 1e-9
            for _ in range(IPF_SWEEPS):
                for sub in itertools.combinations(combo, len(combo) - 1):
                    table = _fit_margin(table, combo, sub, estimates[sub])
        estimates[combo] = table
    return estimates


def _ipf_model(
    combo: Combo, shape: tuple[int, ...], estimates: Mapping[Combo, FloatArray], n_hat: float
) -> FloatArray:
    """The table over ``combo`` fitted by IPF to the estimates of its (k-1)-way margins."""
    model = np.full(shape, n_hat / float(np.prod(shape)))
    subs = list(itertools.combinations(combo, len(combo) - 1))
    for _ in range(IPF_SWEEPS):
        for sub in subs:
            model = _fit_margin(model, combo, sub, estimates[sub])
    return model


def _fit_margin(table: FloatArray, combo: Combo, sub: Combo, target: FloatArray) -> FloatArray:
    """One IPF step: scale ``table`` so that its margin on ``sub`` equals ``target``."""
    current = _margin(table, combo, sub)
    ratio = np.divide(target, current, out=np.zeros(current.shape), where=current > 0)
    fitted: FloatArray = table * np.expand_dims(ratio, tuple(i for i, c in enumerate(combo) if c not in sub))
    return fitted


def _shrink(noisy_table: FloatArray, model: FloatArray, noise_var: float) -> FloatArray:
    """Empirical Bayes: each cell moves from the model towards its noisy value by signal/(signal+noise).

    The signal variance of a cell is taken as lambda x its model count (an over-dispersed Poisson),
    lambda estimated from the table itself (method of moments, at least 1)."""
    excess = float(((noisy_table - model) ** 2).sum()) - noisy_table.size * noise_var
    lam = max(excess / max(float(model.sum()), 1e-9), 1.0)
    weight = lam * model / (lam * model + noise_var)
    shrunk: FloatArray = np.maximum(model + weight * (noisy_table - model), 0.0)
    return shrunk


def _oriented(tables: Mapping[Combo, FloatArray], child: int, parents: Combo) -> FloatArray:
    """The estimate over parents + child, axes in that order (parents first, child last)."""
    combo = tuple(sorted((*parents, child)))
    return np.transpose(tables[combo], [combo.index(p) for p in (*parents, child)])


def _mutual_information(table: FloatArray) -> float:
    """Mutual information between the last axis and the others, from counts."""
    p = table / max(float(table.sum()), 1e-12)
    rows = p.sum(axis=-1, keepdims=True)
    cols = p.sum(axis=tuple(range(p.ndim - 1)), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / (rows * cols)), 0.0)
    return float(terms.sum())


def _network(tables: Mapping[Combo, FloatArray], d: int, max_parents: int) -> list[tuple[int, Combo]]:
    """A Bayesian network, greedily: each next (child, parents) maximises mutual information."""
    if max_parents == 0:
        return [(i, ()) for i in range(d)]
    first = max(
        range(d),
        key=lambda a: sum(_mutual_information(_oriented(tables, b, (a,))) for b in range(d) if b != a),
    )
    order: list[tuple[int, Combo]] = [(first, ())]
    placed = [first]
    while len(placed) < d:
        k = min(max_parents, len(placed))
        best: tuple[float, int, Combo] | None = None
        for child in range(d):
            if child in placed:
                continue
            for parents in itertools.combinations(placed, k):
                score = _mutual_information(_oriented(tables, child, parents))
                if best is None or score > best[0]:
                    best = (score, child, parents)
        assert best is not None
        order.append((best[1], best[2]))
        placed.append(best[1])
    return order


def _sample(
    tables: Mapping[Combo, FloatArray],
    sizes: Sequence[int],
    length: int,
    n_out: int,
    rng: np.random.Generator,
) -> list[IntArray]:
    """Codes of ``n_out`` synthetic records: a support drawn along the network, its weights raked to
    every estimated marginal, then whole records by systematic sampling in the network's order."""
    network = _network(tables, len(sizes), length - 1)
    size = max(n_out, round(float(tables[(0,)].sum())))  # the support: about as many as the records
    records, weights = _distinct(np.stack(_draw(tables, network, sizes, size, rng), axis=1), sizes)
    combos = sorted(tables, key=len, reverse=True)  # 1-way margins, the most precise, fitted last
    cells = {c: cell_codes([records[:, i] for i in c], [sizes[i] for i in c]) for c in combos}
    for _ in range(RAKE_SWEEPS):
        for c in combos:
            target = tables[c].ravel()
            current = np.bincount(cells[c], weights=weights, minlength=target.size)
            ratio = np.divide(target, current, out=np.ones(current.shape), where=current > 0)
            weights *= ratio[cells[c]]
    if not weights.sum() > 0:  # raking emptied the support: keep the drawn records as they are
        weights = np.ones(len(records))
    order = np.lexsort(tuple(records[:, child] for child, _ in reversed(network)))
    records, weights = records[order], weights[order]
    edges = np.cumsum(weights * (n_out / weights.sum()))
    picked = np.minimum(np.searchsorted(edges, rng.random() + np.arange(n_out), side="right"), len(edges) - 1)
    return [records[picked, i] for i in range(len(sizes))]


def _distinct(records: IntArray, sizes: Sequence[int]) -> tuple[IntArray, FloatArray]:
    """The distinct rows of ``records`` and how often each occurs (as float weights)."""
    if float(np.prod(sizes, dtype=np.float64)) < 2**62:
        key = cell_codes([records[:, i] for i in range(len(sizes))], sizes)
        _, first, count = np.unique(key, return_index=True, return_counts=True)
        return records[first], count.astype(np.float64)
    distinct, count = np.unique(records, axis=0, return_counts=True)
    return distinct, count.astype(np.float64)


def _draw(
    tables: Mapping[Combo, FloatArray],
    network: Sequence[tuple[int, Combo]],
    sizes: Sequence[int],
    n: int,
    rng: np.random.Generator,
) -> list[IntArray]:
    """``n`` records drawn attribute by attribute along the network (each child from its estimated
    conditional given its parents, by systematic sampling within each parent combination)."""
    out: list[IntArray] = [np.zeros(0, dtype=np.int64)] * len(sizes)
    for child, parents in network:
        fallback = tables[(child,)] / tables[(child,)].sum()  # for a parent combination the estimates lack
        if not parents:
            out[child] = _systematic(np.zeros(n, dtype=np.int64), fallback[None, :], rng)
            continue
        group = cell_codes([out[p] for p in parents], [sizes[p] for p in parents])
        conditional = _oriented(tables, child, parents).reshape(-1, sizes[child])
        total = conditional.sum(axis=1, keepdims=True)
        conditional = np.where(total > 0, conditional / np.where(total > 0, total, 1.0), fallback[None, :])
        out[child] = _systematic(group, conditional, rng)
    return out


def _systematic(group: IntArray, conditional: FloatArray, rng: np.random.Generator) -> IntArray:
    """A child value for each record: the records of each group (in random order) take values by
    systematic sampling from the group's row of ``conditional``, so each value's count is within one
    of its expected count."""
    n, width = len(group), conditional.shape[1]
    n_groups = conditional.shape[0]
    order = np.lexsort((rng.random(n), group))
    sorted_group = group[order]
    count = np.bincount(group, minlength=n_groups)
    start = np.r_[0, np.cumsum(count)[:-1]]
    rank = np.arange(n) - start[sorted_group]
    cumulative = np.cumsum(conditional, axis=1) * count[:, None]
    cumulative[:, -1] = count  # no record falls past the last value through rounding
    edges = (cumulative + start[:, None]).ravel()
    offsets: FloatArray = rng.random(size=(int(n_groups),))
    position = start[sorted_group] + offsets[sorted_group] + rank
    flat = np.minimum(np.searchsorted(edges, position, side="right"), edges.size - 1)
    child = np.empty(n, dtype=np.int64)
    child[order] = flat % width
    return child
