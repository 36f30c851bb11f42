"""The quarantine workflow: list and show say where and why (never the values), retry with fixes,
with a corrected mapping, or by run; re-ingesting a file whose rows wait in quarantine changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from palermo.errors import NotFoundError
from palermo.workspace import Workspace

from .conftest import GOOD_ROWS, HEADER, table_counts, write_csv

BAD = [
    "Hal Hart;Q;01/01/1990;30;France;01/01/2020;labour",  # sex code Q
    "Ida Ives;F;01/01/1990;30;Atlantis;01/01/2020;labour",  # no such country
    "Jon Judd;M;01/01/1990;30;France;01/01/2020;trafficking",  # unknown form
]


@pytest.fixture
def quarantined(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> tuple[Path, str]:
    path = write_csv(tmp_path / "mixed.csv", "\n".join([HEADER, *GOOD_ROWS, *BAD]) + "\n")
    result = ws.ingest.ingest(path, agency_mapping)
    assert result.counts() == {"rows_read": 6, "ingested": 3, "quarantined": 3, "duplicates_skipped": 0}
    assert result.run_id is not None
    return path, result.run_id


def test_list_and_show_never_show_values(ws: Workspace, quarantined: tuple[Path, str]) -> None:
    entries = ws.ingest.quarantine()
    assert [(e.source_row, e.status, e.attempts) for e in entries] == [
        (4, "pending", 1),
        (5, "pending", 1),
        (6, "pending", 1),
    ]
    shown = ws.ingest.quarantine_entry(entries[1].quarantine_id).to_json()
    assert shown["source_file"] == str(quarantined[0].resolve())
    assert shown["columns"] == HEADER.split(";")
    assert shown["problems"] == [{"field": "country -> persons.citizenship",
                                  "rule": "matches no country (ISO 3166 code or name, or a known variant)"}]  # fmt: skip
    text = json.dumps([e.to_json() for e in entries], default=str)
    for value in ("Hal", "Hart", "Atlantis", "Ives", "trafficking", "01/01/1990"):
        assert value not in text
    stored = ws.store.scalar("SELECT original FROM ingest_quarantine WHERE source_row = 5")
    assert json.loads(stored)["country"] == "Atlantis", "the values are kept, inside the store"
    with pytest.raises(NotFoundError):
        ws.ingest.quarantine_entry(999)


def test_reingest_changes_nothing(ws: Workspace, quarantined: tuple[Path, str], agency_mapping: Path) -> None:
    before = table_counts(ws)
    again = ws.ingest.ingest(quarantined[0], agency_mapping)
    assert again.counts() == {"rows_read": 6, "ingested": 0, "quarantined": 0, "duplicates_skipped": 6}
    assert table_counts(ws) == before


def test_retry_with_fixes(ws: Workspace, quarantined: tuple[Path, str]) -> None:
    first = ws.ingest.quarantine()[0]
    retried = ws.ingest.retry([first.quarantine_id], fixes={"sex": "F"})
    assert (retried.retried, retried.ingested, retried.still_quarantined) == (1, 1, 0)
    assert ws.ingest.quarantine_entry(first.quarantine_id).status == "resolved"
    record = ws.store.execute(
        "SELECT source_row, quarantine_id, target_id FROM ingest_records WHERE quarantine_id IS NOT NULL"
    ).fetchall()
    assert record[0][:2] == (4, first.quarantine_id), "the record keeps its file row and names its entry"
    assert ws.store.scalar("SELECT gender FROM persons WHERE person_id = ?", [record[0][2]]) == "Feminine"
    assert len(ws.ingest.quarantine()) == 2


def test_failed_retry_updates_the_entry(ws: Workspace, quarantined: tuple[Path, str]) -> None:
    entry = ws.ingest.quarantine()[1]
    retried = ws.ingest.retry([entry.quarantine_id], fixes={"country": "Narnia", "sex": "nobody"})
    assert (retried.ingested, retried.still_quarantined) == (0, 1)
    again = ws.ingest.quarantine_entry(entry.quarantine_id)
    assert again.attempts == 2 and again.status == "pending"
    assert [p["field"] for p in again.problems] == ["sex -> persons.gender", "country -> persons.citizenship"]


def test_retry_a_run_with_a_corrected_mapping(
    ws: Workspace, quarantined: tuple[Path, str], agency_mapping: Path, tmp_path: Path
) -> None:
    corrected = (
        agency_mapping.read_text()
        .replace(
            "{F: {concept: female}, M: {concept: male}}",
            "{F: {concept: female}, M: {concept: male}, Q: null}",
        )
        .replace(
            "{labour: ForcedLabour, sex: SexualExploitation}",
            "{labour: ForcedLabour, sex: SexualExploitation, trafficking: null}",
        )
    )
    corrected = corrected.replace('version: "1"', 'version: "2"')
    fixed = tmp_path / "test-agency-v2.yaml"
    fixed.write_text(corrected)
    retried = ws.ingest.retry(run_id=quarantined[1], mapping=fixed)
    assert (retried.retried, retried.ingested, retried.still_quarantined) == (3, 2, 1)
    versions = dict(ws.store.execute(
        "SELECT source_row, mapping_version FROM ingest_records WHERE quarantine_id IS NOT NULL"
    ).fetchall())  # fmt: skip
    assert versions == {4: "2", 6: "2"}
    assert ws.ingest.quarantine()[0].mapping_version == "2"
    with pytest.raises(NotFoundError):
        ws.ingest.retry([retried.resolved[0]])


def test_retry_of_an_unreadable_row_needs_the_file_fixed(
    ws: Workspace, tmp_path: Path, agency_mapping: Path
) -> None:
    path = write_csv(tmp_path / "ragged.csv", "\n".join([HEADER, GOOD_ROWS[0] + ";extra"]) + "\n")
    ws.ingest.ingest(path, agency_mapping)
    retried = ws.ingest.retry(ws.ingest.quarantine()[0].quarantine_id and None, run_id=None)
    assert (retried.ingested, retried.still_quarantined) == (0, 1)
    rule = ws.ingest.quarantine()[0].problems[0]["rule"]
    assert rule == "row has 8 fields; the header has 7: fix the file and ingest it again"
