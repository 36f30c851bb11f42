"""Read concept-scheme files (YAML) into a :class:`Scheme`, checking every rule first.

A file holds ``sources:`` and/or ``concepts:``; a custom file may also hold ``labels:`` (extra
alternative or hidden labels for concepts that already exist). Every broken rule is collected as a
:class:`~palermo.errors.Problem` whose ``row`` is the line number; then one
:class:`~palermo.errors.VocabularyFileError` names the file, the first line and rule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from palermo.errors import Problem, VocabularyFileError
from palermo.vocab._located_yaml import LocatedDict, read_yaml
from palermo.vocab._model import (
    DEFINITION_KINDS,
    LANGUAGES,
    REQUIRED_LANGUAGES,
    Concept,
    Definition,
    Scheme,
    Source,
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_CHECKS = ("no", "secondary", "primary")
TOP_KEYS = {"group", "note", "sources", "concepts", "labels"}
_SOURCE_KEYS = {"id", "title", "publisher", "date", "url", "licence", "quotable", "note"}
_CONCEPT_KEYS = {
    "id", "pref", "alt", "hidden", "definitions", "scope_note", "broader", "related", "labels_from",
    "labels_checked",
}  # fmt: skip
_DEFINITION_KEYS = {"source", "text", "kind", "locator", "lang", "verified", "note"}


class Collector:
    """Problems found in one file."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, line: int | None, where: str, rule: str) -> None:
        self.problems.append(Problem(line, where, rule))


def _line(node: Any, key: Any = None) -> int | None:
    if isinstance(node, LocatedDict):
        return node.line_of(key) if key is not None else node.line
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_keys(node: LocatedDict, allowed: set[str], where: str, out: Collector) -> None:
    for key in node:
        if key not in allowed:
            out.add(node.line_of(key), where, f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def labels(node: Any, where: str, out: Collector, *, many: bool) -> dict[str, Any]:
    """``{lang: text}`` (``many=False``) or ``{lang: [text, …]}`` (``many=True``)."""
    if node is None:
        return {}
    if not isinstance(node, LocatedDict):
        out.add(None, where, "must be a mapping from language code to label(s)")
        return {}
    result: dict[str, Any] = {}
    for lang, value in node.items():
        line = node.line_of(lang)
        if lang not in LANGUAGES:
            out.add(line, f"{where}.{lang}", f"unknown language code (allowed: {', '.join(LANGUAGES)})")
            continue
        values = value if many and isinstance(value, list) else [value]
        texts = [_text(v) for v in values]
        if not values or any(t is None for t in texts) or (not many and isinstance(value, list)):
            shape = "a list of non-empty strings" if many else "a non-empty string"
            out.add(line, f"{where}.{lang}", f"must be {shape}")
            continue
        clean = [t for t in texts if t is not None]
        result[lang] = clean if many else clean[0]
    return result


def _id_list(node: LocatedDict, key: str, where: str, out: Collector) -> list[str]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.add(node.line_of(key), f"{where}.{key}", "must be a list of concept ids")
        return []
    return list(value)


def parse_sources(doc: Any, out: Collector) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    entries = doc.get("sources") if isinstance(doc, LocatedDict) else None
    if entries is None:
        return sources
    if not isinstance(entries, list):
        out.add(_line(doc, "sources"), "sources", "must be a list of sources")
        return sources
    for i, node in enumerate(entries):
        where = f"sources[{i}]"
        if not isinstance(node, LocatedDict):
            out.add(_line(doc, "sources"), where, "must be a mapping")
            continue
        check_keys(node, _SOURCE_KEYS, where, out)
        sid = node.get("id")
        if not isinstance(sid, str) or not ID_PATTERN.match(sid):
            out.add(node.line, f"{where}.id", "required; lower-case words joined by hyphens")
            continue
        if sid in sources:
            out.add(node.line_of("id"), f"{where}.id", f"duplicate source id '{sid}'")
        date = node.get("date")
        if isinstance(date, dt.date | int):
            date = date.isoformat() if isinstance(date, dt.date) else str(date)
        missing = [k for k in ("title", "publisher") if _text(node.get(k)) is None]
        if _text(date) is None:
            missing.append("date")
        for key in missing:
            out.add(node.line, f"{where}.{key}", "required; a non-empty string")
        quotable = node.get("quotable", False)
        if not isinstance(quotable, bool):
            out.add(node.line_of("quotable"), f"{where}.quotable", "must be true or false")
            quotable = False
        if missing:
            continue
        sources[sid] = Source(
            id=sid,
            title=str(node["title"]).strip(),
            publisher=str(node["publisher"]).strip(),
            date=str(date).strip(),
            url=_text(node.get("url")),
            licence=_text(node.get("licence")),
            quotable=quotable,
            note=_text(node.get("note")),
        )
    return sources


def _definitions(
    node: LocatedDict, where: str, sources: Mapping[str, Source], out: Collector
) -> list[Definition]:
    entries = node.get("definitions")
    if not isinstance(entries, list) or not entries:
        out.add(
            node.line_of("definitions"), f"{where}.definitions", "required; a list of at least one definition"
        )
        return []
    result = []
    for j, d in enumerate(entries):
        dwhere = f"{where}.definitions[{j}]"
        if not isinstance(d, LocatedDict):
            out.add(node.line_of("definitions"), dwhere, "must be a mapping")
            continue
        check_keys(d, _DEFINITION_KEYS, dwhere, out)
        source, text, kind = d.get("source"), _text(d.get("text")), d.get("kind")
        lang, verified = d.get("lang", "en"), d.get("verified")
        ok = True
        if source not in sources:
            out.add(
                d.line_of("source"),
                f"{dwhere}.source",
                f"unknown source '{source}' (declare it under sources)",
            )
            ok = False
        if text is None:
            out.add(d.line_of("text"), f"{dwhere}.text", "required; a non-empty string")
            ok = False
        if kind not in DEFINITION_KINDS:
            out.add(d.line_of("kind"), f"{dwhere}.kind", f"required; one of {', '.join(DEFINITION_KINDS)}")
            ok = False
        elif kind == "quote" and source in sources and not sources[str(source)].quotable:
            out.add(
                d.line_of("kind"),
                f"{dwhere}.kind",
                f"source '{source}' may not be quoted (copyright): write the definition in our own words "
                "and set kind: paraphrase",
            )
            ok = False
        if lang not in LANGUAGES:
            out.add(
                d.line_of("lang"),
                f"{dwhere}.lang",
                f"unknown language code (allowed: {', '.join(LANGUAGES)})",
            )
            ok = False
        if not isinstance(verified, bool):
            out.add(d.line_of("verified"), f"{dwhere}.verified", "required; true or false (was it checked?)")
            ok = False
        if ok:
            result.append(
                Definition(
                    source=str(source),
                    text=str(text),
                    kind=str(kind),
                    locator=_text(d.get("locator")),
                    lang=str(lang),
                    verified=bool(verified),
                    note=_text(d.get("note")),
                )
            )
    return result


def _concept(node: LocatedDict, where: str, sources: Mapping[str, Source], out: Collector) -> Concept | None:
    check_keys(node, _CONCEPT_KEYS, where, out)
    cid = node.get("id")
    if not isinstance(cid, str) or not ID_PATTERN.match(cid):
        out.add(node.line_of("id"), f"{where}.id", "required; lower-case words joined by hyphens")
        return None
    where = f"{where} ({cid})"
    before = len(out.problems)
    pref = labels(node.get("pref"), f"{where}.pref", out, many=False)
    for lang in REQUIRED_LANGUAGES:
        if lang not in pref and "pref" in node:
            out.add(
                node.line_of("pref"), f"{where}.pref.{lang}", "required; a preferred label in this language"
            )
    if "pref" not in node:
        out.add(node.line, f"{where}.pref", "required; preferred labels in en, fr and es")
    alt = labels(node.get("alt"), f"{where}.alt", out, many=True)
    hidden = labels(node.get("hidden"), f"{where}.hidden", out, many=True)
    for lang, texts in alt.items():
        if lang in pref and pref[lang] in texts:
            out.add(
                node.line_of("alt"), f"{where}.alt.{lang}", f"'{pref[lang]}' is already the preferred label"
            )
    scope = labels(node.get("scope_note"), f"{where}.scope_note", out, many=False)
    definitions = _definitions(node, where, sources, out)
    labels_from = node.get("labels_from")
    if labels_from is not None and labels_from not in sources:
        out.add(node.line_of("labels_from"), f"{where}.labels_from", f"unknown source '{labels_from}'")
    checked = node.get("labels_checked", "no")
    if checked not in LABEL_CHECKS:
        out.add(
            node.line_of("labels_checked"), f"{where}.labels_checked", f"one of {', '.join(LABEL_CHECKS)}"
        )
    broader = _id_list(node, "broader", where, out)
    related = _id_list(node, "related", where, out)
    if cid in broader or cid in related:
        out.add(
            node.line_of("broader" if cid in broader else "related"), where, "a concept cannot link to itself"
        )
    if len(out.problems) > before:
        return None
    return Concept(
        id=cid,
        pref_label=pref,
        alt_labels={k: tuple(v) for k, v in alt.items()},
        hidden_labels={k: tuple(v) for k, v in hidden.items()},
        definitions=tuple(definitions),
        scope_note=scope,
        broader=tuple(broader),
        related=tuple(related),
        labels_from=labels_from,
        labels_checked=str(checked),
    )


def parse_concepts(
    doc: Any, sources: Mapping[str, Source], out: Collector, lines: dict[str, int]
) -> dict[str, Concept]:
    concepts: dict[str, Concept] = {}
    entries = doc.get("concepts") if isinstance(doc, LocatedDict) else None
    if entries is None:
        return concepts
    if not isinstance(entries, list):
        out.add(_line(doc, "concepts"), "concepts", "must be a list of concepts")
        return concepts
    for i, node in enumerate(entries):
        if not isinstance(node, LocatedDict):
            out.add(_line(doc, "concepts"), f"concepts[{i}]", "must be a mapping")
            continue
        concept = _concept(node, f"concepts[{i}]", sources, out)
        if concept is None:
            continue
        if concept.id in concepts:
            out.add(node.line_of("id"), f"concepts[{i}].id", f"duplicate concept id '{concept.id}'")
            continue
        concepts[concept.id] = concept
        lines[concept.id] = node.line
        for key in ("broader", "related", "pref"):
            if key in node:
                lines[f"{concept.id}.{key}"] = node.line_of(key)
    return concepts


def check_links(concepts: Mapping[str, Concept], lines: Mapping[str, int], out: Collector) -> None:
    """Links point at existing concepts, broader has no cycle, preferred labels are unique per language."""
    for c in concepts.values():
        for kind, targets in (("broader", c.broader), ("related", c.related)):
            for t in targets:
                if t not in concepts:
                    out.add(
                        lines.get(f"{c.id}.{kind}", lines.get(c.id)),
                        f"{c.id}.{kind}",
                        f"unknown concept id '{t}'",
                    )
    for cid in _cycle_members(concepts):
        out.add(
            lines.get(f"{cid}.broader", lines.get(cid)),
            f"{cid}.broader",
            "the broader links form a cycle through this concept",
        )
    owner: dict[tuple[str, str], str] = {}
    for c in concepts.values():
        for lang, text in c.pref_label.items():
            key = (lang, text.casefold())
            if key in owner and owner[key] != c.id:
                out.add(
                    lines.get(f"{c.id}.pref", lines.get(c.id)),
                    f"{c.id}.pref.{lang}",
                    f"same preferred label as concept '{owner[key]}'",
                )
            owner.setdefault(key, c.id)


def _cycle_members(concepts: Mapping[str, Concept]) -> list[str]:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    members: list[str] = []

    def visit(start: str) -> None:
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(concepts[start].broader))]
        state[start] = 1
        while stack:
            node, parents = stack[-1]
            advanced = False
            for p in parents:
                if p not in concepts:
                    continue
                if state.get(p) == 1:
                    members.append(p)
                elif p not in state:
                    state[p] = 1
                    stack.append((p, iter(concepts[p].broader)))
                    advanced = True
                    break
            if not advanced:
                state[node] = 2
                stack.pop()

    for cid in concepts:
        if cid not in state:
            visit(cid)
    return sorted(set(members))


def read_scheme(paths: Iterable[Path]) -> Scheme:
    """Read the files (sources and concepts) into one scheme; any broken rule raises."""
    docs = [(p, read_yaml(p)) for p in paths]
    sources: dict[str, Source] = {}
    for path, doc in docs:
        out = Collector()
        if not isinstance(doc, LocatedDict):
            raise VocabularyFileError(str(path), [Problem(1, "file", "must be a YAML mapping")])
        check_keys(doc, TOP_KEYS - {"labels"}, "file", out)
        sources.update(parse_sources(doc, out))
        if out.problems:
            raise VocabularyFileError(str(path), out.problems)
    concepts: dict[str, Concept] = {}
    lines: dict[str, int] = {}
    origin: dict[str, Path] = {}
    for path, doc in docs:
        out = Collector()
        file_lines: dict[str, int] = {}
        found = parse_concepts(doc, sources, out, file_lines)
        for cid in found:
            if cid in concepts:
                out.add(file_lines[cid], f"{cid}.id", f"duplicate concept id (also in {origin[cid].name})")
        if out.problems:
            raise VocabularyFileError(str(path), out.problems)
        concepts.update(found)
        lines.update(file_lines)
        origin.update(dict.fromkeys(found, path))
    out = Collector()
    check_links(concepts, lines, out)
    if out.problems:
        first = origin[out.problems[0].field.split(".")[0]]
        mine = [p for p in out.problems if origin[p.field.split(".")[0]] == first]
        raise VocabularyFileError(str(first), mine)
    return Scheme(concepts, sources)
