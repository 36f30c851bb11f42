"""Publish without exposing anyone: disclosure risk, small-cell suppression, k-anonymous
microdata, differential privacy and the release ledger.

Risk and suppression (classic statistical disclosure control) work on a PyArrow table of
categorical columns; differential privacy uses OpenDP (pinned, its ``contrib`` features enabled
explicitly where a mechanism needs them). ``ws.disclosure`` ties them to the store: the release
ledger, profiles and ``palermo publish``.
"""

from palermo.disclosure._ledger import BudgetState, ReleaseRecord
from palermo.disclosure._namespace import DisclosureNamespace
from palermo.disclosure._profiles import Profile, load_profile, shipped_profiles
from palermo.disclosure._release import ReleaseResult
from palermo.disclosure._source import COLUMNS as MICRODATA_COLUMNS

# --- risk, suppression, hierarchies, k-anonymity ---

# --- differential privacy ---

__all__ = [
    "MICRODATA_COLUMNS",
    "BudgetState",
    "DisclosureNamespace",
    "Profile",
    "ReleaseRecord",
    "ReleaseResult",
    "load_profile",
    "shipped_profiles",
]
