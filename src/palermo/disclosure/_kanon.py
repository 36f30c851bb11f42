"""k-anonymous microdata: optimal full-domain generalisation, then local suppression: ``anonymise``.

Each quasi-identifier has a generalisation hierarchy (``_hierarchy``); a *node* of the lattice picks
one level per quasi-identifier. A node is acceptable when the records left in classes smaller than
``k`` (and, with ``l``, in classes with fewer than ``l`` distinct values of a sensitive attribute) are
at most ``max_suppression`` of the file; those records are then withheld (local suppression), kept
aside with their reason, never silently dropped.

The search is globally optimal in the manner of ARX's Flash and of OLA (El Emam et al., 2009): both
properties used are monotone along the lattice, because generalising only merges classes:

* the records to withhold can only decrease as a node is generalised, so every generalisation of an
  acceptable node is acceptable (tagged without evaluation), and every specialisation of a rejected
  node is rejected;
* the information loss (below) only grows with generalisation, so the optimum is a minimal
  acceptable node, and no generalisation of an acceptable node needs to be scored.

Nodes are visited by height (sum of levels), bottom up; a node above an acceptable node is skipped.
Information loss: the mean over quasi-identifiers of level / (levels - 1) (Sweeney's precision loss),
ties broken by the records withheld, then by the discernibility of the classes (sum of squared sizes).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from palermo.disclosure._hierarchy import Hierarchy, hierarchies_for
from palermo.disclosure._risk import RiskReport, check_qis, class_ids, codes, measure_risk
from palermo.errors import DisclosureParameterError, DisclosureRiskError

MAX_NODES = 200_000


@dataclass(frozen=True)
class KAnonResult:
    """The released rows, the withheld rows and how they were chosen."""

    table: pa.Table
    withheld: pa.Table  # the rows not released, with column ``reason``; stays inside the agency
    levels: dict[str, int]
    suppressed: int
    suppression_rate: float
    information_loss: float
    nodes_evaluated: int
    nodes_total: int
    risk: RiskReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "records_released": self.table.num_rows,
            "suppressed": self.suppressed,
            "suppression_rate": self.suppression_rate,
            "levels": self.levels,
            "information_loss": self.information_loss,
            "nodes_evaluated": self.nodes_evaluated,
            "nodes_total": self.nodes_total,
            "k_achieved": self.risk.k_achieved,
        }


def _bad_records(
    levels: Sequence[list[tuple[NDArray[np.int64], int]]],
    node: tuple[int, ...],
    k: int,
    sensitive: Sequence[tuple[NDArray[np.int64], int]],
    l_min: int | None,
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64]]:
    ids, sizes = class_ids([levels[q][lvl] for q, lvl in enumerate(node)])
    bad_class = sizes < k
    if l_min is not None:
        for values, size in sensitive:
            pairs = np.unique(ids * size + values)
            distinct = np.bincount(pairs // size, minlength=len(sizes))
            bad_class |= distinct < l_min
    return bad_class[ids], ids, sizes


def anonymise(
    data: pa.Table,
    quasi_identifiers: Sequence[str],
    *,
    k: int = 11,
    max_suppression: float = 0.05,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    sensitive: Sequence[str] = (),
    l: int | None = None,  # noqa: E741 - the l of l-diversity
) -> KAnonResult:
    """k-anonymous (optionally distinct-l-diverse) microdata of ``data`` (module docstring)."""
    if k < 2:
        raise DisclosureParameterError("k must be at least 2")
    if not 0 <= max_suppression < 1:
        raise DisclosureParameterError("max_suppression must be at least 0 and below 1")
    if l is not None and (l < 2 or not sensitive):
        raise DisclosureParameterError("l must be at least 2 and needs a sensitive attribute")
    check_qis(data, quasi_identifiers, sensitive)
    n = data.num_rows
    if n == 0:
        raise DisclosureRiskError("the data is empty: there is nothing to release")
    chosen = hierarchies_for(quasi_identifiers, hierarchies)
    generalised = [
        [h.generalise(data[q], lvl) for lvl in range(h.levels)]
        for q, h in zip(quasi_identifiers, chosen, strict=True)
    ]
    levels = [[codes(column) for column in per_level] for per_level in generalised]
    sens = [codes(data[s]) for s in sensitive]
    heights = [h.levels - 1 for h in chosen]
    nodes_total = int(np.prod([h + 1 for h in heights]))
    if nodes_total > MAX_NODES:
        raise DisclosureParameterError(f"the lattice has {nodes_total:,} nodes; use fewer quasi-identifiers")
    limit = int(np.floor(max_suppression * n))
    accepted: list[tuple[int, ...]] = []
    rejected: list[tuple[int, ...]] = []
    evaluated = 0
    best: tuple[tuple[float, int, int], tuple[int, ...]] | None = None
    nodes = sorted(itertools.product(*(range(h + 1) for h in heights)), key=lambda nd: (sum(nd), nd))
    for node in nodes:
        if any(all(a <= b for a, b in zip(acc, node, strict=True)) for acc in accepted):
            continue  # a generalisation of an acceptable node: acceptable, never better
        if any(all(b <= a for a, b in zip(rej, node, strict=True)) for rej in rejected):
            continue  # a specialisation of a rejected node: rejected
        evaluated += 1
        bad, _, sizes = _bad_records(levels, node, k, sens, l)
        withheld = int(bad.sum())
        if withheld > limit:
            rejected.append(node)
            continue
        accepted.append(node)
        loss = float(np.mean([lv / h if h else 0.0 for lv, h in zip(node, heights, strict=True)]))
        score = (loss, withheld, int((sizes.astype(np.float64) ** 2).sum()))
        if best is None or score < best[0]:
            best = (score, node)
    if best is None:
        raise DisclosureRiskError(
            f"no generalisation of {', '.join(quasi_identifiers)} reaches k = {k} with at most "
            f"{max_suppression:.0%} of the records withheld; allow more suppression or a smaller k"
        )
    node = best[1]
    bad, _, _ = _bad_records(levels, node, k, sens, l)
    columns = {}
    for name in data.column_names:
        if name in quasi_identifiers:
            q = list(quasi_identifiers).index(name)
            columns[name] = generalised[q][node[q]]
        else:
            columns[name] = data[name]
    released_all = pa.table(columns)
    keep = pa.array(~bad)
    released = released_all.filter(keep)
    reason = "class smaller than k" if l is None else "class smaller than k or less than l-diverse"
    withheld_rows = data.filter(pa.array(bad)).append_column(
        "reason", pa.array([reason] * int(bad.sum()), pa.string())
    )
    risk = (
        measure_risk(released, quasi_identifiers, k=k, sensitive=sensitive)
        if released.num_rows
        else measure_risk(released_all, quasi_identifiers, k=k, sensitive=sensitive)
    )
    return KAnonResult(
        table=released,
        withheld=withheld_rows,
        levels=dict(zip(quasi_identifiers, node, strict=True)),
        suppressed=int(bad.sum()),
        suppression_rate=float(bad.sum() / n),
        information_loss=best[0][0],
        nodes_evaluated=evaluated,
        nodes_total=nodes_total,
        risk=risk,
    )
