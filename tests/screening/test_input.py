"""Bad input: every problem listed at once, never a traceback; legitimate contradictions flagged."""

from __future__ import annotations

import pytest

from palermo.errors import PalermoError, ScreeningInputError
from palermo.screening import ScreeningNamespace
from tests.screening.conftest import screening_input


def problems(data: object) -> set[tuple[str, str]]:
    with pytest.raises(ScreeningInputError) as info:
        ScreeningNamespace().assess(data)  # type: ignore[arg-type]
    assert isinstance(info.value, PalermoError)
    return {(p.field, p.rule) for p in info.value.problems}


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        {
            "person": {"age": 140, "sex": "robot", "pregnant": "yes"},
            "stage": "somewhere",
            "exploitation": "fishing",
            "journey": {"crossed_border": False, "irregular_entry": True},
            "indicators": {"iloec.nope": "yes", "iloec.ex.hours": "maybe", "som.illegal-entry": "yes"},
        }
    )
    fields = {f for f, _ in found}
    assert fields == {
        "person.age",
        "person.sex",
        "person.pregnant",
        "stage",
        "exploitation",
        "journey.irregular_entry",
        "indicators.iloec.nope",
        "indicators.iloec.ex.hours",
        "indicators.som.illegal-entry",
    }
    assert ("person.age", "impossible age (must be 0 to 120)") in found


@pytest.mark.parametrize("age", [-1, 121, 3.5, True, "twelve"])
def test_impossible_ages(age: object) -> None:
    assert {f for f, _ in problems(screening_input(age=age))} == {"person.age"}  # type: ignore[arg-type]


def test_not_an_object() -> None:
    assert problems([1, 2]) == {("input", "must be a JSON object")}
    assert {f for f, _ in problems({"stage": "transit", "person": "x", "indicators": ["a"]})} == {
        "person",
        "indicators",
    }


def test_accompanied_and_separated_is_refused() -> None:
    found = problems(screening_input({"prot.separated-child": "yes"}, age=12, accompanied=True))
    assert {f for f, _ in found} == {"person.accompanied"}


def test_a_child_cannot_be_an_older_person_at_risk() -> None:
    found = problems(screening_input({"prot.older-person-at-risk": "yes"}, age=9))
    assert {f for f, _ in found} == {"indicators.prot.older-person-at-risk"}


def test_message_names_fields_not_values() -> None:
    with pytest.raises(ScreeningInputError) as info:
        ScreeningNamespace().assess(screening_input(age=4242))
    assert "4242" not in str(info.value) and "person.age" in str(info.value)


def test_legitimate_contradictions_are_flagged_and_assessed() -> None:
    data = screening_input(
        {"iloec.cr.abduction": "yes", "iloec.cd.isolation": "yes", "ilo.fl.isolation": "no"},
        stage="origin",
        consented_to_movement=True,
        free_to_leave=True,
        crossed_border=True,
        facilitator_paid=True,
        facilitated=False,
    )
    data["person"]["nickname"] = "x"
    result = ScreeningNamespace().assess(data)
    rules = {f.rule for f in result.flags}
    assert rules == {
        "contradiction.consent-abduction",
        "contradiction.free-confined",
        "contradiction.origin-crossed",
        "contradiction.paid-unfacilitated",
        "contradiction.derived",
        "input.unused-key",
    }
    assert result.to_json()["flags"]


def test_unknown_answers_count_as_left_out() -> None:
    ns = ScreeningNamespace()
    a = ns.assess(screening_input({"iloec.ex.hours": "unknown"}))
    b = ns.assess(screening_input())
    assert a.to_json() == b.to_json()


def test_unknown_language() -> None:
    with pytest.raises(PalermoError):
        ScreeningNamespace().assess(screening_input(), lang="de")
