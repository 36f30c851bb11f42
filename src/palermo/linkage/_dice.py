"""Sørensen–Dice similarity of packed Bloom filters, with hardware popcount.

``dice(A, B) = 2 |A ∧ B| / (|A| + |B|)`` over rows of unsigned 64-bit words. When the encodings
carry which fields each record has, the bits of a field only one of the two records has are left
out of the denominator: ``2 |A ∧ B| / (|A| + |B| - adjust[fields(A) xor fields(B)])``, where
``adjust`` sums each field's mean own bits (see ``_encode``); without that, plain Dice. With Numba installed
the kernels are compiled (LLVM's ``ctpop``, the CPU's POPCNT instruction, one pass over the 16 words
of a 1024-bit pair, no temporary arrays); without it a NumPy path (``np.bitwise_count`` over
blocks of rows) gives the same pairs, more slowly. Both compare ``2.0 * shared / total >=
threshold`` in float64, as anonlink does, so the candidate pairs are identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from palermo.linkage._bloom import IntArray, WordArray

F = TypeVar("F", bound=Callable[..., Any])
_popcount: Any

try:  # Numba is optional: the NumPy path gives the same results
    import numba
    from llvmlite import ir  # type: ignore[import-untyped,unused-ignore]
    from numba import types
    from numba.extending import intrinsic

    @intrinsic  # type: ignore[misc,unused-ignore]
    def _ctpop(typingctx: Any, x: Any) -> Any:
        signature = types.uint64(types.uint64)

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            fn = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
            return builder.call(fn, args)

        return signature, codegen

    _popcount = _ctpop

    def _jit(fn: F) -> F:
        return cast(F, numba.njit(nogil=True, cache=True)(fn))

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised where numba is absent
    HAVE_NUMBA = False

    def _popcount_py(x: Any) -> Any:
        return int(x).bit_count()

    _popcount = _popcount_py

    def _jit(fn: F) -> F:
        return fn


@_jit
def _all_pairs_kernel(
    a: Any,
    b: Any,
    pop_a: Any,
    pop_b: Any,
    pres_a: Any,
    pres_b: Any,
    adjust: Any,
    need: Any,
    upper: bool,
    row0: int,
    out_i: Any,
    out_j: Any,
    out_s: Any,
) -> int:
    """Pairs (i, j) of rows sharing at least ``need[total]`` bits, total being the adjusted
    popcount sum; ``upper``: only j > i + row0 (one set with itself). Returns how many were found;
    only the first len(out_i) are written. A pair is skipped unread when the smaller filter cannot
    reach the bound."""
    found = 0
    words = a.shape[1]
    capacity = out_i.shape[0]
    rows = a.shape[0]
    # four rows of ``a`` against each row of ``b``: b is read from memory a quarter as often
    for i0 in range(0, rows, 4):
        i1 = min(i0 + 4, rows)
        first = i0 + row0 + 1 if upper else 0
        for j in range(first, b.shape[0]):
            bj = b[j]
            pb = pop_b[j]
            qb = pres_b[j]
            for i in range(i0, i1):
                if upper and j <= i + row0:
                    continue
                pa = pop_a[i]
                total = pa + pb - adjust[pres_a[i] ^ qb]
                if total < 1:
                    total = 1
                bound = need[total]
                if bound > pa or bound > pb:
                    continue
                ai = a[i]
                shared = 0
                for w in range(words):
                    shared += _popcount(ai[w] & bj[w])
                if shared >= bound:
                    if found < capacity:
                        out_i[found] = i
                        out_j[found] = j
                        out_s[found] = shared
                    found += 1
    return found


def need_table(threshold: float, max_total: int) -> IntArray:
    """For each total popcount, the fewest shared bits with ``2.0 * shared / total >= threshold``
    (the float64 test itself, so integer comparisons give exactly the float test's pairs)."""
    need = np.empty(max_total + 1, dtype=np.int64)
    need[0] = max_total + 1  # two empty filters are never a pair
    for total in range(1, max_total + 1):
        shared = max(int(threshold * total / 2) - 2, 0)
        while shared <= total and not (2.0 * shared / total >= threshold):
            shared += 1
        need[total] = shared
    return need


@_jit
def _pairs_kernel(words: Any, left: Any, right: Any, out: Any) -> None:
    """Shared bits of the given row pairs of one matrix."""
    width = words.shape[1]
    for p in range(left.shape[0]):
        i = left[p]
        j = right[p]
        shared = 0
        for w in range(width):
            shared += _popcount(words[i, w] & words[j, w])
        out[p] = shared


NO_ADJUST = np.zeros(1, dtype=np.int64)


def all_pairs(
    a: WordArray,
    b: WordArray,
    threshold: float,
    *,
    same: bool = False,
    presence: tuple[IntArray, IntArray] | None = None,
    adjust: IntArray | None = None,
    min_shared: int = 0,
    use_numba: bool | None = None,
    chunk: int = 2048,
) -> tuple[IntArray, IntArray, IntArray]:
    """Every pair (i in a, j in b) with (adjusted) Dice >= threshold, as (i, j, shared bits), by i
    then j. ``same``: ``a is b`` and only pairs i < j are wanted. ``presence`` (each row's field
    bits) and ``adjust`` (bits to leave out per xor of field bits) give the adjusted Dice;
    ``min_shared``: pairs must also share at least this many bits."""
    numba_path = HAVE_NUMBA if use_numba is None else use_numba and HAVE_NUMBA
    pop_a = np.bitwise_count(a).sum(axis=1, dtype=np.int64)
    pop_b = pop_a if same else np.bitwise_count(b).sum(axis=1, dtype=np.int64)
    b = np.ascontiguousarray(b)
    if presence is None or adjust is None:
        pres_a, pres_b, adjust = np.zeros(len(a), np.int64), np.zeros(len(b), np.int64), NO_ADJUST
    else:
        pres_a, pres_b = presence[0].astype(np.int64), presence[1].astype(np.int64)
    need = np.maximum(need_table(threshold, 128 * a.shape[1]), min_shared)
    out: list[tuple[IntArray, IntArray, IntArray]] = []
    for start in range(0, len(a), chunk):
        stop = start + chunk
        block = np.ascontiguousarray(a[start:stop])
        if numba_path:
            capacity = max(4 * len(block), 65_536)
            while True:
                oi, oj, os_ = (np.empty(capacity, np.int64) for _ in range(3))
                found = _all_pairs_kernel(
                    block,
                    b,
                    pop_a[start:stop],
                    pop_b,
                    pres_a[start:stop],
                    pres_b,
                    adjust,
                    need,
                    same,
                    start,
                    oi,
                    oj,
                    os_,
                )
                if found <= capacity:
                    break
                capacity = found
            order = np.lexsort((oj[:found], oi[:found]))  # the kernel finds them tile by tile
            out.append((oi[:found][order] + start, oj[:found][order], os_[:found][order]))
        else:
            totals = (pop_a[start:stop], pop_b, pres_a[start:stop], pres_b, adjust)
            i, j, s = _numpy_block(block, b, totals, threshold, same, start)
            enough = s >= min_shared
            out.append((i[enough], j[enough], s[enough]))
    if not out:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), empty.copy()
    return (
        np.concatenate([o[0] for o in out]),
        np.concatenate([o[1] for o in out]),
        np.concatenate([o[2] for o in out]),
    )


def _numpy_block(
    block: WordArray,
    b: WordArray,
    totals: tuple[IntArray, IntArray, IntArray, IntArray, IntArray],
    threshold: float,
    same: bool,
    row0: int,
) -> tuple[IntArray, IntArray, IntArray]:
    pop_a, pop_b, pres_a, pres_b, adjust = totals
    rows_i: list[IntArray] = []
    rows_j: list[IntArray] = []
    shared_all: list[IntArray] = []
    step = max(1, 4_000_000 // max(len(b), 1))
    for s in range(0, len(block), step):
        part = block[s : s + step]
        shared = np.bitwise_count(part[:, None, :] & b[None, :, :]).sum(axis=2, dtype=np.int64)
        total = (
            pop_a[s : s + step, None] + pop_b[None, :] - adjust[pres_a[s : s + step, None] ^ pres_b[None, :]]
        )
        total = np.maximum(total, 1)
        ok = (2.0 * shared / total >= threshold) & (pop_a[s : s + step, None] + pop_b[None, :] > 0)
        if same:
            ok &= np.arange(len(b))[None, :] > (np.arange(len(part)) + s + row0)[:, None]
        i, j = np.nonzero(ok)
        rows_i.append(i + s + row0)
        rows_j.append(j)
        shared_all.append(shared[i, j])
    return np.concatenate(rows_i), np.concatenate(rows_j), np.concatenate(shared_all)


def pair_shared(
    words: WordArray, left: IntArray, right: IntArray, *, use_numba: bool | None = None
) -> IntArray:
    """Shared bits of row pairs (left[p], right[p]) of ``words``."""
    numba_path = HAVE_NUMBA if use_numba is None else use_numba and HAVE_NUMBA
    out = np.empty(len(left), dtype=np.int64)
    if numba_path:
        _pairs_kernel(words, left.astype(np.int64), right.astype(np.int64), out)
        return out
    step = 1_000_000
    for s in range(0, len(left), step):
        sl = slice(s, s + step)
        out[sl] = np.bitwise_count(words[left[sl]] & words[right[sl]]).sum(axis=1, dtype=np.int64)
    return out


def dice_scores(
    shared: IntArray, pop_left: IntArray, pop_right: IntArray, adjusted: IntArray | None = None
) -> npt.NDArray[np.float64]:
    """2 shared / (|A| + |B| - adjusted), at most 1; 0 where both filters are empty."""
    raw = pop_left + pop_right
    total = np.maximum(raw - adjusted, 1) if adjusted is not None else np.maximum(raw, 1)
    scores = np.where(raw > 0, 2.0 * shared / total, 0.0)
    return np.minimum(scores, 1.0)


def adjust_table(field_bits: list[float], weight: float = 1.0) -> IntArray:
    """Bits to leave out of the denominator for every xor of two records' field bits."""
    count = len(field_bits)
    if count > 16:
        raise ValueError("at most 16 encoded fields can be adjusted for")
    masks = np.arange(1 << count)
    table = np.zeros(1 << count, dtype=np.float64)
    for k, bits in enumerate(field_bits):
        table += np.where((masks >> k) & 1, bits * weight, 0.0)
    return np.rint(table).astype(np.int64)
