"""add -> get gives back the same record: rich, minimal, and drawn by hypothesis."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import palermo
from palermo.cases import PARTS_MODELS, CaseRecord, Person, VictimContext
from palermo.errors import NotFoundError
from palermo.testing import case_records
from palermo.workspace import Workspace

from .conftest import minimal_record, rich_record


def test_rich_record_fills_every_field() -> None:
    record = rich_record()
    for part, model in PARTS_MODELS.items():
        items = [record.case] if part == "case" else list(getattr(record, part))
        assert items, f"{part} is empty"
        for name, info in model.model_fields.items():
            default = info.get_default(call_default_factory=True)
            assert any(getattr(item, name) != default for item in items), f"{part}.{name} never filled"


def test_rich_record_round_trip(workspace: Workspace) -> None:
    record = rich_record()
    workspace.cases.add(record, "ds-rich")
    assert workspace.cases.count() == 1
    assert workspace.cases.get("case-1") == record


def test_minimal_record_round_trip(workspace: Workspace) -> None:
    record = minimal_record()
    workspace.cases.add(record, "ds-min")
    assert workspace.cases.get("case-min") == record


def test_get_returns_lists_in_key_order(workspace: Workspace) -> None:
    record = rich_record()
    shuffled = record.model_copy(
        update={part: list(reversed(getattr(record, part))) for part in PARTS_MODELS if part != "case"}
    )
    assert shuffled != record
    workspace.cases.add(shuffled, "ds")
    assert workspace.cases.get("case-1") == record == shuffled.canonical()


def test_round_trip_survives_reopening(tmp_path: Path) -> None:
    with palermo.open(tmp_path / "p.duckdb") as ws:
        ws.cases.add(rich_record(), "ds")
    with palermo.open(tmp_path / "p.duckdb") as ws:
        assert ws.cases.get("case-1") == rich_record()
        assert ws.cases.count() == 1


def test_persons_and_organisations_are_shared_between_cases(workspace: Workspace) -> None:
    workspace.cases.add(rich_record("case-1"), "ds")
    second = CaseRecord(
        case=rich_record().case.model_copy(update={"case_id": "case-2"}),
        organisations=[o for o in rich_record().organisations if o.organisation_id == "org-ngo"],
        persons=[Person(person_id="person-victim", gender="NonConforming")],  # already stored: kept as is
        victims=[VictimContext(person_id="person-victim")],
    )
    workspace.cases.add(second, "ds")
    assert workspace.cases.count() == 2
    assert workspace.store.count("persons") == 2
    got = workspace.cases.get("case-2")
    assert [p.gender for p in got.persons] == ["Feminine"]
    assert [i.person_id for i in got.identities] == ["person-victim"]
    assert workspace.cases.get("case-1") == rich_record()


def test_add_registers_the_dataset(workspace: Workspace) -> None:
    workspace.cases.add(rich_record(), "ds-x")
    kind, rows = workspace.store.execute(
        "SELECT kind, rows_loaded FROM datasets WHERE dataset_id = 'ds-x'"
    ).fetchall()[0]
    expected = sum(1 if part == "case" else len(getattr(rich_record(), part)) for part in PARTS_MODELS)
    assert (kind, rows) == ("cases", expected)


def test_remove_dataset_removes_every_row(workspace: Workspace) -> None:
    workspace.cases.add(rich_record("case-1"), "ds-a")
    workspace.cases.add(minimal_record("case-b"), "ds-b")
    removed = workspace.cases.remove_dataset("ds-a")
    assert removed["cases"] == 1 and removed["journey_events"] == 3 and removed["organisations"] == 4
    assert workspace.cases.count() == 1
    with pytest.raises(NotFoundError):
        workspace.cases.get("case-1")
    assert workspace.cases.get("case-b") == minimal_record("case-b")


def test_unknown_case_is_not_found(workspace: Workspace) -> None:
    with pytest.raises(NotFoundError, match="no case"):
        workspace.cases.get("nope")


def test_workspace_exposes_the_namespace(workspace: Workspace) -> None:
    assert workspace.cases is workspace.cases
    assert workspace.cases.count() == 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=case_records())
def test_drawn_records_round_trip(workspace: Workspace, record: CaseRecord) -> None:
    workspace.cases.add(record, "ds-hyp")
    try:
        assert workspace.cases.get(record.case.case_id) == record
    finally:
        workspace.cases.remove_dataset("ds-hyp")
    assert workspace.cases.count() == 0
