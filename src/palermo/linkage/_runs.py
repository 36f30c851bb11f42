"""Linkage runs in the store (migration 0005): save a result, list runs, read one back.

Only pseudonymous record ids, cluster ids, capture histories and the hub's scores are stored.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from palermo._version import __version__
from palermo.errors import UnknownLinkageRunError
from palermo.linkage._result import LinkageResult, histories_table
from palermo.store import Store


@dataclass(frozen=True)
class LinkageRun:
    """A stored run's description (no records)."""

    run_id: str
    created_at: datetime
    kind: str
    engine: str
    sources: list[str]
    threshold: float | None
    records: int
    clusters: int
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "kind": self.kind,
            "engine": self.engine,
            "sources": self.sources,
            "threshold": self.threshold,
            "records": self.records,
            "clusters": self.clusters,
            "parameters": self.parameters,
        }


def new_run_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def save_run(store: Store, result: LinkageResult) -> str:
    """Store a result in one transaction; sets and returns ``result.run_id``."""
    run_id = result.run_id or new_run_id(result.kind)
    n = result.record_count
    records = result.records.append_column("run_id", pa.array([run_id] * n, pa.string()))
    clusters = result.clusters.append_column("run_id", pa.array([run_id] * result.cluster_count, pa.string()))
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO linkage_runs (run_id, kind, engine, sources, threshold, records, clusters, parameters, "
            "palermo_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                result.kind,
                result.engine,
                result.sources,
                result.threshold,
                n,
                result.cluster_count,
                json.dumps(result.parameters, default=str),
                __version__,
            ],
        )
        store.insert_arrow("linkage_records", records)
        store.insert_arrow("linkage_clusters", clusters)
    result.run_id = run_id
    return run_id


def list_runs(store: Store) -> list[LinkageRun]:
    rows = store.execute(
        "SELECT run_id, created_at, kind, engine, sources, threshold, records, clusters, parameters "
        "FROM linkage_runs ORDER BY created_at, run_id"
    ).fetchall()
    return [_run(r) for r in rows]


def get_run(store: Store, run_id: str) -> LinkageRun:
    rows = store.execute(
        "SELECT run_id, created_at, kind, engine, sources, threshold, records, clusters, parameters "
        "FROM linkage_runs WHERE run_id = ?",
        [run_id],
    ).fetchall()
    if not rows:
        known = [r.run_id for r in list_runs(store)][-5:]
        hint = f" (latest: {', '.join(known)})" if known else " (no linkage run is stored yet)"
        raise UnknownLinkageRunError(f"no linkage run '{run_id}'{hint}")
    return _run(rows[0])


def _run(row: tuple[Any, ...]) -> LinkageRun:
    return LinkageRun(
        run_id=row[0],
        created_at=row[1],
        kind=row[2],
        engine=row[3],
        sources=list(row[4]),
        threshold=row[5],
        records=int(row[6]),
        clusters=int(row[7]),
        parameters=json.loads(row[8]) if isinstance(row[8], str) else dict(row[8] or {}),
    )


def load_result(store: Store, run_id: str) -> LinkageResult:
    """A stored run back as a :class:`LinkageResult`."""
    run = get_run(store, run_id)
    records = store.query_arrow(
        "SELECT cluster_id, source, record_id FROM linkage_records WHERE run_id = ? "
        "ORDER BY cluster_id, source, record_id",
        [run_id],
    )
    clusters = store.query_arrow(
        "SELECT cluster_id, size, agencies, history, links, mean_score, min_score FROM linkage_clusters "
        "WHERE run_id = ? ORDER BY cluster_id",
        [run_id],
    )
    return LinkageResult(
        run.sources, records, clusters, run.kind, run.engine, run.threshold, run.parameters, run_id=run.run_id
    )


def stored_histories(store: Store, run_id: str) -> pa.Table:
    """Capture histories of a stored run (see :meth:`LinkageResult.capture_histories`)."""
    run = get_run(store, run_id)
    clusters = store.query_arrow("SELECT history FROM linkage_clusters WHERE run_id = ?", [run_id])
    return histories_table(run.sources, clusters)


def delete_run(store: Store, run_id: str) -> None:
    get_run(store, run_id)
    with store.transaction() as conn:
        for table in ("linkage_records", "linkage_clusters", "linkage_runs"):
            conn.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
