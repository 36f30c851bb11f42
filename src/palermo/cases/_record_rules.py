"""Rules that concern a whole :class:`CaseRecord` rather than one table: every person, identity and
organisation it carries must be linked to the case, so that :meth:`CasesNamespace.get` gives it back."""

from __future__ import annotations

from palermo.cases._models import CaseRecord
from palermo.errors import Problem


def linked_person_ids(record: CaseRecord) -> set[str]:
    """Persons the case refers to: victims, perpetrators, journey events, consents, support plans."""
    ids: set[str | None] = {v.person_id for v in record.victims}
    ids |= {c.person_id for c in record.consents}
    ids |= {e.person_id for e in record.journey}
    ids |= {p.person_id for p in record.perpetrators}
    ids |= {s.person_id for s in record.support_plans}
    return {i for i in ids if i is not None}


def linked_organisation_ids(record: CaseRecord) -> set[str]:
    """Organisations the case refers to: its holder, referrals, perpetrators, journey locations."""
    ids: set[str | None] = {record.case.organisation_id}
    ids |= {r.organisation_id for r in record.referrals}
    ids |= {p.organisation_id for p in record.perpetrators}
    ids |= {e.location_organisation_id for e in record.journey}
    return {i for i in ids if i is not None}


def record_problems(record: CaseRecord) -> list[Problem]:
    """Persons, identities and organisations in ``record`` that the case does not refer to."""
    problems: list[Problem] = []
    persons = linked_person_ids(record)
    for row, person in enumerate(record.persons):
        if person.person_id not in persons:
            rule = "person is not linked to the case (victim, perpetrator, journey, consent or support plan)"
            problems.append(Problem(row, "persons.person_id", rule))
    carried = {p.person_id for p in record.persons}
    for row, identity in enumerate(record.identities):
        if identity.person_id not in carried:
            problems.append(
                Problem(row, "person_identities.person_id", "identity of a person not in the record")
            )
    organisations = linked_organisation_ids(record)
    for row, org in enumerate(record.organisations):
        if org.organisation_id not in organisations:
            rule = "organisation is not referred to by the case, its referrals, perpetrators or journey"
            problems.append(Problem(row, "organisations.organisation_id", rule))
    return problems
