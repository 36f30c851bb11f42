"""Table specifications derived from the models: column names, Arrow and SQL types, keys, rules.

The SQL migration ``store/migrations/0002_case_model.sql`` creates the same tables; a test checks
that the two agree column by column.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union

import pyarrow as pa
from pydantic.fields import FieldInfo

from palermo.cases._annotations import Bounds, Coded, CodedBy, Ref, Sensitive
from palermo.cases._models import PARTS, TableModel

DATASET_COLUMN = "dataset_id"
CASE_COLUMN = "case_id"


@dataclass(frozen=True)
class Column:
    """One column of a case-model table."""

    name: str
    arrow_type: pa.DataType
    sql_type: str
    nullable: bool
    default: Any = None  # the value a missing column is filled with (only for NOT NULL columns)
    coded: Coded | None = None
    coded_by: CodedBy | None = None
    ref: Ref | None = None
    bounds: Bounds | None = None
    sensitive: bool = False

    @property
    def is_list(self) -> bool:
        return bool(pa.types.is_list(self.arrow_type))

    @property
    def has_default(self) -> bool:
        return self.default is not None


@dataclass(frozen=True)
class Table:
    """One case-model table: its model, columns in order, and key."""

    name: str
    model: type[TableModel]
    part: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns])


_SCALARS: dict[type, tuple[pa.DataType, str]] = {
    str: (pa.string(), "VARCHAR"),
    int: (pa.int32(), "INTEGER"),
    float: (pa.float64(), "DOUBLE"),
    bool: (pa.bool_(), "BOOLEAN"),
    dt.date: (pa.date32(), "DATE"),
}


def _types(annotation: Any) -> tuple[pa.DataType, str, bool]:
    """Arrow type, SQL type and nullability of a (metadata-stripped) annotation."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        arrow, sql, _ = _types(args[0])
        return arrow, sql, True
    if origin is list:
        (inner,) = typing.get_args(annotation)
        arrow, sql, _ = _types(inner)
        return pa.list_(arrow), f"{sql}[]", False
    if origin is Literal:
        return pa.string(), "VARCHAR", False
    if annotation in _SCALARS:
        arrow, sql = _SCALARS[annotation]
        return arrow, sql, False
    raise TypeError(f"unsupported annotation {annotation!r}")


def _column(name: str, info: FieldInfo) -> Column:
    arrow, sql, nullable = _types(info.annotation)
    meta = info.metadata
    default: Any = None
    if not nullable:
        if pa.types.is_list(arrow):
            default = []
        elif isinstance(info.default, bool):
            default = info.default
    return Column(
        name=name,
        arrow_type=arrow,
        sql_type=sql,
        nullable=nullable,
        default=default,
        coded=next((m for m in meta if isinstance(m, Coded)), None),
        coded_by=next((m for m in meta if isinstance(m, CodedBy)), None),
        ref=next((m for m in meta if isinstance(m, Ref)), None),
        bounds=next((m for m in meta if isinstance(m, Bounds)), None),
        sensitive=any(isinstance(m, Sensitive) for m in meta),
    )


def _table(part: str, model: type[TableModel]) -> Table:
    columns: list[Column] = []
    if model.in_case:
        columns.append(
            Column(CASE_COLUMN, pa.string(), "VARCHAR", nullable=False, ref=Ref("cases", CASE_COLUMN))
        )
    columns.extend(_column(name, info) for name, info in model.model_fields.items())
    columns.append(Column(DATASET_COLUMN, pa.string(), "VARCHAR", nullable=False))
    return Table(model.table, model, part, tuple(columns), model.key)


@cache
def tables() -> dict[str, Table]:
    """Every case-model table by name, parents before children."""
    return {model.table: _table(part, model) for part, model in PARTS.items()}


def table(name: str) -> Table:
    return tables()[name]
