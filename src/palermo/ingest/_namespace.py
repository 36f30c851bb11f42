"""``ws.ingest``: harmonise foreign files into the store, and work through the quarantine."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.ingest._batch import DEFAULT_CHUNK_ROWS
from palermo.ingest._pipeline import IngestResult, Progress, run_ingest
from palermo.ingest._quarantine import QuarantineEntry, RetryResult, entries, entry, retry
from palermo.ingest._shipped import load_mapping, shipped_mapping, shipped_names
from palermo.ingest._spec import Mapping
from palermo.ingest._suggest import suggest_mapping

if TYPE_CHECKING:
    from palermo.workspace import Workspace

_OWN_TABLES = ("ingest_records", "ingest_quarantine", "ingest_runs", "aggregate_statistics")


class IngestNamespace:
    """The ingest capability of a workspace: ``ws.ingest``.

    ``ingest`` reads a file with a mapping (a shipped one by name, or a YAML file), writes what
    passes every rule into the case model (or, for aggregate tables, into ``aggregate_statistics``)
    and puts every other row in quarantine with where and why; nothing is silently dropped::

        result = ws.ingest.ingest("CTDC_VPsynthetic_condensed.csv", "ctdc-vp-2022")
        result.counts()   # {"rows_read": 21195, "ingested": 21195, "quarantined": 0, "duplicates_skipped": 0}

    The quarantine keeps each failed row as read, inside the store; :meth:`quarantine` and
    :meth:`quarantine_entry` say where (file, row) and why (field, rule) without its values, and
    :meth:`retry` re-submits entries, with fixes or a corrected mapping.
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    # -- mappings --------------------------------------------------------------------------------
    def mapping(self, name_or_path: str | Path) -> Mapping:
        """A shipped mapping by name, or a mapping file by path, checked
        (:class:`~palermo.errors.MappingError` lists every problem with its line)."""
        return load_mapping(name_or_path)

    def mappings(self) -> list[dict[str, Any]]:
        """Every shipped mapping: name, version, target, title and where its layout is documented."""
        return [shipped_mapping(name).summary() for name in shipped_names()]

    def suggest(self, path: str | Path, *, sample_rows: int = 2000) -> str:
        """A draft mapping (YAML text) for ``path``, from its header and distinct values.

        Every guess is marked with its confidence in a comment, for a data officer to review; the
        draft parses as a mapping once the placeholders it leaves are filled in.
        """
        return suggest_mapping(self._ws, Path(path), sample_rows=sample_rows)

    # -- ingest ----------------------------------------------------------------------------------
    def ingest(
        self,
        path: str | Path,
        mapping: str | Path | Mapping,
        *,
        source_org: str | None = None,
        dataset_id: str | None = None,
        dataset_kind: str = "ingest",
        progress: Progress | None = None,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> IngestResult:
        """Ingest one file, all or nothing, in one store transaction.

        ``source_org`` is the organisation holding the records (default: the mapping's own);
        ``dataset_id`` groups the records under a dataset of the caller's (default: one per file,
        mapping and organisation). A file already ingested with this mapping and organisation (same
        SHA-256) changes nothing: every row counts as a duplicate skipped. Raises
        :class:`~palermo.errors.IngestError` for a file that cannot be read at all (empty, binary,
        wrong delimiter, required columns missing), before anything is written.
        """
        checked = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
        return run_ingest(
            self._ws,
            Path(path),
            checked,
            source_org=source_org,
            dataset_id=dataset_id,
            dataset_kind=dataset_kind,
            progress=progress,
            chunk_rows=chunk_rows,
        )

    def runs(self) -> list[dict[str, Any]]:
        """Every ingest run, newest first (file name and hash, mapping and version, counts)."""
        result = self._ws.store.execute(
            """SELECT run_id, dataset_id, file_name, file_hash, mapping, mapping_version, source_org, target,
                      rows_read, ingested, quarantined, duplicates_skipped, blank_rows, finished_at
               FROM ingest_runs ORDER BY finished_at DESC, run_id"""
        )
        names = [d[0] for d in result.description or ()]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    # -- quarantine ------------------------------------------------------------------------------
    def quarantine(
        self, *, status: str | None = "pending", run_id: str | None = None, limit: int | None = None
    ) -> list[QuarantineEntry]:
        """Quarantine entries (where and why, never the row's values), oldest first."""
        return entries(self._ws.store, status=status, run_id=run_id, limit=limit)

    def quarantine_entry(self, quarantine_id: int) -> QuarantineEntry:
        """One entry (:class:`~palermo.errors.NotFoundError` if there is none with this id)."""
        return entry(self._ws.store, quarantine_id)

    def retry(
        self,
        ids: list[int] | None = None,
        *,
        fixes: MappingABC[str, str | None] | None = None,
        mapping: str | Path | Mapping | None = None,
        encoding: str | None = None,
        run_id: str | None = None,
    ) -> RetryResult:
        """Re-submit pending entries (``ids``, or every pending one of ``run_id``, or all pending).

        ``fixes`` sets source columns to corrected values first (the officer's corrections);
        ``mapping`` re-reads with another mapping or a newer version; ``encoding`` re-decodes rows
        that were not valid text. Entries that now pass are ingested with their original key, file
        and row, and marked resolved; the others stay, with their problems brought up to date.
        """
        checked = None if mapping is None or isinstance(mapping, Mapping) else load_mapping(mapping)
        chosen = mapping if isinstance(mapping, Mapping) else checked
        return retry(
            self._ws, ids=ids, fixes=dict(fixes or {}), mapping=chosen, encoding=encoding, run_id=run_id
        )

    # -- datasets --------------------------------------------------------------------------------
    def remove_dataset(self, dataset_id: str) -> dict[str, int]:
        """Delete a dataset's ingested records, provenance, quarantine and runs (one transaction)."""
        store = self._ws.store
        with store.transaction():
            removed = self._ws.cases.remove_dataset(dataset_id)
            for table in _OWN_TABLES:
                rows = store.execute(f'DELETE FROM "{table}" WHERE dataset_id = ?', [dataset_id]).fetchall()
                removed[table] = int(rows[0][0]) if rows else 0
        return removed
