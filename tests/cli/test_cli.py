"""The command line: version, help on every command, one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

import palermo
from palermo.cli import app
from palermo.store import latest_version


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed console entry point in a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "palermo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(group: object, prefix: list[str]) -> None:
        commands = getattr(group, "commands", None)
        if commands:
            for name, sub in commands.items():
                paths.append([*prefix, name])
                walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"palermo {palermo.__version__}"


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "palermo")
def test_every_command_has_help(command: list[str]) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert len(result.output.splitlines()) > 3


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_user_error_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "keep.txt").write_text("x")
    result = run("scenario", "generate", "--persons", "10", "--out", str(tmp_path / "w"))
    _assert_one_line_error(result, "error:", "not empty")


def test_store_that_is_a_folder(tmp_path: Path) -> None:
    result = run("--store", str(tmp_path), "store", "info")
    _assert_one_line_error(result, "is a folder")


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    with palermo.open(path) as ws:
        ws.store.execute(
            "INSERT INTO schema_version (version, name, palermo_version) VALUES (?, 'future', '99')",
            [latest_version() + 1],
        )
    result = run("--store", str(path), "store", "info")
    _assert_one_line_error(result, "upgrade Palermo")


def test_usage_error_exits_2() -> None:
    result = run("scenario", "generate", "--persons", "not-a-number")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--persons" in result.stderr


def test_generate_json_and_store_info(tmp_path: Path) -> None:
    result = run(
        "scenario", "generate", "--persons", "300", "--seed", "3", "--out", str(tmp_path / "w"), "--json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["persons"] == 300
    assert (tmp_path / "w" / "truth" / "records.parquet").exists()
    info = run("--store", str(tmp_path / "s.duckdb"), "store", "info", "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["schema_version"] == latest_version()


def test_demo_builds_the_store(tmp_path: Path) -> None:
    env = {"PALERMO_HOME": str(tmp_path / "home")}
    result = run("demo", "--persons", "300", env=env)
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "home" / "palermo.duckdb") in result.stdout.replace("\n", "")
    again = run("demo", "--persons", "300", env=env)
    assert again.returncode == 0, again.stderr
    with palermo.open(tmp_path / "home" / "palermo.duckdb") as ws:
        assert ws.store.count("datasets") == 1, "a second demo replaces the first"
        assert ws.cases.count() > 0
        runs = ws.linkage.runs()
        assert len(runs) == 1, "a second demo replaces its linkage run"
        histories = ws.linkage.capture_histories(runs[0].run_id)
        assert histories.num_columns == 4, "three agencies in Spain and the count"
    flat = " ".join(again.stdout.split())
    assert "private linkage of the agencies in Spain" in flat
    assert "overlap between agencies" in flat
    assert f"run {runs[0].run_id}" in flat
    precision = float(flat.split("precision ")[1].split(",")[0])
    assert 0.0 < precision <= 1.0
    # names never reach the hub's output: the encoded files hold no clear-text identity column
    import pyarrow.parquet as pq

    for encoded in (tmp_path / "home" / "demo-link" / "encoded").glob("*.parquet"):
        assert not {"given_name", "family_name", "date_of_birth"} & set(pq.read_schema(encoded).names)


def test_cli_reference_is_up_to_date() -> None:
    """docs/cli.md is generated from the commands' own help (make docs); it must match the code."""
    typer_bin = Path(sys.executable).with_name("typer")
    if not typer_bin.exists():
        pytest.skip("the typer command is not installed beside this Python")
    result = subprocess.run(
        [str(typer_bin), "palermo.cli._app", "utils", "docs", "--name", "palermo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    reference = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
    assert result.stdout.strip() == reference.read_text(encoding="utf-8").strip(), "run `make docs`"
