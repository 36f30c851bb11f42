"""Hub side: read encoded files and check, before any comparison, that they can be compared.

Files are refused, naming them, when they were encoded under different schemas, lengths or secrets,
or when one agency's file is given twice (the same source name, or the same content).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from palermo.errors import DuplicateSourceError, EncodedFileError, IncompatibleEncodingsError
from palermo.linkage._bloom import WordArray, popcounts
from palermo.linkage._encode import FORMAT, METADATA_KEY

MAX_SOURCES = 64


@dataclass(frozen=True)
class EncodedFile:
    """One agency's encodings, rows sorted by record id."""

    path: Path
    source: str
    meta: dict[str, Any]
    record_ids: pa.Array
    words: WordArray
    blocks: dict[str, np.ndarray]  # blocking key name -> int64 values, 0 where unknown
    has_block: dict[str, np.ndarray]  # blocking key name -> bool mask
    present: np.ndarray | None = None  # per record, bit k: the k-th encoded field has a value

    @property
    def fields_mask(self) -> int:
        """Bit k set when the file has the k-th encoded field at all (its column is not absent)."""
        absent = set(self.meta.get("absent_fields") or [])
        return sum(1 << k for k, name in enumerate(self.meta.get("fields") or []) if name not in absent)

    @property
    def field_bits(self) -> list[float] | None:
        bits = self.meta.get("field_bits")
        return [float(b) for b in bits] if isinstance(bits, list) else None

    @property
    def records(self) -> int:
        return len(self.record_ids)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256(self.words.tobytes())
        digest.update("\x1f".join(self.record_ids.to_pylist()).encode())
        return digest.hexdigest()

    def popcounts(self) -> np.ndarray:
        return popcounts(self.words)


def source_name(path: Path) -> str:
    """The agency's name in results: the file name without its extension."""
    name = path.name
    for suffix in (".parquet", ".clk"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def read_encoded(path: Path | str) -> EncodedFile:
    """Read and check one encoded file."""
    path = Path(path)
    if not path.is_file():
        raise EncodedFileError(f"encoded file {path} does not exist")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError):
        raise EncodedFileError(
            f"{path} is not a Parquet file (give the output of 'palermo link encode')"
        ) from None
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    try:
        meta: dict[str, Any] = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        meta = {}
    if meta.get("format") != FORMAT:
        raise EncodedFileError(
            f"{path} has no Palermo encoding metadata (give the output of 'palermo link encode')"
        )
    length = int(meta.get("length", 0))
    if "record_id" not in table.column_names or "clk" not in table.column_names:
        raise EncodedFileError(f"{path} lacks the record_id or clk column")
    clk = table.column("clk").combine_chunks()
    if not pa.types.is_fixed_size_binary(clk.type) or clk.type.byte_width * 8 != length or length % 64:
        raise EncodedFileError(f"{path}: encodings are not {length} bits long as its metadata says")
    if clk.null_count:
        raise EncodedFileError(f"{path}: {clk.null_count} records have no encoding")
    ids = table.column("record_id").combine_chunks().cast(pa.string())
    if ids.null_count or len(pc.unique(ids)) != len(ids):
        raise EncodedFileError(f"{path}: record ids are missing or repeated")
    order = pc.sort_indices(ids).to_numpy()
    buffer = clk.buffers()[1]
    offset = clk.offset * clk.type.byte_width
    words = (
        np.frombuffer(buffer, dtype="<u8", count=len(clk) * length // 64, offset=offset)
        .reshape(len(clk), length // 64)
        .astype(np.uint64)
    )
    blocks: dict[str, np.ndarray] = {}
    has: dict[str, np.ndarray] = {}
    for name in meta.get("blocking", []):
        column = f"block_{name}"
        if column not in table.column_names:
            raise EncodedFileError(f"{path}: blocking key column {column} is missing")
        values = table.column(column).combine_chunks().cast(pa.int64())
        has[name] = values.is_valid().to_numpy(zero_copy_only=False)[order]
        blocks[name] = values.fill_null(0).to_numpy(zero_copy_only=False)[order]
    present = None
    if "present" in table.column_names:
        present = table.column("present").combine_chunks().fill_null(0).to_numpy(zero_copy_only=False)[order]
        present = present.astype(np.int64)
    return EncodedFile(
        path=path,
        source=source_name(path),
        meta=meta,
        record_ids=ids.take(pa.array(order)),
        words=np.ascontiguousarray(words[order]),
        blocks=blocks,
        has_block=has,
        present=present,
    )


def read_all(paths: list[Path | str]) -> list[EncodedFile]:
    """Read every file, then refuse the set before any comparison if it cannot be matched."""
    if not paths:
        raise EncodedFileError("no encoded files given")
    resolved = [Path(p) for p in paths]
    by_path: dict[Path, list[Path]] = defaultdict(list)
    for p in resolved:
        by_path[p.resolve()].append(p)
    for same in by_path.values():
        if len(same) > 1:
            raise DuplicateSourceError(f"the same file is given twice: {', '.join(map(str, same))}")
    files = [read_encoded(p) for p in resolved]
    by_source: dict[str, list[str]] = defaultdict(list)
    for f in files:
        by_source[f.source].append(str(f.path))
    for source, names in by_source.items():
        if len(names) > 1:
            raise DuplicateSourceError(
                f"two files would both be agency '{source}' (the name without extension): {', '.join(names)}"
            )
    if len(files) > MAX_SOURCES:
        raise EncodedFileError(f"at most {MAX_SOURCES} agencies can be linked in one run, not {len(files)}")
    checks: list[tuple[str, Callable[[EncodedFile], str]]] = [
        ("encoding lengths", lambda f: f"{f.meta.get('length')} bits"),
        (
            "schemas",
            lambda f: f"schema '{f.meta.get('schema_name')}' ({str(f.meta.get('schema_fingerprint'))[:12]})",
        ),
        ("secrets", lambda f: str(f.meta.get("key_check"))),
    ]
    for what, label_of in checks:
        groups: dict[str, list[str]] = defaultdict(list)
        for f in files:
            groups[label_of(f)].append(str(f.path))
        if len(groups) > 1:
            # key checks are not printed: "secret A", "secret B" say enough
            labels = (
                [f"secret {chr(65 + i)}" for i in range(len(groups))] if what == "secrets" else list(groups)
            )
            listed = "; ".join(
                f"{label}: {', '.join(v)}" for label, v in zip(labels, groups.values(), strict=True)
            )
            raise IncompatibleEncodingsError(
                f"encoded files were made with different {what}, so they cannot be compared: {listed}"
            )
    by_content: dict[str, list[str]] = defaultdict(list)
    for f in files:
        if f.records:
            by_content[f.content_hash].append(str(f.path))
    for names in by_content.values():
        if len(names) > 1:
            raise DuplicateSourceError(
                f"these files hold the same encodings (one agency's file given twice?): {', '.join(names)}"
            )
    return files
