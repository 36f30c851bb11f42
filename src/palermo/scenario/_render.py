"""One agency's records for one chunk: its columns, codes, date format, language and noise."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.scenario._countries import country_forms
from palermo.scenario._names import NamePools, typo
from palermo.scenario._params import EXPLOITATION, Agency, World
from palermo.scenario._population import Population, means_codes

_DATE_TOKEN = re.compile(r"%[Ymd]|[^%]+")


def _split_date(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    d = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def format_dates(
    days: np.ndarray, fmt: str, year_offset: int = 0, swap: np.ndarray | None = None
) -> pa.Array:
    """Dates as text in ``fmt`` (tokens %Y %m %d); ``swap`` marks dates written day-for-month."""
    y, m, d = _split_date(days)
    y = y + year_offset
    if swap is not None:
        flip = swap & (d <= 12)
        m, d = np.where(flip, d, m), np.where(flip, m, d)
    parts: list[pa.Array | str] = []
    for token in _DATE_TOKEN.findall(fmt):
        if token == "%Y":
            parts.append(pc.cast(pa.array(y), pa.string()))
        elif token in ("%m", "%d"):
            value = m if token == "%m" else d
            parts.append(pc.utf8_lpad(pc.cast(pa.array(value), pa.string()), width=2, padding="0"))
        else:
            parts.append(token)
    if not parts:
        raise ValueError(f"date format '{fmt}' has no %Y, %m or %d")
    if len(parts) == 1:
        part = parts[0]
        return part if isinstance(part, pa.Array) else pa.array([part] * len(days))
    result: pa.Array = pc.binary_join_element_wise(*parts, "")
    return result


class Renderer:
    """Holds the lookups shared by every chunk of one agency."""

    def __init__(self, world: World, agency: Agency, pools: NamePools) -> None:
        self.world = world
        self.agency = agency
        self.pools = pools
        style = agency.country_style
        self.country_forms = [country_forms(c, style) for c in world.countries]
        widest = max(len(f) for f in self.country_forms)
        self.country_form_matrix = np.array(
            [[*f, *([f[0]] * (widest - len(f)))] for f in self.country_forms], dtype=object
        )
        self.country_form_count = np.array([len(f) for f in self.country_forms], dtype=np.int64)
        codes = agency.codes
        sep = agency.multi_separator
        self.exploitation_text: np.ndarray | None = None
        if "exploitation" in codes:
            ex = codes["exploitation"]
            both = sep.join([ex["sexual_exploitation"], ex["forced_labour"]])
            self.exploitation_text = np.array(
                [ex["forced_labour"], ex["sexual_exploitation"], both], dtype=object
            )
        self.means = means_codes(world)
        self.latin = pools.latin["fr" if agency.romanisation == "fr" else "en"]

    # -- pieces ------------------------------------------------------------------------------
    def _names(
        self, pop: Population, idx: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        noise = self.agency.noise
        out = []
        for which in (pop.given[idx], pop.family[idx]):
            names = self.latin[which].copy()
            native = np.zeros(len(idx), dtype=bool)
            if self.agency.native_script_rate > 0:
                native = pop.arabic[idx] & (rng.random(len(idx)) < self.agency.native_script_rate)
                names[native] = self.pools.native[which[native]]
            count = self.pools.variant_count[which]
            use = (rng.random(len(idx)) < float(noise.get("variant", 0.0))) & (count > 0)
            if self.agency.native_script_rate > 0:
                use &= ~native
            rows = np.flatnonzero(use)
            column = (rng.random(len(rows)) * count[rows]).astype(np.int64)
            names[rows] = self.pools.variant_matrix[which[rows], column]
            typo_rows = np.flatnonzero(rng.random(len(idx)) < float(noise.get("typo", 0.0)))
            r1, r2 = rng.random(len(typo_rows)), rng.random(len(typo_rows))
            for row, a, b in zip(typo_rows, r1, r2, strict=True):
                names[row] = typo(names[row], a, b)
            out.append(names)
        given, family = out
        swap = rng.random(len(idx)) < float(noise.get("swap_names", 0.0))
        return np.where(swap, family, given), np.where(swap, given, family)

    def _countries(self, country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        rate = float(self.agency.noise.get("variant", 0.0)) * 0.3
        variant = rng.random(len(country)) < rate
        column = np.where(
            variant, (rng.random(len(country)) * self.country_form_count[country]).astype(np.int64), 0
        )
        picked: np.ndarray = self.country_form_matrix[country, column]
        return picked

    def _means_text(self, mask: np.ndarray) -> np.ndarray:
        codes = self.agency.codes["means_of_control"]
        unique, inverse = np.unique(mask, return_inverse=True)
        texts = []
        for value in unique:
            labels = [codes[c] for bit, c in enumerate(self.means) if value >> bit & 1 and c in codes]
            texts.append(self.agency.multi_separator.join(labels) if labels else None)
        return np.array(texts, dtype=object)[inverse]

    # -- the table ---------------------------------------------------------------------------
    def render(
        self, pop: Population, idx: np.ndarray, record_ids: pa.Array, rng: np.random.Generator
    ) -> pa.Table:
        """Records for persons ``pop[idx]`` (an index may repeat: a duplicate registration)."""
        agency, noise = self.agency, self.agency.noise
        n = len(idx)
        seen = pop.identified[idx] + rng.integers(0, 180, n).astype("timedelta64[D]")
        given, family = self._names(pop, idx, rng)
        columns: dict[str, pa.Array] = {}
        for field in agency.columns:
            if field == "record_id":
                columns[field] = record_ids
            elif field == "given_name":
                columns[field] = pa.array(given, pa.string())
            elif field == "family_name":
                columns[field] = pa.array(family, pa.string())
            elif field == "full_name":
                g, f = pa.array(given, pa.string()), pa.array(family, pa.string())
                if agency.name_style == "family_upper_first":
                    columns[field] = pc.binary_join_element_wise(pc.utf8_upper(f), g, " ")
                else:
                    columns[field] = pc.binary_join_element_wise(g, f, " ")
            elif field == "sex":
                sex_codes = agency.codes["sex"]
                columns[field] = pa.array(
                    np.where(pop.sex[idx] == 0, sex_codes["female"], sex_codes["male"]).astype(object),
                    pa.string(),
                )
            elif field == "date_of_birth":
                swap = rng.random(n) < float(noise.get("day_month_swap", 0.0))
                columns[field] = format_dates(pop.dob[idx], agency.date_format, agency.year_offset, swap)
            elif field == "year_of_birth":
                columns[field] = pa.array(_split_date(pop.dob[idx])[0] + agency.year_offset, pa.int16())
            elif field == "age":
                jitter = rng.integers(-2, 3, n)
                columns[field] = pa.array(
                    (pop.age[idx] + jitter).clip(1, 99).astype(str).astype(object), pa.string()
                )
            elif field == "citizenship":
                columns[field] = pa.array(self._countries(pop.origin[idx], rng), pa.string())
            elif field in ("country_of_exploitation", "destination"):
                columns[field] = pa.array(self._countries(pop.destination[idx], rng), pa.string())
            elif field == "identification_date":
                if agency.format["kind"] == "parquet":
                    columns[field] = pa.array(seen, pa.date32())
                else:
                    columns[field] = format_dates(seen, agency.date_format, agency.year_offset)
            elif field == "exploitation" and self.exploitation_text is not None:
                columns[field] = pa.array(self.exploitation_text[pop.exploitation[idx]], pa.string())
            elif field == "means_of_control":
                columns[field] = pa.array(self._means_text(pop.means[idx]), pa.string())
            elif field == "labour_sector":
                sectors = agency.codes["labour_sector"]
                lookup = np.array([sectors.get(s) for s in self.world.sectors] + [None], dtype=object)
                columns[field] = pa.array(lookup[pop.sector[idx]], pa.string())
            elif field in ("is_forced_labour", "is_sexual_exploitation"):
                want = EXPLOITATION.index(
                    "forced_labour" if field == "is_forced_labour" else "sexual_exploitation"
                )
                flag = (pop.exploitation[idx] == want) | (pop.exploitation[idx] == EXPLOITATION.index("both"))
                columns[field] = pa.array(np.where(flag, "1", "").astype(object), pa.string())
            else:
                raise ValueError(f"agency {agency.id}: no renderer for field '{field}'")
        for field, rate in (noise.get("missing") or {}).items():
            if field in columns:
                drop = pa.array(rng.random(n) < float(rate))
                columns[field] = pc.if_else(drop, pa.scalar(None, columns[field].type), columns[field])
        return pa.table({agency.columns[f]: arr for f, arr in columns.items()})
