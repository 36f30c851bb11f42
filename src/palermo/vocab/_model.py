"""The concept scheme in memory: sources, definitions, concepts and their hierarchy.

Everything here is immutable once built. A :class:`Scheme` answers the questions other capabilities
ask by concept id: what is this concept, which concepts sit under it, is one concept under another.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from palermo.errors import UnknownTermError

#: Label languages of the scheme: the six UN languages. English, French and Spanish are required for
#: every concept; Arabic, Russian and Chinese are given only where a reliable label was found.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh")
REQUIRED_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

#: How a definition relates to its source: ``quote`` (the source's own words, only for sources that may
#: be quoted, such as treaty text), ``paraphrase`` (our own words summarising the source), ``own`` (a
#: Palermo working definition; the source says where the term is used).
DEFINITION_KINDS: tuple[str, ...] = ("quote", "paraphrase", "own")


@dataclass(frozen=True)
class Source:
    """A publication that a definition, a label or a mapping cites."""

    id: str
    title: str
    publisher: str
    date: str
    url: str | None = None
    licence: str | None = None
    quotable: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Definition:
    """One source's reading of a concept, with where in the source it is and whether it was checked."""

    source: str
    text: str
    kind: str
    locator: str | None = None
    lang: str = "en"
    verified: bool = False
    note: str | None = None

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.source, self.locator or "", self.lang, self.text)


def _frozen_labels(labels: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({lang: tuple(sorted(set(v))) for lang, v in sorted(labels.items()) if v})


@dataclass(frozen=True)
class Concept:
    """A concept with its labels in several languages, definitions per source and its links.

    Alternative and hidden labels, definitions and links are kept in a canonical (sorted) order, so
    two concepts read from different files (YAML, Turtle, JSON-LD) compare equal when they say the
    same thing.
    """

    id: str
    pref_label: Mapping[str, str]
    alt_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hidden_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    definitions: tuple[Definition, ...] = ()
    scope_note: Mapping[str, str] = field(default_factory=dict)
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    labels_from: str | None = None
    labels_checked: str = "no"

    def __post_init__(self) -> None:
        object.__setattr__(self, "pref_label", MappingProxyType(dict(sorted(self.pref_label.items()))))
        object.__setattr__(self, "alt_labels", _frozen_labels(self.alt_labels))
        object.__setattr__(self, "hidden_labels", _frozen_labels(self.hidden_labels))
        object.__setattr__(self, "scope_note", MappingProxyType(dict(sorted(self.scope_note.items()))))
        object.__setattr__(self, "definitions", tuple(sorted(self.definitions, key=Definition.sort_key)))
        object.__setattr__(self, "broader", tuple(sorted(set(self.broader))))
        object.__setattr__(self, "related", tuple(sorted(set(self.related))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Concept):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self.id)

    def _key(self) -> tuple[object, ...]:
        return (
            self.id,
            dict(self.pref_label),
            dict(self.alt_labels),
            dict(self.hidden_labels),
            self.definitions,
            dict(self.scope_note),
            self.broader,
            self.related,
            self.labels_from,
            self.labels_checked,
        )

    @property
    def label(self) -> str:
        """The English preferred label."""
        return self.pref_label["en"]

    def labels(self) -> Iterator[tuple[str, str, str]]:
        """Every label as ``(kind, lang, text)`` with kind ``pref``, ``alt`` or ``hidden``."""
        for lang, text in self.pref_label.items():
            yield "pref", lang, text
        for kind, table in (("alt", self.alt_labels), ("hidden", self.hidden_labels)):
            for lang, texts in table.items():
                for text in texts:
                    yield kind, lang, text

    def to_dict(self) -> dict[str, object]:
        """A plain, JSON-ready view of the concept."""
        return {
            "id": self.id,
            "pref_label": dict(self.pref_label),
            "alt_labels": {k: list(v) for k, v in self.alt_labels.items()},
            "hidden_labels": {k: list(v) for k, v in self.hidden_labels.items()},
            "definitions": [
                {
                    "source": d.source,
                    "kind": d.kind,
                    "locator": d.locator,
                    "lang": d.lang,
                    "text": d.text,
                    "verified": d.verified,
                    "note": d.note,
                }
                for d in self.definitions
            ],
            "scope_note": dict(self.scope_note),
            "broader": list(self.broader),
            "related": list(self.related),
            "labels_from": self.labels_from,
            "labels_checked": self.labels_checked,
        }


@dataclass(frozen=True)
class SchemeInfo:
    """What the scheme as a whole is called and where its concepts live on the web of data."""

    id: str = "palermo"
    title: str = "Palermo concept scheme: trafficking in persons, smuggling of migrants and protection"
    version: str = "1"
    base_iri: str = "urn:palermo:vocab:"


def _symmetric_related(concepts: Mapping[str, Concept]) -> dict[str, Concept]:
    """skos:related is symmetric: a file may state a link once; the scheme holds it both ways."""
    extra: dict[str, set[str]] = {}
    for c in concepts.values():
        for other in c.related:
            if other in concepts and c.id not in concepts[other].related:
                extra.setdefault(other, set()).add(c.id)
    result = dict(concepts)
    for cid, more in extra.items():
        result[cid] = replace(result[cid], related=(*result[cid].related, *more))
    return result


class Scheme:
    """An immutable set of concepts and the sources they cite, with hierarchy lookups.

    Build one with :func:`palermo.vocab.builtin_scheme` or ``ws.vocab``; the constructor trusts its
    input (the file readers validate it).
    """

    def __init__(
        self,
        concepts: Mapping[str, Concept],
        sources: Mapping[str, Source],
        info: SchemeInfo | None = None,
    ) -> None:
        self.info = info or SchemeInfo()
        concepts = _symmetric_related(concepts)
        self._concepts: Mapping[str, Concept] = MappingProxyType(dict(sorted(concepts.items())))
        self._sources: Mapping[str, Source] = MappingProxyType(dict(sorted(sources.items())))
        narrower: dict[str, list[str]] = {cid: [] for cid in self._concepts}
        for concept in self._concepts.values():
            for parent in concept.broader:
                narrower.setdefault(parent, []).append(concept.id)
        self._narrower = {k: tuple(sorted(v)) for k, v in narrower.items()}

    # -- container -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts.values())

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._concepts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scheme):
            return NotImplemented
        return dict(self._concepts) == dict(other._concepts) and dict(self._sources) == dict(other._sources)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Scheme({self.info.id!r}, {len(self)} concepts, {len(self._sources)} sources)"

    @property
    def concepts(self) -> Mapping[str, Concept]:
        return self._concepts

    @property
    def sources(self) -> Mapping[str, Source]:
        return self._sources

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, concept_id: str) -> Concept:
        """The concept with this id; :class:`~palermo.errors.UnknownTermError` if there is none."""
        try:
            return self._concepts[concept_id]
        except KeyError:
            raise UnknownTermError(f"no concept with id '{concept_id}' in the concept scheme") from None

    def source(self, source_id: str) -> Source:
        try:
            return self._sources[source_id]
        except KeyError:
            raise UnknownTermError(f"no source with id '{source_id}' in the concept scheme") from None

    def top_concepts(self) -> tuple[Concept, ...]:
        """Concepts with no broader concept."""
        return tuple(c for c in self if not c.broader)

    def narrower(self, concept_id: str, *, transitive: bool = False) -> tuple[Concept, ...]:
        """Concepts directly under ``concept_id``, or every concept under it when ``transitive``."""
        self.get(concept_id)
        if not transitive:
            return tuple(self._concepts[c] for c in self._narrower.get(concept_id, ()))
        seen: dict[str, None] = {}
        stack = list(reversed(self._narrower.get(concept_id, ())))
        while stack:
            cid = stack.pop()
            if cid in seen:
                continue
            seen[cid] = None
            stack.extend(reversed(self._narrower.get(cid, ())))
        return tuple(self._concepts[c] for c in sorted(seen))

    def ancestors(self, concept_id: str) -> tuple[Concept, ...]:
        """Every concept above ``concept_id`` (broader, transitively)."""
        seen: dict[str, None] = {}
        stack = list(self.get(concept_id).broader)
        while stack:
            cid = stack.pop()
            if cid in seen or cid not in self._concepts:
                continue
            seen[cid] = None
            stack.extend(self._concepts[cid].broader)
        return tuple(self._concepts[c] for c in sorted(seen))

    def is_under(self, concept_id: str, ancestor_id: str) -> bool:
        """Whether ``ancestor_id`` is ``concept_id`` itself or one of its ancestors."""
        self.get(ancestor_id)
        return concept_id == ancestor_id or any(c.id == ancestor_id for c in self.ancestors(concept_id))

    def merged(self, concepts: Mapping[str, Concept], sources: Mapping[str, Source]) -> Scheme:
        """A new scheme with these concepts and sources added or replaced; this one is unchanged."""
        return Scheme({**self._concepts, **concepts}, {**self._sources, **sources}, self.info)
