"""The common case model, aligned with HTCDS v2.0 and able to hold every CTDC variable.

Public names::

    CasesNamespace      ws.cases: add, get, count, validate, write_tables, remove_dataset
    CaseRecord          a case with its persons, identities, journey, exploitation, means of control,
                        trafficker relations, perpetrators, referrals, consents, support plans, comments
    Case, Organisation, Person, PersonIdentity, VictimContext, JourneyEvent, Exploitation,
    MeansOfControl, TraffickerRelation, Perpetrator, Referral, Consent, SupportPlan, CaseComment
    Categories, load_categories     the category lists (data/categories.yaml)
    FieldMap, ctdc_field_map, htcds_field_map   where each CTDC variable and HTCDS field is held
    TABLE_NAMES         the case-model tables, referenced tables first
    PARTS_MODELS        each part of a CaseRecord ("case", "persons" …) and its model

Identifying values (names, birth date, numbers, contacts) are only in :class:`PersonIdentity`
(table ``person_identities``), so an agency can keep that table at home.
"""

from palermo.cases._categories import Categories, CategoryList, Code, load_categories
from palermo.cases._fieldmap import FieldMap, MappedField, ctdc_field_map, htcds_field_map
from palermo.cases._models import PARTS as PARTS_MODELS
from palermo.cases._models import (
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
from palermo.cases._namespace import CasesNamespace
from palermo.cases._schema import tables as _tables

TABLE_NAMES: tuple[str, ...] = tuple(_tables())

__all__ = [
    "PARTS_MODELS",
    "TABLE_NAMES",
    "Case",
    "CaseComment",
    "CaseRecord",
    "CasesNamespace",
    "Categories",
    "CategoryList",
    "Code",
    "Consent",
    "Exploitation",
    "FieldMap",
    "JourneyEvent",
    "MappedField",
    "MeansOfControl",
    "Organisation",
    "Perpetrator",
    "Person",
    "PersonIdentity",
    "Referral",
    "SupportPlan",
    "TraffickerRelation",
    "VictimContext",
    "ctdc_field_map",
    "htcds_field_map",
    "load_categories",
]
