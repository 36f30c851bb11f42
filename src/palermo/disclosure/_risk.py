"""Disclosure risk of a microdata table over chosen quasi-identifiers: ``measure_risk``.

Records that share every quasi-identifier value form an equivalence class. An intruder who knows a
person's quasi-identifiers and that the person is in the file (the prosecutor scenario) picks them
out with probability 1 / (size of their class). A null is a value like any other (it forms classes).
Computed with integer codes and one sort (numpy), not with a group-by per class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.errors import DisclosureParameterError, QuasiIdentifierError

# a record whose class has fewer than 5 members has a re-identification risk above 20%
HIGH_RISK = 0.2


def codes(column: pa.Array | pa.ChunkedArray) -> tuple[NDArray[np.int64], int]:
    """Integer codes of a column's values (null is its own code) and the number of codes."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    size = len(encoded.dictionary)
    indices = pc.fill_null(encoded.indices, size).to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, size + 1


def class_ids(
    columns: Sequence[tuple[NDArray[np.int64], int]],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Class id of each record (dense, 0..classes-1) and the size of each class."""
    n = len(columns[0][0]) if columns else 0
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    for values, size in columns:
        if radix * size >= 2**62:  # re-densify before the key would overflow
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            radix = int(key.max()) + 1 if n else 1
        key = key * size + values
        radix *= size
    ids, sizes = np.unique(key, return_inverse=True, return_counts=True)[1:]
    return ids.astype(np.int64).reshape(-1), sizes.astype(np.int64)


def check_qis(data: pa.Table, quasi_identifiers: Sequence[str], sensitive: Sequence[str] = ()) -> None:
    if not quasi_identifiers:
        raise DisclosureParameterError("name at least one quasi-identifier")
    if len(set(quasi_identifiers)) != len(quasi_identifiers):
        raise DisclosureParameterError("a quasi-identifier is named twice")
    for name in [*quasi_identifiers, *sensitive]:
        if name not in data.column_names:
            raise QuasiIdentifierError(
                f"column '{name}' is not in the data (columns: {', '.join(data.column_names)})"
            )


@dataclass(frozen=True)
class RiskReport:
    """Disclosure risk of a table over its quasi-identifiers (see :func:`measure_risk`)."""

    records: int
    quasi_identifiers: tuple[str, ...]
    k: int
    k_achieved: int
    classes: int
    classes_below_k: int
    records_in_small_classes: int
    sample_uniques: int
    max_risk: float
    mean_risk: float
    records_at_high_risk: int
    l_diversity: dict[str, int] = field(default_factory=dict)
    entropy_l_diversity: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "quasi_identifiers": list(self.quasi_identifiers),
            "k": self.k,
            "k_achieved": self.k_achieved,
            "classes": self.classes,
            "classes_below_k": self.classes_below_k,
            "records_in_small_classes": self.records_in_small_classes,
            "sample_uniques": self.sample_uniques,
            "max_risk": self.max_risk,
            "mean_risk": self.mean_risk,
            "records_at_high_risk": self.records_at_high_risk,
            "l_diversity": self.l_diversity,
            "entropy_l_diversity": self.entropy_l_diversity,
        }

    def to_markdown(self) -> str:
        n = max(self.records, 1)
        ok = self.k_achieved >= self.k
        lines = [
            "### Disclosure risk",
            "",
            f"{self.records:,} records, quasi-identifiers: {', '.join(self.quasi_identifiers)} (the facts an "
            "outsider may know about a person; records sharing all of them form a class).",
            "",
            f"- Smallest class: **{self.k_achieved:,}** records, so the file is {self.k_achieved}-anonymous; the "
            f"target is k = {self.k}: **{'met' if ok else 'not met'}**.",
            f"- Classes: {self.classes:,}; below k: {self.classes_below_k:,}, holding "
            f"{self.records_in_small_classes:,} records ({self.records_in_small_classes / n:.1%}).",
            f"- Sample uniques (a class of one, recognisable by anyone who knows those facts): "
            f"{self.sample_uniques:,}.",
            f"- Re-identification risk if an intruder knows the person is in the file: at most "
            f"{self.max_risk:.1%}, on average {self.mean_risk:.1%}; {self.records_at_high_risk:,} records "
            f"above {HIGH_RISK:.0%}.",
        ]
        for name, value in self.l_diversity.items():
            lines.append(
                f"- l-diversity of '{name}': every class has at least {value} distinct values "
                f"(entropy l {self.entropy_l_diversity.get(name, float('nan')):.2f}); a class with one "
                "value tells the intruder that attribute for all its members."
            )
        lines += [
            "",
            "What to do: "
            + (
                "nothing is required by the k rule."
                if ok
                else "generalise the quasi-identifiers "
                "(palermo's k-anonymous microdata) or suppress the records in small classes before release."
            ),
        ]
        return "\n".join(lines)


def measure_risk(
    data: pa.Table, quasi_identifiers: Sequence[str], *, k: int = 11, sensitive: Sequence[str] = ()
) -> RiskReport:
    """k achieved, classes below ``k``, sample uniques, prosecutor re-identification risk and the
    (distinct and entropy) l-diversity of each ``sensitive`` column, over ``quasi_identifiers``."""
    if k < 2:
        raise DisclosureParameterError("k must be at least 2")
    check_qis(data, quasi_identifiers, sensitive)
    n = data.num_rows
    if n == 0:
        return RiskReport(0, tuple(quasi_identifiers), k, 0, 0, 0, 0, 0, 0.0, 0.0, 0)
    ids, sizes = class_ids([codes(data[c]) for c in quasi_identifiers])
    record_size = sizes[ids]
    l_div: dict[str, int] = {}
    entropy: dict[str, float] = {}
    for name in sensitive:
        values, size = codes(data[name])
        pair = ids * size + values
        uniq, counts = np.unique(pair, return_counts=True)
        cls = uniq // size
        distinct = np.bincount(cls, minlength=len(sizes))
        l_div[name] = int(distinct.min())
        p = counts / sizes[cls]
        h = np.bincount(cls, weights=-p * np.log(p), minlength=len(sizes))
        entropy[name] = float(np.exp(h.min()))
    small = sizes < k
    return RiskReport(
        records=n,
        quasi_identifiers=tuple(quasi_identifiers),
        k=k,
        k_achieved=int(sizes.min()),
        classes=len(sizes),
        classes_below_k=int(small.sum()),
        records_in_small_classes=int(sizes[small].sum()),
        sample_uniques=int((sizes == 1).sum()),
        max_risk=float(1.0 / sizes.min()),
        mean_risk=float(len(sizes) / n),
        records_at_high_risk=int((1.0 / record_size > HIGH_RISK).sum()),
        l_diversity=l_div,
        entropy_l_diversity=entropy,
    )
