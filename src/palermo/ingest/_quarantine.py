"""The quarantine: rows that broke a rule, kept whole in the store until fixed and re-submitted.

Listing and showing an entry tell where (file, row) and why (field, rule), and which columns the
row has, never their values. A retry rebuilds each row from the values kept, applies the officer's
fixes, and runs it through the mapping again under its original record key, file and row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from palermo.errors import IngestError, NotFoundError
from palermo.ingest._batch import text_table
from palermo.ingest._codes import norm
from palermo.ingest._run import Run
from palermo.ingest._shipped import load_mapping, shipped_mapping, shipped_names
from palermo.ingest._spec import Mapping
from palermo.store import Store

if TYPE_CHECKING:
    from palermo.workspace import Workspace

_SHOWN = (
    "quarantine_id, run_id, dataset_id, source_file, source_row, mapping, mapping_version, source_org, "
    "problems, json_keys(original) AS columns, status, attempts, quarantined_at, resolved_at, resolved_record"
)


@dataclass(frozen=True)
class QuarantineEntry:
    """One quarantined row: where it came from and every rule it broke (never its values)."""

    quarantine_id: int
    run_id: str
    dataset_id: str
    source_file: str
    source_row: int
    mapping: str
    mapping_version: str
    source_org: str | None
    problems: tuple[dict[str, str], ...]
    columns: tuple[str, ...]
    status: str
    attempts: int
    quarantined_at: Any = None
    resolved_at: Any = None
    resolved_record: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "quarantine_id": self.quarantine_id,
            "status": self.status,
            "source_file": self.source_file,
            "source_row": self.source_row,
            "mapping": self.mapping,
            "mapping_version": self.mapping_version,
            "source_org": self.source_org,
            "problems": [dict(p) for p in self.problems],
            "columns": list(self.columns),
            "attempts": self.attempts,
            "run_id": self.run_id,
            "dataset_id": self.dataset_id,
            "quarantined_at": str(self.quarantined_at) if self.quarantined_at else None,
            "resolved_at": str(self.resolved_at) if self.resolved_at else None,
        }


@dataclass
class RetryResult:
    """What a retry did."""

    retried: int = 0
    ingested: int = 0
    still_quarantined: int = 0
    resolved: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "retried": self.retried,
            "ingested": self.ingested,
            "still_quarantined": self.still_quarantined,
            "resolved": list(self.resolved),
        }


def _entry(row: Sequence[Any]) -> QuarantineEntry:
    (qid, run_id, dataset_id, source_file, source_row, mapping, version, org, problems, columns, *rest) = row
    status, attempts, quarantined_at, resolved_at, resolved_record = rest
    return QuarantineEntry(
        quarantine_id=int(qid),
        run_id=str(run_id),
        dataset_id=str(dataset_id),
        source_file=str(source_file),
        source_row=int(source_row),
        mapping=str(mapping),
        mapping_version=str(version),
        source_org=org,
        problems=tuple(json.loads(problems)),
        columns=tuple(str(c) for c in (columns or ()) if not str(c).startswith("_")),
        status=str(status),
        attempts=int(attempts),
        quarantined_at=quarantined_at,
        resolved_at=resolved_at,
        resolved_record=resolved_record,
    )


def entries(
    store: Store, *, status: str | None = "pending", run_id: str | None = None, limit: int | None = None
) -> list[QuarantineEntry]:
    """Entries, oldest first, filtered by status and run."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    sql = f"SELECT {_SHOWN} FROM ingest_quarantine WHERE {' AND '.join(where)} ORDER BY quarantine_id{tail}"
    return [_entry(r) for r in store.execute(sql, params).fetchall()]


def entry(store: Store, quarantine_id: int) -> QuarantineEntry:
    rows = store.execute(
        f"SELECT {_SHOWN} FROM ingest_quarantine WHERE quarantine_id = ?", [quarantine_id]
    ).fetchall()
    if not rows:
        raise NotFoundError(f"no quarantine entry {quarantine_id}")
    return _entry(rows[0])


def _original(raw: dict[str, Any], encoding: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The row as a column -> value dict, or None and the rule when it still cannot be one."""
    if "_fields" not in raw and "_line" not in raw:
        return dict(raw), None
    header = [str(h) for h in raw.get("_header") or ()]
    fields = raw.get("_fields")
    if fields is None or not header:
        return None, "the row could not be read as fields: fix the file and ingest it again"
    if encoding is not None:
        try:
            fields = [str(f).encode("latin-1").decode(encoding) for f in fields]
        except (UnicodeEncodeError, UnicodeDecodeError, LookupError):
            return None, f"the row is not valid {encoding} text either"
    elif raw.get("_undecodable"):
        return None, "the row is not valid text in the file's encoding: retry with --encoding"
    if len(fields) != len(header):
        return (
            None,
            f"row has {len(fields)} fields; the header has {len(header)}: fix the file and ingest it again",
        )
    return dict(zip(header, fields, strict=True)), None


def retry(
    ws: Workspace,
    *,
    ids: list[int] | None,
    fixes: dict[str, str | None],
    mapping: Mapping | None,
    encoding: str | None,
    run_id: str | None,
) -> RetryResult:
    """Re-submit pending entries (see :meth:`palermo.ingest.IngestNamespace.retry`)."""
    store = ws.store
    where: list[str] = ["status = 'pending'"]
    params: list[Any] = []
    if ids:
        where.append(f"quarantine_id IN ({', '.join('?' for _ in ids)})")
        params.extend(ids)
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    rows = store.execute(
        "SELECT quarantine_id, record_key, run_id, dataset_id, source_file, source_row, mapping, source_org, original "
        f"FROM ingest_quarantine WHERE {' AND '.join(where)} ORDER BY quarantine_id",
        params,
    ).fetchall()
    if ids:
        missing = sorted(set(ids) - {int(r[0]) for r in rows})
        if missing:
            raise NotFoundError(f"no pending quarantine entry {', '.join(str(m) for m in missing)}")
    result = RetryResult(retried=len(rows))
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault((row[2], row[3], row[4], row[6], row[7]), []).append(row)
    with store.transaction():
        for (run, dataset, source_file, mapping_name, org), members in groups.items():
            chosen = mapping or _mapping_named(ws, mapping_name, run)
            _retry_group(ws, chosen, org, dataset, run, source_file, members, fixes, encoding, result)
    return result


def _mapping_named(ws: Workspace, name: str, run_id: str) -> Mapping:
    """The mapping an entry was read with: shipped, or the file the run read it from."""
    if name in shipped_names():
        return shipped_mapping(name)
    rows = ws.store.execute(
        "SELECT details->>'mapping_path' FROM ingest_runs WHERE run_id = ?", [run_id]
    ).fetchall()
    path = rows[0][0] if rows else None
    if path is not None and Path(path).is_file():
        found = load_mapping(Path(path))
        if found.name == name:
            return found
    raise IngestError(f"mapping '{name}' is not a shipped one and its file is gone: give it with --mapping")


def _retry_group(
    ws: Workspace,
    mapping: Mapping,
    org: str | None,
    dataset: str,
    run_id: str,
    source_file: str,
    members: list[tuple[Any, ...]],
    fixes: dict[str, str | None],
    encoding: str | None,
    result: RetryResult,
) -> None:
    conn = ws.store.connection
    usable: list[tuple[int, str, int, dict[str, Any]]] = []
    for quarantine_id, key, _, _, _, source_row, _, _, original_text in members:
        original, rule = _original(json.loads(original_text), encoding)
        if original is not None:
            original.update(fixes)
            usable.append((int(quarantine_id), str(key), int(source_row), original))
            continue
        conn.execute(
            "UPDATE ingest_quarantine SET attempts = attempts + 1, problems = ? WHERE quarantine_id = ?",
            [json.dumps([{"field": "row", "rule": rule}]), quarantine_id],
        )
        result.still_quarantined += 1
    if not usable:
        return
    names = list(dict.fromkeys(name for _, _, _, original in usable for name in original))
    table = text_table(names, [[_text(o.get(n)) for n in names] for _, _, _, o in usable])
    columns = {c: _find(names, (c, *mapping.aliases_of(c))) for c in mapping.columns}
    run = Run(ws, mapping, org, dataset, run_id, source_file, columns, tuple(names))
    keys = pa.array([key for _, key, _, _ in usable], pa.string())
    rows = np.array([row for _, _, row, _ in usable], dtype=np.int64)
    shaped = run.process(table, rows, keys, retrying=[q for q, _, _, _ in usable])
    result.ingested += int(shaped.good.sum())
    result.still_quarantined += int((~shaped.good).sum())
    result.resolved.extend(q for (q, _, _, _), ok in zip(usable, shaped.good, strict=True) if ok)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _find(names: list[str], wanted: tuple[str, ...]) -> str | None:
    for name in wanted:
        if name in names:
            return name
    folded = {norm(w) for w in wanted}
    return next((n for n in names if norm(n) in folded), None)


__all__ = ["QuarantineEntry", "RetryResult", "entries", "entry", "retry"]
