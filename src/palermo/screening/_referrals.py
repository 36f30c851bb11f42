"""The referral rule table: for each protection need its urgency and referrals. Data, replaceable by
an organisation's own pathways (``ws.screening.load_referrals(path)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from palermo.errors import CatalogueFileError, Problem
from palermo.screening._catalogue import builtin_sources, data_path
from palermo.screening._located import Located, read_located
from palermo.screening._model import LANGUAGES

APPLIES_TO: tuple[str, ...] = ("any", "child", "adult")


@dataclass(frozen=True)
class ReferralKind:
    id: str
    concept: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Step:
    to: str
    consent_required: bool
    unless: tuple[str, ...]


@dataclass(frozen=True)
class NeedRule:
    need: str
    concept: str
    applies_to: str
    urgency: str
    refer: tuple[Step, ...]


@dataclass(frozen=True, eq=False)
class ReferralTable:
    id: str
    title: str
    source: str
    path: str
    urgencies: tuple[str, ...]
    kinds: Mapping[str, ReferralKind]
    rules: tuple[NeedRule, ...]

    def rules_for(self, need: str, child: bool) -> list[NeedRule]:
        group = "child" if child else "adult"
        return [r for r in self.rules if r.need == need and r.applies_to in ("any", group)]

    def needs(self) -> set[str]:
        return {r.need for r in self.rules}


def builtin_referrals(concept_exists: Callable[[str], bool]) -> ReferralTable:
    return read_referrals(data_path("referrals.yaml"), concept_exists)


def read_referrals(path: Path, concept_exists: Callable[[str], bool]) -> ReferralTable:
    """Read and check a referral table; every problem is named by line and rule, then raised once."""
    doc = read_located(path)
    problems: list[Problem] = []
    if not isinstance(doc, Located):
        raise CatalogueFileError(str(path), [Problem(None, "file", "must be a YAML mapping")])
    for key in set(doc) - {"table", "urgencies", "referrals", "rules"}:
        problems.append(Problem(doc.at(key), key, "unknown top-level key"))
    table_head = doc.get("table")
    head: dict[str, Any] = dict(table_head) if isinstance(table_head, dict) else {}
    for key in ("id", "title", "source"):
        if not head.get(key):
            problems.append(Problem(doc.at("table"), f"table.{key}", "required text is missing"))
    if head.get("source") and head["source"] not in builtin_sources():
        problems.append(Problem(doc.at("table"), "table.source", "unknown source id"))
    urgencies = doc.get("urgencies")
    if not isinstance(urgencies, list) or not urgencies or not all(isinstance(u, str) for u in urgencies):
        problems.append(
            Problem(
                doc.at("urgencies"), "urgencies", "a list of urgency names, most urgent first, is required"
            )
        )
        urgencies = []
    kinds = _kinds(doc.get("referrals"), doc.at("referrals"), concept_exists, problems)
    rules = _rules(doc.get("rules"), doc.at("rules"), set(kinds), urgencies, concept_exists, problems)
    if problems:
        raise CatalogueFileError(str(path), problems)
    return ReferralTable(
        id=str(head["id"]),
        title=str(head["title"]),
        source=str(head["source"]),
        path=str(path),
        urgencies=tuple(urgencies),
        kinds=MappingProxyType(kinds),
        rules=tuple(rules),
    )


def _kinds(
    entries: Any, line: int, concept_exists: Callable[[str], bool], problems: list[Problem]
) -> dict[str, ReferralKind]:
    kinds: dict[str, ReferralKind] = {}
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(line, "referrals", "a non-empty list of referral kinds is required"))
        return kinds
    for entry in entries:
        at = entry.line if isinstance(entry, Located) else line
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            problems.append(Problem(at, "referrals.id", "each referral needs an id"))
            continue
        if entry["id"] in kinds:
            problems.append(Problem(at, "referrals.id", f"duplicate referral id '{entry['id']}'"))
        if not isinstance(entry.get("concept"), str) or not concept_exists(entry["concept"]):
            problems.append(Problem(at, "referrals.concept", "must be a concept id of the vocabulary"))
        label = entry.get("label")
        if not isinstance(label, dict) or any(not label.get(lang) for lang in LANGUAGES):
            problems.append(
                Problem(at, "referrals.label", f"a label in each of {', '.join(LANGUAGES)} is required")
            )
            label = {}
        kinds[entry["id"]] = ReferralKind(entry["id"], str(entry.get("concept")), dict(label))
    return kinds


def _rules(
    entries: Any,
    line: int,
    kinds: set[str],
    urgencies: Iterable[str],
    concept_exists: Callable[[str], bool],
    problems: list[Problem],
) -> list[NeedRule]:
    rules: list[NeedRule] = []
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(line, "rules", "a non-empty list of rules is required"))
        return rules
    allowed = set(urgencies)
    for entry in entries:
        at = entry.line if isinstance(entry, Located) else line
        before = len(problems)
        if not isinstance(entry, dict) or not isinstance(entry.get("need"), str):
            problems.append(Problem(at, "rules.need", "each rule needs a need id"))
            continue
        if entry.get("applies_to", "any") not in APPLIES_TO:
            problems.append(Problem(at, "rules.applies_to", f"must be one of {', '.join(APPLIES_TO)}"))
        if entry.get("urgency") not in allowed:
            problems.append(Problem(at, "rules.urgency", "must be one of the urgencies listed"))
        if not isinstance(entry.get("concept"), str) or not concept_exists(entry["concept"]):
            problems.append(Problem(at, "rules.concept", "must be a concept id of the vocabulary"))
        steps: list[Step] = []
        for step in entry.get("refer") or []:
            if not isinstance(step, dict) or step.get("to") not in kinds:
                problems.append(Problem(at, "rules.refer", "each step needs 'to', one of the referral ids"))
                continue
            consent = step.get("consent", "not-required")
            if consent not in ("required", "not-required"):
                problems.append(Problem(at, "rules.refer.consent", "must be 'required' or 'not-required'"))
            unless = step.get("unless") or []
            if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
                problems.append(Problem(at, "rules.refer.unless", "must be a list of need ids"))
                unless = []
            steps.append(Step(step["to"], consent == "required", tuple(unless)))
        if len(problems) == before:
            rules.append(
                NeedRule(
                    entry["need"],
                    entry["concept"],
                    entry.get("applies_to", "any"),
                    entry["urgency"],
                    tuple(steps),
                )
            )
    return rules
