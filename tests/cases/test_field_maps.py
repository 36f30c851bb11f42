"""Every CTDC variable and every HTCDS v2.0 field is mapped to a column that exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import palermo
from palermo.cases import MappedField, ctdc_field_map, htcds_field_map, load_categories
from palermo.cases._schema import tables
from palermo.workspace import Workspace

from ._sources import (
    ctdc_2024_variables,
    ctdc_kanon63_header,
    ctdc_v6_variables,
    ctdc_vp_variables,
    htcds_fields,
)


@pytest.fixture(scope="module")
def store_columns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[str]]:
    """table.column of every column the migrated store has."""
    ws: Workspace = palermo.open(tmp_path_factory.mktemp("maps") / "p.duckdb")
    rows = ws.store.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    ws.close()
    yield {f"{t}.{c}" for t, c in rows}


def _check_targets(mapped: MappedField, store_columns: set[str]) -> None:
    """Its columns exist; its code and fixed values are codes of the right lists."""
    categories = load_categories()
    for target in [*mapped.to, *mapped.with_values]:
        assert target in store_columns, f"{mapped.name}: no column {target}"
    for target, value in mapped.with_values.items():
        list_name = _list_of(target, {})
        if list_name is not None:
            assert categories.is_valid(list_name, str(value)), f"{mapped.name}: {target}={value}"
    if mapped.code is not None:
        list_name = _list_of(mapped.to[0], mapped.with_values)
        assert list_name is not None, f"{mapped.name}: {mapped.to[0]} holds no codes"
        assert categories.is_valid(list_name, mapped.code), f"{mapped.name}: {mapped.code} not in {list_name}"


def _list_of(target: str, with_values: dict[str, Any]) -> str | None:
    table, column = target.split(".")
    col = tables()[table].column(column)
    if col.coded is not None:
        return col.coded.name
    if col.coded_by is not None:
        return str(with_values[f"{table}.{col.coded_by.column}"])
    return None


def test_ctdc_v6_every_variable_is_mapped(data_dir: Path, store_columns: set[str]) -> None:
    names = ctdc_v6_variables(data_dir)
    release = ctdc_field_map()["ctdc_v6"]
    assert len(names) == 62 == release.variables
    assert set(names) == set(release.fields)
    for name in names:
        _check_targets(release.fields[name], store_columns)


def test_ctdc_kanon63_header_is_mapped(data_dir: Path, store_columns: set[str]) -> None:
    header = ctdc_kanon63_header(data_dir)
    maps = ctdc_field_map()
    release = maps["ctdc_kanon63"]
    assert len(header) == 63 == release.variables
    assert release.includes == "ctdc_v6"
    assert "isSlaveryAndPractices" in header and "isSlaveryAndPractices" in release.fields
    for name in header:
        mapped = release.lookup(name) or maps["ctdc_v6"].lookup(name)
        assert mapped is not None, f"k-anon variable {name} is not mapped"
        _check_targets(mapped, store_columns)


def test_ctdc_synthetic_2024_every_variable_is_mapped(data_dir: Path, store_columns: set[str]) -> None:
    names = ctdc_2024_variables(data_dir)
    release = ctdc_field_map()["ctdc_synthetic_2024"]
    assert len(names) == 27 == release.variables
    assert set(names) == set(release.fields)
    for name in names:
        _check_targets(release.fields[name], store_columns)
    # the detailed description spells variable 14 differently
    assert release.lookup("meansWithholdDocuments") is release.fields["meansWithholdDocs"]


def test_ctdc_vp_2022_every_variable_is_mapped(data_dir: Path, store_columns: set[str]) -> None:
    names = ctdc_vp_variables(data_dir)
    release = ctdc_field_map()["ctdc_vp_2022"]
    assert len(names) == 16 == release.variables
    assert set(names) == set(release.fields)
    for name in names:
        _check_targets(release.fields[name], store_columns)


def test_htcds_v2_every_field_is_mapped(data_dir: Path, store_columns: set[str]) -> None:
    fields = htcds_fields(data_dir)
    mapped = htcds_field_map()["htcds_v2"].fields
    assert len(fields) == 84  # org 10, prs 25, vic 16, per 3, cas 13, cco 1, hte 10, spl 5, con 1
    assert {f.name for f in fields} == set(mapped)
    for field in fields:
        entry = mapped[field.name]
        assert entry.deprecated == (field.status == "DEPRECATED"), field.name
        if not entry.deprecated:
            assert entry.to, f"{field.name} is mapped to nothing"
        _check_targets(entry, store_columns)


def test_htcds_names_are_in_the_model_descriptions() -> None:
    maps = htcds_field_map()
    for entry in [*maps["htcds_v2"].fields.values(), *maps["htcds_v1"].fields.values()]:
        if entry.deprecated:
            continue
        for target in entry.to:
            table, column = target.split(".")
            model = tables()[table].model
            description = model.model_fields[column].description or ""
            assert entry.name in description, f"{target} does not name {entry.name}"


def test_htcds_v1_consent_fields_are_mapped(data_dir: Path, store_columns: set[str]) -> None:
    consent = [f.name for f in htcds_fields(data_dir, "1.0") if f.name.startswith("con_")]
    maps = htcds_field_map()
    assert len(consent) == 5
    for name in consent:
        entry = maps["htcds_v1"].lookup(name) or maps["htcds_v2"].lookup(name)
        assert entry is not None, name
        _check_targets(entry, store_columns)


def test_htcds_picklists_are_category_lists(data_dir: Path) -> None:
    """Each HTCDS picklist mapped to a coded column has all its value names in that list."""
    categories = load_categories()
    mapped = htcds_field_map()["htcds_v2"].fields
    checked = 0
    for field in htcds_fields(data_dir):
        entry = mapped[field.name]
        if not field.values or entry.deprecated:
            continue
        list_name = _list_of(entry.to[0], dict(entry.with_values))
        assert list_name is not None, f"{field.name} is a picklist but {entry.to[0]} holds no codes"
        missing = set(field.values) - categories.codes(list_name)
        assert not missing, f"{field.name}: {sorted(missing)} not in list {list_name}"
        checked += 1
    assert checked >= 18
