"""``palermo demo``: build the demo world into the store and show what the platform holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from palermo.cli._common import console, workspace
from palermo.cli.scenario import generate_with_progress, print_summary

if TYPE_CHECKING:
    from palermo.workspace import Workspace

# The demo's private-linkage settings: the best pairwise F1 on the demo world (threshold 0.85,
# within-agency 0.9, fields an agency does not collect left out of Dice); see docs/linkage.md.
DEMO_LINK: dict[str, Any] = {"threshold": 0.85, "within_threshold": 0.9, "missing": "fields"}


def demo(
    persons: Annotated[
        int, typer.Option("--persons", "-n", min=100, help="Hidden persons in the demo world.")
    ] = 5_000,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")] = 2000,
) -> None:
    """Generate the demo world, ingest its agency files into the embedded store, link the agencies
    in Spain privately, estimate the hidden population and print a summary."""
    from palermo.estimate import estimate as mse_estimate  # scipy: loaded only when the demo runs

    with workspace() as ws:
        out = ws.settings.home / "demo-world"
        console.print(Panel.fit("Palermo demo: a synthetic multi-agency world (every person is invented)"))
        summary = generate_with_progress(persons, seed, out, overwrite=True)
        print_summary(summary)
        loaded = ws.scenario.load(out, replace=True)
        info = ws.info()
        truth = summary.data["countries"]["ESP"]
        linked = _link_privately(ws, out, list(truth["lists"]))
        true_estimate = mse_estimate(ws.estimate.from_scenario(out, "ESP"))
        linked_estimate = mse_estimate(ws.estimate.from_linkage(linked["run_id"]))
        released = _publish_public(ws)
    console.print(
        f"\nread {loaded['rows_read']:,} agency records through the ingest (one mapping per agency): "
        f"{loaded['ingested']:,} ingested, {loaded['quarantined']:,} quarantined"
    )
    console.print(f"loaded dataset [bold]{loaded['dataset_id']}[/] into the store:")
    for table, rows in info["tables"].items():
        if rows:
            console.print(f"  {table:<24} {rows:>10,}")
    _print_linkage(linked)
    console.print(f"\nmultiple systems estimation, Spain ({', '.join(truth['lists'])}):")
    for label, estimate in (
        (f"from the private linkage (run {linked['run_id']})", linked_estimate),
        ("from the world's true links", true_estimate),
    ):
        low, high = estimate.interval
        upper = f"{high:,.0f}" if high is not None else "no upper bound"
        console.print(
            f"  {label}: {estimate.observed:,} observed, estimated [bold]{estimate.estimate:,.0f}[/] "
            f"(95% interval {low:,.0f} to {upper}), model {estimate.model}"
        )
    console.print(
        f"  the world's true population there is {truth['persons']:,}; linkage errors move the estimate "
        "(palermo estimate sensitivity shows by how much)"
    )
    _print_release(released)
    console.print(f"\nstore: [bold]{info['path']}[/] (schema version {info['schema_version']})")
    console.print(
        "next: palermo store info · palermo release list · palermo ingest quarantine list · palermo --help"
    )


def _link_privately(ws: Workspace, world: Path, agencies: list[str]) -> dict[str, Any]:
    """Each agency encodes its own records under the project secret; the hub matches the
    encodings (no name leaves an agency) and the run is stored. The previous demo run is replaced."""
    from palermo.linkage import world_inputs, world_truth

    work = ws.settings.home / "demo-link"
    previous = work / "run_id"
    if previous.exists():
        stale = previous.read_text(encoding="utf-8").strip()
        if stale in {run.run_id for run in ws.linkage.runs()}:
            ws.linkage.delete_run(stale)
    inputs = world_inputs(world, work / "agencies", agencies=agencies)
    key = ws.linkage.keygen(work / "project.key", overwrite=True)
    encoded: list[Path | str] = []
    for agency in agencies:
        target = work / "encoded" / f"{agency}.parquet"
        ws.linkage.encode(inputs[agency], target, secret_file=key, skip_unnamed=True)
        encoded.append(target)
    result = ws.linkage.match(encoded, **DEMO_LINK)
    assert result.run_id is not None
    previous.write_text(result.run_id, encoding="utf-8")
    quality = ws.linkage.evaluate(result.records, world_truth(world))
    return {**result.summary(), "quality": quality.to_dict()}


def _print_linkage(linked: dict[str, Any]) -> None:
    sources: list[str] = linked["sources"]
    quality = linked["quality"]
    console.print(
        f"\nprivate linkage of the agencies in Spain (Bloom-filter encodings, no name leaves an agency; "
        f"threshold {linked['threshold']}): {linked['records']:,} records in {linked['clusters']:,} persons"
    )
    table = Table("persons recorded by", *sources, title="overlap between agencies (linked persons)")
    for source in sources:
        table.add_row(source, *(f"{linked['overlaps'][source][other]:,}" for other in sources))
    console.print(table)
    console.print(
        f"against the world's truth: precision {quality['precision']:.3f}, recall {quality['recall']:.3f}, "
        f"F1 {quality['f1']:.3f}"
    )


def _publish_public(ws: Workspace) -> dict[str, Any]:
    """The public release of the demo data, in a folder named after the data it is computed from: a
    second demo of the same world returns the release already made (no budget spent). The ledger's
    refusal (budget spent, or a release of other data that differencing would expose) is shown."""
    from palermo.disclosure._source import data_version
    from palermo.errors import DisclosureError

    version = data_version(ws.disclosure.microdata())
    out = ws.settings.home / "demo-releases" / f"public-{version[:12]}"
    try:
        return ws.disclosure.publish("public", out).to_dict()
    except DisclosureError as exc:
        return {"refused": str(exc)}


def _print_release(released: dict[str, Any]) -> None:
    if "refused" in released:
        console.print(f"\npublic release refused by the release ledger: {released['refused']}")
        return
    verb = "the same data was already published as" if released["reused"] else "published"
    console.print(
        f"\npublic release (profile public: cells under 10 suppressed, DP synthetic microdata): {verb} "
        f"[bold]{released['release']}[/] into {released['out']}"
    )
    min_cell = released["min_cell"] if released["min_cell"] is not None else "none"
    console.print(
        f"  {released['tables']} outputs, {released['records_suppressed']:,} records in suppressed cells, "
        f"smallest published cell {min_cell}, epsilon spent {released['epsilon_spent']:.3g} "
        "(manifest.json lists every file with its SHA-256; risk-report.md explains the rules)"
    )
