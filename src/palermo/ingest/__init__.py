"""Mapping-driven harmonisation of foreign files into the store, with quarantine.

Every agency keeps cases in its own spreadsheet or system. A mapping (YAML, one per source layout:
docs/ingest.md documents every key) says where each column goes in the common case model, how its
codes, dates, countries, flags, ages and missing values are written, and what to derive. The
ingest streams the file (CSV of any delimiter and encoding, xlsx, JSON, JSON Lines, Parquet),
writes every row that passes into the store, keeps every other row in quarantine with its file,
row, field and rule, and records where each record came from. Nothing is dropped silently:
rows read = ingested + quarantined + skipped as already ingested.

Public names::

    IngestNamespace     ws.ingest: ingest, mappings, mapping, suggest, runs, quarantine,
                        quarantine_entry, retry, remove_dataset
    IngestResult        what one ingest did (counts() is the CLI's --json)
    Mapping, FieldSpec  a checked mapping and one of its column specs
    QuarantineEntry, RetryResult
    load_mapping, shipped_names   mappings by name or path; the names shipped
"""

from palermo.ingest._namespace import IngestNamespace
from palermo.ingest._pipeline import IngestResult, Progress
from palermo.ingest._quarantine import QuarantineEntry, RetryResult
from palermo.ingest._shipped import load_mapping, shipped_names
from palermo.ingest._spec import FieldSpec, Mapping

__all__ = [
    "FieldSpec",
    "IngestNamespace",
    "IngestResult",
    "Mapping",
    "Progress",
    "QuarantineEntry",
    "RetryResult",
    "load_mapping",
    "shipped_names",
]
