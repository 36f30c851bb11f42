"""The field maps: where the case model holds each CTDC variable (``data/ctdc_fields.yaml``) and each
HTCDS field (``data/htcds_fields.yaml``). Read by the ingest mappings and checked by tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from palermo.errors import ConfigError


@dataclass(frozen=True)
class MappedField:
    """One source field and the case-model columns that hold it."""

    name: str
    to: tuple[str, ...]
    code: str | None = None
    with_values: Mapping[str, Any] = field(default_factory=dict)
    transform: str | None = None
    deprecated: bool = False
    note: str | None = None


@dataclass(frozen=True)
class FieldMap:
    """A group of mapped fields (one CTDC release, or HTCDS v2.0 / v1.0)."""

    name: str
    document: str
    fields: Mapping[str, MappedField]
    spellings: Mapping[str, str] = field(default_factory=dict)
    includes: str | None = None
    variables: int | None = None

    def lookup(self, name: str) -> MappedField | None:
        """The mapped field ``name``, under this spelling or another one listed in ``spellings``."""
        if name in self.fields:
            return self.fields[name]
        other = self.spellings.get(name)
        return self.fields.get(other) if other is not None else None


def _read(filename: str) -> Any:
    text = resources.files("palermo.cases").joinpath("data", filename).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _field(name: str, raw: Mapping[str, Any], where: str) -> MappedField:
    if not isinstance(raw, Mapping) or "to" not in raw:
        raise ConfigError(f"{where}: field '{name}' has no 'to'")
    return MappedField(
        name=name,
        to=tuple(str(t) for t in raw["to"] or ()),
        code=None if raw.get("code") is None else str(raw["code"]),
        with_values=dict(raw.get("with") or {}),
        transform=None if raw.get("transform") is None else str(raw["transform"]),
        deprecated=bool(raw.get("deprecated", False)),
        note=None if raw.get("note") is None else str(raw["note"]),
    )


@cache
def ctdc_field_map() -> dict[str, FieldMap]:
    """Every CTDC release's field map, by release key (``ctdc_v6``, ``ctdc_kanon63`` …)."""
    raw = _read("ctdc_fields.yaml")
    transforms = dict(raw.get("transforms") or {})
    maps: dict[str, FieldMap] = {}
    for key, release in raw["releases"].items():
        where = f"ctdc_fields.yaml, release {key}"
        fields = {name: _field(name, spec, where) for name, spec in release["fields"].items()}
        for mapped in fields.values():
            first = (mapped.transform or "").split(",")[0]
            if " " not in first and first and first not in transforms:
                raise ConfigError(f"{where}: field '{mapped.name}' names unknown transform '{first}'")
        maps[key] = FieldMap(
            name=key,
            document=str(release["document"]),
            fields=fields,
            spellings=dict(release.get("spellings") or {}),
            includes=release.get("includes"),
            variables=release.get("variables"),
        )
    return maps


@cache
def htcds_field_map() -> dict[str, FieldMap]:
    """HTCDS field maps: ``htcds_v2`` (every v2.0 field) and ``htcds_v1`` (v1.0 consent fields)."""
    raw = _read("htcds_fields.yaml")
    where = "htcds_fields.yaml"
    v2 = {name: _field(name, spec, where) for name, spec in raw["fields"].items()}
    v1 = {name: _field(name, spec, where) for name, spec in raw["htcds_v1"].items()}
    return {
        "htcds_v2": FieldMap("htcds_v2", str(raw["document"]), v2),
        "htcds_v1": FieldMap("htcds_v1", "HTCDS Field Standards 1.0 (2021-09-27), consent fields", v1),
    }
