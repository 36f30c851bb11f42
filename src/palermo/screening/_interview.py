"""The questionnaire behind ``palermo screen interview``: which question comes next, in which words.

Stage-aware skip logic: facts first, skipping those that do not apply (no pregnancy question for a man,
no crossing questions at origin); then protection questions that apply; then the key trafficking
questions (the act and every strong indicator observable at this stage); follow-up questions only once
an answer is yes, in the order of "what would change it", and only while an answer could still move the
verdict. Everything asked is recorded under ``interview.asked``, so an interrupted interview resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from palermo.screening._assessment import Assessment
from palermo.screening._catalogue import data_path
from palermo.screening._located import read_located
from palermo.screening._model import EXPLOITATION, LANGUAGES, SEXES, STAGES, Catalogue, Indicator

_FACTS = (
    "stage",
    "person.age",
    "person.age_uncertain",
    "person.sex",
    "person.accompanied",
    "person.pregnant",
    "person.disability",
    "person.serious_medical_condition",
    "exploitation",
    "journey.crossed_border",
    "journey.irregular_entry",
    "journey.facilitator_paid",
    "journey.facilitated",
    "journey.consented_to_movement",
    "journey.free_to_leave",
)
_CHOICES = {"stage": STAGES, "person.sex": SEXES, "exploitation": EXPLOITATION}


@dataclass(frozen=True)
class Question:
    """One question: ``key`` is a fact path (``person.age``) or an indicator id."""

    key: str
    text: str
    kind: str  # "choice", "age", "yes-no" (a fact), "answer" (an indicator: yes / no / unknown)
    choices: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def words() -> Mapping[str, Any]:
    doc: Mapping[str, Any] = read_located(data_path("interview.yaml"))
    return doc


class Interview:
    """State of one interview over the input dict it builds (the ``palermo screen assess`` shape)."""

    def __init__(
        self,
        catalogue: Catalogue,
        assess: Callable[[Mapping[str, Any]], Assessment],
        data: Mapping[str, Any] | None = None,
        lang: str = "en",
    ) -> None:
        self.catalogue = catalogue
        self._assess = assess
        self.lang = lang if lang in LANGUAGES else "en"
        base = dict(data or {})
        self.data: dict[str, Any] = {
            **base,
            "person": dict(base.get("person") or {}),
            "journey": dict(base.get("journey") or {}),
            "indicators": dict(base.get("indicators") or {}),
        }
        meta = dict(base.get("interview") or {})
        self.asked: list[str] = list(meta.get("asked") or [])
        self.data["interview"] = {"asked": self.asked, "lang": self.lang}

    # -- reading the state -----------------------------------------------------------------------
    def _get(self, key: str) -> Any:
        if "." in key and key.split(".")[0] in ("person", "journey"):
            section, name = key.split(".", 1)
            return self.data[section].get(name)
        return self.data.get(key)

    def choices_for_answer(self) -> dict[str, str]:
        """The letter typed for yes, no and unknown in this language."""
        table: Mapping[str, str] = words()["answers"][self.lang]
        return {table["yes"]: "yes", table["no"]: "no", table["unknown"]: "unknown"}

    def message(self, name: str, **values: Any) -> str:
        return str(words()["messages"][name][self.lang]).format(**values)

    def _fact_applies(self, key: str) -> bool:
        stage, age = self.data.get("stage"), self._get("person.age")
        crossed = self._get("journey.crossed_border")
        if key == "person.age_uncertain":
            return age is None or age < 21
        if key == "person.pregnant":
            return self._get("person.sex") != "male" and (age is None or age >= 10)
        if key == "journey.crossed_border":
            return stage != "origin"
        if key in ("journey.irregular_entry", "journey.facilitator_paid"):
            return crossed is True
        if key == "journey.facilitated":
            return crossed is True and self._get("journey.facilitator_paid") is not True
        if key == "journey.free_to_leave":
            return stage in ("destination", "return")
        return True

    def _child(self) -> bool:
        age = self._get("person.age")
        return bool(self._get("person.age_uncertain")) or (age is not None and age < 18)

    def _protection_applies(self, ind: Indicator) -> bool:
        if ind.fact is not None or ind.id in self.asked:
            return False
        if ind.child_only and (not self._child() or self._get("person.accompanied") is True):
            return False
        if ind.id == "prot.woman-at-risk":
            return self._get("person.sex") in ("female", "unknown")
        if ind.id == "prot.older-person-at-risk":
            age = self._get("person.age")
            return age is None or age >= 50
        if ind.id == "prot.asylum-claim":
            return self.data.get("stage") != "origin"
        return self.data.get("stage") in ind.stages

    # -- the next question -----------------------------------------------------------------------
    def next_question(self) -> Question | None:
        for key in _FACTS:
            if key not in self.asked and self._fact_applies(key):
                return self._fact_question(key)
        for ind in self.catalogue.in_dimension("protection"):
            if self._protection_applies(ind):
                return self._indicator_question(ind)
        stage = self.data["stage"]
        if self._get("journey.crossed_border") is True and "som.fraudulent-document" not in self.asked:
            return self._indicator_question(self.catalogue.get("som.fraudulent-document"))
        result = self._assess(self._input())
        if result.trafficking == "presumed":
            return None
        population = result.population
        for ind in self.catalogue:
            key_question = (
                ind.dimension == "act"
                or ind.strength_for(population) == "strong"
                or (
                    result.population.endswith("sexual")
                    and ind.strength_for(population.replace("sexual", "labour")) == "strong"
                )
            )
            if key_question and stage in ind.stages and ind.id not in self.asked:
                return self._indicator_question(ind)
        if not any(
            v == "yes" for k, v in self.data["indicators"].items() if not k.startswith(("prot.", "som."))
        ):
            return None
        for change in result.what_would_change:
            if change.indicator not in self.asked:
                return self._indicator_question(self.catalogue.get(change.indicator))
        return None

    def _fact_question(self, key: str) -> Question:
        text = str(words()["facts"][key][self.lang])
        if key in _CHOICES:
            return Question(key, text, "choice", tuple(_CHOICES[key]))
        if key == "person.age":
            return Question(key, text, "age")
        return Question(key, text, "yes-no", tuple(self.choices_for_answer()))

    def _indicator_question(self, ind: Indicator) -> Question:
        return Question(ind.id, ind.question[self.lang], "answer", tuple(self.choices_for_answer()))

    # -- recording answers ------------------------------------------------------------------------
    def record(self, question: Question, raw: str) -> bool:
        """Record the typed answer; False (nothing recorded) when it is not one of the choices."""
        value = raw.strip().lower()
        key = question.key
        if question.kind == "choice":
            if value not in question.choices:
                return False
            if key.startswith("person."):
                self.data["person"][key.split(".", 1)[1]] = value
            else:
                self.data[key] = value
        elif question.kind == "age":
            if value in ("", "?"):
                self.data["person"]["age"] = None
            elif value.isdigit() and 0 <= int(value) <= 120:
                self.data["person"]["age"] = int(value)
            else:
                return False
        else:
            answer = self.choices_for_answer().get(value)
            if answer is None:
                return False
            if question.kind == "yes-no":
                section, name = key.split(".", 1)
                self.data[section][name] = None if answer == "unknown" else answer == "yes"
            elif answer != "unknown":
                self.data["indicators"][key] = answer
        if key not in self.asked:
            self.asked.append(key)
        return True

    def _input(self) -> dict[str, Any]:
        return {k: v for k, v in self.data.items() if k != "interview"}

    def document(self) -> dict[str, Any]:
        """The input file's content: the answers, and what was asked (to resume)."""
        return {**self._input(), "interview": {"asked": list(self.asked), "lang": self.lang}}
