"""The world description (data/world.yaml) read into typed, validated parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from palermo.errors import ScenarioError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STAGES = ("origin", "transit", "destination")
FORMATS = ("csv", "jsonl", "parquet")
NAME_STYLES = ("separate", "family_upper_first", "given_first")
COUNTRY_STYLES = ("alpha2", "alpha3", "name_en", "name_fr", "name_es")
EXPLOITATION = ("forced_labour", "sexual_exploitation", "both")


@dataclass(frozen=True)
class Corridor:
    id: str
    origin: tuple[str, ...]
    transit: tuple[str, ...]
    destination: tuple[str, ...]
    weight: float
    route: str | None = None


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    kind: str
    countries: tuple[str, ...]
    stages: tuple[str, ...]
    base: float
    heterogeneity: float
    affinity: dict[str, float]
    duplicate_rate: float
    refers_to: dict[str, float]
    language: str
    format: dict[str, Any]
    record_id_prefix: str
    record_id_width: int
    columns: dict[str, str]
    name_style: str
    date_format: str
    country_style: str
    missing: str | None
    multi_separator: str
    codes: dict[str, dict[str, str]]
    noise: dict[str, Any]
    romanisation: str = "en"
    year_offset: int = 0
    native_script_rate: float = 0.0

    @property
    def extension(self) -> str:
        kind = str(self.format["kind"])
        if kind == "csv" and self.format.get("delimiter") == "\t":
            return "tsv"
        return kind

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.extension}"


@dataclass(frozen=True)
class World:
    name: str
    raw: dict[str, Any]
    corridors: tuple[Corridor, ...]
    agencies: tuple[Agency, ...]
    names: dict[str, str]
    sex_p: np.ndarray  # [female, male]
    minor_p: dict[str, float]  # sex -> P(minor)
    exploitation_p: dict[str, np.ndarray]  # sex -> P over EXPLOITATION
    adult_bands: tuple[tuple[int, int], ...]
    adult_band_p: np.ndarray
    minor_ages: tuple[int, int]
    years: tuple[int, int]
    months_from_recruitment: tuple[int, int]
    means: dict[str, dict[str, float]]  # exploitation -> means code -> rate
    sectors: tuple[str, ...]
    sector_p: np.ndarray
    ilo_from_means: dict[str, tuple[str, ...]]
    countries: tuple[str, ...] = field(default=())

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise ScenarioError(f"no agency '{agency_id}' in world '{self.name}'")


def _need(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise ScenarioError(f"world file: '{where}' lacks required key '{key}'")
    return mapping[key]


def _probabilities(weights: dict[str, float], order: tuple[str, ...], where: str) -> np.ndarray:
    values = np.array([float(weights.get(k, 0.0)) for k in order])
    if (values < 0).any() or values.sum() <= 0:
        raise ScenarioError(f"world file: weights in '{where}' must be non-negative and not all zero")
    normalised: np.ndarray = values / values.sum()
    return normalised


def _agency(raw: dict[str, Any], i: int) -> Agency:
    where = f"agencies[{i}]"

    def get(key: str) -> Any:
        return _need(raw, key, where)

    fmt = dict(get("format"))
    if fmt.get("kind") not in FORMATS:
        raise ScenarioError(f"world file: {where}.format.kind must be one of {', '.join(FORMATS)}")
    for stage in get("stages"):
        if stage not in STAGES:
            raise ScenarioError(f"world file: {where}.stages has unknown stage '{stage}'")
    if raw.get("name_style", "separate") not in NAME_STYLES:
        raise ScenarioError(f"world file: {where}.name_style must be one of {', '.join(NAME_STYLES)}")
    if get("country_style") not in COUNTRY_STYLES:
        raise ScenarioError(f"world file: {where}.country_style must be one of {', '.join(COUNTRY_STYLES)}")
    base = float(get("base"))
    if not 0.0 < base < 1.0:
        raise ScenarioError(f"world file: {where}.base must be a probability strictly between 0 and 1")
    columns = dict(get("columns"))
    if "record_id" not in columns:
        raise ScenarioError(f"world file: {where}.columns must name a record_id column")
    rid = dict(get("record_id"))
    return Agency(
        id=str(get("id")),
        name=str(get("name")),
        kind=str(get("kind")),
        countries=tuple(get("countries")),
        stages=tuple(get("stages")),
        base=base,
        heterogeneity=float(raw.get("heterogeneity", 0.0)),
        affinity={str(k): float(v) for k, v in (raw.get("affinity") or {}).items()},
        duplicate_rate=float(raw.get("duplicate_rate", 0.0)),
        refers_to={str(k): float(v) for k, v in (raw.get("refers_to") or {}).items()},
        language=str(get("language")),
        format=fmt,
        record_id_prefix=str(rid.get("prefix", "")),
        record_id_width=int(rid.get("width", 7)),
        columns=columns,
        name_style=str(raw.get("name_style", "separate")),
        date_format=str(get("date_format")),
        country_style=str(get("country_style")),
        missing=raw.get("missing"),
        multi_separator=str(raw.get("multi_separator", ";")),
        codes={str(k): {str(a): str(b) for a, b in v.items()} for k, v in (raw.get("codes") or {}).items()},
        noise=dict(raw.get("noise") or {}),
        romanisation=str(raw.get("romanisation", "en")),
        year_offset=int(raw.get("year_offset", 0)),
        native_script_rate=float(raw.get("native_script_rate", 0.0)),
    )


def _order_by_referrals(agencies: list[Agency]) -> tuple[Agency, ...]:
    """Agencies that refer come before those they refer to, so referral boosts can apply."""
    ids = {a.id for a in agencies}
    for agency in agencies:
        for target in agency.refers_to:
            if target not in ids:
                raise ScenarioError(f"world file: agency '{agency.id}' refers to unknown agency '{target}'")
    ordered: list[Agency] = []
    pending = list(agencies)
    while pending:
        ready = [a for a in pending if not any(a.id in b.refers_to for b in pending if b is not a)]
        if not ready:
            raise ScenarioError("world file: agencies' referrals form a cycle")
        ordered.extend(ready)
        pending = [a for a in pending if a not in ready]
    return tuple(ordered)


def load_world(path: Path | None = None) -> World:
    """Read and check a world file (default: the shipped data/world.yaml)."""
    if path is None:
        text = resources.files("palermo.scenario").joinpath("data", "world.yaml").read_text(encoding="utf-8")
        label = "world.yaml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"cannot read world file {path}: {exc.strerror}") from None
        label = str(path)
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"world file {label} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"world file {label}: top level must be a mapping")
    pop = _need(raw, "population", "top level")
    corridors = tuple(
        Corridor(
            id=str(_need(c, "id", f"corridors[{i}]")),
            origin=tuple(_need(c, "origin", f"corridors[{i}]")),
            transit=tuple(c.get("transit") or ()),
            destination=tuple(_need(c, "destination", f"corridors[{i}]")),
            weight=float(_need(c, "weight", f"corridors[{i}]")),
            route=c.get("route"),
        )
        for i, c in enumerate(_need(raw, "corridors", "top level"))
    )
    agencies = _order_by_referrals([_agency(a, i) for i, a in enumerate(_need(raw, "agencies", "top level"))])
    names = {str(k): str(v) for k, v in _need(raw, "names", "top level").items()}
    for corridor in corridors:
        for country in corridor.origin:
            if country not in names:
                raise ScenarioError(f"world file: origin country {country} of {corridor.id} has no name pool")
    sex_p = _probabilities(pop["sex"]["weights"], ("female", "male"), "population.sex")
    minor_p = {
        s: float(_probabilities(pop["minor"][s], ("adult", "minor"), "population.minor")[1])
        for s in ("female", "male")
    }
    exploitation_p = {
        s: _probabilities(pop["exploitation"][s], EXPLOITATION, "population.exploitation")
        for s in ("female", "male")
    }
    bands = tuple((int(lo), int(hi)) for lo, hi in pop["adult_age_bands"]["bands"])
    band_p = np.asarray(pop["adult_age_bands"]["weights"], dtype=float)
    if len(band_p) != len(bands):
        raise ScenarioError("world file: population.adult_age_bands needs one weight per band")
    sectors = tuple(pop["labour_sectors"]["weights"])
    countries = sorted(
        {c for k in corridors for c in (*k.origin, *k.transit, *k.destination)}
        | {c for a in agencies for c in a.countries}
    )
    means = {
        k: {str(m): float(r) for m, r in v.items()}
        for k, v in pop["means_of_control"].items()
        if isinstance(v, dict)
    }
    return World(
        name=str(raw.get("name", "world")),
        raw=raw,
        corridors=corridors,
        agencies=agencies,
        names=names,
        sex_p=sex_p,
        minor_p=minor_p,
        exploitation_p=exploitation_p,
        adult_bands=bands,
        adult_band_p=band_p / band_p.sum(),
        minor_ages=(int(pop["minor_ages"]["low"]), int(pop["minor_ages"]["high"])),
        years=(int(pop["identification_years"]["low"]), int(pop["identification_years"]["high"])),
        months_from_recruitment=(
            int(pop["months_from_recruitment"]["low"]),
            int(pop["months_from_recruitment"]["high"]),
        ),
        means=means,
        sectors=sectors,
        sector_p=_probabilities(pop["labour_sectors"]["weights"], sectors, "population.labour_sectors"),
        ilo_from_means={k: tuple(v) for k, v in raw["ilo_indicators_from_means"]["map"].items()},
        countries=tuple(countries),
    )
