"""References checked per referenced table in one pass: a value in the load or in the store is
fine, any other names its row in each referencing table, never the value."""

from __future__ import annotations

import pyarrow as pa
import pytest

from palermo.errors import CaseValidationError, Problem
from palermo.workspace import Workspace

RULE = "refers to a row of cases that is neither in the store nor in this load"


def test_each_table_names_its_own_rows(workspace: Workspace) -> None:
    workspace.cases.write_tables(
        {
            "organisations": pa.table({"organisation_id": ["org"]}),
            "cases": pa.table({"case_id": ["stored"], "organisation_id": ["org"]}),
        },
        "ds-1",
    )
    load = {
        "cases": pa.table({"case_id": ["new"], "organisation_id": ["org"]}),
        "case_means_of_control": pa.table(
            {
                "case_id": ["new", "ghost", "stored", "ghost"],
                "code": ["DebtBondage"] * 3 + ["WithholdsDocuments"],
            }
        ),
        "journey_events": pa.table(
            {
                "case_id": ["stored", "other-ghost", "new"],
                "sequence": [1, 1, 1],
                "event_type": ["Transit"] * 3,
            }
        ),
    }
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(load, "ds-2")
    assert sorted(caught.value.problems, key=lambda p: (p.field, p.row or 0)) == [
        Problem(1, "case_means_of_control.case_id", RULE),
        Problem(3, "case_means_of_control.case_id", RULE),
        Problem(1, "journey_events.case_id", RULE),
    ]
    assert workspace.cases.count() == 1


def test_the_parent_column_itself_and_its_copies_resolve(workspace: Workspace) -> None:
    ids = pa.array([f"c{i}" for i in range(1000)])
    load = {
        "organisations": pa.table({"organisation_id": ["org"]}),
        "cases": pa.table({"case_id": ids, "organisation_id": pa.array(["org"] * 1000)}),
        "persons": pa.table({"person_id": ids}),
        "case_victims": pa.table({"case_id": ids, "person_id": ids}),  # the same memory: skipped
        "case_trafficker_relations": pa.table(
            {"case_id": ids.slice(1), "code": pa.array(["Familial"] * 999)}  # a slice: checked
        ),
    }
    assert workspace.cases.write_tables(load, "ds")["case_victims"] == 1000
    later = {"case_trafficker_relations": pa.table({"case_id": ["c5", "zz"], "code": ["Acquainted"] * 2})}
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(later, "ds-2")
    assert caught.value.problems == [Problem(1, "case_trafficker_relations.case_id", RULE)]


def test_dictionary_encoded_references(workspace: Workspace) -> None:
    """A dictionary over the load's own key column resolves as it is; any other dictionary is
    judged by its entries, and when one is missing, by its rows."""
    ids = pa.array(["c0", "c1", "c2"])
    load = {
        "organisations": pa.table({"organisation_id": ["org"]}),
        "cases": pa.table({"case_id": ids, "organisation_id": pa.array(["org"] * 3).dictionary_encode()}),
        "case_means_of_control": pa.table(
            {
                "case_id": pa.DictionaryArray.from_arrays(pa.array([2, 0, 2], pa.int32()), ids),
                "code": ["DebtBondage", "DebtBondage", "WithholdsDocuments"],
            }
        ),
    }
    assert workspace.cases.write_tables(load, "ds")["case_means_of_control"] == 3
    relations = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, 1], pa.int32()), pa.array(["c1", "ghost"]))
    later = {
        "case_trafficker_relations": pa.table(
            {"case_id": relations, "code": ["Familial", "Familial", "Acquainted", "Acquainted"]}
        )
    }
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(later, "ds-2")
    assert caught.value.problems == [
        Problem(1, "case_trafficker_relations.case_id", RULE),
        Problem(3, "case_trafficker_relations.case_id", RULE),
    ]


def test_a_repeated_key_is_found_in_every_table_that_shares_its_column(workspace: Workspace) -> None:
    ids = pa.array(["c0", "c1", "c0"])
    load = {
        "organisations": pa.table({"organisation_id": ["org"]}),
        "persons": pa.table({"person_id": ids}),
        "cases": pa.table({"case_id": ids, "organisation_id": ["org"] * 3}),
        "case_victims": pa.table({"case_id": ids, "person_id": ids}),
    }
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(load, "ds")
    rule = "key appears more than once in this load"
    assert {(p.row, p.field) for p in caught.value.problems if p.rule == rule} == {
        (row, field)
        for row in (0, 2)
        for field in ("persons.person_id", "cases.case_id", "case_victims.case_id+person_id")
    }
