"""Every field and code in the shipped reference files is accounted for by its crosswalk.

"Accounted for" means: the field resolves (by name or alias), and each code either maps to concepts,
or is a declared missing/total marker, or the field is declared uncoded with a reason. A code that
the crosswalk does not know raises UnknownTermError, which fails the test with the field and code.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from palermo import vocab
from palermo.errors import UnknownTermError
from tests.vocab.conftest import need


def _check(standard: str, pairs: dict[str, set[str]]) -> list[str]:
    """Unmapped ``field=code`` strings (empty when everything is mapped)."""
    cw = vocab.crosswalk(standard)
    missing = []
    for field_name, codes in sorted(pairs.items()):
        try:
            cw.field(field_name)
        except UnknownTermError:
            missing.append(f"{field_name} (field)")
            continue
        for code in sorted(codes):
            try:
                cw.lookup(field_name, code)
            except UnknownTermError:
                missing.append(f"{field_name}={code!r}")
    return missing


def _codebook_blocks(text: str, label: str) -> dict[str, list[str]]:
    """Variable name -> bullet values, from a CTDC codebook's detailed description (txt export)."""
    out: dict[str, list[str]] = {}
    for block in re.split(r"\n\s*Variable \d+\s*\n", text)[1:]:
        name = re.search(label, block)
        if name is None:
            continue
        values = []
        head = block.split("Definition:")[0]
        for line in head.splitlines():
            m = re.match(r"^\s*[●•]\s*(.+?)\s*$", line)
            if not m:
                continue
            value = re.sub(r"\s*\[.*$", "", m.group(1)).strip()
            if value.startswith(("Range:", "Values based on")):
                continue
            values.append(value)
        out[name.group(1)] = values
    return out


def _variable_list(text: str, start: str, stop: str) -> list[str]:
    section = text.split(start, 1)[1].split(stop, 1)[0]
    return re.findall(r"^\s*\d+ ([A-Za-z_]\w*)\s*$", section, flags=re.M)


# ----------------------------------------------------------------------------- CTDC k-anonymised
def test_ctdc_kanon_codebook_v6_every_variable_and_value(reference_data: Path) -> None:
    text = need(reference_data / "ctdc" / "CTDC_codebook_v6_0.txt").read_text(encoding="utf-8")
    names = _variable_list(text, "2. LIST OF VARIABLES", "3. DETAILED DESCRIPTION")
    assert len(names) == 62
    pairs: dict[str, set[str]] = {n: set() for n in names}
    # One label is printed "Label:", one lost its first letters at a page break ("bel:").
    blocks = _codebook_blocks(text, r"(?i)(?:label|bel):\s*(\w+)")
    assert len(blocks) == 62
    for name, values in blocks.items():
        pairs.setdefault(name, set()).update(values)
    assert sum(len(v) for v in pairs.values()) > 150
    assert _check("ctdc-kanon", pairs) == []


def test_ctdc_kanon_dictionary_2018(reference_data: Path) -> None:
    folder = reference_data / "ctdc"
    with need(folder / "DATA_DICTIONARY_15082018__Main.csv").open(encoding="utf-8") as fh:
        names = [row["Variable name "].strip() for row in csv.DictReader(fh) if row["Variable name "].strip()]
    assert len(names) == 62
    pairs: dict[str, set[str]] = {n: set() for n in names}
    lookups = {
        "Datasource": "Datasource",
        "Gender": "gender",
        "Age range 2": "ageBroad",
        "Age category": "majorityStatus",
    }
    current = None
    with need(folder / "DATA_DICTIONARY_15082018__Lookups_.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            first = row[0].strip() if row else ""
            if first in lookups:
                current = lookups[first]
            elif first in ("", "Country") or first.startswith("Country"):
                current = None if first.startswith("Country") else current
            elif current is not None:
                pairs[current].add(first)
    assert {"Hotline", "Male", "48+", "Minor"} <= set().union(*pairs.values())
    assert _check("ctdc-kanon", pairs) == []


def test_ctdc_kanon_63_variable_header_and_rows(reference_data: Path) -> None:
    path = need(reference_data / "ctdc" / "ctdc_k_anon_global_dataset_header_and_3_rows.txt")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    header = lines[0].split(";")[1:]
    assert len(header) == 63 and "isSlaveryAndPractices" in header
    pairs: dict[str, set[str]] = {n: set() for n in header}
    for line in lines[1:]:
        cells = line.split(";")[1:]
        assert len(cells) == 63
        for name, cell in zip(header, cells, strict=True):
            pairs[name].add(cell)
    assert _check("ctdc-kanon", pairs) == []


# ----------------------------------------------------------------------------- CTDC synthetic 2024
def test_ctdc_synthetic_2024_codebook_every_variable_and_value(reference_data: Path) -> None:
    path = need(reference_data / "ctdc" / "Codebook_CTDC_global_synthetic_data_v2024.txt")
    text = path.read_text(encoding="utf-8")
    names = _variable_list(text, "5 LIST OF VARIABLES", "Notes:")
    assert len(names) == 27
    pairs: dict[str, set[str]] = {n: set() for n in names}
    blocks = _codebook_blocks(text, r"Variable name:\s*(\w+)")
    assert len(blocks) == 27  # the detailed description spells one name differently (an alias)
    for name, values in blocks.items():
        pairs.setdefault(name, set()).update(values)
    assert "meansWithholdDocuments" in pairs and "Trans/Transgender/NonConforming" in pairs["gender"]
    assert _check("ctdc-synthetic-2024", pairs) == []


# ----------------------------------------------------------------------------- CTDC VP 2022
def test_ctdc_vp_2022_every_cell_of_the_file(reference_data: Path) -> None:
    path = need(reference_data / "ctdc" / "CTDC_VPsynthetic_condensed.csv")
    pairs: dict[str, set[str]] = defaultdict(set)
    rows = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows += 1
            for name, cell in row.items():
                pairs[name].add(cell)
    assert rows == 21195 and len(pairs) == 16
    assert _check("ctdc-vp-2022", pairs) == []


def test_ctdc_vp_2022_dictionary(reference_data: Path) -> None:
    folder = reference_data / "ctdc"
    with need(folder / "VPdict__Main.csv").open(encoding="utf-8") as fh:
        names = [row["name"] for row in csv.DictReader(fh) if (row["position"] or "").isdigit()]
    assert len(names) == 16
    pairs: dict[str, set[str]] = {n: set() for n in names}
    current = None
    with need(folder / "VPdict__TabStat.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if row and row[0] in pairs:
                current = row[0]
            elif (
                current
                and len(row) > 1
                and row[0] in ("Valid", "Missing", "")
                and row[1] not in ("Total", "Freq.")
            ):
                pairs[current].add(row[1])
    assert {"FamilyIntimatePartner", "No;Yes", "."} <= set().union(*pairs.values())
    assert _check("ctdc-vp-2022", pairs) == []


# ----------------------------------------------------------------------------- HTCDS v2.0
def test_htcds_v2_every_picklist_value(reference_data: Path) -> None:
    path = need(reference_data / "htcds" / "HTCDS Field Standards 2.0__Field_Standards.csv")
    pairs: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = (row.get("Value Names (if picklist)") or "").strip()
            if values:
                pairs[row["Field Name including Prefix"].strip()] = {
                    v.strip() for v in values.splitlines() if v.strip()
                }
    assert len(pairs) == 25
    assert len(pairs["vic_MethodsOfControl"]) == 16 and len(pairs["vic_ForcedLabourIndustry"]) == 21
    assert _check("htcds-v2", pairs) == []


def test_htcds_v2_guidance_7_classifications(reference_data: Path) -> None:
    path = need(reference_data / "htcds" / "Guidance" / "7. Migration and International Protection.md")
    sections = {
        "Migrant Type": "Guidance7.MigrantType",
        "International Protection": "Guidance7.InternationalProtection",
        "Other": "Guidance7.Other",
    }
    pairs: dict[str, set[str]] = defaultdict(set)
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = sections.get(line[4:].strip())
        elif current and line.startswith("|") and not line.startswith(("| Value", "|---", "|--")):
            pairs[current].add(line.split("|")[1].strip())
    assert sum(len(v) for v in pairs.values()) == 18
    assert _check("htcds-v2", pairs) == []


# ----------------------------------------------------------------------------- UNODC GLOTIP
def test_unodc_glotip_every_coded_column(reference_data: Path) -> None:
    path = need(reference_data / "unodc_glotip" / "data_glotip.csv")
    pairs: dict[str, set[str]] = defaultdict(set)
    rows = 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        for row in reader:
            rows += 1
            for name in ("Indicator", "Sex", "Age", "Dimension"):
                pairs[name].add(row[name])
            pairs[f"Category[{row['Dimension']}]"].add(row["Category"])
    assert rows == 46556
    for name in columns:
        pairs.setdefault(name, set())
    assert len(pairs["Indicator"]) == 5
    assert _check("unodc-glotip", pairs) == []


@pytest.mark.parametrize(
    "standard", ["ctdc-kanon", "ctdc-synthetic-2024", "ctdc-vp-2022", "htcds-v2", "unodc-glotip"]
)
def test_every_crosswalk_names_its_source_and_dates(standard: str) -> None:
    cw = vocab.crosswalk(standard)
    assert cw.source in vocab.builtin_scheme().sources
    assert cw.date and cw.recorded == "2026-11-28"
    for f in cw.fields.values():
        assert (f.kind == "uncoded" and f.reason) or f.mapping is not None or f.values
