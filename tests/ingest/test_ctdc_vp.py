"""The CTDC victim-perpetrator synthetic release (21,195 rows): every count of its dictionary's
statistics sheet (VPdict__TabStat.csv) is reproduced from the store, over every row."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from palermo.ingest import IngestResult
from palermo.workspace import Workspace

from .conftest import VP_FILE, table_counts

ROWS = 21_195
GENDER = {"Feminine": "Female", "Masculine": "Male"}
# the case model's codes for the release's literals (categories.yaml aliases of document ctdc_vp2022)


def tab_stat(path: Path) -> dict[str, Counter[str]]:
    """The statistics sheet: per variable, the frequency of each value and of missing ('')."""
    stats: dict[str, Counter[str]] = {}
    current: Counter[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if row[0] and row[0] not in ("Valid", "Missing", "Total"):
                current = stats.setdefault(row[0], Counter())
            elif row[0] in ("Valid", "") and row[1] not in ("", "Total") and current is not None:
                current[row[1]] = int(row[2])
            elif row[0] == "Missing" and current is not None:
                current[""] = int(row[2])
    return stats


def _counts(ws: Workspace, sql: str) -> Counter[str]:
    return Counter({("" if k is None else str(k)): int(n) for k, n in ws.store.execute(sql).fetchall()})


def _list_counts(ws: Workspace, column: str, labels: dict[str, str] | None = None) -> Counter[str]:
    """Per victim, the perpetrators' list joined as the release writes it ('Female;Male')."""
    rows = ws.store.execute(
        f"SELECT p.{column} FROM cases c LEFT JOIN perpetrators p USING (case_id)"
    ).fetchall()
    found: Counter[str] = Counter()
    for (values,) in rows:
        shown = sorted((labels or {}).get(str(v), str(v)) for v in values or [])
        found[";".join(shown)] += 1
    return found


def _flag(ws: Workspace, where: str) -> Counter[str]:
    present = int(ws.store.scalar(f"SELECT count(*) FROM {where}"))
    return Counter({"1": present, "": ROWS - present})


def _observed(ws: Workspace) -> dict[str, Counter[str]]:
    role = "perpetrators WHERE list_contains(roles, '{}')"
    paid = ws.store.execute(
        "SELECT p.victim_paid FROM cases c LEFT JOIN perpetrators p USING (case_id)"
    ).fetchall()
    pay: Counter[str] = Counter(
        ";".join(sorted("Yes" if v else "No" for v in (values or []))) for (values,) in paid
    )
    return {
        "yearRegister": _counts(ws, "SELECT registration_period, count(*) FROM cases GROUP BY 1"),
        "gender": Counter(
            {
                GENDER.get(k, k): n
                for k, n in _counts(ws, "SELECT gender, count(*) FROM persons GROUP BY 1").items()
            }
        ),
        "majorityStatus": _counts(ws, "SELECT majority_status, count(*) FROM persons GROUP BY 1"),
        "isForcedLabour": _flag(ws, "case_exploitation WHERE code = 'ForcedLabour' AND present"),
        "isSexualExploit": _flag(ws, "case_exploitation WHERE code = 'SexualExploitation' AND present"),
        "UN_COO_Region": _counts(
            ws, "SELECT array_to_string(citizenship_regions, ';'), count(*) FROM persons GROUP BY 1"
        ),
        "UN_COE_Region": _counts(
            ws,
            "SELECT e.region, count(*) FROM cases c LEFT JOIN journey_events e "
            "ON e.case_id = c.case_id AND e.event_type = 'Exploitation' GROUP BY 1",
        ),
        "IP_Exploiter": _flag(ws, role.format("Exploiter")),
        "IP_Gender": _list_counts(ws, "genders", GENDER),
        "IP_ageBroad": _list_counts(ws, "age_bands"),
        "IP_citizen_UNRegion": _list_counts(ws, "citizenship_regions"),
        "IP_Relation": _list_counts(ws, "relations_to_victim", {"Acquainted": "FriendAcquaintance"}),
        "IP_PayMoney": pay,
        "IP_RecruiterBroker": _flag(ws, role.format("RecruiterBroker")),
        "IP_TransactionProcess": _flag(ws, role.format("TransactionProcess")),
        "IP_ControlAbuseKidnap": _flag(ws, role.format("ControlAbuseKidnap")),
    }


def test_every_row_is_ingested(vp_store: tuple[Workspace, IngestResult]) -> None:
    ws, result = vp_store
    assert result.counts() == {"rows_read": ROWS, "ingested": ROWS, "quarantined": 0, "duplicates_skipped": 0}
    assert ws.cases.count() == ROWS
    assert ws.store.count("ingest_quarantine") == 0


def test_counts_equal_the_dictionary_statistics_sheet(
    vp_store: tuple[Workspace, IngestResult], shared_data: Path
) -> None:
    expected = tab_stat(shared_data / "ctdc" / "VPdict__TabStat.csv")
    assert len(expected) == 16, "the sheet tabulates all 16 variables"
    observed = _observed(vp_store[0])
    for variable, counts in expected.items():
        for value, n in counts.items():
            assert sum(counts.values()) == ROWS, variable
            assert observed[variable][value] == n, (variable, value)
        assert sum(observed[variable].values()) == ROWS, variable


def test_identical_rows_are_distinct_records(
    vp_store: tuple[Workspace, IngestResult], shared_data: Path
) -> None:
    lines = (shared_data / VP_FILE).read_text(encoding="utf-8").splitlines()[1:]
    repeated = len(lines) - len(set(lines))
    assert repeated > 10_000, "the release repeats many rows"
    ws = vp_store[0]
    assert ws.store.scalar("SELECT count(DISTINCT case_id) FROM cases") == ROWS
    assert ws.store.scalar("SELECT count(DISTINCT record_key) FROM ingest_records") == ROWS


def test_every_record_keeps_file_row_and_mapping_version(vp_store: tuple[Workspace, IngestResult]) -> None:
    ws, result = vp_store
    rows = ws.store.execute(
        "SELECT min(source_row), max(source_row), count(DISTINCT source_row), count(*), "
        "any_value(mapping), any_value(mapping_version), count(DISTINCT source_file) FROM ingest_records"
    ).fetchone()
    assert rows == (1, ROWS, ROWS, ROWS, "ctdc-vp-2022", "1", 1)
    run = ws.ingest.runs()[0]
    assert (run["rows_read"], run["ingested"], run["file_hash"]) == (ROWS, ROWS, result.file_hash)
    assert result.file_hash.startswith("1ce1c5a7bccab2e8"), (
        "the unmodified official file (sha256 in data-standards.md)"
    )


def test_ingesting_again_changes_nothing(vp_store: tuple[Workspace, IngestResult], shared_data: Path) -> None:
    ws = vp_store[0]
    before = table_counts(ws)
    again = ws.ingest.ingest(shared_data / VP_FILE, "ctdc-vp-2022")
    assert again.counts() == {"rows_read": ROWS, "ingested": 0, "quarantined": 0, "duplicates_skipped": ROWS}
    assert table_counts(ws) == before


def test_a_copy_with_rows_added_ingests_only_the_new_ones(
    vp_store: tuple[Workspace, IngestResult], shared_data: Path, tmp_path: Path
) -> None:
    """Another export of the same source: known rows (identical ones counted) are skipped."""
    ws = vp_store[0]
    text = (shared_data / VP_FILE).read_text(encoding="utf-8")
    first_row = text.splitlines()[1]
    copy = tmp_path / "vp_again.csv"
    copy.write_text(text + "\n" + first_row + "\n", encoding="utf-8")
    before = ws.cases.count()
    result = ws.ingest.ingest(copy, "ctdc-vp-2022")
    assert result.counts() == {
        "rows_read": ROWS + 1,
        "ingested": 1,
        "quarantined": 0,
        "duplicates_skipped": ROWS,
    }
    assert ws.cases.count() == before + 1
    ws.ingest.remove_dataset(result.dataset_id)
    assert ws.cases.count() == before


@pytest.mark.parametrize("variable", ["IP_Gender", "IP_PayMoney"])
def test_multi_valued_cells_keep_every_value(vp_store: tuple[Workspace, IngestResult], variable: str) -> None:
    observed = _observed(vp_store[0])[variable]
    both = "Female;Male" if variable == "IP_Gender" else "No;Yes"
    assert observed[both] > 900
