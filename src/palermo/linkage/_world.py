"""The synthetic world as linkage input: each agency's file turned into the encoder's columns.

An agency does this with its own data (or with ``palermo ingest``); for the scenario world the
agencies' own descriptions (``world.yaml``: columns, codes, date format, name style, country style)
say how, so tests, the demo and the benchmarks can link the world as the agencies would.
"""

from __future__ import annotations

import csv
import gettext
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from palermo.errors import ScenarioError
from palermo.scenario import load_world, read_agency_file, read_summary

if TYPE_CHECKING:
    from palermo.scenario._params import Agency

INPUT_COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "citizenship",
    "place_of_birth",
)


@cache
def _country_names(lang: str) -> dict[str, str]:
    """Every country name (and alpha-2/alpha-3 code) in ``lang``, lower-cased, to its alpha-3."""
    translate = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    ).gettext
    out: dict[str, str] = {}
    for country in pycountry.countries:
        names = {country.alpha_2, country.alpha_3, country.name}
        for attr in ("common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value)
        names |= {translate(n) for n in list(names)}
        for name in names:
            out.setdefault(name.strip().lower(), country.alpha_3)
    return out


def _date(text: str | None, agency: Agency) -> str | None:
    if not text:
        return None
    fmt, offset = agency.date_format, agency.year_offset
    if offset and fmt.endswith("%Y") and len(text) >= 4 and text[-4:].isdigit():
        text = text[:-4] + str(int(text[-4:]) - offset)
    try:
        return datetime.strptime(text, fmt).date().isoformat()
    except ValueError:
        return None


def _split_full(full: str | None, style: str) -> tuple[str | None, str | None]:
    if not full:
        return None, None
    words = full.split()
    if style == "family_upper_first":
        upper = 0
        while upper < len(words) - 1 and words[upper].isupper():
            upper += 1
        upper = max(upper, 1)
        return " ".join(words[upper:]) or None, " ".join(words[:upper])
    return words[0], " ".join(words[1:]) or None


def agency_inputs(world_dir: Path, agency: Agency) -> pa.Table:
    """One agency's records in the encoder's columns (values as the agency wrote them, normalised
    only in form: ISO dates, F/M, alpha-3 countries)."""
    raw = read_agency_file(world_dir, agency.id)
    cols, missing = agency.columns, agency.missing

    def column(field: str) -> list[str | None]:
        name = cols.get(field)
        if name is None or name not in raw.column_names:
            return [None] * raw.num_rows
        values = pc.cast(raw.column(name), pa.string()).to_pylist()
        return [None if v is None or v.strip() in ("", missing) else v.strip() for v in values]

    if "full_name" in cols:
        pairs = [_split_full(v, agency.name_style) for v in column("full_name")]
        given, family = [p[0] for p in pairs], [p[1] for p in pairs]
    else:
        given, family = column("given_name"), column("family_name")
    if "date_of_birth" in cols:
        births = [_date(v, agency) for v in column("date_of_birth")]
    elif "year_of_birth" in cols:
        births = [
            str(int(v) - agency.year_offset) if v and v.isdigit() else None for v in column("year_of_birth")
        ]
    else:
        births = [None] * raw.num_rows
    sex_codes = {v: k for k, v in agency.codes.get("sex", {}).items()}
    sex = [{"female": "F", "male": "M"}.get(sex_codes.get(v or "", "")) for v in column("sex")]
    style = agency.country_style
    lang = style.removeprefix("name_") if style.startswith("name_") else "en"
    names = _country_names(lang)
    citizenship = [names.get(v.lower()) if v else None for v in column("citizenship")]
    return pa.table(
        {
            "record_id": pa.array(column("record_id"), pa.string()),
            "given_name": pa.array(given, pa.string()),
            "family_name": pa.array(family, pa.string()),
            "date_of_birth": pa.array(births, pa.string()),
            "sex": pa.array(sex, pa.string()),
            "citizenship": pa.array(citizenship, pa.string()),
        }
    )


def world_inputs(
    world_dir: Path | str,
    out_dir: Path | str,
    *,
    agencies: list[str] | None = None,
    world_file: Path | None = None,
) -> dict[str, Path]:
    """Write ``OUT/<agency>.csv`` for each agency (default: all) of a generated world."""
    world_dir, out_dir = Path(world_dir), Path(out_dir)
    summary = read_summary(world_dir)
    world = load_world(world_file)
    chosen = agencies or list(summary["agencies"])
    unknown = [a for a in chosen if a not in summary["agencies"]]
    if unknown:
        raise ScenarioError(f"world {world_dir} has no agency {', '.join(unknown)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for agency_id in chosen:
        table = agency_inputs(world_dir, world.agency(agency_id))
        path = out_dir / f"{agency_id}.csv"
        tmp = out_dir / f".{agency_id}.csv.tmp"
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            writer.writerows(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))
        tmp.replace(path)
        written[agency_id] = path
    return written
