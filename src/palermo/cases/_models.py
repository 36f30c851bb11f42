"""Pydantic models of the common case model, aligned with HTCDS v2.0 and able to hold every CTDC variable.

One model per table; field names are the column names. Each field's description starts with the
HTCDS v2.0 field it holds (``prs_Gender`` …) or says ``Palermo:`` when HTCDS has no such field, and
names the CTDC variables it holds; ``data/htcds_fields.yaml`` and ``data/ctdc_fields.yaml`` give the
full maps. Categories are plain string codes from ``data/categories.yaml`` (checked by
:meth:`palermo.cases.CasesNamespace.validate`, not on construction, so every problem is reported
at once). Construction checks types only (strict: no coercion) and never echoes input values.

Identifying values (names, birth date, document numbers, contact details) live only in
:class:`PersonIdentity`, a separate table that can stay at the agency.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from palermo.cases._annotations import Bounds, Coded, CodedBy, Ref, Sensitive

Year = Annotated[int | None, Bounds(1900, 2100)]
Latitude = Annotated[float | None, Bounds(-90, 90)]
Longitude = Annotated[float | None, Bounds(-180, 180)]
Country = Annotated[str | None, Coded("country")]
Text = Annotated[str | None, Sensitive()]

EXPLOITATION_LISTS = ("exploitation_type", "labour_sector", "sex_exploitation_type")


class StrictModel(BaseModel):
    """Strict (no coercion), frozen, no unknown fields, input values never echoed in errors."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", hide_input_in_errors=True)


class TableModel(StrictModel):
    """A model stored as one row of one table."""

    table: ClassVar[str]
    key: ClassVar[tuple[str, ...]]
    in_case: ClassVar[bool] = True  # rows carry case_id (added by the store, not a model field)


class Organisation(TableModel):
    """An organisation (HTCDS ``org_``): an agency, a referral partner, a business."""

    table: ClassVar[str] = "organisations"
    key: ClassVar[tuple[str, ...]] = ("organisation_id",)
    in_case: ClassVar[bool] = False

    organisation_id: str = Field(description="Palermo: identifier of the organisation record (HTCDS org_).")
    name: str | None = Field(default=None, description="org_Name: the name of the organisation.")
    org_type: Annotated[str | None, Coded("organisation_type")] = Field(default=None, description="org_Type.")
    shipping_street: str | None = Field(default=None, description="org_ShippingStreet.")
    shipping_city: str | None = Field(default=None, description="org_ShippingCity.")
    shipping_state: str | None = Field(default=None, description="org_ShippingState.")
    shipping_postal_code: str | None = Field(default=None, description="org_ShippingPostalCode.")
    shipping_country: Country = Field(default=None, description="org_ShippingCountry (ISO alpha-3).")
    shipping_longitude: Longitude = Field(default=None, description="org_ShippingLongitude.")
    shipping_latitude: Latitude = Field(default=None, description="org_ShippingLatitude.")
    phone: str | None = Field(default=None, description="org_Phone (E.164).")


class Person(TableModel):
    """A person (HTCDS ``prs_``), by pseudonymous id, with non-identifying attributes only."""

    table: ClassVar[str] = "persons"
    key: ClassVar[tuple[str, ...]] = ("person_id",)
    in_case: ClassVar[bool] = False

    person_id: str = Field(description="Palermo: pseudonymous identifier of the person (HTCDS prs_ record).")
    gender: Annotated[str | None, Coded("gender")] = Field(
        default=None, description="prs_Gender; CTDC gender (v6, 2024, VP 2022)."
    )
    birth_year: Year = Field(default=None, description="Palermo: year of birth (the year of prs_Birthdate).")
    age_at_identification: Annotated[int | None, Bounds(0, 130)] = Field(
        default=None, description="Palermo: age in years at registration or first report."
    )
    age_band: Annotated[str | None, Coded("age_band")] = Field(
        default=None, description="Palermo: CTDC ageBroad, age band at registration or first report."
    )
    majority_status: Annotated[str | None, Coded("majority_status")] = Field(
        default=None, description="Palermo: CTDC majorityStatus, at registration."
    )
    majority_status_at_exploitation: Annotated[str | None, Coded("majority_status")] = Field(
        default=None, description="Palermo: CTDC majorityStatusAtExploit, when exploitation began."
    )
    majority_status_at_entry: Annotated[str | None, Coded("majority_status")] = Field(
        default=None, description="Palermo: CTDC majorityEntry, at entry into the trafficking process."
    )
    citizenship: Annotated[list[str], Coded("country")] = Field(
        default_factory=list, description="prs_Citizenship (multi-select, ISO alpha-3); CTDC citizenship."
    )
    citizenship_regions: Annotated[list[str], Coded("un_region")] = Field(
        default_factory=list,
        description="Palermo: UN region of citizenship when only it is known (CTDC VP UN_COO_Region).",
    )
    primary_language: Annotated[str | None, Coded("language")] = Field(
        default=None, description="prs_PrimaryLanguage (ISO 639-2)."
    )
    secondary_language: Annotated[str | None, Coded("language")] = Field(
        default=None, description="prs_SecondaryLanguage (ISO 639-2)."
    )
    marital_status: Annotated[str | None, Coded("marital_status")] = Field(
        default=None, description="prs_MaritalStatus."
    )
    number_of_children: Annotated[int | None, Bounds(0, 50)] = Field(
        default=None, description="prs_NumberOfChildren."
    )
    highest_education: Annotated[str | None, Coded("education_level")] = Field(
        default=None, description="prs_HighestLevelOfEducation (ISCED 2011)."
    )
    deceased: bool | None = Field(default=None, description="prs_Deceased.")


class PersonIdentity(TableModel):
    """Identifying values of a person (HTCDS ``prs_`` names, birth date, numbers, contact details).

    Kept in a table of its own (``person_identities``) so an agency can keep it at home while
    everything else is shared. Never logged; never put in an error message.
    """

    table: ClassVar[str] = "person_identities"
    key: ClassVar[tuple[str, ...]] = ("person_id",)
    in_case: ClassVar[bool] = False

    person_id: Annotated[str, Ref("persons", "person_id")] = Field(
        description="Palermo: the person these identifying values belong to."
    )
    salutation: Text = Field(default=None, description="prs_Salutation.")
    given_name: Text = Field(default=None, description="prs_FirstName.")
    middle_name: Text = Field(default=None, description="prs_MiddleName.")
    family_name: Text = Field(default=None, description="prs_SecondName.")
    birth_date: Annotated[dt.date | None, Sensitive()] = Field(default=None, description="prs_Birthdate.")
    identity_number: Text = Field(default=None, description="prs_IdentityNumber (national identity number).")
    document_numbers: Annotated[list[str], Sensitive()] = Field(
        default_factory=list, description="Palermo: other document numbers (passport, permits)."
    )
    title: Text = Field(default=None, description="prs_Title (position within an organisation).")
    email: Text = Field(default=None, description="prs_Email.")
    home_phone: Text = Field(default=None, description="prs_HomePhone.")
    mobile_phone: Text = Field(default=None, description="prs_MobilePhone.")
    mailing_street: Text = Field(default=None, description="prs_MailingStreet.")
    mailing_city: Text = Field(default=None, description="prs_MailingCity.")
    mailing_state: Text = Field(default=None, description="prs_MailingState.")
    mailing_postal_code: Text = Field(default=None, description="prs_MailingPostalCode.")
    mailing_country: Country = Field(default=None, description="prs_MailingCountry (ISO alpha-3).")
    mailing_longitude: Annotated[float | None, Bounds(-180, 180), Sensitive()] = Field(
        default=None, description="prs_MailingLongitude."
    )
    mailing_latitude: Annotated[float | None, Bounds(-90, 90), Sensitive()] = Field(
        default=None, description="prs_MailingLatitude."
    )


class Case(TableModel):
    """A case (HTCDS ``cas_``): one organisation's record of one situation."""

    table: ClassVar[str] = "cases"
    key: ClassVar[tuple[str, ...]] = ("case_id",)
    in_case: ClassVar[bool] = False

    case_id: str = Field(description="Palermo: identifier of the case (HTCDS Case record).")
    organisation_id: Annotated[str, Ref("organisations", "organisation_id")] = Field(
        description="Palermo: the organisation that holds the case."
    )
    registration_date: dt.date | None = Field(default=None, description="Palermo: date of registration.")
    registration_year: Year = Field(default=None, description="Palermo: CTDC yearOfRegistration.")
    registration_period: Annotated[str | None, Coded("registration_period")] = Field(
        default=None, description="Palermo: binned year of registration (CTDC VP yearRegister)."
    )
    data_source: Annotated[str | None, Coded("data_source")] = Field(
        default=None, description="Palermo: CTDC Datasource (case management or hotline)."
    )
    status: Annotated[str | None, Coded("case_status")] = Field(default=None, description="cas_Status.")
    closure_reason: Text = Field(default=None, description="cas_ReasonForCaseClosure (free text).")
    case_owner_id: str | None = Field(
        default=None, description="cas_CaseOwner: pseudonymous id of the case worker."
    )


class VictimContext(TableModel):
    """A person as a victim in a case (HTCDS ``vic_``, Person - Victim Context)."""

    table: ClassVar[str] = "case_victims"
    key: ClassVar[tuple[str, ...]] = ("case_id", "person_id")

    person_id: Annotated[str, Ref("persons", "person_id")] = Field(description="Palermo: the victim.")
    trafficking_status: Annotated[str | None, Coded("trafficking_status")] = Field(
        default=None, description="vic_TraffickingStatus."
    )
    trafficking_status_decided_by: Annotated[str | None, Coded("trafficking_status_decision_org")] = Field(
        default=None, description="vic_TraffickingStatusDecisionMakingOrg."
    )
    age_when_trafficked: Annotated[int | None, Bounds(0, 130)] = Field(
        default=None, description="vic_AgeWhenTrafficked (years)."
    )
    trafficking_duration_band: Annotated[str | None, Coded("trafficking_duration_band")] = Field(
        default=None, description="Palermo: CTDC traffickMonths."
    )
    is_abduction: bool | None = Field(default=None, description="Palermo: CTDC isAbduction.")
    recruitment_methods: Annotated[list[str], Coded("recruitment_method")] = Field(
        default_factory=list, description="vic_MethodOfRecruitment (multi-select)."
    )
    recruitment_websites_and_apps: Annotated[list[str], Coded("online_platform")] = Field(
        default_factory=list, description="vic_RecruitmentWebsitesAndApps (multi-select)."
    )
    exploitation_websites_and_apps: Annotated[list[str], Coded("online_platform")] = Field(
        default_factory=list, description="vic_ExploitationWebsitesAndApps (multi-select)."
    )


class JourneyEvent(TableModel):
    """One step of the journey, in order (HTCDS ``hte_``, Historic Trafficking Events).

    The date may be partial: a year, a year and month, or a full date.
    """

    table: ClassVar[str] = "journey_events"
    key: ClassVar[tuple[str, ...]] = ("case_id", "sequence")

    sequence: Annotated[int, Bounds(1, 10_000)] = Field(
        description="Palermo: order of the event in the case, from 1."
    )
    event_type: Annotated[str, Coded("journey_event_type")] = Field(description="hte_Type.")
    person_id: Annotated[str | None, Ref("persons", "person_id")] = Field(
        default=None, description="Palermo: whose journey (empty: the case's victims)."
    )
    country: Country = Field(
        default=None, description="hte_Country (ISO alpha-3); CTDC CountryOfExploitation."
    )
    region: Annotated[str | None, Coded("un_region")] = Field(
        default=None, description="Palermo: UN region when only it is known (CTDC VP UN_COE_Region)."
    )
    state: str | None = Field(default=None, description="hte_State.")
    city: str | None = Field(default=None, description="hte_City.")
    street: Text = Field(default=None, description="hte_Street.")
    postal_code: str | None = Field(default=None, description="hte_PostalCode.")
    longitude: Longitude = Field(default=None, description="hte_Longitude.")
    latitude: Latitude = Field(default=None, description="hte_Latitude.")
    event_year: Year = Field(default=None, description="hte_Date: year.")
    event_month: Annotated[int | None, Bounds(1, 12)] = Field(default=None, description="hte_Date: month.")
    event_day: Annotated[int | None, Bounds(1, 31)] = Field(default=None, description="hte_Date: day.")
    location_organisation_id: Annotated[str | None, Ref("organisations", "organisation_id")] = Field(
        default=None,
        description="vic_LocationOfRecruitment / vic_LocationOfExploitation (lookup to organisation).",
    )
    description: Text = Field(default=None, description="hte_Description (free text).")


class Exploitation(TableModel):
    """One exploitation type, labour sector or sex-exploitation type of a case.

    ``present`` is False when the source records the type as absent (a CTDC flag of 0); a type the
    source says nothing about has no row.
    """

    table: ClassVar[str] = "case_exploitation"
    key: ClassVar[tuple[str, ...]] = ("case_id", "category", "code")

    category: Literal["exploitation_type", "labour_sector", "sex_exploitation_type"] = Field(
        description="Palermo: which list the code is from (vic_TypeOfExploitation, vic_ForcedLabourIndustry "
        "or vic_TypeOfSexExploitation)."
    )
    code: Annotated[str, CodedBy("category", EXPLOITATION_LISTS)] = Field(
        description="vic_TypeOfExploitation / vic_ForcedLabourIndustry / vic_TypeOfSexExploitation; CTDC is*, "
        "typeOfLabour*, typeOfSex* flags."
    )
    present: bool = Field(default=True, description="Palermo: False when recorded as absent (CTDC flag 0).")


class MeansOfControl(TableModel):
    """One means of control used in a case (``present`` as in :class:`Exploitation`)."""

    table: ClassVar[str] = "case_means_of_control"
    key: ClassVar[tuple[str, ...]] = ("case_id", "code")

    code: Annotated[str, Coded("means_of_control")] = Field(
        description="vic_MethodsOfControl; CTDC meansOfControl* (v6) and means* (2024) flags."
    )
    present: bool = Field(default=True, description="Palermo: False when recorded as absent (CTDC flag 0).")


class TraffickerRelation(TableModel):
    """The victim's relationship to the trafficker or recruiter (``present`` as in :class:`Exploitation`)."""

    table: ClassVar[str] = "case_trafficker_relations"
    key: ClassVar[tuple[str, ...]] = ("case_id", "code")

    code: Annotated[str, Coded("relationship_to_trafficker")] = Field(
        description="vic_RelationshipToTrafficker; CTDC recruiterRelation* flags and RecruiterRelationship."
    )
    present: bool = Field(default=True, description="Palermo: False when recorded as absent (CTDC flag 0).")


class Perpetrator(TableModel):
    """A perpetrator in a case (HTCDS ``per_``, Person - Perpetrator Context), or, with ``is_group``,
    every perpetrator of the victim summarised in one row (as the CTDC VP 2022 release does). List
    attributes then hold every value reported (``Female;Male`` -> ``["Feminine", "Masculine"]``)."""

    table: ClassVar[str] = "perpetrators"
    key: ClassVar[tuple[str, ...]] = ("perpetrator_id",)

    perpetrator_id: str = Field(description="Palermo: identifier of the perpetrator context record.")
    person_id: Annotated[str | None, Ref("persons", "person_id")] = Field(
        default=None, description="Palermo: the perpetrator as a person, when recorded as one."
    )
    organisation_id: Annotated[str | None, Ref("organisations", "organisation_id")] = Field(
        default=None, description="per_Organisation."
    )
    is_group: bool = Field(default=False, description="Palermo: the row summarises several perpetrators.")
    roles: Annotated[list[str], Coded("perpetrator_role")] = Field(
        default_factory=list, description="per_RoleInProcess (multi-select); CTDC VP IP_* role flags."
    )
    role_details: Text = Field(default=None, description="per_RoleDetails (free text).")
    genders: Annotated[list[str], Coded("gender")] = Field(
        default_factory=list, description="Palermo: gender(s), as prs_Gender; CTDC VP IP_Gender."
    )
    age_bands: Annotated[list[str], Coded("perpetrator_age_band")] = Field(
        default_factory=list, description="Palermo: age band(s); CTDC VP IP_ageBroad."
    )
    citizenship: Annotated[list[str], Coded("country")] = Field(
        default_factory=list, description="Palermo: citizenship(s), as prs_Citizenship (ISO alpha-3)."
    )
    citizenship_regions: Annotated[list[str], Coded("un_region")] = Field(
        default_factory=list, description="Palermo: UN region(s) of citizenship; CTDC VP IP_citizen_UNRegion."
    )
    relations_to_victim: Annotated[list[str], Coded("relationship_to_trafficker")] = Field(
        default_factory=list, description="Palermo: relationship(s) to the victim; CTDC VP IP_Relation."
    )
    victim_paid: list[bool] = Field(
        default_factory=list,
        description="Palermo: answers to 'did the victim pay the perpetrator' (CTDC VP IP_PayMoney).",
    )


class Referral(TableModel):
    """An incoming or outgoing referral of the case (HTCDS ``cas_`` Referral Details)."""

    table: ClassVar[str] = "referrals"
    key: ClassVar[tuple[str, ...]] = ("referral_id",)

    referral_id: str = Field(description="Palermo: identifier of the referral.")
    direction: Annotated[str, Coded("referral_direction")] = Field(
        description="Palermo: Incoming (cas_Incoming*/cas_Referring*) or Outgoing (cas_Outgoing*/cas_Referred*)."
    )
    organisation_id: Annotated[str | None, Ref("organisations", "organisation_id")] = Field(
        default=None,
        description="cas_ReferringOrganisation (incoming) / cas_ReferredOrganisation (outgoing).",
    )
    case_worker_id: str | None = Field(
        default=None,
        description="cas_ReferringPrimaryCaseWorker / cas_ReferredPrimaryCaseWorker (pseudonymous id).",
    )
    referral_date: dt.date | None = Field(
        default=None, description="cas_IncomingReferralDate / cas_OutgoingReferralDate."
    )
    reason: Annotated[str | None, Coded("referral_reason")] = Field(
        default=None, description="cas_ReasonForIncomingReferral / cas_ReasonForOutgoingReferral."
    )
    details: Text = Field(
        default=None, description="cas_IncomingReferralDetails / cas_OutgoingReferralDetails (free text)."
    )


class Consent(TableModel):
    """Consent of a person in a case: HTCDS v2.0 ``con_Consent`` and the sub-questions (v1.0 fields
    con_PurposeOfInterview, con_UseOfData, con_DataForResearch, con_RightToBeForgotten; the v2.0
    guidance adds storage duration and withdrawal)."""

    table: ClassVar[str] = "consents"
    key: ClassVar[tuple[str, ...]] = ("case_id", "person_id")

    person_id: Annotated[str, Ref("persons", "person_id")] = Field(description="Palermo: who consents.")
    consent: bool | None = Field(default=None, description="con_Consent: consents/assents to the interview.")
    informed_purpose_of_interview: bool | None = Field(
        default=None, description="con_PurposeOfInterview (v1.0)."
    )
    informed_use_of_data: bool | None = Field(default=None, description="con_UseOfData (v1.0).")
    informed_data_for_research: bool | None = Field(default=None, description="con_DataForResearch (v1.0).")
    informed_right_to_be_forgotten: bool | None = Field(
        default=None, description="con_RightToBeForgotten (v1.0): right to request personal data."
    )
    informed_storage_duration: bool | None = Field(
        default=None, description="con_Consent guidance (v2.0): informed how long data are stored."
    )
    informed_withdrawal_process: bool | None = Field(
        default=None, description="con_Consent guidance (v2.0): informed how to withdraw consent."
    )
    recorded_on: dt.date | None = Field(default=None, description="Palermo: date consent was recorded.")


class SupportPlan(TableModel):
    """A support plan (HTCDS ``spl_``)."""

    table: ClassVar[str] = "support_plans"
    key: ClassVar[tuple[str, ...]] = ("plan_id",)

    plan_id: str = Field(description="Palermo: identifier of the plan.")
    person_id: Annotated[str | None, Ref("persons", "person_id")] = Field(
        default=None, description="Palermo: the person supported."
    )
    plan_type: Annotated[str | None, Coded("support_plan_type")] = Field(
        default=None, description="spl_Type."
    )
    objectives: Text = Field(default=None, description="spl_Objectives (free text).")
    action_plan: Text = Field(default=None, description="spl_ActionPlan (free text).")
    planned_end_date: dt.date | None = Field(default=None, description="spl_PlannedEndDate.")
    actual_end_date: dt.date | None = Field(default=None, description="spl_ActualEndDate.")


class CaseComment(TableModel):
    """A case worker's comment (HTCDS ``cco_``)."""

    table: ClassVar[str] = "case_comments"
    key: ClassVar[tuple[str, ...]] = ("comment_id",)

    comment_id: str = Field(description="Palermo: identifier of the comment.")
    comment: Annotated[str, Sensitive()] = Field(description="cco_CaseComment (free text).")


class CaseRecord(StrictModel):
    """A case with everything recorded about it: persons, identities, journey, exploitation, means
    of control, perpetrators, referrals, consent, support plans, comments, and the organisations
    these refer to. :meth:`palermo.cases.CasesNamespace.get` returns each list in key order."""

    case: Case
    organisations: list[Organisation] = Field(default_factory=list)
    persons: list[Person] = Field(default_factory=list)
    identities: list[PersonIdentity] = Field(default_factory=list)
    victims: list[VictimContext] = Field(default_factory=list)
    journey: list[JourneyEvent] = Field(default_factory=list)
    exploitation: list[Exploitation] = Field(default_factory=list)
    means_of_control: list[MeansOfControl] = Field(default_factory=list)
    trafficker_relations: list[TraffickerRelation] = Field(default_factory=list)
    perpetrators: list[Perpetrator] = Field(default_factory=list)
    referrals: list[Referral] = Field(default_factory=list)
    consents: list[Consent] = Field(default_factory=list)
    support_plans: list[SupportPlan] = Field(default_factory=list)
    comments: list[CaseComment] = Field(default_factory=list)

    def canonical(self) -> CaseRecord:
        """A copy with every list sorted by its key, as :meth:`CasesNamespace.get` returns it."""
        updates: dict[str, object] = {}
        for part, model in PARTS.items():
            if part == "case":
                continue
            rows: list[TableModel] = list(getattr(self, part))
            keys = [k for k in model.key if k != "case_id"]
            updates[part] = sorted(rows, key=lambda r: tuple(getattr(r, k) for k in keys))
        return self.model_copy(update=updates)


PARTS: dict[str, type[TableModel]] = {
    "organisations": Organisation,
    "persons": Person,
    "identities": PersonIdentity,
    "case": Case,
    "victims": VictimContext,
    "journey": JourneyEvent,
    "exploitation": Exploitation,
    "means_of_control": MeansOfControl,
    "trafficker_relations": TraffickerRelation,
    "perpetrators": Perpetrator,
    "referrals": Referral,
    "consents": Consent,
    "support_plans": SupportPlan,
    "comments": CaseComment,
}
"""Each part of a :class:`CaseRecord` and the model (hence table) behind it; referenced tables first."""
