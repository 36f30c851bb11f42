"""Count tables with small cells suppressed, and the audit that proves none can be worked out.

``aggregate`` counts records over every combination of the ``by`` columns' categories and publishes
the full table of margins with it: every subtotal over any set of the dimensions, and the grand total
(a total is written ``*`` in its column). Then:

* **primary suppression**: an entry (cell or margin) with 1 to ``threshold - 1`` records is withheld;
  zeros are published (a zero describes nobody), and categories are those of the data or of the
  given public domains;
* **secondary suppression**: every table line (the cells along one dimension with their subtotal) is an
  equation an outsider can solve when exactly one of its entries is withheld; so while a line has
  exactly one withheld entry, its smallest other non-zero entry is withheld too, to a fixed point;
  then :func:`audit_suppression` runs and, if linear programming can still pin a withheld entry down,
  one more entry on that entry's lines is withheld, until the audit finds nothing;
* **rounding** (optional, ``rounding_base``): interior cells are rounded to the nearest multiple of the
  base and every margin is the sum of rounded cells, so the published table stays additive (each
  margin may then differ from its true value by more than one base; this is not the classic
  controlled rounding that bounds every entry's error by one base).

:func:`audit_suppression` is the attacker: for every withheld entry it finds the smallest and the
largest value consistent with everything published (every line equation, counts at least 0) by
linear programming (scipy's HiGHS); an entry whose range is narrower than one record is recovered.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.errors import DisclosureParameterError, DisclosureRiskError, QuasiIdentifierError

TOTAL = "*"
_MAX_ROUNDS = 500


def _categories(
    data: pa.Table, by: Sequence[str], domains: Mapping[str, Sequence[str | None]] | None
) -> tuple[list[list[str | None]], list[NDArray[np.int64]]]:
    cats, codes = [], []
    for name in by:
        values = pc.cast(data[name], pa.string()).to_pylist()
        if domains is not None and name in domains:
            categories = list(domains[name])
        else:
            present = {v for v in values if v is not None}
            categories = [*sorted(present), *([None] if None in values else [])]
        index = {c: i for i, c in enumerate(categories)}
        if any(v not in index for v in set(values)):
            raise DisclosureParameterError(f"column '{name}' holds values outside its given domain")
        cats.append(categories)
        codes.append(np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values)))
    return cats, codes


def _with_margins(interior: NDArray[np.int64]) -> NDArray[np.int64]:
    """The table with one more index per axis: the total along that axis."""
    full = np.zeros(tuple(s + 1 for s in interior.shape), dtype=np.int64)
    full[tuple(slice(0, s) for s in interior.shape)] = interior
    for axis, size in enumerate(interior.shape):
        inner: list[slice | int] = [slice(None)] * interior.ndim
        inner[axis] = slice(0, size)
        total: list[slice | int] = [slice(None)] * interior.ndim
        total[axis] = size
        full[tuple(total)] = full[tuple(inner)].sum(axis=axis)
    return full


def _lines(shape: tuple[int, ...]) -> Iterator[list[tuple[int, ...]]]:
    """Every line of the full table: the entries along one axis, the total (last index) last."""
    for axis in range(len(shape)):
        others = [range(s) for i, s in enumerate(shape) if i != axis]
        for rest in itertools.product(*others):
            line = []
            for j in range(shape[axis]):
                index = list(rest)
                index.insert(axis, j)
                line.append(tuple(index))
            yield line


@dataclass(frozen=True)
class SuppressedTable:
    """A count table with its margins; ``counts`` and ``withheld`` are indexed by category position,
    the last position of each axis being the total."""

    by: tuple[str, ...]
    categories: tuple[tuple[str | None, ...], ...]
    counts: NDArray[np.int64]  # published values (rounded when rounding_base is set)
    withheld: NDArray[np.bool_]
    primary: NDArray[np.bool_]
    true_counts: NDArray[np.int64]
    threshold: int
    rounding_base: int | None

    @property
    def suppressed_cells(self) -> int:
        return int(self.withheld.sum())

    @property
    def records_suppressed(self) -> int:
        """Records in withheld interior cells."""
        inner = tuple(slice(0, len(c)) for c in self.categories)
        return int(self.true_counts[inner][self.withheld[inner]].sum())

    @property
    def min_published(self) -> int | None:
        shown = self.counts[~self.withheld]
        shown = shown[shown > 0]
        return int(shown.min()) if shown.size else None

    def _label(self, index: tuple[int, ...]) -> tuple[str | None, ...]:
        return tuple(TOTAL if i == len(c) else c[i] for i, c in zip(index, self.categories, strict=True))

    def entries(self) -> Iterator[tuple[tuple[int, ...], tuple[str | None, ...]]]:
        for index in itertools.product(*(range(len(c) + 1) for c in self.categories)):
            yield index, self._label(index)

    def cell_counts(self) -> dict[tuple[str | None, ...], int | None]:
        """Every entry's published count by its labels (``*``: total), None when withheld."""
        return {label: None if self.withheld[i] else int(self.counts[i]) for i, label in self.entries()}

    def published(self) -> pa.Table:
        """The table as released: the ``by`` columns, ``count`` (null when withheld), ``status``."""
        rows = list(self.entries())
        columns: dict[str, Any] = {
            name: pa.array([label[a] for _, label in rows], pa.string()) for a, name in enumerate(self.by)
        }
        columns["count"] = pa.array(
            [None if self.withheld[i] else int(self.counts[i]) for i, _ in rows], pa.int64()
        )
        columns["status"] = pa.array(
            [
                "primary" if self.primary[i] else "secondary" if self.withheld[i] else "published"
                for i, _ in rows
            ],
            pa.string(),
        )
        return pa.table(columns)

    def exposed_given(self, known: Mapping[str, int]) -> int:
        """Withheld entries an outsider could work out, also knowing ``known`` (JSON cell keys, as
        the ledger stores them, to values published by an earlier release of the same data)."""
        from palermo.disclosure._ledger import cell_key

        extra = np.zeros(self.withheld.shape, dtype=bool)
        for index, label in self.entries():
            if self.withheld[index] and cell_key(list(label)) in known:
                extra[index] = True
        if not extra.any():
            return 0
        return sum(1 for i in _recoverable(self.counts, self.withheld & ~extra) if not extra[i])

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "threshold": self.threshold,
            "rounding_base": self.rounding_base,
            "entries": int(self.withheld.size),
            "suppressed_cells": self.suppressed_cells,
            "primary": int(self.primary.sum()),
            "secondary": int((self.withheld & ~self.primary).sum()),
            "records_suppressed": self.records_suppressed,
            "min_published": self.min_published,
        }


def _recoverable(counts: NDArray[np.int64], withheld: NDArray[np.bool_]) -> list[tuple[int, ...]]:
    """Withheld entries whose feasible range, given every other entry and every line, is under one."""
    from scipy.optimize import linprog

    hidden = [tuple(int(x) for x in i) for i in np.argwhere(withheld)]
    if not hidden:
        return []
    var = {index: n for n, index in enumerate(hidden)}
    rows, rhs = [], []
    for line in _lines(counts.shape):
        involved = [e for e in line if e in var]
        if not involved:
            continue
        row = np.zeros(len(hidden))
        value = 0.0
        for position, entry in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            if entry in var:
                row[var[entry]] += sign
            else:
                value -= sign * counts[entry]
        rows.append(row)
        rhs.append(value)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    exposed = []
    for index, n in var.items():
        objective = np.zeros(len(hidden))
        objective[n] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 1 - 1e-9:
            exposed.append(index)
    return exposed


def audit_suppression(table: SuppressedTable) -> list[tuple[str | None, ...]]:
    """The withheld entries an outsider can recover from what is published (labels; empty: safe)."""
    return [table._label(i) for i in _recoverable(table.counts, table.withheld)]


def _protect_lines(counts: NDArray[np.int64], withheld: NDArray[np.bool_]) -> None:
    """Withhold a partner for every line that has exactly one withheld entry, to a fixed point."""
    changed = True
    while changed:
        changed = False
        for line in _lines(counts.shape):
            hidden = [e for e in line if withheld[e]]
            if len(hidden) != 1:
                continue
            _withhold_partner(counts, withheld, line)
            changed = True


def _withhold_partner(
    counts: NDArray[np.int64], withheld: NDArray[np.bool_], line: list[tuple[int, ...]]
) -> bool:
    """Withhold the line's smallest non-zero visible entry (a zero only when nothing else is left)."""
    visible = [e for e in line if not withheld[e]]
    if not visible:
        return False
    positive = [e for e in visible if counts[e] > 0]
    choice = min(positive or visible, key=lambda e: (counts[e], e))
    withheld[choice] = True
    return True


def aggregate(
    data: pa.Table,
    by: Sequence[str],
    *,
    threshold: int = 10,
    rounding_base: int | None = None,
    domains: Mapping[str, Sequence[str | None]] | None = None,
) -> SuppressedTable:
    """Counts of ``data`` over ``by`` with margins, primary and secondary suppression (module docstring)."""
    if threshold < 2:
        raise DisclosureParameterError("threshold must be at least 2")
    if rounding_base is not None and rounding_base < 2:
        raise DisclosureParameterError("rounding_base must be at least 2")
    if not by or len(set(by)) != len(by):
        raise DisclosureParameterError("by must name at least one column, each once")
    for name in by:
        if name not in data.column_names:
            raise QuasiIdentifierError(f"column '{name}' (in by) is not in the data")
    cats, codes = _categories(data, by, domains)
    shape = tuple(len(c) for c in cats)
    flat = np.ravel_multi_index(tuple(codes), shape) if data.num_rows else np.zeros(0, dtype=np.int64)
    interior = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.int64)
    true_full = _with_margins(interior)
    if rounding_base is not None:
        b = rounding_base
        shown = _with_margins(((interior + b // 2) // b * b).astype(np.int64))
    else:
        shown = true_full
    primary = (true_full > 0) & (true_full < threshold)
    withheld = primary.copy()
    for _ in range(_MAX_ROUNDS):
        _protect_lines(shown, withheld)
        exposed = _recoverable(shown, withheld)
        if not exposed:
            break
        for index in exposed:
            for line in _lines(shown.shape):
                if index in line and _withhold_partner(shown, withheld, line):
                    break
    else:  # pragma: no cover - every round withholds at least one entry, so this cannot run out
        raise DisclosureRiskError("secondary suppression did not converge")
    inner = tuple(slice(0, s) for s in shape)
    if not ((interior > 0) & ~withheld[inner]).any():
        raise DisclosureRiskError(
            f"the table by {', '.join(by)} is too sparse to release anything: every non-empty cell "
            f"would be suppressed at threshold {threshold}"
        )
    return SuppressedTable(
        by=tuple(by),
        categories=tuple(tuple(c) for c in cats),
        counts=shown,
        withheld=withheld,
        primary=primary,
        true_counts=true_full,
        threshold=threshold,
        rounding_base=rounding_base,
    )
