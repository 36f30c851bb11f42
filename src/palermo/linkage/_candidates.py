"""Candidate pairs at or above the threshold: exact all-pairs for small sets, blocking for large.

Blocking joins records that share a key: the encoded coarse keys the agencies computed (keyed
hashes of, say, the sound of the family name and the year of birth) and/or locality-sensitive keys
the hub computes from the Bloom filters themselves (each band samples ``lsh_bits`` bit positions;
filters that agree on all of them share the band's key). The join runs in DuckDB (or Spark, see
``_spark``); blocks larger than ``max_block`` records are left out (other keys still cover their
records) and counted. Every candidate's Dice is then computed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from palermo.linkage._bloom import IntArray, WordArray, popcounts
from palermo.linkage._dice import adjust_table, all_pairs, dice_scores, pair_shared
from palermo.linkage._encoded import EncodedFile

ALL_PAIRS_LIMIT = 200_000_000
BLOCKING_CHOICES = ("auto", "none", "keys", "lsh", "keys+lsh")


@dataclass
class Candidates:
    """Scored pairs (global row indices a < b) and how they were found."""

    a: IntArray
    b: IntArray
    score: np.ndarray
    method: str
    compared: int
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stack:
    """All files' encodings stacked: global row g belongs to source ``sources[g]``. With
    ``adjust``, ``present`` holds each record's field bits and scores leave out the bits of fields
    only one record of a pair has."""

    words: WordArray
    sources: IntArray
    offsets: list[int]
    popcount: IntArray
    present: IntArray
    adjust: IntArray | None
    min_shared: int = 0

    @classmethod
    def of(cls, files: list[EncodedFile], *, missing: str = "ignore", min_shared: int = 0) -> Stack:
        width = files[0].words.shape[1] if files else 16
        words = np.concatenate([f.words for f in files]) if files else np.zeros((0, width), dtype=np.uint64)
        sources = np.concatenate([np.full(f.records, i, dtype=np.int64) for i, f in enumerate(files)])
        offsets = [0, *np.cumsum([f.records for f in files]).tolist()]
        adjust = None
        present = np.zeros(len(words), dtype=np.int64)
        if missing == "records" and files and all(f.present is not None and f.field_bits for f in files):
            present = np.concatenate([f.present for f in files if f.present is not None])
            adjust = adjust_table(_mean_field_bits(files))
        elif missing == "fields" and files and all(f.field_bits for f in files):
            present = np.concatenate([np.full(f.records, f.fields_mask, dtype=np.int64) for f in files])
            adjust = adjust_table(_mean_field_bits(files))
        return cls(
            np.ascontiguousarray(words), sources, offsets, popcounts(words), present, adjust, min_shared
        )

    def presence(self, s: int) -> IntArray:
        return self.present[self.offsets[s] : self.offsets[s + 1]]

    def scores(self, a: IntArray, b: IntArray, shared: IntArray) -> np.ndarray:
        adjusted = self.adjust[self.present[a] ^ self.present[b]] if self.adjust is not None else None
        return dice_scores(shared, self.popcount[a], self.popcount[b], adjusted)


def _mean_field_bits(files: list[EncodedFile]) -> list[float]:
    """Each field's own bits, averaged over the files that have the field (weighted by records)."""
    count = len(files[0].field_bits or [])
    out = []
    for k in range(count):
        pairs = [((f.field_bits or [0.0] * count)[k], f.records) for f in files]
        weight = sum(n for bits, n in pairs if bits > 0)
        out.append(sum(bits * n for bits, n in pairs if bits > 0) / weight if weight else 0.0)
    return out


def comparisons_all_pairs(sizes: list[int], within: bool) -> int:
    cross = sum(sizes[i] * sizes[j] for i in range(len(sizes)) for j in range(i + 1, len(sizes)))
    return cross + (sum(n * (n - 1) // 2 for n in sizes) if within else 0)


def choose_blocking(files: list[EncodedFile], blocking: str, within: bool) -> str:
    if blocking != "auto":
        return blocking
    if comparisons_all_pairs([f.records for f in files], within) <= ALL_PAIRS_LIMIT:
        return "none"
    return "keys" if files and files[0].blocks else "lsh"


def exact_pairs(files: list[EncodedFile], stack: Stack, threshold: float, within: float | None) -> Candidates:
    """Every pair of records from different agencies (and, with ``within``, of one agency) above
    the threshold(s), compared exhaustively."""
    parts_a: list[IntArray] = []
    parts_b: list[IntArray] = []
    for s, left in enumerate(files):
        for t in range(s, len(files)):
            if t == s and within is None:
                continue
            right = files[t]
            cut = within if t == s and within is not None else threshold
            presence = (stack.presence(s), stack.presence(t)) if stack.adjust is not None else None
            i, j, _shared = all_pairs(
                left.words,
                right.words,
                cut,
                same=t == s,
                presence=presence,
                adjust=stack.adjust,
                min_shared=stack.min_shared,
            )
            parts_a.append(i + stack.offsets[s])
            parts_b.append(j + stack.offsets[t])
    a = np.concatenate(parts_a) if parts_a else np.zeros(0, np.int64)
    b = np.concatenate(parts_b) if parts_b else np.zeros(0, np.int64)
    score = stack.scores(a, b, pair_shared(stack.words, a, b))
    compared = comparisons_all_pairs([f.records for f in files], within is not None)
    return Candidates(a, b, score, "none", compared)


def lsh_keys(words: WordArray, bands: int, bits: int, seed: int = 20_240_601) -> list[IntArray]:
    """One key per band per record: the record's bits at ``bits`` sampled positions (the band
    number in the high bits). Positions are drawn once from ``seed``, the same for every agency."""
    length = words.shape[1] * 64
    rng = np.random.Generator(np.random.PCG64(seed))
    keys: list[IntArray] = []
    for band in range(bands):
        positions = rng.choice(length, size=bits, replace=False)
        word_idx, bit_idx = positions // 64, (positions % 64).astype(np.uint64)
        sampled = (words[:, word_idx] >> bit_idx) & np.uint64(1)
        weights = np.left_shift(np.uint64(1), np.arange(bits, dtype=np.uint64))
        value = (sampled * weights).sum(axis=1, dtype=np.uint64)
        keys.append((value | np.uint64(band + 1) << np.uint64(52)).astype(np.int64))
    return keys


def key_tables(
    files: list[EncodedFile], stack: Stack, method: str, lsh_bands: int, lsh_bits: int
) -> list[tuple[str, pa.Table]]:
    """Per blocking key (or LSH band), the table (g, s, k) of every record that has it."""
    out: list[tuple[str, pa.Table]] = []
    if "keys" in method and files:
        for name in files[0].blocks:
            gs = [np.flatnonzero(f.has_block[name]) + stack.offsets[i] for i, f in enumerate(files)]
            ks = [f.blocks[name][f.has_block[name]] for f in files]
            g = np.concatenate(gs)
            out.append((name, pa.table({"g": g, "s": stack.sources[g], "k": np.concatenate(ks)})))
    if "lsh" in method:
        every = np.arange(len(stack.words), dtype=np.int64)
        for band, band_keys in enumerate(lsh_keys(stack.words, lsh_bands, lsh_bits)):
            out.append((f"lsh{band}", pa.table({"g": every, "s": stack.sources, "k": band_keys})))
    return out


def key_table(files: list[EncodedFile], stack: Stack, method: str, lsh_bands: int, lsh_bits: int) -> pa.Table:
    """Every record's blocking keys in one table (g, s, k); keys of different names never collide
    (each is a keyed hash that includes its name; LSH keys carry their band)."""
    tables = [table for _, table in key_tables(files, stack, method, lsh_bands, lsh_bits)]
    if not tables:
        return pa.table(
            {"g": pa.array([], pa.int64()), "s": pa.array([], pa.int64()), "k": pa.array([], pa.int64())}
        )
    return pa.concat_tables(tables)


BLOCK_SQL = """
WITH sized AS (
    SELECT k FROM keys GROUP BY k HAVING count(*) BETWEEN 2 AND {max_block}
), kept AS (
    SELECT keys.g, keys.s, keys.k FROM keys SEMI JOIN sized USING (k)
)
SELECT l.g AS a, r.g AS b
FROM kept l JOIN kept r ON l.k = r.k AND l.g < r.g
WHERE {where}
"""


def blocked_pairs(
    files: list[EncodedFile],
    stack: Stack,
    threshold: float,
    within: float | None,
    method: str,
    *,
    max_block: int = 1_000,
    lsh_bands: int = 24,
    lsh_bits: int = 24,
    threads: int | None = None,
) -> Candidates:
    """Pairs that share a blocking key, scored exactly, kept at or above the threshold(s).

    One key at a time: its pairs are joined in DuckDB, scored, and only those above the threshold
    kept, so memory holds one key's pairs, not all of them."""
    where = "true" if within is not None else "l.s <> r.s"
    con = duckdb.connect(config={"threads": threads} if threads else {})
    kept_a: list[IntArray] = []
    kept_b: list[IntArray] = []
    compared, oversized, oversized_records = 0, 0, 0
    try:
        for _name, keys in key_tables(files, stack, method, lsh_bands, lsh_bits):
            con.register("keys", keys)
            big = con.execute(
                "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM keys GROUP BY k) WHERE n > ?",
                [max_block],
            ).fetchall()[0]
            oversized, oversized_records = oversized + int(big[0]), oversized_records + int(big[1])
            pairs = con.sql(BLOCK_SQL.format(max_block=int(max_block), where=where)).to_arrow_table()
            con.unregister("keys")
            a = pairs.column("a").to_numpy().astype(np.int64)
            b = pairs.column("b").to_numpy().astype(np.int64)
            del pairs
            compared += len(a)
            found = score_pairs(stack, a, b, threshold, within, method, {})
            kept_a.append(found.a)
            kept_b.append(found.b)
    finally:
        con.close()
    a = np.concatenate(kept_a) if kept_a else np.zeros(0, np.int64)
    b = np.concatenate(kept_b) if kept_b else np.zeros(0, np.int64)
    pairs_found = np.unique(np.stack([a, b], axis=1), axis=0) if len(a) else np.zeros((0, 2), np.int64)
    result = score_pairs(
        stack,
        pairs_found[:, 0],
        pairs_found[:, 1],
        threshold,
        within,
        method,
        {"oversized_blocks": oversized, "records_in_oversized_blocks": oversized_records},
    )
    result.compared = compared
    return result


def score_pairs(
    stack: Stack,
    a: IntArray,
    b: IntArray,
    threshold: float,
    within: float | None,
    method: str,
    stats: dict[str, Any],
) -> Candidates:
    """Exact Dice of candidate pairs; keep those at or above their threshold."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    shared = pair_shared(stack.words, a, b)
    score = stack.scores(a, b, shared)
    same = stack.sources[a] == stack.sources[b]
    cut = np.where(same, within if within is not None else np.inf, threshold)
    keep = (score >= cut) & (shared >= stack.min_shared)
    return Candidates(a[keep], b[keep], score[keep], method, len(a), stats)
