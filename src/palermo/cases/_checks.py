"""Vectorised validation of shaped case-model tables: codes, ranges, required values, keys, references.

Every rule runs over whole columns (pyarrow compute) or as one DuckDB query per rule, never as a
Python loop over rows. Problems name the row (0-based, within its table), the field
(``table.column``) and the rule, never the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from palermo.cases._categories import Categories
from palermo.cases._duckdb_io import fetch_ints, registered
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
    shared_ok: Iterable[str] = (),
) -> list[Problem]:
    """Every problem in ``shaped`` (tables from :func:`palermo.cases._tables.prepare`).

    Keys must be new to the store, except in the tables named in ``shared_ok`` (rows already there
    are kept, not written again).
    """
    specs = tables()
    problems: list[Problem] = []
    for name, data in shaped.items():
        spec = specs[name]
        rows = data.column(ROW).combine_chunks()
        for col in spec.columns:
            problems.extend(_column_problems(spec, col, data, rows, categories))
    views = {name: f"_palermo_in_{name}" for name in shaped}
    with registered(conn, {view: shaped[name] for name, view in views.items()}):
        for name in shaped:
            spec = specs[name]
            problems.extend(_key_problems(conn, spec, views, check_store=name not in set(shared_ok)))
            problems.extend(_reference_problems(conn, spec, views))
        if "journey_events" in views:
            problems.extend(_partial_date_problems(conn, views["journey_events"]))
        if "cases" in views:
            problems.extend(_registration_problems(conn, views["cases"]))
    return problems


def _emit(rows: pa.Array | list[int], field: str, rule: str) -> list[Problem]:
    found = rows.to_pylist() if isinstance(rows, pa.Array | pa.ChunkedArray) else list(rows)
    problems = [Problem(int(r), field, rule) for r in found[:MAX_ROWS_PER_RULE]]
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
        positions = pc.unique(pc.filter(parents, bad))
        return pc.take(rows, positions)
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=codes)))
    return pc.filter(rows, bad)


def _coded_by_problems(
    spec: Table, col: Column, data: pa.Table, rows: pa.Array, categories: Categories
) -> list[Problem]:
    assert col.coded_by is not None
    lists = col.coded_by.lists
    selector = data.column(col.coded_by.column).combine_chunks()
    wrong_list = pc.and_(pc.is_valid(selector), pc.invert(pc.is_in(selector, value_set=pa.array(lists))))
    problems = _emit(
        pc.filter(rows, wrong_list),
        f"{spec.name}.{col.coded_by.column}",
        f"must name one of the category lists {', '.join(lists)}",
    )
    pairs = pa.array(
        sorted(f"{name}{_SEP}{code}" for name in lists for code in categories.codes(name)), type=pa.string()
    )
    joined = pc.binary_join_element_wise(selector, data.column(col.name).combine_chunks(), _SEP)
    bad = pc.and_(
        pc.and_(pc.is_valid(joined), pc.invert(wrong_list)), pc.invert(pc.is_in(joined, value_set=pairs))
    )
    rule = f"not a code of the category list named in '{col.coded_by.column}'"
    return problems + _emit(pc.filter(rows, pc.fill_null(bad, False)), f"{spec.name}.{col.name}", rule)


def _key_problems(
    conn: duckdb.DuckDBPyConnection, spec: Table, views: Mapping[str, str], *, check_store: bool
) -> list[Problem]:
    view = views[spec.name]
    keys = ", ".join(f'"{k}"' for k in spec.key)
    field = f"{spec.name}.{'+'.join(spec.key)}"
    dup_sql = (
        f"SELECT {ROW} FROM (SELECT {ROW}, count(*) OVER (PARTITION BY {keys}) AS n FROM {view}) "
        f"WHERE n > 1 ORDER BY {ROW}"
    )
    problems = _emit(fetch_ints(conn, dup_sql), field, "key appears more than once in this load")
    if check_store:
        on = " AND ".join(f'i."{k}" = s."{k}"' for k in spec.key)
        store_sql = f'SELECT i.{ROW} FROM {view} i JOIN "{spec.name}" s ON {on} ORDER BY i.{ROW}'
        problems += _emit(fetch_ints(conn, store_sql), field, "key already exists in the store")
    return problems


def _reference_problems(
    conn: duckdb.DuckDBPyConnection, spec: Table, views: Mapping[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    view = views[spec.name]
    for col in spec.columns:
        if col.ref is None:
            continue
        target, key = col.ref.table, col.ref.column
        also = (
            f'AND NOT EXISTS (SELECT 1 FROM {views[target]} p WHERE p."{key}" = c."{col.name}")'
            if target in views
            else ""
        )
        sql = (
            f'SELECT c.{ROW} FROM {view} c WHERE c."{col.name}" IS NOT NULL '
            f'AND NOT EXISTS (SELECT 1 FROM "{target}" s WHERE s."{key}" = c."{col.name}") {also} '
            f"ORDER BY c.{ROW}"
        )
        rule = f"refers to a row of {target} that is neither in the store nor in this load"
        problems += _emit(fetch_ints(conn, sql), f"{spec.name}.{col.name}", rule)
    return problems


def _partial_date_problems(conn: duckdb.DuckDBPyConnection, view: str) -> list[Problem]:
    where = f"SELECT {ROW} FROM {view} WHERE {{}} ORDER BY {ROW}"
    problems = _emit(
        fetch_ints(conn, where.format("event_month IS NOT NULL AND event_year IS NULL")),
        "journey_events.event_month",
        "a month needs a year",
    )
    problems += _emit(
        fetch_ints(conn, where.format("event_day IS NOT NULL AND event_month IS NULL")),
        "journey_events.event_day",
        "a day needs a month",
    )
    impossible = (
        f"SELECT {ROW} FROM {view} WHERE event_day BETWEEN 1 AND 31 AND event_month BETWEEN 1 AND 12 "
        "AND event_year BETWEEN 1 AND 9999 "
        "AND event_day > day(last_day(make_date(event_year, event_month, 1))) "
        f"ORDER BY {ROW}"
    )
    return problems + _emit(
        fetch_ints(conn, impossible), "journey_events.event_day", "no such day in that month"
    )


def _registration_problems(conn: duckdb.DuckDBPyConnection, view: str) -> list[Problem]:
    sql = (
        f"SELECT {ROW} FROM {view} WHERE registration_date IS NOT NULL AND registration_year IS NOT NULL "
        f"AND year(registration_date) <> registration_year ORDER BY {ROW}"
    )
    return _emit(
        fetch_ints(conn, sql), "cases.registration_year", "differs from the year of registration_date"
    )
