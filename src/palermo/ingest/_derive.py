"""Derived fields: values computed from other targets once the columns are mapped.

``year_of``      the year of a date (registration year from the registration date)
``age_between``  whole years from a date of birth to a later date (age at identification)
``age_band``     the band an age falls in (CTDC ageBroad bands unless the mapping lists its own)
``majority``     Minor below 18, else Adult
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.ingest._spec import Derived, Mapping


def _ints(values: pa.Array) -> NDArray[Any]:
    """An integer column as float64 numpy, nulls as NaN."""
    return np.asarray(values.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _years_between(birth: pa.Array, at: pa.Array) -> NDArray[Any]:
    def parts(dates: pa.Array) -> tuple[NDArray[Any], NDArray[Any]]:
        year = _ints(pc.year(dates))
        month_day = _ints(pc.month(dates)) * 100 + _ints(pc.day(dates))
        return year, month_day

    y1, md1 = parts(birth)
    y2, md2 = parts(at)
    years: NDArray[Any] = y2 - y1 - (md2 < md1)
    return years


def _one(rule: Derived, columns: dict[str, pa.Array], n: int) -> tuple[pa.Array, NDArray[Any], str]:
    """The derived values, the rows whose result breaks the target's range, and that rule."""
    sources = [columns.get(s, pa.nulls(n)) for s in rule.sources]
    outside = np.zeros(n, dtype=bool)
    bounds = rule.target.column.bounds if rule.target.column is not None else None
    if rule.rule == "year_of":
        return pc.cast(pc.year(sources[0].cast(pa.date32())), pa.int32()), outside, ""
    if rule.rule == "age_between":
        years = _years_between(sources[0].cast(pa.date32()), sources[1].cast(pa.date32()))
        values = years
    else:
        values = _ints(sources[0])
    known = ~np.isnan(values)
    if rule.rule == "age_between":
        low, high = bounds if bounds is not None else (0.0, 130.0)
        outside = known & ((values < low) | (values > high))
        ints = np.where(known & ~outside, values, 0).astype(np.int32)
        result = pa.array(ints, pa.int32(), mask=~(known & ~outside))
        return result, outside, f"derived age must lie between {low:g} and {high:g} (check both dates)"
    if rule.rule == "majority":
        labels = np.where(values < 18, "Minor", "Adult").astype(object)
        outside = known & (values < 0)
        return (
            pa.array(labels, pa.string(), mask=~known | outside),
            outside,
            "an age below 0 has no majority status",
        )
    codes = np.full(n, None, dtype=object)
    for low_band, high_band, code in rule.bands:
        inside = known & (values >= low_band) & ((values <= high_band) if high_band is not None else True)
        codes[inside & (codes == None)] = code  # noqa: E711 (numpy element-wise comparison)
    outside = known & (codes == None)  # noqa: E711
    return pa.array(codes, pa.string()), outside, "the age falls in none of the mapping's bands"


def derive(
    mapping: Mapping, columns: dict[str, pa.Array], n: int
) -> tuple[dict[str, pa.Array], list[tuple[NDArray[Any], str, str]]]:
    """Every derived target of ``mapping`` (in order, so one may read another) and the rows breaking a rule."""
    found: dict[str, pa.Array] = {}
    problems: list[tuple[NDArray[Any], str, str]] = []
    available = dict(columns)
    for rule in mapping.derived:
        values, outside, message = _one(rule, available, n)
        available[rule.target.path] = values
        found[rule.target.path] = values
        if outside.any():
            problems.append((outside, f"derived -> {rule.target.path}", message))
    return found, problems
