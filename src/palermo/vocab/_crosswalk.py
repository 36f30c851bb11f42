"""Crosswalks: how each data standard's fields and codes map onto concepts of the scheme.

One YAML file per standard. A field is one of four kinds:

``flag``
    a 0/1 column that says whether one thing applies (``meansOfControlDebtBondage``); the field maps
    to concepts, and the file's ``flag_values`` say which codes mean present, absent or missing.
``category``
    a column whose codes each map to concepts (``gender``: ``Female``, ``Male`` …).
``multi``
    like ``category``, but a cell may hold several codes joined by ``separator``.
``uncoded``
    a column that holds no concept (a year, an ISO country code); ``reason`` says why.

Each mapping says how the code relates to the concepts (``match``, read as SKOS mapping properties
from the code to the concept: ``exact``, ``close``, ``broad`` = the concept is broader than the code,
``narrow`` = the concept is narrower than the code, ``related``), whether several concepts all apply
or at least one does (``combine``), the code's ``status`` (``present``, ``absent``, ``missing`` for
unknown / not collected, ``total`` for an aggregate), where in the standard it is (``locator``) and
whether the mapping was checked against the standard's own documents (``verified``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from palermo.errors import Problem, UnknownTermError, VocabularyFileError
from palermo.vocab._located_yaml import LocatedDict, read_yaml
from palermo.vocab._model import Scheme

FIELD_KINDS = ("flag", "category", "multi", "uncoded")
MATCHES = ("exact", "close", "broad", "narrow", "related")
STATUSES = ("present", "absent", "missing", "total")
COMBINES = ("all", "any")
_TOP_KEYS = {"standard", "title", "version", "source", "date", "recorded", "note", "flag_values", "fields"}
_FIELD_KEYS = {
    "kind", "concepts", "match", "combine", "values", "separator", "reason", "locator", "verified", "note", "aliases",
}  # fmt: skip
_VALUE_KEYS = {"concepts", "match", "combine", "status", "locator", "verified", "note"}


@dataclass(frozen=True)
class CodeMapping:
    """What one code (or one flag field) means in concepts of the scheme."""

    concepts: tuple[str, ...] = ()
    match: str | None = None
    combine: str = "all"
    status: str = "present"
    verified: bool = False
    locator: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "concepts": list(self.concepts),
            "match": self.match,
            "combine": self.combine,
            "status": self.status,
            "verified": self.verified,
            "locator": self.locator,
            "note": self.note,
        }


@dataclass(frozen=True)
class FieldMapping:
    """One field (column) of a standard and how its codes map."""

    name: str
    kind: str
    mapping: CodeMapping | None = None
    values: Mapping[str, CodeMapping] = field(default_factory=dict)
    separator: str | None = None
    reason: str | None = None
    aliases: tuple[str, ...] = ()

    def code(self, value: str) -> CodeMapping | None:
        """The mapping of one code: exact, else ignoring case and surrounding blanks."""
        found = self.values.get(value)
        if found is None:
            folded = {k.strip().casefold(): m for k, m in self.values.items()}
            found = folded.get(value.strip().casefold())
        return found


@dataclass(frozen=True)
class Crosswalk:
    """The mapping of one data standard onto the concept scheme."""

    standard: str
    title: str
    version: str
    source: str
    date: str
    recorded: str
    flag_values: Mapping[str, str]
    fields: Mapping[str, FieldMapping]
    note: str | None = None

    def field(self, name: str) -> FieldMapping:
        """A field by its name or one of its aliases, matched exactly, else ignoring case."""
        if name in self.fields:
            return self.fields[name]
        wanted = name.strip().casefold()
        for f in self.fields.values():
            if wanted in {n.casefold() for n in (f.name, *f.aliases)}:
                return f
        raise UnknownTermError(f"crosswalk '{self.standard}' has no field '{name[:60]}'")

    def lookup(self, field_name: str, value: str | None = None) -> tuple[CodeMapping, ...]:
        """The mappings of ``value`` in ``field_name`` (one per code of a multi-valued cell).

        For a flag field, ``value`` is the cell ("1", "0", "-99", "" …) and the result carries the
        field's concepts with the status the file's ``flag_values`` give that code. An unknown code
        raises :class:`~palermo.errors.UnknownTermError`; an uncoded field returns nothing.
        """
        f = self.field(field_name)
        if f.kind == "uncoded":
            return ()
        cell = "" if value is None else str(value).strip()
        if f.kind == "flag":
            assert f.mapping is not None
            status = self.flag_values.get(cell, self.flag_values.get(cell.casefold()))
            if status is None:
                raise UnknownTermError(f"'{cell}' is not a flag code of crosswalk '{self.standard}'")
            return (replace(f.mapping, status=status),)
        codes = [c.strip() for c in cell.split(f.separator)] if f.kind == "multi" and f.separator else [cell]
        result = []
        for code in codes:
            mapping = f.code(code)
            if mapping is None:
                raise UnknownTermError(
                    f"'{code[:60]}' is not a code of field '{f.name}' in '{self.standard}'"
                )
            result.append(mapping)
        return tuple(result)

    def codes_for(self, concept_id: str) -> list[tuple[str, str | None, CodeMapping]]:
        """Every ``(field, code, mapping)`` that maps to ``concept_id`` (code is None for a flag)."""
        found: list[tuple[str, str | None, CodeMapping]] = []
        for f in self.fields.values():
            if f.mapping is not None and concept_id in f.mapping.concepts:
                found.append((f.name, None, f.mapping))
            found.extend((f.name, code, m) for code, m in f.values.items() if concept_id in m.concepts)
        return found


class _Reader:
    def __init__(self, path: Path, scheme: Scheme) -> None:
        self.path = path
        self.scheme = scheme
        self.problems: list[Problem] = []

    def add(self, line: int | None, where: str, rule: str) -> None:
        self.problems.append(Problem(line, where, rule))

    def mapping(self, node: LocatedDict, where: str, *, is_value: bool) -> CodeMapping | None:
        allowed = _VALUE_KEYS if is_value else _FIELD_KEYS
        for key in node:
            if key not in allowed:
                self.add(
                    node.line_of(key), where, f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})"
                )
        status = node.get("status", "present") if is_value else "present"
        concepts = node.get("concepts", [])
        ok = True
        if status not in STATUSES:
            self.add(node.line_of("status"), f"{where}.status", f"one of {', '.join(STATUSES)}")
            return None
        if not isinstance(concepts, list) or not all(isinstance(c, str) for c in concepts):
            self.add(node.line_of("concepts"), f"{where}.concepts", "must be a list of concept ids")
            return None
        for c in concepts:
            if c not in self.scheme:
                self.add(node.line_of("concepts"), f"{where}.concepts", f"unknown concept id '{c}'")
                ok = False
        needs_concepts = status in ("present", "absent")
        if needs_concepts and not concepts:
            self.add(node.line, f"{where}.concepts", f"required when status is {status}")
            ok = False
        if not needs_concepts and concepts:
            self.add(node.line_of("concepts"), f"{where}.concepts", f"must be empty when status is {status}")
            ok = False
        match, combine = node.get("match"), node.get("combine", "all")
        if concepts and match not in MATCHES:
            self.add(node.line_of("match"), f"{where}.match", f"required; one of {', '.join(MATCHES)}")
            ok = False
        if len(concepts) > 1 and "combine" not in node:
            self.add(
                node.line_of("concepts"), f"{where}.combine", "required with several concepts: all or any"
            )
            ok = False
        if combine not in COMBINES:
            self.add(node.line_of("combine"), f"{where}.combine", f"one of {', '.join(COMBINES)}")
            ok = False
        verified = node.get("verified", False)
        if not isinstance(verified, bool):
            self.add(node.line_of("verified"), f"{where}.verified", "must be true or false")
            ok = False
        if not ok:
            return None
        return CodeMapping(
            concepts=tuple(concepts),
            match=match if concepts else None,
            combine=combine,
            status=status,
            verified=verified,
            locator=_opt(node.get("locator")),
            note=_opt(node.get("note")),
        )

    def field(self, name: str, node: Any, line: int) -> FieldMapping | None:
        where = f"fields.{name}"
        if not isinstance(node, LocatedDict):
            self.add(line, where, "must be a mapping")
            return None
        aliases = node.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            self.add(
                node.line_of("aliases"),
                f"{where}.aliases",
                "must be a list of other spellings of the field name",
            )
            aliases = []
        kind = node.get("kind")
        if kind not in FIELD_KINDS:
            self.add(node.line_of("kind"), f"{where}.kind", f"required; one of {', '.join(FIELD_KINDS)}")
            return None
        if kind == "uncoded":
            reason = _opt(node.get("reason"))
            if reason is None:
                self.add(
                    node.line, f"{where}.reason", "required for an uncoded field: say why it holds no concept"
                )
            extra = set(node) - {"kind", "reason", "locator", "note", "verified", "aliases"}
            for key in sorted(extra):
                self.add(node.line_of(key), where, f"unknown key '{key}' for an uncoded field")
            return FieldMapping(name, kind, reason=reason, aliases=tuple(aliases))
        if kind == "flag":
            for key in sorted(set(node) & {"values", "separator", "reason"}):
                self.add(node.line_of(key), where, f"unknown key '{key}' for a flag field")
            mapping = self.mapping(node, where, is_value=False)
            return FieldMapping(name, kind, mapping=mapping, aliases=tuple(aliases)) if mapping else None
        values = node.get("values")
        if not isinstance(values, LocatedDict) or not values:
            self.add(
                node.line_of("values"), f"{where}.values", "required; a mapping from code to its concepts"
            )
            return None
        parsed: dict[str, CodeMapping] = {}
        for code, vnode in values.items():
            vline = values.line_of(code)
            if not isinstance(code, str):
                self.add(vline, f"{where}.values", f"code {code!r} must be quoted so YAML keeps it as text")
                continue
            if not isinstance(vnode, LocatedDict):
                self.add(vline, f"{where}.values.{code}", "must be a mapping")
                continue
            m = self.mapping(vnode, f"{where}.values.{code}", is_value=True)
            if m is not None:
                field_locator = _opt(node.get("locator"))
                parsed[code] = replace(m, locator=m.locator or field_locator)
        separator = _opt(node.get("separator"), strip=False)
        if kind == "multi" and not separator:
            self.add(node.line, f"{where}.separator", "required for a multi field")
        extra = set(node) - {"kind", "values", "separator", "locator", "note", "verified", "aliases"}
        for key in sorted(extra):
            self.add(node.line_of(key), where, f"unknown key '{key}' for a {kind} field")
        return FieldMapping(
            name, kind, values=MappingProxyType(parsed), separator=separator, aliases=tuple(aliases)
        )


def _opt(value: Any, *, strip: bool = True) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int) and str(value).strip():
        return str(value).strip() if strip else str(value)
    return None


def read_crosswalk(path: Path, scheme: Scheme) -> Crosswalk:
    """Read and check one crosswalk file against ``scheme``."""
    doc = read_yaml(path)
    r = _Reader(path, scheme)
    if not isinstance(doc, LocatedDict):
        raise VocabularyFileError(str(path), [Problem(1, "file", "must be a YAML mapping")])
    for key in doc:
        if key not in _TOP_KEYS:
            r.add(doc.line_of(key), "file", f"unknown key '{key}' (allowed: {', '.join(sorted(_TOP_KEYS))})")
    head = {k: _opt(doc.get(k)) for k in ("standard", "title", "version", "source", "date", "recorded")}
    for key, value in head.items():
        if value is None:
            r.add(doc.line_of(key), key, "required; a non-empty string")
    if head["source"] is not None and head["source"] not in scheme.sources:
        r.add(doc.line_of("source"), "source", f"unknown source '{head['source']}'")
    flags = doc.get("flag_values", {})
    flag_values: dict[str, str] = {}
    if not isinstance(flags, LocatedDict | dict):
        r.add(doc.line_of("flag_values"), "flag_values", "must map codes to present, absent or missing")
    else:
        for code, status in flags.items():
            if not isinstance(code, str) or status not in STATUSES:
                r.add(doc.line_of("flag_values"), f"flag_values.{code}", "quoted code mapped to a status")
            else:
                flag_values[code] = status
    fields_node = doc.get("fields")
    fields: dict[str, FieldMapping] = {}
    if not isinstance(fields_node, LocatedDict) or not fields_node:
        r.add(doc.line_of("fields"), "fields", "required; a mapping from field name to its mapping")
    else:
        for name, node in fields_node.items():
            f = r.field(str(name), node, fields_node.line_of(name))
            if f is not None:
                fields[str(name)] = f
        if any(f.kind == "flag" for f in fields.values()) and not flag_values:
            r.add(doc.line, "flag_values", "required when the crosswalk has flag fields")
    if r.problems:
        raise VocabularyFileError(str(path), r.problems)
    return Crosswalk(
        standard=str(head["standard"]),
        title=str(head["title"]),
        version=str(head["version"]),
        source=str(head["source"]),
        date=str(head["date"]),
        recorded=str(head["recorded"]),
        flag_values=MappingProxyType(flag_values),
        fields=MappingProxyType(fields),
        note=_opt(doc.get("note")),
    )
