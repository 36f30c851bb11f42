"""A real linkage threshold sweep on a synthetic world, through ``palermo.linkage``.

The agencies' own files are turned into the encoder's columns (``world_inputs``), encoded as Bloom
filters under a key derived from a seed (synthetic data: nothing to protect), and matched at each threshold (``match_files``); each run's
clusters give capture histories and an estimate. The reference is the estimate from the world's true
links over the same agencies (perfect linkage): an agency may work in more than one country, so the
persons these agencies can record are not one country's population, and the true links, not a
population count, are the fair comparison. Precision and recall of each run's links come from
``palermo.linkage.evaluate`` against the truth.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from palermo.errors import PalermoError
from palermo.estimate._estimate import estimate
from palermo.estimate._readers import table_from_clusters

THRESHOLDS = (0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class ThresholdPoint:
    threshold: float
    precision: float
    recall: float
    persons: int  # clusters: apparent persons after linkage
    estimate: float | None
    lower: float | None
    upper: float | None
    problem: str | None = None  # why no estimate, when there is none


@dataclass(frozen=True)
class ThresholdSweep:
    agencies: tuple[str, ...]
    method: str
    true_persons: int
    true_estimate: float
    true_interval: tuple[float, float | None]
    points: tuple[ThresholdPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> int | None:
            return None if x is None else round(x)

        return {
            "agencies": list(self.agencies),
            "method": self.method,
            "true_links": {
                "persons": self.true_persons,
                "estimate": round(self.true_estimate),
                "interval": [r(self.true_interval[0]), r(self.true_interval[1])],
            },
            "points": [
                {
                    "threshold": p.threshold,
                    "precision": round(p.precision, 4),
                    "recall": round(p.recall, 4),
                    "persons": p.persons,
                    "estimate": r(p.estimate),
                    "interval": [r(p.lower), r(p.upper)],
                    "problem": p.problem,
                }
                for p in self.points
            ],
        }


def threshold_sweep(
    world_dir: str | Path,
    agencies: Sequence[str],
    *,
    thresholds: Sequence[float] = THRESHOLDS,
    method: str = "aic",
    level: float = 0.95,
    seed: int = 0,
) -> ThresholdSweep:
    """Link ``agencies`` of a generated world at each threshold and estimate from each result. The
    encoding key is derived from ``seed``: the same world, seed and thresholds give the same sweep."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from palermo.linkage import (
        encode_file,
        evaluate,
        load_schema,
        match_files,
        read_secret,
        world_inputs,
        world_truth,
    )

    truth = world_truth(world_dir)
    truth = truth.filter(pc.is_in(truth.column("source"), value_set=pa.array(list(agencies))))
    true_table = table_from_clusters(
        zip(truth.column("entity_id").to_pylist(), truth.column("source").to_pylist(), strict=True),
        source="true links",
    )
    reference = estimate(true_table, method=method, level=level)
    points: list[ThresholdPoint] = []
    with tempfile.TemporaryDirectory(prefix="palermo-threshold-") as tmp:
        folder = Path(tmp)
        inputs = world_inputs(world_dir, folder / "inputs", agencies=list(agencies))
        key = folder / "key"  # a fixed key per seed, so that the sweep is reproducible (synthetic data only)
        key.write_text(hashlib.sha256(f"palermo-threshold-sweep-{seed}".encode()).hexdigest() + "\n")
        schema, secret = load_schema("default"), read_secret(key)
        encoded: list[Path | str] = []
        for agency, path in inputs.items():
            out = folder / f"{agency}.clk"
            encode_file(path, schema, secret, out)
            encoded.append(out)
        for threshold in thresholds:
            result = match_files(encoded, threshold=threshold)
            quality = evaluate(result.records, truth)
            table = table_from_clusters(
                zip(
                    (str(c) for c in result.records.column("cluster_id").to_pylist()),
                    result.records.column("source").to_pylist(),
                    strict=True,
                ),
                source=f"linkage at threshold {threshold}",
            )
            try:
                est = estimate(table, method=method, level=level)
            except PalermoError as exc:  # too few lists left, or no model: say why, keep sweeping
                points.append(
                    ThresholdPoint(
                        threshold,
                        quality.precision,
                        quality.recall,
                        table.observed,
                        None,
                        None,
                        None,
                        str(exc),
                    )
                )
                continue
            lo, hi = est.interval
            points.append(
                ThresholdPoint(
                    threshold, quality.precision, quality.recall, table.observed, est.estimate, lo, hi
                )
            )
    return ThresholdSweep(
        agencies=tuple(agencies),
        method=method,
        true_persons=true_table.observed,
        true_estimate=reference.estimate,
        true_interval=reference.interval,
        points=tuple(points),
    )
