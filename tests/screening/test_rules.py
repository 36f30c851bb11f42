"""Every combination rule, checked by hypothesis against an independent, straightforward reading of the
rule as written in docs/screening.md (not against the engine's tables)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palermo.screening import DIMENSIONS, ScreeningNamespace, builtin_catalogue, dimension_positive
from tests.screening.conftest import screening_input

CAT = builtin_catalogue()
NS = ScreeningNamespace()
TRAFFICKING_IDS = [i.id for i in CAT if i.dimension in DIMENSIONS or i.dimension in ("act", "forced_labour")]
PATTERNS = [
    {"strong": 2},
    {"strong": 1, "medium": 1},
    {"strong": 1, "weak": 1},
    {"medium": 3},
    {"medium": 2, "weak": 1},
]


def positive_by_reading(strengths: list[str]) -> bool:
    """'At least two strong, or one strong and one medium or weak, or three medium, or two medium and one
    weak': the dimension's yes answers contain one of these patterns."""
    have = Counter(strengths)
    return any(all(have[k] >= n for k, n in pattern.items()) for pattern in PATTERNS)


@given(st.lists(st.sampled_from(["strong", "medium", "weak"]), max_size=8))
def test_dimension_rule(strengths: list[str]) -> None:
    have = Counter(strengths)
    assert dimension_positive(have["strong"], have["medium"], have["weak"]) == positive_by_reading(strengths)


def strength(indicator_id: str, population: str) -> str | None:
    """Read from the indicator's own data; the sexual lists fall back on the labour list of the age group."""
    ind = CAT.get(indicator_id)
    own = ind.strength.get(population)
    if own is None and population.endswith("sexual"):
        return ind.strength.get(population.replace("sexual", "labour"))
    return own


def expected_verdict(data: dict[str, Any]) -> str:
    person, journey, answers = data["person"], data["journey"], data["indicators"]
    child = person["age_uncertain"] or (person["age"] is not None and person["age"] < 18)
    population = ("child" if child else "adult") + (
        "_sexual" if data["exploitation"] == "sexual" else "_labour"
    )
    by_dim: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for ind_id, answer in answers.items():
        ind = CAT.get(ind_id)
        s = strength(ind_id, population)
        if answer == "yes" and ind.dimension in DIMENSIONS and s is not None:
            by_dim[ind.dimension].append(s)
    positive = {d: positive_by_reading(v) for d, v in by_dim.items()}
    recruitment = DIMENSIONS[:3]
    act = any(answers.get(i.id) == "yes" for i in CAT if i.dimension == "act" or i.dimension in recruitment)

    def holds(pos: dict[str, bool], act_: bool) -> bool:
        if child:
            return act_ and pos["exploitative_conditions"]
        return (
            any(pos[d] for d in recruitment)
            and pos["exploitative_conditions"]
            and (pos["coercion_at_destination"] or pos["abuse_of_vulnerability_at_destination"])
        )

    if holds(positive, act):
        return "presumed"
    strong_yes = any(
        a == "yes" and CAT.get(k).dimension in DIMENSIONS and strength(k, population) == "strong"
        for k, a in answers.items()
    )
    forced_labour = False
    for ind in CAT.in_dimension("forced_labour"):
        direct = answers.get(ind.id)
        derived = any(answers.get(s) == "yes" for s in ind.derived_from) or any(
            journey.get(k) is v for k, v in ind.derived_from_fact.items()
        )
        forced_labour = forced_labour or direct == "yes" or (direct is None and derived)
    if strong_yes or any(positive.values()) or forced_labour or journey.get("free_to_leave") is False:
        return "possible"
    any_yes = any(a == "yes" for k, a in answers.items() if k in TRAFFICKING_IDS)
    # every unknown answer set to yes: can the combination hold?
    everything = {i.id: answers.get(i.id, "yes") for i in CAT if i.id in TRAFFICKING_IDS}
    full_dim: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for ind_id, answer in everything.items():
        s = strength(ind_id, population)
        if answer == "yes" and CAT.get(ind_id).dimension in DIMENSIONS and s is not None:
            full_dim[CAT.get(ind_id).dimension].append(s)
    full_act = any(
        everything.get(i.id) == "yes" for i in CAT if i.dimension == "act" or i.dimension in recruitment
    )
    if any_yes and holds({d: positive_by_reading(v) for d, v in full_dim.items()}, full_act):
        return "possible"
    return "no_indication"


answers = st.dictionaries(
    st.sampled_from(TRAFFICKING_IDS), st.sampled_from(["yes", "no", "unknown"]), max_size=40
)
inputs = st.builds(
    lambda ind, age, unsure, stage, expl, free, consent: screening_input(
        ind,
        age=age,
        age_uncertain=unsure,
        stage=stage,
        exploitation=expl,
        free_to_leave=free,
        consented_to_movement=consent,
    ),
    answers,
    st.one_of(st.none(), st.integers(0, 120)),
    st.booleans(),
    st.sampled_from(["origin", "transit", "destination", "return"]),
    st.sampled_from(["labour", "sexual", "other", "unknown"]),
    st.sampled_from([True, False, None]),
    st.sampled_from([True, False, None]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
def test_verdict_matches_the_reading_of_the_rules(data: dict[str, Any]) -> None:
    result = NS.assess(data)
    assert result.trafficking == expected_verdict(data)
    # the elements follow the dimensions
    assert result.elements["purpose"] == result.dimensions["exploitative_conditions"]
    assert result.elements["means"] == any(
        v for k, v in result.dimensions.items() if k != "exploitative_conditions"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
def test_what_would_change_lists_exactly_the_answers_that_move_the_verdict(data: dict[str, Any]) -> None:
    result = NS.assess(data)
    listed = {c.indicator: c for c in result.what_would_change}
    derived_known = set(result.forced_labour)
    for ind in CAT:
        if (
            ind.id not in TRAFFICKING_IDS
            or data["stage"] not in ind.stages
            or (ind.id in data["indicators"] and data["indicators"][ind.id] != "unknown")
        ):
            continue
        if ind.dimension == "forced_labour" and (
            ind.id in derived_known
            or (ind.derived_from and all(data["indicators"].get(s) == "no" for s in ind.derived_from))
        ):
            continue
        moved = {}
        for answer in ("yes", "no"):
            changed = {**data, "indicators": {**data["indicators"], ind.id: answer}}
            moved[answer] = expected_verdict(changed)
        if moved["yes"] != result.trafficking or moved["no"] != result.trafficking:
            assert ind.id in listed, ind.id
        if ind.id in listed:
            assert (listed[ind.id].if_yes, listed[ind.id].if_no) == (moved["yes"], moved["no"])
            if moved["yes"] == moved["no"] == result.trafficking:
                # listed only because a yes brings the combination closer: with it, and every other
                # unknown answer yes, the combination must hold
                completed = {i.id: "yes" for i in CAT if i.id in TRAFFICKING_IDS}
                completed.update({k: v for k, v in data["indicators"].items() if v != "unknown"})
                completed[ind.id] = "yes"
                assert expected_verdict({**data, "indicators": completed}) == "presumed", ind.id


def test_most_decisive_first(ns: ScreeningNamespace) -> None:
    # adult with deceptive recruitment and exploitation positive: only a destination dimension is missing,
    # so the strong destination indicators come first
    data = screening_input(
        {
            "iloec.dr.job-nature": "yes",
            "iloec.dr.wages": "yes",
            "iloec.ex.hours": "yes",
            "iloec.ex.low-pay": "yes",
        }
    )
    first = ns.assess(data).what_would_change[0]
    assert first.dimension == "coercion_at_destination" and first.strength == "strong"
    assert first.if_yes == first.if_no == "possible"  # two more answers needed: closer, not there
    # one strong destination answer away from presumed
    data["indicators"]["iloec.cd.documents"] = "yes"
    first = ns.assess(data).what_would_change[0]
    assert first.if_yes == "presumed" and first.dimension == "coercion_at_destination"


def test_adult_combination_needs_all_three_groups(ns: ScreeningNamespace) -> None:
    recruit = {"iloec.dr.job-nature": "yes", "iloec.dr.wages": "yes"}
    exploit = {"iloec.ex.hours": "yes", "iloec.ex.low-pay": "yes"}
    dest = {"iloec.cd.documents": "yes", "iloec.cd.violence": "yes"}
    assert ns.assess(screening_input({**recruit, **exploit, **dest})).trafficking == "presumed"
    for missing in (recruit, exploit, dest):
        parts = {k: v for part in (recruit, exploit, dest) if part is not missing for k, v in part.items()}
        assert ns.assess(screening_input(parts)).trafficking == "possible"
    # the other dimensions of each group serve as well
    alt = {
        "iloec.vr.economic": "yes",
        "iloec.vr.family-situation": "yes",
        "iloec.vr.illegal-status": "yes",
        "iloec.vd.dependency": "yes",
        "iloec.vd.economic": "yes",
        "iloec.vd.authorities": "yes",
    }
    result = ns.assess(screening_input({**alt, **exploit}))
    assert result.trafficking == "presumed"
    assert result.dimensions["recruitment_by_abuse_of_vulnerability"]
    assert result.dimensions["abuse_of_vulnerability_at_destination"]


def test_weak_indicators_alone_never_make_a_dimension(ns: ScreeningNamespace) -> None:
    weak = {"iloec.vd.past-difficulties": "yes", "iloec.vd.personal-characteristics": "yes"}
    result = ns.assess(screening_input(weak))
    assert not result.dimensions["abuse_of_vulnerability_at_destination"]
    assert result.trafficking == "possible"  # indications, and the combination can still complete
    everything_else_no = {i.id: "no" for i in CAT if i.id in TRAFFICKING_IDS and i.id not in weak}
    assert ns.assess(screening_input({**weak, **everything_else_no})).trafficking == "no_indication"


def test_no_answers_is_no_indication_with_questions_to_ask(ns: ScreeningNamespace) -> None:
    result = ns.assess(screening_input())
    assert result.trafficking == "no_indication"
    assert result.what_would_change and result.what_would_change[0].strength == "strong"


def test_what_would_change_does_not_depend_on_earlier_screenings(ns: ScreeningNamespace) -> None:
    # the two differ only in an answer to an indicator with no strength for a child
    before = ns.assess(screening_input({"iloec.vr.false-law": "no"}, age=12))
    after = ns.assess(screening_input(age=12))
    assert "iloec.vr.false-law" not in {c.indicator for c in before.what_would_change}
    assert "iloec.vr.false-law" in {c.indicator for c in after.what_would_change}
