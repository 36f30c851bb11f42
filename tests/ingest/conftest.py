"""Fixtures of the ingest tests: small files written in tmp_path, and stores with the real files ingested."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import palermo
from palermo.ingest import IngestResult
from palermo.workspace import Workspace

VP_FILE = "ctdc/CTDC_VPsynthetic_condensed.csv"


def table_counts(ws: Workspace) -> dict[str, int]:
    """Rows in every table of the store (to check that a failed ingest changed nothing)."""
    return {name: ws.store.count(name) for name in ws.store.tables() if name != "schema_version"}


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="module")
def vp_store(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, IngestResult]]:
    """A store holding the CTDC VP synthetic release, ingested once for the module."""
    ws = palermo.open(tmp_path_factory.mktemp("vp") / "p.duckdb")
    try:
        result = ws.ingest.ingest(shared_data / VP_FILE, "ctdc-vp-2022")
        yield ws, result
    finally:
        ws.close()


AGENCY_MAPPING = """
name: test-agency
version: "1"
title: A small agency layout for the hostile-file tests
source: {document: tests/ingest/conftest.py}
organisation: {id: agency, name: Test agency, org_type: NGO}
reader: {format: csv, delimiter: ";", encoding: utf-8}
missing: ["", "-"]
columns:
  name: {to: person_identities.full_name}
  sex: {to: persons.gender, values: {F: {concept: female}, M: {concept: male}}}
  born: {to: person_identities.birth_date, formats: ["%d/%m/%Y"]}
  age: {to: persons.age_at_identification}
  country: {to: persons.citizenship, required: true}
  seen: {to: cases.registration_date, formats: ["%d/%m/%Y"]}
  forms: {to: case_exploitation, category: exploitation_type, separator: "|", values: {labour: ForcedLabour, sex: SexualExploitation}}
derived:
  cases.registration_year: {year_of: cases.registration_date}
  persons.age_band: {age_band: persons.age_at_identification}
"""

HEADER = "name;sex;born;age;country;seen;forms"
GOOD_ROWS = [
    "Ana Lima;F;03/04/1990;31;Viet Nam;05/06/2021;labour",
    "Bo Chen;M;-;-;Côte d'Ivoire;07/08/2022;sex|labour",
    "Cy Dole;F;11/12/1985;36;Congo, Dem. Rep.;01/02/2022;-",
]


@pytest.fixture
def agency_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "test-agency.yaml"
    path.write_text(AGENCY_MAPPING, encoding="utf-8")
    return path
