"""Markers put on model fields with ``Annotated``: which list a code comes from, which table a
reference points to, which range a number must lie in. The table specifications and the
validation rules are read from these markers, so each rule is written once, beside its field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coded:
    """The value (or each element of a list value) is a code of category list ``name``."""

    name: str


@dataclass(frozen=True)
class CodedBy:
    """The value is a code of the list named in column ``column`` of the same row."""

    column: str
    lists: tuple[str, ...]


@dataclass(frozen=True)
class Ref:
    """The value is the key of a row of ``table`` (column ``column``), in the store or in the same load."""

    table: str
    column: str


@dataclass(frozen=True)
class Bounds:
    """The number lies in ``[low, high]``."""

    low: float
    high: float


@dataclass(frozen=True)
class Sensitive:
    """Free text or an identifying value: never logged, never put in a message."""
