"""From scored pairs to clusters of one person across agencies.

Greedy, as anonlink's solver: pairs are taken from the most to the least similar; two groups merge
only when they hold no agency in common, so a cluster never has two records of one agency. The one
exception is an agency's own duplicates: when within-agency linking is on, pairs inside one agency
are joined first (their own threshold; groups of at most three records), and the group they form
then counts as that agency's one member of the cluster. With two agencies this is the greedy one-to-one matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from palermo.linkage._bloom import IntArray
from palermo.linkage._dice import _jit

FloatArray = npt.NDArray[np.float64]
MAX_DUPLICATES = 3


@_jit
def _find(parent: Any, x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@_jit
def _greedy(
    masks: Any,
    a: Any,
    b: Any,
    score: Any,
    within: Any,
    parent: Any,
    size: Any,
    links: Any,
    total: Any,
    low: Any,
    max_group: int,
) -> None:
    """Edges in the given order; ``within`` edges first (no agency rule, but a group of one
    agency's duplicates stays at most ``max_group`` records), then the others."""
    for phase in range(2):
        for e in range(a.shape[0]):
            if within[e] != (phase == 0):
                continue
            ra = _find(parent, a[e])
            rb = _find(parent, b[e])
            if ra == rb:
                continue
            if phase == 0 and size[ra] + size[rb] > max_group:
                continue
            if phase == 1 and (masks[ra] & masks[rb]) != 0:
                continue
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
            size[ra] += size[rb]
            masks[ra] |= masks[rb]
            links[ra] += links[rb] + 1
            total[ra] += total[rb] + score[e]
            low[ra] = min(low[ra], low[rb], score[e])


@_jit
def _labels(parent: Any, out: Any, roots: Any) -> int:
    """Cluster ids 0, 1, 2 … in order of each cluster's first node; each node's root."""
    n = parent.shape[0]
    label_of_root = np.full(n, -1, dtype=np.int64)
    count = 0
    for x in range(n):
        r = _find(parent, x)
        roots[x] = r
        if label_of_root[r] < 0:
            label_of_root[r] = count
            count += 1
        out[x] = label_of_root[r]
    return count


@dataclass(frozen=True)
class Clusters:
    """Each node's cluster (0-based, in order of first node) and per cluster: size, agencies
    (bit mask), and the Dice scores of the links that formed it (count, mean, minimum)."""

    labels: IntArray
    size: IntArray
    masks: npt.NDArray[np.uint64]
    links: IntArray
    mean_score: FloatArray
    min_score: FloatArray

    @property
    def count(self) -> int:
        return len(self.size)


def solve(
    sources: IntArray,
    a: IntArray,
    b: IntArray,
    score: FloatArray,
    *,
    max_duplicates: int = MAX_DUPLICATES,
    pure_python: bool = False,
) -> Clusters:
    """Cluster nodes (``sources[i]``: node i's agency, 0..63) from scored pairs (a[e], b[e]).
    An agency's duplicates form groups of at most ``max_duplicates`` records, so that chains of
    look-alikes inside one large agency never snowball into one cluster."""
    n = len(sources)
    order = np.lexsort((b, a, -score))
    a, b, score = a[order].astype(np.int64), b[order].astype(np.int64), score[order].astype(np.float64)
    within = sources[a] == sources[b]
    masks = np.left_shift(np.uint64(1), sources.astype(np.uint64))
    parent = np.arange(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    links = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.float64)
    low = np.full(n, np.inf)
    if pure_python:
        return _solve_python(sources, a, b, score, within, max_duplicates)
    _greedy(masks, a, b, score, within, parent, size, links, total, low, max_duplicates)
    labels = np.empty(n, dtype=np.int64)
    roots = np.empty(n, dtype=np.int64)
    count = _labels(parent, labels, roots)
    return _summarise(labels, count, roots, masks, size, links, total, low)


def _summarise(
    labels: IntArray,
    count: int,
    root_of: IntArray,
    masks: npt.NDArray[np.uint64],
    size: IntArray,
    links: IntArray,
    total: FloatArray,
    low: FloatArray,
) -> Clusters:
    first = np.full(count, -1, dtype=np.int64)
    nodes = np.arange(len(labels))
    first[labels[::-1]] = nodes[::-1]
    roots = root_of[first]
    link_count = links[roots]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(link_count > 0, total[roots] / np.maximum(link_count, 1), np.nan)
    minimum = np.where(link_count > 0, low[roots], np.nan)
    return Clusters(labels, size[roots], masks[roots], link_count, mean, minimum)


def _solve_python(
    sources: IntArray, a: IntArray, b: IntArray, score: FloatArray, within: Any, max_group: int
) -> Clusters:
    """The same algorithm in plain Python (used to test the compiled one)."""
    n = len(sources)
    parent = list(range(n))
    masks = [1 << int(s) for s in sources]
    size, links, total, low = [1] * n, [0] * n, [0.0] * n, [float("inf")] * n

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for phase in (True, False):
        for e in range(len(a)):
            if bool(within[e]) != phase:
                continue
            ra, rb = find(int(a[e])), find(int(b[e]))
            if (
                ra == rb
                or (not phase and masks[ra] & masks[rb])
                or (phase and size[ra] + size[rb] > max_group)
            ):
                continue
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
            size[ra] += size[rb]
            masks[ra] |= masks[rb]
            links[ra] += links[rb] + 1
            total[ra] += total[rb] + float(score[e])
            low[ra] = min(low[ra], low[rb], float(score[e]))
    label_of: dict[int, int] = {}
    labels = np.empty(n, dtype=np.int64)
    for x in range(n):
        labels[x] = label_of.setdefault(find(x), len(label_of))
    parent_arr = np.array([find(x) for x in range(n)], dtype=np.int64)
    return _summarise(
        labels,
        len(label_of),
        parent_arr,
        np.array(masks, dtype=np.uint64),
        np.array(size, dtype=np.int64),
        np.array(links, dtype=np.int64),
        np.array(total),
        np.array(low),
    )
