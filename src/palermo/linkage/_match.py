"""Hub side: match agencies' encoded files into clusters of one person each."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from palermo.errors import Problem as _Problem
from palermo.errors import ValidationError
from palermo.linkage._candidates import (
    BLOCKING_CHOICES,
    Candidates,
    Stack,
    blocked_pairs,
    choose_blocking,
    exact_pairs,
)
from palermo.linkage._encoded import EncodedFile, read_all
from palermo.linkage._result import LinkageResult, build_result
from palermo.linkage._solve import solve

if TYPE_CHECKING:
    from palermo.config import Settings

ENGINES = ("duckdb", "spark")
MISSING_CHOICES = ("fields", "records", "ignore")


def check_threshold(value: float, name: str) -> None:
    if not 0.0 < value <= 1.0:
        raise ValidationError([_Problem(None, name, "must be above 0 and at most 1")], what="linkage options")


def match_files(
    paths: list[Path | str],
    *,
    threshold: float = 0.8,
    dedupe: bool = True,
    within_threshold: float | None = None,
    blocking: str = "auto",
    engine: str = "duckdb",
    max_block: int = 1_000,
    lsh_bands: int = 24,
    lsh_bits: int = 24,
    missing: str = "ignore",
    min_shared: int = 0,
    settings: Settings | None = None,
) -> LinkageResult:
    """Link encoded files: candidates (all pairs or blocked), scores, greedy clusters.

    ``dedupe``: also link records of one agency (its duplicates) at ``within_threshold``
    (default: ``threshold``); otherwise a cluster never holds two records of one agency.
    ``missing``: ``fields`` leaves out of a pair's Dice the bits of a field that one of the two
    agencies does not collect at all (its column is absent, as dates of birth at a hotline);
    ``records`` does so for a field missing from one of the two records (when the encodings carry
    each record's fields: schema ``presence``); ``ignore`` (the default): plain Dice.
    ``min_shared``: a pair must also share at least this many bits, whatever its Dice: in a large
    population, two records that agree on names alone (neither has a date of birth) are often
    namesakes.
    """
    check_threshold(threshold, "threshold")
    within = (within_threshold if within_threshold is not None else threshold) if dedupe else None
    if within is not None:
        check_threshold(within, "within_threshold")
    if blocking not in BLOCKING_CHOICES:
        raise ValidationError(
            [_Problem(None, "blocking", f"must be one of {', '.join(BLOCKING_CHOICES)}")],
            what="linkage options",
        )
    if missing not in MISSING_CHOICES:
        raise ValidationError(
            [_Problem(None, "missing", f"must be one of {', '.join(MISSING_CHOICES)}")],
            what="linkage options",
        )
    if engine not in ENGINES:
        raise ValidationError(
            [_Problem(None, "engine", f"must be one of {', '.join(ENGINES)}")], what="linkage options"
        )
    started = time.perf_counter()
    files = read_all(paths)
    if min_shared < 0:
        raise ValidationError([_Problem(None, "min_shared", "must be 0 or more")], what="linkage options")
    stack = Stack.of(files, missing=missing, min_shared=min_shared)
    method = choose_blocking(files, blocking, within is not None)
    if "keys" in method and not files[0].blocks:
        raise ValidationError(
            [
                _Problem(
                    None,
                    "blocking",
                    "the encodings carry no blocking keys (the schema defines none): use lsh",
                )
            ],
            what="linkage options",
        )
    read_s = time.perf_counter() - started
    if engine == "spark":
        from palermo.linkage._spark import spark_candidates

        candidates = spark_candidates(
            files,
            stack,
            threshold,
            within,
            method,
            settings=settings,
            max_block=max_block,
            lsh_bands=lsh_bands,
            lsh_bits=lsh_bits,
        )
    elif method == "none":
        candidates = exact_pairs(files, stack, threshold, within)
    else:
        candidates = blocked_pairs(
            files,
            stack,
            threshold,
            within,
            method,
            max_block=max_block,
            lsh_bands=lsh_bands,
            lsh_bits=lsh_bits,
            threads=settings.threads if settings else None,
        )
    compared_s = time.perf_counter() - started - read_s
    clusters = solve(stack.sources, candidates.a, candidates.b, candidates.score)
    solved_s = time.perf_counter() - started - read_s - compared_s
    parameters = _parameters(
        files,
        candidates,
        threshold,
        within,
        max_block,
        lsh_bands,
        lsh_bits,
        missing if stack.adjust is not None else "ignore",
    )
    parameters["min_shared"] = min_shared
    parameters["seconds"] = {
        "read": round(read_s, 3),
        "compare": round(compared_s, 3),
        "solve": round(solved_s, 3),
    }
    sources = [f.source for f in files]
    return build_result(
        sources,
        [sources[s] for s in stack.sources.tolist()],
        pa.concat_arrays([f.record_ids for f in files]) if files else pa.array([], pa.string()),
        clusters.labels,
        size=clusters.size,
        masks=clusters.masks,
        links=clusters.links,
        mean_score=clusters.mean_score,
        min_score=clusters.min_score,
        kind="encoded",
        engine=engine,
        threshold=threshold,
        parameters=parameters,
    )


def _parameters(
    files: list[EncodedFile],
    candidates: Candidates,
    threshold: float,
    within: float | None,
    max_block: int,
    lsh_bands: int,
    lsh_bits: int,
    missing: str,
) -> dict[str, Any]:
    meta = files[0].meta
    out: dict[str, Any] = {
        "schema": meta.get("schema_name"),
        "schema_fingerprint": meta.get("schema_fingerprint"),
        "length": meta.get("length"),
        "files": [str(f.path) for f in files],
        "within_threshold": within,
        "missing": missing,
        "blocking": candidates.method,
        "comparisons": int(candidates.compared),
        "pairs_above_threshold": len(candidates.a),
        "pairs_within_agency": int(np.count_nonzero(_same_source(files, candidates))),
    }
    if candidates.method != "none":
        out["max_block"] = max_block
        if "lsh" in candidates.method:
            out["lsh"] = {"bands": lsh_bands, "bits": lsh_bits}
    out.update(candidates.stats)
    return out


def _same_source(files: list[EncodedFile], candidates: Candidates) -> np.ndarray:
    bounds = np.cumsum([0, *[f.records for f in files]])
    sa = np.searchsorted(bounds, candidates.a, side="right")
    sb = np.searchsorted(bounds, candidates.b, side="right")
    return np.asarray(sa == sb)
