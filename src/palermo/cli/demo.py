"""``palermo demo``: build the demo world into the store and show what the platform holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel

from palermo.cli._common import console, workspace
from palermo.cli.scenario import generate_with_progress, print_summary


def demo(
    persons: Annotated[
        int, typer.Option("--persons", "-n", min=100, help="Hidden persons in the demo world.")
    ] = 5_000,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")] = 2000,
) -> None:
    """Generate the demo world, ingest its agency files into the embedded store and print a summary."""
    from palermo.estimate import estimate as mse_estimate  # scipy: loaded only when the demo runs

    with workspace() as ws:
        out = ws.settings.home / "demo-world"
        console.print(Panel.fit("Palermo demo: a synthetic multi-agency world (every person is invented)"))
        summary = generate_with_progress(persons, seed, out, overwrite=True)
        print_summary(summary)
        loaded = ws.scenario.load(out, replace=True)
        info = ws.info()
        estimate = mse_estimate(ws.estimate.from_scenario(out, "ESP"))
        truth = summary.data["countries"]["ESP"]
    console.print(
        f"\nread {loaded['rows_read']:,} agency records through the ingest (one mapping per agency): "
        f"{loaded['ingested']:,} ingested, {loaded['quarantined']:,} quarantined"
    )
    console.print(f"loaded dataset [bold]{loaded['dataset_id']}[/] into the store:")
    for table, rows in info["tables"].items():
        if rows:
            console.print(f"  {table:<24} {rows:>10,}")
    low, high = estimate.interval
    upper = f"{high:,.0f}" if high is not None else "no upper bound"
    console.print(
        f"\nmultiple systems estimation, Spain ({', '.join(truth['lists'])}), from the world's true links "
        f"(the demo does not link the agencies' files yet): {estimate.observed:,} observed, estimated "
        f"[bold]{estimate.estimate:,.0f}[/] (95% interval {low:,.0f} to {upper}), model {estimate.model}; "
        f"the world's true population there is {truth['persons']:,}"
    )
    console.print(f"\nstore: [bold]{info['path']}[/] (schema version {info['schema_version']})")
    console.print("next: palermo store info · palermo ingest quarantine list · palermo --help")
