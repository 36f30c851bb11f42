"""Streaming writers: each agency's file in its own format, and the ground-truth Parquet files."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from anyascii import anyascii

from palermo.scenario._params import Agency


def _transliterate_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Legacy encodings cannot hold every script: write the character as an ASCII transliteration."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return anyascii(error.object[error.start : error.end]) or "?", error.end


codecs.register_error("palermo_transliterate", _transliterate_unencodable)


class AgencyWriter:
    """Appends chunks of one agency's records to its file."""

    def __init__(self, agency: Agency, path: Path) -> None:
        self.agency = agency
        self.path = path
        self.rows = 0
        self._kind = agency.format["kind"]
        self._parquet: pq.ParquetWriter | None = None
        self._file: IO[bytes] | None = None
        self._duck: duckdb.DuckDBPyConnection | None = None
        if self._kind in ("csv", "jsonl"):
            self._file = path.open("wb")
        if self._kind == "jsonl":
            self._duck = duckdb.connect(":memory:")

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        if self._kind == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._parquet.write_table(table)
        elif self._kind == "csv":
            self._write_csv(table)
        else:
            self._write_jsonl(table)

    def _write_csv(self, table: pa.Table) -> None:
        assert self._file is not None
        fmt = self.agency.format
        missing = self.agency.missing if self.agency.missing is not None else ""
        filled = pa.table(
            {
                name: pc.fill_null(col, missing)
                for name, col in zip(table.column_names, table.columns, strict=True)
            }
        )
        if fmt.get("banner"):
            filled = filled.add_column(0, str(fmt["banner"]), pa.array([""] * filled.num_rows, pa.string()))
        buffer = io.BytesIO()
        options = pacsv.WriteOptions(
            include_header=self.rows == table.num_rows,
            delimiter=str(fmt.get("delimiter", ",")),
            quoting_style="needed",
        )
        pacsv.write_csv(filled, buffer, options)
        data = buffer.getvalue()
        encoding = str(fmt.get("encoding", "utf-8"))
        if encoding.lower().replace("-", "") not in ("utf8",):
            data = data.decode("utf-8").encode(encoding, errors="palermo_transliterate")
        self._file.write(data)

    def _write_jsonl(self, table: pa.Table) -> None:
        assert self._file is not None and self._duck is not None
        self._duck.register("chunk", table)
        lines = self._duck.execute("SELECT to_json(chunk)::VARCHAR FROM chunk").fetchall()
        self._duck.unregister("chunk")
        self._file.write(("\n".join(line[0] for line in lines) + "\n").encode("utf-8"))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._file is not None:
            self._file.close()
        if self._duck is not None:
            self._duck.close()


class ParquetSink:
    """A Parquet file written chunk by chunk with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema, dictionary: list[str] | None = None) -> None:
        self.rows = 0
        self._writer = pq.ParquetWriter(
            path, schema, compression="zstd", compression_level=1, use_dictionary=dictionary or False
        )
        self.schema = schema

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        self._writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        self._writer.close()
