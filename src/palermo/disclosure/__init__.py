"""Publish without exposing anyone: disclosure risk, small-cell suppression, k-anonymous
microdata, differential privacy and the release ledger.

Risk and suppression (classic statistical disclosure control) work on a PyArrow table of
categorical columns; differential privacy uses OpenDP (pinned, its ``contrib`` features enabled
explicitly where a mechanism needs them). ``ws.disclosure`` ties them to the store: the release
ledger, profiles and ``palermo publish``.
"""

# --- risk, suppression, hierarchies, k-anonymity ---

# --- differential privacy ---

__all__: list[str] = []
