"""Small DuckDB helpers of the case model: Arrow tables as views, rows as dicts.

DuckDB 2 refuses ``register`` (and relation queries) while an earlier ``execute`` result on the same
connection is still open; :func:`registered` closes such a result first by running a trivial query.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa


def release_open_result(conn: duckdb.DuckDBPyConnection) -> None:
    """Close any result an earlier ``execute`` left unfetched on ``conn``."""
    conn.execute("SELECT 1").fetchall()


@contextmanager
def registered(conn: duckdb.DuckDBPyConnection, views: Mapping[str, pa.Table]) -> Iterator[None]:
    """Arrow tables visible to SQL under the given names for the duration of the block."""
    release_open_result(conn)
    done: list[str] = []
    try:
        for name, data in views.items():
            conn.register(name, data)
            done.append(name)
        yield
    finally:
        for name in done:
            conn.unregister(name)


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
