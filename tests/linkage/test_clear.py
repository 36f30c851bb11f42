"""Clear-text linkage with Splink on the small world: trained model, clusters, stored run."""

from __future__ import annotations

from pathlib import Path

from palermo.linkage import evaluate, world_truth
from palermo.workspace import Workspace


def test_splink_links_the_world_in_clear_text(
    ws: Workspace, world_csvs: dict[str, Path], small_world: Path
) -> None:
    files = [world_csvs[a] for a in ("es-policia", "es-inspeccion", "eu-hotline")]
    result = ws.linkage.link_clear(files, threshold=0.9)
    assert result.kind == "clear" and result.engine == "duckdb"
    assert result.sources == ["es-policia", "es-inspeccion", "eu-hotline"]
    quality = evaluate(result.records, world_truth(small_world))
    assert quality.precision > 0.85
    assert quality.recall > 0.6
    model = result.parameters["model"]
    assert 0 < model["probability_two_random_records_match"] < 0.1
    names = {c["comparison"]: c["levels"] for c in model["comparisons"]}
    assert {"given_name", "family_name", "dob", "sex", "citizenship"} <= set(names)
    exact = names["family_name"][0]
    assert exact["level"].startswith("Exact match") and exact["match_weight"] > 5
    assert ws.linkage.run(result.run_id or "").kind == "clear"
    # a single file is deduplicated
    single = ws.linkage.link_clear([world_csvs["es-policia"]], save=False)
    assert single.sources == ["es-policia"] and single.parameters["link_type"] == "dedupe_only"
