"""The Spark engine (local mode) gives the same clusters as DuckDB. Run with ``pytest -m spark``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from palermo.config import Settings
from palermo.linkage import match_files
from palermo.linkage._clear import link_clear
from palermo.linkage._result import LinkageResult

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_settings() -> Iterator[Settings]:
    pytest.importorskip("pyspark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    yield Settings(spark_master="local[2]", spark_driver_memory="1g")
    from palermo.linkage._spark import stop_spark

    stop_spark()


def _partition(result: LinkageResult) -> list[list[tuple[str, str]]]:
    clusters: dict[int, list[tuple[str, str]]] = {}
    columns = [result.records.column(c).to_pylist() for c in ("cluster_id", "source", "record_id")]
    for cluster, source, record in zip(*columns, strict=True):
        clusters.setdefault(cluster, []).append((source, record))
    return sorted(sorted(members) for members in clusters.values())


@pytest.mark.parametrize("blocking", ["keys", "none"])
def test_matching_gives_the_same_clusters(
    world_encoded: list[Path], spark_settings: Settings, blocking: str
) -> None:
    files = world_encoded[:4]
    on_duckdb = match_files(files, threshold=0.8, blocking=blocking)
    on_spark = match_files(files, threshold=0.8, blocking=blocking, engine="spark", settings=spark_settings)
    assert on_spark.engine == "spark"
    assert _partition(on_spark) == _partition(on_duckdb)
    assert on_spark.cluster_count < on_spark.record_count


def test_splink_gives_the_same_clusters(world_csvs: dict[str, Path], spark_settings: Settings) -> None:
    files = [world_csvs["fr-police"], world_csvs["fr-refuge"]]
    on_duckdb = link_clear(files, threshold=0.9)
    on_spark = link_clear(files, threshold=0.9, engine="spark", settings=spark_settings)
    assert _partition(on_spark) == _partition(on_duckdb)
    assert on_spark.cluster_count < on_spark.record_count
