"""Open any supported file as a stream of batches: CSV/TSV, Excel (xlsx), JSON, JSON Lines, Parquet.

Every reader yields text: numbers, dates and booleans of typed formats are written the way a CSV
would hold them (``2023-01-05``, ``12``, ``true``), so one mapping language serves every format and
the content hash of a row does not depend on how the file typed it.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.errors import IngestError
from palermo.ingest._batch import Batch, Reject, Source, text_table, unique_names
from palermo.ingest._csvreader import SAMPLE_BYTES, CsvSource, check_text
from palermo.ingest._spec import ReaderOptions

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip


def detect_format(path: Path, options: ReaderOptions) -> str:
    """The mapping's ``reader.format``, else the file extension's."""
    if options.format is not None:
        return options.format
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise IngestError(f"{path.name}: cannot tell the format from the extension; set reader.format")
    return found


def open_source(path: Path, options: ReaderOptions, *, chunk_rows: int) -> Source:
    """The file opened for streaming; empty, binary or unreadable files raise :class:`IngestError`."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    kind = detect_format(path, options)
    if kind == "csv":
        if options.delimiter is None and path.suffix.lower() in (".tsv", ".tab"):
            options = ReaderOptions(**{**options.__dict__, "delimiter": "\t"})
        return CsvSource(path, options, chunk_rows=chunk_rows)
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head:
        raise IngestError(f"{path.name}: empty file")
    if kind == "xlsx":
        return XlsxSource(path, options, chunk_rows)
    if kind == "parquet":
        return ParquetSource(path, chunk_rows)
    check_text(path, head)
    return JsonLinesSource(path, chunk_rows) if kind == "jsonl" else JsonArraySource(path, chunk_rows)


def as_text(value: Any) -> str | None:
    """A cell of a typed format written as text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class XlsxSource:
    """An Excel workbook's sheet, streamed by openpyxl in read-only mode."""

    def __init__(self, path: Path, options: ReaderOptions, chunk_rows: int) -> None:
        import openpyxl

        self.path = path
        self.total_bytes = path.stat().st_size
        self.details: dict[str, Any] = {}
        self.chunk_rows = chunk_rows
        # openpyxl warns, while reading rows, that it drops Excel's data-validation extensions
        warnings.filterwarnings("ignore", message="Data Validation extension", category=UserWarning)
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
            raise IngestError(f"{path.name}: not an Excel workbook ({type(exc).__name__})") from None
        if options.sheet is not None and options.sheet not in self._book.sheetnames:
            raise IngestError(f"{path.name}: no sheet named '{options.sheet}'")
        sheet = self._book[options.sheet] if options.sheet else self._book.worksheets[0]
        self._rows = sheet.iter_rows(values_only=True)
        header: tuple[Any, ...] = ()
        for _ in range(options.header_row):
            header = next(self._rows, ())
        for _ in range(options.skip_rows_after_header):
            next(self._rows, None)
        while header and header[-1] is None:
            header = header[:-1]
        if not header:
            raise IngestError(f"{path.name}: empty sheet, there is no header row")
        self.header, self.duplicates = unique_names(header)

    def batches(self) -> Iterator[Batch]:
        width = len(self.header)
        good: list[list[str | None]] = []
        numbers: list[int] = []
        row = 0
        for cells in self._rows:
            values = [as_text(c) for c in cells[:width]]
            if all(v is None or not v.strip() for v in values) and all(c is None for c in cells[width:]):
                continue  # an empty sheet row is not a record
            row += 1
            good.append(values + [None] * (width - len(values)))
            numbers.append(row)
            if len(good) >= self.chunk_rows:
                yield Batch(text_table(self.header, good), np.array(numbers, np.int64), bytes_done=0)
                good, numbers = [], []
        yield Batch(text_table(self.header, good), np.array(numbers, np.int64), bytes_done=self.total_bytes)

    def close(self) -> None:
        self._book.close()


class ParquetSource:
    """A Parquet file, batch by batch."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        import pyarrow.parquet as pq

        self.path = path
        self.total_bytes = path.stat().st_size
        self.details: dict[str, Any] = {}
        self.chunk_rows = chunk_rows
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError):
            raise IngestError(f"{path.name}: not a Parquet file") from None
        self.header, self.duplicates = unique_names(self._file.schema_arrow.names)

    def batches(self) -> Iterator[Batch]:
        row = 1
        groups = max(self._file.num_row_groups, 1)
        for index, batch in enumerate(self._file.iter_batches(batch_size=self.chunk_rows)):
            columns = [_text_column(batch.column(i)) for i in range(batch.num_columns)]
            table = pa.Table.from_arrays(columns, names=list(self.header))
            numbers = np.arange(row, row + batch.num_rows, dtype=np.int64)
            row += batch.num_rows
            yield Batch(table, numbers, bytes_done=self.total_bytes * min(index + 1, groups) // groups)

    def close(self) -> None:
        self._file.close()


def _text_column(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if pa.types.is_dictionary(array.type):
        return _text_column(array.dictionary_decode())
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, "true", "false")
    if pa.types.is_timestamp(array.type):
        return pa.array([as_text(v) for v in array.to_pylist()], pa.string())
    try:
        return array.cast(pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([as_text(v) for v in array.to_pylist()], pa.string())


class JsonLinesSource:
    """JSON Lines: one object per line; a line that is not an object is rejected with its rule."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        self.details: dict[str, Any] = {}
        self.chunk_rows = chunk_rows
        self._file = path.open("rb")
        keys: dict[str, None] = {}
        for count, line in enumerate(self._file):
            if count >= 1000:
                break
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(str(k) for k in obj))
        self._file.seek(0)
        self.header, self.duplicates = unique_names(list(keys))

    def batches(self) -> Iterator[Batch]:
        good: list[list[str | None]] = []
        numbers: list[int] = []
        rejects: list[Reject] = []
        row = 0
        for line in self._file:
            if not line.strip():
                continue
            row += 1
            try:
                obj = json.loads(line)
            except ValueError:
                rejects.append(Reject(row, "not valid JSON", {"_line": line.decode("latin-1")}))
                continue
            if not isinstance(obj, dict):
                rejects.append(Reject(row, "not a JSON object", {"_line": line.decode("utf-8", "replace")}))
                continue
            good.append([as_text(obj.get(name)) for name in self.header])
            numbers.append(row)
            if len(good) + len(rejects) >= self.chunk_rows:
                yield Batch(
                    text_table(self.header, good), np.array(numbers, np.int64), rejects, self._file.tell()
                )
                good, numbers, rejects = [], [], []
        yield Batch(text_table(self.header, good), np.array(numbers, np.int64), rejects, self.total_bytes)

    def close(self) -> None:
        self._file.close()


class JsonArraySource:
    """A JSON array of objects, streamed by DuckDB's JSON reader."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        import duckdb

        self.path = path
        self.total_bytes = path.stat().st_size
        self.details: dict[str, Any] = {}
        self.chunk_rows = chunk_rows
        self._con = duckdb.connect()
        scan = "read_json(?, format='array', records=true, sample_size=-1, maximum_object_size=16777216)"
        try:
            described = self._con.execute(f"DESCRIBE SELECT * FROM {scan}", [str(path)]).fetchall()
        except duckdb.Error:
            self._con.close()
            raise IngestError(f"{path.name}: not a JSON array of objects") from None
        names = [str(r[0]) for r in described]
        self.header, self.duplicates = unique_names(names)
        select = ", ".join(
            f'CAST("{n}" AS VARCHAR)'
            if str(t) in ("VARCHAR",) or not str(t).endswith(("]", ")"))
            else f'CAST(to_json("{n}") AS VARCHAR)'
            for n, t in ((r[0], r[1]) for r in described)
        )
        relation = self._con.sql(f"SELECT {select} FROM {scan}", params=[str(path)])
        self._reader = relation.to_arrow_reader(chunk_rows)

    def batches(self) -> Iterator[Batch]:
        import duckdb

        row = 1
        while True:
            try:
                batch = self._reader.read_next_batch()
            except StopIteration:
                return
            except duckdb.Error:
                raise IngestError(f"{self.path.name}: not valid JSON after row {row - 1}") from None
            table = pa.Table.from_batches([batch]).rename_columns(list(self.header))
            numbers = np.arange(row, row + table.num_rows, dtype=np.int64)
            row += table.num_rows
            yield Batch(table, numbers)

    def close(self) -> None:
        self._con.close()
