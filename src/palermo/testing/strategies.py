"""Hypothesis strategies that draw valid case-model records.

Every drawn :class:`~palermo.cases.CaseRecord` passes :meth:`CasesNamespace.validate` against an
empty store: codes come from the category lists, references hold, partial dates are real dates,
and every person and organisation is linked to the case. Lists are in key order (as
:meth:`CasesNamespace.get` returns them).
"""

from __future__ import annotations

import calendar
import datetime as dt
import string
from typing import Any

from hypothesis import strategies as st

from palermo.cases import (
    Case,
    CaseComment,
    CaseRecord,
    Consent,
    Exploitation,
    JourneyEvent,
    MeansOfControl,
    Organisation,
    Perpetrator,
    Person,
    PersonIdentity,
    Referral,
    SupportPlan,
    TraffickerRelation,
    VictimContext,
    load_categories,
)
from palermo.cases._models import EXPLOITATION_LISTS

_ID_ALPHABET = string.ascii_letters + string.digits + "-_."
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=24)
_DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def _ids(prefix: str, min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    ident = st.text(alphabet=_ID_ALPHABET, min_size=1, max_size=10).map(lambda s: f"{prefix}{s}")
    return st.lists(ident, min_size=min_size, max_size=max_size, unique=True)


def _code(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(load_categories().codes(name)))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _codes(name: str, max_size: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(_code(name), max_size=max_size)


def _lat() -> st.SearchStrategy[float | None]:
    return _maybe(st.floats(min_value=-90, max_value=90, allow_nan=False))


def _lon() -> st.SearchStrategy[float | None]:
    return _maybe(st.floats(min_value=-180, max_value=180, allow_nan=False))


@st.composite
def _partial_date(draw: st.DrawFn) -> tuple[int | None, int | None, int | None]:
    year = draw(_maybe(st.integers(1900, 2100)))
    if year is None:
        return None, None, None
    month = draw(_maybe(st.integers(1, 12)))
    if month is None:
        return year, None, None
    day = draw(_maybe(st.integers(1, calendar.monthrange(year, month)[1])))
    return year, month, day


@st.composite
def _organisation(draw: st.DrawFn, organisation_id: str) -> Organisation:
    return Organisation(
        organisation_id=organisation_id,
        name=draw(_maybe(_TEXT)),
        org_type=draw(_maybe(_code("organisation_type"))),
        shipping_city=draw(_maybe(_TEXT)),
        shipping_country=draw(_maybe(_code("country"))),
        shipping_longitude=draw(_lon()),
        shipping_latitude=draw(_lat()),
        phone=draw(_maybe(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))),
    )


@st.composite
def _person(draw: st.DrawFn, person_id: str) -> Person:
    return Person(
        person_id=person_id,
        gender=draw(_maybe(_code("gender"))),
        birth_year=draw(_maybe(st.integers(1900, 2100))),
        age_at_identification=draw(_maybe(st.integers(0, 130))),
        age_band=draw(_maybe(_code("age_band"))),
        majority_status=draw(_maybe(_code("majority_status"))),
        majority_status_at_exploitation=draw(_maybe(_code("majority_status"))),
        majority_status_at_entry=draw(_maybe(_code("majority_status"))),
        citizenship=draw(_codes("country", 2)),
        citizenship_regions=draw(_codes("un_region", 2)),
        primary_language=draw(_maybe(_code("language"))),
        marital_status=draw(_maybe(_code("marital_status"))),
        number_of_children=draw(_maybe(st.integers(0, 50))),
        highest_education=draw(_maybe(_code("education_level"))),
        deceased=draw(_maybe(st.booleans())),
    )


@st.composite
def _identity(draw: st.DrawFn, person_id: str) -> PersonIdentity:
    return PersonIdentity(
        person_id=person_id,
        given_name=draw(_maybe(_TEXT)),
        family_name=draw(_maybe(_TEXT)),
        birth_date=draw(_maybe(_DATES)),
        identity_number=draw(_maybe(_TEXT)),
        document_numbers=draw(st.lists(_TEXT, max_size=2)),
        mobile_phone=draw(_maybe(_TEXT)),
        mailing_country=draw(_maybe(_code("country"))),
        mailing_latitude=draw(_lat()),
    )


@st.composite
def _journey_event(draw: st.DrawFn, sequence: int, persons: list[str], orgs: list[str]) -> JourneyEvent:
    year, month, day = draw(_partial_date())
    return JourneyEvent(
        sequence=sequence,
        event_type=draw(_code("journey_event_type")),
        person_id=draw(_maybe(st.sampled_from(persons))) if persons else None,
        country=draw(_maybe(_code("country"))),
        region=draw(_maybe(_code("un_region"))),
        city=draw(_maybe(_TEXT)),
        longitude=draw(_lon()),
        latitude=draw(_lat()),
        event_year=year,
        event_month=month,
        event_day=day,
        location_organisation_id=draw(_maybe(st.sampled_from(orgs))),
        description=draw(_maybe(_TEXT)),
    )


@st.composite
def _case(draw: st.DrawFn, case_id: str, organisation_id: str) -> Case:
    date = draw(_maybe(_DATES))
    year = draw(_maybe(st.integers(1900, 2100))) if date is None else draw(st.sampled_from([None, date.year]))
    return Case(
        case_id=case_id,
        organisation_id=organisation_id,
        registration_date=date,
        registration_year=year,
        registration_period=draw(_maybe(_code("registration_period"))),
        data_source=draw(_maybe(_code("data_source"))),
        status=draw(_maybe(_code("case_status"))),
        closure_reason=draw(_maybe(_TEXT)),
        case_owner_id=draw(_maybe(_TEXT)),
    )


@st.composite
def case_records(draw: st.DrawFn, case_id: str | None = None, max_items: int = 3) -> CaseRecord:
    """A valid :class:`~palermo.cases.CaseRecord` (``case_id`` drawn unless given); each list holds
    at most ``max_items`` entries (persons up to ``max_items + 1``)."""
    cid = case_id if case_id is not None else draw(_ids("case-", 1, 1))[0]
    org_ids = draw(_ids("org-", 1, max_items))
    person_ids = draw(_ids("person-", 0, max_items + 1))
    n_victims = draw(st.integers(0, len(person_ids)))
    victims, perp_persons = person_ids[:n_victims], person_ids[n_victims:]
    holder, referred = org_ids[0], org_ids[1:]

    exploitation_pairs = st.sampled_from(
        sorted((name, code) for name in EXPLOITATION_LISTS for code in load_categories().codes(name))
    )
    perpetrator_ids = draw(_ids("perp-", len(perp_persons), len(perp_persons) + max_items))
    perpetrators = [
        Perpetrator(
            perpetrator_id=pid,
            person_id=perp_persons[i] if i < len(perp_persons) else None,
            organisation_id=draw(_maybe(st.sampled_from(org_ids))),
            is_group=draw(st.booleans()),
            roles=draw(_codes("perpetrator_role")),
            role_details=draw(_maybe(_TEXT)),
            genders=draw(_codes("gender", 2)),
            age_bands=draw(_codes("perpetrator_age_band", 2)),
            citizenship=draw(_codes("country", 2)),
            citizenship_regions=draw(_codes("un_region", 2)),
            relations_to_victim=draw(_codes("relationship_to_trafficker", 2)),
            victim_paid=draw(st.lists(st.booleans(), max_size=2)),
        )
        for i, pid in enumerate(perpetrator_ids)
    ]
    referral_orgs = [*referred, *draw(st.lists(_maybe(st.sampled_from(org_ids)), max_size=max_items))]
    referrals = [
        Referral(
            referral_id=rid,
            direction=draw(_code("referral_direction")),
            organisation_id=org,
            case_worker_id=draw(_maybe(_TEXT)),
            referral_date=draw(_maybe(_DATES)),
            reason=draw(_maybe(_code("referral_reason"))),
            details=draw(_maybe(_TEXT)),
        )
        for rid, org in zip(
            draw(_ids("ref-", len(referral_orgs), len(referral_orgs))), referral_orgs, strict=True
        )
    ]
    n_events = draw(st.integers(0, max_items))
    record = CaseRecord(
        case=draw(_case(cid, holder)),
        organisations=[draw(_organisation(oid)) for oid in org_ids],
        persons=[draw(_person(pid)) for pid in person_ids],
        identities=[draw(_identity(pid)) for pid in person_ids if draw(st.booleans())],
        victims=[
            VictimContext(
                person_id=pid,
                trafficking_status=draw(_maybe(_code("trafficking_status"))),
                trafficking_status_decided_by=draw(_maybe(_code("trafficking_status_decision_org"))),
                age_when_trafficked=draw(_maybe(st.integers(0, 130))),
                trafficking_duration_band=draw(_maybe(_code("trafficking_duration_band"))),
                is_abduction=draw(_maybe(st.booleans())),
                recruitment_methods=draw(_codes("recruitment_method")),
                recruitment_websites_and_apps=draw(_codes("online_platform")),
                exploitation_websites_and_apps=draw(_codes("online_platform")),
            )
            for pid in victims
        ],
        journey=[draw(_journey_event(seq, person_ids, org_ids)) for seq in range(1, n_events + 1)],
        exploitation=[
            Exploitation.model_validate({"category": cat, "code": code, "present": draw(st.booleans())})
            for cat, code in draw(st.lists(exploitation_pairs, max_size=max_items, unique=True))
        ],
        means_of_control=[
            MeansOfControl(code=code, present=draw(st.booleans()))
            for code in draw(st.lists(_code("means_of_control"), max_size=max_items, unique=True))
        ],
        trafficker_relations=[
            TraffickerRelation(code=code, present=draw(st.booleans()))
            for code in draw(st.lists(_code("relationship_to_trafficker"), max_size=max_items, unique=True))
        ],
        perpetrators=perpetrators,
        referrals=referrals,
        consents=[
            Consent(
                person_id=pid,
                consent=draw(_maybe(st.booleans())),
                informed_use_of_data=draw(_maybe(st.booleans())),
                informed_withdrawal_process=draw(_maybe(st.booleans())),
                recorded_on=draw(_maybe(_DATES)),
            )
            for pid in victims
            if draw(st.booleans())
        ],
        support_plans=[
            SupportPlan(
                plan_id=plan_id,
                person_id=draw(_maybe(st.sampled_from(victims))) if victims else None,
                plan_type=draw(_maybe(_code("support_plan_type"))),
                objectives=draw(_maybe(_TEXT)),
                planned_end_date=draw(_maybe(_DATES)),
            )
            for plan_id in draw(_ids("plan-", 0, max_items))
        ],
        comments=[
            CaseComment(comment_id=comment_id, comment=draw(_TEXT))
            for comment_id in draw(_ids("comment-", 0, max_items))
        ],
    )
    return record.canonical()
