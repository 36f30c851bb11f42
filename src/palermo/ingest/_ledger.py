"""The ingest's own tables (migration 0004): record keys, provenance, quarantine, runs.

A record's key is the MD5 digest (128 bits: an identity, not a secret) of the mapping name, the source organisation and the values of the
columns the mapping reads (sorted by column name, so reordered columns give the same key), followed
by ``.N``: the N-th time that content occurs in the file. Identical rows in one file are therefore distinct records, and the same
file read again yields the same keys, which are then skipped as already ingested.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.cases._duckdb_io import insert_arrow, over_arrow
from palermo.ingest._values import constant
from palermo.store import Store

_SEEN = "_palermo_ingest_seen"
_SEP = "\x1f"
_NULL = "\x1e"


class Ledger:
    """Keys, provenance and quarantine of one run, written inside the run's transaction."""

    def __init__(self, store: Store, *, mapping: str, source_org: str | None) -> None:
        self.store = store
        self.conn = store.connection
        self.mapping = mapping
        self.source_org = source_org
        self.conn.execute(f"CREATE OR REPLACE TEMP TABLE {_SEEN} (h VARCHAR, n BIGINT)")
        self._seen_prefixes: list[NDArray[Any]] = []  # per earlier batch: sorted first 64 bits
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
        """The record key of each row of ``table`` (read columns ``columns``), in row order.

        DuckDB computes the digests (``md5`` over whole columns) and their first 64 bits as an
        integer. Rows whose 64 bits no other row of the run shares (numpy: one sort, and a binary
        search in each earlier batch's sorted prefixes) occur once so far; only the others are
        counted exactly, by their whole digest (in this batch, then in the run's earlier ones)."""
        prefix = _SEP.join([self.mapping, self.source_org or ""]).replace("'", "''")
        ordered = sorted(columns)
        parts = ", ".join(
            f"'{c.replace(chr(39), chr(39) * 2)}=' || coalesce(\"{c}\", '{_NULL}')" for c in ordered
        )
        sql = f"SELECT md5(concat_ws('{_SEP}', '{prefix}', {parts})) AS h FROM _palermo_batch"
        hashed = over_arrow(self.conn, table.select(list(ordered)), "_palermo_batch", sql).to_arrow_table()
        digests = hashed.column("h").combine_chunks()
        high = _first_64_bits(digests)
        order = np.argsort(high, kind="stable")
        ranked = high[order]
        occurrence = np.ones(len(high), dtype=np.int64)
        same = np.flatnonzero(ranked[1:] == ranked[:-1])
        if len(same):  # a repeated prefix: count those rows by their whole digest
            rows = np.unique(np.concatenate([order[same], order[same + 1]]))
            encoded = pc.dictionary_encode(pc.take(digests, pa.array(rows)))
            codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            occurrence[rows] = _occurrence(codes, np.bincount(codes, minlength=len(encoded.dictionary)))
        earlier = np.zeros(len(high), dtype=bool)
        for seen in self._seen_prefixes:  # sorted against sorted: the searches run in order
            at = np.minimum(np.searchsorted(seen, ranked), len(seen) - 1)
            earlier[order[seen[at] == ranked]] = True
        if earlier.any():  # seen in an earlier batch: add how many times, by whole digest
            rows = np.flatnonzero(earlier)
            sql = f"SELECT s.h, sum(s.n) AS n FROM {_SEEN} s SEMI JOIN _palermo_digests d ON s.h = d.h GROUP BY s.h"
            candidates = pa.table({"h": pc.take(digests, pa.array(rows))})
            prior = over_arrow(self.conn, candidates, "_palermo_digests", sql).to_arrow_table()
            where = pc.index_in(candidates.column("h"), value_set=prior.column("h"))
            counts = pc.take(prior.column("n").combine_chunks(), pc.fill_null(where, 0))
            before = np.asarray(pc.if_else(pc.is_valid(where), counts, 0).to_numpy(zero_copy_only=False))
            occurrence[rows] += before.astype(np.int64)
        if len(ranked):
            self._seen_prefixes.append(ranked)
        insert_arrow(
            self.conn, _SEEN, pa.table({"h": digests, "n": pa.array(np.ones(len(high), dtype=np.int64))})
        )
        keys: pa.Array = pc.binary_join_element_wise(digests, pc.cast(pa.array(occurrence), pa.string()), ".")
        return keys

    def known(self, keys: pa.Array) -> NDArray[Any]:
        """Which keys the store already holds, as ingested records or in quarantine."""
        if not self.has_history or len(keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        data = pa.table({"key": keys, "_i": pa.array(np.arange(len(keys), dtype=np.int64))})
        sql = """SELECT k._i FROM _palermo_keys k
                 WHERE k.key IN (SELECT record_key FROM ingest_records)
                    OR k.key IN (SELECT record_key FROM ingest_quarantine)"""
        rows = over_arrow(self.conn, data, "_palermo_keys", sql).fetchall()
        mask = np.zeros(len(keys), dtype=bool)
        mask[[int(r[0]) for r in rows]] = True
        return mask

    def stored_ids(self, table: str, column: str, ids: pa.Array) -> NDArray[Any]:
        """Which of ``ids`` the store's ``table.column`` already holds."""
        if len(ids) == 0:
            return np.zeros(0, dtype=bool)
        data = pa.table({"id": ids, "_i": pa.array(np.arange(len(ids), dtype=np.int64))})
        sql = f'SELECT i._i FROM _palermo_ids i SEMI JOIN "{table}" s ON s."{column}" = i.id'
        rows = over_arrow(self.conn, data, "_palermo_ids", sql).fetchall()
        mask = np.zeros(len(ids), dtype=bool)
        mask[[int(r[0]) for r in rows]] = True
        return mask

    # -- writing ---------------------------------------------------------------------------------
    def provenance(self, records: pa.Table) -> None:
        """Rows of ``ingest_records`` (record_key, target_table, target_id, dataset_id, run_id,
        source_file, source_row, mapping, mapping_version[, quarantine_id])."""
        insert_arrow(self.conn, "ingest_records", records)

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
        insert_arrow(self.conn, "ingest_quarantine", table)


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
        return constant(value, n, pa.string())

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
            "quarantine_id": pa.array(quarantine_ids, pa.int64())
            if quarantine_ids is not None
            else pa.nulls(n, pa.int64()),
        }
    )


def take_strings(values: pa.Array, mask: NDArray[Any]) -> pa.Array:
    result: pa.Array = pc.filter(values, pa.array(mask))
    return result


_HEX = np.zeros(256, dtype=np.uint8)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _first_64_bits(digests: pa.Array) -> NDArray[Any]:
    """The first 16 hex digits of each MD5 digest (32 lower-case hex digits) as an unsigned integer,
    read straight from the Arrow text buffer."""
    n = len(digests)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(digests.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * digests.offset)
    if digests.null_count or offsets[-1] - offsets[0] != 32 * n:
        raise ValueError("record digests must be 32 hex digits each")
    text = np.frombuffer(digests.buffers()[2], dtype=np.uint8, count=32 * n, offset=int(offsets[0]))
    nibbles = _HEX[text.reshape(n, 32)[:, :16]]
    packed = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]  # 8 bytes per digest, most significant first
    return np.ascontiguousarray(packed).view(">u8").ravel().astype(np.uint64)


def _occurrence(codes: NDArray[Any], counts: NDArray[Any]) -> NDArray[Any]:
    """For each row, the how-many-th row with its code it is (1, 2 …), in row order."""
    if not len(codes) or counts.max() == 1:
        return np.ones(len(codes), dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes), dtype=np.int64) - starts[codes[order]] + 1
    return rank
