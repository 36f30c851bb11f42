"""Before a fit is trusted: does its maximum-likelihood estimate exist, and is it identifiable?

Identifiable: the design matrix over the histories the model describes has full column rank; if not,
the parameters with weight in its null space cannot be told apart.

Exists (Haberman 1974; Fienberg and Rinaldo 2012): the Poisson log-likelihood has a finite maximiser
unless some direction ``d`` in parameter space keeps the log expected count unchanged on every
history with a positive count and lowers it on at least one empty history (``X d <= 0``, ``X d != 0``,
``(X d)_h = 0`` where ``y_h > 0``). Along such a direction the likelihood keeps rising, the fitted
counts of those empty histories go to zero and the parameters involved to infinity. The search for
``d`` lives in the null space of the rows with positive counts; when that space is one-dimensional
the answer is read off its sign pattern, otherwise a small linear program decides. This is the test
that Chan, Silverman and Vincent (2021) apply, through Fienberg and Rinaldo's linear program, to
sparse multiple-systems tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack
from scipy.optimize import linprog

_TOL = 1e-9
_potrf = lapack.get_lapack_funcs("potrf", (np.zeros((1, 1)),))


@dataclass(frozen=True)
class Check:
    """Verdict on one model and table. ``not_identifiable`` and ``not_finite`` name parameters."""

    identifiable: bool
    exists: bool
    not_identifiable: tuple[str, ...] = ()
    not_finite: tuple[str, ...] = ()
    zero_cells: tuple[int, ...] = ()  # histories (masks) whose fitted count would be forced to 0

    @property
    def ok(self) -> bool:
        return self.identifiable and self.exists

    def reason(self) -> str:
        if not self.identifiable:
            return "not identifiable: cannot tell apart " + ", ".join(self.not_identifiable)
        if not self.exists:
            return (
                "maximum-likelihood estimate does not exist: "
                + ", ".join(self.not_finite)
                + " tend to infinity"
            )
        return "ok"


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the null space of ``matrix``.

    A Cholesky factorisation of the Gram matrix settles the common full-rank case cheaply; otherwise
    its eigenvectors with (relatively) zero eigenvalues span the null space.
    """
    p = matrix.shape[1]
    if matrix.shape[0] == 0:
        return np.eye(p)
    gram = matrix.T @ matrix
    top = float(np.max(np.diag(gram)))
    if matrix.shape[0] >= p:
        chol, info = _potrf(gram, lower=1, overwrite_a=0, clean=0)
        if info == 0 and float(np.min(np.diag(chol))) ** 2 > _TOL * max(top, 1.0):
            return np.zeros((p, 0))
    values, vectors = np.linalg.eigh(gram)
    return np.asarray(vectors[:, values <= 1e-8 * max(top, 1.0)])


def _involved(basis: np.ndarray, names: Sequence[str]) -> tuple[str, ...]:
    weight = np.abs(basis).max(axis=1) if basis.size else np.zeros(len(names))
    top = weight.max() if weight.size else 0.0
    return tuple(n for n, w in zip(names, weight, strict=True) if top > 0 and w > 1e-7 * top)


def _recession_direction(m: np.ndarray) -> np.ndarray | None:
    """A ``w`` with ``m @ w <= 0`` and ``m @ w != 0``, or ``None`` if there is none."""
    r = m.shape[1]
    if r == 1:
        col = m[:, 0]
        if np.all(col <= _TOL):
            return np.ones(1)
        if np.all(col >= -_TOL):
            return -np.ones(1)
        return None
    # normalise so that the entries of m @ w sum to -1 (any non-zero m @ w <= 0 can be scaled to it)
    res = linprog(
        c=np.zeros(r),
        A_ub=m,
        b_ub=np.zeros(m.shape[0]),
        A_eq=m.sum(axis=0)[None, :],
        b_eq=np.array([-1.0]),
        bounds=[(None, None)] * r,
        method="highs",
    )
    if res.status == 0:
        return np.asarray(res.x)
    return None


def check(design: np.ndarray, counts: np.ndarray, names: Sequence[str], cells: np.ndarray) -> Check:
    """Check the model with ``design`` (rows: the histories ``cells`` it describes) on ``counts``."""
    positive = counts > 0
    free = _null_space(design[positive])
    if free.shape[1] == 0:  # full rank on the positive histories: identifiable, and the estimate exists
        return Check(identifiable=True, exists=True)
    null = _null_space(design)
    if null.shape[1] > 0:
        return Check(identifiable=False, exists=False, not_identifiable=_involved(null, names))
    m = design[~positive] @ free
    w = _recession_direction(m)
    if w is None:
        return Check(identifiable=True, exists=True)
    d = free @ w
    change = design @ d
    zero = tuple(int(c) for c in cells[change < -1e-7])
    return Check(identifiable=True, exists=False, not_finite=_involved(d[:, None], names), zero_cells=zero)
