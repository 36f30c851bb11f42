"""Log-linear models over capture histories: which two-list interactions a model holds, its name, and
the design matrix that maps its parameters to the log expected count of each history.

Parameters: an intercept (the log expected count of the unseen history, recorded by no list), one
main effect per list, and one interaction per chosen pair of lists. The design row of history ``h``
has 1 for the intercept, ``h_j`` for list ``j`` and ``h_i * h_j`` for the pair ``(i, j)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

Pair = tuple[int, int]


def all_pairs(k: int) -> tuple[Pair, ...]:
    return tuple((i, j) for i in range(k) for j in range(i + 1, k))


@dataclass(frozen=True, order=True)
class Model:
    """Main effects of every list plus the two-list interactions in ``pairs`` (sorted, ``i < j``)."""

    pairs: tuple[Pair, ...] = ()

    @classmethod
    def of(cls, pairs: Iterable[Pair]) -> Model:
        return cls(tuple(sorted({(min(p), max(p)) for p in pairs})))

    def add(self, pair: Pair) -> Model:
        return Model.of((*self.pairs, pair))

    def terms(self, lists: Sequence[str]) -> list[str]:
        return [f"{lists[i]}:{lists[j]}" for i, j in self.pairs]

    def label(self, lists: Sequence[str]) -> str:
        """``main effects + LA:NG + PF:GO``: how reports name a model."""
        return " + ".join(["main effects", *self.terms(lists)])

    @classmethod
    def parse(cls, text: str, lists: Sequence[str]) -> Model:
        """Read ``"LA:NG, PF:GO"`` (or ``main``) back; an unknown list or a malformed term raises
        ``ValueError``."""
        text = text.replace("main effects", "").replace("main", "")
        pairs: list[Pair] = []
        for term in (t.strip() for t in text.replace("+", ",").split(",")):
            if not term:
                continue
            a, _, b = term.partition(":")
            if not b or a.strip() not in lists or b.strip() not in lists or a.strip() == b.strip():
                raise ValueError(term)
            i, j = lists.index(a.strip()), lists.index(b.strip())
            pairs.append((i, j))
        return cls.of(pairs)


def parameter_names(lists: Sequence[str], model: Model) -> list[str]:
    return ["(intercept)", *lists, *model.terms(lists)]


@lru_cache(maxsize=16)
def full_design(k: int) -> np.ndarray:
    """Rows: every history 0 .. 2**k - 1 (row 0 unseen). Columns: intercept, k main effects, then
    every pair in :func:`all_pairs` order. Read-only; models take a subset of columns."""
    masks = np.arange(1 << k)
    bits = ((masks[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
    pairs = all_pairs(k)
    inter = np.empty((1 << k, len(pairs)))
    for c, (i, j) in enumerate(pairs):
        inter[:, c] = bits[:, i] * bits[:, j]
    design = np.hstack([np.ones((1 << k, 1)), bits, inter])
    design.setflags(write=False)
    return design


@lru_cache(maxsize=16)
def _pair_column(k: int) -> dict[Pair, int]:
    return {p: 1 + k + c for c, p in enumerate(all_pairs(k))}


def model_columns(k: int, pairs: Sequence[Pair]) -> np.ndarray:
    """Columns of :func:`full_design` that a model with these (estimable) pairs uses."""
    index = _pair_column(k)
    return np.array([*range(1 + k), *(index[p] for p in pairs)], dtype=np.intp)


@lru_cache(maxsize=256)
def cells_without(k: int, pairs: tuple[Pair, ...]) -> np.ndarray:
    """Masks of histories 1 .. 2**k - 1 that hold none of ``pairs`` (both lists of a pair). Read-only."""
    masks = np.arange(1, 1 << k)
    keep = np.ones(len(masks), dtype=bool)
    for i, j in pairs:
        keep &= ~(((masks >> i) & 1).astype(bool) & ((masks >> j) & 1).astype(bool))
    cells = masks[keep]
    cells.setflags(write=False)
    return cells


@lru_cache(maxsize=256)
def design_rows(k: int, boundary: tuple[Pair, ...]) -> np.ndarray:
    """The rows of :func:`full_design` for :func:`cells_without` ``(k, boundary)``. Read-only."""
    rows: np.ndarray = full_design(k)[cells_without(k, boundary)]
    rows.setflags(write=False)
    return rows
