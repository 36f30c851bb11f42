"""The synthetic world: ground truth consistency, determinism, agency formats, bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from palermo.errors import ScenarioError
from palermo.scenario import WorldSummary, generate, load_world, read_agency_file

PERSONS = 4_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return generate(PERSONS, 11, tmp_path_factory.mktemp("world") / "w")


def test_every_record_maps_to_one_person(world: WorldSummary) -> None:
    persons = pq.read_table(world.out / "truth" / "persons.parquet")
    records = pq.read_table(world.out / "truth" / "records.parquet")
    assert persons.num_rows == PERSONS
    assert len(set(persons["person_id"].to_pylist())) == PERSONS
    assert set(records["person_id"].to_pylist()) <= set(persons["person_id"].to_pylist())
    keys = list(zip(records["agency"].to_pylist(), records["record_id"].to_pylist(), strict=True))
    assert len(keys) == len(set(keys)), "record ids are unique within each agency"
    assert records.num_rows == world.records


def test_capture_counts_match_the_files(world: WorldSummary) -> None:
    records = pq.read_table(world.out / "truth" / "records.parquet")
    per_agency = Counter(records["agency"].to_pylist())
    total = 0
    for agency_id, info in world.data["agencies"].items():
        table = read_agency_file(world.out, agency_id)
        id_column = load_world().agency(agency_id).columns["record_id"]
        assert table.num_rows == info["records"] == per_agency[agency_id], agency_id
        truth_ids = set(
            records.filter(pa.compute.equal(records["agency"], agency_id))["record_id"].to_pylist()
        )
        assert set(table[id_column].to_pylist()) == truth_ids, agency_id
        total += table.num_rows
    assert total == world.records
    duplicates = sum(records["duplicate"].to_pylist())
    assert duplicates == sum(info["duplicates"] for info in world.data["agencies"].values())


def test_capture_histories_agree_with_records(world: WorldSummary) -> None:
    persons = pq.read_table(world.out / "truth" / "persons.parquet").to_pylist()
    records = pq.read_table(world.out / "truth" / "records.parquet").to_pylist()
    by_person: dict[str, set[str]] = {}
    for r in records:
        by_person.setdefault(r["person_id"], set()).add(r["agency"])
    spain = world.data["countries"]["ESP"]
    in_spain = {p["person_id"] for p in persons if p["destination"] == "ESP"}
    expected: Counter[str] = Counter()
    for pid in in_spain:
        seen = by_person.get(pid, set())
        expected["".join("1" if a in seen else "0" for a in spain["lists"])] += 1
    got = {h["history"]: h["count"] for h in spain["capture_histories"]}
    assert got == dict(expected)
    assert spain["observed"] == sum(v for k, v in got.items() if "1" in k)
    assert 0 < spain["observed"] < spain["persons"], "some of the population stays hidden"


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate(1_500, 5, tmp_path / "a")
    b = generate(1_500, 5, tmp_path / "b")
    c = generate(1_500, 6, tmp_path / "c")
    files = sorted(p.relative_to(a.out) for p in a.out.rglob("*") if p.is_file())
    assert len(files) == len(load_world().agencies) + 4
    for rel in files:
        assert (a.out / rel).read_bytes() == (b.out / rel).read_bytes(), rel
    assert (a.out / "manifest.json").read_bytes() != (c.out / "manifest.json").read_bytes()


def test_agencies_write_their_own_formats(world: WorldSummary) -> None:
    agencies = world.data["agencies"]
    refuge = (world.out / agencies["fr-refuge"]["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        refuge.decode("utf-8")  # cp1252, as the shelter's old system writes it
    assert "travail forcé" in refuge.decode("cp1252")
    hotline = (world.out / agencies["eu-hotline"]["file"]).read_text(encoding="utf-8").splitlines()
    assert hotline[0].startswith('"By using this data you agree')
    assert hotline[0].count(";") == 10
    thai = read_agency_file(world.out, "th-police")
    years = [int(d.split("/")[2]) for d in thai["date_identified"].to_pylist()]
    assert min(years) >= 2019 + 543, "Thai records count years in the Buddhist Era"
    inspection = read_agency_file(world.out, "es-inspeccion")
    assert set(inspection["sexo"].to_pylist()) == {"1", "2"}
    mission = pq.read_table(world.out / agencies["ma-mission"]["file"])
    assert mission.schema.field("registration_date").type == pa.date32()


def test_records_carry_realistic_noise(world: WorldSummary) -> None:
    persons = {p["person_id"]: p for p in pq.read_table(world.out / "truth" / "persons.parquet").to_pylist()}
    records = pq.read_table(world.out / "truth" / "records.parquet").to_pylist()
    police = read_agency_file(world.out, "es-policia").to_pylist()
    truth_of = {r["record_id"]: persons[r["person_id"]] for r in records if r["agency"] == "es-policia"}
    exact = variant = swapped = missing_dob = 0
    for row in police:
        person = truth_of[row["NUM_DILIGENCIA"]]
        if (row["NOMBRE"], row["APELLIDOS"]) == (person["given_name"], person["family_name"]):
            exact += 1
        elif (row["NOMBRE"], row["APELLIDOS"]) == (person["family_name"], person["given_name"]):
            swapped += 1
        else:
            variant += 1
        missing_dob += row["FECHA_NACIMIENTO"] == ""
    assert exact > variant > 0 and swapped > 0 and missing_dob > 0
    spellings = {
        row["NOMBRE"]
        for row in police
        if truth_of[row["NUM_DILIGENCIA"]]["given_name"] == "Mohammed" and row["APELLIDOS"] != "Mohammed"
    }
    assert len(spellings) >= 2, f"transliteration variants of Mohammed expected, got {spellings}"
    mission = pq.read_table(world.out / world.data["agencies"]["ma-mission"]["file"])
    assert any(any("\u0600" <= ch <= "\u06ff" for ch in (n or "")) for n in mission["first_name"].to_pylist())


def test_summary_file_matches_returned_summary(world: WorldSummary) -> None:
    on_disk = json.loads((world.out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk == world.data
    assert on_disk["persons_captured"] + on_disk["persons_never_captured"] == PERSONS


@pytest.mark.parametrize(
    ("persons", "seed", "message"), [(0, 1, "persons must be"), (10, -1, "seed must be")]
)
def test_bad_arguments(tmp_path: Path, persons: int, seed: int, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        generate(persons, seed, tmp_path / "w")


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "keep.txt").write_text("precious")
    with pytest.raises(ScenarioError, match="not empty"):
        generate(10, 1, tmp_path / "w")
    assert (tmp_path / "w" / "keep.txt").read_text() == "precious"


def test_malformed_world_file(tmp_path: Path) -> None:
    bad = tmp_path / "world.yaml"
    bad.write_text("population: {}\ncorridors: []\n")
    with pytest.raises(ScenarioError, match="lacks required key 'agencies'"):
        generate(10, 1, tmp_path / "w", world_file=bad)
    bad.write_text("agencies: [\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_world(bad)
