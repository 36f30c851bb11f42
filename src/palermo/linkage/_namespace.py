"""``ws.linkage``: encode, match, store and read linkage runs, link in clear text, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from palermo.linkage._encode import EncodeSummary, encode_file
from palermo.linkage._evaluate import Evaluation, evaluate
from palermo.linkage._match import match_files
from palermo.linkage._result import LinkageResult
from palermo.linkage._runs import (
    LinkageRun,
    delete_run,
    get_run,
    list_runs,
    load_result,
    save_run,
    stored_histories,
)
from palermo.linkage._schema import load_schema
from palermo.linkage._secret import read_secret, write_new_secret

if TYPE_CHECKING:
    from palermo.workspace import Workspace


class LinkageNamespace:
    """``ws.linkage``: privacy-preserving linkage across agencies, and clear-text linkage.

    Agency side: :meth:`encode`. Hub side: :meth:`match` (stored as a run), :meth:`runs`,
    :meth:`result`, :meth:`capture_histories`. Clear text: :meth:`link_clear` (Splink).
    Quality: :meth:`evaluate`.
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    # -- agency side --------------------------------------------------------------------------
    def keygen(self, path: Path | str, *, overwrite: bool = False) -> Path:
        """Write a new random project secret (64 hex characters) to ``path``, mode 0600."""
        return write_new_secret(path, overwrite=overwrite)

    def encode(
        self,
        source: Path | str,
        out: Path | str,
        *,
        secret_file: Path | str | None,
        schema: str | Path = "default",
        skip_unnamed: bool = False,
    ) -> EncodeSummary:
        """Encode an agency's records (CSV or Parquet, case-model column names) into ``out``."""
        return encode_file(
            source, load_schema(schema), read_secret(secret_file), out, skip_unnamed=skip_unnamed
        )

    # -- hub side -----------------------------------------------------------------------------
    def match(self, paths: list[Path | str], *, save: bool = True, **options: Any) -> LinkageResult:
        """Match encoded files (see :func:`palermo.linkage.match_files` for ``options``); the
        result is stored as a run unless ``save`` is false."""
        result = match_files(paths, settings=self._ws.settings, **options)
        if save:
            save_run(self._ws.store, result)
        return result

    def link_clear(self, paths: list[Path | str], *, save: bool = True, **options: Any) -> LinkageResult:
        """Link or deduplicate records in clear text with Splink (see
        :func:`palermo.linkage.link_clear` for ``options``); stored as a run unless ``save`` is false."""
        from palermo.linkage._clear import link_clear

        result = link_clear(paths, settings=self._ws.settings, **options)
        if save:
            save_run(self._ws.store, result)
        return result

    # -- stored runs --------------------------------------------------------------------------
    def runs(self) -> list[LinkageRun]:
        """Every stored run, oldest first."""
        return list_runs(self._ws.store)

    def run(self, run_id: str) -> LinkageRun:
        """One stored run's description; :class:`~palermo.errors.UnknownLinkageRunError` if none."""
        return get_run(self._ws.store, run_id)

    def result(self, run_id: str) -> LinkageResult:
        """A stored run with its records and clusters."""
        return load_result(self._ws.store, run_id)

    def links(self, run_id: str) -> pa.Table:
        """``cluster_id, source, record_id`` of a stored run (the content of LINKS.csv)."""
        return load_result(self._ws.store, run_id).records

    def capture_histories(self, run_id: str) -> pa.Table:
        """A stored run's capture histories: one 0/1 ``int8`` column per source, in the run's
        source order, and ``count``; one row per observed history (the input of estimation)."""
        return stored_histories(self._ws.store, run_id)

    def delete_run(self, run_id: str) -> None:
        delete_run(self._ws.store, run_id)

    # -- quality ------------------------------------------------------------------------------
    def evaluate(self, links: pa.Table | str, truth: pa.Table) -> Evaluation:
        """Precision, recall, F1, clusters split and merged of ``links`` (a table, or a stored
        run's id) against ``truth`` (``source, record_id, entity_id``)."""
        table = self.links(links) if isinstance(links, str) else links
        return evaluate(table, truth)
