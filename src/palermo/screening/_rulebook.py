"""The rules an assessment can fire, in plain language, with their sources (``data/rules.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from palermo.errors import CatalogueFileError, Problem
from palermo.screening._catalogue import builtin_sources, data_path
from palermo.screening._located import Located, read_located


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    sources: tuple[tuple[str, str | None], ...]
    verified: bool

    def cite(self) -> list[dict[str, Any]]:
        return [{"source": s, "locator": loc} if loc else {"source": s} for s, loc in self.sources]


@lru_cache(maxsize=1)
def rulebook() -> Mapping[str, Rule]:
    path = data_path("rules.yaml")
    doc = read_located(path)
    sources = builtin_sources()
    problems: list[Problem] = []
    rules: dict[str, Rule] = {}
    for entry in doc.get("rules", []) if isinstance(doc, dict) else []:
        line = entry.line if isinstance(entry, Located) else None
        cited = entry.get("sources") or []
        for c in cited:
            if c.get("source") not in sources:
                problems.append(Problem(line, "sources", f"unknown source '{c.get('source')}'"))
        if not isinstance(entry.get("verified"), bool) or not entry.get("id") or not entry.get("text"):
            problems.append(Problem(line, "rule", "id, text and verified are required"))
            continue
        rules[entry["id"]] = Rule(
            id=entry["id"],
            text=str(entry["text"]),
            sources=tuple((str(c["source"]), c.get("locator")) for c in cited),
            verified=entry["verified"],
        )
    if problems or not rules:
        raise CatalogueFileError(str(path), problems or [Problem(None, "rules", "no rules")])
    return MappingProxyType(rules)
