"""``palermo link``: the agency and hub commands end to end, and one-line errors (exit code 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from palermo.cli import app
from tests.linkage.conftest import AGENCY_A


def _palermo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PALERMO_HOME": str(cwd / "home")}
    return subprocess.run(
        [sys.executable, "-m", "palermo", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_agency_and_hub_commands(agency_files: tuple[Path, Path], tmp_path: Path, small_world: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "hub.duckdb")]
    key = tmp_path / "project.key"
    assert runner.invoke(app, ["link", "keygen", str(key)]).exit_code == 0
    encoded = []
    for f in agency_files:
        out = tmp_path / "enc" / f"{f.stem}.parquet"
        result = runner.invoke(
            app, ["link", "encode", str(f), "--secret-file", str(key), "--out", str(out), "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["records"] in (5, 6)
        encoded.append(str(out))
    links = tmp_path / "LINKS.csv"
    result = runner.invoke(
        app, [*store, "link", "match", *encoded, "--threshold", "0.65", "--out", str(links), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["clusters"] == 7
    assert summary["capture_histories"] == {"01": 1, "10": 2, "11": 4}
    for row in AGENCY_A:  # no identifying value in what the hub prints
        assert row[1] not in result.stdout and row[2] not in result.stdout
    rows = links.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "cluster_id,source,record_id" and len(rows) == 12
    runs = json.loads(runner.invoke(app, [*store, "link", "runs", "--json"]).stdout)
    assert len(runs) == 1
    shown = runner.invoke(app, [*store, "link", "show", runs[0]["run_id"]])
    assert shown.exit_code == 0 and "agency-a" in shown.stdout
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "source,record_id,entity_id\n"
        + "".join(f"agency-a,A{i},p{i}\n" for i in range(1, 7))
        + "".join(f"agency-b,B{i},p{i}\n" for i in (1, 2, 3, 4, 7)),
        encoding="utf-8",
    )
    evaluated = runner.invoke(
        app, [*store, "link", "evaluate", "--links", str(links), "--truth", str(truth), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["f1"] == 1.0
    assert runner.invoke(app, ["link", "schemas"]).exit_code == 0


def test_world_inputs_command(small_world: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["link", "from-world", str(small_world), "--out", str(tmp_path), "--agency", "fr-refuge"]
    )
    assert result.exit_code == 0, result.output
    header = (tmp_path / "fr-refuge.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "record_id,given_name,family_name,date_of_birth,sex,citizenship"


def test_errors_are_one_line_without_values(agency_files: tuple[Path, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "record_id,given_name,family_name,date_of_birth\nR1,Zoraida,Quispe,31/12/1990\n", encoding="utf-8"
    )
    key = tmp_path / "k"
    key.write_text("x" * 40, encoding="utf-8")
    result = _palermo(
        "link",
        "encode",
        str(bad),
        "--secret-file",
        str(key),
        "--out",
        str(tmp_path / "o.parquet"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "row 1, field 'date_of_birth'" in result.stderr
    assert "Zoraida" not in result.stderr and "31/12/1990" not in result.stderr
    missing = _palermo(
        "link", "encode", str(agency_files[0]), "--out", str(tmp_path / "o.parquet"), cwd=tmp_path
    )
    assert missing.returncode == 2 and "--secret-file" in missing.stderr
    assert not (tmp_path / "o.parquet").exists()
    wrong = _palermo("link", "match", str(agency_files[0]), cwd=tmp_path)
    assert wrong.returncode == 2 and "not a Parquet file" in wrong.stderr
