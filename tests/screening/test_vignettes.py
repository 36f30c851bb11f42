"""Written case vignettes with the verdicts the rules should give (tests/screening/vignettes.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from palermo.screening import ScreeningNamespace

VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "vignettes.yaml").read_text(encoding="utf-8")
)["vignettes"]
DEFAULT_PERSON = {"age": 30, "sex": "unknown"}


def as_input(v: dict[str, Any]) -> dict[str, Any]:
    data = {"stage": "destination", "exploitation": "labour", **v["input"]}
    data["person"] = {**DEFAULT_PERSON, **v["input"].get("person", {})}
    return data


def test_at_least_thirty_distinct_vignettes() -> None:
    ids = [v["id"] for v in VIGNETTES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)
    assert all(len(v["story"]) > 60 for v in VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(vignette: dict[str, Any]) -> None:
    result = ScreeningNamespace().assess(as_input(vignette))
    expect = vignette["expect"]
    assert result.trafficking == expect["trafficking"]
    assert result.smuggling == expect["smuggling"]
    fired = {e.rule for e in result.explanation}
    for rule in expect.get("rules", []):
        assert rule in fired, rule
    if "needs" in expect:
        assert {n.need for n in result.protection_needs} == set(expect["needs"])
    referrals = {r.referral: r for r in result.referrals}
    for ref in expect.get("referrals", []):
        assert ref in referrals, ref
    for ref in expect.get("no_referrals", []):
        assert ref not in referrals, ref
    for ref, urgency in expect.get("urgency", {}).items():
        assert referrals[ref].urgency == urgency
    assert {f.rule for f in result.flags} >= set(expect.get("flags", []))
    assert result.disclaimer and "never replaces" in result.to_json()["disclaimer"]
