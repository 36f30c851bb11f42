"""Loading a generated world into the store: counts, identities as written, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import palermo
from palermo.cases import _namespace as cases_namespace
from palermo.errors import ScenarioError
from palermo.scenario import WorldSummary, generate, read_agency_file
from palermo.workspace import Workspace


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return generate(1_200, 21, tmp_path_factory.mktemp("world") / "w")


def _counts(ws: Workspace) -> dict[str, int]:
    return {name: ws.store.count(name) for name in ws.store.tables() if name != "schema_version"}


def test_load_writes_one_case_per_agency_record(ws: Workspace, small_world: WorldSummary) -> None:
    loaded = ws.scenario.load(small_world.out)
    records = small_world.records
    assert loaded["tables"]["cases"] == records
    assert ws.cases.count() == records
    assert ws.store.count("person_identities") == records
    assert ws.store.count("organisations") == len(small_world.data["agencies"])
    per_org = dict(ws.store.execute("SELECT organisation_id, count(*) FROM cases GROUP BY 1").fetchall())
    assert per_org == {
        a: info["records"] for a, info in small_world.data["agencies"].items() if info["records"]
    }
    kind, rows = ws.store.execute("SELECT kind, rows_loaded FROM datasets").fetchone()  # type: ignore[misc]
    assert kind == "scenario" and rows == sum(loaded["tables"].values())


def test_load_goes_through_the_ingest(ws: Workspace, small_world: WorldSummary) -> None:
    loaded = ws.scenario.load(small_world.out)
    records = small_world.records
    assert (loaded["rows_read"], loaded["ingested"]) == (records, records)
    assert (loaded["quarantined"], loaded["duplicates_skipped"]) == (0, 0)
    per_mapping = dict(ws.store.execute("SELECT mapping, count(*) FROM ingest_records GROUP BY 1").fetchall())
    assert per_mapping == {
        f"scenario-{a}": info["records"]
        for a, info in small_world.data["agencies"].items()
        if info["records"]
    }, "every case keeps its provenance: file, row and mapping"
    unknown = ws.store.scalar(
        "SELECT count(*) FROM ingest_records r ANTI JOIN cases c ON c.case_id = r.target_id"
    )
    assert unknown == 0


def test_attributes_are_read_from_the_agency_files(ws: Workspace, small_world: WorldSummary) -> None:
    ws.scenario.load(small_world.out)
    police = read_agency_file(small_world.out, "es-policia").to_pylist()
    sexual = sum("explotación sexual" in (row["TIPO_EXPLOTACION"] or "") for row in police)
    stored = ws.store.scalar(
        "SELECT count(*) FROM case_exploitation WHERE code = 'SexualExploitation' AND case_id LIKE 'es-policia:%'"
    )
    assert stored == sexual
    sectors = read_agency_file(small_world.out, "es-inspeccion").column("sector").to_pylist()
    stored_sectors = ws.store.scalar(
        "SELECT count(*) FROM case_exploitation WHERE category = 'labour_sector' AND case_id LIKE 'es-inspeccion:%'"
    )
    assert stored_sectors == sum(1 for s in sectors if s)
    hotline_ages = ws.store.scalar("SELECT count(age_band) FROM persons WHERE person_id LIKE 'eu-hotline:%'")
    written_ages = sum(
        1
        for a in read_agency_file(small_world.out, "eu-hotline").column("AgeEstimate").to_pylist()
        if a not in ("", "Unknown", None)
    )
    assert hotline_ages == written_ages, "age bands derived from the estimated ages the hotline wrote"


def test_identities_are_as_each_agency_wrote_them(ws: Workspace, small_world: WorldSummary) -> None:
    ws.scenario.load(small_world.out)
    thai_years = ws.store.execute(
        "SELECT min(year(birth_date)), max(year(birth_date)) FROM person_identities WHERE person_id LIKE 'th-police:%'"
    ).fetchone()
    assert thai_years is not None and thai_years[1] < 2020, "Buddhist Era years converted back"
    refuge = ws.store.execute(
        "SELECT family_name FROM person_identities WHERE person_id LIKE 'fr-refuge:%' AND family_name IS NOT NULL"
    ).fetchall()
    assert refuge and all(name == name.upper() for (name,) in refuge), "NOM Prénom split: family name first"
    hotline_dob = ws.store.scalar(
        "SELECT count(birth_date) FROM person_identities WHERE person_id LIKE 'eu-hotline:%'"
    )
    assert hotline_dob == 0, "the hotline records an estimated age, never a date of birth"


def test_second_load_is_refused_then_replaced(ws: Workspace, small_world: WorldSummary) -> None:
    first = ws.scenario.load(small_world.out)
    before = _counts(ws)
    with pytest.raises(ScenarioError, match="already in the store"):
        ws.scenario.load(small_world.out)
    again = ws.scenario.load(small_world.out, replace=True)
    assert again["replaced"] == [first["dataset_id"]]
    assert _counts(ws) == before


def test_failure_mid_load_leaves_store_unchanged(
    ws: Workspace, small_world: WorldSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(ws)
    calls = {"n": 0}
    real = cases_namespace.insert_arrow

    def failing(conn: object, table: str, data: object) -> int:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("injected failure: disk unplugged mid-ingest")
        return real(conn, table, data)  # type: ignore[arg-type]

    # the case model writes each table through this function, inside the load's one transaction
    monkeypatch.setattr(cases_namespace, "insert_arrow", failing)
    with pytest.raises(OSError, match="injected"):
        ws.scenario.load(small_world.out)
    assert calls["n"] == 4, "the failure happened after some tables were written"
    assert _counts(ws) == before


def test_tampered_world_is_refused(tmp_path: Path) -> None:
    summary = generate(200, 3, tmp_path / "w")
    target = summary.out / "agencies" / "es-policia.csv"
    target.write_bytes(target.read_bytes() + b"\n")
    with palermo.open(tmp_path / "p.duckdb") as ws, pytest.raises(ScenarioError, match="changed since"):
        ws.scenario.load(summary.out)
    with (
        palermo.open(tmp_path / "p.duckdb") as ws,
        pytest.raises(ScenarioError, match="not a generated world"),
    ):
        ws.scenario.load(tmp_path)
