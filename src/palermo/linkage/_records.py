"""Records with identifying values, read and checked before they are encoded or linked.

The input is a CSV (UTF-8, header row) or Parquet file whose columns use the case model's names
(``record_id``, ``given_name``, ``family_name``, ``date_of_birth`` …); any column but ``record_id``
may be empty or absent. Every problem is collected, by row (1 = the first record after the
header) and field, never quoting a value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from palermo.errors import EncodingInputError, Problem
from palermo.linkage._features import FieldValue, read_value
from palermo.linkage._schema import Feature, LinkageSchema

MAX_PROBLEMS = 1000


def read_records(path: Path) -> pa.Table:
    """Every column of a CSV (UTF-8, header) or Parquet file, as text."""
    where = str(path)
    if not path.is_file():
        raise EncodingInputError(where, [Problem(None, "file", "does not exist")])
    if path.suffix.lower() == ".parquet":
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError):
            raise EncodingInputError(
                where, [Problem(None, "file", "is not a readable Parquet file")]
            ) from None
        return table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise EncodingInputError(where, [Problem(None, "file", "is not UTF-8 text")]) from None
    if not header or not any(h.strip() for h in header):
        raise EncodingInputError(where, [Problem(None, "file", "is empty or has no header row")])
    header = [h.strip() for h in header]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise EncodingInputError(where, [Problem(None, c, "column appears more than once") for c in repeated])
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        # pyarrow's message quotes the offending line: never pass it on
        raise EncodingInputError(
            where,
            [
                Problem(
                    None,
                    "file",
                    "is not a well-formed CSV (a row has the wrong number of columns, or bad UTF-8)",
                )
            ],
        ) from None


class Column:
    """One input column: distinct raw values, their normalised forms, and each row's code."""

    def __init__(self, feature: Feature, values: pa.Array | None, n: int) -> None:
        self.feature = feature
        if values is None:
            self.codes: npt.NDArray[np.int64] = np.zeros(n, dtype=np.int64)
            self.values: list[FieldValue] = [read_value("text", None)]
            return
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = pc.dictionary_encode(values)
        assert feature.format is not None
        kind = feature.format.type
        self.values = [read_value(kind, v) for v in encoded.dictionary.to_pylist()]
        self.codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


@dataclass
class Prepared:
    """Checked records: ids, one :class:`Column` per schema feature, which rows to keep."""

    ids: pa.Array
    columns: dict[str, Column]
    keep: npt.NDArray[np.bool_]
    skipped: list[int]
    absent: list[str]

    @property
    def rows(self) -> int:
        return len(self.ids)


def prepare(
    table: pa.Table, schema: LinkageSchema, *, where: str, skip_unnamed: bool = False, action: str = "encode"
) -> Prepared:
    """Check records against the schema's formats; raises :class:`EncodingInputError` listing
    every problem. ``skip_unnamed`` leaves out records without any name instead."""
    n = table.num_rows
    problems: list[Problem] = []
    if "record_id" not in table.column_names:
        raise EncodingInputError(where, [Problem(None, "record_id", "column is missing")], action)
    ids = pc.utf8_trim_whitespace(table.column("record_id").combine_chunks())
    empty = np.flatnonzero(pc.equal(ids, "").to_numpy(zero_copy_only=False))
    problems += [Problem(int(r) + 1, "record_id", "is empty") for r in empty[:MAX_PROBLEMS]]
    counts = pc.value_counts(ids)
    repeated = {
        v.as_py()
        for v, c in zip(counts.field("values"), counts.field("counts"), strict=True)
        if c.as_py() > 1
    }
    repeated.discard("")
    if repeated:
        mask = pc.is_in(ids, pa.array(sorted(repeated))).to_numpy(zero_copy_only=False)
        problems += [
            Problem(int(r) + 1, "record_id", "is repeated") for r in np.flatnonzero(mask)[:MAX_PROBLEMS]
        ]
    absent = [f.identifier for f in schema.encoded if f.identifier not in table.column_names]
    columns = {
        f.identifier: Column(f, table.column(f.identifier) if f.identifier not in absent else None, n)
        for f in schema.encoded
    }
    for col in columns.values():
        bad = [i for i, v in enumerate(col.values) if v.problem]
        if bad:
            rows = np.flatnonzero(np.isin(col.codes, bad))
            rule = col.values[bad[0]].problem or ""
            problems += [Problem(int(r) + 1, col.feature.identifier, rule) for r in rows[:MAX_PROBLEMS]]
    name_columns = [c for c in columns.values() if c.feature.format and c.feature.format.type == "name"]
    keep = np.ones(n, dtype=bool)
    skipped: list[int] = []
    if name_columns:
        named = np.zeros(n, dtype=bool)
        for col in name_columns:
            has = np.array([not v.missing for v in col.values], dtype=bool)
            named |= has[col.codes]
        unnamed = np.flatnonzero(~named)
        if skip_unnamed:
            keep = named
            skipped = [int(r) + 1 for r in unnamed]
        else:
            names = "/".join(c.feature.identifier for c in name_columns)
            problems += [
                Problem(int(r) + 1, names, "no name: every name field is empty")
                for r in unnamed[:MAX_PROBLEMS]
            ]
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.field))
        raise EncodingInputError(where, problems[:MAX_PROBLEMS], action)
    return Prepared(ids, columns, keep, skipped, absent)
