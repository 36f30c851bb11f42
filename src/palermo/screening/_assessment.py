"""What an assessment returns: verdicts, elements, dimensions, needs, referrals, what would change it,
the explanation and the flags. Immutable; ``to_json()`` gives the shape the CLI prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from palermo.screening._input import Flag
from palermo.screening._model import DISCLAIMER

VERDICTS: tuple[str, ...] = ("no_indication", "possible", "presumed")
SMUGGLING_VERDICTS: tuple[str, ...] = ("no", "possible", "yes")


class Explanation(NamedTuple):
    """One rule that fired, in plain language, with the indicators behind it and its sources."""

    rule: str
    text: str
    indicators: tuple[str, ...]
    sources: tuple[Mapping[str, Any], ...]
    verified: bool
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "text": self.text,
            "indicators": list(self.indicators),
            "sources": [dict(s) for s in self.sources],
            "verified": self.verified,
        }
        if self.detail is not None:
            out["detail"] = self.detail
        return out


class Change(NamedTuple):
    """An unknown indicator whose answer could move the trafficking verdict."""

    indicator: str
    question: str
    dimension: str
    strength: str | None
    if_yes: str
    if_no: str
    verified: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "question": self.question,
            "dimension": self.dimension,
            "strength": self.strength,
            "if_yes": self.if_yes,
            "if_no": self.if_no,
            "verified": self.verified,
        }


class Need(NamedTuple):
    need: str
    concept: str | None
    urgency: str | None
    because: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "need": self.need,
            "concept": self.concept,
            "urgency": self.urgency,
            "because": list(self.because),
        }


class Referral(NamedTuple):
    referral: str
    concept: str
    label: str
    urgency: str
    needs: tuple[str, ...]
    consent_required: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "referral": self.referral,
            "concept": self.concept,
            "label": self.label,
            "urgency": self.urgency,
            "for": list(self.needs),
            "consent_required": self.consent_required,
        }


@dataclass(frozen=True)
class Assessment:
    """The result of one screening. It supports a decision; it never replaces formal identification."""

    trafficking: str
    smuggling: str
    elements: Mapping[str, bool]
    evidence: Mapping[str, tuple[str, ...]]
    dimensions: Mapping[str, bool]
    child: bool
    population: str
    stage: str
    forced_labour: tuple[str, ...]
    protection_needs: tuple[Need, ...]
    referrals: tuple[Referral, ...]
    what_would_change: tuple[Change, ...]
    explanation: tuple[Explanation, ...]
    flags: tuple[Flag, ...]
    unverified_indicators: tuple[str, ...]
    unverified_rules: tuple[str, ...]
    catalogue_version: str
    referral_table: str
    answers: Mapping[str, Any] = field(repr=False)
    disclaimer: str = DISCLAIMER

    def to_json(self) -> dict[str, Any]:
        """The assessment as ``palermo screen assess --json`` prints it (the disclaimer included)."""
        return {
            "trafficking": self.trafficking,
            "smuggling": self.smuggling,
            "elements": dict(self.elements),
            "dimensions": dict(self.dimensions),
            "protection_needs": [n.to_json() for n in self.protection_needs],
            "referrals": [r.to_json() for r in self.referrals],
            "what_would_change": [c.to_json() for c in self.what_would_change],
            "explanation": [e.to_json() for e in self.explanation],
            "flags": [f.to_json() for f in self.flags],
            "unverified": {
                "indicators": list(self.unverified_indicators),
                "rules": list(self.unverified_rules),
            },
            "evidence": {k: list(v) for k, v in self.evidence.items()},
            "forced_labour": list(self.forced_labour),
            "child": self.child,
            "population": self.population,
            "stage": self.stage,
            "catalogue_version": self.catalogue_version,
            "referral_table": self.referral_table,
            "disclaimer": self.disclaimer,
        }
