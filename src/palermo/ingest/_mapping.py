"""Read and check a mapping file: every problem is collected with its line, then raised once.

The schema is documented key by key in docs/ingest.md ("Mapping files").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from palermo.errors import MappingError, Problem
from palermo.ingest._codes import CodeBook, norm
from palermo.ingest._fields import SpecReader
from palermo.ingest._spec import (
    DERIVATIONS,
    FORMATS,
    Derived,
    FlagConvention,
    Mapping,
    Organisation,
    ReaderOptions,
)
from palermo.ingest._targets import Target, parse_target
from palermo.ingest._yamlfile import Node, parse_yaml

_TOP = {
    "name", "version", "title", "source", "target", "document", "language", "standard", "organisation",
    "reader", "missing", "record_id", "blank_rows", "columns", "constants", "derived", "country_overrides",
    "note",
}  # fmt: skip
_READER = {
    "format", "delimiter", "encoding", "fallback_encoding", "banner_column", "sheet", "header_row",
    "skip_rows_after_header", "unknown_columns",
}  # fmt: skip
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CTDC_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"), (24, 26, "24--26"),
    (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"), (48, None, "48+"),
)  # fmt: skip
"""CTDC ageBroad bands (codebook v6), as the case model's age_band list writes them."""


@cache
def flag_conventions() -> dict[str, FlagConvention]:
    """The named flag conventions of ``data/flags.yaml``."""
    text = resources.files("palermo.ingest").joinpath("data", "flags.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["conventions"]
    return {
        name: FlagConvention(
            name,
            frozenset(norm(str(v)) for v in entry.get("present") or ()),
            frozenset(norm(str(v)) for v in entry.get("absent") or ()),
        )
        for name, entry in raw.items()
    }


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, line: int | None, where: str, rule: str) -> None:
        self.items.append(Problem(line, where, rule))


def parse_mapping(text: str, where: str, *, path: Path | None = None, shipped: bool = False) -> Mapping:
    """A checked :class:`Mapping` from YAML ``text``; :class:`MappingError` lists every problem."""
    doc = parse_yaml(text, where)
    problems = _Problems()
    if not isinstance(doc, Node):
        raise MappingError(where, [Problem(1, "file", "must be a YAML mapping of keys to values")])
    for key in doc:
        if key not in _TOP:
            problems.add(
                doc.line_of(key), "file", f"unknown key '{key}' (allowed: {', '.join(sorted(_TOP))})"
            )
    name = _text(doc, "name", problems, required=True)
    if name and not _NAME.match(name):
        problems.add(doc.line_of("name"), "name", "lower-case letters, digits and '-' only")
    version = _text(doc, "version", problems, required=True)
    title = _text(doc, "title", problems, required=True)
    target = doc.get("target", "cases")
    if target not in ("cases", "aggregates"):
        problems.add(doc.line_of("target"), "target", "cases or aggregates")
        target = "cases"
    source = doc.get("source")
    if not isinstance(source, dict) or not source.get("document"):
        problems.add(
            doc.line_of("source"), "source", "required: where the layout is documented (document, url, date)"
        )
        source = {}
    book = CodeBook()
    document = _text(doc, "document", problems)
    if document is not None and document not in book.categories.documents:
        problems.add(
            doc.line_of("document"), "document", "not a document key of the case model's categories.yaml"
        )
    language = _text(doc, "language", problems)
    missing = _folded_list(doc, "missing", problems, default=[""])
    reader = _reader(doc.get("reader"), doc.line_of("reader"), problems)
    overrides = _overrides(doc, problems)
    specs_reader = SpecReader(
        str(target), book, problems.add, missing, document, language, flag_conventions()
    )
    columns = doc.get("columns")
    ignored: set[str] = set()
    if not isinstance(columns, Node) or not columns:
        problems.add(
            doc.line_of("columns"), "columns", "required: a mapping from source column to its target"
        )
    else:
        for column, node in columns.items():
            line = columns.line_of(column)
            if node == "ignore" or (isinstance(node, Node) and node.get("ignore") is True):
                ignored.add(str(column))
                continue
            specs_reader.read_column(str(column), node, line)
    record_id, record_aliases = _record_id(doc, str(target), problems)
    constants = _constants(doc, str(target), book, problems)
    derived = _derived(doc, str(target), problems)
    organisation = _organisation(doc, book, problems)
    blank_rows = doc.get("blank_rows", "record")
    if blank_rows not in ("record", "skip"):
        problems.add(doc.line_of("blank_rows"), "blank_rows", "record or skip")
    _check_writers(specs_reader, constants, derived, problems)
    if problems.items:
        raise MappingError(where, sorted(problems.items, key=lambda p: p.row or 0))
    return Mapping(
        name=str(name),
        version=str(version),
        title=str(title),
        target=str(target),
        source=dict(source),
        reader=reader,
        missing=missing,
        specs=tuple(specs_reader.specs),
        constants=constants,
        derived=tuple(derived),
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
        shipped=shipped,
        document=document,
        language=language,
        standard=_text(doc, "standard", problems),
        organisation=organisation,
        record_id=record_id,
        record_id_aliases=record_aliases,
        blank_rows=str(blank_rows),
        country_overrides=overrides,
        ignored=frozenset(ignored),
        note=_text(doc, "note", problems),
    )


def _text(node: Node, key: str, problems: _Problems, *, required: bool = False) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            problems.add(node.line, key, "required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(node.line_of(key), key, "must be text")
        return None
    return str(value)


def _folded_list(node: Node, key: str, problems: _Problems, *, default: list[str]) -> frozenset[str]:
    value = node.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.add(node.line_of(key), key, 'must be a list of values (quote them: "-99")')
        return frozenset(default)
    return frozenset(norm(str(v)) for v in value)


def _reader(node: Any, line: int, problems: _Problems) -> ReaderOptions:
    if node is None:
        return ReaderOptions()
    if not isinstance(node, Node):
        problems.add(line, "reader", "must be a mapping of reader options")
        return ReaderOptions()
    for key in node:
        if key not in _READER:
            problems.add(
                node.line_of(key), "reader", f"unknown option '{key}' (allowed: {', '.join(sorted(_READER))})"
            )
    checks: dict[str, Callable[[Any], bool]] = {
        "format": lambda v: v in FORMATS,
        "delimiter": lambda v: isinstance(v, str) and len(v) == 1,
        "encoding": lambda v: isinstance(v, str) and _codec(v),
        "fallback_encoding": lambda v: isinstance(v, str) and _codec(v),
        "banner_column": lambda v: isinstance(v, bool),
        "sheet": lambda v: isinstance(v, str),
        "header_row": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        "skip_rows_after_header": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "unknown_columns": lambda v: v in ("error", "ignore"),
    }
    rules = {
        "format": f"one of {', '.join(FORMATS)}",
        "delimiter": "one character",
        "encoding": "a Python codec name (utf-8, cp1252, latin-1 …)",
        "fallback_encoding": "a Python codec name",
        "banner_column": "true or false",
        "sheet": "a sheet name",
        "header_row": "a row number from 1",
        "skip_rows_after_header": "a count from 0",
        "unknown_columns": "error or ignore",
    }
    values: dict[str, Any] = {}
    for key, ok in checks.items():
        if key in node and node[key] is not None:
            if ok(node[key]):
                values[key] = node[key]
            else:
                problems.add(node.line_of(key), f"reader.{key}", rules[key])
    return ReaderOptions(**values)


def _codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _overrides(doc: Node, problems: _Problems) -> dict[str, str]:
    raw = doc.get("country_overrides", {})
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        problems.add(
            doc.line_of("country_overrides"), "country_overrides", "must map a code to a code (XKX: SRB)"
        )
        return {}
    return {k.upper(): v.upper() for k, v in raw.items()}


def _record_id(doc: Node, target: str, problems: _Problems) -> tuple[str | None, tuple[str, ...]]:
    raw = doc.get("record_id")
    if raw is None:
        return None, ()
    if target != "cases":
        problems.add(doc.line_of("record_id"), "record_id", "only for target cases")
    if isinstance(raw, str):
        return raw, ()
    if isinstance(raw, Node) and isinstance(raw.get("column"), str):
        aliases = raw.get("aliases", [])
        return raw["column"], tuple(str(a) for a in aliases) if isinstance(aliases, list) else ()
    problems.add(doc.line_of("record_id"), "record_id", "a column name, or {column, aliases}")
    return None, ()


def _constants(doc: Node, target: str, book: CodeBook, problems: _Problems) -> dict[str, Any]:
    raw = doc.get("constants") or Node()
    if not isinstance(raw, Node):
        problems.add(doc.line_of("constants"), "constants", "must map a target to a value")
        return {}
    found: dict[str, Any] = {}
    for path, value in raw.items():
        line = raw.line_of(path)
        parsed = parse_target(str(path), target)
        if isinstance(parsed, str) or parsed.column is None:
            problems.add(
                line, f"constants.{path}", parsed if isinstance(parsed, str) else "needs a column target"
            )
            continue
        col = parsed.column
        if (
            col.coded is not None
            and not col.is_list
            and (not isinstance(value, str) or value not in book.codes(col.coded))
        ):
            problems.add(line, f"constants.{path}", f"not a code of category list '{col.coded}'")
            continue
        if col.dtype == "bool" and not isinstance(value, bool):
            problems.add(line, f"constants.{path}", "must be true or false")
            continue
        found[str(path)] = value
    return found


def _derived(doc: Node, target: str, problems: _Problems) -> list[Derived]:
    raw = doc.get("derived") or Node()
    if not isinstance(raw, Node):
        problems.add(doc.line_of("derived"), "derived", "must map a target to a derivation")
        return []
    found: list[Derived] = []
    for path, node in raw.items():
        line = raw.line_of(path)
        where = f"derived.{path}"
        parsed = parse_target(str(path), target)
        if isinstance(parsed, str) or parsed.column is None:
            problems.add(line, where, parsed if isinstance(parsed, str) else "needs a column target")
            continue
        rules = [k for k in node if k in DERIVATIONS] if isinstance(node, dict) else []
        if len(rules) != 1:
            problems.add(line, where, f"one of {', '.join(DERIVATIONS)}")
            continue
        rule = rules[0]
        sources = node[rule] if isinstance(node[rule], list) else [node[rule]]
        if rule == "age_between" and len(sources) != 2:
            problems.add(line, where, "age_between: [date of birth target, date target]")
            continue
        for src in sources:
            if isinstance(parse_target(str(src), target), str):
                problems.add(line, where, "reads a target that does not exist")
        bands = CTDC_BANDS
        if rule == "age_band" and "bands" in node:
            bands = _bands(node["bands"], line, where, problems)
        found.append(Derived(parsed, rule, tuple(str(s) for s in sources), bands, line))
    return found


def _bands(raw: Any, line: int, where: str, problems: _Problems) -> tuple[tuple[int, int | None, str], ...]:
    ok = isinstance(raw, list) and all(
        isinstance(b, list)
        and len(b) == 3
        and isinstance(b[0], int)
        and (b[1] is None or isinstance(b[1], int))
        for b in raw
    )
    if not ok:
        problems.add(line, f"{where}.bands", "a list of [low, high or null, code]")
        return CTDC_BANDS
    return tuple((int(b[0]), None if b[1] is None else int(b[1]), str(b[2])) for b in raw)


def _organisation(doc: Node, book: CodeBook, problems: _Problems) -> Organisation | None:
    raw = doc.get("organisation")
    if raw is None:
        return None
    if not isinstance(raw, Node):
        problems.add(doc.line_of("organisation"), "organisation", "a mapping of id, name, org_type, country")
        return None
    org_type = raw.get("org_type")
    if org_type is not None and org_type not in book.codes("organisation_type"):
        problems.add(
            raw.line_of("org_type"), "organisation.org_type", "not a code of list 'organisation_type'"
        )
    country = raw.get("country")
    if country is not None and country not in book.codes("country"):
        problems.add(raw.line_of("country"), "organisation.country", "an ISO 3166-1 alpha-3 code")
    return Organisation(
        *(None if raw.get(k) is None else str(raw.get(k)) for k in ("id", "name", "org_type", "country"))
    )


def _check_writers(
    reader: SpecReader, constants: dict[str, Any], derived: list[Derived], problems: _Problems
) -> None:
    """A scalar target is written by one column (or several under ``when``), a constant or a derivation."""
    writers: dict[str, list[tuple[int, bool]]] = {}
    for spec in reader.specs:
        if spec.target.column is not None and not spec.target.is_rows and spec.type != "flag":
            writers.setdefault(spec.target.path, []).append((spec.line, bool(spec.when)))
    for path in constants:
        writers.setdefault(path, []).append((0, False))
    for d in derived:
        writers.setdefault(d.target.path, []).append((d.line, False))
    for path, found in writers.items():
        if len(found) > 1 and not all(conditional for _, conditional in found):
            problems.add(found[-1][0] or None, path, "written twice (by columns, constants or derived)")


def target_of(path: str, kind: str) -> Target | None:
    parsed = parse_target(path, kind)
    return None if isinstance(parsed, str) else parsed
