"""One run over one file (or over quarantine entries being retried): batch by batch, map, check,
write the good rows with their provenance, quarantine the others with every problem found."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from palermo.cases._duckdb_io import insert_arrow
from palermo.errors import EmptyTermError, UnknownLanguageError
from palermo.ingest._aggregates import shape_aggregates
from palermo.ingest._batch import Batch
from palermo.ingest._codes import CodeBook
from palermo.ingest._ledger import Ledger, provenance_table
from palermo.ingest._records import Shaped, shape
from palermo.ingest._spec import Mapping
from palermo.ingest._transforms import Context, Mapped, apply
from palermo.ingest._values import Rules, clean, constant, keep_rows, repeat
from palermo.ingest._write import write_cases

if TYPE_CHECKING:
    from palermo.workspace import Workspace


@dataclass
class IngestResult:
    """What one ingest did. :meth:`counts` is what ``palermo ingest --json`` prints."""

    rows_read: int = 0
    ingested: int = 0
    quarantined: int = 0
    duplicates_skipped: int = 0
    blank_rows: int = 0
    run_id: str | None = None
    dataset_id: str = ""
    file_hash: str = ""
    mapping: str = ""
    mapping_version: str = ""
    already_ingested: bool = False
    tables: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "ingested": self.ingested,
            "quarantined": self.quarantined,
            "duplicates_skipped": self.duplicates_skipped,
        }


def vocabulary_normaliser(ws: Workspace) -> Callable[[str, str | None], str | None]:
    """Free text to a concept id through ``ws.vocab.normalise`` (None when nothing matches)."""

    def normalise(text: str, lang: str | None) -> str | None:
        try:
            match = ws.vocab.normalise(text, lang)
        except (EmptyTermError, UnknownLanguageError):
            return None
        return match.concept.id if match is not None else None

    return normalise


def _mask(values: pa.Array) -> NDArray[Any]:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


class Run:
    """The state of one run: counts, caches, and where its records come from.

    With ``retrying`` (quarantine ids, one per row of :meth:`process`), rows that pass resolve
    their entries and rows that fail update them, instead of adding new ones.
    """

    def __init__(
        self,
        ws: Workspace,
        mapping: Mapping,
        source_org: str | None,
        dataset_id: str,
        run_id: str,
        source_file: str,
        columns: dict[str, str | None],
        header: tuple[str, ...] = (),
    ) -> None:
        self.ws = ws
        self.mapping = mapping
        self.org = source_org
        self.dataset_id = dataset_id
        self.run_id = run_id
        self.source_file = source_file
        self.columns = columns
        self.header = header
        self.result = IngestResult(
            run_id=run_id, dataset_id=dataset_id, mapping=mapping.name, mapping_version=mapping.version
        )
        self.ctx = Context(mapping, CodeBook(ws.cases.categories), vocabulary_normaliser(ws))
        self.ledger = Ledger(ws.store, mapping=mapping.name, source_org=source_org)
        self._reject_seen: dict[str, int] = {}
        self.before_first_write: Callable[[], None] | None = None  # registers the dataset, once

    def _writing(self) -> None:
        """Called before anything is written: a run that only skips rows writes no dataset."""
        if self.before_first_write is not None:
            register, self.before_first_write = self.before_first_write, None
            register()

    @property
    def read_columns(self) -> list[str]:
        """Header names of the mapping's columns present in the file."""
        return [name for c in self.mapping.columns if (name := self.columns.get(c))]

    # -- a batch from a file ---------------------------------------------------------------------
    def batch(self, batch: Batch) -> None:
        self.result.rows_read += batch.size
        self._rejects(batch)
        table, rows = batch.table, batch.rows
        if self.mapping.blank_rows == "skip" and table.num_rows:
            blank = self._blank(table)
            self.result.blank_rows += int(blank.sum())
            self.result.rows_read -= int(blank.sum())
            table, rows = table.filter(pa.array(~blank)), rows[~blank]
        if table.num_rows == 0:
            return
        keys = self.ledger.keys(table, self.read_columns)
        known = self.ledger.known(keys)
        self.result.duplicates_skipped += int(known.sum())
        if known.any():
            fresh = pa.array(~known)
            table, rows, keys = table.filter(fresh), rows[~known], pc.filter(keys, fresh)
        if table.num_rows:
            self.process(table, rows, keys)

    # -- rows to records -------------------------------------------------------------------------
    def process(
        self, table: pa.Table, rows: NDArray[Any], keys: pa.Array, retrying: list[int] | None = None
    ) -> Shaped:
        """Map, check and write ``table``'s rows; quarantine (or, retrying, update) the rest."""
        self._writing()
        mapped = [self._apply(index, table) for index in range(len(self.mapping.specs))]
        if self.mapping.target == "aggregates":
            shaped = shape_aggregates(self.mapping, mapped, keys, [])
            targets = self._store_aggregates(shaped, rows)
            table_name = "aggregate_statistics"
        else:
            ids, rules = self._case_ids(table, keys)
            assert self.org is not None
            shaped = shape(self.mapping, mapped, ids, self.org, rules)
            shaped = write_cases(self.ws, self.ledger, shaped, ids, self.dataset_id, self.result.tables)
            targets = keep_rows(ids, shaped.good)
            table_name = "cases"
        good = shaped.good
        chosen = [retrying[i] for i in np.flatnonzero(good)] if retrying is not None else None
        self._provenance(keep_rows(keys, good), targets, rows[good], table_name, chosen)
        self.result.ingested += int(good.sum())
        problems = self._problems(shaped)
        if retrying is None:
            entries = [
                self._entry(keys[int(i)].as_py(), int(rows[i]), problems[int(i)], original)
                for i, original in zip(
                    np.flatnonzero(~good),
                    table.take(pa.array(np.flatnonzero(~good))).to_pylist(),
                    strict=True,
                )
            ]
            self.ledger.quarantine(entries)
            self.result.quarantined += len(entries)
        else:
            self._update_entries(retrying, good, keys, problems)
        return shaped

    def _apply(self, index: int, table: pa.Table) -> Mapped:
        spec = self.mapping.specs[index]
        n = table.num_rows

        def column(name: str | None) -> pa.Array:
            return table.column(name).combine_chunks() if name else pa.nulls(n, pa.string())

        when = None
        for cond, allowed in spec.when.items():
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(column(self.columns.get(cond))))
            ok = _mask(pc.is_in(lowered, value_set=pa.array(sorted(allowed), pa.string())))
            when = ok if when is None else when & ok
        return apply(spec, column(self.columns.get(spec.column)), when, self.ctx)

    def _blank(self, table: pa.Table) -> NDArray[Any]:
        blank = np.ones(table.num_rows, dtype=bool)
        for name in self.read_columns:
            blank &= _mask(pc.is_null(clean(table.column(name).combine_chunks(), ())))
        return blank

    def _case_ids(self, table: pa.Table, keys: pa.Array) -> tuple[pa.Array, Rules]:
        """``ORG:record id`` (mapping with ``record_id``), else ``ORG:`` and the key's first 16 hex
        digits and occurrence; the rules broken by empty, repeated or already stored ids."""
        assert self.org is not None
        n = table.num_rows
        org = repeat(self.org, n, pa.string())
        if self.mapping.record_id is None:
            short = pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(keys, 0, 16), pc.utf8_slice_codeunits(keys, 32, 200), ""
            )
            return pc.binary_join_element_wise(org, short, ":"), []
        name = self.columns.get(self.mapping.record_id)
        values = clean(table.column(name).combine_chunks() if name else pa.nulls(n, pa.string()), ())
        empty = _mask(pc.is_null(values))
        ids = pc.binary_join_element_wise(org, pc.fill_null(values, ""), ":")
        ids = pc.if_else(
            pa.array(empty), pc.binary_join_element_wise(ids, pc.utf8_slice_codeunits(keys, 0, 16), "#"), ids
        )
        _, first = np.unique(np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object), return_index=True)
        repeated = np.ones(n, dtype=bool)
        repeated[first] = False
        stored = self.ledger.stored_ids("cases", "case_id", ids)
        rules: Rules = [
            (empty, "the record id column is empty"),
            (repeated & ~empty, "record id repeats an earlier row of this file"),
            (stored & ~empty & ~repeated, "record id already used by a case in the store"),
        ]
        return ids, [(mask, rule) for mask, rule in rules if mask.any()]

    def _store_aggregates(self, shaped: Shaped, rows: NDArray[Any]) -> pa.Array:
        data = shaped.tables["aggregate_statistics"]
        n = data.num_rows
        extra = {
            "dataset_id": self.dataset_id, "run_id": self.run_id, "source_file": self.source_file,
            "mapping": self.mapping.name, "mapping_version": self.mapping.version,
        }  # fmt: skip
        for name, value in extra.items():
            data = data.append_column(name, constant(value, n, pa.string()))
        data = data.append_column("source_row", pa.array(rows[shaped.good], pa.int64()))
        written = insert_arrow(self.ws.store.connection, "aggregate_statistics", data)
        self.result.tables["aggregate_statistics"] = (
            self.result.tables.get("aggregate_statistics", 0) + written
        )
        return data.column("stat_id").combine_chunks()

    def _provenance(
        self,
        keys: pa.Array,
        targets: pa.Array,
        rows: NDArray[Any],
        table: str,
        quarantine_ids: list[int] | None,
    ) -> None:
        if len(keys) == 0:
            return
        self.ledger.provenance(
            provenance_table(
                keys, targets, rows, target_table=table, dataset_id=self.dataset_id, run_id=self.run_id,
                source_file=self.source_file, mapping=self.mapping.name, mapping_version=self.mapping.version,
                quarantine_ids=quarantine_ids,
            )
        )  # fmt: skip

    # -- quarantine ------------------------------------------------------------------------------
    @staticmethod
    def _problems(shaped: Shaped) -> dict[int, list[dict[str, str]]]:
        """Every (field, rule) each failing row broke, in the order found."""
        found: dict[int, list[dict[str, str]]] = {int(i): [] for i in np.flatnonzero(~shaped.good)}
        for mask, where, rule in shaped.problems:
            for i in np.flatnonzero(mask):
                item = {"field": where, "rule": rule}
                if int(i) in found and item not in found[int(i)]:
                    found[int(i)].append(item)
        return found

    def _entry(
        self, key: str, row: int, problems: list[dict[str, str]], original: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "record_key": key, "run_id": self.run_id, "dataset_id": self.dataset_id, "source_file": self.source_file,
            "source_row": row, "mapping": self.mapping.name, "mapping_version": self.mapping.version,
            "source_org": self.org, "problems": problems, "original": original,
        }  # fmt: skip

    def _rejects(self, batch: Batch) -> None:
        """Rows the reader could not split into fields: quarantined whole, keyed by their text."""
        if not batch.rejects:
            return
        entries = []
        header = list(self.header)
        for reject in batch.rejects:
            text = json.dumps(reject.original, ensure_ascii=False, sort_keys=True)
            digest = hashlib.sha256(
                "\x1f".join([self.mapping.name, self.org or "", text]).encode()
            ).hexdigest()
            self._reject_seen[digest] = self._reject_seen.get(digest, 0) + 1
            original = {**reject.original, "_header": header}
            problems = [{"field": "row", "rule": reject.rule}]
            entries.append(
                self._entry(f"{digest}.r{self._reject_seen[digest]}", reject.row, problems, original)
            )
        known = self.ledger.known(pa.array([e["record_key"] for e in entries], pa.string()))
        fresh = [e for e, k in zip(entries, known, strict=True) if not k]
        if fresh:
            self._writing()
        self.ledger.quarantine(fresh)
        self.result.quarantined += len(fresh)
        self.result.duplicates_skipped += len(entries) - len(fresh)

    def _update_entries(
        self, ids: list[int], good: NDArray[Any], keys: pa.Array, problems: dict[int, list[dict[str, str]]]
    ) -> None:
        conn = self.ws.store.connection
        for i, quarantine_id in enumerate(ids):
            if good[i]:
                conn.execute(
                    "UPDATE ingest_quarantine SET status = 'resolved', attempts = attempts + 1, "
                    "resolved_at = current_timestamp, resolved_record = ? WHERE quarantine_id = ?",
                    [keys[i].as_py(), quarantine_id],
                )
            else:
                conn.execute(
                    "UPDATE ingest_quarantine SET attempts = attempts + 1, problems = ?, mapping_version = ? "
                    "WHERE quarantine_id = ?",
                    [json.dumps(problems[i], ensure_ascii=False), self.mapping.version, quarantine_id],
                )
                self.result.quarantined += 1
