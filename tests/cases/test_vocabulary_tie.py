"""The case model's domain categories are named by concepts of the vocabulary (issue 3).

Every HTCDS v2.0 code in the case model's domain lists resolves, through the shipped htcds-v2
crosswalk, to at least one concept of the scheme (values meaning "unknown" are mapped as missing). Administrative lists (marital status, education,
case status, online platforms, referral bookkeeping) are deliberately not vocabulary concepts.
"""

from __future__ import annotations

import pytest

from palermo import vocab
from palermo.cases import load_categories

DOMAIN_LISTS = (
    "organisation_type",
    "gender",
    "trafficking_status",
    "trafficking_status_decision_org",
    "recruitment_method",
    "journey_event_type",
    "exploitation_type",
    "labour_sector",
    "sex_exploitation_type",
    "means_of_control",
    "relationship_to_trafficker",
    "perpetrator_role",
    "support_plan_type",
)


def _htcds_fields(list_name: str) -> list[str]:
    sources = load_categories().lists[list_name].sources
    return [s.field for s in sources if s.document.key == "htcds2"]


@pytest.mark.parametrize("list_name", DOMAIN_LISTS)
def test_every_htcds_code_has_a_concept(list_name: str) -> None:
    crosswalk = vocab.crosswalk("htcds-v2")
    fields = _htcds_fields(list_name)
    assert fields, f"{list_name} cites no HTCDS field"
    codes = [c for c in load_categories().lists[list_name].codes if c.document == "htcds2"]
    assert codes
    for code in codes:
        mappings = [m for f in fields for m in crosswalk.lookup(f, code.code)]
        assert mappings, f"{list_name}: HTCDS code {code.code} is not in the crosswalk"
        if all(m.status == "missing" for m in mappings):
            continue  # "unknown" values say the fact is missing; they name no concept
        concepts = {cid for m in mappings for cid in m.concepts}
        assert concepts, f"{list_name}: HTCDS code {code.code} has no concept"
        for cid in concepts:
            vocab.get_concept(cid)  # raises if the crosswalk names a concept the scheme lacks
