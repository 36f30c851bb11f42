"""Small DuckDB helpers of the case model: SQL over Arrow tables, Arrow inserts, rows as dicts.

Arrow tables reach SQL as relations (``from_arrow(...).query(name, sql)``), never through
``register``: DuckDB 2 keeps every registered Arrow table alive until the transaction ends, even
after ``unregister``, so a long load in one transaction would hold all of its batches in memory.
DuckDB 2 also refuses a relation query while an earlier ``execute`` result on the same connection is
still open; :func:`release_open_result` closes such a result first by running a trivial query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa


def release_open_result(conn: duckdb.DuckDBPyConnection) -> None:
    """Close any result an earlier ``execute`` left unfetched on ``conn``."""
    conn.execute("SELECT 1").fetchall()


def over_arrow(
    conn: duckdb.DuckDBPyConnection, data: pa.Table, name: str, sql: str
) -> duckdb.DuckDBPyRelation:
    """``sql`` run with ``data`` visible under ``name`` for that statement only (a SELECT is lazy:
    fetch its result; any other statement runs at once)."""
    release_open_result(conn)
    relation = conn.from_arrow(data).query(name, sql)
    if relation is None:  # DuckDB gives every statement run this way a result; never expected
        raise duckdb.InvalidInputException("a query over an Arrow table returned no result")
    return relation


def insert_arrow(conn: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> int:
    """Append ``data`` to ``table`` by column name in one statement; returns the rows written."""
    if data.num_rows == 0:
        return 0
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    over_arrow(
        conn, data, "_palermo_rows", f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM _palermo_rows'
    )
    return int(data.num_rows)


def fetch_ints(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> list[int]:
    """The first column of every row, as ints."""
    rows = conn.execute(sql, params).fetchall() if params is not None else conn.execute(sql).fetchall()
    return [int(r[0]) for r in rows]


def fetch_dicts(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Every row as a dict keyed by column name."""
    result = conn.execute(sql, params) if params is not None else conn.execute(sql)
    rows = result.fetchall()
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in rows]
