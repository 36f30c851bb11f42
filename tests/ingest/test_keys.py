"""Record keys: MD5 of the mapped values and the occurrence of that content in the file, the same
whatever the batching, and the same as the keys earlier versions stored (so re-ingesting a file
into an older store still skips it)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from palermo.ingest._ledger import Ledger
from palermo.store import Store
from palermo.workspace import Workspace

from .conftest import AGENCY_MAPPING, GOOD_ROWS, HEADER

COLUMNS = ["b", "a", "c'q"]
ROWS = {
    "b": ["1", "2", "1", None, "1", "1", "9", None],
    "a": ["x", "y", "x", None, "x", "x", "z", None],
    "c'q": ["é", "", "é", None, "é", "é", "k", None],
}
# computed by the version before the keys were counted in numpy (record keys of ingest_records)
EXPECTED = [
    "62a2dfbf29604eebdb43e746d5519cd9.1",
    "b0fc09859b7b5991622f7c52c13c1b4d.1",
    "62a2dfbf29604eebdb43e746d5519cd9.2",
    "7945b2bffa298152ce857277f12e89d5.1",
    "62a2dfbf29604eebdb43e746d5519cd9.3",
    "62a2dfbf29604eebdb43e746d5519cd9.4",
    "5dcbedf5e0b08724f43ce03d3d7081fe.1",
    "7945b2bffa298152ce857277f12e89d5.2",
]


@pytest.mark.parametrize("cuts", [(8,), (5, 8), (1, 2, 3, 4, 5, 6, 7, 8)])
def test_keys_do_not_depend_on_the_batches(tmp_path: Path, cuts: tuple[int, ...]) -> None:
    table = pa.table(ROWS)
    with Store(tmp_path / "s.duckdb") as store:
        ledger = Ledger(store, mapping="m'x", source_org="org")
        keys: list[str] = []
        with store.transaction():
            start = 0
            for end in cuts:
                keys += ledger.keys(table.slice(start, end - start), COLUMNS).to_pylist()
                start = end
        ledger.close()
    assert keys == EXPECTED


def test_identical_rows_over_many_batches_are_all_ingested(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(AGENCY_MAPPING, encoding="utf-8")
    path = tmp_path / "same.csv"
    path.write_text("\n".join([HEADER, *([GOOD_ROWS[0]] * 120)]) + "\n", encoding="utf-8")
    result = ws.ingest.ingest(path, mapping, chunk_rows=10)
    assert result.counts() == {"rows_read": 120, "ingested": 120, "quarantined": 0, "duplicates_skipped": 0}
    occurrences = ws.store.execute(
        "SELECT DISTINCT split_part(record_key, '.', 2)::INTEGER AS n FROM ingest_records ORDER BY n"
    ).fetchall()
    assert [n for (n,) in occurrences] == list(range(1, 121))
    again = ws.ingest.ingest(path, mapping, chunk_rows=7)
    assert again.counts()["duplicates_skipped"] == 120 and ws.cases.count() == 120
