"""Where the built-in scheme and crosswalks live (package data) and their lazily built, cached copies."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from palermo.errors import UnknownCrosswalkError
from palermo.vocab._crosswalk import Crosswalk, read_crosswalk
from palermo.vocab._model import Scheme
from palermo.vocab._schemefile import read_scheme

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCES_FILE = DATA_DIR / "sources.yaml"
CONCEPTS_DIR = DATA_DIR / "concepts"
CROSSWALKS_DIR = DATA_DIR / "crosswalks"


def scheme_files() -> list[Path]:
    """The built-in scheme's files: the sources first, then the concept files by name."""
    return [SOURCES_FILE, *sorted(CONCEPTS_DIR.glob("*.yaml"))]


@cache
def builtin_scheme() -> Scheme:
    """The concept scheme shipped with Palermo (read once, then cached; immutable)."""
    return read_scheme(scheme_files())


@cache
def builtin_crosswalks() -> Mapping[str, Crosswalk]:
    """Every shipped crosswalk by standard name, checked against the built-in scheme."""
    scheme = builtin_scheme()
    result = {}
    for path in sorted(CROSSWALKS_DIR.glob("*.yaml")):
        cw = read_crosswalk(path, scheme)
        result[cw.standard] = cw
    return MappingProxyType(result)


def get_crosswalk(standard: str) -> Crosswalk:
    walks = builtin_crosswalks()
    try:
        return walks[standard]
    except KeyError:
        raise UnknownCrosswalkError(
            f"no crosswalk for '{standard[:40]}' (shipped: {', '.join(sorted(walks))})"
        ) from None
