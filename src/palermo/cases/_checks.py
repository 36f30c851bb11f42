"""Vectorised validation of shaped case-model tables: codes, ranges, required values, keys, references.

Every rule runs over whole columns (pyarrow compute, numpy) or as a DuckDB query over a whole
table, never as a Python loop over rows. The store is asked only what the load cannot answer:
whether referenced ids that are not in the load are stored (one query per referenced table), and,
on request, whether keys are already stored. Problems name the row (0-based, within its table), the
field (``table.column``) and the rule, never the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.cases._categories import Categories
from palermo.cases._duckdb_io import over_arrow, release_open_result
from palermo.cases._schema import Column, Table, tables
from palermo.cases._tables import ROW
from palermo.errors import Problem

MAX_ROWS_PER_RULE = 20
"""At most this many rows are listed for one rule on one field; a last problem counts the rest."""

_SEP = "\x1f"


def check(
    conn: duckdb.DuckDBPyConnection,
    shaped: Mapping[str, pa.Table],
    categories: Categories,
    *,
    stored_keys: bool,
    shared_ok: Iterable[str] = (),
) -> list[Problem]:
    """Every problem in ``shaped`` (tables from :func:`palermo.cases._tables.prepare`).

    With ``stored_keys``, keys already in the store are problems too, except in the tables named
    in ``shared_ok`` (their stored rows are kept, not written again). Writers leave that check to
    the write itself, which calls :func:`stored_key_problems` inside its transaction (the tables keep
    no key index: migration 0007).
    """
    specs = tables()
    filled = {name: data for name, data in shaped.items() if data.num_rows}
    problems: list[Problem] = []
    unique: list[pa.ChunkedArray] = []  # key columns shown to hold no value twice in this load
    for name, data in filled.items():
        spec = specs[name]
        rows = data.column(ROW).combine_chunks()
        for col in spec.columns:
            problems += _column_problems(spec, col, data, rows, categories)
        if any(_same_memory(data.column(k), u) for k in spec.key for u in unique):
            continue  # a key column is one already shown unique (the same memory): so is the key
        repeated = _duplicate_key_problems(conn, spec, data)
        problems += repeated
        if not repeated and len(spec.key) == 1:
            unique.append(data.column(spec.key[0]))
    problems += _reference_problems(conn, filled)
    if "journey_events" in filled:
        problems += _partial_date_problems(filled["journey_events"])
    if "cases" in filled:
        problems += _registration_problems(filled["cases"])
    if stored_keys:
        skip = set(shared_ok)
        problems += stored_key_problems(conn, {n: d for n, d in filled.items() if n not in skip})
    return problems


def _emit(rows: pa.Array | pa.ChunkedArray | NDArray[Any], field: str, rule: str) -> list[Problem]:
    found = sorted(int(r) for r in (rows.tolist() if isinstance(rows, np.ndarray) else rows.to_pylist()))
    problems = [Problem(r, field, rule) for r in found[:MAX_ROWS_PER_RULE]]
    if len(found) > MAX_ROWS_PER_RULE:
        more = len(found) - MAX_ROWS_PER_RULE
        problems.append(Problem(None, field, f"{rule} (and {more} more rows)"))
    return problems


def _column_problems(
    spec: Table, col: Column, data: pa.Table, rows: pa.Array, categories: Categories
) -> list[Problem]:
    field = f"{spec.name}.{col.name}"
    values = data.column(col.name).combine_chunks()
    problems: list[Problem] = []
    if not col.nullable and values.null_count:
        problems += _emit(pc.filter(rows, pc.is_null(values)), field, "must not be empty")
    if col.coded is not None:
        codes = categories.code_array(col.coded.name)
        rule = f"not a code of category list '{col.coded.name}'"
        problems += _emit(_bad_codes(values, rows, codes), field, rule)
    if col.coded_by is not None:
        problems += _coded_by_problems(spec, col, data, rows, categories)
    if col.bounds is not None and values.null_count < len(values):
        low, high = col.bounds.low, col.bounds.high
        outside = pc.or_(pc.less(values, low), pc.greater(values, high))
        rule = f"must lie between {low:g} and {high:g}"
        problems += _emit(pc.filter(rows, pc.fill_null(outside, False)), field, rule)
    return problems


def _bad_codes(values: pa.Array, rows: pa.Array, codes: pa.Array) -> pa.Array:
    """Rows whose value (or any element of a list value) is not in ``codes``."""
    if pa.types.is_list(values.type):
        flat = pc.list_flatten(values)
        parents = pc.list_parent_indices(values)
        bad = pc.or_(pc.is_null(flat), pc.invert(pc.is_in(flat, value_set=codes)))
        positions = pc.unique(pc.filter(parents, pc.fill_null(bad, True)))
        return pc.take(rows, positions)
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=codes)))
    return pc.filter(rows, bad)


def _coded_by_problems(
    spec: Table, col: Column, data: pa.Table, rows: pa.Array, categories: Categories
) -> list[Problem]:
    assert col.coded_by is not None
    lists = col.coded_by.lists
    selector = _plain(data.column(col.coded_by.column).combine_chunks())
    wrong_list = pc.and_(pc.is_valid(selector), pc.invert(pc.is_in(selector, value_set=pa.array(lists))))
    problems = _emit(
        pc.filter(rows, wrong_list),
        f"{spec.name}.{col.coded_by.column}",
        f"must name one of the category lists {', '.join(lists)}",
    )
    pairs = pa.array(
        sorted(f"{name}{_SEP}{code}" for name in lists for code in categories.codes(name)), type=pa.string()
    )
    joined = pc.binary_join_element_wise(selector, _plain(data.column(col.name).combine_chunks()), _SEP)
    bad = pc.and_(
        pc.and_(pc.is_valid(joined), pc.invert(wrong_list)), pc.invert(pc.is_in(joined, value_set=pairs))
    )
    rule = f"not a code of the category list named in '{col.coded_by.column}'"
    return problems + _emit(pc.filter(rows, pc.fill_null(bad, False)), f"{spec.name}.{col.name}", rule)


def _plain(values: pa.Array) -> pa.Array:
    """Dictionary-encoded text as plain text (for the string kernels that take no dictionary)."""
    return values.dictionary_decode() if pa.types.is_dictionary(values.type) else values


def _duplicate_key_problems(conn: duckdb.DuckDBPyConnection, spec: Table, data: pa.Table) -> list[Problem]:
    """Rows whose key another row of the load repeats. The keys' 64-bit hashes (DuckDB ``hash``,
    over whole columns) are sorted first: equal keys have equal hashes, so when no two hashes are
    equal no key repeats; otherwise the exact group-by names the rows."""
    keys = list(spec.key)
    columns = ", ".join(f'"{k}"' for k in keys)
    hashed = over_arrow(
        conn, data, "_palermo_load", f"SELECT hash({columns}) AS h FROM _palermo_load"
    ).to_arrow_table()
    digests = np.sort(np.asarray(hashed.column("h").to_numpy()))
    if not (digests[1:] == digests[:-1]).any():
        return []
    grouped = data.select([*keys, ROW]).group_by(keys).aggregate([(ROW, "list"), (ROW, "count")])
    repeated = grouped.filter(pc.greater(grouped.column(f"{ROW}_count"), 1))
    rows = pc.list_flatten(repeated.column(f"{ROW}_list").combine_chunks())
    field = f"{spec.name}.{'+'.join(keys)}"
    return _emit(rows, field, "key appears more than once in this load")


def _reference_problems(conn: duckdb.DuckDBPyConnection, filled: Mapping[str, pa.Table]) -> list[Problem]:
    """References must point at a row in the load or in the store. Per referenced table, one
    DuckDB anti-join of every referencing column (a union) against the load's keys gives the
    distinct values the load does not hold; the store is asked about those only, and rows are
    looked up only when some value is in neither. A referencing column that is the parent's key
    column itself (the same Arrow memory, as the ingest writes victims and persons) is skipped."""
    specs = tables()
    by_target: dict[str, list[tuple[str, Column]]] = {}
    for name, data in filled.items():
        for col in specs[name].columns:
            if col.ref is None or data.column(col.name).null_count == data.num_rows:
                continue
            parent = filled.get(col.ref.table)
            key = parent.column(col.ref.column) if parent is not None else None
            if not _resolved_by_memory(conn, data.column(col.name), col, key):
                by_target.setdefault(col.ref.table, []).append((name, col))
    problems: list[Problem] = []
    for target, children in sorted(by_target.items()):
        key = children[0][1].ref.column if children[0][1].ref is not None else ""
        release_open_result(conn)
        union: duckdb.DuckDBPyRelation | None = None
        for i, (name, col) in enumerate(children):
            part = conn.from_arrow(filled[name].select([col.name, ROW])).project(
                f'{i} AS t, "{ROW}" AS r, CAST("{col.name}" AS VARCHAR) AS v'
            )
            union = part if union is None else union.union(part)
        assert union is not None
        outside = union.filter("v IS NOT NULL").set_alias("c")
        if target in filled:
            parent = conn.from_arrow(filled[target].select([key])).set_alias("p")
            outside = outside.join(parent, f'c.v = p."{key}"', how="anti")
        values = outside.aggregate("v", "v").to_arrow_table().column("v").combine_chunks()
        if not len(values):
            continue
        missing = pc.filter(
            values, pc.invert(pc.is_in(values, value_set=_stored_values(conn, target, key, values)))
        )
        if not len(missing):
            continue
        found = over_arrow(
            conn, pa.table({"v": missing}), "_palermo_missing", "SELECT v FROM _palermo_missing"
        )
        rows = outside.join(found.set_alias("m"), "c.v = m.v", how="semi").project("t, r").to_arrow_table()
        rule = f"refers to a row of {target} that is neither in the store nor in this load"
        for i, (name, col) in enumerate(children):
            mine = pc.filter(rows.column("r"), pc.equal(rows.column("t"), i))
            problems += _emit(mine, f"{name}.{col.name}", rule)
    return problems


def _resolved_by_memory(
    conn: duckdb.DuckDBPyConnection, values: pa.ChunkedArray, col: Column, key: pa.ChunkedArray | None
) -> bool:
    """Whether every value of a referencing column is known to resolve without looking at its rows:
    it is the load's key column itself (the same Arrow memory), a dictionary over that column, or a
    dictionary whose few entries are each in the load's keys or in the store."""
    if key is not None and _same_memory(values, key):
        return True
    if not pa.types.is_dictionary(values.type) or values.num_chunks != 1:
        return False
    entries = values.chunk(0).dictionary
    if key is not None and _same_memory(pa.chunked_array([entries]), key):
        return True
    if len(entries) > max(16, len(values) // 8):
        return False
    assert col.ref is not None
    if key is not None:
        entries = pc.filter(entries, pc.invert(pc.is_in(entries, value_set=key.combine_chunks())))
    entries = pc.unique(pc.drop_null(entries))
    return not len(entries) or len(_stored_values(conn, col.ref.table, col.ref.column, entries)) == len(
        entries
    )


def _same_memory(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Whether two columns are the very same Arrow memory (hence hold the same values)."""
    if a.num_chunks != 1 or b.num_chunks != 1 or a.type != b.type:
        return False
    x, y = a.chunk(0), b.chunk(0)
    if len(x) != len(y) or x.offset != y.offset:
        return False
    return [None if buf is None else buf.address for buf in x.buffers()] == [
        None if buf is None else buf.address for buf in y.buffers()
    ]


def _stored_values(conn: duckdb.DuckDBPyConnection, table: str, key: str, wanted: pa.Array) -> pa.Array:
    """Which of ``wanted`` the store holds in ``table.key``."""
    sql = f'SELECT w.v FROM _palermo_wanted w SEMI JOIN "{table}" s ON s."{key}" = w.v'
    rows = over_arrow(conn, pa.table({"v": wanted}), "_palermo_wanted", sql).fetchall()
    return pa.array([r[0] for r in rows], type=pa.string())


def _partial_date_problems(data: pa.Table) -> list[Problem]:
    rows = data.column(ROW).to_numpy()
    year, month, day = (_floats(data, c) for c in ("event_year", "event_month", "event_day"))
    has_y, has_m, has_d = ~np.isnan(year), ~np.isnan(month), ~np.isnan(day)
    problems = _emit(rows[has_m & ~has_y], "journey_events.event_month", "a month needs a year")
    problems += _emit(rows[has_d & ~has_m], "journey_events.event_day", "a day needs a month")
    full = has_y & has_m & has_d & (month >= 1) & (month <= 12)
    y = np.where(full, year, 2000).astype(np.int64)
    m = np.where(full, month, 1).astype(np.int64)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    last = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[m - 1] + ((m == 2) & leap)
    impossible = full & (np.where(full, day, 1) > last)
    return problems + _emit(rows[impossible], "journey_events.event_day", "no such day in that month")


def _floats(data: pa.Table, column: str) -> NDArray[Any]:
    """A numeric column as float64 numpy, nulls as NaN."""
    values = data.column(column).combine_chunks().cast(pa.float64())
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)


def _registration_problems(data: pa.Table) -> list[Problem]:
    dates = data.column("registration_date")
    years = data.column("registration_year")
    differs = pc.fill_null(pc.not_equal(pc.year(dates), pc.cast(years, pa.int64())), False)
    rows = pc.filter(data.column(ROW), differs)
    return _emit(rows, "cases.registration_year", "differs from the year of registration_date")


def stored_key_problems(conn: duckdb.DuckDBPyConnection, filled: Mapping[str, pa.Table]) -> list[Problem]:
    """Rows whose key the store already holds (one query per table)."""
    specs = tables()
    problems: list[Problem] = []
    for name, data in filled.items():
        if not data.num_rows:
            continue
        spec = specs[name]
        on = " AND ".join(f'i."{k}" = s."{k}"' for k in spec.key)
        sql = f'SELECT i.{ROW} FROM _palermo_keys i SEMI JOIN "{name}" s ON {on}'
        rows = [
            int(r[0])
            for r in over_arrow(conn, data.select([*spec.key, ROW]), "_palermo_keys", sql).fetchall()
        ]
        problems += _emit(
            np.array(rows, dtype=np.int64), f"{name}.{'+'.join(spec.key)}", "key already exists in the store"
        )
    return problems
