"""Delimited text, streamed block by block: any delimiter and encoding, a BOM, a banner column.

Each block (a few MiB, cut after a line end outside quotes) goes to PyArrow's parser. A block with
a row PyArrow cannot take (wrong number of fields, text that is not valid in the encoding) is read
again with Python's csv module, row by row, so each bad row is known by its number and rejected
with its rule while the others are kept. Rows are numbered from 1, the first data row after the
header; empty lines are not rows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from palermo.errors import IngestError
from palermo.ingest._batch import Batch, Reject, text_table, unique_names
from palermo.ingest._spec import ReaderOptions

SAMPLE_BYTES = 64 * 1024
BLOCK_BYTES = 16 * 1024 * 1024
MAX_BLOCK_BYTES = 64 * 1024 * 1024  # a block with unbalanced quotes is cut here all the same
BATCH_BYTES = 96 * 1024 * 1024
"""Blocks are gathered into a batch until it holds ``chunk_rows`` rows or this many bytes of text."""
_CANDIDATES = (",", ";", "\t", "|")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def check_text(path: Path, sample: bytes) -> None:
    """Refuse an empty file and a binary one, before anything is read further."""
    stripped = sample
    for bom, _ in _BOMS:
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :]
            if bom != codecs.BOM_UTF8:
                return  # UTF-16 text holds NUL bytes by nature
    if not stripped.strip():
        raise IngestError(f"{path.name}: empty file, there is no header row")
    controls = sum(stripped.count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    if b"\x00" in stripped or controls > len(stripped) // 100:
        raise IngestError(
            f"{path.name}: binary content, not delimited text (control bytes in the first "
            f"{len(stripped):,} bytes); check the file and the mapping's reader.format"
        )


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter that splits the header line into the most fields."""
    counts = {d: header_line.count(d) for d in _CANDIDATES}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    """A delimited text file opened for streaming."""

    def __init__(
        self, path: Path, options: ReaderOptions, *, chunk_rows: int, block_bytes: int | None = None
    ) -> None:
        self.path = path
        self.options = options
        self.total_bytes = path.stat().st_size
        self.block_bytes = block_bytes or BLOCK_BYTES  # read at run time, so tests can shrink it
        self.chunk_rows = chunk_rows
        self.details: dict[str, Any] = {"rows_decoded_with_fallback": 0}
        self._file: IO[bytes] = path.open("rb")
        sample = self._file.read(SAMPLE_BYTES)
        check_text(path, sample)
        self.encoding = options.encoding
        start = 0
        for bom, name in _BOMS:
            if sample.startswith(bom):
                self.encoding, start = name, len(bom)
                break
        self._file.seek(start)
        # bytes are split at b"\n" and counted for quotes: fine for ASCII-compatible encodings;
        # UTF-16 and UTF-32 text is transcoded to UTF-8 on the fly
        self._ascii_compatible = not codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32"))
        self._text: IO[str] | None = None
        if not self._ascii_compatible:
            self._text = io.TextIOWrapper(self._file, encoding=self.encoding, errors="replace", newline="")
        self.text_encoding = self.encoding if self._ascii_compatible else "utf-8"
        lines = self._header_lines()
        self.delimiter = options.delimiter or sniff_delimiter(lines[-1])
        cells = next(csv.reader(io.StringIO("\n".join(lines)), delimiter=self.delimiter), [])
        self.width = len(cells)
        if options.banner_column:
            cells = cells[1:]
        self.header, self.duplicates = unique_names(cells)

    @property
    def bytes_done(self) -> int:
        return min(self._file.tell(), self.total_bytes)

    # -- raw text --------------------------------------------------------------------------------
    def _read(self, size: int) -> bytes:
        if self._text is not None:
            return self._text.read(size).encode("utf-8")
        return self._file.read(size)

    def _readline(self) -> bytes:
        if self._text is not None:
            return self._text.readline().encode("utf-8")
        return self._file.readline()

    def _header_lines(self) -> list[str]:
        """The header record's lines, after ``header_row - 1`` lines; ``skip_rows_after_header``
        lines after it are passed over."""
        for _ in range(self.options.header_row - 1):
            self._readline()
        record = self._record_lines()
        for _ in range(self.options.skip_rows_after_header):
            self._record_lines()
        decoded = [line.decode(self.text_encoding, errors="replace").rstrip("\r\n") for line in record]
        if not any(d.strip() for d in decoded):
            raise IngestError(f"{self.path.name}: empty file, there is no header row")
        return decoded

    def _record_lines(self) -> list[bytes]:
        lines: list[bytes] = []
        while True:
            line = self._readline()
            if not line:
                return lines
            lines.append(line)
            if b"".join(lines).count(b'"') % 2 == 0:
                return lines

    def _blocks(self) -> Iterator[bytes]:
        """Blocks of whole lines, cut after a line end outside quotes (or, with quotes that never
        balance, after MAX_BLOCK_BYTES)."""
        carry = b""
        while True:
            chunk = self._read(self.block_bytes)
            if not chunk:
                if carry:
                    yield carry
                return
            buffer = carry + chunk
            cut = buffer.rfind(b"\n") + 1
            while cut and buffer[:cut].count(b'"') % 2 and len(buffer) < MAX_BLOCK_BYTES:
                more = self._read(self.block_bytes)
                if not more:
                    cut = len(buffer)  # end of file: the rest is the last row, however broken
                    break
                buffer += more
                cut = buffer.rfind(b"\n") + 1
            if not cut:
                carry = buffer
                continue
            yield buffer[:cut]
            carry = buffer[cut:]

    # -- rows ------------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        """Blocks parsed one by one, yielded together once they hold ``chunk_rows`` rows or
        :data:`BATCH_BYTES` of text (large batches let DuckDB write a batch with every thread)."""
        next_row = 1
        tables: list[pa.Table] = []
        numbers: list[NDArray[Any]] = []
        rejects: list[Reject] = []
        size = 0
        for block in self._blocks():
            table, rejected, count = self._parse(block, next_row)
            numbers.append(self._row_numbers(next_row, count, rejected))
            tables.append(table)
            rejects.extend(rejected)
            next_row += count
            size += len(block)
            if sum(t.num_rows for t in tables) + len(rejects) >= self.chunk_rows or size >= BATCH_BYTES:
                yield Batch(pa.concat_tables(tables), np.concatenate(numbers), rejects, self.bytes_done)
                tables, numbers, rejects, size = [], [], [], 0
        if tables:
            yield Batch(pa.concat_tables(tables), np.concatenate(numbers), rejects, self.bytes_done)

    def _parse(self, block: bytes, first_row: int) -> tuple[pa.Table, list[Reject], int]:
        """Rows of one block: (table of the good rows, rejected rows, number of rows in the block)."""
        if codecs.lookup(self.text_encoding).name != "utf-8":
            try:
                block = block.decode(self.encoding).encode("utf-8")
            except UnicodeDecodeError:
                return self._parse_slowly(block, first_row)
        invalid: list[Any] = []

        def skip(row: Any) -> str:
            invalid.append(row)
            return "skip"

        try:
            table = pacsv.read_csv(
                pa.BufferReader(block),
                read_options=pacsv.ReadOptions(column_names=[f"f{i}" for i in range(self.width)]),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=skip,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{i}": pa.string() for i in range(self.width)},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError):
            return self._parse_slowly(block, first_row)
        if invalid:
            return self._parse_slowly(block, first_row)
        if self.options.banner_column:
            table = table.drop_columns(["f0"])
        return table.rename_columns(list(self.header)), [], int(table.num_rows)

    def _parse_slowly(self, block: bytes, first_row: int) -> tuple[pa.Table, list[Reject], int]:
        encoding = self.text_encoding
        text = block.decode(encoding, errors="surrogateescape")
        good: list[list[str]] = []
        rejects: list[Reject] = []
        row = first_row
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        for fields in reader:
            if not fields or (len(fields) < self.width and not "".join(fields).strip()):
                continue
            fields, rule = self._decoded(fields, encoding)
            if rule is None and len(fields) != self.width:
                rule = f"row has {len(fields)} fields; the header has {self.width} (a broken, truncated or extra-field row)"
            if rule is None:
                good.append(fields[1:] if self.options.banner_column else fields)
            else:
                original: dict[str, Any] = {"_fields": fields[1:] if self.options.banner_column else fields}
                if rule.startswith("text is not valid"):
                    original["_undecodable"] = True
                rejects.append(Reject(row, rule, original))
            row += 1
        return text_table(self.header, good), rejects, row - first_row

    def _decoded(self, fields: list[str], encoding: str) -> tuple[list[str], str | None]:
        if not any(_has_surrogates(f) for f in fields):
            return fields, None
        raw = [f.encode(encoding, errors="surrogateescape") for f in fields]
        fallback = self.options.fallback_encoding
        if fallback is not None:
            try:
                decoded = [r.decode(fallback) for r in raw]
            except UnicodeDecodeError:
                pass
            else:
                self.details["rows_decoded_with_fallback"] += 1
                return decoded, None
        kept = [r.decode("latin-1") for r in raw]  # every byte kept, for a retry with another encoding
        return kept, f"text is not valid {encoding} (set reader.fallback_encoding, or retry with --encoding)"

    @staticmethod
    def _row_numbers(first_row: int, count: int, rejects: list[Reject]) -> NDArray[Any]:
        numbers = np.arange(first_row, first_row + count, dtype=np.int64)
        if not rejects:
            return numbers
        bad = np.array([r.row for r in rejects], dtype=np.int64)
        return numbers[~np.isin(numbers, bad)]

    def close(self) -> None:
        if self._text is not None:
            self._text.close()
        self._file.close()


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text) if not text.isascii() else False
