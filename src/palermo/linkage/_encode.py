"""Agency side: records with identifying values in, Bloom-filter encodings out.

The input is read and checked by ``_records``. The output is a Parquet file holding, per record, only ``record_id``, the
encoding ``clk`` and the encoded blocking keys ``block_<name>``, in random order, with the schema's
fingerprint, the length and the secret's key check in its metadata. It is written to a temporary
file and renamed, so it is either complete or absent.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from palermo._version import __version__
from palermo.linkage._bloom import Hasher, WordArray, harden, pack, popcounts, unpack
from palermo.linkage._features import FieldValue, block_part, hash_tokens, salt_of, sound_tokens
from palermo.linkage._records import Column, prepare, read_records
from palermo.linkage._schema import BlockingKey, Feature, LinkageSchema
from palermo.linkage._secret import Secret

METADATA_KEY = b"palermo.linkage"
FORMAT = "palermo-clk"
_BATCH = 65_536
_STATS_SAMPLE = 20_000


@dataclass(frozen=True)
class EncodeSummary:
    """What an encoding wrote: counts and settings, never a value."""

    source: str
    out: str
    schema: str
    schema_fingerprint: str
    length: int
    records: int
    skipped_rows: list[int] = field(default_factory=list)
    empty_fields: list[str] = field(default_factory=list)
    mean_popcount: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "out": self.out,
            "schema": self.schema,
            "schema_fingerprint": self.schema_fingerprint,
            "length": self.length,
            "records": self.records,
            "skipped": len(self.skipped_rows),
            "skipped_rows": self.skipped_rows[:100],
            "empty_fields": self.empty_fields,
            "mean_popcount": round(self.mean_popcount, 1),
        }


def encode_table(
    table: pa.Table, schema: LinkageSchema, secret: Secret, *, where: str, skip_unnamed: bool = False
) -> tuple[pa.Table, list[int], list[str], list[float]]:
    """Encode records; returns (encoded table, skipped row numbers, fields no record has (column
    absent or empty), each field's mean own bits).

    Raises :class:`EncodingInputError` listing every problem by row (1 = first record after the
    header) and field.
    """
    prepared = prepare(table, schema, where=where, skip_unnamed=skip_unnamed)
    columns, n, ids, keep = prepared.columns, prepared.rows, prepared.ids, prepared.keep
    skipped = prepared.skipped
    hasher = Hasher(schema, secret)
    words, present, field_bits = _filters(schema, hasher, columns, n)
    words = _hardened(words, schema, hasher)
    out: dict[str, pa.Array] = {
        "record_id": ids,
        "clk": pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(words.shape[1] * 8),
            n,
            [None, pa.py_buffer(np.ascontiguousarray(words.astype("<u8")).tobytes())],
        ),
    }
    if schema.clk_config.presence:
        out["present"] = pa.array(present, pa.int32())
    seen = int(np.bitwise_or.reduce(present[keep])) if keep.any() else 0
    empty = [f.identifier for k, f in enumerate(schema.encoded) if not seen >> k & 1]
    for key in schema.blocking:
        out[f"block_{key.name}"] = _block_column(key, hasher, columns, n)
    encoded = pa.table(out)
    if not keep.all():
        encoded = encoded.filter(pa.array(keep))
    return encoded, skipped, empty, field_bits


def _filters(
    schema: LinkageSchema, hasher: Hasher, columns: dict[str, Column], n: int
) -> tuple[WordArray, npt.NDArray[np.int32], list[float]]:
    """OR of every field's bits: each distinct (value, salt) is hashed once, then gathered.

    Also returns each record's presence bits (bit k: the k-th encoded field has a value) and, per
    field, the mean number of bits only that field sets (over a sample of records that have it):
    what a record without the field lacks, which the hub leaves out of the comparison."""
    words = np.zeros((n, schema.clk_config.l // 64), dtype=np.uint64)
    present = np.zeros(n, dtype=np.int32)
    sample = min(n, _STATS_SAMPLE)
    sampled: list[WordArray] = []
    salt_field = schema.clk_config.hardening.salt_field
    if salt_field is not None:
        salt_col = columns[salt_field.split(".")[0]]
        salt_names = sorted({salt_of(v, salt_field) for v in salt_col.values})
        salt_index = {s: i for i, s in enumerate(salt_names)}
        per_value = np.array([salt_index[salt_of(v, salt_field)] for v in salt_col.values], dtype=np.int64)
        salt_codes, salts = per_value[salt_col.codes], salt_names
    else:
        salt_codes, salts = np.zeros(n, dtype=np.int64), [""]
    for k, col in enumerate(columns.values()):
        has_value = np.array([not v.missing for v in col.values], dtype=bool)
        present |= np.where(has_value[col.codes], np.int32(1 << k), np.int32(0))
        combined = col.codes * len(salts) + salt_codes
        unique, inverse = np.unique(combined, return_inverse=True)
        table = np.zeros((len(unique), words.shape[1]), dtype=np.uint64)
        for u, code in enumerate(unique.tolist()):
            positions = _positions(
                col.feature, hasher, col.values[code // len(salts)], salts[code % len(salts)]
            )
            if positions:
                pos = np.array(positions, dtype=np.int64)
                np.bitwise_or.at(
                    table[u], pos // 64, np.left_shift(np.uint64(1), (pos % 64).astype(np.uint64))
                )
        gathered = table[inverse.reshape(-1)]
        words |= gathered
        sampled.append(gathered[:sample])
    return words, present, _own_bits(sampled, present[:sample])


def _positions(feature: Feature, hasher: Hasher, value: FieldValue, salt: str) -> list[int]:
    assert feature.hashing is not None
    positions: list[int] = []
    group = feature.hashing.key_group or feature.identifier
    tokens = hash_tokens(feature, value)
    for token, k in zip(tokens, feature.hashing.strategy.bits(len(tokens)), strict=True):
        positions.extend(hasher.positions(group, salt, token, k))
    sound = feature.hashing.sound
    if sound is not None:
        sound_group = sound.key_group or f"{feature.identifier}.sound"
        tokens = sound_tokens(feature, value)
        for token, k in zip(tokens, sound.strategy.bits(len(tokens)), strict=True):
            positions.extend(hasher.positions(sound_group, salt, token, k))
    return positions


def _own_bits(sampled: list[WordArray], present: npt.NDArray[np.int32]) -> list[float]:
    """Per field, the mean bits set by that field and no other, over sampled records having it."""
    out: list[float] = []
    for k, mine in enumerate(sampled):
        others = np.zeros_like(mine)
        for j, theirs in enumerate(sampled):
            if j != k:
                others |= theirs
        has = (present >> k) & 1 == 1
        own = popcounts(mine[has] & ~others[has]) if has.any() else np.zeros(0)
        out.append(round(float(own.mean()), 2) if len(own) else 0.0)
    return out


def _hardened(words: WordArray, schema: LinkageSchema, hasher: Hasher) -> WordArray:
    hardening = schema.clk_config.hardening
    if not hardening.balance and not hardening.xor_folds:
        return words
    parts = [
        pack(harden(unpack(words[i : i + _BATCH]), schema, hasher.permutation_seed))
        for i in range(0, len(words), _BATCH)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, schema.length // 64), dtype=np.uint64)


def _block_column(key: BlockingKey, hasher: Hasher, columns: dict[str, Column], n: int) -> pa.Array:
    """One encoded blocking key per record (null where a part is unknown)."""
    pieces: list[pa.Array] = []
    for part in key.parts:
        per_field = []
        for name in part.fields:
            col = columns[name]
            lookup = pa.array([block_part(part.use, v, part.prefix) for v in col.values], pa.string())
            per_field.append(lookup.take(pa.array(col.codes)))
        if part.unordered and len(per_field) > 1:
            lists = [a.to_pylist() for a in per_field]
            rows = [None if None in t else "+".join(sorted(t)) for t in zip(*lists, strict=True)]
            joined = pa.array(rows, pa.string())
        else:
            joined = pc.binary_join_element_wise(*per_field, "+")
        pieces.append(joined)
    combined = pc.binary_join_element_wise(*pieces, "|") if len(pieces) > 1 else pieces[0]
    encoded = pc.dictionary_encode(combined)
    hashed = pa.array(
        [hasher.block_hash(key.name, [v]) if v is not None else None for v in encoded.dictionary.to_pylist()],
        pa.int64(),
    )
    return hashed.take(encoded.indices)


def encode_file(
    source: Path | str,
    schema: LinkageSchema,
    secret: Secret,
    out: Path | str,
    *,
    skip_unnamed: bool = False,
    shuffle: bool = True,
) -> EncodeSummary:
    """Encode ``source`` into ``out`` (written whole, or not at all)."""
    source, out = Path(source), Path(out)
    table = read_records(source)
    encoded, skipped, absent, field_bits = encode_table(
        table, schema, secret, where=str(source), skip_unnamed=skip_unnamed
    )
    if shuffle and encoded.num_rows > 1:
        order = np.random.Generator(np.random.PCG64(secrets.randbits(64))).permutation(encoded.num_rows)
        encoded = encoded.take(pa.array(order))
    hasher_check = secret.key_check(salt=schema.clk_config.kdf.salt)
    meta = {
        "format": FORMAT,
        "format_version": 1,
        "schema_name": schema.name,
        "schema_fingerprint": schema.fingerprint,
        "schema": schema.to_json(),
        "length": schema.length,
        "key_check": hasher_check,
        "records": encoded.num_rows,
        "blocking": [k.name for k in schema.blocking],
        "fields": [f.identifier for f in schema.encoded],
        "absent_fields": absent,
        "field_bits": field_bits,
        "palermo_version": __version__,
    }
    encoded = encoded.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})
    write_atomically(encoded, out)
    words = (
        np.frombuffer(encoded.column("clk").combine_chunks().buffers()[1], dtype="<u8")
        if encoded.num_rows
        else None
    )
    mean = float(popcounts(words.reshape(encoded.num_rows, -1)).mean()) if words is not None else 0.0
    return EncodeSummary(
        source=str(source),
        out=str(out),
        schema=schema.name,
        schema_fingerprint=schema.fingerprint,
        length=schema.length,
        records=encoded.num_rows,
        skipped_rows=skipped,
        empty_fields=absent,
        mean_popcount=mean,
    )


def write_atomically(table: pa.Table, out: Path) -> None:
    """Write Parquet to a temporary file beside ``out``, then rename it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
