"""``palermo estimate``: multiple systems estimation of the hidden population, and its sensitivity."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from palermo.cli._common import console, err_console, print_json, workspace

if TYPE_CHECKING:  # palermo.estimate pulls in scipy: imported in the commands, not at CLI start-up
    from palermo.estimate import CaptureTable, EstimateNamespace, MSEResult

app = typer.Typer(
    help="Estimate how many victims no list has recorded (multiple systems estimation), and how linkage error moves it.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class Test(StrEnum):
    lr = "lr"
    wald = "wald"


class Method(StrEnum):
    aic = "aic"
    bic = "bic"
    stepwise = "stepwise"
    main = "main"


def _merges(values: list[str]) -> dict[str, list[str]]:
    """``PF,NCA`` -> {"PF+NCA": [PF, NCA]}; ``POLICE=PF,NCA`` names the merged list."""
    out: dict[str, list[str]] = {}
    for value in values:
        name, _, parts_text = value.rpartition("=")
        parts = [p.strip() for p in parts_text.replace("+", ",").split(",") if p.strip()]
        out[name.strip() or "+".join(parts)] = parts
    return out


def _source(
    ns: EstimateNamespace,
    table: Path | None,
    from_links: Path | None,
    from_linkage: str | None,
    from_scenario: Path | None,
    country: str | None,
    stratify: str | None,
    count_column: str | None,
) -> dict[str | None, CaptureTable]:
    given = [x for x in (table, from_links, from_linkage, from_scenario) if x is not None]
    if len(given) != 1:
        raise typer.BadParameter(
            "give exactly one of TABLE, --from-links, --from-linkage or --from-scenario", param_hint="TABLE"
        )
    if stratify is not None and table is None:
        raise typer.BadParameter("--stratify needs a TABLE with that column", param_hint="--stratify")
    if table is not None:
        return ns.table(table, stratify=stratify, count_column=count_column)
    if from_links is not None:
        return {None: ns.from_links(from_links)}
    if from_scenario is not None:
        if country is None:
            raise typer.BadParameter("--from-scenario needs --country (e.g. ESP)", param_hint="--country")
        return {None: ns.from_scenario(from_scenario, country)}
    assert from_linkage is not None
    with workspace() as ws:
        return {None: ws.estimate.from_linkage(from_linkage)}


def _print_result(result: MSEResult) -> None:
    lo, hi = result.interval
    upper = f"{hi:,.0f}" if hi is not None else "no upper limit"
    console.print(
        f"[bold]{result.estimate:,.0f}[/] persons estimated in total ({result.observed:,} observed, "
        f"{result.unseen:,.0f} unseen); {result.interval_method}: {lo:,.0f} to {upper}",
        highlight=False,
    )
    console.print(f"model: {result.model}  [dim]({result.selection.method})[/]", highlight=False)
    if result.table.true_population is not None:
        console.print(f"true population (synthetic world): {result.table.true_population:,}", highlight=False)
    table = Table("competing model", "estimate", "AIC", "BIC", title="best candidates")
    for c in result.selection.candidates[:5]:
        table.add_row(c.label, f"{c.estimate:,.0f}", f"{c.aic:.1f}", f"{c.bic:.1f}")
    console.print(table)
    for text in result.warnings:
        console.print(f"[yellow]![/] {text}", highlight=False)


@app.command("mse")
def mse(
    table: Annotated[
        Path | None,
        typer.Argument(
            help="Capture-history CSV: one 0/1 column per list and a count column (count, frequency or n; else the last)."
        ),
    ] = None,
    from_links: Annotated[
        Path | None,
        typer.Option("--from-links", help="Build histories from a LINKS.csv (cluster_id,source,record_id)."),
    ] = None,
    from_linkage: Annotated[
        str | None, typer.Option("--from-linkage", help="Build histories from a stored linkage run (its id).")
    ] = None,
    from_scenario: Annotated[
        Path | None,
        typer.Option("--from-scenario", help="Use a generated world's true histories (with --country)."),
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="Country of the world (e.g. ESP).")] = None,
    stratify: Annotated[
        str | None,
        typer.Option("--stratify", help="Column of TABLE to estimate by group (sex, age group ...)."),
    ] = None,
    count_column: Annotated[
        str | None, typer.Option("--count-column", help="Name of the count column.")
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="Model choice: aic or bic (exhaustive over two-way interactions; all models up to 6 lists, about 20 s for 6), stepwise (forward by AIC with a test, fast), main (main effects only).",
        ),
    ] = Method.aic,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Fit this model instead of choosing one, e.g. 'LA:NG,PF:NCA'."),
    ] = None,
    merge: Annotated[
        list[str] | None,
        typer.Option(
            "--merge", help="Merge lists before estimating, e.g. 'PF,NCA' or 'POLICE=PF,NCA' (repeatable)."
        ),
    ] = None,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap", min=0, help="Parametric bootstrap replicates (0: profile likelihood only)."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the bootstrap.")] = 0,
    reselect: Annotated[
        bool | None,
        typer.Option(
            "--reselect/--no-reselect",
            help="Choose the model again in every bootstrap replicate (default: yes, unless the exhaustive search is large).",
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option("--confidence", min=0.5, max=0.999, help="Confidence level.")
    ] = 0.95,
    p_threshold: Annotated[
        float,
        typer.Option(
            "--p-threshold", min=0.0, max=1.0, help="Stepwise: p-value an added interaction must beat."
        ),
    ] = 0.05,
    test: Annotated[
        Test,
        typer.Option(
            "--test",
            help="Stepwise: test of an added interaction, lr (likelihood ratio) or wald (as the published UK method).",
        ),
    ] = Test.lr,
    json_out: JsonOption = False,
) -> None:
    """Estimate the total population (observed plus unseen) from how the lists overlap.

    Prints the estimate, its interval, the model chosen, the competing models, and warnings for a
    policy reader. With --json: {"observed", "estimate", "interval", "model", "warnings", ...}.
    """
    from palermo.estimate import EstimateNamespace

    ns = EstimateNamespace()
    tables = _source(ns, table, from_links, from_linkage, from_scenario, country, stratify, count_column)
    result = ns.mse(
        tables,
        stratify=stratify,
        method=method.value,
        model=model,
        merge=_merges(merge or []),
        level=confidence,
        bootstrap=bootstrap,
        seed=seed,
        reselect=reselect,
        p_threshold=p_threshold,
        test=test.value,
    )
    if json_out:
        print_json(result.to_dict())
        return
    from palermo.estimate import StratifiedResult

    if isinstance(result, StratifiedResult):
        lo, hi = result.interval
        upper = f"{hi:,.0f}" if hi is not None else "no upper limit"
        console.print(
            f"[bold]{result.estimate:,.0f}[/] in total over {len(result.strata)} groups of {result.covariate} "
            f"({result.observed:,} observed), interval {lo:,.0f} to {upper}",
            highlight=False,
        )
        for name, part in result.strata.items():
            console.rule(f"{result.covariate} = {name}")
            _print_result(part)
        return
    _print_result(result)


def _rates(text: str) -> list[float]:
    try:
        rates = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(
            "rates are fractions separated by commas, e.g. 0,0.05,0.1", param_hint="--rates"
        ) from None
    if not rates or any(not 0 <= r < 1 for r in rates):
        raise typer.BadParameter("each rate must be at least 0 and below 1", param_hint="--rates")
    return sorted(set(rates))


def _thresholds(text: str) -> list[float]:
    try:
        values = sorted({float(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise typer.BadParameter(
            "thresholds are numbers separated by commas, e.g. 0.7,0.8,0.9", param_hint="--thresholds"
        ) from None
    if not values or any(not 0 < v < 1 for v in values):
        raise typer.BadParameter("each threshold must be between 0 and 1", param_hint="--thresholds")
    return values


@app.command("sensitivity")
def sensitivity(
    world: Annotated[
        Path | None,
        typer.Argument(help="A generated world folder (default: generate a small one with --persons)."),
    ] = None,
    country: Annotated[
        str, typer.Option("--country", help="Country of the world whose lists to use.")
    ] = "ESP",
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG file to write the plot to.")] = Path(
        "estimate-sensitivity.png"
    ),
    rates: Annotated[
        str, typer.Option("--rates", help="Linkage error rates, comma-separated fractions.")
    ] = "0,0.05,0.1,0.15,0.2,0.3",
    replicates: Annotated[int, typer.Option("--replicates", min=1, help="Seeded draws per error rate.")] = 10,
    persons: Annotated[
        int, typer.Option("--persons", min=100, help="Size of the world generated when no WORLD is given.")
    ] = 5000,
    world_seed: Annotated[int, typer.Option("--world-seed", min=0, help="Seed of the generated world.")] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the linkage errors.")] = 0,
    method: Annotated[Method, typer.Option("--method", help="Model choice, as for 'mse'.")] = Method.aic,
    thresholds: Annotated[
        str,
        typer.Option(
            "--thresholds",
            help="Also link the country's agencies for real (Bloom filters) at these match thresholds; 'none' to skip.",
        ),
    ] = "0.7,0.75,0.8,0.85,0.9,0.95",
    json_out: JsonOption = False,
) -> None:
    """Plot how the estimate moves when linkage misses true links or merges different persons.

    Starts from a synthetic world's true capture histories (the hidden population is known), drops a
    share of the true cross-agency links (missed links) or joins random pairs of persons
    (over-merges), and estimates again at each rate. With --thresholds it also encodes the
    agencies' own files, links them at each match threshold with palermo.linkage, and estimates
    from each run, against the estimate from the true links.
    """
    from palermo.estimate import EstimateNamespace

    ns = EstimateNamespace()
    with tempfile.TemporaryDirectory(prefix="palermo-sensitivity-") as tmp:
        if world is None:
            from palermo.scenario import generate

            world = Path(tmp) / "world"
            err_console.print(f"generating a world of {persons:,} persons (seed {world_seed}) ...")
            generate(persons, world_seed, world)
        result = ns.sensitivity(
            world,
            country=country,
            out=out,
            rates=_rates(rates),
            replicates=replicates,
            seed=seed,
            method=method.value,
            thresholds=None if thresholds.strip().lower() in ("", "none") else _thresholds(thresholds),
        )
    if json_out:
        print_json(result.to_dict())
        return
    console.print(
        f"plot written to [bold]{result.plot}[/]; true population {result.true_population:,}", highlight=False
    )
    table = Table("error", "rate", "observed", "estimate", "interval", "holds truth")
    for p in result.points:
        upper = f"{p.upper:,.0f}" if p.upper is not None else "-"
        table.add_row(
            p.kind,
            f"{p.rate:.0%}",
            f"{p.observed:,.0f}",
            f"{p.estimate:,.0f}",
            f"{p.lower:,.0f} to {upper}",
            f"{p.holds_truth:.0%}",
        )
    console.print(table)
    if result.thresholds:
        real = result.thresholds
        console.print(
            f"real linkage of {', '.join(real.agencies)}: with the true links {real.true_persons:,} persons, "
            f"estimate {real.true_estimate:,.0f}",
            highlight=False,
        )
        links = Table("threshold", "precision", "recall", "persons", "estimate")
        for q in real.points:
            shown = f"{q.estimate:,.0f}" if q.estimate is not None else (q.problem or "-")
            links.add_row(
                f"{q.threshold:.2f}", f"{q.precision:.2f}", f"{q.recall:.2f}", f"{q.persons:,}", shown
            )
        console.print(links)


@app.command("coverage")
def coverage(
    worlds: Annotated[int, typer.Option("--worlds", min=1, help="Number of seeded worlds.")] = 50,
    persons: Annotated[int, typer.Option("--persons", min=100, help="Hidden persons per world.")] = 3000,
    first_seed: Annotated[int, typer.Option("--first-seed", min=0, help="Seed of the first world.")] = 0,
    method: Annotated[Method, typer.Option("--method", help="Model choice, as for 'mse'.")] = Method.aic,
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", min=0, help="Bootstrap replicates per estimate (0: profile likelihood)."),
    ] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="PNG file for the plot of the intervals.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """How often the interval holds the true population, over many small seeded worlds."""
    from palermo.estimate import EstimateNamespace

    result = EstimateNamespace().coverage(
        worlds, persons=persons, first_seed=first_seed, method=method.value, bootstrap=bootstrap, out=out
    )
    data = result.to_dict()
    if json_out:
        print_json(data)
        return
    console.print(
        f"[bold]{data['coverage']:.0%}[/] of {data['estimates']} intervals ({data['interval']}) hold the true population; "
        f"truth below {data['truth_below_interval']}, above {data['truth_above_interval']}; "
        f"mean relative error {data['mean_relative_error']:+.1%}",
        highlight=False,
    )
    if result.plot:
        console.print(f"plot written to [bold]{result.plot}[/]", highlight=False)
