"""write_tables: vectorised checks, one transaction, the documented Arrow column names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import palermo.cases._namespace as cases_namespace
from palermo.cases import (
    TABLE_NAMES,
    Case,
    CaseRecord,
    Exploitation,
    JourneyEvent,
    Perpetrator,
    Person,
    VictimContext,
)
from palermo.errors import CaseValidationError, Problem, StoreError
from palermo.workspace import Workspace

N = 5_000


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.arange(n).astype(str)))


def bulk_tables(n: int = N) -> dict[str, pa.Table]:
    """n cases, each with a victim, three journey events, two exploitation rows and a perpetrator,
    built column by column with the names the CasesNamespace docstring documents."""
    rng = np.random.default_rng(7)
    case_ids = _ids("case-", n)
    person_ids = _ids("person-", n)
    genders = np.array(["Feminine", "Masculine", "NonConforming"])[rng.integers(0, 3, n)]
    countries = np.array(["NGA", "ITA", "LBY", "THA", "MMR"])
    seq = np.tile(np.arange(1, 4, dtype=np.int64), n)
    return {
        "organisations": pa.table(
            {"organisation_id": ["org-a", "org-b"], "name": ["A", "B"], "org_type": ["NGO", "LawEnforcement"]}
        ),
        "persons": pa.table(
            {
                "person_id": person_ids,
                "gender": pa.array(genders),
                "birth_year": pa.array(rng.integers(1960, 2010, n)),  # int64: cast to INTEGER
                "citizenship": pa.array([[c] for c in countries[rng.integers(0, 5, n)]]),
                "age_band": pa.array(np.array(["18--20", "21--23", "9--17"])[rng.integers(0, 3, n)]),
            }
        ),
        "cases": pa.table(
            {
                "case_id": case_ids,
                "organisation_id": pa.array(np.where(rng.random(n) < 0.5, "org-a", "org-b")),
                "registration_year": pa.array(rng.integers(2002, 2023, n), type=pa.int32()),
                "data_source": pa.array(["Hotline"] * n),
                "status": pa.array(["Active"] * n),
            }
        ),
        "case_victims": pa.table(
            {
                "case_id": case_ids,
                "person_id": person_ids,
                "trafficking_status": pa.array(["PossibleVictimOfTrafficking"] * n),
                "recruitment_methods": pa.array([["AtWork"]] * n),
            }
        ),
        "journey_events": pa.table(
            {
                "case_id": pa.array(np.repeat(np.asarray(case_ids), 3)),
                "sequence": pa.array(seq),
                "event_type": pa.array(np.tile(["Recruitment", "Transit", "Exploitation"], n)),
                "country": pa.array(countries[rng.integers(0, 5, 3 * n)]),
                "event_year": pa.array(np.full(3 * n, 2015)),
                "event_month": pa.array(rng.integers(1, 13, 3 * n)),
            }
        ),
        "case_exploitation": pa.table(
            {
                "case_id": pa.array(np.repeat(np.asarray(case_ids), 2)),
                "category": pa.array(np.tile(["exploitation_type", "labour_sector"], n)),
                "code": pa.array(np.tile(["ForcedLabour", "Agriculture"], n)),
                "present": pa.array(np.tile([True, False], n)),
            }
        ),
        "perpetrators": pa.table(
            {
                "case_id": case_ids,
                "perpetrator_id": _ids("perp-", n),
                "is_group": pa.array(np.ones(n, dtype=bool)),
                "roles": pa.array([["RecruiterBroker", "Exploiter"]] * n),
                "genders": pa.array([["Feminine", "Masculine"]] * n),
                "victim_paid": pa.array([[False, True]] * n),
            }
        ),
        "referrals": pa.table(
            {
                "case_id": case_ids,
                "referral_id": _ids("ref-", n),
                "direction": pa.array(["Incoming"] * n),
                "organisation_id": pa.array(["org-b"] * n),
                "referral_date": pa.array([dt.date(2020, 1, 2)] * n),
                "reason": pa.array(["AdditionalServicesRequired"] * n),
            }
        ),
    }


def _counts(ws: Workspace) -> dict[str, int]:
    return {name: ws.store.count(name) for name in [*TABLE_NAMES, "datasets"]}


def test_bulk_round_trip(workspace: Workspace) -> None:
    data = bulk_tables()
    written = workspace.cases.write_tables(data, "ds-bulk")
    assert written == {name: t.num_rows for name, t in data.items()}
    assert workspace.cases.count() == N
    persons, cases, events = data["persons"], data["cases"], data["journey_events"]
    for i in (0, 1234, N - 1):
        got = workspace.cases.get(f"case-{i}")
        assert got.case == Case(
            case_id=f"case-{i}",
            organisation_id=cases["organisation_id"][i].as_py(),
            registration_year=cases["registration_year"][i].as_py(),
            data_source="Hotline",
            status="Active",
        )
        assert got.persons == [
            Person(
                person_id=f"person-{i}",
                gender=persons["gender"][i].as_py(),
                birth_year=persons["birth_year"][i].as_py(),
                citizenship=persons["citizenship"][i].as_py(),
                age_band=persons["age_band"][i].as_py(),
            )
        ]
        assert got.victims == [
            VictimContext(
                person_id=f"person-{i}",
                trafficking_status="PossibleVictimOfTrafficking",
                recruitment_methods=["AtWork"],
            )
        ]
        assert got.journey == [
            JourneyEvent(
                sequence=s,
                event_type=("Recruitment", "Transit", "Exploitation")[s - 1],
                country=events["country"][3 * i + s - 1].as_py(),
                event_year=2015,
                event_month=events["event_month"][3 * i + s - 1].as_py(),
            )
            for s in (1, 2, 3)
        ]
        assert got.exploitation == [
            Exploitation(category="exploitation_type", code="ForcedLabour"),
            Exploitation(category="labour_sector", code="Agriculture", present=False),
        ]
        assert got.perpetrators == [
            Perpetrator(
                perpetrator_id=f"perp-{i}",
                is_group=True,
                roles=["RecruiterBroker", "Exploiter"],
                genders=["Feminine", "Masculine"],
                victim_paid=[False, True],
            )
        ]
        assert [o.organisation_id for o in got.organisations] == sorted(
            {cases["organisation_id"][i].as_py(), "org-b"}
        )
    rows = workspace.store.execute("SELECT rows_loaded FROM datasets WHERE dataset_id = 'ds-bulk'").fetchall()
    assert rows == [(sum(written.values()),)]


def test_bulk_and_single_records_agree(workspace: Workspace) -> None:
    workspace.cases.write_tables(bulk_tables(3), "ds-bulk")
    record = CaseRecord(
        case=Case(case_id="case-single", organisation_id="org-a"),
        victims=[VictimContext(person_id="person-1")],  # a person loaded in bulk
    )
    workspace.cases.add(record, "ds-single")
    assert workspace.cases.get("case-single").persons[0].person_id == "person-1"
    assert [o.organisation_id for o in workspace.cases.get("case-single").organisations] == ["org-a"]


def _second_load(n: int) -> dict[str, pa.Table]:
    """bulk_tables(n) with new ids, referring to the organisations already stored."""
    renamed: dict[str, pa.Table] = {}
    for name, table in bulk_tables(n).items():
        if name == "organisations":
            continue
        for i, column in enumerate(table.column_names):
            if column in {"case_id", "person_id", "perpetrator_id", "referral_id"}:
                fresh = np.char.add("new-", np.asarray(table[column]).astype(str))
                table = table.set_column(i, column, pa.array(fresh))
        renamed[name] = table
    return renamed


def test_bad_code_in_the_last_table_leaves_every_table_unchanged(workspace: Workspace) -> None:
    workspace.cases.write_tables(bulk_tables(10), "ds-first")
    before = _counts(workspace)
    data = _second_load(N)
    reasons = pa.array(["AdditionalServicesRequired"] * (N - 1) + ["Bribery"])
    data["referrals"] = data["referrals"].set_column(
        data["referrals"].column_names.index("reason"), "reason", reasons
    )
    assert list(data)[-1] == "referrals"
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(data, "ds-second")
    assert caught.value.problems == [
        Problem(N - 1, "referrals.reason", "not a code of category list 'referral_reason'")
    ]
    assert _counts(workspace) == before
    del data["referrals"]
    workspace.cases.write_tables(data, "ds-second")  # the rest was fine
    assert workspace.cases.count() == 10 + N


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(RuntimeError("disk unplugged"), RuntimeError), (duckdb.IOException("disk full"), StoreError)],
)
def test_failure_during_the_write_leaves_every_table_unchanged(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, failure: Exception, expected: type[Exception]
) -> None:
    workspace.cases.write_tables(bulk_tables(10), "ds-first")
    before = _counts(workspace)
    original = cases_namespace.insert_arrow
    calls: list[str] = []

    def failing_insert(conn: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> int:
        calls.append(table)
        if len(calls) == 5:
            raise failure
        return original(conn, table, rows)

    monkeypatch.setattr(cases_namespace, "insert_arrow", failing_insert)
    with pytest.raises(expected):
        workspace.cases.write_tables(_second_load(10), "ds-second")
    assert len(calls) == 5
    assert _counts(workspace) == before


def test_keys_already_stored_are_reported_by_row(workspace: Workspace) -> None:
    workspace.cases.write_tables(bulk_tables(10), "ds-first")
    before = _counts(workspace)
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(bulk_tables(10), "ds-again")
    problems = caught.value.problems
    assert Problem(0, "cases.case_id", "key already exists in the store") in problems
    assert Problem(9, "journey_events.case_id+sequence", "key already exists in the store") in problems
    assert all("already exists" in p.rule for p in problems)
    assert _counts(workspace) == before


def test_references_must_resolve(workspace: Workspace) -> None:
    data = bulk_tables(4)
    del data["organisations"]
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(data, "ds")
    fields = {(p.field, p.rule) for p in caught.value.problems}
    rule = "refers to a row of organisations that is neither in the store nor in this load"
    assert fields == {("cases.organisation_id", rule), ("referrals.organisation_id", rule)}
    assert workspace.cases.count() == 0


def test_structural_problems_are_collected(workspace: Workspace) -> None:
    tables: dict[str, Any] = {
        "victims": pa.table({"case_id": ["c"]}),
        "cases": pa.table({"case_id": ["c"], "colour": ["red"], "registration_year": ["twenty"]}),
        "case_comments": pa.table({"case_id": ["c"], "comment_id": ["k"]}),
        "persons": pa.table({"person_id": ["p"], "dataset_id": ["other"]}),
    }
    with pytest.raises(CaseValidationError) as caught:
        workspace.cases.write_tables(tables, "ds")
    assert {(p.row, p.field, p.rule) for p in caught.value.problems} == {
        (None, "victims", f"unknown table; expected one of {', '.join(TABLE_NAMES)}"),
        (None, "cases.colour", "unknown column"),
        (None, "cases.organisation_id", "required column is missing"),
        (None, "cases.registration_year", "cannot be read as INTEGER"),
        (None, "case_comments.comment", "required column is missing"),
        (None, "persons.dataset_id", "must be empty or equal the dataset_id of the load"),
    }


def test_null_lists_become_empty_and_defaults_fill_in(workspace: Workspace) -> None:
    tables = {
        "organisations": pa.table({"organisation_id": ["o"]}),
        "cases": pa.table({"case_id": ["c"], "organisation_id": ["o"]}),
        "perpetrators": pa.table(
            {"case_id": ["c", "c"], "perpetrator_id": ["p1", "p2"], "roles": pa.array([None, ["Smuggler"]])}
        ),
        "case_means_of_control": pa.table({"case_id": ["c"], "code": ["DebtBondage"]}),
    }
    workspace.cases.write_tables(tables, "ds")
    got = workspace.cases.get("c")
    assert [(p.roles, p.is_group, p.genders) for p in got.perpetrators] == [
        ([], False, []),
        (["Smuggler"], False, []),
    ]
    assert [(m.code, m.present) for m in got.means_of_control] == [("DebtBondage", True)]


def test_validate_checks_tables_without_writing(workspace: Workspace) -> None:
    data = bulk_tables(5)
    workspace.cases.validate(data)
    assert workspace.cases.count() == 0
    workspace.cases.write_tables(data, "ds")
    with pytest.raises(CaseValidationError, match="already exists"):
        workspace.cases.validate(data)
