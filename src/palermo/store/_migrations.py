"""Numbered SQL migrations shipped inside the package (``migrations/NNNN_name.sql``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from palermo.errors import MigrationError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration in ``folder`` (default: the shipped ones), ordered, numbered 1, 2, 3 … without gaps."""
    if folder is None:
        files = [
            (entry.name, entry.read_text(encoding="utf-8"))
            for entry in resources.files("palermo.store").joinpath("migrations").iterdir()
            if entry.name.endswith(".sql")
        ]
    else:
        files = [(p.name, p.read_text(encoding="utf-8")) for p in folder.glob("*.sql")]
    found: list[Migration] = []
    for filename, sql in files:
        match = _NAME.match(filename)
        if match is None:
            raise MigrationError(f"migration file '{filename}': name must look like 0001_what_it_does.sql")
        found.append(Migration(int(match.group(1)), match.group(2), sql))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name}.sql: expected number {expected:04d} "
                "(migrations are numbered from 0001 without gaps)"
            )
    return found


def latest_version(folder: Path | None = None) -> int:
    """The schema version a store has once every migration has been applied."""
    found = migrations(folder)
    return found[-1].version if found else 0
