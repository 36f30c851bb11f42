"""The other shipped mappings on the real public files: CTDC k-anonymised layout (the published
header and rows), CTDC synthetic 2024 layout (codebook v2), UNODC GLOTIP, HTCDS v2.0 Excel template."""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest

import palermo
from palermo.ingest import load_mapping
from palermo.workspace import Workspace

# -- CTDC k-anonymised global dataset ---------------------------------------------------------


def _kanon_file(shared_data: Path, tmp_path: Path, missing: str = "") -> Path:
    """The published header and its three rows (the curator's '#' notes dropped); older releases
    wrote -99 where later ones leave the cell empty."""
    lines = (shared_data / "ctdc" / "ctdc_k_anon_global_dataset_header_and_3_rows.txt").read_text(
        encoding="utf-8"
    )
    kept = [line for line in lines.splitlines() if line and not line.startswith("#")]
    if missing:
        kept = [kept[0]] + [
            ";".join(c if c or i == 0 else missing for i, c in enumerate(r.split(";"))) for r in kept[1:]
        ]
    path = tmp_path / "the_global_k_anon_dataset.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("missing", ["", "-99"])
def test_ctdc_kanon_rows(ws: Workspace, shared_data: Path, tmp_path: Path, missing: str) -> None:
    result = ws.ingest.ingest(_kanon_file(shared_data, tmp_path, missing), "ctdc-kanon-v6")
    assert result.counts() == {"rows_read": 3, "ingested": 3, "quarantined": 0, "duplicates_skipped": 0}
    people = ws.store.execute(
        "SELECT c.registration_year, c.data_source, p.gender, p.age_band, p.majority_status, p.citizenship "
        "FROM cases c JOIN persons p ON p.person_id = c.case_id ORDER BY c.case_id"
    ).fetchall()
    assert sorted(people, key=lambda r: r[5]) == [
        (2002, "Case Management", "Feminine", "18--20", "Adult", ["COL"]),
        (2002, "Case Management", "Feminine", "18--20", "Adult", ["MDA"]),
        (2002, "Case Management", "Feminine", "18--20", "Adult", ["MDA"]),
    ]
    rows = ws.store.execute(
        "SELECT p.citizenship[1], e.category, e.code, e.present FROM case_exploitation e "
        "JOIN persons p ON p.person_id = e.case_id"
    ).fetchall()
    colombia = {(cat, code, present) for country, cat, code, present in rows if country == "COL"}
    # row 1: isForcedLabour 0, isSexualExploit 1, isOtherExploit 0, isForcedMarriage empty,
    # isForcedMilitary 0, isOrganRemoval 0, no labour or sex type recorded
    assert colombia == {
        ("exploitation_type", "ForcedLabour", False),
        ("exploitation_type", "SexualExploitation", True),
        ("exploitation_type", "OtherExploit", False),
        ("exploitation_type", "ForcedMilitaryByNonStateActors", False),
        ("exploitation_type", "OrganRemoval", False),
    }
    means = ws.store.execute(
        "SELECT code, present, count(*) FROM case_means_of_control GROUP BY ALL"
    ).fetchall()
    assert means == [("NotSpecified", True, 3)]
    relations = Counter(ws.store.execute("SELECT code, present FROM case_trafficker_relations").fetchall())
    assert relations == Counter({("IntimatePartner", False): 3, ("Acquainted", False): 3, ("Familial", False): 3,
                                 ("Other", False): 3, ("Unknown", True): 3})  # fmt: skip
    labour = ws.store.scalar("SELECT count(*) FROM case_exploitation WHERE category = 'labour_sector'")
    assert labour == 2 * 13, "rows 2 and 3 record every labour type as 0"
    sex = ws.store.execute(
        "SELECT code, present, count(*) FROM case_exploitation WHERE category = 'sex_exploitation_type' GROUP BY ALL"
    ).fetchall()
    assert sex == [("Prostitution", False, 2)]
    abduction = ws.store.execute("SELECT is_abduction, count(*) FROM case_victims GROUP BY 1").fetchall()
    assert abduction == [(False, 3)]


def test_kanon_mapping_codes_follow_the_case_model_field_map() -> None:
    from palermo.cases import ctdc_field_map

    fields = {**ctdc_field_map()["ctdc_v6"].fields, **ctdc_field_map()["ctdc_kanon63"].fields}
    for spec in load_mapping("ctdc-kanon-v6").specs:
        mapped = fields.get(spec.column) or ctdc_field_map()["ctdc_v6"].lookup(spec.column)
        assert mapped is not None, spec.column
        if spec.code is not None:
            assert spec.code == mapped.code, spec.column
        assert any(t.startswith(spec.target.table) for t in mapped.to), spec.column
    synthetic = ctdc_field_map()["ctdc_synthetic_2024"]
    for spec in load_mapping("ctdc-synthetic-2024").specs:
        mapped = synthetic.lookup(spec.column)
        assert mapped is not None and (spec.code is None or spec.code == mapped.code), spec.column


# -- CTDC synthetic 2024/2025 -------------------------------------------------------------------


def _codebook_variables(shared_data: Path) -> list[str]:
    text = (shared_data / "ctdc" / "Codebook_CTDC_global_synthetic_data_v2024.txt").read_text(
        encoding="utf-8"
    )
    block = text[text.index("5 LIST OF VARIABLES") : text.index("Notes: Some of the means")]
    return [m.group(1) for m in re.finditer(r"^\d+ (\w+) *$", block, re.M)]


def test_ctdc_synthetic_2024_layout(ws: Workspace, shared_data: Path, tmp_path: Path) -> None:
    header = _codebook_variables(shared_data)
    assert len(header) == 27
    flags = header[6:]
    rows = [
        # the codebook's literals (0—8, 0—12 (0-1 yr)) and the v2025 CSV's (09--17, 25+ (2+ yrs))
        {"yearOfRegistration": "2019", "gender": "Woman", "ageBroad": "09--17", "citizenship": "PHL",
         "CountryOfExploitation": "USA", "traffickMonths": "0--12 (0-1 yr)", **dict.fromkeys(flags, "1")},
        {"yearOfRegistration": "2022", "gender": "Man", "ageBroad": "30—38", "citizenship": "NULL",
         "CountryOfExploitation": "", "traffickMonths": "25+ (2+ yrs)", **dict.fromkeys(flags, "")},
        {"yearOfRegistration": "2010", "gender": "Trans/Transgender/NonConforming", "ageBroad": "48+",
         "citizenship": "UKR", "CountryOfExploitation": "POL", "traffickMonths": "13—24 (1-2 yrs)",
         **dict.fromkeys(flags, "NULL"), "isForcedLabour": "1"},
    ]  # fmt: skip
    path = tmp_path / "CTDC_global_synthetic_data_v2024.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    result = ws.ingest.ingest(path, "ctdc-synthetic-2024")
    assert result.counts() == {"rows_read": 3, "ingested": 3, "quarantined": 0, "duplicates_skipped": 0}
    people = ws.store.execute(
        "SELECT c.registration_year, p.gender, p.age_band, p.citizenship, v.trafficking_duration_band "
        "FROM cases c JOIN persons p ON p.person_id = c.case_id JOIN case_victims v USING (case_id) "
        "ORDER BY c.registration_year"
    ).fetchall()
    assert people == [
        (2010, "Transgender/NonConforming", "48+", ["UKR"], "13--24"),
        (2019, "Feminine", "9--17", ["PHL"], "0--12"),
        (2022, "Masculine", "30--38", [], "25+"),
    ]
    assert ws.store.scalar("SELECT count(*) FROM case_means_of_control") == 8
    assert ws.store.scalar("SELECT count(*) FROM case_means_of_control WHERE NOT present") == 0, (
        "no 0 in 2024"
    )
    assert ws.store.scalar("SELECT count(*) FROM case_exploitation") == 9 + 1
    assert ws.store.scalar("SELECT count(*) FROM case_trafficker_relations") == 4
    countries = ws.store.execute("SELECT country FROM journey_events ORDER BY 1").fetchall()
    assert countries == [("POL",), ("USA",)]


# -- UNODC GLOTIP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glotip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, int]]:
    ws = palermo.open(tmp_path_factory.mktemp("glotip") / "p.duckdb")
    result = ws.ingest.ingest(shared_data / "unodc_glotip" / "data_glotip.csv", "unodc-glotip")
    return ws, result.counts()


def test_glotip_every_row_and_every_suppressed_cell(
    glotip: tuple[Workspace, dict[str, int]], shared_data: Path
) -> None:
    ws, counts = glotip
    assert counts == {"rows_read": 46_556, "ingested": 46_556, "quarantined": 0, "duplicates_skipped": 0}
    with (shared_data / "unodc_glotip" / "data_glotip.csv").open(encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    suppressed = sum(r["txtVALUE"] == "<5" for r in raw)
    assert suppressed == 23_076
    stored = ws.store.execute(
        "SELECT count(*) FILTER (suppressed), count(*) FILTER (suppressed AND value IS NULL AND suppressed_below = 5 "
        "AND published_value = '<5'), count(*) FILTER (value = 0) FROM aggregate_statistics"
    ).fetchone()
    zeros = sum(r["txtVALUE"] == "0" for r in raw)
    assert stored == (suppressed, suppressed, zeros), "<5 is suppressed: neither zero nor missing"
    indicators = Counter(r["Indicator"] for r in raw)
    by_label = dict(
        ws.store.execute("SELECT indicator_label, count(*) FROM aggregate_statistics GROUP BY 1").fetchall()
    )
    assert by_label == dict(indicators)


def test_glotip_yearly_totals(glotip: tuple[Workspace, dict[str, int]]) -> None:
    """Country-level detected victims, Total/Total/Total, '<5' left out (data-standards.md §4)."""
    totals = dict(
        glotip[0]
        .store.execute(
            "SELECT year, sum(value) FROM aggregate_statistics WHERE indicator = 'victim-of-trafficking' "
            "AND dimension = 'Total' AND category = 'Total' AND sex = 'total' AND age_group = 'total' "
            "AND region IS NOT NULL AND year >= 2017 GROUP BY 1"
        )
        .fetchall()
    )
    assert totals == {2017: 44_611, 2018: 46_283, 2019: 49_572, 2020: 47_448, 2021: 20_380}


def test_glotip_categories_and_countries(glotip: tuple[Workspace, dict[str, int]]) -> None:
    ws = glotip[0]
    forms = dict(ws.store.execute(
        "SELECT category_concept, count(*) FROM aggregate_statistics WHERE dimension = 'by form of exploitation' GROUP BY 1"
    ).fetchall())  # fmt: skip
    assert forms == {
        "sexual-exploitation": 4735,
        "forced-labour-or-services": 4384,
        "other-forms-of-exploitation": 4083,
    }
    named = dict(ws.store.execute(
        "SELECT category, category_country FROM aggregate_statistics WHERE category IN "
        "('Viet Nam', 'Dem. Rep. of the Congo', 'Kosovo (under UNSC res. 1244)', 'Côte d''Ivoire', "
        "'Bolivia (Plurinational State of)', 'CÃ´te d''Ivoire', 'Abroad')"
    ).fetchall())  # fmt: skip
    assert named == {"Viet Nam": "VNM", "Dem. Rep. of the Congo": "COD", "Kosovo (under UNSC res. 1244)": "XKX",
                     "Bolivia (Plurinational State of)": "BOL", "CÃ´te d'Ivoire": "CIV", "Abroad": None}  # fmt: skip
    sark = ws.store.execute(
        "SELECT DISTINCT area_code, area_name, area_is_country FROM aggregate_statistics WHERE area_name = 'Sark'"
    ).fetchall()
    assert sark == [(None, "Sark", False)]


# -- HTCDS v2.0 Excel templates -------------------------------------------------------------------

TEMPLATES = (
    "HTCDS Excel Spreadsheet v2.0.xlsx",
    "HTCDS Excel Spreadsheet single select with validation v2.0.xlsx",
    "HTCDS Excel Spreadsheet multi select with validation v2.0.xlsm",
)


@pytest.mark.parametrize("template", TEMPLATES)
def test_empty_htcds_templates_hold_no_case(ws: Workspace, shared_data: Path, template: str) -> None:
    result = ws.ingest.ingest(
        shared_data / "htcds" / "Toolkit" / "Excel" / template, "htcds-v2-core", source_org="ngo"
    )
    assert result.counts() == {"rows_read": 0, "ingested": 0, "quarantined": 0, "duplicates_skipped": 0}
    assert result.blank_rows == 1000, "the template's numbered but empty rows are not cases"


def _validation_lists(path: Path) -> dict[str, list[str]]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["validation"].iter_rows(values_only=True))
    book.close()
    header = rows[2]
    lists: dict[str, list[str]] = {str(h): [] for h in header if h}
    for row in rows[3:]:
        for name, value in zip(header, row, strict=False):
            if name and value is not None:
                lists[str(name)].append(value if isinstance(value, str) else str(value))
    return lists


def test_every_htcds_picklist_value_is_read(ws: Workspace, shared_data: Path, tmp_path: Path) -> None:
    """A copy of the single-select template filled with every value of its validation sheet."""
    import openpyxl

    source = shared_data / "htcds" / "Toolkit" / "Excel" / TEMPLATES[1]
    lists = _validation_lists(source)
    fields = {
        "Gender": "prs_Gender", "Method of Recruitment": "vic_MethodOfRecruitment", "Methods of Control": "vic_MethodsOfControl",
        "Type of Exploitation": "vic_TypeOfExploitation", "Forced Labour Industry": "vic_ForcedLabourIndustry",
        "Type of Sex Exploitation": "vic_TypeOfSexExploitation", "Status": "cas_Status",
        "Reason for Incoming Referral": "cas_ReasonForIncomingReferral", "Trafficking Status": "vic_TraffickingStatus",
        "Trafficking Status Decision Making Organization": "vic_TraffickinStatusDecisionMakingOrg",
        "Country Code": "prs_Citizenship", "Country": "prs_MailingCountry",
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(source)
    sheet = book["Case Sheet"]
    column = {c.value: c.column for c in sheet[1] if c.value}
    rows = max(len(lists[name]) for name in fields)
    for i in range(rows):
        sheet.cell(row=3 + i, column=column["prs_FirstName"], value=f"Person {i}")
        sheet.cell(
            row=3 + i, column=column["prs_Birthdate"], value=dt.datetime(1990, 1, 1) + dt.timedelta(days=i)
        )
        for name, field in fields.items():
            values = lists[name]
            sheet.cell(row=3 + i, column=column[field], value=values[i % len(values)])
        reasons = lists["Reason for Outgoing Referral"]
        sheet.cell(row=3 + i, column=36, value=reasons[i % len(reasons)])
    filled = tmp_path / "htcds_filled.xlsx"
    book.save(filled)
    result = ws.ingest.ingest(filled, "htcds-v2-core", source_org="ngo")
    assert result.counts() == {"rows_read": rows, "ingested": rows, "quarantined": 0, "duplicates_skipped": 0}
    assert ws.store.scalar("SELECT count(DISTINCT citizenship[1]) FROM persons") == len(
        set(lists["Country Code"])
    )
    assert ws.store.scalar("SELECT count(DISTINCT mailing_country) FROM person_identities") == len(
        set(lists["Country"])
    )
    assert ws.store.scalar("SELECT count(DISTINCT gender) FROM persons") == len(lists["Gender"])
    assert ws.store.scalar(
        "SELECT count(DISTINCT code) FROM case_exploitation WHERE category = 'exploitation_type'"
    ) == len(lists["Type of Exploitation"])
    assert (
        ws.store.scalar(
            "SELECT count(DISTINCT code) FROM case_exploitation WHERE category = 'sex_exploitation_type'"
        )
        == 4
    )
    assert ws.store.scalar("SELECT count(DISTINCT recruitment_methods[1]) FROM case_victims") == len(
        lists["Method of Recruitment"]
    )
    assert ws.store.scalar("SELECT count(DISTINCT code) FROM case_means_of_control") == len(
        lists["Methods of Control"]
    )
    assert (
        ws.store.scalar("SELECT count(DISTINCT code) FROM case_exploitation WHERE category = 'labour_sector'")
        == 21
    )
    assert ws.store.scalar("SELECT count(DISTINCT status) FROM cases") == 4
    assert ws.store.scalar("SELECT count(DISTINCT trafficking_status_decided_by) FROM case_victims") == 5
    assert (
        ws.store.scalar("SELECT count(*) FROM referrals WHERE direction = 'Outgoing' AND reason IS NOT NULL")
        == result.ingested
    )
    assert ws.store.scalar("SELECT count(birth_year) FROM persons") == result.ingested
