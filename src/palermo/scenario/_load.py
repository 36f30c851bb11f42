"""Load a generated world into the store: each agency's file through the ingest, in one transaction.

Every agency file is read as that agency wrote it, through its shipped ingest mapping
(``scenario-<agency id>``, in ``palermo/ingest/data/mappings``), exactly as a real agency's export
would be: codes, dates (Buddhist Era included), countries in Spanish or French, "NOM Prénom" names,
missing-value conventions, noise and all. Each record becomes a case held by that agency's
organisation, with a person of its own (agencies do not share person ids: finding the same person
across agencies is the linkage capability's job), and a row that breaks a rule goes to the ingest
quarantine rather than being dropped.

Nothing is taken from the ground truth: an attribute no agency file holds (the transit route, the
date of recruitment, the age when trafficked) stays in ``truth/*.parquet`` for the capabilities
that measure themselves against it (linkage, estimation).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.errors import ScenarioError, UnknownMappingError
from palermo.scenario._files import read_summary
from palermo.scenario._params import load_world

if TYPE_CHECKING:
    from palermo.workspace import Workspace

MAPPING_PREFIX = "scenario-"
"""The ingest mapping of agency ``X`` is the shipped mapping ``scenario-X``."""


def _verify(world_dir: Path) -> str:
    """Check every file against the manifest; returns the manifest's own hash."""
    path = world_dir / "manifest.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{world_dir} is not a generated world (no manifest.json)") from None
    manifest = json.loads(raw)
    for rel, expected in manifest["files"].items():
        digest = hashlib.sha256()
        try:
            with (world_dir / rel).open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except FileNotFoundError:
            raise ScenarioError(f"world {world_dir}: file {rel} is missing") from None
        if digest.hexdigest() != expected:
            raise ScenarioError(f"world {world_dir}: file {rel} changed since it was generated")
    return hashlib.sha256(raw).hexdigest()


def load(
    ws: Workspace, world_dir: Path | str, *, replace: bool = False, world_file: Path | None = None
) -> dict[str, Any]:
    """Ingest a generated world's agency files; returns the dataset id, rows per table and counts."""
    world_dir = Path(world_dir)
    summary = read_summary(world_dir)
    content_hash = _verify(world_dir)
    world = load_world(world_file)
    if set(summary["agencies"]) != {a.id for a in world.agencies}:
        raise ScenarioError(f"world {world_dir} was not generated from this world description")
    dataset_id = f"scenario-{summary['world']}-s{summary['seed']}-n{summary['persons']}-{content_hash[:10]}"
    source = str(world_dir.resolve())
    store = ws.store
    existing = [
        r[0]
        for r in store.execute(
            "SELECT dataset_id FROM datasets WHERE dataset_id = ? OR (kind = 'scenario' AND source = ?)",
            [dataset_id, source],
        ).fetchall()
    ]
    if existing and not replace:
        raise ScenarioError(f"dataset {existing[0]} is already in the store; load with replace to reload it")
    tables: dict[str, int] = {}
    counts = {"rows_read": 0, "ingested": 0, "quarantined": 0, "duplicates_skipped": 0}
    with store.transaction():
        for old in existing:
            ws.ingest.remove_dataset(old)
            store.execute("DELETE FROM datasets WHERE dataset_id = ?", [old])
        details = {"world": summary["world"], "seed": summary["seed"], "persons": summary["persons"]}
        store.execute(
            "INSERT INTO datasets (dataset_id, kind, source, content_hash, details) VALUES (?, 'scenario', ?, ?, ?)",
            [dataset_id, source, content_hash, json.dumps(details)],
        )
        for agency in world.agencies:
            path = world_dir / summary["agencies"][agency.id]["file"]
            try:
                mapping = ws.ingest.mapping(MAPPING_PREFIX + agency.id)
            except UnknownMappingError:
                raise ScenarioError(
                    f"agency '{agency.id}' has no ingest mapping '{MAPPING_PREFIX}{agency.id}'"
                ) from None
            result = ws.ingest.ingest(
                path, mapping, source_org=agency.id, dataset_id=dataset_id, dataset_kind="scenario"
            )
            for key, value in result.counts().items():
                counts[key] += value
            for table, rows in result.tables.items():
                tables[table] = tables.get(table, 0) + rows
    return {"dataset_id": dataset_id, "store": str(ws.path), "replaced": existing, "tables": tables, **counts}
