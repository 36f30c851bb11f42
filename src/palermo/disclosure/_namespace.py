"""``ws.disclosure``: release profiles, the release microdata, risk reports, publishing and the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from palermo.disclosure import _ledger, _release
from palermo.disclosure._profiles import Profile, ProfileFile, load_profile, shipped_profiles
from palermo.disclosure._source import microdata

if TYPE_CHECKING:
    from palermo.disclosure._risk import RiskReport
    from palermo.workspace import Workspace


class DisclosureNamespace:
    """Publish without exposing anyone (docs/disclosure.md).

    ``publish`` makes a release of a profile (``public``, ``partners``, ``research`` or a YAML file)
    into a folder and records it in the ledger; ``releases``, ``release`` and ``budget`` read the
    ledger; ``risk`` measures the disclosure risk of the release microdata or any table.
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    # -- profiles ---------------------------------------------------------------------------
    def profiles(self) -> dict[str, Profile]:
        """The shipped profiles by name."""
        return {name: load_profile(name)[0] for name in shipped_profiles().profiles}

    def profile(self, name_or_path: str | Path) -> tuple[Profile, ProfileFile]:
        return load_profile(name_or_path)

    # -- data and risk ----------------------------------------------------------------------
    def microdata(self) -> pa.Table:
        """The release microdata (one row per case victim, categories only; docs/disclosure.md)."""
        return microdata(self._ws)

    def risk(
        self,
        quasi_identifiers: Sequence[str],
        *,
        data: pa.Table | None = None,
        k: int = 11,
        sensitive: Sequence[str] = (),
    ) -> RiskReport:
        """Disclosure risk of ``data`` (default: the release microdata) over the quasi-identifiers."""
        from palermo.disclosure._risk import measure_risk

        return measure_risk(
            self.microdata() if data is None else data, quasi_identifiers, k=k, sensitive=sensitive
        )

    # -- the ledger -------------------------------------------------------------------------
    def budget(self, profile_file: ProfileFile | None = None) -> _ledger.BudgetState:
        """The privacy budget: configured total (settings, else the profile file), spent, left."""
        epsilon, delta = self._totals(profile_file or shipped_profiles())
        return _ledger.budget(self._ws.store, epsilon, delta)

    def releases(self) -> list[_ledger.ReleaseRecord]:
        return _ledger.releases(self._ws.store)

    def release(self, release_id: str) -> dict[str, Any]:
        """A release's ledger record with its queries."""
        record = _ledger.release(self._ws.store, release_id)
        return {**record.to_dict(), "queries": _ledger.queries(self._ws.store, release_id)}

    def publish(
        self,
        profile: str | Path,
        out: str | Path,
        *,
        threshold: int | None = None,
        epsilon_scale: float | None = None,
        reuse: bool = True,
    ) -> _release.ReleaseResult:
        """Make a release of ``profile`` into the folder ``out`` (new or empty) and record it.

        ``threshold`` replaces the profile's table threshold and ``epsilon_scale`` multiplies each of
        its epsilons. The same profile and parameters over the same data return the earlier release
        (copied to ``out``) without spending budget, unless ``reuse`` is false. Raises a
        :class:`~palermo.errors.DisclosureError` (bad parameter, unknown column, budget spent,
        differencing, data too sparse) before anything is written.
        """
        chosen, file = load_profile(profile)
        if threshold is not None or epsilon_scale is not None:
            chosen = chosen.with_overrides(threshold=threshold, epsilon_scale=epsilon_scale)
        epsilon, delta = self._totals(file)
        return _release.publish(
            self._ws.store,
            chosen,
            file,
            self.microdata(),
            Path(out),
            epsilon_budget=epsilon,
            delta_budget=delta,
            reuse=reuse,
        )

    def _totals(self, file: ProfileFile) -> tuple[float, float]:
        settings = self._ws.settings
        epsilon = settings.disclosure_epsilon_budget or file.budget.epsilon
        delta = settings.disclosure_delta_budget
        return epsilon, file.budget.delta if delta is None else delta
