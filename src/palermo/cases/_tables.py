"""Arrow tables in and out of the case model: shaping incoming tables, records to tables and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.cases._models import PARTS, CaseRecord, TableModel
from palermo.cases._schema import CASE_COLUMN, DATASET_COLUMN, Table, tables
from palermo.errors import Problem

ROW = "_row"
"""Column added to incoming tables while they are checked: the 0-based row number."""


def prepare(incoming: Mapping[str, pa.Table], dataset_id: str) -> tuple[dict[str, pa.Table], list[Problem]]:
    """Shape each incoming table to its table's columns and types.

    Missing nullable columns are filled with nulls, missing list columns with empty lists, missing
    flag columns with their default; null list values become empty lists; ``dataset_id`` is filled
    in (or, when given, must equal ``dataset_id``). Returns the shaped tables (with a ``_row``
    column) and the structural problems found: unknown table or column, missing required column,
    a column that cannot be read as its type.
    """
    specs = tables()
    problems: list[Problem] = []
    shaped: dict[str, pa.Table] = {}
    for name, data in incoming.items():
        spec = specs.get(name)
        if spec is None:
            problems.append(Problem(None, name, f"unknown table; expected one of {', '.join(specs)}"))
            continue
        table, found = _shape(spec, data, dataset_id)
        problems.extend(found)
        if not found:
            shaped[name] = table
    return shaped, problems


def _shape(spec: Table, data: pa.Table, dataset_id: str) -> tuple[pa.Table, list[Problem]]:
    problems: list[Problem] = []
    n = data.num_rows
    for name in data.column_names:
        if name not in spec.column_names:
            problems.append(Problem(None, f"{spec.name}.{name}", "unknown column"))
    arrays: list[pa.Array] = []
    for col in spec.columns:
        field = f"{spec.name}.{col.name}"
        if col.name == DATASET_COLUMN:
            if col.name in data.column_names and n:
                given = data.column(col.name)
                if not pc.all(pc.equal(given, pa.scalar(dataset_id))).as_py():
                    problems.append(Problem(None, field, "must be empty or equal the dataset_id of the load"))
            arrays.append(constant(dataset_id, n, pa.string()))
            continue
        if col.name not in data.column_names:
            if not col.nullable and not col.has_default:
                problems.append(Problem(None, field, "required column is missing"))
                arrays.append(pa.nulls(n, col.arrow_type))
            elif col.has_default:
                arrays.append(constant(col.default, n, col.arrow_type))
            else:
                arrays.append(pa.nulls(n, col.arrow_type))
            continue
        raw = _one_chunk(data.column(col.name))
        if pa.types.is_dictionary(raw.type) and raw.type.value_type != col.arrow_type:
            raw = raw.dictionary_decode()
        try:
            array = raw.cast(col.arrow_type) if _arrow_type(raw.type) != col.arrow_type else raw
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            problems.append(Problem(None, field, f"cannot be read as {col.sql_type}"))
            arrays.append(pa.nulls(n, col.arrow_type))
            continue
        if col.is_list and array.null_count:
            array = _nulls_as_empty(array)
        arrays.append(array)
    arrays.append(pa.array(np.arange(n, dtype=np.int64)))
    names = [*spec.column_names, ROW]
    return pa.Table.from_arrays(arrays, names=names), problems


def constant(value: Any, n: int, type: pa.DataType) -> pa.Array:
    """``value`` ``n`` times, built by Arrow (an empty list: offsets only, no Python list of n items)."""
    if pa.types.is_list(type) and value == []:
        return pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], type.value_type)
        )
    if pa.types.is_string(type):  # a one-entry dictionary: n small indices, not n copies of the text
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], type))
    result: pa.Array = pc.take(pa.array([value], type), pa.array(np.zeros(n, dtype=np.int32)))
    return result


def _arrow_type(type: pa.DataType) -> pa.DataType:
    """The type of the values (a dictionary of text counts as text: DuckDB reads it as such)."""
    return type.value_type if pa.types.is_dictionary(type) else type


def _one_chunk(values: pa.ChunkedArray) -> pa.Array:
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def _nulls_as_empty(array: pa.Array) -> pa.Array:
    """A list array whose null lists become empty lists."""
    offsets = np.asarray(array.offsets)
    lengths = np.diff(offsets)
    null = np.asarray(array.is_null())
    if not lengths[null].any():  # null slots hold no elements (what Arrow writers produce): keep the buffers
        return pa.ListArray.from_arrays(pa.array(offsets), array.values)
    result: pa.Array = pc.if_else(pc.is_null(array), pa.scalar([], type=array.type), array)
    return result


def record_tables(record: CaseRecord, dataset_id: str) -> dict[str, pa.Table]:
    """The rows of one record, as one Arrow table per case-model table (empty tables included)."""
    return records_tables([record], dataset_id)


def records_tables(records: Iterable[CaseRecord], dataset_id: str) -> dict[str, pa.Table]:
    """The rows of many records, one Arrow table per case-model table, in record order."""
    rows: dict[str, list[dict[str, Any]]] = {spec.name: [] for spec in tables().values()}
    for record in records:
        case_id = record.case.case_id
        for part, model in PARTS.items():
            value = getattr(record, part)
            items: list[TableModel] = [value] if part == "case" else list(value)
            for item in items:
                row = item.model_dump()
                if model.in_case:
                    row[CASE_COLUMN] = case_id
                row[DATASET_COLUMN] = dataset_id
                rows[model.table].append(row)
    return {
        spec.name: pa.Table.from_pylist(rows[spec.name], schema=spec.schema) for spec in tables().values()
    }


def models_from(spec: Table, rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Models from stored rows of ``spec`` (case_id and dataset_id are dropped)."""
    drop = {CASE_COLUMN, DATASET_COLUMN} if spec.model.in_case else {DATASET_COLUMN}
    return [spec.model.model_validate({k: v for k, v in row.items() if k not in drop}) for row in rows]
