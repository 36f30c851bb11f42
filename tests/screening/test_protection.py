"""Each protection need and its referrals; smuggling with and without trafficking; consent irrelevance."""

from __future__ import annotations

from typing import Any

import pytest

from palermo.screening import ScreeningNamespace
from tests.screening.conftest import screening_input

PRESUMED = {"iloec.dr.job-nature": "yes", "iloec.dr.wages": "yes", "iloec.ex.hours": "yes",
            "iloec.ex.low-pay": "yes", "iloec.cd.documents": "yes", "iloec.cd.debt": "yes"}  # fmt: skip

NEEDS: list[tuple[str, dict[str, Any], str, set[str]]] = [
    ("unaccompanied-or-separated-child", screening_input(age=13, accompanied=False), "immediate", {"child-protection", "shelter"}),
    ("unaccompanied-or-separated-child", screening_input({"prot.separated-child": "yes"}, age=13), "immediate", {"child-protection", "shelter"}),
    ("age-uncertain", screening_input(age=None, age_uncertain=True), "immediate", {"child-protection", "age-assessment"}),
    ("woman-at-risk", screening_input({"prot.woman-at-risk": "yes"}), "priority", {"shelter", "psychosocial-support", "legal-aid"}),
    ("older-person-at-risk", screening_input({"prot.older-person-at-risk": "yes"}, age=70), "priority", {"shelter", "medical-care"}),
    ("disability", {**screening_input(), "person": {"age": 30, "disability": True}}, "priority", {"medical-care"}),
    ("serious-medical-condition", {**screening_input(), "person": {"age": 30, "serious_medical_condition": True}}, "immediate", {"medical-care"}),
    ("pregnancy", {**screening_input(), "person": {"age": 30, "pregnant": True}}, "priority", {"medical-care"}),
    ("survivor-of-violence-or-torture", screening_input({"prot.survivor-of-violence": "yes"}), "immediate", {"medical-care", "psychosocial-support", "legal-aid"}),
    ("survivor-of-violence-or-torture", screening_input({"iloec.cd.violence": "yes"}), "immediate", {"medical-care", "psychosocial-support", "legal-aid"}),
    ("single-parent", screening_input({"prot.single-parent": "yes"}), "priority", {"shelter"}),
    ("asylum-claim-expressed", screening_input({"prot.asylum-claim": "yes"}), "priority", {"asylum-procedure", "legal-aid"}),
    ("trafficking-presumed", screening_input(PRESUMED), "immediate", {"trafficking-identification", "shelter", "medical-care", "psychosocial-support", "legal-aid", "law-enforcement", "consular-assistance"}),
    ("trafficking-possible", screening_input({"iloec.cd.documents": "yes"}), "priority", {"trafficking-identification", "legal-aid"}),
    ("trafficking-possible", screening_input({"iloec.cd.documents": "yes"}, age=12), "immediate", {"trafficking-identification", "child-protection"}),
    ("smuggled-migrant", screening_input(crossed_border=True, irregular_entry=True, facilitator_paid=True), "routine", {"legal-aid", "consular-assistance"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("need", "data", "urgency", "referrals"), NEEDS, ids=[f"{n[0]}-{k}" for k, n in enumerate(NEEDS)]
)
def test_each_need_and_its_referrals(
    need: str, data: dict[str, Any], urgency: str, referrals: set[str]
) -> None:
    result = ScreeningNamespace().assess(data)
    found = {n.need: n for n in result.protection_needs}
    assert need in found and found[need].urgency == urgency
    for_need = {r.referral for r in result.referrals if need in r.needs}
    assert for_need == referrals
    assert any(e.rule == "protection.need" and e.detail == need for e in result.explanation)


def test_law_enforcement_only_with_consent_for_adults_never_asked_of_children() -> None:
    adult = ScreeningNamespace().assess(screening_input(PRESUMED))
    refs = {r.referral: r for r in adult.referrals}
    assert refs["law-enforcement"].consent_required and refs["consular-assistance"].consent_required
    assert not refs["shelter"].consent_required
    assert any(e.rule == "referral.consent" for e in adult.explanation)
    child = ScreeningNamespace().assess(screening_input({**PRESUMED, "palermo.act.recruited": "yes"}, age=15))
    assert "law-enforcement" not in {r.referral for r in child.referrals}
    assert not any(r.consent_required for r in child.referrals)


def test_no_consulate_for_a_person_asking_for_asylum() -> None:
    result = ScreeningNamespace().assess(screening_input({**PRESUMED, "prot.asylum-claim": "yes"}))
    assert "consular-assistance" not in {r.referral for r in result.referrals}
    assert any(e.rule == "referral.unless" for e in result.explanation)


def test_smuggling_without_trafficking() -> None:
    journey = {
        "crossed_border": True,
        "irregular_entry": True,
        "facilitator_paid": True,
        "free_to_leave": True,
    }
    result = ScreeningNamespace().assess(screening_input(**journey))
    assert (result.smuggling, result.trafficking) == ("yes", "no_indication")
    assert not any(e.rule == "smuggling.and-trafficking" for e in result.explanation)


def test_smuggling_with_trafficking_indicators() -> None:
    journey = {"crossed_border": True, "irregular_entry": True, "facilitator_paid": True}
    result = ScreeningNamespace().assess(screening_input(PRESUMED, **journey))
    assert (result.smuggling, result.trafficking) == ("yes", "presumed")
    assert any(e.rule == "smuggling.and-trafficking" for e in result.explanation)
    one = ScreeningNamespace().assess(screening_input({"iloec.cd.isolation": "yes"}, **journey))
    assert (one.smuggling, one.trafficking) == ("yes", "possible")


@pytest.mark.parametrize(
    ("journey", "verdict"),
    [
        ({"crossed_border": True, "irregular_entry": True, "facilitator_paid": True}, "yes"),
        (
            {"crossed_border": True, "irregular_entry": True, "facilitator_paid": True, "facilitated": False},
            "no",
        ),
        ({"crossed_border": True, "irregular_entry": False, "facilitator_paid": True}, "no"),
        ({"crossed_border": False}, "no"),
        ({"crossed_border": True, "irregular_entry": True, "facilitator_paid": False}, "no"),
        ({"crossed_border": True, "facilitator_paid": True}, "possible"),
        ({"crossed_border": True}, "possible"),
        ({}, "no"),
    ],
)
def test_smuggling_elements(journey: dict[str, bool], verdict: str) -> None:
    assert ScreeningNamespace().assess(screening_input(**journey)).smuggling == verdict


def test_consent_irrelevant_where_means_are_found() -> None:
    ns = ScreeningNamespace()
    with_consent = ns.assess(screening_input(PRESUMED, consented_to_movement=True))
    without = ns.assess(screening_input(PRESUMED, consented_to_movement=False))
    assert with_consent.trafficking == without.trafficking == "presumed"
    assert with_consent.elements == without.elements
    assert "palermo.consent-irrelevant" in {e.rule for e in with_consent.explanation}


def test_child_rule_needs_no_means() -> None:
    ns = ScreeningNamespace()
    facts = {"palermo.act.recruited": "yes", "iloec.ex.hours": "yes", "iloec.ex.low-pay": "yes"}
    child = ns.assess(screening_input(facts, age=17))
    adult = ns.assess(screening_input(facts, age=18))
    unsure = ns.assess(screening_input(facts, age=18, age_uncertain=True))
    assert (child.trafficking, adult.trafficking, unsure.trafficking) == ("presumed", "possible", "presumed")
    assert not child.elements["means"] and child.child and not adult.child
    # without the act, the child rule does not hold
    no_act = ns.assess(screening_input({**facts, "palermo.act.recruited": "no"}, age=17))
    assert no_act.trafficking == "possible"
