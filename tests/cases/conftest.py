"""Fixtures of the case-model tests: a workspace, the shared reference data, a rich record."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import palermo
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
)
from palermo.workspace import Workspace

# Identifying values of the rich record: no error message may ever contain them.
GIVEN_NAME = "Zainabou-Q7"
FAMILY_NAME = "Okonkwo-X9"
BIRTH_DATE = dt.date(1993, 7, 14)
DOCUMENT = "P-99812-ZZ"


def shared_data_dir() -> Path:
    """../shared/data beside the repository, or $PALERMO_SHARED_DATA."""
    env = os.environ.get("PALERMO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture
def data_dir() -> Path:
    path = shared_data_dir()
    if not (path / "ctdc").is_dir() or not (path / "htcds").is_dir():
        pytest.skip(f"shared reference data (ctdc/, htcds/) not found at {path}; set PALERMO_SHARED_DATA")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = palermo.open(tmp_path / "p.duckdb")
    try:
        yield ws
    finally:
        ws.close()


def rich_record(case_id: str = "case-1") -> CaseRecord:
    """A record with every part and every field filled."""
    return CaseRecord(
        case=Case(
            case_id=case_id,
            organisation_id="org-ngo",
            registration_date=dt.date(2021, 3, 9),
            registration_year=2021,
            registration_period="2021-2022",
            data_source="Case Management",
            status="ClosedReferred",
            closure_reason="referred for legal support",
            case_owner_id="worker-17",
        ),
        organisations=[
            Organisation(
                organisation_id="org-legal",
                name="Legal Aid Clinic",
                org_type="LegalService",
                shipping_street="1 Court Road",
                shipping_city="Lagos",
                shipping_state="Lagos",
                shipping_postal_code="100001",
                shipping_country="NGA",
                shipping_longitude=3.3792,
                shipping_latitude=6.5244,
                phone="+2341234567",
            ),
            Organisation(
                organisation_id="org-ngo", name="Shelter NGO", org_type="NGO", shipping_country="ITA"
            ),
            Organisation(organisation_id="org-police", org_type="LawEnforcement", shipping_country="ITA"),
            Organisation(organisation_id="org-restaurant", org_type="CorporateBusiness"),
        ],
        persons=[
            Person(
                person_id="person-perp",
                gender="Masculine",
                age_band="39--47",
                citizenship=["ITA"],
            ),
            Person(
                person_id="person-victim",
                gender="Feminine",
                birth_year=1993,
                age_at_identification=27,
                age_band="27--29",
                majority_status="Adult",
                majority_status_at_exploitation="Adult",
                majority_status_at_entry="Minor",
                citizenship=["NGA", "GHA"],
                citizenship_regions=["Africa"],
                primary_language="yor",
                secondary_language="eng",
                marital_status="Single",
                number_of_children=1,
                highest_education="LowerSecondaryEducation",
                deceased=False,
            ),
        ],
        identities=[
            PersonIdentity(
                person_id="person-victim",
                salutation="Ms",
                given_name=GIVEN_NAME,
                middle_name="Ada",
                family_name=FAMILY_NAME,
                birth_date=BIRTH_DATE,
                identity_number="NIN-000111222",
                document_numbers=[DOCUMENT, "permit-55"],
                title="cook",
                email="z@example.org",
                home_phone="+2341111111",
                mobile_phone="+393331234567",
                mailing_street="2 Via Roma",
                mailing_city="Palermo",
                mailing_state="Sicilia",
                mailing_postal_code="90100",
                mailing_country="ITA",
                mailing_longitude=13.3615,
                mailing_latitude=38.1157,
            )
        ],
        victims=[
            VictimContext(
                person_id="person-victim",
                trafficking_status="ActualVictimOfTrafficking",
                trafficking_status_decided_by="Police",
                age_when_trafficked=17,
                trafficking_duration_band="25+",
                is_abduction=False,
                recruitment_methods=["ThroughFriendsOrSocialEvents", "ThroughOnlineSocialNetworks"],
                recruitment_websites_and_apps=["Facebook"],
                exploitation_websites_and_apps=["WhatsApp", "Telegram"],
            )
        ],
        journey=[
            JourneyEvent(
                sequence=1,
                event_type="Recruitment",
                person_id="person-victim",
                country="NGA",
                region="Africa",
                state="Edo",
                city="Benin City",
                street="market road",
                postal_code="300001",
                longitude=5.6037,
                latitude=6.3350,
                event_year=2010,
                event_month=6,
                event_day=30,
                location_organisation_id="org-restaurant",
                description="met a recruiter at a wedding",
            ),
            JourneyEvent(sequence=2, event_type="Transit", country="LBY", event_year=2010),
            JourneyEvent(
                sequence=3, event_type="Exploitation", country="ITA", event_year=2011, event_month=2
            ),
        ],
        exploitation=[
            Exploitation(category="exploitation_type", code="ForcedLabour"),
            Exploitation(category="exploitation_type", code="SexualExploitation", present=False),
            Exploitation(category="labour_sector", code="I_AccommodationAndFoodServiceActivities"),
            Exploitation(category="sex_exploitation_type", code="Prostitution", present=False),
        ],
        means_of_control=[
            MeansOfControl(code="DebtBondage"),
            MeansOfControl(code="RestrictsMovement"),
            MeansOfControl(code="WithholdsDocuments"),
            MeansOfControl(code="meansThreats", present=False),
        ],
        trafficker_relations=[
            TraffickerRelation(code="Acquainted"),
            TraffickerRelation(code="Familial", present=False),
        ],
        perpetrators=[
            Perpetrator(
                perpetrator_id="perp-1",
                person_id="person-perp",
                organisation_id="org-restaurant",
                roles=["RecruiterOrIntermediary", "Exploiter", "Smuggler"],
                role_details="owner of the restaurant",
                genders=["Masculine"],
                age_bands=["39--47"],
                citizenship=["ITA"],
                citizenship_regions=["Europe"],
                relations_to_victim=["Acquainted"],
                victim_paid=[True],
            ),
            Perpetrator(
                perpetrator_id="perp-group",
                is_group=True,
                roles=["TransactionProcess", "ControlAbuseKidnap"],
                genders=["Feminine", "Masculine"],
                age_bands=["0--29", "30--38"],
                citizenship_regions=["Africa", "Europe"],
                relations_to_victim=["StrangerUnknownOther"],
                victim_paid=[False, True],
            ),
        ],
        referrals=[
            Referral(
                referral_id="ref-in",
                direction="Incoming",
                organisation_id="org-police",
                case_worker_id="officer-3",
                referral_date=dt.date(2021, 3, 8),
                reason="AdditionalServicesRequired",
                details="found during an inspection",
            ),
            Referral(
                referral_id="ref-out",
                direction="Outgoing",
                organisation_id="org-legal",
                case_worker_id="lawyer-1",
                referral_date=dt.date(2021, 6, 1),
                reason="Other",
                details="needs a lawyer",
            ),
        ],
        consents=[
            Consent(
                person_id="person-victim",
                consent=True,
                informed_purpose_of_interview=True,
                informed_use_of_data=True,
                informed_data_for_research=False,
                informed_right_to_be_forgotten=True,
                informed_storage_duration=True,
                informed_withdrawal_process=True,
                recorded_on=dt.date(2021, 3, 9),
            )
        ],
        support_plans=[
            SupportPlan(
                plan_id="plan-1",
                person_id="person-victim",
                plan_type="Legal",
                objectives="residence permit",
                action_plan="apply with the clinic",
                planned_end_date=dt.date(2021, 12, 31),
                actual_end_date=dt.date(2022, 1, 15),
            )
        ],
        comments=[CaseComment(comment_id="comment-1", comment="first interview done")],
    )


def minimal_record(case_id: str = "case-min") -> CaseRecord:
    """The least a record can be: a case and the organisation holding it."""
    return CaseRecord(
        case=Case(case_id=case_id, organisation_id="org-min"),
        organisations=[Organisation(organisation_id="org-min")],
    )
