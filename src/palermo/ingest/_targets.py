"""What a mapping may write to: the case model's columns (read from its public models) and the
aggregate-statistics table.

Target paths, as written in a mapping's ``to:``::

    cases.<column>  persons.<column>  person_identities.<column>  case_victims.<column>
    consents.<column>  perpetrators.<column>            one row per record (perpetrators: one row
                                                        summarising every perpetrator, when any value)
    journey_events.<Recruitment|Transit|Exploitation>.<column>   one event of that type per record
    journey_events.<type>.location_organisation         the name of a place or organisation (HTCDS
                                                        vic_LocationOf…): its organisation row is created
    referrals.<incoming|outgoing>.<column>              one referral each way per record
    referrals.<incoming|outgoing>.organisation          an organisation's name: its row is created
    person_identities.full_name                         one cell split into given and family name
    case_exploitation  case_means_of_control  case_trafficker_relations
                                                        each value (or flag) becomes a row
    aggregate_statistics.<column>                       with ``target: aggregates``

Keys, references and ``dataset_id`` are filled in by the ingest, never mapped.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Union

from palermo.cases import PARTS_MODELS

ROW_TABLES = ("case_exploitation", "case_means_of_control", "case_trafficker_relations")
RECORD_TABLES = ("cases", "persons", "person_identities", "case_victims", "consents", "perpetrators")
EVENT_TYPES = ("Recruitment", "Transit", "Exploitation")
DIRECTIONS = ("incoming", "outgoing")
AGGREGATES = "aggregate_statistics"

# Filled in by the ingest: never a mapping's target.
_AUTOMATIC = {
    "case_id", "person_id", "organisation_id", "perpetrator_id", "referral_id", "sequence",
    "event_type", "direction", "dataset_id", "is_group",
}  # fmt: skip
_ROW_CODE_LIST = {
    "case_means_of_control": "means_of_control",
    "case_trafficker_relations": "relationship_to_trafficker",
}


@dataclass(frozen=True)
class Column:
    """One column a value can be written to."""

    table: str
    name: str
    dtype: str  # text | int | float | bool | date
    is_list: bool = False
    coded: str | None = None  # category list the value (or each element) must come from
    bounds: tuple[float, float] | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class Target:
    """A parsed ``to:`` path."""

    path: str
    table: str
    column: Column | None = None  # None for a row table
    qualifier: str | None = None  # journey event type, or referral direction
    special: str | None = None  # "full_name" or "organisation"

    @property
    def is_rows(self) -> bool:
        return self.table in ROW_TABLES

    @property
    def group(self) -> str:
        """Which output row the value lands in: a table, a journey event or a referral direction."""
        return f"{self.table}.{self.qualifier}" if self.qualifier else self.table

    def code_list(self, category: str | None = None) -> str | None:
        """The category list a value of this target is coded in."""
        if self.table == "case_exploitation":
            return category
        if self.table in _ROW_CODE_LIST:
            return _ROW_CODE_LIST[self.table]
        return self.column.coded if self.column is not None else None


def _column(table: str, name: str, annotation: Any, metadata: list[Any]) -> Column:
    is_list = False
    if typing.get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is list:
        is_list = True
        (annotation,) = typing.get_args(annotation)
    dtype = {str: "text", int: "int", float: "float", bool: "bool", dt.date: "date"}.get(annotation, "text")
    coded = next((m.name for m in metadata if type(m).__name__ == "Coded"), None)
    bounds = next(((float(m.low), float(m.high)) for m in metadata if type(m).__name__ == "Bounds"), None)
    sensitive = any(type(m).__name__ == "Sensitive" for m in metadata)
    return Column(table, name, dtype, is_list, coded, bounds, sensitive)


@cache
def case_columns() -> dict[str, dict[str, Column]]:
    """Every mappable column of the case model, by table then column name."""
    found: dict[str, dict[str, Column]] = {}
    for model in PARTS_MODELS.values():
        table = str(model.table)
        found[table] = {
            name: _column(table, name, info.annotation, list(info.metadata))
            for name, info in model.model_fields.items()
            if name not in _AUTOMATIC
        }
    return found


AGGREGATE_COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column(AGGREGATES, "area_code", "text"),
        Column(AGGREGATES, "area_name", "text"),
        Column(AGGREGATES, "region", "text"),
        Column(AGGREGATES, "subregion", "text"),
        Column(AGGREGATES, "indicator", "text"),
        Column(AGGREGATES, "indicator_label", "text"),
        Column(AGGREGATES, "dimension", "text"),
        Column(AGGREGATES, "category", "text"),
        Column(AGGREGATES, "category_concept", "text"),
        Column(AGGREGATES, "category_country", "text", coded="country"),
        Column(AGGREGATES, "sex", "text"),
        Column(AGGREGATES, "age_group", "text"),
        Column(AGGREGATES, "year", "int", bounds=(1900, 2100)),
        Column(AGGREGATES, "unit", "text"),
        Column(AGGREGATES, "value", "int", bounds=(0, 1e15)),
        Column(AGGREGATES, "publisher_source", "text"),
    )
}
"""Columns of ``aggregate_statistics`` a mapping may fill (the rest are provenance and derived)."""


def parse_target(path: str, target_kind: str) -> Target | str:
    """The target a ``to:`` path names, or the rule it breaks."""
    parts = path.split(".")
    if target_kind == "aggregates":
        if len(parts) == 2 and parts[0] == AGGREGATES and parts[1] in AGGREGATE_COLUMNS:
            return Target(path, AGGREGATES, AGGREGATE_COLUMNS[parts[1]])
        return f"not a column of {AGGREGATES} ({', '.join(AGGREGATE_COLUMNS)})"
    columns = case_columns()
    if len(parts) == 1 and parts[0] in ROW_TABLES:
        return Target(path, parts[0])
    if parts[0] == "journey_events":
        if len(parts) != 3 or parts[1] not in EVENT_TYPES:
            return f"write journey_events.<{'|'.join(EVENT_TYPES)}>.<column>"
        if parts[2] == "location_organisation":
            return Target(path, "journey_events", None, qualifier=parts[1], special="organisation")
        col = columns["journey_events"].get(parts[2])
        return (
            Target(path, "journey_events", col, qualifier=parts[1])
            if col
            else "unknown journey_events column"
        )
    if parts[0] == "referrals":
        if len(parts) != 3 or parts[1] not in DIRECTIONS:
            return f"write referrals.<{'|'.join(DIRECTIONS)}>.<column>"
        if parts[2] == "organisation":
            return Target(path, "referrals", None, qualifier=parts[1], special="organisation")
        col = columns["referrals"].get(parts[2])
        return Target(path, "referrals", col, qualifier=parts[1]) if col else "unknown referrals column"
    if path == "person_identities.full_name":
        return Target(path, "person_identities", None, special="full_name")
    if len(parts) == 2 and parts[0] in RECORD_TABLES:
        col = columns[parts[0]].get(parts[1])
        if col is None:
            return f"unknown column of {parts[0]} (or one the ingest fills in itself)"
        return Target(path, parts[0], col)
    tables = ", ".join([*RECORD_TABLES, "journey_events.<type>", "referrals.<direction>", *ROW_TABLES])
    return f"not a target of the case model ({tables})"
