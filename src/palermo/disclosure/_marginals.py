"""How well synthetic records keep the original's marginals: ``marginal_error``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.disclosure._dp import IntArray, as_strings, check_columns
from palermo.errors import DisclosureParameterError


def marginal_error(
    original: pa.Table, synthetic: pa.Table, columns: Sequence[str], length: int = 3
) -> dict[int, float]:
    """Mean absolute error of the k-way marginal counts, for each k = 1 .. ``length``.

    For each k: over every k-column combination and every cell (value combination; values compared as
    strings, a null is a value of its own) present in either table, the mean of
    |original count - synthetic count x n_original / n_synthetic|. Errors are in records of the
    original; a cell only the synthetic table has counts, a cell neither has does not.
    """
    check_columns(original, columns, "columns")
    check_columns(synthetic, columns, "columns")
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= len(columns):
        raise DisclosureParameterError("length must be a whole number between 1 and the number of columns")
    n_a = original.num_rows
    scale = n_a / synthetic.num_rows
    codes, sizes = [], []
    for name in columns:
        both = pa.concat_arrays([as_strings(original[name]), as_strings(synthetic[name])])
        encoded = pc.dictionary_encode(both, null_encoding="encode")
        codes.append(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64))
        sizes.append(len(encoded.dictionary))
    result: dict[int, float] = {}
    for k in range(1, length + 1):
        error, cells = 0.0, 0
        for combo in itertools.combinations(range(len(columns)), k):
            cell = _cells([codes[i] for i in combo], [sizes[i] for i in combo])
            n_cells = int(cell.max()) + 1
            count_a = np.bincount(cell[:n_a], minlength=n_cells)
            count_b = np.bincount(cell[n_a:], minlength=n_cells)
            seen = (count_a > 0) | (count_b > 0)
            error += float(np.abs(count_a[seen] - count_b[seen] * scale).sum())
            cells += int(seen.sum())
        result[k] = error / cells
    return result


def _cells(codes: Sequence[IntArray], sizes: Sequence[int]) -> IntArray:
    """One dense code per row for its combination of column codes (compacted if the product is big)."""
    if float(np.prod(sizes, dtype=np.float64)) < 2**62:
        cell = np.zeros(len(codes[0]), dtype=np.int64)
        for column, size in zip(codes, sizes, strict=True):
            cell = cell * size + column
        if int(np.prod(sizes, dtype=np.float64)) <= 4 * len(cell) + 1024:
            return cell
        return np.unique(cell, return_inverse=True)[1].ravel()
    return np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)[1].ravel()
