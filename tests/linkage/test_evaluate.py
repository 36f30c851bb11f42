"""Evaluation against ground truth: exact pair counts, persons split, clusters merged."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from palermo.errors import GroundTruthError
from palermo.linkage import evaluate, febrl4_inputs, febrl4_truth, read_truth_csv, world_truth


def _links(rows: list[tuple[int, str, str]]) -> pa.Table:
    return pa.table({k: [r[i] for r in rows] for i, k in enumerate(("cluster_id", "source", "record_id"))})


def _truth(rows: list[tuple[str, str, str]]) -> pa.Table:
    return pa.table({k: [r[i] for r in rows] for i, k in enumerate(("source", "record_id", "entity_id"))})


TRUTH = _truth(
    [("a", "1", "p"), ("b", "1", "p"), ("c", "1", "p"), ("a", "2", "q"), ("b", "2", "q"), ("a", "3", "r")]
)


def test_counts() -> None:
    # p split in two clusters ({a1,b1} and {c1}); q merged with r
    links = _links([(1, "a", "1"), (1, "b", "1"), (2, "c", "1"), (3, "a", "2"), (3, "b", "2"), (3, "a", "3")])
    result = evaluate(links, TRUTH)
    assert (result.true_pairs, result.linked_pairs, result.correct_pairs) == (4, 4, 2)
    assert result.precision == 0.5 and result.recall == 0.5 and result.f1 == 0.5
    assert (result.entities_split, result.clusters_merged) == (1, 1)
    assert (result.records, result.entities, result.clusters) == (6, 3, 3)


def test_perfect_and_unlinked_records_lose_recall() -> None:
    perfect = _links(
        [(1, "a", "1"), (1, "b", "1"), (1, "c", "1"), (2, "a", "2"), (2, "b", "2"), (3, "a", "3")]
    )
    assert evaluate(perfect, TRUTH).f1 == 1.0
    missing_c = _links(
        [(1, "a", "1"), (1, "b", "1"), (2, "a", "2"), (2, "b", "2"), (3, "a", "3"), (9, "c", "9")]
    )
    with pytest.raises(GroundTruthError, match="1 linked records are not in the ground truth"):
        evaluate(missing_c, TRUTH)
    partial = _links(
        [(1, "a", "1"), (1, "b", "1"), (2, "a", "2"), (2, "b", "2"), (3, "a", "3"), (4, "c", "2")]
    )
    truth = _truth(
        [
            *zip(
                TRUTH.column("source").to_pylist(),
                TRUTH.column("record_id").to_pylist(),
                TRUTH.column("entity_id").to_pylist(),
                strict=True,
            ),
            ("c", "2", "s"),
        ]
    )
    result = evaluate(partial, truth)
    assert result.truth_records_not_linked == 1  # c1 was never linked: its two pairs count as missed
    assert result.recall == 2 / 4


def test_truth_csv(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("source,record_id,entity_id\na,1,p\nb,7,p\n", encoding="utf-8")
    assert read_truth_csv(path).num_rows == 2
    path.write_text("source,id\n", encoding="utf-8")
    with pytest.raises(GroundTruthError, match="header"):
        read_truth_csv(path)
    with pytest.raises(GroundTruthError, match=r"no truth/records\.parquet"):
        world_truth(tmp_path)


def test_febrl4(tmp_path: Path) -> None:
    truth = febrl4_truth()
    assert truth.num_rows == 10_000
    assert len(set(truth.column("entity_id").to_pylist())) == 5_000
    written = febrl4_inputs(tmp_path)
    header = written["febrl4a"].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["record_id", "given_name", "family_name"]
    assert "date_of_birth" in header and "state" in header
