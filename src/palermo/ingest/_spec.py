"""A mapping in memory: reader options, one spec per (column, target), constants and derived fields.

Built and checked by :mod:`palermo.ingest._mapping` from a YAML file; docs/ingest.md documents
every key.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from palermo.ingest._targets import Target

TYPES = (
    "text",
    "integer",
    "number",
    "date",
    "country",
    "code",
    "flag",
    "boolean",
    "age_band",
    "name",
    "count",
)
DERIVATIONS = ("year_of", "age_between", "age_band", "majority")
FORMATS = ("csv", "xlsx", "json", "jsonl", "parquet")


@dataclass(frozen=True)
class FlagConvention:
    """Which written values mean present and which absent."""

    name: str
    present: frozenset[str]
    absent: frozenset[str]

    def describe(self) -> str:
        shown = sorted(self.present)[:4] + sorted(self.absent)[:4]
        return f"convention {self.name}: {', '.join(shown)}"


@dataclass(frozen=True)
class ReaderOptions:
    """How to read the file (``reader:`` block)."""

    format: str | None = None
    delimiter: str | None = None
    encoding: str = "utf-8"
    fallback_encoding: str | None = None
    banner_column: bool = False
    sheet: str | None = None
    header_row: int = 1
    skip_rows_after_header: int = 0
    unknown_columns: str = "error"  # error | ignore


@dataclass(frozen=True)
class Organisation:
    """The organisation that holds the records, when the mapping names a default one."""

    id: str | None = None
    name: str | None = None
    org_type: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One source column written to one target (a column may have several specs)."""

    column: str
    target: Target
    type: str
    line: int
    aliases: tuple[str, ...] = ()
    required: bool = False
    missing: frozenset[str] | None = None  # normed (see _codes.norm); None = the mapping's list
    values: MappingABC[str, str | None] = field(default_factory=dict)  # normed written value -> code
    normalise: bool = False
    lang: str | None = None
    separator: str | None = None
    category: str | None = None
    code: str | None = None
    flag: FlagConvention | None = None
    formats: tuple[str, ...] = ()
    year_offset: int = 0
    bounds: tuple[float, float] | None = None
    thousands: str | None = None
    suppressed: MappingABC[str, int] = field(default_factory=dict)  # normed marker -> threshold
    order: str = "given_first"
    on_unknown: str = "quarantine"  # quarantine | empty
    when: MappingABC[str, frozenset[str]] = field(default_factory=dict)  # column -> normed values
    joined: tuple[str, ...] = ()  # values (as written) that hold the separator themselves

    @property
    def label(self) -> str:
        """How problems name this spec: the source column and where it goes."""
        return f"{self.column} -> {self.target.path}"

    @property
    def code_list(self) -> str | None:
        return self.target.code_list(self.category)


@dataclass(frozen=True)
class Derived:
    """A target computed from other targets after the columns are mapped."""

    target: Target
    rule: str  # one of DERIVATIONS
    sources: tuple[str, ...]  # target paths it reads
    bands: tuple[tuple[int, int | None, str], ...] = ()  # age_band: (low, high or None, code)
    line: int = 0


@dataclass(frozen=True)
class Mapping:
    """A checked mapping."""

    name: str
    version: str
    title: str
    target: str  # cases | aggregates
    source: MappingABC[str, Any]
    reader: ReaderOptions
    missing: frozenset[str]  # normed
    specs: tuple[FieldSpec, ...]
    constants: MappingABC[str, Any]  # target path -> value (codes already checked)
    derived: tuple[Derived, ...]
    text_hash: str
    path: Path | None = None
    shipped: bool = False
    document: str | None = None
    language: str | None = None
    standard: str | None = None
    organisation: Organisation | None = None
    record_id: str | None = None
    record_id_aliases: tuple[str, ...] = ()
    blank_rows: str = "record"  # record | skip
    country_overrides: MappingABC[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # columns the mapping names only to leave them out
    note: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns the mapping reads, in the order they are written in the file."""
        seen: dict[str, None] = {}
        if self.record_id is not None:
            seen[self.record_id] = None
        for spec in self.specs:
            seen[spec.column] = None
            for cond in spec.when:
                seen[cond] = None
        return tuple(seen)

    def aliases_of(self, column: str) -> tuple[str, ...]:
        if column == self.record_id:
            return self.record_id_aliases
        found: list[str] = []
        for spec in self.specs:
            if spec.column == column:
                found.extend(spec.aliases)
        return tuple(dict.fromkeys(found))

    def summary(self) -> dict[str, Any]:
        """Name, version, target, title and where the layout is documented (for listings)."""
        return {
            "name": self.name,
            "version": self.version,
            "target": self.target,
            "title": self.title,
            "source": dict(self.source),
            "shipped": self.shipped,
            "path": str(self.path) if self.path else None,
        }
