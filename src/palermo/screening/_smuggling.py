"""The smuggling verdict from the journey facts (Smuggling of Migrants Protocol, Arts. 3 and 6)."""

from __future__ import annotations

from collections.abc import Mapping


def smuggling(journey: Mapping[str, bool | None], fraudulent_document: bool) -> tuple[str, str]:
    """Smuggling verdict and the rule behind it (Smuggling of Migrants Protocol Art. 3(a))."""
    crossed, irregular = journey["crossed_border"], journey["irregular_entry"]
    paid = journey["facilitator_paid"]
    facilitated = journey["facilitated"]
    if facilitated is None and paid is True:
        facilitated = True  # paying someone for the crossing means someone else procured it
    if facilitated is False:
        return "no", "smuggling.self-procured"
    elements = (crossed, irregular, paid, facilitated)
    if all(e is True for e in elements):
        return "yes", "smuggling.yes"
    if any(e is False for e in elements):
        return "no", "smuggling.no"
    if any(e is True for e in elements) or fraudulent_document:
        return "possible", "smuggling.possible"
    return "no", "smuggling.no-facts"
