"""The Workspace: one store, one set of settings, a namespace per capability."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.config import Settings, load_settings
from palermo.store import Store

if TYPE_CHECKING:
    from palermo.cases import CasesNamespace
    from palermo.disclosure import DisclosureNamespace
    from palermo.estimate import EstimateNamespace
    from palermo.ingest import IngestNamespace
    from palermo.linkage import LinkageNamespace
    from palermo.scenario import ScenarioNamespace
    from palermo.screening import ScreeningNamespace
    from palermo.vocab import VocabNamespace


class Workspace:
    """Everything Palermo does goes through a Workspace.

    Capabilities hang off it as namespaces, created on first use: ``ws.scenario``, ``ws.cases`` …
    The CLI and the web app call these same methods; no logic lives only in a command or a route.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    @property
    def path(self) -> Path:
        return self.store.path

    @cached_property
    def scenario(self) -> ScenarioNamespace:
        from palermo.scenario import ScenarioNamespace

        return ScenarioNamespace(self)

    @cached_property
    def cases(self) -> CasesNamespace:
        from palermo.cases import CasesNamespace

        return CasesNamespace(self)

    @cached_property
    def vocab(self) -> VocabNamespace:
        from palermo.vocab import VocabNamespace

        return VocabNamespace(self)

    @cached_property
    def screening(self) -> ScreeningNamespace:
        from palermo.screening import ScreeningNamespace

        return ScreeningNamespace(self)

    @cached_property
    def ingest(self) -> IngestNamespace:
        from palermo.ingest import IngestNamespace

        return IngestNamespace(self)

    @cached_property
    def linkage(self) -> LinkageNamespace:
        from palermo.linkage import LinkageNamespace

        return LinkageNamespace(self)

    @cached_property
    def estimate(self) -> EstimateNamespace:
        from palermo.estimate import EstimateNamespace

        return EstimateNamespace(self)

    @cached_property
    def disclosure(self) -> DisclosureNamespace:
        from palermo.disclosure import DisclosureNamespace

        return DisclosureNamespace(self)

    def info(self) -> dict[str, Any]:
        """Where the store is, its schema version and the rows in each table."""
        return {
            "path": str(self.path),
            "schema_version": self.store.schema_version,
            "tables": {name: self.store.count(name) for name in self.store.tables()},
        }

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"


def open(path: str | Path | None = None, *, settings: Settings | None = None) -> Workspace:
    """Open (or create) the workspace whose store is at ``path``.

    Without ``path`` the store is ``$PALERMO_HOME/palermo.duckdb``, by default
    ``./.palermo/palermo.duckdb``. An older store is upgraded; a newer one is refused with
    :class:`~palermo.errors.StoreVersionError`.
    """
    settings = settings or load_settings()
    logging.getLogger("palermo").setLevel(settings.log_level.upper())
    store_path = Path(path) if path is not None else settings.store_path
    store = Store(store_path, threads=settings.threads, memory_limit=settings.memory_limit)
    return Workspace(store, settings)
