"""The ingest's own tables (migration 0004): record keys, provenance, quarantine, runs.

A record's key is the MD5 digest (128 bits: an identity, not a secret) of the mapping name, the source organisation and the values of the
columns the mapping reads (sorted by column name, so reordered columns give the same key), followed
by ``.N``: the N-th time that content occurs in the file. Identical rows in one file are therefore distinct records, and the same
file read again yields the same keys, which are then skipped as already ingested.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.ingest._values import repeat
from palermo.store import Store

_SEEN = "_palermo_ingest_seen"
_SEP = "\x1f"
_NULL = "\x1e"


@contextmanager
def _view(conn: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> Iterator[None]:
    conn.execute("SELECT 1").fetchall()  # close any half-read result before registering
    conn.register(name, data)
    try:
        yield
    finally:
        conn.unregister(name)


class Ledger:
    """Keys, provenance and quarantine of one run, written inside the run's transaction."""

    def __init__(self, store: Store, *, mapping: str, source_org: str | None) -> None:
        self.store = store
        self.conn = store.connection
        self.mapping = mapping
        self.source_org = source_org
        self.conn.execute(f"CREATE OR REPLACE TEMP TABLE {_SEEN} (h VARCHAR, n BIGINT)")
        prior = self.conn.execute(
            "SELECT count(*) FROM ingest_runs WHERE mapping = ? AND source_org IS NOT DISTINCT FROM ?",
            [mapping, source_org],
        ).fetchall()[0][0]
        pending = self.conn.execute(
            "SELECT count(*) FROM ingest_quarantine WHERE mapping = ? AND source_org IS NOT DISTINCT FROM ?",
            [mapping, source_org],
        ).fetchall()[0][0]
        self.has_history = bool(prior or pending)

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {_SEEN}")

    # -- keys ------------------------------------------------------------------------------------
    def keys(self, table: pa.Table, columns: Sequence[str]) -> pa.Array:
        """The record key of each row of ``table`` (read columns ``columns``), in row order."""
        prefix = _SEP.join([self.mapping, self.source_org or ""])
        ordered = sorted(columns)
        parts = ", ".join(
            f"'{c.replace(chr(39), chr(39) * 2)}=' || coalesce(\"{c}\", '{_NULL}')" for c in ordered
        )
        data = table.select(list(ordered)).append_column(
            "_i", pa.array(np.arange(table.num_rows, dtype=np.int64))
        )
        with _view(self.conn, "_palermo_batch", data):
            self.conn.execute(
                f"""CREATE OR REPLACE TEMP TABLE _palermo_hashed AS
                SELECT _i, md5(concat_ws('{_SEP}', ?, {parts})) AS h FROM _palermo_batch""",
                [prefix],
            )
        result = self.conn.sql(
            f"""WITH prior AS (
                    SELECT s.h, sum(s.n) AS n FROM {_SEEN} s SEMI JOIN _palermo_hashed b ON s.h = b.h GROUP BY s.h),
                numbered AS (SELECT _i, h, row_number() OVER (PARTITION BY h ORDER BY _i) AS k FROM _palermo_hashed)
            SELECT x.h || '.' || CAST(x.k + coalesce(p.n, 0) AS VARCHAR) AS key
            FROM numbered x LEFT JOIN prior p USING (h) ORDER BY x._i"""
        ).to_arrow_table()
        self.conn.execute(f"INSERT INTO {_SEEN} SELECT h, count(*) FROM _palermo_hashed GROUP BY h")
        self.conn.execute("DROP TABLE _palermo_hashed")
        return result.column("key").combine_chunks()

    def known(self, keys: pa.Array) -> NDArray[Any]:
        """Which keys the store already holds, as ingested records or in quarantine."""
        if not self.has_history or len(keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        data = pa.table({"key": keys, "_i": pa.array(np.arange(len(keys), dtype=np.int64))})
        with _view(self.conn, "_palermo_keys", data):
            rows = self.conn.execute(
                """SELECT k._i FROM _palermo_keys k
                   WHERE k.key IN (SELECT record_key FROM ingest_records)
                      OR k.key IN (SELECT record_key FROM ingest_quarantine)"""
            ).fetchall()
        mask = np.zeros(len(keys), dtype=bool)
        mask[[int(r[0]) for r in rows]] = True
        return mask

    def stored_ids(self, table: str, column: str, ids: pa.Array) -> NDArray[Any]:
        """Which of ``ids`` the store's ``table.column`` already holds."""
        if len(ids) == 0:
            return np.zeros(0, dtype=bool)
        data = pa.table({"id": ids, "_i": pa.array(np.arange(len(ids), dtype=np.int64))})
        with _view(self.conn, "_palermo_ids", data):
            rows = self.conn.execute(
                f'SELECT i._i FROM _palermo_ids i SEMI JOIN "{table}" s ON s."{column}" = i.id'
            ).fetchall()
        mask = np.zeros(len(ids), dtype=bool)
        mask[[int(r[0]) for r in rows]] = True
        return mask

    # -- writing ---------------------------------------------------------------------------------
    def provenance(self, records: pa.Table) -> None:
        """Rows of ``ingest_records`` (record_key, target_table, target_id, dataset_id, run_id,
        source_file, source_row, mapping, mapping_version[, quarantine_id])."""
        self.store.insert_arrow("ingest_records", records)

    def quarantine(self, entries: list[dict[str, Any]]) -> None:
        """New quarantine entries (one per row, with every problem found)."""
        if not entries:
            return
        rows = {
            key: [e[key] for e in entries]
            for key in (
                "record_key", "run_id", "dataset_id", "source_file", "source_row", "mapping",
                "mapping_version", "source_org",
            )
        }  # fmt: skip
        rows["problems"] = [json.dumps(e["problems"], ensure_ascii=False) for e in entries]
        rows["original"] = [json.dumps(e["original"], ensure_ascii=False, default=str) for e in entries]
        table = pa.table(
            {k: pa.array(v, pa.int64() if k == "source_row" else pa.string()) for k, v in rows.items()}
        )
        self.store.insert_arrow("ingest_quarantine", table)


def provenance_table(
    keys: pa.Array,
    target_ids: pa.Array,
    rows: NDArray[Any],
    *,
    target_table: str,
    dataset_id: str,
    run_id: str,
    source_file: str,
    mapping: str,
    mapping_version: str,
    quarantine_ids: Sequence[int | None] | None = None,
) -> pa.Table:
    """The ``ingest_records`` rows of a batch's ingested records."""
    n = len(keys)

    def same(value: str) -> pa.Array:
        return repeat(value, n, pa.string())

    return pa.table(
        {
            "record_key": keys,
            "target_table": same(target_table),
            "target_id": target_ids,
            "dataset_id": same(dataset_id),
            "run_id": same(run_id),
            "source_file": same(source_file),
            "source_row": pa.array(rows, pa.int64()),
            "mapping": same(mapping),
            "mapping_version": same(mapping_version),
            "quarantine_id": pa.array(
                quarantine_ids if quarantine_ids is not None else [None] * n, pa.int64()
            ),
        }
    )


def take_strings(values: pa.Array, mask: NDArray[Any]) -> pa.Array:
    result: pa.Array = pc.filter(values, pa.array(mask))
    return result
