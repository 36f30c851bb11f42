"""Release profiles: the shipped ones load; bad ones are refused naming the profile and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo.disclosure import MICRODATA_COLUMNS, load_profile, shipped_profiles
from palermo.errors import DisclosureParameterError, UnknownProfileError


def test_shipped_profiles_load_and_use_only_release_columns() -> None:
    file = shipped_profiles()
    assert set(file.profiles) == {"public", "partners", "research"}
    for name in file.profiles:
        profile, _ = load_profile(name)
        assert profile.columns() <= set(MICRODATA_COLUMNS), name
        assert profile.epsilon <= file.budget.epsilon
    public, _ = load_profile("public")
    assert public.tables is not None and public.tables.threshold == 10
    assert public.audience == "public"


def test_unknown_profile_names_the_shipped_ones() -> None:
    with pytest.raises(UnknownProfileError, match="public"):
        load_profile("everyone")


def _write(tmp_path: Path, body: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text("budget: {epsilon: 5, delta: 1.0e-6}\nyears: [2010, 2025]\nprofiles:\n" + body, "utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("  mine: {audience: x, tables: {threshold: 1, items: [{name: t, by: [gender]}]}}\n", "threshold"),
        ("  mine: {audience: x, dp_counts: [{name: q, by: [gender], epsilon: 0}]}\n", "epsilon"),
        ("  mine: {audience: x, dp_counts: [{name: q, by: [gender], epsilon: -1}]}\n", "epsilon"),
        ("  mine: {audience: x, synthetic: [{name: s, columns: [gender], epsilon: 1, delta: 0}]}\n", "delta"),
        ("  mine: {audience: x, microdata: [{name: m, quasi_identifiers: [gender], k: 1}]}\n", "k"),
        ("  mine: {audience: x}\n", "no output"),
        (
            "  mine: {audience: x, microdata: [{name: m, quasi_identifiers: [gender], k: 5, max_suppression: 1.5}]}\n",
            "max_suppression",
        ),
    ],
)
def test_bad_profiles_are_refused_with_the_field(tmp_path: Path, body: str, field: str) -> None:
    with pytest.raises(DisclosureParameterError, match=field):
        load_profile(_write(tmp_path, body))


def test_a_profile_file_with_one_profile_and_overrides(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "  only: {audience: x, tables: {threshold: 5, items: [{name: t, by: [gender]}]}}\n"
    )
    profile, file = load_profile(path)
    assert profile.name == "only" and file.years == (2010, 2025)
    assert profile.with_overrides(threshold=7).tables.threshold == 7  # type: ignore[union-attr]
    with pytest.raises(DisclosureParameterError, match="threshold"):
        profile.with_overrides(threshold=1)
    public, _ = load_profile("public")
    assert public.with_overrides(epsilon_scale=0.5).epsilon == pytest.approx(public.epsilon / 2)
    with pytest.raises(DisclosureParameterError, match="epsilon"):
        public.with_overrides(epsilon_scale=0)
