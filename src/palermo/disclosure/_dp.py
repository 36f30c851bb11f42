"""Noisy counts over a public domain with OpenDP: ``dp_counts``, and the pieces the synthesizer shares.

OpenDP 0.16.0 keeps every component Palermo uses behind its ``contrib`` feature, because the proofs of
those components have not finished OpenDP's vetting: the counting transformation
(``make_count_by_categories``), the noise mechanisms (``make_laplace``, ``make_gaussian``), the
composition combinator (``make_composition``), the zCDP to approximate-DP conversion
(``make_zCDP_to_approxDP``) and ``make_fix_delta``. Palermo opts in once, here, in
:func:`opendp_prelude`; every differentially private function in ``palermo.disclosure`` goes through
it. No other feature (``floating-point``, ``honest-but-curious``) is enabled. Noise comes from OpenDP's
own sampler, never from numpy.

How a release is accounted: the measurement is the OpenDP chain ``make_count_by_categories >> noise``
over the records' cell codes, under the symmetric distance (one record, or one person's at most
``max_contributions`` records, added or removed). Its privacy map gives the epsilon reported. Palermo
counts the cells with numpy (fast on a million rows) and runs the chain's noise measurement on those
counts; that the counts equal OpenDP's own is checked in the tests.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from palermo.errors import DisclosureParameterError, QuasiIdentifierError

IntArray = npt.NDArray[np.int64]
MAX_CELLS = 1 << 22  # cells one release may noise (OpenDP samples ~60,000 discrete Gaussians a second)


def opendp_prelude() -> ModuleType:
    """``opendp.prelude`` with OpenDP's ``contrib`` feature enabled: the one place Palermo opts in.

    ``contrib`` marks components whose privacy proofs OpenDP's maintainers have not finished vetting;
    see the module docstring for the components Palermo uses and docs/differential-privacy.md.
    Enabling a feature twice is harmless.
    """
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


@dataclass(frozen=True)
class DPMechanism:
    """The noise mechanism a release used: its name and its noise scale."""

    name: str
    scale: float

    def __str__(self) -> str:
        return f"{self.name} (scale {self.scale:.6g})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "scale": self.scale}


@dataclass(frozen=True)
class DPTable:
    """A noisy histogram: ``cells`` holds every cell of the public domain and its ``count``.

    ``epsilon`` is what OpenDP's privacy map of the measurement gives for one privacy unit: a record
    (``unit == "record"``) or a person with at most ``max_contributions`` records (``"person"``).
    """

    cells: pa.Table
    epsilon: float
    delta: float
    mechanism: DPMechanism
    unit: str = "record"
    max_contributions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "cells": self.cells.to_pylist(),
            "epsilon": self.epsilon,
            "delta": self.delta,
            "mechanism": self.mechanism.to_dict(),
            "unit": self.unit,
            "max_contributions": self.max_contributions,
        }


def check_privacy(epsilon: float, delta: float) -> None:
    """Refuse epsilon <= 0 (or not a finite number) and delta outside [0, 1)."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise DisclosureParameterError("epsilon must be a number")
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real):
        raise DisclosureParameterError("delta must be a number")
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise DisclosureParameterError("epsilon must be a finite number above 0")
    if not np.isfinite(delta) or not 0 <= delta < 1:
        raise DisclosureParameterError("delta must be at least 0 and below 1")


def check_columns(data: pa.Table, columns: Sequence[str], what: str = "by") -> None:
    """Refuse an empty column list, repeated names, columns not in the data and empty data."""
    if isinstance(columns, str) or len(columns) == 0:
        raise DisclosureParameterError(f"{what} must be a list naming at least one column")
    if len(set(columns)) != len(columns):
        raise DisclosureParameterError(f"{what} names a column twice")
    missing = [name for name in columns if name not in data.column_names]
    if missing:
        raise QuasiIdentifierError(f"{what}: column(s) {', '.join(map(repr, missing))} not in the data")
    if data.num_rows == 0:
        raise DisclosureParameterError("data is empty: there is nothing to release")


def check_domain(name: str, categories: Sequence[str | None]) -> list[str | None]:
    """A public domain as a list: strings (or None for nulls), none repeated, at least one."""
    if isinstance(categories, str):
        raise DisclosureParameterError(f"the domain of column '{name}' must be a list of categories")
    values = list(categories)
    if not values:
        raise DisclosureParameterError(f"the domain of column '{name}' is empty")
    if any(v is not None and not isinstance(v, str) for v in values):
        raise DisclosureParameterError(f"the domain of column '{name}' must hold strings (or None)")
    if len(set(values)) != len(values):
        raise DisclosureParameterError(f"the domain of column '{name}' lists a category twice")
    return values


def as_strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A categorical column as one Arrow string array, nulls kept."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return pc.cast(column, pa.string())


def encode(
    column: pa.ChunkedArray | pa.Array, categories: Sequence[str | None], name: str, other: str | None
) -> IntArray:
    """Codes into ``categories`` (a null matches None); values outside map to ``other``, else refuse.

    The refusal names the column only, never a value.
    """
    value_set = pa.array(list(categories), type=pa.string())
    found = pc.index_in(as_strings(column), value_set=value_set, skip_nulls=False)
    missing = -1 if other is None else list(categories).index(other)
    codes: IntArray = found.fill_null(missing).to_numpy(zero_copy_only=False).astype(np.int64)
    if other is None and (codes < 0).any():
        raise DisclosureParameterError(
            f"column '{name}' holds values outside its public domain; add them to the domain "
            "or name an 'other' category"
        )
    return codes


def categories_in(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    """The distinct values of a column, sorted, None (nulls) last: a domain taken from the data."""
    values = pc.unique(as_strings(column)).to_pylist()
    return [*sorted(v for v in values if v is not None), *([None] if None in values else [])]


def bound_contributions(person: pa.ChunkedArray, max_contributions: int) -> IntArray:
    """Indices of the rows kept: at most ``max_contributions`` per person, extras dropped at random.

    Which of a person's rows are kept depends on that person's rows only, so adding or removing one
    person changes the kept rows by at most ``max_contributions``: the privacy unit of what follows is
    the person. The random choice needs no cryptographic generator (it is not part of the guarantee).
    """
    if person.null_count:
        raise DisclosureParameterError("person_id column has null values; every row needs a person")
    ids = pc.dictionary_encode(person.combine_chunks()).indices.to_numpy(zero_copy_only=False)
    rng = np.random.default_rng()
    order = rng.permutation(len(ids))
    order = order[np.argsort(ids[order], kind="stable")]
    sorted_ids = ids[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_ids)) + 1]
    rank = np.arange(len(ids)) - np.repeat(starts, np.diff(np.r_[starts, len(ids)]))
    return np.sort(order[rank < max_contributions])


def privacy_unit(data: pa.Table, person_id: str | None, max_contributions: int) -> tuple[pa.Table, int]:
    """The rows to release from and ``d_in``, the symmetric distance one privacy unit can cause."""
    if isinstance(max_contributions, bool) or not isinstance(max_contributions, int) or max_contributions < 1:
        raise DisclosureParameterError("max_contributions must be a whole number, at least 1")
    if person_id is None:
        if max_contributions != 1:
            raise DisclosureParameterError("max_contributions needs person_id (the column naming the person)")
        return data, 1
    if person_id not in data.column_names:
        raise QuasiIdentifierError(f"column '{person_id}' (person_id) is not in the data")
    return data.take(pa.array(bound_contributions(data[person_id], max_contributions))), max_contributions


def cell_codes(codes: Sequence[IntArray], sizes: Sequence[int]) -> IntArray:
    """One code per row for the combination of its column codes (row-major over ``sizes``)."""
    cell = np.zeros(len(codes[0]), dtype=np.int64)
    for column, size in zip(codes, sizes, strict=True):
        cell = cell * size + column
    return cell


def count_transformation(dp: ModuleType, n_cells: int, metric: Any) -> Any:
    """OpenDP's ``make_count_by_categories`` over cell codes 0 .. n_cells-1 (its map: the sensitivity)."""
    space = (dp.vector_domain(dp.atom_domain(T=dp.i64)), dp.symmetric_distance())
    return dp.t.make_count_by_categories(
        *space, categories=list(range(n_cells)), null_category=False, MO=metric, TOA=dp.i64
    )


def domain_product(names: Sequence[str], cats: Sequence[Sequence[str | None]]) -> dict[str, pa.Array]:
    """Every combination of the categories, row-major (the order of :func:`cell_codes`)."""
    sizes = [len(c) for c in cats]
    index = np.arange(int(np.prod(sizes, dtype=np.int64)), dtype=np.int64)
    columns: dict[str, pa.Array] = {}
    stride = len(index)
    for name, categories, size in zip(names, cats, sizes, strict=True):
        stride //= size
        columns[name] = pa.array(list(categories), type=pa.string()).take(pa.array((index // stride) % size))
    return columns


def noisy(noise: Any, counts: IntArray) -> IntArray:
    """Run an OpenDP noise measurement on exact integer counts."""
    return np.asarray(noise(counts.astype(np.int64).tolist()), dtype=np.int64)


def dp_counts(
    data: pa.Table,
    by: Sequence[str],
    *,
    epsilon: float,
    domains: Mapping[str, Sequence[str | None]],
    person_id: str | None = None,
    max_contributions: int = 1,
    delta: float = 0.0,
    other: str | None = None,
) -> DPTable:
    """A differentially private histogram of ``data`` over the full cross-product of public domains.

    Every cell of the product of ``domains[c]`` for ``c`` in ``by`` is present, even when empty in the
    data; categories never come from the data. A value outside its column's domain (a null counts as a
    value; put ``None`` in the domain to count nulls) is counted under ``other`` when ``other`` is one
    of every domain's categories, and is refused otherwise (the refusal itself tells the caller, not
    the public, that such a value exists). With ``person_id``, each person keeps at most
    ``max_contributions`` rows (extra rows are dropped at random before the noise) and the privacy unit
    is the person; without it, the record. Noise: discrete Laplace (pure epsilon) when ``delta`` is 0,
    discrete Gaussian under zCDP converted to (epsilon, delta) otherwise. The scale is the smallest
    OpenDP's binary search finds for which the measurement's privacy map gives at most ``epsilon``; the
    result reports the epsilon that map computes. Counts are then clipped at 0 (post-processing).
    """
    check_privacy(epsilon, delta)
    check_columns(data, by)
    if not isinstance(domains, Mapping):
        raise DisclosureParameterError("domains must map each column to its public categories")
    cats: list[list[str | None]] = []
    for name in by:
        if name not in domains:
            raise DisclosureParameterError(f"domains has no public categories for column '{name}'")
        cats.append(check_domain(name, domains[name]))
        if other is not None and other not in cats[-1]:
            raise DisclosureParameterError(f"'other' is not a category in the domain of column '{name}'")
    sizes = [len(c) for c in cats]
    n_cells = int(np.prod(sizes, dtype=np.float64))
    if n_cells > MAX_CELLS:
        raise DisclosureParameterError(
            f"the domains make more than {MAX_CELLS:,} cells; use fewer columns or coarser categories"
        )
    rows, d_in = privacy_unit(data, person_id, max_contributions)
    codes = [encode(rows[name], c, name, other) for name, c in zip(by, cats, strict=True)]
    counts = np.bincount(cell_codes(codes, sizes), minlength=n_cells)
    dp = opendp_prelude()
    metric = dp.L1Distance[dp.i64] if delta == 0 else dp.L2Distance[dp.i64]
    histogram = count_transformation(dp, n_cells, metric)

    def noise(scale: float) -> Any:
        if delta == 0:
            return dp.m.make_laplace(histogram.output_domain, histogram.output_metric, scale=scale)
        return dp.m.make_gaussian(histogram.output_domain, histogram.output_metric, scale=scale)

    def build(scale: float) -> Any:
        chain = histogram >> noise(scale)
        if delta == 0:
            return chain
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(chain), delta)

    target: Any = float(epsilon) if delta == 0 else (float(epsilon), float(delta))
    scale = float(dp.binary_search_param(build, d_in=d_in, d_out=target))
    spent = build(scale).map(d_in)
    spent_epsilon = float(spent if delta == 0 else spent[0])
    if spent_epsilon > epsilon:  # binary_search_param promises this; keep the promise checked
        raise DisclosureParameterError("OpenDP could not find a noise scale within epsilon")
    released = np.maximum(noisy(noise(scale), counts), 0)
    columns = domain_product(by, cats)
    columns["count"] = pa.array(released, type=pa.int64())
    mechanism = DPMechanism("discrete Laplace" if delta == 0 else "discrete Gaussian (zCDP)", scale)
    unit = "record" if person_id is None else "person"
    return DPTable(pa.table(columns), spent_epsilon, float(delta), mechanism, unit, d_in)
