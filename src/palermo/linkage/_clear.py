"""Clear-text linkage with Splink 5: for one agency's own records, or a trusted hub that holds
identifiers. A Fellegi–Sunter model is trained without labels (u by random sampling, m by EM under
two blocking rules), pairs from the prediction blocking rules are scored, and pairs at or above the
match probability are clustered, by the same greedy solver as encoded matching (no two records of
one agency in a cluster, except that agency's duplicates) or by Splink's connected components.

Names are compared after the same normalisation as the encoder (spelling and sound); dates of birth
as dates. DuckDB runs it by default; ``engine="spark"`` runs the same model on Spark.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from palermo.errors import EncodedFileError, LinkageEngineError, ValidationError
from palermo.errors import Problem as _Problem
from palermo.linkage._encoded import MAX_SOURCES, source_name
from palermo.linkage._match import ENGINES, check_threshold
from palermo.linkage._records import Prepared, prepare, read_records
from palermo.linkage._result import LinkageResult, build_result
from palermo.linkage._schema import load_schema
from palermo.linkage._solve import solve

if TYPE_CHECKING:
    from palermo.config import Settings

CLUSTERINGS = ("greedy", "connected")
_COLUMNS = (
    "given_name",
    "family_name",
    "given_sound",
    "family_sound",
    "dob",
    "birth_year",
    "sex",
    "citizenship",
    "place_of_birth",
)


def _frame(source: str, prepared: Prepared) -> pa.Table:
    """The normalised columns Splink compares, one row per kept record."""
    n = prepared.rows
    cols = prepared.columns

    def per_row(name: str, pick: Any) -> list[Any]:
        col = cols.get(name)
        if col is None:
            return [None] * n
        lookup = [pick(v) for v in col.values]
        return [lookup[c] for c in col.codes.tolist()]

    given = per_row("given_name", lambda v: v.spelling or None)
    family = per_row("family_name", lambda v: v.spelling or None)
    table = pa.table(
        {
            "unique_id": prepared.ids,
            "given_name": pa.array(given, pa.string()),
            "family_name": pa.array(family, pa.string()),
            "given_sound": pa.array(per_row("given_name", lambda v: "".join(v.sound) or None), pa.string()),
            "family_sound": pa.array(per_row("family_name", lambda v: "".join(v.sound) or None), pa.string()),
            "dob": pa.array(per_row("date_of_birth", _full_date), pa.date32()),
            "birth_year": pa.array(
                per_row("date_of_birth", lambda v: v.date[0] if v.date else None), pa.int32()
            ),
            "sex": pa.array(per_row("sex", lambda v: v.code or None), pa.string()),
            "citizenship": pa.array(per_row("citizenship", lambda v: v.code or None), pa.string()),
            "place_of_birth": pa.array(per_row("place_of_birth", lambda v: v.spelling or None), pa.string()),
        }
    )
    return table.filter(pa.array(prepared.keep)) if not prepared.keep.all() else table


def _full_date(value: Any) -> Any:
    from datetime import date

    if value.date is None or value.date[1] is None or value.date[2] is None:
        return None
    return date(*value.date)


def _name_comparison(column: str, other: str) -> Any:
    """Null, exact, swapped with the other name, Jaro-Winkler >= 0.92, same sound, Jaro-Winkler
    >= 0.8, else: the sound level catches romanisations (Mohammed / Muhammad / محمد)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    sound = column.replace("_name", "_sound")
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.ColumnsReversedLevel(column, other),
            cll.JaroWinklerLevel(column, 0.92),
            cll.ExactMatchLevel(sound),
            cll.JaroWinklerLevel(column, 0.8),
            cll.ElseLevel(),
        ],
        output_column_name=column,
    )


def _settings(link_type: Literal["dedupe_only", "link_and_dedupe"], present: set[str]) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons: list[Any] = [
        _name_comparison("given_name", "family_name"),
        _name_comparison("family_name", "given_name"),
    ]
    if "dob" in present:
        comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=False))
    elif "birth_year" in present:
        comparisons.append(cl.ExactMatch("birth_year"))
    for name in ("sex", "citizenship"):
        if name in present:
            comparisons.append(cl.ExactMatch(name))
    if "place_of_birth" in present:
        comparisons.append(cl.JaroWinklerAtThresholds("place_of_birth", [0.9, 0.8]))
    rules: list[Any] = [
        block_on("family_sound", "birth_year"),
        block_on("given_sound", "birth_year"),
        block_on("given_sound", "family_sound"),
        "l.given_sound = r.family_sound AND l.family_sound = r.given_sound",
    ]
    if "dob" in present:
        rules.append(block_on("dob"))
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=10,
    )


def _db_api(engine: str, settings: Settings | None) -> Any:
    if engine == "spark":
        from splink.backends.spark import SparkAPI

        from palermo.linkage._spark import spark_session

        api: Any = SparkAPI
        return api(spark_session=spark_session(settings), break_lineage_method="parquet")
    import duckdb
    from splink import DuckDBAPI

    return DuckDBAPI(connection=duckdb.connect())


def _train(linker: Any, present: set[str]) -> list[str]:
    """Unsupervised training; returns the notes of steps that could not run on these data."""
    from splink import block_on

    notes: list[str] = []
    deterministic = (
        [block_on("given_name", "family_name", "dob")]
        if "dob" in present
        else [block_on("given_name", "family_name", "birth_year")]
    )
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    rules = [("names", block_on("family_sound", "given_sound"))]
    rules.append(
        ("date of birth", block_on("dob")) if "dob" in present else ("birth year", block_on("birth_year"))
    )
    for label, rule in rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, fix_u_probabilities=True)
        except Exception as exc:  # Splink's own errors (no pairs under a rule, no convergence)
            notes.append(f"EM blocked on {label} did not run: {type(exc).__name__}")
    return notes


def model_report(linker: Any) -> dict[str, Any]:
    """The trained model: λ and, for each comparison level, m, u and the match weight log2(m/u)."""
    model = linker.misc.save_model_to_json()
    comparisons = []
    for comparison in model.get("comparisons", []):
        levels = []
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append(
                {
                    "level": level.get("label_for_charts") or level.get("sql_condition"),
                    "m_probability": m,
                    "u_probability": u,
                    "match_weight": None if weight is None else round(weight, 3),
                }
            )
        comparisons.append({"comparison": comparison.get("output_column_name"), "levels": levels})
    return {
        "probability_two_random_records_match": model.get("probability_two_random_records_match"),
        "comparisons": comparisons,
    }


def link_clear(
    paths: list[Path | str],
    *,
    threshold: float = 0.9,
    engine: str = "duckdb",
    clustering: str = "greedy",
    settings: Settings | None = None,
) -> LinkageResult:
    """Deduplicate one file, or link and deduplicate several, in clear text with Splink."""
    check_threshold(threshold, "threshold")
    if engine not in ENGINES:
        raise ValidationError(
            [_Problem(None, "engine", f"must be one of {', '.join(ENGINES)}")], what="linkage options"
        )
    if clustering not in CLUSTERINGS:
        raise ValidationError(
            [_Problem(None, "clustering", f"must be one of {', '.join(CLUSTERINGS)}")], what="linkage options"
        )
    if not paths:
        raise EncodedFileError("no files given")
    if len(paths) > MAX_SOURCES:
        raise EncodedFileError(f"at most {MAX_SOURCES} sources can be linked in one run, not {len(paths)}")
    started = time.perf_counter()
    schema = load_schema("default")
    sources = [source_name(Path(p)) for p in paths]
    if len(set(sources)) != len(sources):
        from palermo.errors import DuplicateSourceError

        raise DuplicateSourceError(f"two files would be the same source: {', '.join(map(str, paths))}")
    frames = [
        _frame(s, prepare(read_records(Path(p)), schema, where=str(p), skip_unnamed=True, action="link"))
        for s, p in zip(sources, paths, strict=True)
    ]
    present = {c for c in _COLUMNS if any(f.column(c).null_count < f.num_rows for f in frames)}
    logging.getLogger("splink").setLevel(logging.WARNING)
    try:
        from splink import Linker
    except ImportError:  # pragma: no cover - splink is a core dependency
        raise LinkageEngineError("clear-text linkage needs splink: pip install splink") from None
    db_api = _db_api(engine, settings)
    inputs = [
        # Splink writes display names into SQL unquoted: use safe ones, mapped back below
        db_api.register(
            f.to_pandas(), table_name=f"palermo_source_{i}", dataset_display_name=f"palermo_source_{i}"
        )
        for i, f in enumerate(frames)
    ]
    link_type: Literal["dedupe_only", "link_and_dedupe"] = (
        "dedupe_only" if len(frames) == 1 else "link_and_dedupe"
    )
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], _settings(link_type, present), log_level=None)
    notes = _train(linker, present)
    trained_s = time.perf_counter() - started
    predictions: Any = linker.inference.predict(threshold_match_probability=threshold)
    pairs = predictions.as_pandas_dataframe()
    index = {
        (f"palermo_source_{k}", r): i
        for i, (k, r) in enumerate(
            (k, r) for k, f in enumerate(frames) for r in f.column("unique_id").to_pylist()
        )
    }
    source_of = np.concatenate([np.full(f.num_rows, i, dtype=np.int64) for i, f in enumerate(frames)])
    single = ["palermo_source_0"] * len(pairs)
    left_source = pairs.get("source_dataset_l", single)
    right_source = pairs.get("source_dataset_r", single)
    a = np.array(
        [index[(s, str(r))] for s, r in zip(left_source, pairs["unique_id_l"], strict=True)], dtype=np.int64
    )
    b = np.array(
        [index[(s, str(r))] for s, r in zip(right_source, pairs["unique_id_r"], strict=True)], dtype=np.int64
    )
    low, high = np.minimum(a, b), np.maximum(a, b)
    probability = pairs["match_probability"].to_numpy(dtype=np.float64) if len(pairs) else np.zeros(0)
    if clustering == "connected":
        masks = np.zeros(len(source_of), dtype=np.int64)  # one pseudo-agency: no agency rule, no cap
        clusters = solve(masks, low, high, probability, max_duplicates=len(source_of))
    else:
        clusters = solve(source_of, low, high, probability)
    record_ids = pa.concat_arrays([f.column("unique_id").combine_chunks() for f in frames])
    parameters = {
        "clustering": clustering,
        "link_type": link_type,
        "compared_columns": sorted(present),
        "pairs_above_threshold": len(pairs),
        "model": model_report(linker),
        "notes": notes,
        "seconds": {"train": round(trained_s, 3), "total": round(time.perf_counter() - started, 3)},
    }
    return build_result(
        sources,
        [sources[s] for s in source_of.tolist()],
        record_ids,
        clusters.labels,
        size=clusters.size,
        masks=_masks(source_of, clusters.labels, clusters.count),
        links=clusters.links,
        mean_score=clusters.mean_score,
        min_score=clusters.min_score,
        kind="clear",
        engine=engine,
        threshold=threshold,
        parameters=parameters,
    )


def _masks(source_of: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Each cluster's agencies as a bit mask (recomputed: connected clustering ignores agencies)."""
    masks = np.zeros(count, dtype=np.uint64)
    np.bitwise_or.at(masks, labels, np.left_shift(np.uint64(1), source_of.astype(np.uint64)))
    return masks
