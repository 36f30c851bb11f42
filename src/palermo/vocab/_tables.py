"""Views of the scheme for people: the CSV export for spreadsheet users and the divergences view that
sets each source's definition of a concept side by side."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from palermo.vocab._crosswalk import Crosswalk
from palermo.vocab._model import LANGUAGES, Concept, Definition, Scheme, Source

CSV_COLUMNS = (
    "id",
    *(f"pref_label_{lang}" for lang in LANGUAGES),
    *(f"alt_labels_{lang}" for lang in LANGUAGES),
    "broader",
    "narrower",
    "related",
    "definitions",
    "sources",
    "scope_note_en",
    "codes",
)
_JOIN = " | "


def codes_of(concept_id: str, crosswalks: Iterable[Crosswalk]) -> list[str]:
    """``standard:field`` or ``standard:field=code`` for every code that maps to the concept."""
    out = []
    for cw in crosswalks:
        for field_name, code, mapping in cw.codes_for(concept_id):
            if mapping.status != "present":
                continue
            out.append(f"{cw.standard}:{field_name}" + ("" if code is None else f"={code}"))
    return out


def to_csv(scheme: Scheme, crosswalks: Iterable[Crosswalk] = ()) -> str:
    """One row per concept; several values in a cell are joined by `` | ``."""
    walks = list(crosswalks)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in scheme:
        writer.writerow(
            [
                c.id,
                *(c.pref_label.get(lang, "") for lang in LANGUAGES),
                *(_JOIN.join(c.alt_labels.get(lang, ())) for lang in LANGUAGES),
                _JOIN.join(c.broader),
                _JOIN.join(n.id for n in scheme.narrower(c.id)),
                _JOIN.join(c.related),
                _JOIN.join(_definition_text(d) for d in c.definitions),
                _JOIN.join(sorted({d.source for d in c.definitions})),
                c.scope_note.get("en", ""),
                _JOIN.join(codes_of(c.id, walks)),
            ]
        )
    return buf.getvalue()


def _definition_text(d: Definition) -> str:
    where = f" {d.locator}" if d.locator else ""
    flag = "" if d.verified else " [unverified]"
    return f"[{d.source}{where}; {d.kind}{flag}] {d.text}"


@dataclass(frozen=True)
class Reading:
    """One source's definition of a concept."""

    source: Source
    definition: Definition

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source.id,
            "title": self.source.title,
            "publisher": self.source.publisher,
            "date": self.source.date,
            "kind": self.definition.kind,
            "locator": self.definition.locator,
            "lang": self.definition.lang,
            "text": self.definition.text,
            "verified": self.definition.verified,
            "note": self.definition.note,
        }


@dataclass(frozen=True)
class Divergences:
    """The definitions of one concept from each source, side by side, with the scope note that says
    where usage diverges. Treaty and legislation text (quotes) come first, then by source date."""

    concept: Concept
    readings: tuple[Reading, ...]

    @property
    def scope_note(self) -> str | None:
        return self.concept.scope_note.get("en")

    def to_dict(self) -> dict[str, object]:
        return {
            "concept": self.concept.id,
            "pref_label": dict(self.concept.pref_label),
            "scope_note": self.scope_note,
            "readings": [r.to_dict() for r in self.readings],
        }


def divergences(scheme: Scheme, concept_id: str) -> Divergences:
    concept = scheme.get(concept_id)
    order = {"quote": 0, "paraphrase": 1, "own": 2}
    readings = sorted(
        (Reading(scheme.source(d.source), d) for d in concept.definitions),
        key=lambda r: (order.get(r.definition.kind, 3), r.source.date, r.source.id),
    )
    return Divergences(concept, tuple(readings))
