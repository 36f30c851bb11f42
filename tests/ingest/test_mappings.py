"""Mapping files: the shipped ones, and every problem of a broken one named by line and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo.errors import MappingError, UnknownMappingError
from palermo.ingest import load_mapping, shipped_names
from palermo.ingest._mapping import parse_mapping
from palermo.workspace import Workspace

from .conftest import AGENCY_MAPPING

SHIPPED = {"ctdc-vp-2022", "ctdc-kanon-v6", "ctdc-synthetic-2024", "unodc-glotip", "htcds-v2-core"}
AGENCIES = {"es-policia", "es-inspeccion", "eu-hotline", "fr-refuge", "fr-police", "ma-mission", "th-police"}


def test_shipped_mappings(ws: Workspace) -> None:
    names = set(shipped_names())
    assert names == SHIPPED | {f"scenario-{a}" for a in AGENCIES}
    listed = ws.ingest.mappings()
    assert {m["name"] for m in listed} == names
    for m in listed:
        assert m["version"] and m["title"] and m["source"]["document"], m["name"]
    assert {m["name"]: m["target"] for m in listed}["unodc-glotip"] == "aggregates"


def test_every_scenario_agency_has_its_mapping() -> None:
    from palermo.scenario import load_world

    assert {a.id for a in load_world().agencies} == AGENCIES


def test_load_by_name_or_path(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(AGENCY_MAPPING)
    assert load_mapping(path).name == load_mapping(str(path)).name == "test-agency"
    assert load_mapping(path).path == path.resolve()
    with pytest.raises(UnknownMappingError, match="no shipped mapping named 'nope'"):
        load_mapping("nope")
    with pytest.raises(UnknownMappingError, match="no mapping file"):
        load_mapping(str(tmp_path / "missing.yaml"))


BROKEN = """\
name: Broken Name
version: "1"
title: t
source: {document: d}
colour: blue
reader: {delimiter: ";;", unknown_columns: maybe}
columns:
  a: {to: persons.shoe_size}
  b: {to: persons.gender, values: {X: NotAGender}}
  c: {to: persons.gender, values: {Y: {concept: no-such-concept}}, colour: red}
  d: {to: case_exploitation, code: ForcedLabour}
  e: {to: cases.registration_date, type: country}
  f: {to: case_means_of_control, code: NoSuchMeans}
  g: {to: persons.age_at_identification, range: [0]}
constants:
  cases.status: Asleep
derived:
  persons.age_band: {age_band: persons.age_at_identification, bands: [[0, "x"]]}
  persons.birth_year: {guess: persons.age_at_identification}
"""


def test_every_problem_is_named_with_its_line() -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(BROKEN, "broken.yaml")
    found = {(p.row, p.field) for p in caught.value.problems}
    rules = " | ".join(p.rule for p in caught.value.problems)
    assert (1, "name") in found
    assert (5, "file") in found and "unknown key 'colour'" in rules
    assert (6, "reader.delimiter") in found and (6, "reader.unknown_columns") in found
    assert (8, "columns.a.to") in found
    assert (
        9,
        "columns.b.values",
    ) in found and "'NotAGender' is not a code of category list 'gender'" in rules
    assert (10, "columns.c") in found and "concept 'no-such-concept' has no code in list 'gender'" in rules
    assert (11, "columns.d.category") in found
    assert (12, "columns.e.type") in found
    assert (13, "columns.f.code") in found
    assert (14, "columns.g.range") in found
    assert (16, "constants.cases.status") in found
    assert (18, "derived.persons.age_band.bands") in found
    assert (19, "derived.persons.birth_year") in found
    assert str(caught.value).startswith("invalid mapping broken.yaml, line 1, name:")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("- just a list", "must be a YAML mapping"),
        ("name: [unclosed", "not valid YAML"),
        (
            "name: x\nversion: '1'\ntitle: t\nsource: {document: d}\ncolumns: {}",
            "required: a mapping from source column",
        ),
        (
            "name: x\nversion: '1'\ntitle: t\nsource: {document: d}\ncolumns:\n  a: {to: persons.gender}\n  b: {to: persons.gender}",
            "written twice",
        ),
    ],
)
def test_malformed_files(text: str, rule: str) -> None:
    with pytest.raises(MappingError, match=rule):
        parse_mapping(text, "m.yaml")


def test_concepts_resolve_to_the_case_model_codes() -> None:
    specs = {s.column: s for s in load_mapping("scenario-es-policia").specs}
    assert specs["SEXO"].values == {"mujer": "Feminine", "hombre": "Masculine"}
    assert specs["MEDIOS_CONTROL"].values["servidumbre por deudas"] == "DebtBondage"
    assert load_mapping("scenario-fr-police").specs[-1].values["proxenetisme"] == "SexualExploitation", (
        "a narrower concept resolves through its broader one"
    )
