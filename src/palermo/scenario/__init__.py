"""The synthetic multi-agency world: demo data and the test bed for linkage, estimation, disclosure.

Public names: :class:`ScenarioNamespace` (``ws.scenario``), :func:`generate`, :class:`WorldSummary`,
:func:`load_world`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.scenario._files import read_agency_file, read_summary
from palermo.scenario._generate import Progress, WorldSummary, generate
from palermo.scenario._load import load
from palermo.scenario._params import World, load_world

if TYPE_CHECKING:
    from palermo.workspace import Workspace


class ScenarioNamespace:
    """``ws.scenario``: generate synthetic worlds and load them into the store."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def generate(
        self,
        persons: int,
        seed: int,
        out: Path | str,
        *,
        world_file: Path | None = None,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> WorldSummary:
        """Write a world to ``out`` (see :func:`palermo.scenario.generate`)."""
        return generate(persons, seed, out, world_file=world_file, overwrite=overwrite, progress=progress)

    def load(
        self, world_dir: Path | str, *, replace: bool = False, world_file: Path | None = None
    ) -> dict[str, Any]:
        """Load a generated world into the store's case model through the ingest, in one transaction.

        Each agency's file is read by ``ws.ingest`` with that agency's shipped mapping
        (``scenario-<agency id>``): rows that break a rule go to the ingest quarantine, and every
        case keeps its provenance (file, row, mapping version). Returns ``{"dataset_id", "store",
        "replaced", "tables": {table: rows}, "rows_read", "ingested", "quarantined",
        "duplicates_skipped"}``. A world already loaded (same content, or same folder) is refused
        unless ``replace``, which swaps it.
        """
        return load(self._ws, world_dir, replace=replace, world_file=world_file)


__all__ = [
    "Progress",
    "ScenarioNamespace",
    "World",
    "WorldSummary",
    "generate",
    "load",
    "load_world",
    "read_agency_file",
    "read_summary",
]
