"""``palermo ingest``: FILE --mapping --json prints exactly the four counts; mappings, suggest,
quarantine list|show|retry; user errors are one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from palermo.cli import app
from palermo.errors import IngestError, NotFoundError, UnknownMappingError

from .conftest import GOOD_ROWS, HEADER, write_csv

runner = CliRunner()


def _invoke(store: Path, *args: str) -> str:
    result = runner.invoke(app, ["--store", str(store), "ingest", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_json_prints_exactly_the_counts(tmp_path: Path, agency_mapping: Path) -> None:
    rows = [*GOOD_ROWS, "Ann Ames;X;-;-;France;-;-"]
    path = write_csv(tmp_path / "f.csv", "\n".join([HEADER, *rows]) + "\n")
    store = tmp_path / "s.duckdb"
    out = _invoke(store, str(path), "--mapping", str(agency_mapping), "--json")
    assert json.loads(out) == {"rows_read": 4, "ingested": 3, "quarantined": 1, "duplicates_skipped": 0}
    again = _invoke(store, "run", str(path), "-m", str(agency_mapping), "--json")
    assert json.loads(again) == {"rows_read": 4, "ingested": 0, "quarantined": 0, "duplicates_skipped": 4}
    listed = json.loads(_invoke(store, "quarantine", "list", "--json"))
    assert [(e["source_row"], e["problems"][0]["field"]) for e in listed] == [(4, "sex -> persons.gender")]
    shown = _invoke(store, "quarantine", "show", str(listed[0]["quarantine_id"]))
    assert "sex -> persons.gender" in shown and "Ames" not in shown and "Ames" not in json.dumps(listed)
    retried = json.loads(
        _invoke(store, "quarantine", "retry", str(listed[0]["quarantine_id"]), "--set", "sex=F", "--json")
    )
    assert (retried["ingested"], retried["still_quarantined"]) == (1, 0)
    assert json.loads(_invoke(store, "quarantine", "list", "--json")) == []
    assert len(json.loads(_invoke(store, "quarantine", "list", "--all", "--json"))) == 1


def test_store_option_of_the_command(tmp_path: Path, agency_mapping: Path) -> None:
    path = write_csv(tmp_path / "f.csv", "\n".join([HEADER, *GOOD_ROWS]) + "\n")
    result = runner.invoke(
        app, ["ingest", str(path), "--mapping", str(agency_mapping), "--store", str(tmp_path / "x.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert "3 ingested" in result.output and (tmp_path / "x.duckdb").exists()


def test_mappings_and_suggest(tmp_path: Path) -> None:
    listed = json.loads(_invoke(tmp_path / "s.duckdb", "mappings", "--json"))
    assert {"ctdc-vp-2022", "ctdc-kanon-v6", "ctdc-synthetic-2024", "unodc-glotip", "htcds-v2-core"} <= {
        m["name"] for m in listed
    }
    path = write_csv(tmp_path / "f.csv", "\n".join([HEADER, *GOOD_ROWS * 3]) + "\n")
    draft = _invoke(tmp_path / "s.duckdb", "suggest", str(path))
    assert draft.startswith("# Draft mapping for f.csv") and "confidence" in draft


def test_user_errors_are_one_line(tmp_path: Path, agency_mapping: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    done = subprocess.run(
        [sys.executable, "-m", "palermo", "--store", str(tmp_path / "s.duckdb"), "ingest", str(binary), "-m", str(agency_mapping)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and "binary content" in lines[0], done.stderr
    for args, error, fragment in (
        ([str(binary), "--mapping", "no-such-mapping"], UnknownMappingError, "no shipped mapping named"),
        (["quarantine", "retry"], IngestError, "name the entries to retry"),
        (["quarantine", "show", "42"], NotFoundError, "no quarantine entry 42"),
        (["quarantine", "retry", "--all", "--set", "nonsense"], IngestError, "--set takes COLUMN=VALUE"),
    ):
        result = runner.invoke(app, ["--store", str(tmp_path / "s.duckdb"), "ingest", *args])
        assert isinstance(result.exception, error) and fragment in str(result.exception), result.output
