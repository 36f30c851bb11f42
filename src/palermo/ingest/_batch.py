"""What every reader yields: batches of rows as text, their row numbers, and the rows it could not read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
from numpy.typing import NDArray

DEFAULT_CHUNK_ROWS = 500_000
"""Rows per batch: memory stays bounded by a batch, whatever the size of the file. Large enough for
DuckDB to write each table of a batch with several threads (it splits work by row groups of 122,880
rows); readers of delimited text also stop a batch at ``_csvreader.BATCH_BYTES``."""


@dataclass(frozen=True)
class Reject:
    """A row the reader could not turn into fields: it is quarantined with this rule."""

    row: int
    rule: str
    original: dict[str, Any]  # {"_line": text} or {"_fields": [...]}: never printed


@dataclass
class Batch:
    """Rows ``rows`` (1 = the first data row after the header) as a table of text columns."""

    table: pa.Table
    rows: NDArray[Any]
    rejects: list[Reject] = field(default_factory=list)
    bytes_done: int = 0

    @property
    def size(self) -> int:
        return int(self.table.num_rows) + len(self.rejects)


class Source(Protocol):
    """An open file being read batch by batch."""

    path: Path
    header: tuple[str, ...]
    total_bytes: int
    details: dict[str, Any]

    def batches(self) -> Iterator[Batch]: ...

    def close(self) -> None: ...


def unique_names(raw: Sequence[Any]) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """Header cells as unique column names, and every name written more than once with its positions.

    An empty cell becomes ``column_N`` (N = 1-based position); a repeated name gets ``#2``, ``#3`` …
    """
    names: list[str] = []
    seen: dict[str, list[int]] = {}
    for position, cell in enumerate(raw, start=1):
        name = "" if cell is None else str(cell).strip()
        name = name or f"column_{position}"
        seen.setdefault(name, []).append(position)
        count = len(seen[name])
        names.append(name if count == 1 else f"{name}#{count}")
    return tuple(names), {name: where for name, where in seen.items() if len(where) > 1}


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str | None]]) -> pa.Table:
    """A table of text columns from row-wise values."""
    if not rows:
        return pa.table({name: pa.array([], pa.string()) for name in columns})
    by_column = list(zip(*rows, strict=True))
    return pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(columns, by_column, strict=True)}
    )
