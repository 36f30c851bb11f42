"""The quarantine invariant under hypothesis-generated messy tables: rows read = ingested +
quarantined + skipped as already ingested; exactly the rows breaking a rule are quarantined;
identical rows are distinct records; reading the file again changes nothing."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import palermo
from palermo.workspace import Workspace

from .conftest import AGENCY_MAPPING, HEADER, table_counts

# each column's written values, and whether a row holding it passes
POOLS: dict[str, list[tuple[str, bool]]] = {
    "sex": [("F", True), ("M", True), ("-", True), ("", True), (" f ", True), ("X", False)],  # trimmed, any case
    "born": [("01/02/1990", True), ("29/02/2000", True), ("1999-12-31", True), ("-", True),
             ("31/02/1990", False), ("29/02/2001", False), ("01/13/1990", False), ("soon", False)],
    "age": [("0", True), ("30", True), ("130", True), ("", True), ("131", False), ("-3", False), ("30.5", False), ("250", False)],
    "country": [("France", True), ("Viet Nam", True), ("CIV", True), ("congo, dem. rep.", True), ("-", True),
                ("Atlantis", False), ("Kosovo", False), ("ZZ", False)],
    "seen": [("05/06/2021", True), ("", True), ("32/01/2020", False), ("2021-02-30", False)],
    "forms": [("labour", True), ("sex|labour", True), ("labour|labour", True), ("-", True), ("smuggling", False), ("sex|", True)],
}  # fmt: skip
NAMES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(['O"Neil; Jr', "line\nbreak", "  ", "Ñúñez Çelik", "李 小龙", "-", "a;b;c"]),
)
COLUMNS = HEADER.split(";")
_ORGS = itertools.count()


@st.composite
def messy_rows(draw: st.DrawFn) -> list[tuple[list[str], bool]]:
    rows: list[tuple[list[str], bool]] = []
    for _ in range(draw(st.integers(0, 25))):
        cells = [draw(NAMES)]
        ok = True
        for column in COLUMNS[1:]:
            value, passes = draw(st.sampled_from(POOLS[column]))
            cells.append(value)
            ok &= passes
        rows.append((cells, ok))
    if rows:  # identical rows, as synthetic releases hold
        for index in draw(st.lists(st.integers(0, len(rows) - 1), max_size=8)):
            rows.insert(draw(st.integers(0, len(rows))), rows[index])
    return rows


def _csv(rows: list[tuple[list[str], bool]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(cells for cells, _ in rows)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    """One store for every example: each example ingests as an organisation of its own."""
    folder = tmp_path_factory.mktemp("invariant")
    mapping = folder / "m.yaml"
    mapping.write_text(AGENCY_MAPPING, encoding="utf-8")
    with palermo.open(folder / "p.duckdb") as ws:
        yield ws, mapping


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=messy_rows())
def test_nothing_is_dropped(shared: tuple[Workspace, Path], rows: list[tuple[list[str], bool]]) -> None:
    ws, mapping = shared
    org = f"org-{next(_ORGS)}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messy.csv"
        path.write_text(_csv(rows), encoding="utf-8")
        result = ws.ingest.ingest(path, mapping, source_org=org, chunk_rows=7)
        good = sum(ok for _, ok in rows)
        assert result.counts() == {
            "rows_read": len(rows),
            "ingested": good,
            "quarantined": len(rows) - good,
            "duplicates_skipped": 0,
        }
        assert ws.store.scalar("SELECT count(*) FROM cases WHERE organisation_id = ?", [org]) == good
        rows_seen = ws.store.execute(
            "SELECT source_row FROM ingest_records WHERE run_id = $1 "
            "UNION ALL SELECT source_row FROM ingest_quarantine WHERE run_id = $1 ORDER BY 1",
            [result.run_id],
        ).fetchall()
        assert [r[0] for r in rows_seen] == list(range(1, len(rows) + 1)), "every row, once"
        before = table_counts(ws)
        copy = Path(tmp) / "messy-copy.csv"
        copy.write_text(_csv(rows) + "\n", encoding="utf-8")  # another file (another hash), same rows
        again = ws.ingest.ingest(copy, mapping, source_org=org)
        assert again.counts() == {
            "rows_read": len(rows), "ingested": 0, "quarantined": 0, "duplicates_skipped": len(rows),
        }  # fmt: skip
        after = table_counts(ws)
        assert after == {**before, "ingest_runs": after["ingest_runs"]}, "only the run is recorded"
