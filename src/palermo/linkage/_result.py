"""A linkage result: every record's cluster, each cluster's capture history, the overlaps.

The capture history of a cluster (one person) is a 0/1 per agency, in the order of ``sources``:
``10110`` means seen by the 1st, 3rd and 4th agencies. Counted over clusters, the histories are
the input of multiple systems estimation (``palermo.estimate``).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from palermo.errors import GroundTruthError

LINKS_COLUMNS = ("cluster_id", "source", "record_id")


@dataclass
class LinkageResult:
    """What a linkage run found.

    ``records``: ``cluster_id, source, record_id`` (one row per record, clusters numbered from 1);
    ``clusters``: ``cluster_id, size, agencies, history, links, mean_score, min_score`` (scores are
    the Dice or match probabilities of the links that formed the cluster; they stay at the hub).
    """

    sources: list[str]
    records: pa.Table
    clusters: pa.Table
    kind: str
    engine: str
    threshold: float | None
    parameters: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None

    @property
    def record_count(self) -> int:
        return int(self.records.num_rows)

    @property
    def cluster_count(self) -> int:
        return int(self.clusters.num_rows)

    def capture_histories(self) -> pa.Table:
        """One row per observed capture history: a 0/1 ``int8`` column per source (named after it,
        in ``sources`` order) and ``count``, the clusters with that history. Sorted by history."""
        return histories_table(self.sources, self.clusters)

    def overlaps(self) -> dict[str, dict[str, int]]:
        """For each pair of agencies, the clusters (persons) both recorded."""
        hist = self.clusters.column("history").to_pylist()
        matrix = np.zeros((len(self.sources), len(self.sources)), dtype=np.int64)
        counts: dict[str, int] = {}
        for h in hist:
            counts[h] = counts.get(h, 0) + 1
        for h, c in counts.items():
            seen = [i for i, ch in enumerate(h) if ch == "1"]
            for i in seen:
                for j in seen:
                    matrix[i, j] += c
        return {
            s: {t: int(matrix[i, j]) for j, t in enumerate(self.sources)} for i, s in enumerate(self.sources)
        }

    def summary(self) -> dict[str, Any]:
        """Counts only (no record id, no score): safe to print and to share."""
        agencies = self.clusters.column("agencies").to_numpy()
        per_source = {s: 0 for s in self.sources}
        for s in self.records.column("source").to_pylist():
            per_source[s] += 1
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "engine": self.engine,
            "threshold": self.threshold,
            "sources": self.sources,
            "records": self.record_count,
            "records_per_source": per_source,
            "clusters": self.cluster_count,
            "clusters_by_agencies": {
                str(k): int((agencies == k).sum())
                for k in range(1, len(self.sources) + 1)
                if (agencies == k).any()
            },
            "overlaps": self.overlaps(),
            "capture_histories": {
                "".join(str(row[s]) for s in self.sources): row["count"]
                for row in self.capture_histories().to_pylist()
            },
            "parameters": self.parameters,
        }

    def write_links(self, path: Path | str) -> Path:
        """``cluster_id,source,record_id``, one row per record, written whole or not at all."""
        return write_links(self.records, Path(path))


def histories_table(sources: list[str], clusters: pa.Table) -> pa.Table:
    con = duckdb.connect()
    try:
        con.register("c", clusters.select(["history"]))
        rows = con.execute("SELECT history, count(*) FROM c GROUP BY history ORDER BY history").fetchall()
    finally:
        con.close()
    columns: dict[str, Any] = {
        s: pa.array([int(h[i]) for h, _ in rows], pa.int8()) for i, s in enumerate(sources)
    }
    columns["count"] = pa.array([int(c) for _, c in rows], pa.int64())
    return pa.table(columns)


def build_result(
    sources: list[str],
    record_sources: list[str],
    record_ids: list[str] | pa.Array,
    labels: np.ndarray,
    *,
    size: np.ndarray,
    masks: np.ndarray,
    links: np.ndarray,
    mean_score: np.ndarray,
    min_score: np.ndarray,
    kind: str,
    engine: str,
    threshold: float | None,
    parameters: dict[str, Any],
) -> LinkageResult:
    """Assemble a result from per-record cluster labels (0-based) and per-cluster statistics."""
    count = len(size)
    bits = ((masks[:, None] >> np.arange(len(sources), dtype=np.uint64)[None, :]) & np.uint64(1)).astype(
        np.int8
    )
    history = ["".join(map(str, row)) for row in bits.tolist()] if count else []
    records = pa.table(
        {
            "cluster_id": pa.array(labels + 1, pa.int64()),
            "source": pa.array(record_sources, pa.string()),
            "record_id": pa.array(record_ids, pa.string()),
        }
    )
    clusters = pa.table(
        {
            "cluster_id": pa.array(np.arange(1, count + 1), pa.int64()),
            "size": pa.array(size, pa.int32()),
            "agencies": pa.array(bits.sum(axis=1) if count else [], pa.int32()),
            "history": pa.array(history, pa.string()),
            "links": pa.array(links, pa.int32()),
            "mean_score": pa.array(mean_score, pa.float64(), from_pandas=True),
            "min_score": pa.array(min_score, pa.float64(), from_pandas=True),
        }
    )
    return LinkageResult(sources, records, clusters, kind, engine, threshold, parameters)


def write_links(records: pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(LINKS_COLUMNS)
            writer.writerows(
                zip(
                    records.column("cluster_id").to_pylist(),
                    records.column("source").to_pylist(),
                    records.column("record_id").to_pylist(),
                    strict=True,
                )
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_links(path: Path | str) -> pa.Table:
    """A LINKS.csv back as ``cluster_id, source, record_id``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise GroundTruthError(f"links file {path} cannot be read") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != LINKS_COLUMNS:
        raise GroundTruthError(f"links file {path} must start with the header {','.join(LINKS_COLUMNS)}")
    body = rows[1:]
    bad = [i + 2 for i, r in enumerate(body) if len(r) != 3 or not r[0].strip().isdigit()]
    if bad:
        raise GroundTruthError(f"links file {path}: line {bad[0]} is not cluster_id,source,record_id")
    return pa.table(
        {
            "cluster_id": pa.array([int(r[0]) for r in body], pa.int64()),
            "source": pa.array([r[1] for r in body], pa.string()),
            "record_id": pa.array([r[2] for r in body], pa.string()),
        }
    )


def histories_from_links(records: pa.Table, sources: list[str] | None = None) -> pa.Table:
    """Capture histories (as :meth:`LinkageResult.capture_histories`) from ``cluster_id, source,
    record_id`` rows, e.g. a LINKS.csv read with :func:`read_links`. ``sources`` fixes the column
    order (default: sorted source names)."""
    names = sources or sorted(set(records.column("source").to_pylist()))
    index = {s: i for i, s in enumerate(names)}
    con = duckdb.connect()
    try:
        con.register("r", records.select(["cluster_id", "source"]))
        grouped = con.execute(
            "SELECT cluster_id, list(DISTINCT source) FROM r GROUP BY cluster_id"
        ).fetchall()
    finally:
        con.close()
    history = []
    for _, seen in grouped:
        marks = ["0"] * len(names)
        for s in seen:
            if s not in index:
                raise GroundTruthError(f"source '{s}' is not among the sources given")
            marks[index[s]] = "1"
        history.append("".join(marks))
    return histories_table(names, pa.table({"history": pa.array(history, pa.string())}))
