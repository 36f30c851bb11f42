"""Every format reads the same records: CSV, TSV, xlsx, JSON, JSON Lines, Parquet; memory stays
bounded by a batch whatever the size of the file."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from palermo.ingest._readers import open_source
from palermo.ingest._spec import ReaderOptions
from palermo.workspace import Workspace

from .conftest import AGENCY_MAPPING, GOOD_ROWS, HEADER

COLUMNS = HEADER.split(";")
RECORDS = [dict(zip(COLUMNS, row.split(";"), strict=True)) for row in GOOD_ROWS]


def _write(kind: str, folder: Path) -> Path:
    if kind == "csv":
        path = folder / "f.csv"
        path.write_text("\n".join([HEADER, *GOOD_ROWS]) + "\n", encoding="utf-8")
    elif kind == "tsv":
        path = folder / "f.tsv"
        path.write_text("\n".join([HEADER, *GOOD_ROWS]).replace(";", "\t") + "\n", encoding="utf-8")
    elif kind == "jsonl":
        path = folder / "f.jsonl"
        path.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8"
        )
    elif kind == "json":
        path = folder / "f.json"
        path.write_text(json.dumps(RECORDS, ensure_ascii=False), encoding="utf-8")
    elif kind == "parquet":
        path = folder / "f.parquet"
        pq.write_table(pa.Table.from_pylist(RECORDS), path)
    else:
        import openpyxl

        path = folder / "f.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(COLUMNS)
        for record in RECORDS:
            sheet.append(list(record.values()))
        book.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "tsv", "xlsx", "json", "jsonl", "parquet"])
def test_every_format_reads_the_same_records(ws: Workspace, tmp_path: Path, kind: str) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        AGENCY_MAPPING.replace('reader: {format: csv, delimiter: ";", encoding: utf-8}', "reader: {}")
    )
    first = ws.ingest.ingest(_write("csv", tmp_path), mapping)
    assert first.ingested == 3
    other = ws.ingest.ingest(_write(kind, tmp_path), mapping)
    assert other.counts() == {"rows_read": 3, "ingested": 0, "quarantined": 0, "duplicates_skipped": 3}
    assert other.already_ingested == (kind == "csv"), "the same values in another format are the same records"


def test_jsonl_line_that_is_not_an_object(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        AGENCY_MAPPING.replace('reader: {format: csv, delimiter: ";", encoding: utf-8}', "reader: {}")
    )
    path = tmp_path / "f.jsonl"
    path.write_text(
        json.dumps(RECORDS[0]) + "\n[1, 2]\n{broken\n" + json.dumps(RECORDS[1]) + "\n", encoding="utf-8"
    )
    result = ws.ingest.ingest(path, mapping)
    assert result.counts() == {"rows_read": 4, "ingested": 2, "quarantined": 2, "duplicates_skipped": 0}
    assert sorted(e.problems[0]["rule"] for e in ws.ingest.quarantine()) == [
        "not a JSON object",
        "not valid JSON",
    ]


def test_banner_column_and_header_row(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("a title line\nBy using this data you agree;x;y\n;1;2\n;3;4\n", encoding="utf-8")
    source = open_source(path, ReaderOptions(delimiter=";", banner_column=True, header_row=2), chunk_rows=10)
    assert source.header == ("x", "y")
    rows = [b.table.to_pylist() for b in source.batches()]
    source.close()
    assert rows == [[{"x": "1", "y": "2"}, {"x": "3", "y": "4"}]]


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _peak_while_reading(path: Path) -> tuple[int, int]:
    """(rows read, highest RSS seen while reading ``path`` batch by batch)."""
    peak = {"rss": _rss()}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak["rss"] = max(peak["rss"], _rss())
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    rows = 0
    try:
        source = open_source(path, ReaderOptions(delimiter=";"), chunk_rows=50_000)
        for batch in source.batches():
            rows += batch.size
        source.close()
    finally:
        done.set()
        watcher.join()
    return rows, peak["rss"]


def test_streaming_memory_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a file sixteen times larger takes no more memory (blocks of 1 MiB here; the 2 GB
    case is tests/ingest/test_big_file.py). A reader that held the file would grow by more than
    the 88 MiB the files differ by (a 47 MiB file read as one block grew it by 152 MiB); a
    streaming one grows by allocator noise only, 12 to 18 MiB measured whatever the size, so the
    bound is half the difference."""
    pytest.importorskip("psutil")
    from palermo.ingest import _csvreader

    monkeypatch.setattr(_csvreader, "BLOCK_BYTES", 1024 * 1024)
    row = ";".join(["Firstname Lastname", "F", "03/04/1990", "31", "Viet Nam", "05/06/2021", "labour"]) + "\n"
    block = (row * 20_000).encode()
    paths = []
    for name, blocks in (("small.csv", 5), ("large.csv", 80)):
        path = tmp_path / name
        with path.open("wb") as handle:
            handle.write((HEADER + "\n").encode())
            for _ in range(blocks):
                handle.write(block)
        paths.append(path)
    small_rows, small_peak = _peak_while_reading(paths[0])
    large_rows, large_peak = _peak_while_reading(paths[1])
    assert (small_rows, large_rows) == (100_000, 1_600_000)
    difference = paths[1].stat().st_size - paths[0].stat().st_size
    assert difference > 80 * 1024 * 1024
    growth = large_peak - small_peak
    assert growth < difference / 2, f"reading 16 times more grew memory by {growth / 2**20:.0f} MiB"


def test_progress_reports_the_bytes_read(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the CLI's progress bar shows on a terminal: bytes read so far, of the file's size."""
    from palermo.ingest import _csvreader

    monkeypatch.setattr(_csvreader, "BLOCK_BYTES", 2048)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(AGENCY_MAPPING, encoding="utf-8")
    path = tmp_path / "f.csv"
    path.write_text("\n".join([HEADER, *(GOOD_ROWS * 200)]) + "\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    ws.ingest.ingest(path, mapping, chunk_rows=50, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert len(seen) > 3 and all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1][0] == size
