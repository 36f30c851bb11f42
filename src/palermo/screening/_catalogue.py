"""Read indicator catalogue files (the built-in ones and an organisation's own) with every problem
named by file, line and rule. A file that breaks a rule changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from palermo.errors import CatalogueFileError, Problem
from palermo.screening._located import Located, read_located
from palermo.screening._model import (
    ALL_DIMENSIONS,
    FACTS_BY_DIMENSION,
    JOURNEY_FACTS,
    LANGUAGES,
    POPULATIONS,
    STAGES,
    STRENGTHS,
    Catalogue,
    CatalogueInfo,
    Indicator,
    Source,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{1,80}$")
_ENTRY_KEYS = {
    "id",
    "label",
    "question",
    "stages",
    "concept",
    "strength",
    "source",
    "locator",
    "date",
    "verified",
    "note",
    "fact",
    "need",
    "derived_from",
    "derived_from_fact",
    "child_only",
}
_DEFAULT_KEYS = {"source", "locator", "date", "verified", "note", "stages"}
_HEADER_KEYS = {"id", "title", "source", "date", "verified", "fallback"}
_FILE_KEYS = {"catalogue", "defaults", "groups", "sources"}
_SOURCE_KEYS = {"id", "title", "publisher", "date", "url", "checked"}

ConceptCheck = Callable[[str], bool]


def data_path(name: str) -> Path:
    return Path(str(resources.files("palermo.screening").joinpath("data", name)))


def read_sources(path: Path, problems: list[Problem], entries: Any) -> dict[str, Source]:
    """Sources from a ``sources:`` list (the built-in sources file or a custom catalogue's)."""
    found: dict[str, Source] = {}
    if not isinstance(entries, list):
        problems.append(Problem(None, "sources", "must be a list of sources"))
        return found
    for entry in entries:
        line = entry.line if isinstance(entry, Located) else None
        if not isinstance(entry, dict):
            problems.append(Problem(line, "sources", "each source must be a mapping"))
            continue
        for key in set(entry) - _SOURCE_KEYS:
            problems.append(Problem(_at(entry, key), f"sources.{key}", "unknown key"))
        missing = [k for k in ("id", "title", "publisher", "date") if not _text(entry.get(k))]
        for key in missing:
            problems.append(Problem(line, f"sources.{key}", "required text is missing"))
        if missing:
            continue
        if entry["id"] in found:
            problems.append(Problem(_at(entry, "id"), "sources.id", "duplicate source id"))
        found[str(entry["id"])] = Source(
            id=str(entry["id"]),
            title=str(entry["title"]),
            publisher=str(entry["publisher"]),
            date=str(entry["date"]),
            url=_opt_text(entry.get("url")),
            checked=_opt_text(entry.get("checked")),
        )
    return found


@lru_cache(maxsize=1)
def builtin_sources() -> dict[str, Source]:
    path = data_path("sources.yaml")
    problems: list[Problem] = []
    doc = read_located(path)
    sources = read_sources(path, problems, doc.get("sources") if isinstance(doc, dict) else None)
    if problems:
        raise CatalogueFileError(str(path), problems)
    return sources


def builtin_catalogue_files() -> list[Path]:
    folder = data_path("catalogue")
    return sorted(folder.glob("*.yaml"))


def load_catalogue(
    paths: Iterable[Path],
    concept_exists: ConceptCheck,
    base: Catalogue | None = None,
    *,
    builtin: bool = False,
) -> Catalogue:
    """A catalogue made of ``base`` (if any) followed by the indicators of ``paths``.

    Problems are collected over each whole file and raised once (CatalogueFileError names the file,
    the line and the rule); ``base`` is never altered.
    """
    indicators = list(base.indicators) if base else []
    infos = list(base.infos) if base else []
    sources = dict(base.sources) if base else dict(builtin_sources())
    digest = list(base.digest_parts) if base else []
    for path in paths:
        problems: list[Problem] = []
        doc = read_located(path)
        if not isinstance(doc, Located):
            raise CatalogueFileError(str(path), [Problem(None, "file", "must be a YAML mapping")])
        for key in set(doc) - _FILE_KEYS:
            problems.append(Problem(doc.at(key), key, "unknown top-level key"))
        if "sources" in doc:
            for sid, src in read_sources(path, problems, doc["sources"]).items():
                if sid in sources:
                    problems.append(
                        Problem(doc.at("sources"), "sources.id", f"source '{sid}' already exists")
                    )
                sources[sid] = src
        info = _header(path, doc, sources, problems, builtin)
        known = {i.id for i in indicators}
        new = _entries(doc, info, sources, known, concept_exists, problems)
        all_ids = known | {i.id for i, _ in new}
        for ind, line in new:
            for ref in ind.derived_from:
                if ref not in all_ids:
                    problems.append(
                        Problem(line, "derived_from", f"'{ref[:60]}' is not an indicator in the catalogue")
                    )
        if problems:
            raise CatalogueFileError(str(path), problems)
        indicators.extend(i for i, _ in new)
        if info is not None:
            infos.append(info)
        digest.append(path.read_text(encoding="utf-8"))
    return Catalogue(tuple(indicators), tuple(infos), sources, tuple(digest))


def _header(
    path: Path, doc: Located, sources: Mapping[str, Source], problems: list[Problem], builtin: bool
) -> CatalogueInfo | None:
    head = doc.get("catalogue")
    if not isinstance(head, Located):
        problems.append(
            Problem(
                doc.at("catalogue"),
                "catalogue",
                "a 'catalogue' mapping (id, title, source, date, verified) is required",
            )
        )
        return None
    for key in set(head) - _HEADER_KEYS:
        problems.append(Problem(head.at(key), f"catalogue.{key}", "unknown key"))
    for key in ("id", "title", "source", "date"):
        if not _text(head.get(key)):
            problems.append(Problem(head.at(key), f"catalogue.{key}", "required text is missing"))
    if _text(head.get("source")) and head["source"] not in sources:
        problems.append(
            Problem(head.at("source"), "catalogue.source", "unknown source id (add it under 'sources')")
        )
    if not isinstance(head.get("verified"), bool):
        problems.append(Problem(head.at("verified"), "catalogue.verified", "must be true or false"))
    fallback = head.get("fallback") or {}
    if not isinstance(fallback, dict) or any(
        k not in POPULATIONS or v not in POPULATIONS or k == v for k, v in fallback.items()
    ):
        problems.append(
            Problem(
                head.at("fallback"),
                "catalogue.fallback",
                f"must map a population to another ({', '.join(POPULATIONS)})",
            )
        )
        fallback = {}
    return CatalogueInfo(
        id=str(head.get("id")),
        title=str(head.get("title")),
        source=str(head.get("source")),
        date=str(head.get("date")),
        verified=bool(head.get("verified")),
        path=str(path),
        builtin=builtin,
        fallback=dict(fallback),
    )


def _entries(
    doc: Located,
    info: CatalogueInfo | None,
    sources: Mapping[str, Source],
    known: set[str],
    concept_exists: ConceptCheck,
    problems: list[Problem],
) -> list[tuple[Indicator, int]]:
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append(Problem(doc.at("defaults"), "defaults", "must be a mapping"))
        defaults = {}
    for key in set(defaults) - _DEFAULT_KEYS:
        problems.append(Problem(_at(defaults, key), f"defaults.{key}", "unknown key"))
    groups = doc.get("groups")
    if not isinstance(groups, list) or not groups:
        problems.append(Problem(doc.at("groups"), "groups", "a non-empty list of groups is required"))
        return []
    out: list[tuple[Indicator, int]] = []
    seen: set[str] = set()
    for group in groups:
        if not isinstance(group, Located):
            problems.append(Problem(None, "groups", "each group must be a mapping"))
            continue
        dim = group.get("dimension")
        if dim not in ALL_DIMENSIONS:
            problems.append(
                Problem(group.at("dimension"), "dimension", f"must be one of {', '.join(ALL_DIMENSIONS)}")
            )
            continue
        entries = group.get("indicators")
        if not isinstance(entries, list) or not entries:
            problems.append(Problem(group.at("indicators"), "indicators", "a non-empty list is required"))
            continue
        base = {**defaults, **({"stages": group["stages"]} if "stages" in group else {})}
        for entry in entries:
            if not isinstance(entry, Located):
                problems.append(Problem(group.line, "indicators", "each indicator must be a mapping"))
                continue
            ind = _entry(entry, str(dim), base, info, sources, concept_exists, problems)
            if ind is None:
                continue
            if ind.id in seen or ind.id in known:
                problems.append(
                    Problem(entry.at("id"), "id", f"indicator id '{ind.id}' is already in the catalogue")
                )
                continue
            seen.add(ind.id)
            out.append((ind, entry.line))
    return out


def _entry(
    entry: Located,
    dim: str,
    base: Mapping[str, Any],
    info: CatalogueInfo | None,
    sources: Mapping[str, Source],
    concept_exists: ConceptCheck,
    problems: list[Problem],
) -> Indicator | None:
    before = len(problems)
    e = {**base, **entry}

    def bad(key: str, rule: str) -> None:
        problems.append(Problem(_at(entry, key), key, rule))

    for key in set(entry) - _ENTRY_KEYS:
        bad(key, "unknown key")
    if not isinstance(e.get("id"), str) or not _ID.match(e["id"]):
        bad("id", "required; lower-case letters, digits, dots and hyphens")
    if not _text(e.get("label")):
        bad("label", "required text is missing")
    question = e.get("question")
    if not isinstance(question, dict) or any(not _text(question.get(lang)) for lang in LANGUAGES):
        bad("question", f"a question in each of {', '.join(LANGUAGES)} is required")
    stages = e.get("stages")
    if not isinstance(stages, list) or not stages or any(s not in STAGES for s in stages):
        bad("stages", f"a non-empty list of {', '.join(STAGES)} is required")
    if not isinstance(e.get("concept"), str) or not concept_exists(e["concept"]):
        bad("concept", "must be a concept id of the vocabulary")
    if e.get("source") not in sources:
        bad("source", "unknown source id")
    if not _text(e.get("date")):
        bad("date", "required text is missing")
    if not isinstance(e.get("verified"), bool):
        bad("verified", "must be true or false")
    strength = e.get("strength") or {}
    if not isinstance(strength, dict) or any(
        p not in POPULATIONS or (v is not None and v not in STRENGTHS) for p, v in strength.items()
    ):
        bad("strength", f"must map {', '.join(POPULATIONS)} to {', '.join(STRENGTHS)} or null")
        strength = {}
    if strength and dim in ("act", "smuggling", "protection", "forced_labour"):
        bad("strength", "strengths are given only for ILO-EC dimensions")
    fact = e.get("fact")
    if fact is not None and fact not in FACTS_BY_DIMENSION.get(dim, ()):
        bad("fact", f"dimension '{dim}' takes no fact '{str(fact)[:40]}'")
    need = e.get("need")
    if (dim == "protection") != isinstance(need, str):
        bad("need", "required for protection indicators, and only for them")
    derived = e.get("derived_from") or []
    if not isinstance(derived, list) or any(not isinstance(d, str) for d in derived):
        bad("derived_from", "must be a list of indicator ids")
        derived = []
    derived_fact = e.get("derived_from_fact") or {}
    if not isinstance(derived_fact, dict) or any(
        k not in JOURNEY_FACTS or not isinstance(v, bool) for k, v in derived_fact.items()
    ):
        bad("derived_from_fact", "must map a journey fact to true or false")
        derived_fact = {}
    if (derived or derived_fact) and fact is not None:
        bad("derived_from", "an indicator answered by a fact cannot also be derived")
    if not isinstance(e.get("child_only", False), bool):
        bad("child_only", "must be true or false")
    if len(problems) > before:
        return None
    return Indicator(
        id=e["id"],
        catalogue=info.id if info else "",
        dimension=dim,
        label=str(e["label"]),
        question={lang: str(question[lang]) for lang in LANGUAGES},  # type: ignore[index]
        stages=tuple(stages),  # type: ignore[arg-type]
        concept=e["concept"],
        source=e["source"],
        date=str(e["date"]),
        verified=e["verified"],
        strength={p: strength.get(p) for p in POPULATIONS}
        if dim not in ("act", "smuggling", "protection", "forced_labour")
        else {},
        locator=_opt_text(e.get("locator")),
        note=_opt_text(e.get("note")),
        fact=fact,
        need=need,
        derived_from=tuple(derived),
        derived_from_fact=dict(derived_fact),
        child_only=bool(e.get("child_only", False)),
    )


def _at(mapping: Any, key: Any) -> int | None:
    return mapping.at(key) if isinstance(mapping, Located) else None


def _text(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip() != ""


def _opt_text(value: Any) -> str | None:
    return str(value).strip() if _text(value) else None
