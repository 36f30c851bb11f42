"""Draft a mapping from a file's header and distinct values, each guess marked with its confidence.

A column whose name a shipped mapping already reads takes that mapping's spec. Otherwise the header
is compared (folded, fuzzily) with the words of ``data/suggest_hints.yaml``, and the values are
tested: dates in common formats, countries, flag words, whole numbers, and codes through the case
model's lists and the vocabulary. Values are printed only for columns taken as coded categories
(codes, flags, countries): never names, dates or free text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rapidfuzz import fuzz

from palermo.ingest._codes import CodeBook, fold, norm
from palermo.ingest._countries import resolve_country
from palermo.ingest._csvreader import SAMPLE_BYTES, sniff_delimiter
from palermo.ingest._fields import infer_type
from palermo.ingest._mapping import flag_conventions
from palermo.ingest._readers import detect_format, open_source
from palermo.ingest._run import vocabulary_normaliser
from palermo.ingest._shipped import shipped_names
from palermo.ingest._spec import ReaderOptions
from palermo.ingest._targets import parse_target

if TYPE_CHECKING:
    from palermo.workspace import Workspace

DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y")
_MISSING_WORDS = (
    "",
    "-99",
    "-",
    "null",
    "na",
    "n/a",
    "none",
    "unknown",
    "inconnu",
    "inconnue",
    "desconocido",
    "sin dato",
    ".",
)
_CODED_TYPES = ("code", "age_band", "flag", "country", "boolean")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass
class Guess:
    column: str
    confidence: float
    reason: str
    spec: dict[str, Any] = field(default_factory=dict)  # empty: ignore
    comments: list[str] = field(default_factory=list)


@cache
def _hints() -> dict[str, list[str]]:
    text = (
        resources.files("palermo.ingest").joinpath("data", "suggest_hints.yaml").read_text(encoding="utf-8")
    )
    return {k: [fold(w) for w in v] for k, v in yaml.safe_load(text)["targets"].items()}


@cache
def _known_columns() -> dict[str, tuple[str, Any]]:
    """Folded column name -> (mapping name, raw spec) from the shipped mappings."""
    found: dict[str, tuple[str, Any]] = {}
    folder = resources.files("palermo.ingest").joinpath("data").joinpath("mappings")
    for name in shipped_names():
        raw = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
        if name.startswith("scenario-") or raw.get("target", "cases") != "cases":
            continue
        for column, spec in (raw.get("columns") or {}).items():
            if spec != "ignore":
                found.setdefault(fold(_CAMEL.sub(" ", str(column))), (name, spec))
    return found


@cache
def _mapping_columns(name: str) -> frozenset[str]:
    folder = resources.files("palermo.ingest").joinpath("data").joinpath("mappings")
    raw = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
    return frozenset(fold(_CAMEL.sub(" ", str(c))) for c in (raw.get("columns") or {}))


def _header_words(column: str) -> str:
    return fold(_CAMEL.sub(" ", column))


def _header_target(column: str) -> tuple[str | None, float]:
    words = _header_words(column)
    best, score = None, 0.0
    for target, hints in _hints().items():
        for hint in hints:
            ratio = fuzz.ratio(words, hint) / 100
            if words == hint:
                ratio = 1.0
            if ratio > score:
                best, score = target, ratio
    return best, score


def _date_format(values: list[str]) -> tuple[str | None, float]:
    best, share = None, 0.0
    for fmt in DATE_FORMATS:
        ok = 0
        for v in values:
            try:
                dt.datetime.strptime(v, fmt)
            except ValueError:
                continue
            ok += 1
        if values and ok / len(values) > share:
            best, share = fmt, ok / len(values)
    return best, share


class _Suggester:
    def __init__(self, ws: Workspace) -> None:
        self.book = CodeBook(ws.cases.categories)
        self.normalise = vocabulary_normaliser(ws)
        self.flags = flag_conventions()

    def guess(self, column: str, values: list[str]) -> Guess:
        distinct = Counter(values)
        known = _known_columns().get(_header_words(column))
        if known is not None:
            return Guess(
                column,
                0.9,
                f"a column of shipped mapping {known[0]}",
                dict(known[1]) if isinstance(known[1], dict) else {},
            )
        target, header_score = _header_target(column)
        if not values:
            return Guess(column, 0.0, "no values in the sample")
        if len(distinct) == len(values) and len(values) >= 5 and _looks_like_id(column):
            return Guess(column, 0.8, "every value differs and the header names an id", {"record_id": True})
        separator = _separator(distinct)
        if separator is not None:
            parts: Counter[str] = Counter()
            for value, count in distinct.items():
                for part in value.split(separator):
                    if part.strip():
                        parts[part.strip()] += count
            guess = self.guess_parts(column, target, header_score, parts)
            guess.spec["separator"] = separator
            guess.reason += f"; several values per cell, joined by {json.dumps(separator)}"
            return guess
        fmt, date_share = _date_format(list(distinct))
        if date_share >= 0.9:
            path = target if target and "date" in target else "cases.registration_date"
            if any(w in _header_words(column) for w in ("birth", "naci", "naiss", "dob", "ddn", "nasc")):
                path = "person_identities.birth_date"
            return Guess(
                column,
                round(0.5 + date_share / 2 * max(header_score, 0.5), 2),
                f"dates in {fmt}",
                {"to": path, "formats": [fmt]},
            )
        countries = sum(c for v, c in distinct.items() if resolve_country(v)) / len(values)
        if countries >= 0.8:
            path = target if target and target.endswith(("country", "citizenship")) else "persons.citizenship"
            return Guess(
                column,
                round(countries * max(header_score, 0.6), 2),
                f"{countries:.0%} of values are countries",
                {"to": path},
            )
        words = {norm(v) for v in distinct}
        for name in ("one_zero", "yes_no"):
            convention = self.flags[name]
            if words <= convention.present | convention.absent and len(words) <= 3:
                return Guess(
                    column,
                    round(0.4 + 0.4 * header_score, 2),
                    f"flag values ({name})",
                    {"to": "REVIEW", "flag": name},
                )
        if target is None or header_score < 0.5:
            return Guess(column, round(header_score, 2), "no target guessed", {})
        return self._coded(column, target, header_score, distinct)

    def guess_parts(self, column: str, target: str | None, score: float, parts: Counter[str]) -> Guess:
        if target is None or score < 0.5:
            return Guess(column, round(score, 2), "no target guessed", {})
        return self._coded(column, target, score, parts)

    def _coded(self, column: str, target: str, score: float, distinct: Counter[str]) -> Guess:
        parsed = parse_target(target, "cases")
        if isinstance(parsed, str):
            return Guess(column, 0.0, "no target guessed", {})
        kind = infer_type(parsed, {})
        spec: dict[str, Any] = {"to": target}
        if kind not in _CODED_TYPES:
            if kind == "integer" and not all(re.fullmatch(r"[+-]?\d+", v) for v in distinct):
                return Guess(
                    column, round(score / 2, 2), f"header like {target}, but not whole numbers", spec
                )
            return Guess(column, round(score, 2), f"header like {target}", spec)
        list_name = parsed.code_list("exploitation_type")
        values: dict[str, Any] = {}
        comments: list[str] = []
        for value, _count in distinct.most_common(40):
            code = self.book.lookup(list_name, value) if list_name else None
            concept = None if code is not None else self.normalise(value, None)
            if code is None and concept is not None and list_name is not None:
                code = self.book.concept_code(list_name, concept)
                if code is not None:
                    values[value] = {"concept": concept}
                    continue
            if code is not None:
                values[value] = code
            else:
                comments.append(f"REVIEW: value {json.dumps(value, ensure_ascii=False)} matched no code")
        if parsed.table == "case_exploitation":
            spec["category"] = "exploitation_type"
            comments.insert(0, "REVIEW: category (exploitation_type, labour_sector or sex_exploitation_type)")
        matched = sum(distinct[v] for v in values) / max(sum(distinct.values()), 1)
        if values:
            spec["values"] = values
        return Guess(
            column,
            round((score + matched) / 2, 2),
            f"header like {target}; {matched:.0%} of values matched",
            spec,
            comments,
        )


def _looks_like_id(column: str) -> bool:
    words = set(_header_words(column).split())
    return bool(
        words & {"id", "ref", "num", "numero", "no", "number", "dossier", "case", "caseref", "diligencia"}
    )


def _separator(distinct: Counter[str]) -> str | None:
    """A separator that joins values already seen alone in other cells (several values per cell)."""
    alone = set(distinct)
    for separator in (" / ", ";", "|", " + ", "+", ", "):
        joined = [v for v in distinct if separator in v]
        if not joined:
            continue
        parts = {p.strip() for v in joined for p in v.split(separator)}
        if parts <= alone or (len(joined) >= 2 and len(parts & alone) >= max(1, len(parts) // 2)):
            return separator
    return None


def _reader_options(path: Path) -> tuple[ReaderOptions, list[str]]:
    notes: list[str] = []
    fmt = detect_format(path, ReaderOptions())
    if fmt != "csv":
        return ReaderOptions(format=fmt), notes
    sample = path.read_bytes()[:SAMPLE_BYTES]
    encoding = "utf-8"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = "cp1252"
        notes.append(f"not UTF-8 (byte {exc.start}): guessed cp1252")
    first = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0] if sample else ""
    delimiter = sniff_delimiter(first)
    cells = first.split(delimiter)
    banner = bool(cells) and len(cells[0]) > 40
    if banner:
        notes.append("the first header cell is long text: taken as a banner column")
    return ReaderOptions(format="csv", delimiter=delimiter, encoding=encoding, banner_column=banner), notes


def suggest_mapping(ws: Workspace, path: Path, *, sample_rows: int) -> str:
    """A draft mapping for ``path`` as YAML text with a confidence comment on every guess."""
    options, notes = _reader_options(path)
    source = open_source(path, options, chunk_rows=sample_rows)
    try:
        samples: dict[str, list[str]] = {name: [] for name in source.header}
        rows = 0
        for batch in source.batches():
            table = batch.table.slice(0, max(sample_rows - rows, 0))
            for name in source.header:
                samples[name].extend(v.strip() for v in table.column(name).to_pylist() if v is not None)
            rows += table.num_rows
            if rows >= sample_rows:
                break
        header = source.header
    finally:
        source.close()
    missing = sorted({v for vs in samples.values() for v in vs if norm(v) in _MISSING_WORDS} | {""})
    known = {fold(_CAMEL.sub(" ", h)) for h in header}
    for name in shipped_names():
        columns = _mapping_columns(name)
        if columns and len(known & columns) >= 0.8 * len(columns):
            notes.insert(0, f"this layout matches the shipped mapping {name}: try --mapping {name} first")
    suggester = _Suggester(ws)
    guesses = [suggester.guess(name, [v for v in samples[name] if v not in missing]) for name in header]
    return _render(path, options, notes, missing, guesses)


def _render(
    path: Path, options: ReaderOptions, notes: list[str], missing: list[str], guesses: list[Guess]
) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.casefold()).strip("-") or "draft"
    reader = {
        k: v for k, v in options.__dict__.items() if v not in (None, False, 1, 0, "error") or k == "format"
    }
    lines = [
        f"# Draft mapping for {path.name}, suggested by `palermo ingest suggest` on {dt.date.today().isoformat()}.",
        "# Every guess carries its confidence (0 to 1). Review each one, the lines marked REVIEW first,",
        "# then ingest a sample and read the quarantine before ingesting the whole file.",
        *(f"# NOTE: {n}" for n in notes),
        f"name: draft-{stem}",
        'version: "0.1"',
        f"title: {json.dumps('Draft mapping for ' + path.name)}",
        'source: {document: "REVIEW: where this layout is documented"}',
        "organisation: {id: REVIEW-organisation-id}",
        f"reader: {json.dumps(reader, ensure_ascii=False)}",
        f"missing: {json.dumps(missing, ensure_ascii=False)}",
        "columns:",
    ]
    ids = [g for g in guesses if g.spec.get("record_id")]
    if ids:
        lines.insert(
            lines.index("columns:"),
            f"record_id: {json.dumps(ids[0].column, ensure_ascii=False)}  # confidence {ids[0].confidence:.2f}: {ids[0].reason}",
        )
    for g in guesses:
        key = json.dumps(g.column, ensure_ascii=False)
        if g.spec.get("record_id"):
            if g is ids[0]:
                continue
            g = Guess(g.column, 0.3, "another column whose values all differ")
        flag = "" if g.confidence >= 0.6 else " REVIEW"
        if not g.spec or g.spec.get("to") == "REVIEW":
            extra = f" ({json.dumps(g.spec, ensure_ascii=False)} once a target is chosen)" if g.spec else ""
            lines.append(f"  {key}: ignore  # confidence {g.confidence:.2f}: {g.reason}{extra} REVIEW")
            continue
        lines.append(f"  {key}:  # confidence {g.confidence:.2f}: {g.reason}{flag}")
        for k, v in g.spec.items():
            lines.append(f"    {k}: {json.dumps(v, ensure_ascii=False)}")
        lines.extend(f"    # {c}" for c in g.comments)
    return "\n".join(lines) + "\n"
