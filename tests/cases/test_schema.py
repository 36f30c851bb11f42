"""The SQL tables (migration 0002), the models and the documented Arrow columns agree."""

from __future__ import annotations

import re

import pytest

from palermo.cases import TABLE_NAMES, CasesNamespace, Person, load_categories
from palermo.cases._schema import tables
from palermo.workspace import Workspace

IDENTIFYING = {
    "salutation", "given_name", "middle_name", "family_name", "birth_date", "identity_number",
    "document_numbers", "title", "email", "home_phone", "mobile_phone", "mailing_street", "mailing_city",
    "mailing_state", "mailing_postal_code", "mailing_longitude", "mailing_latitude",
}  # fmt: skip


def test_sql_columns_match_the_models(workspace: Workspace) -> None:
    for spec in tables().values():
        rows = workspace.store.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [spec.name],
        ).fetchall()
        expected = [(c.name, c.sql_type, "YES" if c.nullable else "NO") for c in spec.columns]
        assert [r[:3] for r in rows] == expected, spec.name
        for (name, _, _, default), col in zip(rows, spec.columns, strict=True):
            if col.is_list:
                assert default == "list_value()", f"{spec.name}.{name}"
            elif col.has_default:
                assert default == str(col.default).upper() or default == str(col.default).lower()


def test_keys_and_comments(workspace: Workspace) -> None:
    """organisations keeps its primary key; the tables that grow with every record keep their keys
    without an index (migration 0007: palermo.cases checks them on write), key columns NOT NULL."""
    for spec in tables().values():
        keys = workspace.store.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
            [spec.name],
        ).fetchall()
        expected = [spec.key] if spec.name == "organisations" else []
        assert [tuple(k[0]) for k in keys] == expected, spec.name
        nullable = dict(
            workspace.store.execute(
                "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = ?",
                [spec.name],
            ).fetchall()
        )
        assert all(nullable[k] == "NO" for k in spec.key), spec.name
        comment = workspace.store.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = ?", [spec.name]
        ).fetchall()
        assert comment[0][0], f"{spec.name} has no comment"


def test_every_row_carries_its_dataset(workspace: Workspace) -> None:
    for name in TABLE_NAMES:
        nullable = workspace.store.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = ? AND column_name = 'dataset_id'",
            [name],
        ).fetchall()
        assert nullable == [("NO",)], name


def test_docstring_documents_every_arrow_column() -> None:
    doc = CasesNamespace.__doc__ or ""
    documented: dict[str, list[str]] = {}
    for match in re.finditer(r"- ``(\w+)``: (.*?)(?=\n    - ``|\n\n)", doc, flags=re.S):
        text = re.sub(r"\([^)]*\)", "", match.group(2))
        documented[match.group(1)] = [c.strip() for c in text.replace("\n", " ").split(",") if c.strip()]
    assert list(documented) == list(TABLE_NAMES)
    for spec in tables().values():
        required = {c.name for c in spec.columns if not c.nullable and not c.has_default} - {"dataset_id"}
        names = [c.rstrip("*") for c in documented[spec.name]]
        starred = {c.rstrip("*") for c in documented[spec.name] if c.endswith("*")}
        assert names == [c for c in spec.column_names if c != "dataset_id"], spec.name
        assert starred == required, spec.name


def test_identifying_fields_are_only_in_identities() -> None:
    assert not IDENTIFYING & set(Person.model_fields)
    for spec in tables().values():
        if spec.name != "person_identities":
            assert not IDENTIFYING & set(spec.column_names), spec.name
    identities = tables()["person_identities"]
    assert set(identities.column_names) >= IDENTIFYING
    assert all(identities.column(c).sensitive for c in IDENTIFYING)


def test_every_category_list_is_used_and_exists() -> None:
    used: set[str] = set()
    for spec in tables().values():
        for col in spec.columns:
            if col.coded is not None:
                used.add(col.coded.name)
            if col.coded_by is not None:
                used.update(col.coded_by.lists)
    assert used == set(load_categories().lists)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_keys_are_required(name: str) -> None:
    spec = tables()[name]
    assert all(not spec.column(k).nullable for k in spec.key)
