"""Keys of the case tables without an index (migration 0007): palermo.cases refuses a key that
repeats in the load or is already stored, names the rows, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import palermo
from palermo.cases import TABLE_NAMES
from palermo.errors import CaseValidationError, Problem
from palermo.store import Store
from palermo.workspace import Workspace

from .test_bulk import bulk_tables


def _counts(ws: Workspace) -> dict[str, int]:
    return {name: ws.store.count(name) for name in TABLE_NAMES}


def _new_case(case_id: str) -> dict[str, pa.Table]:
    return {
        "cases": pa.table({"case_id": [case_id], "organisation_id": ["org-a"]}),
        "case_means_of_control": pa.table(
            {"case_id": [case_id, case_id], "code": ["DebtBondage", "WithholdsDocuments"]}
        ),
    }


def test_a_stored_key_in_any_table_is_refused_by_row(workspace: Workspace) -> None:
    workspace.cases.write_tables(bulk_tables(10), "ds-first")
    before = _counts(workspace)
    data = _new_case("case-new")
    # a second event numbered 2 for case-3, which already has events 1 to 3: only that row is stored
    data["journey_events"] = pa.table(
        {"case_id": ["case-new", "case-3"], "sequence": [1, 2], "event_type": ["Transit", "Transit"]}
    )
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(data, "ds-second")
    assert caught.value.problems == [
        Problem(1, "journey_events.case_id+sequence", "key already exists in the store")
    ]
    assert _counts(workspace) == before
    data["journey_events"] = data["journey_events"].slice(0, 1)
    workspace.cases.write_tables(data, "ds-second")
    assert workspace.cases.count() == 11


def test_a_key_repeated_in_the_load_names_every_row(workspace: Workspace) -> None:
    data = _new_case("case-x")
    data["case_means_of_control"] = pa.table(
        {
            "case_id": ["case-x"] * 4,
            "code": ["DebtBondage", "WithholdsDocuments", "WithholdsDocuments", "DebtBondage"],
        }
    )
    data["organisations"] = pa.table({"organisation_id": ["org-a"]})
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(data, "ds")
    rule = "key appears more than once in this load"
    assert sorted(caught.value.problems, key=lambda p: p.row or 0) == [
        Problem(row, "case_means_of_control.case_id+code", rule) for row in range(4)
    ]
    assert _counts(workspace) == dict.fromkeys(TABLE_NAMES, 0)


def test_keys_that_differ_only_across_columns_are_distinct(workspace: Workspace) -> None:
    """("x", "Acquainted") and ("xA", "cquainted") read alike when concatenated; as keys they differ
    (the second code is no code, which is the only problem)."""
    tables = {
        "organisations": pa.table({"organisation_id": ["o"]}),
        "cases": pa.table({"case_id": ["x", "xA"], "organisation_id": ["o", "o"]}),
        "case_trafficker_relations": pa.table({"case_id": ["x", "xA"], "code": ["Acquainted", "cquainted"]}),
    }
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.validate(tables)
    assert caught.value.problems == [
        Problem(
            1, "case_trafficker_relations.code", "not a code of category list 'relationship_to_trafficker'"
        )
    ]


def test_upgrade_to_0007_keeps_rows_and_their_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Store(path, upgrade_to=6) as old:
        old.execute("INSERT INTO organisations (organisation_id, dataset_id) VALUES ('org-a', 'ds')")
        old.execute(
            "INSERT INTO cases (case_id, organisation_id, dataset_id) VALUES ('case-1', 'org-a', 'ds')"
        )
        old.execute(
            "INSERT INTO case_victims (case_id, person_id, recruitment_methods, dataset_id) "
            "VALUES ('case-1', 'p-1', ['AtWork'], 'ds')"
        )
    with palermo.open(path) as ws:
        assert ws.store.schema_version >= 7
        rows = ws.store.execute("SELECT case_id, person_id, recruitment_methods FROM case_victims").fetchall()
        assert rows == [("case-1", "p-1", ["AtWork"])]
        indexed = ws.store.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
            "AND list_contains(?, table_name)",
            [list(TABLE_NAMES)],
        ).fetchall()
        assert indexed == [("organisations",)]
        with pytest.raises(CaseValidationError) as caught:
            ws.cases.write_tables(_new_case("case-1"), "ds-2")
        assert Problem(0, "cases.case_id", "key already exists in the store") in caught.value.problems
        assert ws.cases.count() == 1
