"""``palermo publish`` and ``palermo release``: disclosure-controlled releases and their ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.table import Table

from palermo.cli._common import console, print_json, workspace
from palermo.errors import NotFoundError, UnsupportedFormatError

app = typer.Typer(
    help="The release ledger: releases made, the privacy budget, release profiles, disclosure risk.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def publish(
    profile: Annotated[
        str,
        typer.Option(
            "--profile", "-p", help="Release profile: public, partners, research, or a profile YAML file."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the release into (new or empty).")
    ],
    threshold: Annotated[
        int | None,
        typer.Option("--threshold", help="Replace the profile's cell threshold (at least 2)."),
    ] = None,
    epsilon_scale: Annotated[
        float | None,
        typer.Option("--epsilon-scale", help="Multiply each epsilon of the profile by this factor."),
    ] = None,
    reuse: Annotated[
        bool,
        typer.Option(
            "--reuse/--no-reuse",
            help="Return the identical earlier release (same profile, same data) instead of spending budget again.",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Publish a release: tables with small cells suppressed, k-anonymous or differentially private
    microdata, a risk report and a manifest, recorded in the release ledger. Nothing is written when
    any rule refuses the release."""
    with workspace() as ws:
        if as_json or not console.is_terminal:
            result = ws.disclosure.publish(
                profile, out, threshold=threshold, epsilon_scale=epsilon_scale, reuse=reuse
            )
        else:
            with console.status(f"computing and checking the '{profile}' release"):
                result = ws.disclosure.publish(
                    profile, out, threshold=threshold, epsilon_scale=epsilon_scale, reuse=reuse
                )
    summary = result.to_dict()
    if as_json:
        print_json(summary)
        return
    verb = "already published as" if result.reused else "published"
    console.print(f"{verb} release [bold]{summary['release']}[/] (profile {summary['profile']}) into {out}")
    console.print(
        f"  {summary['tables']} outputs, {summary['records_suppressed']:,} records suppressed, smallest "
        f"published cell {summary['min_cell'] if summary['min_cell'] is not None else 'none'}, "
        f"epsilon spent {summary['epsilon_spent']:.4g}"
    )
    console.print(f"  read {out / 'risk-report.md'} and {out / 'manifest.json'}")


@app.command("list")
def list_releases(as_json: JsonOption = False) -> None:
    """Every release in the ledger, oldest first."""
    with workspace() as ws:
        records = [r.to_dict() for r in ws.disclosure.releases()]
    if as_json:
        print_json(records)
        return
    if not records:
        console.print("no release yet (palermo publish --profile public --out DIR)")
        return
    table = Table("release", "created", "profile", "outputs", "suppressed", "min cell", "epsilon", "folder")
    for r in records:
        table.add_row(
            r["release"],
            r["created_at"],
            r["profile"],
            str(r["tables"]),
            f"{r['records_suppressed']:,}",
            str(r["min_cell"] if r["min_cell"] is not None else "-"),
            f"{r['epsilon_spent']:.4g}",
            r["out_dir"],
        )
    console.print(table)


@app.command("show")
def show(
    release_id: Annotated[str, typer.Argument(help="Release id (palermo release list).")],
    as_json: JsonOption = False,
) -> None:
    """One release: its ledger record and its outputs with their parameters and budget."""
    with workspace() as ws:
        record = ws.disclosure.release(release_id)
    if as_json:
        print_json(record)
        return
    for key in ("release", "created_at", "profile", "audience", "data_version", "records", "out_dir"):
        console.print(f"{key:<14} {record[key]}")
    table = Table("output", "kind", "columns", "epsilon", "delta")
    for q in record["queries"]:
        table.add_row(
            q["name"], q["kind"], ", ".join(q["columns"]), f"{q['epsilon']:.4g}", f"{q['delta']:.3g}"
        )
    console.print(table)


@app.command("budget")
def budget(as_json: JsonOption = False) -> None:
    """The privacy budget of the store: total, spent by every release, left."""
    with workspace() as ws:
        state = ws.disclosure.budget().to_dict()
    if as_json:
        print_json(state)
        return
    console.print(
        f"epsilon: {state['epsilon_spent']:.4g} spent of {state['epsilon_total']:.4g}, "
        f"{state['epsilon_left']:.4g} left ({state['releases']} releases)"
    )
    console.print(
        f"delta:   {state['delta_spent']:.3g} spent of {state['delta_total']:.3g}, {state['delta_left']:.3g} left"
    )


@app.command("profiles")
def profiles(as_json: JsonOption = False) -> None:
    """The shipped release profiles: audience, outputs and the rules they obey."""
    with workspace() as ws:
        found = ws.disclosure.profiles()
    if as_json:
        print_json({name: p.model_dump() for name, p in found.items()})
        return
    for name, p in found.items():
        tables = p.tables
        console.print(f"[bold]{name}[/] — for {p.audience}")
        console.print(f"  {p.description}")
        if tables is not None:
            console.print(f"  tables: {len(tables.items)}, cells under {tables.threshold} suppressed")
        for m in p.microdata:
            console.print(f"  microdata {m.name}: k = {m.k} over {', '.join(m.quasi_identifiers)}")
        for q in p.dp_counts:
            console.print(f"  DP counts {q.name}: epsilon {q.epsilon:g} by {', '.join(q.by)}")
        for s in p.synthetic:
            console.print(
                f"  DP synthetic {s.name}: epsilon {s.epsilon:g}, reporting length {s.reporting_length}"
            )


@app.command("risk")
def risk(
    quasi_identifiers: Annotated[
        list[str],
        typer.Option("--qi", "-q", help="A quasi-identifier column (repeat the option for each)."),
    ],
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", help="A CSV or Parquet table to assess instead of the release microdata."
        ),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="The k the report measures against.")] = 11,
    sensitive: Annotated[
        list[str] | None, typer.Option("--sensitive", "-s", help="A sensitive attribute for l-diversity.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Disclosure risk over the quasi-identifiers: k achieved, records in small classes, sample
    uniques, l-diversity and re-identification risk, as a report a data-protection officer can read."""
    data = None
    if file is not None:
        data = _read_table(file)
    with workspace() as ws:
        report = ws.disclosure.risk(quasi_identifiers, data=data, k=k, sensitive=sensitive or ())
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(report.to_markdown(), markup=False, highlight=False)


def _read_table(path: Path) -> pa.Table:
    """A CSV (every column read as text, so codes such as 01 keep their form) or Parquet table."""
    import pyarrow.parquet as pq

    from palermo.disclosure._source import read_text_csv

    if not path.is_file():
        raise NotFoundError(f"no file at {path}")
    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    if path.suffix.lower() in {".csv", ".txt"}:
        return read_text_csv(path)
    raise UnsupportedFormatError(f"{path.name}: give a .csv or .parquet file")
