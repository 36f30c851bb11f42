"""Mappings shipped inside the package (``data/mappings/<name>.yaml``), and mappings from a path."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from palermo.errors import MappingError, Problem, UnknownMappingError
from palermo.ingest._mapping import parse_mapping
from palermo.ingest._spec import Mapping
from palermo.ingest._yamlfile import read_text


def _folder() -> resources.abc.Traversable:
    return resources.files("palermo.ingest").joinpath("data").joinpath("mappings")


def shipped_names() -> list[str]:
    """Names of the shipped mappings, sorted."""
    return sorted(
        entry.name[: -len(".yaml")] for entry in _folder().iterdir() if entry.name.endswith(".yaml")
    )


@cache
def shipped_mapping(name: str) -> Mapping:
    """A shipped mapping by name (checked once, then cached)."""
    entry = _folder().joinpath(f"{name}.yaml")
    if not entry.is_file():
        raise UnknownMappingError(
            f"no shipped mapping named '{name}' and no such file (shipped: {', '.join(shipped_names())})"
        )
    text = entry.read_text(encoding="utf-8")
    mapping = parse_mapping(text, name, shipped=True)
    if mapping.name != name:
        raise MappingError(name, [Problem(1, "name", f"must equal the file name '{name}'")])
    return mapping


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping's name, or the path of a mapping file."""
    text_form = str(name_or_path)
    path = Path(text_form)
    looks_like_path = path.suffix in (".yaml", ".yml") or "/" in text_form or "\\" in text_form
    if isinstance(name_or_path, Path) or looks_like_path or path.is_file():
        if not path.is_file():
            if not looks_like_path:
                return shipped_mapping(text_form)
            raise UnknownMappingError(f"no mapping file at {path}")
        return parse_mapping(read_text(path), str(path), path=path.resolve())
    return shipped_mapping(text_form)
