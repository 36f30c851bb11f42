"""Publish without exposing anyone: disclosure risk, small-cell suppression, k-anonymous
microdata, differential privacy and the release ledger.

Risk and suppression (classic statistical disclosure control) work on a PyArrow table of
categorical columns; differential privacy uses OpenDP (pinned, its ``contrib`` features enabled
explicitly where a mechanism needs them). ``ws.disclosure`` ties them to the store: the release
ledger, profiles and ``palermo publish``.
"""

# --- differential privacy ---
from palermo.disclosure._dp import DPMechanism, DPTable, dp_counts

# --- risk, suppression, hierarchies, k-anonymity ---
from palermo.disclosure._hierarchy import Hierarchy, builtin_hierarchies, hierarchy_for
from palermo.disclosure._kanon import KAnonResult, anonymise
from palermo.disclosure._ledger import BudgetState, ReleaseRecord
from palermo.disclosure._marginals import marginal_error
from palermo.disclosure._namespace import DisclosureNamespace
from palermo.disclosure._profiles import Profile, load_profile, shipped_profiles
from palermo.disclosure._release import ReleaseResult
from palermo.disclosure._risk import RiskReport, measure_risk
from palermo.disclosure._source import COLUMNS as MICRODATA_COLUMNS
from palermo.disclosure._suppress import SuppressedTable, aggregate, audit_suppression
from palermo.disclosure._synth import SynthResult, dp_synthesize

__all__ = [
    "MICRODATA_COLUMNS",
    "BudgetState",
    "DPMechanism",
    "DPTable",
    "DisclosureNamespace",
    "Hierarchy",
    "KAnonResult",
    "Profile",
    "ReleaseRecord",
    "ReleaseResult",
    "RiskReport",
    "SuppressedTable",
    "SynthResult",
    "aggregate",
    "anonymise",
    "audit_suppression",
    "builtin_hierarchies",
    "dp_counts",
    "dp_synthesize",
    "hierarchy_for",
    "load_profile",
    "marginal_error",
    "measure_risk",
    "shipped_profiles",
]
