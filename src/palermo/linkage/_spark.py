"""The Spark engine: a Spark session from settings, and candidate pairs of encodings computed on it.

Spark is optional (``pip install 'palermo[spark]'``, Java 17+). The master URL comes from
``PALERMO_SPARK_MASTER`` (default ``local[*]``; ``spark://host:7077`` for a cluster). Candidate
generation runs the same blocking join as DuckDB, with Dice from Spark SQL's ``bit_count`` on the
encodings' 64-bit words; the pairs come back to the driver and are scored and clustered by the same
code as on DuckDB, so both engines give the same clusters.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from palermo.errors import LinkageEngineError
from palermo.linkage._candidates import Candidates, Stack, key_table, score_pairs
from palermo.linkage._encoded import EncodedFile

if TYPE_CHECKING:
    from palermo.config import Settings

_SESSION: Any = None
INSTALL_HINT = "pip install 'palermo[spark]' (pyspark) and a Java 17+ runtime (JAVA_HOME or java on PATH)"


def spark_session(settings: Settings | None = None) -> Any:
    """The process's Spark session (created on first use), with Splink's similarity functions."""
    global _SESSION
    if _SESSION is not None and not _SESSION.sparkContext._jsc.sc().isStopped():
        return _SESSION
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LinkageEngineError(f"the Spark engine needs pyspark: {INSTALL_HINT}") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise LinkageEngineError(f"the Spark engine needs Java: {INSTALL_HINT}")
    from palermo.config import load_settings

    settings = settings or load_settings()
    master = settings.spark_master
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from splink.backends.spark import similarity_jar_location

        jar = similarity_jar_location()
    except ImportError:  # pragma: no cover - splink is a core dependency
        jar = None
    builder = (
        SparkSession.builder.master(master)
        .appName("palermo-linkage")
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if jar:
        builder = builder.config("spark.jars", jar)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Py4J and JVM start-up errors carry no identifying value
        raise LinkageEngineError(f"Spark did not start at master {master}: {type(exc).__name__}") from None
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="palermo-spark-"))
    _SESSION = session
    return session


def stop_spark() -> None:
    """Stop the process's Spark session, if one was started."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def _frame(spark: Any, table: pa.Table) -> Any:
    return spark.createDataFrame(table.to_pandas())


def spark_candidates(
    files: list[EncodedFile],
    stack: Stack,
    threshold: float,
    within: float | None,
    method: str,
    *,
    settings: Settings | None = None,
    max_block: int = 1_000,
    lsh_bands: int = 24,
    lsh_bits: int = 24,
) -> Candidates:
    """Candidate pairs computed on Spark (blocking join or all pairs, Dice by ``bit_count``)."""
    spark = spark_session(settings)
    width = stack.words.shape[1]
    words = {f"w{i}": stack.words[:, i].view(np.int64) for i in range(width)}
    encodings = pa.table(
        {"g": np.arange(len(stack.words), dtype=np.int64), "s": stack.sources, "p": stack.popcount, **words}
    )
    _frame(spark, encodings).createOrReplaceTempView("palermo_enc")
    same = "true" if within is not None else "l.s <> r.s"
    stats: dict[str, Any] = {}
    if method == "none":
        pairs_sql = f"SELECT l.g AS a, r.g AS b FROM palermo_enc l JOIN palermo_enc r ON l.g < r.g AND {same}"
    else:
        keys = key_table(files, stack, method, lsh_bands, lsh_bits)
        _frame(spark, keys).createOrReplaceTempView("palermo_keys")
        oversized = spark.sql(
            f"SELECT count(*) AS c, coalesce(sum(n), 0) AS r FROM (SELECT count(*) AS n FROM palermo_keys GROUP BY k) "
            f"WHERE n > {int(max_block)}"
        ).collect()[0]
        stats = {"oversized_blocks": int(oversized["c"]), "records_in_oversized_blocks": int(oversized["r"])}
        pairs_sql = f"""
            WITH sized AS (SELECT k FROM palermo_keys GROUP BY k HAVING count(*) BETWEEN 2 AND {int(max_block)}),
            kept AS (SELECT palermo_keys.* FROM palermo_keys JOIN sized USING (k))
            SELECT DISTINCT l.g AS a, r.g AS b FROM kept l JOIN kept r ON l.k = r.k AND l.g < r.g WHERE {same}"""
    shared = " + ".join(f"bit_count(x.w{i} & y.w{i})" for i in range(width))
    lowest = min(threshold, within if within is not None else threshold) - 1e-9
    slack = int(stack.adjust.max()) if stack.adjust is not None else 0  # exact scores come after
    scored = f"""
        WITH pairs AS ({pairs_sql})
        SELECT pairs.a, pairs.b FROM pairs
        JOIN palermo_enc x ON x.g = pairs.a JOIN palermo_enc y ON y.g = pairs.b
        WHERE CAST(2 AS DOUBLE) * ({shared}) >= CAST({lowest!r} AS DOUBLE) * (x.p + y.p - {slack})"""
    rows = spark.sql(scored).toPandas()
    a = rows["a"].to_numpy(dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    b = rows["b"].to_numpy(dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    candidates = score_pairs(stack, a, b, threshold, within, method, stats)
    candidates.compared = -1  # Spark does not report how many pairs it compared
    return candidates
