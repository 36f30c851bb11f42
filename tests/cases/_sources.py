"""Readers of the shared reference files the case-model tests check against (../shared/data)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

# The local text of each document categories.yaml cites.
DOCUMENT_FILES = {
    "htcds2": ["htcds/HTCDS Field Standards 2.0__Field_Standards.csv"],
    "htcds2_definitions": ["htcds/Field Definitions.md"],
    "ctdc_v6": ["ctdc/CTDC_codebook_v6_0.txt"],
    "ctdc_dict2018": [
        "ctdc/DATA_DICTIONARY_15082018__Main.csv",
        "ctdc/DATA_DICTIONARY_15082018__Lookups_.csv",
    ],
    "ctdc_kanon63": ["ctdc/ctdc_k_anon_global_dataset_header_and_3_rows.txt"],
    "ctdc_2024": ["ctdc/Codebook_CTDC_global_synthetic_data_v2024.txt"],
    "ctdc_vp2022": ["ctdc/VPdict__Main.csv", "ctdc/VPdict__Region.csv", "ctdc/VPdict__TabStat.csv"],
}


def document_text(data: Path, document: str) -> str:
    return "\n".join((data / f).read_text(encoding="utf-8") for f in DOCUMENT_FILES[document])


def _numbered_list(text: str, start: str, end: str) -> list[str]:
    block = text[text.index(start) : text.index(end, text.index(start))]
    found = re.findall(r"^\s*(\d+)\s+([A-Za-z][A-Za-z_]*)\s*$", block, flags=re.M)
    numbers = [int(n) for n, _ in found]
    assert numbers == list(range(1, len(found) + 1)), "variable list is not numbered 1..n"
    return [name for _, name in found]


def ctdc_v6_variables(data: Path) -> list[str]:
    """The 62 names of section 2 (LIST OF VARIABLES) of codebook v6."""
    text = (data / "ctdc/CTDC_codebook_v6_0.txt").read_text(encoding="utf-8")
    return _numbered_list(text, "2. LIST OF VARIABLES", "3. DETAILED DESCRIPTION")


def ctdc_2024_variables(data: Path) -> list[str]:
    """The 27 names of section 5 (LIST OF VARIABLES) of the 2024 synthetic codebook."""
    text = (data / "ctdc/Codebook_CTDC_global_synthetic_data_v2024.txt").read_text(encoding="utf-8")
    return _numbered_list(text, "5 LIST OF VARIABLES", "Notes:")


def ctdc_kanon63_header(data: Path) -> list[str]:
    """The 63 variable names of the later k-anonymised release (after the terms-of-use dummy column)."""
    lines = (data / "ctdc/ctdc_k_anon_global_dataset_header_and_3_rows.txt").read_text(encoding="utf-8")
    header = next(line for line in lines.splitlines() if line.startswith("By using this data"))
    return header.split(";")[1:]


def ctdc_vp_variables(data: Path) -> list[str]:
    """The 16 names of the VP 2022 dictionary (VPdict__Main.csv)."""
    with (data / "ctdc/VPdict__Main.csv").open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle) if (row.get("position") or "").isdigit()]


@dataclass(frozen=True)
class HtcdsField:
    name: str
    status: str
    values: tuple[str, ...]


def htcds_fields(data: Path, version: str = "2.0") -> list[HtcdsField]:
    """Every field row of the HTCDS Field Standards CSV (section rows and example questions left out)."""
    path = (
        data / "htcds/HTCDS Field Standards 2.0__Field_Standards.csv"
        if version == "2.0"
        else data / "htcds/history/HTCDS Field Standards 1.0__Field_Standards.csv"
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    fields = []
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        prefix = (cells.get("Field Name Prefix") or "").strip()
        if not prefix.endswith("_") or cells.get("Status") in (None, "N/A"):
            continue
        name = (cells.get("Field Name including Prefix") or "").strip() or prefix + cells[
            "Field Name"
        ].strip()
        values = tuple(
            v.strip() for v in (cells.get("Value Names (if picklist)") or "").splitlines() if v.strip()
        )
        if values and values[0].startswith("Use ISO"):
            values = ()
        fields.append(HtcdsField(name, cells["Status"].strip(), values))
    return fields
