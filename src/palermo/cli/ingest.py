"""``palermo ingest``: harmonise a file into the store with a mapping; mappings, suggestions, quarantine.

``palermo ingest FILE --mapping NAME_OR_PATH`` is the same as ``palermo ingest run FILE …``: a
first argument that is not a subcommand's name is taken as the file to ingest.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from palermo.cli._common import STATE, console, print_json, workspace
from palermo.errors import IngestError


class _FileFirst(TyperGroup):
    """A group whose first argument, when it names no subcommand, is the file for ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_FileFirst,
    help="Harmonise foreign files into the store with a mapping: palermo ingest FILE --mapping NAME. "
    "Rows that break a rule are quarantined, never dropped.",
    no_args_is_help=True,
)
quarantine_app = typer.Typer(
    help="Rows that broke a rule, kept in the store: list, show (where and why, never the values), retry.",
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("run")
def run_command(
    file: Annotated[
        Path, typer.Argument(help="The file to ingest (CSV/TSV, xlsx, JSON, JSON Lines, Parquet).")
    ],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping", "-m", help="A shipped mapping's name (palermo ingest mappings) or a mapping file."
        ),
    ],
    source_org: Annotated[
        str | None,
        typer.Option("--source-org", help="Organisation holding the records (default: the mapping's own)."),
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Path of the store file (same as palermo --store).")
    ] = None,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json", help='Print {"rows_read", "ingested", "quarantined", "duplicates_skipped"} only.'
        ),
    ] = False,
) -> None:
    """Ingest FILE with a mapping, all or nothing; a progress bar shows on a terminal.

    Rows read = ingested + quarantined + skipped as already ingested. Ingesting the same file again
    changes nothing.
    """
    if store is not None:
        STATE.store = store
    with workspace() as ws:
        if sys.stderr.isatty():
            bar = Progress(
                "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            with bar:
                task = bar.add_task(f"ingesting {file.name}", total=None)
                result = ws.ingest.ingest(
                    file, mapping, source_org=source_org,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )  # fmt: skip
        else:
            result = ws.ingest.ingest(file, mapping, source_org=source_org)
    if json_out:
        print_json(result.counts())
        return
    counts = result.counts()
    console.print(
        f"{file.name}: {counts['rows_read']:,} rows read, [green]{counts['ingested']:,} ingested[/], "
        f"[yellow]{counts['quarantined']:,} quarantined[/], {counts['duplicates_skipped']:,} already ingested",
        highlight=False,
    )
    if result.already_ingested:
        console.print("this file was ingested before with this mapping and organisation: nothing changed")
    else:
        console.print(
            f"mapping {result.mapping} v{result.mapping_version}; dataset {result.dataset_id}; run {result.run_id}"
        )
    if counts["quarantined"]:
        console.print(f"see why: palermo ingest quarantine list --run {result.run_id}", highlight=False)


@app.command("mappings")
def mappings_command(json_out: JsonOption = False) -> None:
    """List the shipped mappings (names for --mapping)."""
    with workspace() as ws:
        found = ws.ingest.mappings()
    if json_out:
        print_json(found)
        return
    table = Table("name", "version", "target", "title")
    for m in found:
        table.add_row(m["name"], m["version"], m["target"], m["title"])
    console.print(table)


@app.command("suggest")
def suggest_command(
    file: Annotated[Path, typer.Argument(help="The file to draft a mapping for.")],
    sample: Annotated[int, typer.Option("--sample", min=10, help="Rows read to guess from.")] = 2000,
) -> None:
    """Print a draft mapping for FILE (YAML, each guess with its confidence): palermo ingest suggest FILE > mapping.yaml"""
    with workspace() as ws:
        text = ws.ingest.suggest(file, sample_rows=sample)
    sys.stdout.write(text)


@quarantine_app.command("list")
def quarantine_list(
    run: Annotated[str | None, typer.Option("--run", help="Only this ingest run's entries.")] = None,
    all_entries: Annotated[bool, typer.Option("--all", help="Resolved entries too.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many entries.")] = 200,
    json_out: JsonOption = False,
) -> None:
    """List quarantined rows: id, file, row, and each field with the rule it broke."""
    with workspace() as ws:
        found = ws.ingest.quarantine(status=None if all_entries else "pending", run_id=run, limit=limit)
    if json_out:
        print_json([e.to_json() for e in found])
        return
    table = Table("id", "file", "row", "problems", "status", "tries")
    for e in found:
        problems = "; ".join(f"{p['field']}: {p['rule']}" for p in e.problems)
        table.add_row(
            str(e.quarantine_id),
            Path(e.source_file).name,
            str(e.source_row),
            problems,
            e.status,
            str(e.attempts),
        )
    console.print(table)
    if not found:
        console.print("the quarantine is empty" + ("" if all_entries else " (no pending entry)"))


@quarantine_app.command("show")
def quarantine_show(
    quarantine_id: Annotated[int, typer.Argument(help="The entry's id (palermo ingest quarantine list).")],
    json_out: JsonOption = False,
) -> None:
    """Show one entry: where it came from, every rule it broke, the columns it has (never their values)."""
    with workspace() as ws:
        found = ws.ingest.quarantine_entry(quarantine_id).to_json()
    if json_out:
        print_json(found)
        return
    for key in ("quarantine_id", "status", "source_file", "source_row", "mapping", "mapping_version",
                "source_org", "run_id", "attempts", "quarantined_at", "resolved_at"):  # fmt: skip
        console.print(f"{key:>16}: {found[key]}", highlight=False)
    console.print(f"{'columns':>16}: {', '.join(found['columns'])}", highlight=False)
    for p in found["problems"]:
        console.print(f"{'problem':>16}: {p['field']}: {p['rule']}", highlight=False)


def _fixes(pairs: list[str]) -> dict[str, Any]:
    fixes: dict[str, Any] = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise IngestError("--set takes COLUMN=VALUE (an empty VALUE clears the column)")
        fixes[column] = value or None
    return fixes


@quarantine_app.command("retry")
def quarantine_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Entry ids; none with --run or --all.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="Every pending entry of this run.")] = None,
    all_entries: Annotated[bool, typer.Option("--all", help="Every pending entry.")] = False,
    fix: Annotated[
        list[str] | None,
        typer.Option("--set", help="COLUMN=VALUE: the corrected source value (repeat for more)."),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping", "-m", help="Re-read with this mapping (name or file), e.g. a corrected one."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Decode rows that were not valid text with this encoding."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Re-submit quarantined rows, with fixes or a corrected mapping; those that now pass are ingested."""
    if not ids and run is None and not all_entries:
        raise IngestError("name the entries to retry: their ids, --run RUN, or --all")
    with workspace() as ws:
        result = ws.ingest.retry(
            list(ids or []) or None, fixes=_fixes(fix or []), mapping=mapping, encoding=encoding, run_id=run
        )
    if json_out:
        print_json(result.to_json())
        return
    console.print(
        f"retried {result.retried}: [green]{result.ingested} ingested[/], "
        f"[yellow]{result.still_quarantined} still quarantined[/]",
        highlight=False,
    )
