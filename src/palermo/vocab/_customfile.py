"""Read a custom scheme file that extends a scheme: new sources, new concepts, and extra labels for
concepts that already exist. The scheme passed in is never changed; the result is a new scheme."""

from __future__ import annotations

from pathlib import Path

from palermo.errors import Problem, VocabularyFileError
from palermo.vocab._located_yaml import LocatedDict, read_yaml
from palermo.vocab._model import Concept, Scheme
from palermo.vocab._schemefile import (
    TOP_KEYS,
    Collector,
    check_keys,
    check_links,
    labels,
    parse_concepts,
    parse_sources,
)


def read_custom(path: Path, base: Scheme) -> Scheme:
    """``base`` plus the sources, concepts and extra labels in ``path``; ``base`` is never changed."""
    doc = read_yaml(path)
    if not isinstance(doc, LocatedDict):
        raise VocabularyFileError(str(path), [Problem(1, "file", "must be a YAML mapping")])
    out = Collector()
    check_keys(doc, TOP_KEYS, "file", out)
    if not any(k in doc for k in ("concepts", "labels")):
        out.add(doc.line, "file", "has neither 'concepts' nor 'labels': nothing to load")
    new_sources = parse_sources(doc, out)
    for sid in new_sources:
        if sid in base.sources:
            out.add(doc.line_of("sources"), f"sources.{sid}", "a built-in source has this id; choose another")
    sources = {**base.sources, **new_sources}
    lines: dict[str, int] = {}
    new = parse_concepts(doc, sources, out, lines)
    for cid in new:
        if cid in base:
            out.add(
                lines[cid], f"{cid}.id", "a built-in concept has this id; add labels under 'labels' instead"
            )
    extended = _extra_labels(doc, base, out, lines)
    merged = {**dict(base.concepts), **extended, **new}
    if not out.problems:
        link_out = Collector()
        check_links(merged, lines, link_out)
        out.problems.extend(p for p in link_out.problems if p.field.split(".")[0] in {*new, *extended})
    if out.problems:
        raise VocabularyFileError(str(path), out.problems)
    return base.merged({**extended, **new}, new_sources)


def _extra_labels(
    doc: LocatedDict, base: Scheme, out: Collector, lines: dict[str, int]
) -> dict[str, Concept]:
    node = doc.get("labels")
    if node is None:
        return {}
    if not isinstance(node, LocatedDict):
        out.add(doc.line_of("labels"), "labels", "must map concept ids to {alt: …, hidden: …}")
        return {}
    result: dict[str, Concept] = {}
    for cid, entry in node.items():
        where, line = f"labels.{cid}", node.line_of(cid)
        if cid not in base:
            out.add(line, where, f"unknown concept id '{cid}'")
            continue
        if not isinstance(entry, LocatedDict):
            out.add(line, where, "must be a mapping with 'alt' and/or 'hidden'")
            continue
        check_keys(entry, {"alt", "hidden"}, where, out)
        old = base.get(cid)
        alt = labels(entry.get("alt"), f"{where}.alt", out, many=True)
        hidden = labels(entry.get("hidden"), f"{where}.hidden", out, many=True)
        lines[cid] = line
        result[cid] = Concept(
            id=old.id,
            pref_label=old.pref_label,
            alt_labels={
                lang: (*old.alt_labels.get(lang, ()), *alt.get(lang, ())) for lang in {*old.alt_labels, *alt}
            },
            hidden_labels={
                lang: (*old.hidden_labels.get(lang, ()), *hidden.get(lang, ()))
                for lang in {*old.hidden_labels, *hidden}
            },
            definitions=old.definitions,
            scope_note=old.scope_note,
            broader=old.broader,
            related=old.related,
            labels_from=old.labels_from,
            labels_checked=old.labels_checked,
        )
    return result
