"""Generalisation hierarchies for k-anonymity, from the vocabulary and the CTDC dictionaries.

A hierarchy maps a value to a coarser one at each level: level 0 is the value itself, the last level
is ``*`` (suppressed to "any"). Built in:

``country``
    ISO 3166-1 alpha-3 → UN sub-region → UN region → ``*``; regions from the CTDC Victim–Perpetrator
    synthetic data dictionary, Region sheet (``CTDC_VPsynthetic_dict_20221201.xlsx``, 2022-12-01),
    copied to ``data/country_regions.csv`` (one row per alpha-3 code; Tibet and Kosovo, which the
    sheet files under CHN and SRB, take the regions of those codes).
``un_region``
    UN region → ``*`` (for files that hold only the region, as the CTDC VP release).
``age``
    exact age in years → CTDC ``ageBroad`` band (0--8 … 48+, vocabulary list ``age_band``, CTDC
    dictionary 15082018) → Minor (under 18) / Adult → ``*``.
``age_band``
    CTDC band → Minor / Adult → ``*``.
``year``
    year → 2-year span (even first year, ``2018-2019``) → 5-year span (``2015-2019``) → ``*``.
``registration_period``
    CTDC VP ``yearRegister`` period (vocabulary list ``registration_period``: 2005-2013, 2014-2018,
    2019, 2020, 2021-2022) → ``2005-2018`` or ``2019-2022`` → ``*``. The middle level is Palermo's
    choice: CTDC's two multi-year periods, then its recent ones; a period or year that straddles
    2018/2019 goes to ``*``.
``labour_sector``
    vocabulary ``labour_sector`` codes (ISIC Rev.4 sections, prefixed by the section letter) → the
    ISIC Rev.4 high-level SNA/ISIC aggregation A*10 (UN Statistics Division, ISIC Rev.4, 2008) →
    ``*``; a CTDC sector that is not an ISIC section is ``not an ISIC section`` at level 1.

The missing-value category ``unknown`` stays ``unknown`` at every level but the last; any other value a
hierarchy does not know becomes ``*`` from level 1 (and stays itself at level 0). Any other column
gets the two-level hierarchy value → ``*``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc

from palermo.errors import DisclosureParameterError

ANY = "*"
UNKNOWN = "unknown"

_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47))
# ISIC Rev.4 high-level SNA/ISIC aggregation A*10: section letters per group
_A10 = {
    "A": "A",
    "B": "B-E",
    "C": "B-E",
    "D": "B-E",
    "E": "B-E",
    "F": "F",
    "G": "G-I",
    "H": "G-I",
    "I": "G-I",
    "J": "J",
    "K": "K",
    "L": "L",
    "M": "M-N",
    "N": "M-N",
    "O": "O-Q",
    "P": "O-Q",
    "Q": "O-Q",
    "R": "R-U",
    "S": "R-U",
    "T": "R-U",
    "U": "R-U",
}


@dataclass(frozen=True)
class Hierarchy:
    """Levels of generalisation of one column: ``levels`` counts them, the value itself included."""

    name: str
    steps: tuple[Callable[[str], str], ...]  # level 1 .. levels-2; the last level is always ANY
    source: str = ""

    @property
    def levels(self) -> int:
        return len(self.steps) + 2

    def generalise(self, values: pa.Array | pa.ChunkedArray, level: int) -> pa.Array:
        """The values at ``level`` (0: unchanged, ``levels - 1``: all ``*``), as strings; nulls are
        ``unknown``."""
        if not 0 <= level < self.levels:
            raise DisclosureParameterError(f"hierarchy '{self.name}' has levels 0 to {self.levels - 1}")
        text = pc.fill_null(pc.cast(values, pa.string()), UNKNOWN)
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        if level == 0:
            return text
        if level == self.levels - 1:
            return pa.array([ANY] * len(text), pa.string())
        encoded = pc.dictionary_encode(text)
        step = self.steps[level - 1]
        mapped = [UNKNOWN if v == UNKNOWN else step(v) for v in encoded.dictionary.to_pylist()]
        return pc.take(pa.array(mapped, pa.string()), encoded.indices)


def _table(mapping: Mapping[str, str]) -> Callable[[str], str]:
    return lambda value: mapping.get(value, ANY) or ANY


@cache
def _regions() -> tuple[dict[str, str], dict[str, str]]:
    text = resources.files("palermo.disclosure").joinpath("data", "country_regions.csv").read_text("utf-8")
    sub, region = {}, {}
    for row in csv.DictReader(io.StringIO(text)):
        sub[row["iso3"]] = row["un_sub_region"]
        region[row["iso3"]] = row["un_region"]
    return sub, region


def _band(value: str) -> str:
    try:
        age = int(float(value))
    except ValueError:
        return ANY
    if age < 0 or age > 130:
        return ANY
    for low, high in _BANDS:
        if low <= age <= high:
            return f"{low}--{high}"
    return "48+"


def _majority(band: str) -> str:
    if band in {"0--8", "9--17"}:
        return "Minor"
    if band in {f"{low}--{high}" for low, high in _BANDS[2:]} | {"48+"}:
        return "Adult"
    return ANY


def _span(width: int) -> Callable[[str], str]:
    def step(value: str) -> str:
        try:
            year = int(value)
        except ValueError:
            return ANY
        first = year - year % width
        return f"{first}-{first + width - 1}"

    return step


def _period(value: str) -> str:
    """A CTDC registration period (``2014-2018``) or a single year, to ``2005-2018`` / ``2019-2022``."""
    first, _, last = value.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        return ANY
    if end <= 2018:
        return "2005-2018" if start >= 2005 else ANY
    if start >= 2019:
        return "2019-2022" if end <= 2022 else ANY
    return ANY


def _sector(value: str) -> str:
    letter, _, rest = value.partition("_")
    if len(letter) == 1 and rest and letter in _A10:
        return _A10[letter]
    return "not an ISIC section"


@cache
def builtin_hierarchies() -> dict[str, Hierarchy]:
    """The built-in hierarchies by name (see the module docstring for their sources)."""
    sub, region = _regions()
    ctdc_regions = "CTDC VP synthetic data dictionary 2022-12-01, Region sheet"
    return {
        "country": Hierarchy("country", (_table(sub), _table(region)), ctdc_regions),
        "un_region": Hierarchy("un_region", (), ctdc_regions),
        "age": Hierarchy(
            "age", (_band, lambda v: _majority(_band(v))), "CTDC ageBroad bands, dictionary 15082018"
        ),
        "age_band": Hierarchy(
            "age_band", (_majority,), "CTDC ageBroad bands and majorityStatus, codebook v6"
        ),
        "year": Hierarchy("year", (_span(2), _span(5)), "Palermo: calendar spans"),
        "registration_period": Hierarchy(
            "registration_period", (_period,), "CTDC VP yearRegister periods, dictionary 2022-12-01"
        ),
        "labour_sector": Hierarchy("labour_sector", (_sector,), "ISIC Rev.4 (UNSD, 2008), aggregation A*10"),
    }


def hierarchy_for(name: str) -> Hierarchy:
    """A built-in hierarchy by name, else the two-level hierarchy value → ``*``."""
    return builtin_hierarchies().get(name) or Hierarchy(name, (), "suppression to *")


# which built-in hierarchy a release-microdata column uses
COLUMN_HIERARCHIES = {
    "citizenship": "country",
    "country_of_exploitation": "country",
    "citizenship_region": "un_region",
    "exploitation_region": "un_region",
    "age_band": "age_band",
    "registration_year": "year",
    "labour_sector": "labour_sector",
}


def hierarchies_for(columns: Sequence[str], given: Mapping[str, Hierarchy] | None = None) -> list[Hierarchy]:
    """One hierarchy per column: ``given`` first, then the release-microdata defaults, then value → ``*``."""
    chosen = dict(given or {})
    return [chosen.get(c) or hierarchy_for(COLUMN_HIERARCHIES.get(c, c)) for c in columns]
