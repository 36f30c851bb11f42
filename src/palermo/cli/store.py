"""``palermo store``: where the store is and what it holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from palermo.cli._common import console, print_json, workspace

app = typer.Typer(help="Inspect the embedded store.", no_args_is_help=True)


@app.command("info")
def info(json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show the store's path, schema version and the rows in each table."""
    with workspace() as ws:
        data = ws.info()
    if json_out:
        print_json(data)
        return
    console.print(f"store: [bold]{data['path']}[/] (schema version {data['schema_version']})")
    table = Table("table", "rows")
    for name, rows in data["tables"].items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
