"""``palermo ingest suggest``: a draft mapping from the header and values, each guess with its confidence."""

from __future__ import annotations

import pytest

from palermo.ingest._mapping import parse_mapping
from palermo.scenario import WorldSummary, generate
from palermo.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return generate(2_500, 5, tmp_path_factory.mktemp("world") / "w")


@pytest.mark.parametrize(
    "agency",
    ["es-policia", "es-inspeccion", "eu-hotline", "fr-refuge", "fr-police", "ma-mission", "th-police"],
)
def test_drafts_parse_as_mappings(ws: Workspace, world: WorldSummary, agency: str) -> None:
    path = world.out / world.data["agencies"][agency]["file"]
    draft = ws.ingest.suggest(path)
    mapping = parse_mapping(draft, "draft")
    assert mapping.name.startswith("draft-")
    assert f"try --mapping scenario-{agency}" in draft
    assert all(
        "# confidence" in line
        for line in draft.splitlines()
        if line.startswith("  ") and line.rstrip().endswith(("REVIEW", ":")) and "#" in line
    )


def test_draft_guesses_the_spanish_police_layout(ws: Workspace, world: WorldSummary) -> None:
    draft = ws.ingest.suggest(world.out / "agencies" / "es-policia.csv")
    mapping = parse_mapping(draft, "draft")
    targets = {s.column: s.target.path for s in mapping.specs}
    assert mapping.record_id == "NUM_DILIGENCIA"
    assert targets["SEXO"] == "persons.gender" and targets["NACIONALIDAD"] == "persons.citizenship"
    assert targets["FECHA_NACIMIENTO"] == "person_identities.birth_date"
    assert targets["PAIS_EXPLOTACION"] == "journey_events.Exploitation.country"
    specs = {s.column: s for s in mapping.specs}
    assert specs["FECHA_NACIMIENTO"].formats[0] == "%d/%m/%Y"
    assert specs["MEDIOS_CONTROL"].separator == " / "
    assert specs["SEXO"].values == {"mujer": "Feminine", "hombre": "Masculine"}
    result = ws.ingest.ingest(world.out / "agencies" / "es-policia.csv", mapping, source_org="es-policia")
    assert result.rows_read == result.ingested + result.quarantined, (
        "a draft works, and quarantines what it missed"
    )


def test_names_and_dates_never_appear_in_a_draft(ws: Workspace, world: WorldSummary) -> None:
    import pyarrow.csv as pacsv

    path = world.out / "agencies" / "es-policia.csv"
    table = pacsv.read_csv(path)
    draft = ws.ingest.suggest(path)
    for column in ("APELLIDOS", "NOMBRE", "FECHA_NACIMIENTO"):
        values = {str(v) for v in table.column(column).to_pylist() if v}
        assert not any(f'"{v}"' in draft for v in values), column
