"""Release profiles as data: ``data/profiles.yaml`` (shipped) or a YAML file of the same shape.

A profile names its audience and its outputs: suppressed tables, k-anonymous microdata,
differentially private counts and synthetic microdata. Loading validates every rule (thresholds and
k of at least 2, epsilon above 0, delta in [0, 1), suppression limits in [0, 1), distinct output
names) and raises :class:`~palermo.errors.DisclosureParameterError` naming the profile and the field.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from palermo.errors import DisclosureParameterError, UnknownProfileError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableSpec(_Strict):
    name: str
    by: list[str] = Field(min_length=1)


class TablesSpec(_Strict):
    threshold: int = Field(ge=2)
    rounding_base: int | None = Field(default=None, ge=2)
    items: list[TableSpec] = Field(default_factory=list)


class MicrodataSpec(_Strict):
    name: str
    quasi_identifiers: list[str] = Field(min_length=1)
    sensitive: list[str] = Field(default_factory=list)
    k: int = Field(ge=2)
    max_suppression: float = Field(default=0.05, ge=0, lt=1)


class DPCountsSpec(_Strict):
    name: str
    by: list[str] = Field(min_length=1)
    epsilon: float = Field(gt=0, allow_inf_nan=False)
    delta: float = Field(default=0.0, ge=0, lt=1)
    max_contributions: int = Field(default=1, ge=1)


class SyntheticSpec(_Strict):
    name: str
    columns: list[str] = Field(min_length=1)
    epsilon: float = Field(gt=0, allow_inf_nan=False)
    delta: float = Field(default=1e-6, gt=0, lt=1)
    reporting_length: int = Field(default=3, ge=1)


class Profile(_Strict):
    """One release profile (see ``data/profiles.yaml``)."""

    name: str
    audience: str
    description: str = ""
    tables: TablesSpec | None = None
    microdata: list[MicrodataSpec] = Field(default_factory=list)
    dp_counts: list[DPCountsSpec] = Field(default_factory=list)
    synthetic: list[SyntheticSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_names(self) -> Profile:
        names = self.output_names()
        if len(names) != len(set(names)):
            raise ValueError("two outputs of the profile have the same name")
        if not names:
            raise ValueError("the profile has no output")
        return self

    def output_names(self) -> list[str]:
        tables = [t.name for t in self.tables.items] if self.tables else []
        return [*tables, *(m.name for m in self.microdata), *(q.name for q in self.dp_counts)] + [
            s.name for s in self.synthetic
        ]

    @property
    def epsilon(self) -> float:
        """The epsilon one release of this profile spends (its DP outputs, composed by addition)."""
        return sum(q.epsilon for q in self.dp_counts) + sum(s.epsilon for s in self.synthetic)

    @property
    def delta(self) -> float:
        return sum(q.delta for q in self.dp_counts) + sum(s.delta for s in self.synthetic)

    def columns(self) -> set[str]:
        """Every microdata column the profile's outputs read."""
        used: set[str] = set()
        for table in self.tables.items if self.tables else []:
            used.update(table.by)
        for micro in self.microdata:
            used.update(micro.quasi_identifiers, micro.sensitive)
        for query in self.dp_counts:
            used.update(query.by)
        for synth in self.synthetic:
            used.update(synth.columns)
        return used

    def with_overrides(self, *, threshold: int | None = None, epsilon_scale: float | None = None) -> Profile:
        """A copy with every table threshold set to ``threshold`` and every DP epsilon multiplied by
        ``epsilon_scale``; the new values are validated like the file's."""
        data = self.model_dump()
        if threshold is not None and data["tables"] is not None:
            data["tables"]["threshold"] = threshold
        if epsilon_scale is not None:
            for part in (*data["dp_counts"], *data["synthetic"]):
                part["epsilon"] = part["epsilon"] * epsilon_scale
        return _validated(self.name, data)


class Budget(_Strict):
    epsilon: float = Field(gt=0, allow_inf_nan=False)
    delta: float = Field(ge=0, lt=1)


class ProfileFile(_Strict):
    budget: Budget
    years: tuple[int, int]
    profiles: dict[str, Any]

    @field_validator("years")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] > value[1]:
            raise ValueError("years: the first year is after the last")
        return value


def _message(what: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "profile"
    return f"{what}: {where}: {first['msg']}"


def _validated(name: str, data: dict[str, Any]) -> Profile:
    try:
        return Profile.model_validate({**data, "name": name})
    except ValidationError as exc:
        raise DisclosureParameterError(_message(f"profile '{name}'", exc)) from None


def _read(path: Path | None) -> tuple[ProfileFile, str]:
    if path is None:
        text = resources.files("palermo.disclosure").joinpath("data", "profiles.yaml").read_text("utf-8")
        where = "shipped profiles"
    else:
        text = path.read_text(encoding="utf-8")
        where = f"profile file {path.name}"
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DisclosureParameterError(f"{where} is not valid YAML ({type(exc).__name__})") from None
    try:
        return ProfileFile.model_validate(raw), where
    except ValidationError as exc:
        raise DisclosureParameterError(_message(where, exc)) from None


def shipped_profiles() -> ProfileFile:
    """The profiles shipped with Palermo."""
    return _read(None)[0]


def load_profile(name_or_path: str | Path) -> tuple[Profile, ProfileFile]:
    """A shipped profile by name (``public``, ``partners``, ``research``), or the only profile, or
    the one named after the file's stem, of a YAML file of the same shape. Returns the profile and the
    file it came from (for the budget and the public years)."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise UnknownProfileError(f"no profile file at {candidate}")
        file, where = _read(candidate)
        if len(file.profiles) == 1:
            (name,) = file.profiles
        elif candidate.stem in file.profiles:
            name = candidate.stem
        else:
            raise UnknownProfileError(f"{where} holds several profiles and none is named '{candidate.stem}'")
        return _validated(name, file.profiles[name]), file
    file = shipped_profiles()
    name = str(name_or_path)
    if name not in file.profiles:
        known = ", ".join(sorted(file.profiles))
        raise UnknownProfileError(
            f"no release profile named '{name}' (shipped: {known}; or give a YAML file)"
        )
    return _validated(name, file.profiles[name]), file
