"""Record linkage across agencies without sharing identities, and clear-text linkage.

Agency side (names never leave it): :func:`encode_file` turns records into Bloom-filter
encodings (CLKs) under a :class:`LinkageSchema` and a shared secret (:func:`read_secret`).
Hub side: :func:`match_files` compares encodings (Dice, popcount), clusters the same person
across agencies and returns a :class:`LinkageResult`; ``ws.linkage.match`` also stores it as a
run. Clear text: :func:`link_clear` (Splink 5, DuckDB or Spark). Quality: :func:`evaluate`.

For estimation, a stored run's capture histories are read with
``ws.linkage.capture_histories(run_id)`` (one 0/1 column per agency and ``count``), and a
LINKS.csv with ``histories_from_links(read_links(path))``.
"""

from palermo.linkage._encode import EncodeSummary, encode_file
from palermo.linkage._evaluate import (
    Evaluation,
    evaluate,
    febrl4_inputs,
    febrl4_truth,
    read_truth_csv,
    world_truth,
)
from palermo.linkage._match import match_files
from palermo.linkage._namespace import LinkageNamespace
from palermo.linkage._result import LinkageResult, histories_from_links, read_links
from palermo.linkage._runs import LinkageRun
from palermo.linkage._schema import LinkageSchema, load_schema, shipped_schemas
from palermo.linkage._secret import Secret, read_secret
from palermo.linkage._world import world_inputs


def link_clear(*args: object, **kwargs: object) -> "LinkageResult":
    """Clear-text linkage with Splink (imported on first use); see ``palermo.linkage._clear``."""
    from palermo.linkage._clear import link_clear as _link_clear

    return _link_clear(*args, **kwargs)  # type: ignore[arg-type]


__all__ = [
    "EncodeSummary",
    "Evaluation",
    "LinkageNamespace",
    "LinkageResult",
    "LinkageRun",
    "LinkageSchema",
    "Secret",
    "encode_file",
    "evaluate",
    "febrl4_inputs",
    "febrl4_truth",
    "histories_from_links",
    "link_clear",
    "load_schema",
    "match_files",
    "read_links",
    "read_secret",
    "read_truth_csv",
    "shipped_schemas",
    "world_inputs",
    "world_truth",
]
