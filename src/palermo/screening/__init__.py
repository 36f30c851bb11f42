"""Screening for front-liners: is there an indication of trafficking, is this smuggling, which
protection needs are urgent, where to refer. It supports a decision; it never replaces the formal
identification by the competent authority, and every output says so.

::

    with palermo.open() as ws:
        result = ws.screening.assess({"person": {"age": 16}, "stage": "destination",
                                      "indicators": {"iloec.ex.hours": "yes"}})
        result.trafficking, result.smuggling, result.what_would_change[0].indicator
        ws.screening.screen("case-1", answers)          # stored; re-screening shows what changed

The indicator catalogues, rules and referral table are data files inside this package (``data/``);
see docs/screening.md for their sources and what could not be verified.
"""

from __future__ import annotations

from palermo.screening._assessment import (
    SMUGGLING_VERDICTS,
    VERDICTS,
    Assessment,
    Change,
    Explanation,
    Need,
    Referral,
)
from palermo.screening._engine import dimension_positive
from palermo.screening._history import Screening
from palermo.screening._input import Flag
from palermo.screening._model import (
    ANSWERS,
    DIMENSIONS,
    DISCLAIMER,
    LANGUAGES,
    POPULATIONS,
    STAGES,
    Catalogue,
    CatalogueInfo,
    Indicator,
    Source,
)
from palermo.screening._namespace import ScreeningNamespace, builtin_catalogue
from palermo.screening._referrals import ReferralTable

__all__ = [
    "ANSWERS",
    "DIMENSIONS",
    "DISCLAIMER",
    "LANGUAGES",
    "POPULATIONS",
    "SMUGGLING_VERDICTS",
    "STAGES",
    "VERDICTS",
    "Assessment",
    "Catalogue",
    "CatalogueInfo",
    "Change",
    "Explanation",
    "Flag",
    "Indicator",
    "Need",
    "Referral",
    "ReferralTable",
    "Screening",
    "ScreeningNamespace",
    "Source",
    "builtin_catalogue",
    "dimension_positive",
]
