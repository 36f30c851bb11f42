"""palermo publish on a store of generated cases: files, manifest, ledger, refusals, all or nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from palermo.cli._app import app
from palermo.disclosure import _release
from palermo.errors import (
    DifferencingError,
    DisclosureParameterError,
    PrivacyBudgetError,
    QuasiIdentifierError,
)
from palermo.workspace import Workspace


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ledger_rows(ws: Workspace) -> tuple[int, int, int]:
    return tuple(ws.store.count(t) for t in ("releases", "release_queries", "release_cells"))  # type: ignore[return-value]


def test_public_release_files_manifest_and_ledger(cases_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = cases_ws.disclosure.publish("public", out).to_dict()
    assert set(result) >= {"release", "tables", "records_suppressed", "min_cell", "epsilon_spent"}
    assert result["tables"] == 5 and not result["reused"]
    assert 0 < result["epsilon_spent"] <= 4.0
    assert result["min_cell"] >= 10
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["release"] == result["release"] and manifest["profile"] == "public"
    for output in manifest["outputs"]:
        for entry in output["files"]:
            assert _sha(out / entry["path"]) == entry["sha256"]
        table = pq.read_table(out / output["files"][1]["path"])
        assert "person_id" not in table.column_names
        if output["kind"] == "suppressed_table":
            counts = [c for c in table["count"].to_pylist() if c]
            assert min(counts) >= 10  # every published non-zero cell meets the threshold
    assert (out / "risk-report.md").read_text("utf-8").startswith("# Disclosure report")
    record = cases_ws.disclosure.release(result["release"])
    assert record["manifest_sha256"] == _sha(out / "manifest.json")
    assert {q["kind"] for q in record["queries"]} == {"suppressed_table", "dp_synthetic"}
    assert cases_ws.disclosure.budget().epsilon_spent == pytest.approx(result["epsilon_spent"])
    # the same profile over the same data: the earlier release, no budget spent
    again = cases_ws.disclosure.publish("public", out)
    assert again.reused and again.to_dict()["epsilon_spent"] == 0
    copy = cases_ws.disclosure.publish("public", tmp_path / "copy")
    assert copy.reused and _sha(tmp_path / "copy" / "manifest.json") == _sha(out / "manifest.json")
    assert cases_ws.disclosure.budget().releases == 1


def test_partners_release_has_k_anonymous_microdata(cases_ws: Workspace, tmp_path: Path) -> None:
    result = cases_ws.disclosure.publish("partners", tmp_path / "p")
    micro = pq.read_table(tmp_path / "p" / "microdata" / "victims_k11.parquet")
    qis = ["gender", "age_band", "citizenship", "country_of_exploitation", "registration_year"]
    sizes: dict[tuple[str, ...], int] = {}
    for row in micro.select(qis).to_pylist():
        key = tuple(row.values())
        sizes[key] = sizes.get(key, 0) + 1
    assert min(sizes.values()) >= 11
    assert result.record.records_suppressed <= result.record.records


def test_a_spent_budget_refuses_and_writes_nothing(cases_ws: Workspace, tmp_path: Path) -> None:
    cases_ws.settings.disclosure_epsilon_budget = 5.0
    cases_ws.disclosure.publish("public", tmp_path / "one")
    before = _ledger_rows(cases_ws)
    with pytest.raises(PrivacyBudgetError, match="left"):
        cases_ws.disclosure.publish("public", tmp_path / "two", reuse=False)
    assert not (tmp_path / "two").exists()
    assert _ledger_rows(cases_ws) == before
    assert cases_ws.disclosure.budget().epsilon_spent <= 5.0


def test_bad_parameters_are_refused_before_anything_is_written(cases_ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(DisclosureParameterError, match="threshold"):
        cases_ws.disclosure.publish("public", tmp_path / "a", threshold=1)
    with pytest.raises(DisclosureParameterError, match="epsilon"):
        cases_ws.disclosure.publish("public", tmp_path / "b", epsilon_scale=0)
    profile = tmp_path / "mine.yaml"
    profile.write_text(
        "budget: {epsilon: 5, delta: 1.0e-6}\nyears: [2010, 2025]\nprofiles:\n"
        "  mine: {audience: x, tables: {threshold: 5, items: [{name: t, by: [shoe_size]}]}}\n",
        "utf-8",
    )
    with pytest.raises(QuasiIdentifierError, match="shoe_size"):
        cases_ws.disclosure.publish(profile, tmp_path / "c")
    assert not any((tmp_path / n).exists() for n in "abc")
    assert _ledger_rows(cases_ws) == (0, 0, 0)


def test_a_failure_while_recording_leaves_no_release(
    cases_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_release, "_insert", broken)
    with pytest.raises(OSError, match="disk full"):
        cases_ws.disclosure.publish("public", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.glob(".out.partial-*")) == []
    assert _ledger_rows(cases_ws) == (0, 0, 0)


def test_differencing_against_a_release_of_other_data(cases_ws: Workspace, tmp_path: Path) -> None:
    cases_ws.disclosure.publish("partners", tmp_path / "before")
    # three victim records leave the store: the same tables would now differ by a few records
    victims = cases_ws.store.query_arrow("SELECT case_id FROM case_victims ORDER BY case_id LIMIT 3")
    for case_id in victims["case_id"].to_pylist():
        cases_ws.store.execute("DELETE FROM case_victims WHERE case_id = ?", [case_id])
    before = _ledger_rows(cases_ws)
    with pytest.raises(DifferencingError, match="fewer than 5 records"):
        cases_ws.disclosure.publish("partners", tmp_path / "after")
    assert not (tmp_path / "after").exists()
    assert _ledger_rows(cases_ws) == before


def test_cli_publish_and_ledger_commands(cases_ws: Workspace, tmp_path: Path) -> None:
    store = str(cases_ws.path)
    cases_ws.close()
    runner = CliRunner()
    out = tmp_path / "rel"
    result = runner.invoke(
        app, ["--store", store, "publish", "--profile", "public", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert set(printed) >= {"release", "tables", "records_suppressed", "min_cell", "epsilon_spent"}
    listed = runner.invoke(app, ["--store", store, "release", "list", "--json"])
    assert json.loads(listed.output)[0]["release"] == printed["release"]
    shown = runner.invoke(app, ["--store", store, "release", "show", printed["release"], "--json"])
    assert len(json.loads(shown.output)["queries"]) == 5
    budget = runner.invoke(app, ["--store", store, "release", "budget", "--json"])
    assert json.loads(budget.output)["releases"] == 1
    risk = runner.invoke(app, ["--store", store, "release", "risk", "--qi", "gender", "--qi", "age_band"])
    assert risk.exit_code == 0 and "Smallest class" in risk.output
    synthetic = out / "microdata" / "synthetic_victims.csv"
    risk_file = runner.invoke(
        app, ["--store", store, "release", "risk", "--file", str(synthetic), "--qi", "gender", "--json"]
    )
    assert json.loads(risk_file.output)["records"] > 0
    assert "public" in runner.invoke(app, ["--store", store, "release", "profiles"]).output
