"""From mapped columns to the case model's tables: one case per source row.

Each row becomes a case held by the source organisation, with its victim (a person of its own:
``person_id`` = ``case_id``; finding the same person in two sources is linkage's job), the victim
context, and, where the mapping fills them: the identity, one perpetrators row summarising every
perpetrator (``is_group``), consent, an incoming and an outgoing referral, one journey event per
type (Recruitment, Transit, Exploitation, numbered in that order), and a row per exploitation type,
means of control and relationship, flags and lists merged (present wins over absent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.ingest._derive import derive
from palermo.ingest._spec import Mapping
from palermo.ingest._targets import EVENT_TYPES, ROW_TABLES
from palermo.ingest._transforms import Mapped
from palermo.ingest._values import Rules, constant, keep_rows, repeat

_PER_RECORD = ("cases", "persons", "person_identities", "case_victims", "consents", "perpetrators")


@dataclass
class Shaped:
    """A batch mapped to the case model: tables of its good rows, and the rules each row broke."""

    tables: dict[str, pa.Table]
    problems: list[tuple[NDArray[Any], str, str]]  # rows, field, rule
    good: NDArray[Any]
    organisations: dict[str, str] = field(default_factory=dict)  # referral organisation id -> name


def _scalar_columns(mapping: Mapping, mapped: list[Mapped], n: int) -> dict[str, pa.Array]:
    """Target path -> values, for every column-valued target (several writers under ``when`` merge)."""
    found: dict[str, pa.Array] = {}
    lists: dict[str, list[pa.Array]] = {}
    for m in mapped:
        target = m.spec.target
        if target.special == "full_name":
            for name in ("given_name", "family_name"):
                found[f"person_identities.{name}"] = m.extra[name]
            continue
        if target.is_rows:
            continue
        if m.spec.type == "flag" and target.column is not None and target.column.is_list:
            present = pc.equal(m.values, 1)
            codes = pc.if_else(
                pc.fill_null(present, False), pa.scalar(m.spec.code), pa.scalar(None, pa.string())
            )
            lists.setdefault(target.path, []).append(codes)
            continue
        if target.column is not None and target.column.is_list:
            lists.setdefault(target.path, []).append(m.values)
            continue
        found[target.path] = pc.coalesce(found[target.path], m.values) if target.path in found else m.values
    for path, parts in lists.items():
        found[path] = _concat_lists(parts, n)
    for path, value in mapping.constants.items():
        found[path] = (
            constant(value, n, pa.string())
            if isinstance(value, str)
            else repeat(value, n)
            if value is not None
            else pa.nulls(n)
        )
    return found


def _concat_lists(parts: list[pa.Array], n: int) -> pa.Array:
    """Per row, the elements of the list parts and the non-null values of the scalar parts, in order."""
    flats: list[pa.Array] = []
    parents: list[NDArray[Any]] = []
    for part in parts:
        if not pa.types.is_list(part.type):
            part = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), part)
        flat = pc.list_flatten(part)
        keep = pc.is_valid(flat)
        flats.append(pc.filter(flat, keep))
        parents.append(
            np.asarray(pc.filter(pc.list_parent_indices(part), keep).to_numpy(zero_copy_only=False))
        )
    parent = np.concatenate(parents)
    order = np.argsort(parent, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(parent, minlength=n))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pc.take(pa.concat_arrays(flats), pa.array(order)))


def shape(
    mapping: Mapping, mapped: list[Mapped], case_ids: pa.Array, organisation_id: str, rules: Rules
) -> Shaped:
    """The case-model tables of a batch's good rows (rows breaking none of ``rules`` or the mapped ones)."""
    n = len(case_ids)
    problems = [(mask, m.spec.label, rule) for m in mapped for mask, rule in m.rules]
    problems += [(mask, "record", rule) for mask, rule in rules]
    columns = _scalar_columns(mapping, mapped, n)
    derived, derived_problems = derive(mapping, columns, n)
    columns.update(derived)
    problems += derived_problems
    bad = np.zeros(n, dtype=bool)
    for mask, _, _ in problems:
        bad |= mask
    good = ~bad
    ids = keep_rows(case_ids, good)
    cols = {path: keep_rows(values, good) for path, values in columns.items()}
    tables = _record_tables(mapping, cols, ids, organisation_id)
    orgs = _referrals(cols, ids, organisation_id, tables)
    _journey(cols, ids, organisation_id, tables, orgs)
    _row_tables(mapped, good, case_ids, tables)
    return Shaped(tables, problems, good, orgs)


def _group(cols: dict[str, pa.Array], prefix: str) -> dict[str, pa.Array]:
    return {path[len(prefix) :]: values for path, values in cols.items() if path.startswith(prefix)}


def _any_value(arrays: dict[str, pa.Array], n: int) -> NDArray[Any]:
    present = np.zeros(n, dtype=bool)
    for values in arrays.values():
        if pa.types.is_list(values.type):
            present |= np.asarray(
                pc.greater(pc.list_value_length(values), 0).fill_null(False).to_numpy(zero_copy_only=False)
            )
        else:
            present |= np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False))
    return present


def _record_tables(
    mapping: Mapping, cols: dict[str, pa.Array], ids: pa.Array, org: str
) -> dict[str, pa.Table]:
    n = len(ids)
    tables: dict[str, pa.Table] = {}
    targeted = {path.split(".")[0] for path in cols} | {"cases", "persons", "case_victims"}
    for table in _PER_RECORD:
        if table not in targeted:
            continue
        data = _group(cols, f"{table}.")
        keys: dict[str, Any] = {}
        if table == "cases":
            keys = {"case_id": ids, "organisation_id": constant(org, n, pa.string())}
        elif table in ("persons", "person_identities"):
            keys = {"person_id": ids}
        elif table == "case_victims":
            keys = {"case_id": ids, "person_id": ids}
        elif table == "consents":  # filtered below: dictionaries over ids keep the text where it is
            keys = {"case_id": ids_at(ids, np.arange(n)), "person_id": ids_at(ids, np.arange(n))}
        elif table == "perpetrators":
            perpetrator_ids = pc.binary_join_element_wise(ids, "perpetrators", "/")
            keys = {"case_id": ids_at(ids, np.arange(n)), "perpetrator_id": perpetrator_ids}
            keys["is_group"] = repeat(True, n, pa.bool_())
        built = pa.table({**keys, **data}) if n else pa.table({**keys, **data}).slice(0, 0)
        if table in ("consents", "perpetrators"):
            built = built.filter(pa.array(_any_value(data, n)))
        tables[table] = built
    return tables


def _referrals(
    cols: dict[str, pa.Array], ids: pa.Array, org: str, tables: dict[str, pa.Table]
) -> dict[str, str]:
    parts: list[pa.Table] = []
    organisations: dict[str, str] = {}
    n = len(ids)
    for direction in ("incoming", "outgoing"):
        data = _group(cols, f"referrals.{direction}.")
        if not data:
            continue
        present = _any_value(data, n)
        names = data.pop("organisation", None)
        columns: dict[str, Any] = {
            "case_id": ids_at(ids, np.arange(n)),
            "referral_id": pc.binary_join_element_wise(ids, direction, "/"),
            "direction": constant(direction.capitalize(), n, pa.string()),
            **data,
        }
        if names is not None:
            columns["organisation_id"] = _organisation_ids(names, org, organisations)
        parts.append(pa.table(columns).filter(pa.array(present)))
    if parts:
        tables["referrals"] = pa.concat_tables(parts, promote_options="default")
    return organisations


def _organisation_ids(names: pa.Array, org: str, found: dict[str, str]) -> pa.Array:
    """Ids of organisations (or places) known by name: ``ORG/organisation/<slug>``; ``found`` collects
    id -> name for the rows of ``organisations`` to create."""
    ids: list[str | None] = []
    for name in names.to_pylist():
        if name is None:
            ids.append(None)
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", str(name).casefold()).strip("-") or "unnamed"
        ids.append(f"{org}/organisation/{slug}")
        found.setdefault(f"{org}/organisation/{slug}", str(name))
    return pa.array(ids, pa.string())


def _journey(
    cols: dict[str, pa.Array], ids: pa.Array, org: str, tables: dict[str, pa.Table], orgs: dict[str, str]
) -> None:
    n = len(ids)
    events: list[tuple[str, pa.Table, NDArray[Any]]] = []
    for event_type in EVENT_TYPES:
        data = _group(cols, f"journey_events.{event_type}.")
        if data:
            present = _any_value(data, n)
            names = data.pop("location_organisation", None)
            if names is not None:
                data["location_organisation_id"] = _organisation_ids(names, org, orgs)
            base = {"event_type": constant(event_type, n, pa.string())}
            events.append((event_type, pa.table({**base, **data}), present))
    if not events:
        return
    sequence = np.zeros(n, dtype=np.int32)
    parts = []
    rows = []
    for _, table, present in events:
        sequence = sequence + present.astype(np.int32)
        parts.append(
            table.append_column("sequence", pa.array(sequence, pa.int32())).filter(pa.array(present))
        )
        rows.append(np.flatnonzero(present))
    journey = pa.concat_tables(parts, promote_options="default")
    at = np.concatenate(rows)
    tables["journey_events"] = journey.append_column("case_id", ids_at(ids, at)).append_column(
        "person_id", ids_at(ids, at)
    )


def ids_at(ids: pa.Array, rows: NDArray[Any]) -> pa.Array:
    """``ids`` at ``rows``, as a dictionary over ``ids`` itself: no copy of the text, and the case
    model sees that every value is one of the load's own keys (it skips that reference check)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(rows, dtype=np.int32)), ids)


def _row_tables(
    mapped: list[Mapped], good: NDArray[Any], case_ids: pa.Array, tables: dict[str, pa.Table]
) -> None:
    """One row per (case, [category,] code): flags and list elements, duplicates merged (present
    wins over absent). Rows are numbered within the batch and each (category, code) pair by a small
    dictionary, so the merge is one numpy sort over integers."""
    pieces: dict[str, list[tuple[NDArray[Any], NDArray[Any], NDArray[Any]]]] = {}  # row, pair id, present
    pairs: dict[str, dict[tuple[str, str], int]] = {}  # per table: (category, code) -> pair id
    ids = keep_rows(case_ids, good)
    for m in mapped:
        target = m.spec.target
        if not target.is_rows:
            continue
        values = keep_rows(m.values, good)
        category = str(m.spec.category) if target.table == "case_exploitation" else ""
        known = pairs.setdefault(target.table, {})
        if m.spec.type == "flag":
            has = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False))
            rows = np.flatnonzero(has)
            pair = known.setdefault((category, str(m.spec.code)), len(known))
            codes = np.full(len(rows), pair, dtype=np.int64)
            present = np.asarray(pc.filter(values, pa.array(has)).to_numpy(zero_copy_only=False)) == 1
        else:
            if not pa.types.is_list(values.type):
                values = pa.ListArray.from_arrays(
                    pa.array(np.arange(len(values) + 1, dtype=np.int32)), values
                )
            flat = pc.list_flatten(values)
            valid = pc.is_valid(flat)
            rows = np.asarray(pc.filter(pc.list_parent_indices(values), valid).to_numpy(zero_copy_only=False))
            encoded = pc.dictionary_encode(pc.filter(flat, valid))
            local = np.array(
                [known.setdefault((category, code), len(known)) for code in encoded.dictionary.to_pylist()],
                dtype=np.int64,
            )
            codes = local[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
            present = np.ones(len(rows), dtype=bool)
        pieces.setdefault(target.table, []).append((rows.astype(np.int64), codes, present))
    for table, parts in pieces.items():
        rows = np.concatenate([r for r, _, _ in parts])
        codes = np.concatenate([c for _, c, _ in parts])
        present = np.concatenate([p for _, _, p in parts])
        key = rows * max(len(pairs[table]), 1) + codes
        order = np.argsort(key * 2 + ~present, kind="stable")  # per key, present rows first
        first = order[np.concatenate([[True], np.diff(key[order]) != 0])] if len(order) else order
        categories = pa.array([c for c, _ in pairs[table]], pa.string())
        names = pa.array([c for _, c in pairs[table]], pa.string())
        chosen = pa.array(codes[first])
        columns: dict[str, pa.Array] = {"case_id": ids_at(ids, rows[first])}
        if table == "case_exploitation":
            columns["category"] = pc.take(categories, chosen)
        columns["code"] = pc.take(names, chosen)
        columns["present"] = pa.array(present[first])
        tables[table] = pa.table(columns)
    assert set(pieces) <= set(ROW_TABLES)


def organisation_table(names: dict[str, str | None]) -> pa.Table:
    """Rows of ``organisations``: id -> name."""
    ids = list(names)
    return pa.table(
        {
            "organisation_id": pa.array(ids, pa.string()),
            "name": pa.array([names[i] for i in ids], pa.string()),
        }
    )
