"""Column-at-a-time helpers: missing values, mapping each distinct value once, lists in cells.

A column of a million rows holds few distinct values (codes, countries, dates): each is looked up
once in Python and the answers are spread back over the rows with Arrow's ``take``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

Rules = list[tuple[NDArray[Any], str]]
"""Rows (a boolean mask) that break a rule, with the rule."""


def repeat(value: Any, n: int, type: pa.DataType | None = None) -> pa.Array:
    """``value`` ``n`` times, built in Arrow (no Python list of n items)."""
    one = pa.array([value], type) if type is not None else pa.array([value])
    result: pa.Array = pc.take(one, pa.array(np.zeros(n, dtype=np.int32)))
    return result


def constant(value: Any, n: int, type: pa.DataType) -> pa.Array:
    """``value`` ``n`` times, for a column bound for the store: text as a one-entry dictionary
    (``n`` small indices instead of ``n`` copies of the text; DuckDB stores it the same)."""
    if pa.types.is_string(type) and value is not None:
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], type))
    return repeat(value, n, type)


def keep_rows(values: pa.Array, mask: NDArray[Any]) -> pa.Array:
    """``values`` where ``mask`` holds; ``values`` itself (no copy) when it holds everywhere."""
    if mask.all():
        return values
    result: pa.Array = pc.filter(values, pa.array(mask))
    return result


def clean(raw: pa.Array, missing: Iterable[str]) -> pa.Array:
    """Trimmed text; empty, null and the missing values (compared ignoring case) become null."""
    if not pa.types.is_string(raw.type):
        raw = raw.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(raw)
    words = {m.lower() for m in missing} | {""}
    if words == {""}:
        is_missing = pc.equal(trimmed, "")
    elif all(w.upper() == w for w in words):  # no letters: comparing ignoring case changes nothing
        is_missing = pc.is_in(trimmed, value_set=pa.array(sorted(words), pa.string()))
    else:
        is_missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(sorted(words), pa.string()))
    return _null_where(trimmed, pc.fill_null(is_missing, True))


def _null_where(values: pa.Array, mask: pa.Array) -> pa.Array:
    """``values`` with nulls where ``mask`` holds: a new validity bitmap over the same text buffers."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    keep = pc.and_not(pc.is_valid(values), mask)
    if values.offset or keep.offset or keep.null_count or not pa.types.is_string(values.type):
        result: pa.Array = pc.if_else(mask, pa.scalar(None, values.type), values)
        return result
    _, offsets, data = values.buffers()
    nulls = len(values) - int(pc.sum(keep).as_py() or 0)
    return pa.Array.from_buffers(
        values.type, len(values), [keep.buffers()[1], offsets, data], null_count=nulls
    )


def restrict(values: pa.Array, mask: NDArray[Any] | None) -> pa.Array:
    """``values`` where ``mask`` holds, null elsewhere (a spec with ``when``)."""
    if mask is None:
        return values
    result: pa.Array = pc.if_else(pa.array(mask), values, pa.scalar(None, values.type))
    return result


def unique_map(
    values: pa.Array, fn: Callable[[str], tuple[Any, str | None]], out_type: pa.DataType
) -> tuple[pa.Array, Rules]:
    """Apply ``fn`` (value -> (result, rule or None)) to each distinct non-null value once.

    Returns the results spread over the rows (null where the value is null or a rule broke) and,
    for each rule broken, the mask of rows that broke it.
    """
    n = len(values)
    if n == 0 or values.null_count == n:
        return pa.nulls(n, out_type), []
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary.to_pylist()
    outputs: list[Any] = []
    rule_of: list[int] = []
    rules: list[str] = []
    for item in dictionary:
        result, rule = fn(item)
        if rule is not None:
            if rule not in rules:
                rules.append(rule)
            rule_of.append(rules.index(rule))
            outputs.append(None)
        else:
            rule_of.append(-1)
            outputs.append(result)
    indices = encoded.indices
    mapped: pa.Array = pc.take(pa.array(outputs, out_type), indices)
    if not rules:
        return mapped, []
    per_row = np.asarray(
        pc.take(pa.array(rule_of, pa.int32()), indices).fill_null(-1).to_numpy(zero_copy_only=False)
    )
    return mapped, [(per_row == i, rule) for i, rule in enumerate(rules)]


def split(values: pa.Array, separator: str, missing: Iterable[str]) -> pa.ListArray:
    """Cells holding several values: a list per row (null cell -> empty list), elements cleaned."""
    lists = pc.split_pattern(pc.fill_null(values, ""), pattern=separator)
    flat = clean(pc.list_flatten(lists), missing)
    keep = pc.is_valid(flat)
    parents = pc.list_parent_indices(lists)
    return rebuild(len(values), pc.filter(parents, keep), pc.filter(flat, keep))


def rebuild(n: int, parents: pa.Array, flat: pa.Array) -> pa.ListArray:
    """A list array of ``n`` rows from elements and the row each belongs to (in row order)."""
    counts = np.bincount(np.asarray(parents.to_numpy(zero_copy_only=False), dtype=np.int64), minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def rows_of(parents: pa.Array, element_mask: NDArray[Any], n: int) -> NDArray[Any]:
    """Rows whose elements include one marked in ``element_mask``."""
    rows = np.zeros(n, dtype=bool)
    rows[np.asarray(parents.to_numpy(zero_copy_only=False))[element_mask]] = True
    return rows


def any_rule(rules: Rules, n: int) -> NDArray[Any]:
    """Rows that broke any of ``rules``."""
    mask = np.zeros(n, dtype=bool)
    for rows, _ in rules:
        mask |= rows
    return mask
