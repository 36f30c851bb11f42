"""The synthetic multi-agency world: demo data and the test bed for linkage, estimation, disclosure.

Public names: :class:`ScenarioNamespace` (``ws.scenario``), :func:`generate`, :class:`WorldSummary`,
:func:`load_world`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from palermo.scenario._generate import Progress, WorldSummary, generate
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


__all__ = ["Progress", "ScenarioNamespace", "World", "WorldSummary", "generate", "load_world"]
