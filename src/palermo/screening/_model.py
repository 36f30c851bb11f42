"""The screening vocabulary in memory: indicators, catalogues and their sources.

Everything here is immutable once built. Names used across the package (stages, answers, strengths,
populations, dimensions) are defined once, here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from palermo.errors import NotFoundError

STAGES: tuple[str, ...] = ("origin", "transit", "destination", "return")
ANSWERS: tuple[str, ...] = ("yes", "no", "unknown")
STRENGTHS: tuple[str, ...] = ("weak", "medium", "strong")  # rank 1, 2, 3; 0 = no strength given
POPULATIONS: tuple[str, ...] = ("adult_labour", "adult_sexual", "child_labour", "child_sexual")
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
EXPLOITATION: tuple[str, ...] = ("labour", "sexual", "other", "unknown")

#: The six ILO-EC dimensions, in the brochure's order. Their position is their bit in a dimension mask.
DIMENSIONS: tuple[str, ...] = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_by_abuse_of_vulnerability",
    "exploitative_conditions",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
)
RECRUITMENT_MASK = 0b000111
EXPLOITATION_MASK = 0b001000
DESTINATION_MASK = 0b110000
MEANS_MASK = RECRUITMENT_MASK | DESTINATION_MASK

#: Families of indicators beside the ILO-EC dimensions.
OTHER_DIMENSIONS: tuple[str, ...] = ("act", "forced_labour", "smuggling", "protection")
ALL_DIMENSIONS: tuple[str, ...] = DIMENSIONS + OTHER_DIMENSIONS

#: Facts that answer an indicator, by the dimension that may use them.
PERSON_FACTS: tuple[str, ...] = (
    "unaccompanied_child",
    "age_uncertain",
    "disability",
    "serious_medical_condition",
    "pregnant",
)
JOURNEY_FACTS: tuple[str, ...] = (
    "crossed_border",
    "irregular_entry",
    "facilitator_paid",
    "facilitated",
    "consented_to_movement",
    "free_to_leave",
)
FACTS_BY_DIMENSION: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"smuggling": JOURNEY_FACTS, "protection": PERSON_FACTS, "forced_labour": JOURNEY_FACTS}
)

#: Needs that come from the verdicts rather than from a protection indicator.
VERDICT_NEEDS: tuple[str, ...] = ("trafficking-presumed", "trafficking-possible", "smuggled-migrant")

DISCLAIMER = (
    "This screening supports, and never replaces, formal identification by the competent authority. "
    "It records indications for referral, not a legal finding about the person."
)


def strength_rank(value: str | None) -> int:
    return 0 if value is None else STRENGTHS.index(value) + 1


@dataclass(frozen=True)
class Source:
    """A publication cited by an indicator, a rule or a referral table, and what of it was read."""

    id: str
    title: str
    publisher: str
    date: str
    url: str | None = None
    checked: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Indicator:
    """One indicator: its publisher's label, our question in three languages, where it can be seen,
    its concept, its strength per population where the source gives one, and its provenance."""

    id: str
    catalogue: str
    dimension: str
    label: str
    question: Mapping[str, str]
    stages: tuple[str, ...]
    concept: str
    source: str
    date: str
    verified: bool
    strength: Mapping[str, str | None] = field(default_factory=dict)
    locator: str | None = None
    note: str | None = None
    fact: str | None = None
    need: str | None = None
    derived_from: tuple[str, ...] = ()
    derived_from_fact: Mapping[str, bool] = field(default_factory=dict)
    child_only: bool = False

    def strength_for(self, population: str) -> str | None:
        return self.strength.get(population)

    def to_json(self) -> dict[str, Any]:
        """The indicator as ``palermo screen indicators --json`` prints it."""
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "dimension": self.dimension,
            "strength": {p: self.strength.get(p) for p in POPULATIONS},
            "verified": self.verified,
            "source": self.source,
            "locator": self.locator,
            "date": self.date,
            "catalogue": self.catalogue,
            "concept": self.concept,
            "stages": list(self.stages),
            "question": dict(self.question),
        }
        for key in ("fact", "need", "note"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.derived_from:
            out["derived_from"] = list(self.derived_from)
        if self.derived_from_fact:
            out["derived_from_fact"] = dict(self.derived_from_fact)
        return out


@dataclass(frozen=True)
class CatalogueInfo:
    """The header of one catalogue file."""

    id: str
    title: str
    source: str
    date: str
    verified: bool
    path: str
    builtin: bool
    fallback: Mapping[str, str] = field(default_factory=dict)


class Catalogue:
    """Every indicator in use, by id, in the order of their files."""

    def __init__(
        self,
        indicators: tuple[Indicator, ...],
        infos: tuple[CatalogueInfo, ...],
        sources: Mapping[str, Source],
        digest_parts: tuple[str, ...],
    ) -> None:
        self.indicators = indicators
        self.infos = infos
        self.sources = MappingProxyType(dict(sources))
        self._by_id = {i.id: i for i in indicators}
        self._digest_parts = digest_parts
        fallback: dict[str, str] = {}
        for info in infos:
            fallback.update(info.fallback)
        self.fallback: Mapping[str, str] = MappingProxyType(fallback)
        self.version = hashlib.sha256("\n".join(digest_parts).encode()).hexdigest()[:16]

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise NotFoundError(f"no indicator has the id '{indicator_id[:60]}'") from None

    def in_dimension(self, dimension: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension)

    @cached_property
    def facts_of(self) -> Mapping[str, str | None]:
        """Every indicator id, with the fact that answers it (None for most)."""
        return {i.id: i.fact for i in self.indicators}

    @cached_property
    def unverified_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.indicators if not i.verified)

    @cached_property
    def child_only(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.child_only)

    @cached_property
    def derived(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.derived_from or i.derived_from_fact)

    @property
    def digest_parts(self) -> tuple[str, ...]:
        return self._digest_parts
