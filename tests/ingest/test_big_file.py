"""A 2 GB file (slow: run with ``pytest -m slow``): streamed, every row accounted for, memory bounded."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

import palermo
from palermo.config import Settings

from .conftest import AGENCY_MAPPING, HEADER

GIB = 1024**3


@pytest.mark.slow
def test_two_gigabyte_file(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(AGENCY_MAPPING.replace("columns:\n", "columns:\n  notes: ignore\n"), encoding="utf-8")
    path = tmp_path / "big.csv"
    filler = "x" * 1000  # a wide free-text column the mapping leaves out: 2 GB with fewer rows
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + ";notes\n")
        while handle.tell() < 2 * GIB:
            block = "".join(
                f"Name {rows + i};{'F' if i % 2 else 'M'};01/02/19{50 + i % 50};{20 + i % 40};Viet Nam;05/06/2021;"
                f"{'labour' if i % 3 else 'sex|labour'};{filler}\n"
                for i in range(10_000)
            )
            handle.write(block)
            rows += 10_000
    assert path.stat().st_size >= 2 * GIB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with palermo.open(tmp_path / "p.duckdb", settings=Settings(memory_limit="2GB", home=tmp_path)) as ws:
        result = ws.ingest.ingest(path, mapping)
        assert result.counts() == {
            "rows_read": rows,
            "ingested": rows,
            "quarantined": 0,
            "duplicates_skipped": 0,
        }
        assert ws.cases.count() == rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak - before < 6 * GIB, f"peak memory grew by {(peak - before) / GIB:.1f} GiB"
