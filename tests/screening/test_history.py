"""Screenings stored with the case; re-screening keeps the earlier answers and shows what changed."""

from __future__ import annotations

import pytest

from palermo.errors import ConfigError, NoScreeningError, ScreeningInputError
from palermo.screening import ScreeningNamespace
from palermo.workspace import Workspace
from tests.screening.conftest import screening_input


def test_first_screening_is_stored(ws: Workspace) -> None:
    first = ws.screening.screen(
        "case-7", screening_input({"iloec.dr.job-nature": "yes"}, stage="transit"), screened_by="ngo-shelter"
    )
    assert (first.seq, first.trafficking, first.stage, first.changes) == (
        1,
        "possible",
        "transit",
        {"first": True},
    )
    assert ws.store.count("screenings") == 1
    (stored,) = ws.screening.history("case-7")
    assert stored.screened_by == "ngo-shelter"
    assert stored.assessment["disclaimer"] and stored.assessment["trafficking"] == "possible"
    assert stored.answers["indicators"] == {"iloec.dr.job-nature": "yes"}


def test_rescreening_keeps_earlier_answers_and_shows_what_changed(ws: Workspace) -> None:
    ws.screening.screen(
        "c1",
        screening_input(
            {"iloec.dr.job-nature": "yes", "iloec.dr.wages": "yes"},
            stage="transit",
            crossed_border=True,
            irregular_entry=True,
            facilitator_paid=True,
        ),
    )
    later = {
        "stage": "destination",
        "journey": {"free_to_leave": False},
        "indicators": {
            "iloec.dr.wages": "unknown",
            "iloec.ex.hours": "yes",
            "iloec.ex.low-pay": "yes",
            "iloec.cd.documents": "yes",
            "iloec.cd.debt": "yes",
        },
    }
    second = ws.screening.screen("c1", later)
    assert second.seq == 2
    # earlier answers kept: the deceptive recruitment answers still count, "unknown" does not erase them
    assert second.answers["indicators"]["iloec.dr.wages"] == "yes"
    assert second.answers["journey"]["irregular_entry"] is True
    assert second.trafficking == "presumed" and second.smuggling == "yes"
    changes = second.changes
    assert changes["trafficking"] == {"from": "possible", "to": "presumed"}
    assert {c["indicator"] for c in changes["answers"]} == {
        "iloec.ex.hours",
        "iloec.ex.low-pay",
        "iloec.cd.documents",
        "iloec.cd.debt",
    }
    assert {"field": "stage", "from": "transit", "to": "destination"} in changes["facts"]
    assert {"field": "journey.free_to_leave", "from": None, "to": False} in changes["facts"]
    assert changes["dimensions"]["exploitative_conditions"] == {"from": False, "to": True}
    assert "trafficking-presumed" in changes["protection_needs"]["added"]
    # an explicit new answer replaces the earlier one
    third = ws.screening.screen("c1", {"indicators": {"iloec.cd.documents": "no"}})
    assert third.changes["answers"] == [{"indicator": "iloec.cd.documents", "from": "yes", "to": "no"}]
    history = ws.screening.history("c1")
    assert [s.seq for s in history] == [1, 2, 3]
    assert [s.trafficking for s in history] == ["possible", "presumed", "possible"]
    assert history[0].answers["stage"] == "transit"  # earlier rows are never rewritten


def test_rejected_screening_stores_nothing(ws: Workspace) -> None:
    with pytest.raises(ScreeningInputError):
        ws.screening.screen("c2", screening_input({"nope": "yes"}))
    with pytest.raises(NoScreeningError):
        ws.screening.history("c2")
    assert ws.store.count("screenings") == 0


def test_cases_are_apart(ws: Workspace) -> None:
    ws.screening.screen("a", screening_input({"iloec.ex.hours": "yes"}))
    ws.screening.screen("b", screening_input())
    assert [s.seq for s in ws.screening.history("b")] == [1]
    assert ws.screening.history("b")[0].changes == {"first": True}


def test_history_needs_a_workspace() -> None:
    with pytest.raises(ConfigError):
        ScreeningNamespace().history("x")
