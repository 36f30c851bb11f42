"""Turn one source column into its target's values, column at a time, collecting broken rules.

Each type has a function from one written value to (result, rule broken or None); it runs once per
distinct value (:func:`palermo.ingest._values.unique_map`). Rules name what is wrong, never the value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.ingest._codes import CodeBook, fold, norm
from palermo.ingest._countries import KOSOVO, CountryResolver
from palermo.ingest._spec import FieldSpec, Mapping
from palermo.ingest._targets import AGGREGATES
from palermo.ingest._values import Rules, clean, rebuild, restrict, rows_of, split, unique_map

Fn = Callable[[str], tuple[Any, str | None]]
Normalise = Callable[[str, str | None], str | None]
_WHOLE = re.compile(r"^[+-]?\d+$")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_GUARD = "\x1d"
UNKNOWN_VALUE = "value not known for this column (add it to the mapping's values)"


@dataclass
class Context:
    """What the transforms of one run share: the mapping, the codes and the caches."""

    mapping: Mapping
    book: CodeBook
    normalise: Normalise
    resolvers: dict[str | None, CountryResolver] = field(default_factory=dict)
    memo: dict[int, dict[str, tuple[Any, str | None]]] = field(
        default_factory=dict
    )  # per spec, across batches

    def countries(self, lang: str | None) -> CountryResolver:
        if lang not in self.resolvers:
            self.resolvers[lang] = CountryResolver(lang, self.mapping.country_overrides)
        return self.resolvers[lang]


@dataclass
class Mapped:
    """One spec's output over a batch: values (typed for the target), extra outputs, broken rules."""

    spec: FieldSpec
    values: pa.Array
    rules: Rules
    extra: dict[str, pa.Array] = field(default_factory=dict)
    text: pa.Array | None = None  # the cleaned text as written (aggregates keep it as the label)


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """The Arrow type of one value of ``spec`` (elements, for a list target)."""
    if spec.type == "flag" and (spec.target.is_rows or (spec.target.column and spec.target.column.is_list)):
        return pa.int8()  # 1 present, 0 absent
    return {
        "integer": pa.int32(), "number": pa.float64(), "date": pa.date32(), "boolean": pa.bool_(),
        "flag": pa.bool_(), "count": pa.int64(),
    }.get(spec.type, pa.string())  # fmt: skip


def apply(spec: FieldSpec, raw: pa.Array, when: NDArray[Any] | None, ctx: Context) -> Mapped:
    """Map one column of a batch through ``spec``."""
    missing = spec.missing if spec.missing is not None else ctx.mapping.missing
    values = restrict(clean(raw, missing), when)
    n = len(values)
    if spec.type == "name":
        return _names(spec, values)
    if spec.type == "count":
        return _counts(spec, values)
    if spec.type == "text" and spec.separator is None:
        return Mapped(spec, values, [], text=values)  # the cleaned text is the value: no per-value work
    fn = _memoised(spec, ctx)
    out_type = arrow_type(spec)
    if spec.type == "date" and not spec.year_offset:
        _prefill_dates(spec, values, ctx.memo.setdefault(id(spec), {}))
    if spec.separator is None:
        mapped, rules = unique_map(values, fn, out_type)
        return Mapped(spec, mapped, rules, text=values)
    guarded = values
    for text in spec.joined:  # a value that holds the separator itself stays whole
        guarded = pc.replace_substring(guarded, text, text.replace(spec.separator, _GUARD))
    lists = split(guarded, spec.separator, missing)
    parents = pc.list_parent_indices(lists)
    elements = pc.list_flatten(lists)
    if spec.joined:
        elements = pc.replace_substring(elements, _GUARD, spec.separator)
    flat, flat_rules = unique_map(elements, fn, out_type)
    rules = [(rows_of(parents, mask, n), rule) for mask, rule in flat_rules]
    keep = pc.is_valid(flat)
    return Mapped(spec, rebuild(n, pc.filter(parents, keep), pc.filter(flat, keep)), rules)


def _memoised(spec: FieldSpec, ctx: Context) -> Fn:
    """The spec's function, each value's answer kept for the next batches of the run."""
    fn = _function(spec, ctx)
    memo = ctx.memo.setdefault(id(spec), {})

    def cached(text: str) -> tuple[Any, str | None]:
        found = memo.get(text)
        if found is None:
            found = memo[text] = fn(text)
        return found

    return cached


def _prefill_dates(spec: FieldSpec, values: pa.Array, memo: dict[str, tuple[Any, str | None]]) -> None:
    """Parse the distinct dates not seen yet with Arrow, keeping those that format back to the very
    same text (Arrow rolls 31/02 over into March: those, and the rest, go the strict Python way)."""
    distinct = pc.unique(values.drop_null())
    if len(distinct) == 0:
        return
    fresh = pc.filter(distinct, pc.invert(pc.is_in(distinct, value_set=pa.array(list(memo), pa.string()))))
    fmt = spec.formats[0]
    parsed = pc.strptime(fresh, format=fmt, unit="s", error_is_null=True)
    back = pc.strftime(parsed, format=fmt)
    years = pc.year(parsed)
    ok = pc.and_(pc.equal(back, fresh), pc.and_(pc.greater_equal(years, 1900), pc.less_equal(years, 2100)))
    good = pc.fill_null(ok, False)
    dates = pc.cast(pc.filter(parsed, good), pa.date32()).to_pylist()
    for text, day in zip(pc.filter(fresh, good).to_pylist(), dates, strict=True):
        memo[text] = (day, None)


def _function(spec: FieldSpec, ctx: Context) -> Fn:
    if spec.type in ("flag", "boolean"):
        return _flag(spec)
    if spec.type == "integer":
        return _number(spec, whole=True)
    if spec.type == "number":
        return _number(spec, whole=False)
    if spec.type == "date":
        return _date(spec)
    if spec.type == "country":
        return _country(spec, ctx)
    if spec.type in ("code", "age_band"):
        return _code(spec, ctx)
    return lambda text: (text, None)


def _flag(spec: FieldSpec) -> Fn:
    assert spec.flag is not None
    convention = spec.flag
    as_int = arrow_type(spec) == pa.int8()
    rule = f"not a flag value ({convention.describe()})"

    def fn(text: str) -> tuple[Any, str | None]:
        key = norm(text)
        if key in convention.present:
            return (1 if as_int else True), None
        if key in convention.absent:
            return (0 if as_int else False), None
        return None, rule

    return fn


def _number(spec: FieldSpec, *, whole: bool) -> Fn:
    low, high = spec.bounds if spec.bounds is not None else (None, None)
    outside = f"must lie between {low:g} and {high:g}" if low is not None and high is not None else ""

    def fn(text: str) -> tuple[Any, str | None]:
        bare = text.replace(spec.thousands, "") if spec.thousands else text
        if whole:
            if not _WHOLE.match(bare):
                return None, "not a whole number"
            value: float = int(bare)
        else:
            try:
                value = float(bare)
            except ValueError:
                return None, "not a number"
        if low is not None and high is not None and not low <= value <= high:
            return None, outside
        return value, None

    return fn


def _date(spec: FieldSpec) -> Fn:
    formats = tuple(dict.fromkeys((*spec.formats, "%Y-%m-%d")))
    wrong = f"not a date in the format {' or '.join(spec.formats)}"

    def fn(text: str) -> tuple[Any, str | None]:
        written = text
        if spec.year_offset:
            years = _YEAR.findall(text)
            if len(years) != 1:
                return None, wrong
            written = _YEAR.sub(str(int(years[0]) - spec.year_offset), text)
        for fmt in formats:
            try:
                parsed = dt.datetime.strptime(written, fmt).date()
            except ValueError:
                continue
            if not 1900 <= parsed.year <= 2100:
                return None, "date outside the years 1900-2100"
            return parsed, None
        return None, wrong

    return fn


def _country(spec: FieldSpec, ctx: Context) -> Fn:
    resolver = ctx.countries(spec.lang)
    allowed = ctx.book.codes("country")
    aggregates = spec.target.table == AGGREGATES

    def fn(text: str) -> tuple[Any, str | None]:
        key = norm(text)
        if key in spec.values:
            return spec.values[key], None
        code = resolver(text)
        if code is None:
            if spec.on_unknown == "empty":
                return None, None
            return None, "matches no country (ISO 3166 code or name, or a known variant)"
        if code not in allowed and not (aggregates and code == KOSOVO):
            return None, "names a place without an ISO 3166-1 alpha-3 code (set country_overrides)"
        return code, None

    return fn


def band(text: str) -> str:
    """An age band written ``0—8``, ``09 - 17`` or ``18-20``, as the case model writes it (``9--17``)."""
    bare = re.sub(r"\s+", "", text)
    bare = re.sub(r"[\u2012-\u2015\u2212]+|-+", "--", bare)
    return re.sub(r"(?<!\d)0+(\d)", r"\1", bare)


def _code(spec: FieldSpec, ctx: Context) -> Fn:
    folded = {fold(k): v for k, v in spec.values.items()}
    list_name = spec.code_list
    aggregates = spec.target.table == AGGREGATES
    document = ctx.mapping.document

    def fn(text: str) -> tuple[Any, str | None]:
        written = band(text) if spec.type == "age_band" else text
        for key, table in ((norm(written), spec.values), (fold(written), folded)):
            if key in table:
                return table[key], None
        if not aggregates and list_name is not None:
            code = ctx.book.lookup(list_name, written, document)
            if code is not None:
                return code, None
        if spec.normalise:
            concept = ctx.normalise(text, spec.lang)
            if concept is not None:
                code = (
                    concept if aggregates or list_name is None else ctx.book.concept_code(list_name, concept)
                )
                if code is not None:
                    return code, None
        if spec.on_unknown == "empty":
            return None, None
        return None, UNKNOWN_VALUE

    return fn


def _names(spec: FieldSpec, values: pa.Array) -> Mapped:
    """One cell holding a whole name: the first word and the rest."""
    parts = pc.split_pattern(pc.fill_null(values, ""), pattern=" ", max_splits=1)
    first = pc.list_element(parts, 0)
    rest = pc.binary_join(pc.list_slice(parts, 1), " ")

    def empty_to_null(a: pa.Array) -> pa.Array:
        result: pa.Array = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
        return result

    first, rest = empty_to_null(first), empty_to_null(rest)
    given, family = (first, rest) if spec.order == "given_first" else (rest, first)
    return Mapped(spec, values, [], {"given_name": given, "family_name": family})


def _counts(spec: FieldSpec, values: pa.Array) -> Mapped:
    """A published count: a whole number (thousands separators allowed), or a suppression marker."""

    def value_fn(text: str) -> tuple[Any, str | None]:
        if norm(text) in spec.suppressed:
            return None, None
        bare = text.replace(spec.thousands, "") if spec.thousands else text
        if not _WHOLE.match(bare) or int(bare) < 0:
            return None, "not a count (a whole number from 0, or a suppression marker)"
        return int(bare), None

    counts, rules = unique_map(values, value_fn, pa.int64())
    below, _ = unique_map(values, lambda t: (spec.suppressed.get(norm(t)), None), pa.int32())
    empty = np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False))
    rules.append((empty, "empty: neither a count nor a suppression marker"))
    extra = {"suppressed": pc.is_valid(below), "suppressed_below": below, "published_value": values}
    return Mapped(spec, counts, rules, extra)
