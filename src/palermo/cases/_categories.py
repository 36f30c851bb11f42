"""The category lists of the case model, read from ``data/categories.yaml``.

Code reads the lists from that one file; nobody repeats a list in Python. Two lists take their codes
from ISO standards through pycountry (``codes_from``): ``country`` (ISO 3166-1 alpha-3) and
``language`` (ISO 639-2 three-letter codes: pycountry's ISO 639-3 table, which holds every
individual-language 639-2/T code, plus the 639-2/B forms; 639-2 collective codes are not accepted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import pycountry
import yaml

from palermo.errors import ConfigError

_FILE = "categories.yaml"
_STANDARD_LISTS = ("iso3166_alpha3", "iso639_2")


@dataclass(frozen=True)
class Document:
    """A document codes are taken from."""

    key: str
    title: str
    version: str
    date: str


@dataclass(frozen=True)
class Source:
    """Where a list comes from: a document and the field or variable in it."""

    document: Document
    field: str


@dataclass(frozen=True)
class Code:
    """One code of a list, with the document it comes from."""

    code: str
    label: str
    document: str
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    broader: str | None = None
    narrower: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryList:
    """A named list of codes."""

    name: str
    description: str
    sources: tuple[Source, ...]
    codes: tuple[Code, ...]
    codes_from: str | None = None

    @property
    def code_set(self) -> frozenset[str]:
        if self.codes_from is not None:
            return _standard_codes(self.codes_from)
        return frozenset(c.code for c in self.codes)


class Categories:
    """Every category list, by name."""

    def __init__(self, documents: Mapping[str, Document], lists: Mapping[str, CategoryList]) -> None:
        self.documents = dict(documents)
        self.lists = dict(lists)
        self._arrays: dict[str, pa.Array] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.lists

    def __getitem__(self, name: str) -> CategoryList:
        try:
            return self.lists[name]
        except KeyError:
            raise ConfigError(f"no category list named '{name}' in {_FILE}") from None

    def codes(self, name: str) -> frozenset[str]:
        """The valid codes of list ``name``."""
        return self[name].code_set

    def is_valid(self, name: str, code: str) -> bool:
        return code in self.codes(name)

    def code_array(self, name: str) -> pa.Array:
        """The codes of list ``name`` as an Arrow string array (for vectorised membership checks)."""
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = pa.array(sorted(self.codes(name)), type=pa.string())
        return found

    def normalise(self, name: str, value: str, document: str | None = None) -> str | None:
        """The code for ``value`` as written in ``document``: an alias of that document first, then a
        code itself; ``None`` when neither matches."""
        clist = self[name]
        text = value.strip()
        if document is not None:
            for code in clist.codes:
                if document in code.aliases.get(text, ()):
                    return code.code
        return text if text in clist.code_set else None


@cache
def load_categories() -> Categories:
    """Read ``data/categories.yaml`` (cached)."""
    text = resources.files("palermo.cases").joinpath("data", _FILE).read_text(encoding="utf-8")
    return parse_categories(yaml.safe_load(text))


def parse_categories(raw: Any) -> Categories:
    """Build :class:`Categories` from the parsed YAML, checking its shape."""
    if not isinstance(raw, dict) or "documents" not in raw or "lists" not in raw:
        raise ConfigError(f"{_FILE}: expected top-level 'documents' and 'lists'")
    documents = {
        key: Document(key, str(d["title"]), str(d["version"]), str(d["date"]))
        for key, d in raw["documents"].items()
    }
    lists: dict[str, CategoryList] = {}
    for name, entry in raw["lists"].items():
        sources = tuple(_source(name, s, documents) for s in entry.get("source") or ())
        if not sources:
            raise ConfigError(f"{_FILE}: list '{name}' names no source")
        codes = tuple(_code(name, c, documents) for c in entry.get("codes") or ())
        codes_from = entry.get("codes_from")
        if codes_from is not None and codes_from not in _STANDARD_LISTS:
            raise ConfigError(f"{_FILE}: list '{name}': unknown codes_from '{codes_from}'")
        if codes_from is None and not codes:
            raise ConfigError(f"{_FILE}: list '{name}' has no codes")
        seen = [c.code for c in codes]
        if len(seen) != len(set(seen)):
            raise ConfigError(f"{_FILE}: list '{name}' repeats a code")
        lists[name] = CategoryList(name, str(entry.get("description", "")), sources, codes, codes_from)
    return Categories(documents, lists)


def _source(name: str, raw: Mapping[str, Any], documents: Mapping[str, Document]) -> Source:
    key = str(raw.get("document"))
    if key not in documents:
        raise ConfigError(f"{_FILE}: list '{name}' cites unknown document '{key}'")
    return Source(documents[key], str(raw.get("field", "")))


def _code(name: str, raw: Mapping[str, Any], documents: Mapping[str, Document]) -> Code:
    code = str(raw["code"])
    document = str(raw.get("from"))
    if document not in documents:
        raise ConfigError(f"{_FILE}: list '{name}', code '{code}' cites unknown document '{document}'")
    aliases = {str(k): tuple(str(d) for d in v) for k, v in (raw.get("aliases") or {}).items()}
    for docs in aliases.values():
        for doc in docs:
            if doc not in documents:
                raise ConfigError(f"{_FILE}: list '{name}', code '{code}': alias cites unknown '{doc}'")
    broader = raw.get("broader")
    return Code(
        code=code,
        label=str(raw.get("label", code)),
        document=document,
        aliases=aliases,
        broader=None if broader is None else str(broader),
        narrower=tuple(str(n) for n in raw.get("narrower") or ()),
    )


@cache
def _standard_codes(kind: str) -> frozenset[str]:
    if kind == "iso3166_alpha3":
        return frozenset(c.alpha_3 for c in pycountry.countries)
    codes: set[str] = set()
    for lang in pycountry.languages:
        codes.add(lang.alpha_3)
        bibliographic = getattr(lang, "bibliographic", None)
        if bibliographic:
            codes.add(bibliographic)
    return frozenset(codes)
