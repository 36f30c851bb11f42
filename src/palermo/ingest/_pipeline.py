"""One ingest run: read a file batch by batch, map, check, write or quarantine, all in one transaction.

Rows read = ingested + quarantined + skipped as already ingested, always; a crash or an error half
way rolls the whole file back, so the store holds all of a file's run or nothing of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from palermo.errors import IngestError
from palermo.ingest._batch import DEFAULT_CHUNK_ROWS, Source
from palermo.ingest._codes import norm
from palermo.ingest._columns import resolve_columns
from palermo.ingest._readers import open_source
from palermo.ingest._run import IngestResult, Run
from palermo.ingest._spec import Mapping

if TYPE_CHECKING:
    from palermo.workspace import Workspace

Progress = Callable[[int, int], None]
"""Called after each batch with (bytes read, bytes in the file)."""


def file_hash(path: Path) -> tuple[str, int]:
    """SHA-256 of the file's bytes, and its size."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def run_ingest(
    ws: Workspace,
    path: Path,
    mapping: Mapping,
    *,
    source_org: str | None = None,
    dataset_id: str | None = None,
    dataset_kind: str = "ingest",
    progress: Progress | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> IngestResult:
    """Ingest ``path`` with ``mapping`` (see :meth:`palermo.ingest.IngestNamespace.ingest`)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    org = source_org or (mapping.organisation.id if mapping.organisation else None)
    if mapping.target == "cases" and not org:
        raise IngestError(
            f"mapping '{mapping.name}' names no organisation: give the source organisation (--source-org)"
        )
    digest, size = file_hash(path)
    store = ws.store
    earlier = store.execute(
        "SELECT rows_read, dataset_id FROM ingest_runs WHERE file_hash = ? AND mapping = ? "
        "AND source_org IS NOT DISTINCT FROM ? ORDER BY finished_at LIMIT 1",
        [digest, mapping.name, org],
    ).fetchall()
    if earlier:
        rows_read, earlier_dataset = int(earlier[0][0]), str(earlier[0][1])
        return IngestResult(
            rows_read=rows_read, duplicates_skipped=rows_read, dataset_id=earlier_dataset, file_hash=digest,
            mapping=mapping.name, mapping_version=mapping.version, already_ingested=True,
        )  # fmt: skip
    source: Source = open_source(path, mapping.reader, chunk_rows=chunk_rows)
    try:
        columns = resolve_columns(mapping, source)
        dataset = dataset_id or f"ingest-{mapping.name}-{org or 'aggregates'}-{digest[:12]}"
        run_id = f"run-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with store.transaction():
            run = Run(ws, mapping, org, dataset, run_id, str(path), columns, source.header)
            run.result.file_hash = digest
            run.before_first_write = lambda: _register(
                ws, mapping, org, dataset, dataset_kind, str(path), digest, run.result
            )
            for batch in source.batches():
                run.batch(batch)
                if progress is not None:
                    progress(batch.bytes_done or size, size)
            result = run.result
            result.details = {
                **source.details,
                "unmapped_columns": _unmapped(mapping, source, columns),
                "mapping_path": str(mapping.path) if mapping.path else None,
            }
            _record_run(ws, run, path, size, digest, started, mapping)
            run.ledger.close()
    finally:
        source.close()
    return result


def _register(
    ws: Workspace,
    mapping: Mapping,
    org: str | None,
    dataset: str,
    kind: str,
    source: str,
    digest: str,
    result: IngestResult,
) -> None:
    store = ws.store
    store.execute(
        "INSERT INTO datasets (dataset_id, kind, source, content_hash, details) SELECT ?, ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM datasets WHERE dataset_id = ?)",
        [
            dataset,
            kind,
            source,
            digest,
            json.dumps({"mapping": mapping.name, "version": mapping.version, "source_org": org}),
            dataset,
        ],
    )
    if mapping.target != "cases" or org is None:
        return
    stored = store.execute("SELECT count(*) FROM organisations WHERE organisation_id = ?", [org]).fetchall()[
        0
    ][0]
    if not stored:
        info = mapping.organisation
        same = info is not None and info.id in (None, org)
        row = {
            "organisation_id": [org],
            "name": [info.name if same and info else None],
            "org_type": [info.org_type if same and info else None],
            "shipping_country": [info.country if same and info else None],
        }
        written = ws.cases.write_tables({"organisations": pa.table(row, schema=_ORG_SCHEMA)}, dataset)
        result.tables["organisations"] = result.tables.get("organisations", 0) + written.get(
            "organisations", 0
        )


_ORG_SCHEMA = pa.schema(
    [
        ("organisation_id", pa.string()),
        ("name", pa.string()),
        ("org_type", pa.string()),
        ("shipping_country", pa.string()),
    ]
)


def _unmapped(mapping: Mapping, source: Source, columns: dict[str, str | None]) -> list[str]:
    used = {name for name in columns.values() if name}
    ignored = {norm(c) for c in mapping.ignored}
    return [h for h in source.header if h not in used and norm(h) not in ignored]


def _record_run(
    ws: Workspace, run: Run, path: Path, size: int, digest: str, started: dt.datetime, mapping: Mapping
) -> None:
    r = run.result
    if r.rows_read != r.ingested + r.quarantined + r.duplicates_skipped:  # never: rolls the run back
        raise IngestError("internal error: rows read differ from rows ingested, quarantined and skipped")
    ws.store.execute(
        """INSERT INTO ingest_runs (run_id, dataset_id, source_file, file_name, file_hash, file_bytes, mapping,
               mapping_version, mapping_hash, source_org, target, rows_read, ingested, quarantined,
               duplicates_skipped, blank_rows, started_at, finished_at, details)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            run.run_id, run.dataset_id, str(path), path.name, digest, size, mapping.name, mapping.version,
            mapping.text_hash, run.org, mapping.target, r.rows_read, r.ingested, r.quarantined,
            r.duplicates_skipped, r.blank_rows, started, dt.datetime.now(dt.UTC).replace(tzinfo=None),
            json.dumps(r.details, default=str),
        ],
    )  # fmt: skip


__all__ = ["IngestResult", "Progress", "file_hash", "run_ingest"]
