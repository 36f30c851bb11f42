"""``palermo scenario``: generate the synthetic multi-agency world and load it into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from palermo.cli._common import console, err_console, print_json, workspace
from palermo.scenario import WorldSummary, generate

app = typer.Typer(help="The synthetic multi-agency world: demo data and test bed.", no_args_is_help=True)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]persons"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def generate_with_progress(
    persons: int, seed: int, out: Path, overwrite: bool, quiet: bool = False
) -> WorldSummary:
    """Generate a world, showing a progress bar on stderr unless ``quiet``."""
    if quiet:
        return generate(persons, seed, out, overwrite=overwrite)
    with _progress_bar() as bar:
        task = bar.add_task("generate", total=persons)
        return generate(
            persons,
            seed,
            out,
            overwrite=overwrite,
            progress=lambda done, total: bar.update(task, completed=done),
        )


def print_summary(summary: WorldSummary) -> None:
    data = summary.data
    console.print(
        f"[bold]{data['persons']:,}[/] hidden persons, [bold]{data['records']:,}[/] agency records "
        f"({data['persons_never_captured']:,} persons never recorded by any agency) in {summary.out}"
    )
    table = Table("agency", "kind", "countries", "file", "records", "persons")
    for agency_id, info in data["agencies"].items():
        table.add_row(
            agency_id,
            info["kind"],
            ", ".join(info["countries"]),
            info["file"],
            f"{info['records']:,}",
            f"{info['persons']:,}",
        )
    console.print(table)


@app.command("generate")
def generate_command(
    persons: Annotated[
        int, typer.Option("--persons", "-n", min=1, help="Size of the hidden population.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed: same seed, same bytes.")] = 1,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the world into.")] = Path("world"),
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty folder, replacing files.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate a hidden population, each agency's own file, and the ground truth beside them.

    Writes OUT/agencies/ (one file per agency, each in its own format and language),
    OUT/truth/persons.parquet, OUT/truth/records.parquet, OUT/truth/summary.json and OUT/manifest.json.
    """
    summary = generate_with_progress(persons, seed, out, force, quiet=json_out)
    if json_out:
        print_json(summary.data)
    else:
        print_summary(summary)


@app.command("load")
def load_command(
    world: Annotated[Path, typer.Argument(help="Folder written by 'palermo scenario generate'.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print what was loaded as JSON.")] = False,
) -> None:
    """Load a generated world's cases into the store (the common case model), in one transaction."""
    with workspace() as ws:
        loaded = ws.scenario.load(world)
    if json_out:
        print_json(loaded)
    else:
        console.print(f"loaded dataset [bold]{loaded['dataset_id']}[/] into {loaded['store']}")
        for table, rows in loaded["tables"].items():
            console.print(f"  {table}: {rows:,}")
