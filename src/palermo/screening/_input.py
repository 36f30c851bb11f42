"""Check what the worker recorded and turn it into facts and answers.

Every problem is collected, then raised once as ScreeningInputError. Contradictions a worker may
legitimately record (an age dispute, consent to one leg of a journey) are not refused: they become
flags in the assessment. Messages name the field and the rule, never a value the person gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from palermo.errors import Problem, ScreeningInputError
from palermo.screening._model import ANSWERS, EXPLOITATION, JOURNEY_FACTS, SEXES, STAGES, Catalogue

MAX_AGE = 120
_MISSING = object()
_ANSWER_SET = frozenset(ANSWERS)
_PERSON_BOOLS = ("pregnant", "disability", "serious_medical_condition")
_PERSON_KEYS = {"age", "age_uncertain", "sex", "accompanied", *_PERSON_BOOLS}


class Flag(NamedTuple):
    """A contradiction recorded but not refused, or a key the screening does not use."""

    rule: str
    fields: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "fields": list(self.fields), "text": self.text}


class Facts(NamedTuple):
    age: int | None
    age_uncertain: bool
    sex: str
    accompanied: bool | None
    pregnant: bool
    disability: bool
    serious_medical_condition: bool
    stage: str
    exploitation: str
    journey: Mapping[str, bool | None]

    @property
    def child(self) -> bool:
        """Under 18, or of uncertain age and so treated as a child until assessed."""
        return self.age_uncertain or (self.age is not None and self.age < 18)


class Parsed(NamedTuple):
    facts: Facts
    answers: Mapping[str, str]  # only the yes and no answers; every other indicator is unknown
    flags: tuple[Flag, ...]


def parse(data: Any, catalogue: Catalogue) -> Parsed:
    problems: list[Problem] = []
    flags: list[Flag] = []
    if not isinstance(data, Mapping):
        raise ScreeningInputError([Problem(None, "input", "must be a JSON object")])
    person = _mapping(data, "person", problems)
    journey_in = _mapping(data, "journey", problems)
    age = person.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        problems.append(Problem(None, "person.age", "must be a whole number of years or null"))
        age = None
    elif age is not None and not 0 <= age <= MAX_AGE:
        problems.append(Problem(None, "person.age", f"impossible age (must be 0 to {MAX_AGE})"))
        age = None
    age_uncertain = _bool(person, "age_uncertain", "person", problems, default=False)
    sex = person.get("sex", "unknown")
    if sex not in SEXES:
        problems.append(Problem(None, "person.sex", f"must be one of {', '.join(SEXES)}"))
    accompanied = _bool(person, "accompanied", "person", problems, default=None)
    flags_ = {k: _bool(person, k, "person", problems, default=False) for k in _PERSON_BOOLS}
    stage = data.get("stage")
    if stage not in STAGES:
        problems.append(Problem(None, "stage", f"required, one of {', '.join(STAGES)}"))
    exploitation = data.get("exploitation", "unknown")
    if exploitation not in EXPLOITATION:
        problems.append(Problem(None, "exploitation", f"must be one of {', '.join(EXPLOITATION)}"))
    journey = {k: _bool(journey_in, k, "journey", problems, default=None) for k in JOURNEY_FACTS}
    for section, given, known in (
        ("person", person, _PERSON_KEYS),
        ("journey", journey_in, set(JOURNEY_FACTS)),
    ):
        for key in sorted(set(given) - known, key=str):
            flags.append(
                Flag(
                    "input.unused-key",
                    (f"{section}.{str(key)[:40]}",),
                    "this key is not used by the screening",
                )
            )
    answers = _answers(data.get("indicators", {}), catalogue, problems)
    facts = Facts(
        age=age,
        age_uncertain=bool(age_uncertain),
        sex=str(sex),
        accompanied=accompanied,
        pregnant=bool(flags_["pregnant"]),
        disability=bool(flags_["disability"]),
        serious_medical_condition=bool(flags_["serious_medical_condition"]),
        stage=str(stage),
        exploitation=str(exploitation),
        journey=journey,
    )
    _contradictions(facts, answers, catalogue, problems, flags)
    if problems:
        raise ScreeningInputError(problems)
    return Parsed(facts, answers, tuple(flags))


def _mapping(data: Mapping[str, Any], key: str, problems: list[Problem]) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(None, key, "must be an object"))
        return {}
    return value


def _bool(
    section: Mapping[str, Any], key: str, name: str, problems: list[Problem], default: bool | None
) -> bool | None:
    value = section.get(key, default)
    if value is None or isinstance(value, bool):
        return value if value is not None else default
    problems.append(Problem(None, f"{name}.{key}", "must be true, false or null"))
    return default


def _answers(given: Any, catalogue: Catalogue, problems: list[Problem]) -> dict[str, str]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        problems.append(
            Problem(None, "indicators", "must be an object of indicator id to yes, no or unknown")
        )
        return {}
    answers: dict[str, str] = {}
    facts_of = catalogue.facts_of
    for key, value in given.items():
        fact = facts_of.get(key, _MISSING)
        if fact is _MISSING:
            problems.append(Problem(None, f"indicators.{str(key)[:60]}", "unknown indicator id"))
            continue
        if value not in _ANSWER_SET:
            problems.append(Problem(None, f"indicators.{str(key)[:60]}", "answer must be yes, no or unknown"))
            continue
        if fact is not None:
            where = "journey" if fact in JOURNEY_FACTS else "person"
            problems.append(
                Problem(None, f"indicators.{key}", f"answered by the fact {where}.{fact}; record it there")
            )
            continue
        if value != "unknown":
            answers[key] = value
    return answers


def _contradictions(
    facts: Facts,
    answers: Mapping[str, str],
    catalogue: Catalogue,
    problems: list[Problem],
    flags: list[Flag],
) -> None:
    j = facts.journey
    # refused: facts that cannot both be true
    if j["irregular_entry"] is True and j["crossed_border"] is False:
        problems.append(
            Problem(
                None,
                "journey.irregular_entry",
                "contradicts journey.crossed_border: an entry needs a crossing",
            )
        )
    if facts.accompanied is True and answers.get("prot.separated-child") == "yes":
        problems.append(
            Problem(
                None,
                "person.accompanied",
                "contradicts indicators.prot.separated-child: accompanied by a parent or usual carer, and separated from them",
            )
        )
    if facts.age is not None and facts.age < 18 and answers.get("prot.older-person-at-risk") == "yes":
        problems.append(
            Problem(
                None, "indicators.prot.older-person-at-risk", "contradicts person.age: recorded as under 18"
            )
        )
    # flagged: contradictions a worker may legitimately record
    if facts.pregnant and facts.sex == "male":
        flags.append(
            Flag(
                "contradiction.pregnant-male",
                ("person.pregnant", "person.sex"),
                "pregnancy recorded for a person recorded as male; check the record",
            )
        )
    if not facts.child and facts.age is not None and answers:
        for ind in catalogue.child_only:
            if answers.get(ind.id) == "yes":
                flags.append(
                    Flag(
                        "contradiction.adult-child-indicator",
                        ("person.age", f"indicators.{ind.id}"),
                        "a child-only indicator is yes for a person recorded as an adult: consider marking the age uncertain and referring for age assessment",
                    )
                )
    if j["consented_to_movement"] is True and answers.get("iloec.cr.abduction") == "yes":
        flags.append(
            Flag(
                "contradiction.consent-abduction",
                ("journey.consented_to_movement", "indicators.iloec.cr.abduction"),
                "consent to the movement recorded with abduction; consent may cover only part of the journey",
            )
        )
    if j["free_to_leave"] is True and answers.get("iloec.cd.isolation") == "yes":
        flags.append(
            Flag(
                "contradiction.free-confined",
                ("journey.free_to_leave", "indicators.iloec.cd.isolation"),
                "free to leave recorded with confinement or surveillance at destination",
            )
        )
    if facts.stage == "origin" and j["crossed_border"] is True:
        flags.append(
            Flag(
                "contradiction.origin-crossed",
                ("stage", "journey.crossed_border"),
                "stage is origin but a border crossing is recorded",
            )
        )
    if j["facilitator_paid"] is True and j["facilitated"] is False:
        flags.append(
            Flag(
                "contradiction.paid-unfacilitated",
                ("journey.facilitator_paid", "journey.facilitated"),
                "a facilitator was paid, yet the crossing is recorded as arranged by the person alone",
            )
        )
    if "no" in answers.values():
        for ind in catalogue.derived:
            if (
                ind.derived_from
                and answers.get(ind.id) == "no"
                and any(answers.get(s) == "yes" for s in ind.derived_from)
            ):
                flags.append(
                    Flag(
                        "contradiction.derived",
                        (f"indicators.{ind.id}",),
                        "answered no, but an indicator it summarises is yes",
                    )
                )
