"""``palermo screen``: indicators, assess (JSON shapes), history, the interview driven with input, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from palermo.cli import app
from palermo.screening import DIMENSIONS, POPULATIONS, ScreeningNamespace
from palermo.screening._interview import Interview
from tests.screening.conftest import screening_input

RUNNER = CliRunner()
ASSESS_KEYS = {
    "trafficking",
    "smuggling",
    "elements",
    "dimensions",
    "protection_needs",
    "referrals",
    "what_would_change",
    "explanation",
}


def invoke(*args: str, input: str | None = None) -> Any:
    result = RUNNER.invoke(app, list(args), input=input, catch_exceptions=False)
    return result


def test_indicators_json_shape() -> None:
    result = invoke("screen", "indicators", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data) == len(ScreeningNamespace().catalogue)
    for entry in data:
        assert {"id", "label", "dimension", "strength", "verified", "source"} <= set(entry)
        assert set(entry["strength"]) == set(POPULATIONS)
    by_id = {e["id"]: e for e in data}
    assert by_id["iloec.cd.documents"]["strength"]["adult_labour"] == "strong"
    assert by_id["iloec.cd.documents"]["verified"] is False
    assert by_id["ilo.fl.debt-bondage"]["verified"] is True
    origin = json.loads(invoke("screen", "indicators", "--json", "--stage", "origin").stdout)
    assert {e["dimension"] for e in origin} >= set(DIMENSIONS[:3]) and "exploitative_conditions" not in {
        e["dimension"] for e in origin
    }
    table = invoke("screen", "indicators", "--dimension", "act", "--lang", "es")
    assert "reclutó" in table.stdout and "3 indicators" in table.stdout


def test_assess_json_shape(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    data = screening_input(
        {"iloec.ex.hours": "yes", "palermo.act.recruited": "yes"},
        age=15,
        crossed_border=True,
        irregular_entry=True,
        facilitator_paid=True,
        consented_to_movement=True,
        free_to_leave=False,
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    out = json.loads(invoke("screen", "assess", str(path), "--json").stdout)
    assert set(out) >= ASSESS_KEYS
    assert out["trafficking"] == "possible" and out["smuggling"] == "yes"
    assert set(out["elements"]) == {"act", "means", "purpose"} and set(out["dimensions"]) == set(DIMENSIONS)
    assert all(isinstance(v, bool) for v in [*out["elements"].values(), *out["dimensions"].values()])
    assert "never replaces" in out["disclaimer"]
    assert out["unverified"]["indicators"] == ["iloec.ex.hours"]
    human = invoke("screen", "assess", str(path))
    assert "trafficking: possible" in human.stdout and "never replaces" in human.stdout.replace("\n", " ")
    assert "(unverified)" in human.stdout


def test_assess_with_case_stores_and_history(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    path = tmp_path / "in.json"
    path.write_text(json.dumps(screening_input({"iloec.dr.job-nature": "yes"})), encoding="utf-8")
    first = json.loads(
        invoke("--store", str(store), "screen", "assess", str(path), "--case", "k1", "--json").stdout
    )
    assert first["seq"] == 1 and first["changes"] == {"first": True}
    path.write_text(json.dumps({"indicators": {"iloec.ex.hours": "yes"}}), encoding="utf-8")
    second = json.loads(
        invoke("--store", str(store), "screen", "assess", str(path), "--case", "k1", "--json").stdout
    )
    assert second["seq"] == 2 and second["changes"]["answers"] == [
        {"indicator": "iloec.ex.hours", "from": "unknown", "to": "yes"}
    ]
    history = json.loads(invoke("--store", str(store), "screen", "history", "k1", "--json").stdout)
    assert [h["seq"] for h in history] == [1, 2]
    assert "first" in invoke("--store", str(store), "screen", "history", "k1").stdout


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "palermo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PALERMO_HOME": str(cwd / "home")},
    )


def _one_line(stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_error_is_one_line_exit_2_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"stage": "moon", "person": {"age": 300}, "indicators": {"x.y": "yes"}}), encoding="utf-8"
    )
    result = run("screen", "assess", str(bad), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    _one_line(result.stderr, "3 problems", "person.age", "stage", "indicators.x.y")


def test_error_paths(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    from palermo.cli._app import main

    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    catalogue = tmp_path / "cat.yaml"
    catalogue.write_text("catalogue: {}\n", encoding="utf-8")
    cases = [
        (["screen", "assess", str(broken)], ["line 1", "not valid JSON"]),
        (["screen", "assess", str(tmp_path / "missing.json")], ["does not exist"]),
        (["screen", "indicators", "--catalogue", str(catalogue)], ["cat.yaml", "line 1"]),
        (["screen", "history", "nobody"], ["no screening"]),
        (["screen", "assess", str(broken), "--referrals", str(catalogue)], ["not valid JSON"]),
    ]
    for args, fragments in cases:
        try:
            main(args)
        except SystemExit as exc:
            assert exc.code == 2, args
        else:
            raise AssertionError(f"no error for {args}")
        _one_line(capsys.readouterr().err, *fragments)


# -- the interview ------------------------------------------------------------------------------
def scripted(
    answers: dict[str, str], lang: str = "en", default: str = "n"
) -> tuple[list[str], dict[str, Any]]:
    """Play the interview in memory: the typed lines, and the document it should write."""
    ns = ScreeningNamespace()
    iv = Interview(ns.catalogue, lambda d: ns.assess(d, lang=lang), None, lang)
    typed = []
    while (q := iv.next_question()) is not None:
        value = answers.get(q.key, default if q.kind in ("answer", "yes-no") else "")
        assert iv.record(q, value), (q.key, value)
        typed.append(value)
    return typed, iv.document()


PERSON = {
    "stage": "destination",
    "person.age": "30",
    "person.sex": "male",
    "exploitation": "labour",
    "journey.crossed_border": "y",
    "journey.irregular_entry": "y",
    "journey.facilitator_paid": "y",
    "journey.consented_to_movement": "y",
    "journey.free_to_leave": "n",
}


def test_interview_writes_the_input_file(tmp_path: Path) -> None:
    answers = {
        **PERSON,
        "iloec.dr.job-nature": "y",
        "iloec.ex.hours": "y",
        "iloec.cd.documents": "y",
        "iloec.cd.debt": "y",
    }
    typed, expected = scripted(answers)
    out = tmp_path / "answers.json"
    result = invoke("screen", "interview", "--out", str(out), input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == expected
    assert written["indicators"]["iloec.cd.documents"] == "yes"
    assert "person.pregnant" not in written["interview"]["asked"]  # skip logic: not asked of a man
    assert "never replaces" in result.stdout.replace("\n", " ")
    # the file is the assess input
    assessed = json.loads(invoke("screen", "assess", str(out), "--json").stdout)
    assert assessed["trafficking"] in ("presumed", "possible") and assessed["smuggling"] == "yes"


def test_interview_asks_few_questions_when_nothing_points_to_trafficking() -> None:
    _, doc = scripted({**PERSON, "journey.free_to_leave": "y"})
    assert not any(v == "yes" for v in doc["indicators"].values())
    key_questions = [k for k in doc["interview"]["asked"] if k.startswith("iloec.")]
    assert 0 < len(key_questions) <= 8  # only the strong indicators, no follow-up
    # at origin the destination questions are never asked
    _, origin = scripted(
        {
            "stage": "origin",
            "person.age": "22",
            "person.sex": "female",
            "exploitation": "unknown",
            "iloec.dr.job-nature": "y",
        }
    )
    asked = origin["interview"]["asked"]
    assert not any(
        k.startswith(("iloec.ex.", "iloec.cd.", "iloec.vd.", "journey.crossed_border")) for k in asked
    )
    assert any(
        k.startswith("iloec.dr.") and k != "iloec.dr.job-nature" for k in asked
    )  # follow-up after a yes


def test_interview_resumes_after_interruption(tmp_path: Path) -> None:
    typed, expected = scripted({**PERSON, "iloec.cd.isolation": "y", "iloec.cd.violence": "y"})
    out = tmp_path / "a.json"
    first = invoke("screen", "interview", "--out", str(out), input="\n".join(typed[:6]) + "\n")
    assert first.exit_code == 0 and "resume" in first.stdout
    partial = json.loads(out.read_text(encoding="utf-8"))
    assert len(partial["interview"]["asked"]) == 6
    second = invoke("screen", "interview", "--out", str(out), input="\n".join(typed[6:]) + "\n")
    assert second.exit_code == 0 and "Resuming: 6" in second.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == expected


def test_interview_in_french_and_spanish_and_invalid_answers(tmp_path: Path) -> None:
    typed, expected = scripted(
        {
            **PERSON,
            "journey.crossed_border": "o",
            "journey.irregular_entry": "o",
            "journey.facilitator_paid": "o",
            "journey.consented_to_movement": "o",
        },
        lang="fr",
    )
    out = tmp_path / "fr.json"
    text = "\n".join(["peut-être", *typed]) + "\n"  # a first invalid answer is asked again
    result = invoke("screen", "interview", "--out", str(out), "--lang", "fr", input=text)
    assert result.exit_code == 0
    assert "Répondez par" in result.stdout and "Entretien terminé" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == expected
    typed, expected = scripted(
        {
            **PERSON,
            "journey.crossed_border": "s",
            "journey.irregular_entry": "s",
            "journey.facilitator_paid": "n",
            "journey.facilitated": "s",
            "journey.consented_to_movement": "s",
        },
        lang="es",
    )
    out = tmp_path / "es.json"
    result = invoke("screen", "interview", "--out", str(out), "--lang", "es", input="\n".join(typed) + "\n")
    assert "¿" in result.stdout and json.loads(out.read_text(encoding="utf-8")) == expected
