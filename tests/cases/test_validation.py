"""validate() collects every problem (row, field, rule) and never repeats an identifying value."""

from __future__ import annotations

from collections.abc import Iterator

import pydantic
import pytest

import palermo
from palermo.cases import Case, Exploitation, JourneyEvent, MeansOfControl, Person, PersonIdentity
from palermo.errors import CaseValidationError, Problem
from palermo.workspace import Workspace

from .conftest import BIRTH_DATE, DOCUMENT, FAMILY_NAME, GIVEN_NAME, rich_record


@pytest.fixture(scope="module")
def empty_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One empty store for the tests that only validate (validate never writes)."""
    ws = palermo.open(tmp_path_factory.mktemp("cases") / "p.duckdb")
    yield ws
    ws.close()


def _problems(ws: Workspace, record: object) -> list[Problem]:
    with pytest.raises(CaseValidationError) as caught:
        ws.cases.validate(record)  # type: ignore[arg-type]
    return caught.value.problems


def _assert_no_identifying_value(error: BaseException) -> None:
    texts = [str(error), repr(error), *(str(p) for p in getattr(error, "problems", []))]
    for text in texts:
        for secret in (GIVEN_NAME, FAMILY_NAME, DOCUMENT, BIRTH_DATE.isoformat(), "1993"):
            assert secret not in text


def test_valid_record_passes(empty_ws: Workspace) -> None:
    empty_ws.cases.validate(rich_record())


def test_several_problems_are_collected_at_once(empty_ws: Workspace) -> None:
    record = rich_record()
    bad = record.model_copy(
        update={
            "case": record.case.model_copy(update={"status": "Pending", "registration_year": 2020}),
            "persons": [
                record.persons[0],
                record.persons[1].model_copy(update={"gender": "Martian", "citizenship": ["NGA", "XXX"]}),
            ],
            "journey": [
                *record.journey[:2],
                JourneyEvent(
                    sequence=3, event_type="Exploitation", event_year=2011, event_month=2, event_day=30
                ),
                JourneyEvent(sequence=3, event_type="Teleport", event_month=4, person_id="nobody"),
            ],
            "means_of_control": [*record.means_of_control, MeansOfControl(code="Hypnosis")],
        }
    )
    found = {(p.row, p.field, p.rule) for p in _problems(empty_ws, bad)}
    assert found == {
        (0, "cases.status", "not a code of category list 'case_status'"),
        (0, "cases.registration_year", "differs from the year of registration_date"),
        (1, "persons.gender", "not a code of category list 'gender'"),
        (1, "persons.citizenship", "not a code of category list 'country'"),
        (2, "journey_events.event_day", "no such day in that month"),
        (3, "journey_events.event_type", "not a code of category list 'journey_event_type'"),
        (3, "journey_events.event_month", "a month needs a year"),
        (
            3,
            "journey_events.person_id",
            "refers to a row of persons that is neither in the store nor in this load",
        ),
        (2, "journey_events.case_id+sequence", "key appears more than once in this load"),
        (3, "journey_events.case_id+sequence", "key appears more than once in this load"),
        (4, "case_means_of_control.code", "not a code of category list 'means_of_control'"),
    }


def test_messages_never_hold_identifying_values(empty_ws: Workspace) -> None:
    record = rich_record()
    identity = record.identities[0]
    bad = record.model_copy(
        update={
            # identifying values put where codes belong, and an identity of an unknown person
            "persons": [record.persons[0], record.persons[1].model_copy(update={"gender": GIVEN_NAME})],
            "identities": [identity, identity.model_copy(update={"person_id": FAMILY_NAME})],
            "exploitation": [Exploitation(category="labour_sector", code=DOCUMENT)],
        }
    )
    with pytest.raises(CaseValidationError) as caught:
        empty_ws.cases.validate(bad)
    assert len(caught.value.problems) >= 4
    _assert_no_identifying_value(caught.value)


def test_model_construction_errors_hide_input() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        PersonIdentity(person_id="p", given_name=GIVEN_NAME, birth_date=BIRTH_DATE.isoformat())  # type: ignore[arg-type]
    assert BIRTH_DATE.isoformat() not in str(caught.value)
    with pytest.raises(pydantic.ValidationError) as caught:
        PersonIdentity(person_id="p", family_name=FAMILY_NAME, nickname=GIVEN_NAME)  # type: ignore[call-arg]
    assert GIVEN_NAME not in str(caught.value)


def test_models_are_strict() -> None:
    with pytest.raises(pydantic.ValidationError):
        Person(person_id="p", birth_year="1990")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Case(case_id="c", organisation_id="o", registration_date="2020-01-01")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Exploitation(category="colour", code="Blue")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("part", "index", "change", "field", "list_name"),
    [
        ("organisations", 0, {"org_type": "Mafia"}, "organisations.org_type", "organisation_type"),
        ("organisations", 0, {"shipping_country": "NG"}, "organisations.shipping_country", "country"),
        ("persons", 1, {"age_band": "18-20"}, "persons.age_band", "age_band"),
        ("persons", 1, {"primary_language": "english"}, "persons.primary_language", "language"),
        ("persons", 1, {"majority_status": "minor"}, "persons.majority_status", "majority_status"),
        ("identities", 0, {"mailing_country": "Italy"}, "person_identities.mailing_country", "country"),
        (
            "victims",
            0,
            {"recruitment_methods": ["AtWork", "ByPigeon"]},
            "case_victims.recruitment_methods",
            "recruitment_method",
        ),
        (
            "victims",
            0,
            {"trafficking_status": "Victim"},
            "case_victims.trafficking_status",
            "trafficking_status",
        ),
        ("perpetrators", 0, {"roles": ["Boss"]}, "perpetrators.roles", "perpetrator_role"),
        ("perpetrators", 1, {"age_bands": ["18--20"]}, "perpetrators.age_bands", "perpetrator_age_band"),
        ("referrals", 0, {"direction": "Sideways"}, "referrals.direction", "referral_direction"),
        ("support_plans", 0, {"plan_type": "Magic"}, "support_plans.plan_type", "support_plan_type"),
        (
            "trafficker_relations",
            0,
            {"code": "Neighbour"},
            "case_trafficker_relations.code",
            "relationship_to_trafficker",
        ),
    ],
)
def test_unknown_codes_are_rejected(
    empty_ws: Workspace, part: str, index: int, change: dict[str, object], field: str, list_name: str
) -> None:
    record = rich_record()
    items = list(getattr(record, part))
    items[index] = items[index].model_copy(update=change)
    problems = _problems(empty_ws, record.model_copy(update={part: items}))
    assert problems == [Problem(index, field, f"not a code of category list '{list_name}'")]


def test_code_from_the_wrong_exploitation_list_is_rejected(empty_ws: Workspace) -> None:
    record = rich_record()
    wrong = [*record.exploitation, Exploitation(category="sex_exploitation_type", code="ForcedLabour")]
    problems = _problems(empty_ws, record.model_copy(update={"exploitation": wrong}))
    assert problems == [
        Problem(4, "case_exploitation.code", "not a code of the category list named in 'category'")
    ]


def test_aliases_are_not_codes(empty_ws: Workspace) -> None:
    record = rich_record()
    persons = [record.persons[0], record.persons[1].model_copy(update={"gender": "Female"})]
    problems = _problems(empty_ws, record.model_copy(update={"persons": persons}))
    assert problems == [Problem(1, "persons.gender", "not a code of category list 'gender'")]
    assert empty_ws.cases.categories.normalise("gender", "Female", "ctdc_v6") == "Feminine"
    assert empty_ws.cases.categories.normalise("exploitation_type", "Other", "ctdc_v6") == "OtherExploit"
    assert empty_ws.cases.categories.normalise("exploitation_type", "Other", "htcds2") == "Other"
    assert empty_ws.cases.categories.normalise("gender", "Martian") is None


def test_unlinked_persons_and_organisations_are_problems(empty_ws: Workspace) -> None:
    record = rich_record()
    extra = record.model_copy(
        update={
            "persons": [*record.persons, Person(person_id="person-stray")],
            "identities": [
                *record.identities,
                PersonIdentity(person_id="person-ghost", given_name=GIVEN_NAME),
            ],
        }
    )
    found = {(p.row, p.field) for p in _problems(empty_ws, extra)}
    assert found == {
        (2, "persons.person_id"),
        (1, "person_identities.person_id"),
        (1, "person_identities.person_id"),
    }


def test_ranges_are_checked(empty_ws: Workspace) -> None:
    record = rich_record()
    persons = [record.persons[0], record.persons[1].model_copy(update={"age_at_identification": 200})]
    identities = [record.identities[0].model_copy(update={"mailing_latitude": 91.0})]
    problems = _problems(empty_ws, record.model_copy(update={"persons": persons, "identities": identities}))
    assert {(p.row, p.field, p.rule) for p in problems} == {
        (1, "persons.age_at_identification", "must lie between 0 and 130"),
        (0, "person_identities.mailing_latitude", "must lie between -90 and 90"),
    }


def test_existing_case_is_a_problem(workspace: Workspace) -> None:
    workspace.cases.add(rich_record(), "ds")
    problems = _problems(workspace, rich_record())
    assert Problem(0, "cases.case_id", "key already exists in the store") in problems
    with pytest.raises(CaseValidationError, match="already exists"):
        workspace.cases.add(rich_record(), "ds")
    assert workspace.cases.count() == 1


def test_problem_lists_are_capped_per_rule(empty_ws: Workspace) -> None:
    record = rich_record()
    journey = [
        JourneyEvent(sequence=i, event_type="Transit", country="ZZZ", event_year=2010) for i in range(1, 31)
    ]
    problems = _problems(empty_ws, record.model_copy(update={"journey": journey}))
    assert len(problems) == 21
    assert problems[-1] == Problem(
        None, "journey_events.country", "not a code of category list 'country' (and 10 more rows)"
    )


def test_leap_days_are_real_days(empty_ws: Workspace) -> None:
    record = rich_record()
    journey = [
        JourneyEvent(sequence=1, event_type="Transit", event_year=2024, event_month=2, event_day=29),
        JourneyEvent(sequence=2, event_type="Transit", event_year=2100, event_month=2, event_day=29),
        JourneyEvent(sequence=3, event_type="Transit", event_year=2000, event_month=2, event_day=29),
        JourneyEvent(sequence=4, event_type="Transit", event_year=2023, event_month=4, event_day=31),
    ]
    problems = _problems(empty_ws, record.model_copy(update={"journey": journey}))
    assert {(p.row, p.rule) for p in problems} == {
        (1, "no such day in that month"),
        (3, "no such day in that month"),
    }
