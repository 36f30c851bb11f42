"""From mapped columns to ``aggregate_statistics`` rows (``target: aggregates``, e.g. UNODC GLOTIP).

A suppressed cell stays suppressed: ``value`` NULL, ``suppressed`` true and ``suppressed_below`` the
marker's threshold (``<5`` -> 5), never a zero and never a missing value.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.ingest._countries import _codes
from palermo.ingest._records import Shaped
from palermo.ingest._spec import Mapping
from palermo.ingest._transforms import Mapped
from palermo.ingest._values import Rules, repeat

_DEFAULTS = {
    "dimension": "Total",
    "category": "Total",
    "sex": "total",
    "age_group": "total",
    "unit": "Counts",
}
_REQUIRED = ("indicator", "year")
_TEXT_COLUMNS = (
    "area_code", "area_name", "region", "subregion", "indicator", "indicator_label", "dimension", "category",
    "category_concept", "category_country", "sex", "age_group", "unit", "publisher_source", "published_value",
)  # fmt: skip


def shape_aggregates(mapping: Mapping, mapped: list[Mapped], stat_ids: pa.Array, rules: Rules) -> Shaped:
    """The ``aggregate_statistics`` rows of a batch's good rows (without provenance columns)."""
    n = len(stat_ids)
    problems = [(mask, m.spec.label, rule) for m in mapped for mask, rule in m.rules]
    problems += [(mask, "record", rule) for mask, rule in rules]
    columns: dict[str, pa.Array] = {}
    for m in mapped:
        name = m.spec.target.column.name if m.spec.target.column is not None else ""
        values = pc.coalesce(columns[name], m.values) if name in columns else m.values
        columns[name] = values
        if name == "indicator" and m.text is not None:
            columns["indicator_label"] = m.text
        columns.update(m.extra)
    for name, value in mapping.constants.items():
        columns[name.split(".")[-1]] = repeat(value, n)
    for name in _REQUIRED:
        missing = np.asarray(pc.is_null(columns.get(name, pa.nulls(n))).to_numpy(zero_copy_only=False))
        if missing.any():
            problems.append((missing, f"aggregate_statistics.{name}", "required, and empty or unmapped"))
    if "value" not in columns:
        problems.append(
            (np.ones(n, dtype=bool), "aggregate_statistics.value", "required: no column holds the count")
        )
    bad = np.zeros(n, dtype=bool)
    for mask, _, _ in problems:
        bad |= mask
    keep = pa.array(~bad)
    out: dict[str, pa.Array] = {"stat_id": pc.filter(stat_ids, keep)}
    m_rows = int((~bad).sum())
    for name in _TEXT_COLUMNS:
        values = columns.get(name)
        if values is None:
            values = repeat(_DEFAULTS.get(name), n, pa.string())
        elif name in _DEFAULTS:
            values = pc.fill_null(values, _DEFAULTS[name])
        out[name] = pc.filter(values.cast(pa.string()), keep)
    out["indicator_label"] = pc.coalesce(out["indicator_label"], out["indicator"])
    out["year"] = pc.filter(columns.get("year", pa.nulls(n, pa.int32())).cast(pa.int32()), keep)
    out["value"] = pc.filter(columns.get("value", pa.nulls(n, pa.int64())).cast(pa.int64()), keep)
    out["suppressed"] = pc.filter(columns.get("suppressed", repeat(False, n, pa.bool_())), keep)
    out["suppressed_below"] = pc.filter(columns.get("suppressed_below", pa.nulls(n, pa.int32())), keep)
    out["area_is_country"] = pc.fill_null(
        pc.is_in(out["area_code"], value_set=pa.array(sorted(_codes()[1]))), False
    )
    out["standard"] = pa.array([mapping.standard or mapping.name] * m_rows, pa.string())
    return Shaped({"aggregate_statistics": pa.table(out)}, problems, ~bad)
