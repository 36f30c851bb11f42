"""Root Typer app: global options, sub-apps, and the one place user errors become exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from palermo._version import __version__
from palermo.cli import demo as demo_cli
from palermo.cli import estimate as estimate_cli
from palermo.cli import ingest as ingest_cli
from palermo.cli import link as link_cli
from palermo.cli import publish as publish_cli
from palermo.cli import scenario as scenario_cli
from palermo.cli import screen as screen_cli
from palermo.cli import store as store_cli
from palermo.cli import vocab as vocab_cli
from palermo.cli._common import STATE
from palermo.errors import PalermoError

app = typer.Typer(
    name="palermo",
    help="Palermo: identify, harmonise, link, estimate and publish safely, against trafficking and smuggling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(store_cli.app, name="store")
app.add_typer(vocab_cli.app, name="vocab")
app.add_typer(screen_cli.app, name="screen")
app.add_typer(estimate_cli.app, name="estimate")
app.add_typer(link_cli.app, name="link")
app.add_typer(ingest_cli.app, name="ingest")
app.add_typer(publish_cli.app, name="release")
app.command("publish")(publish_cli.publish)
app.command("demo")(demo_cli.demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"palermo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Path of the store file (default: $PALERMO_HOME/palermo.duckdb, else ./.palermo/palermo.duckdb).",
            envvar="PALERMO_STORE",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Palermo's command line. Every command has --help."""
    STATE.store = store


def main(argv: list[str] | None = None) -> None:
    """Entry point. Usage errors exit 2 with the usage line; a PalermoError prints one line and exits 2."""
    try:
        app(args=argv, prog_name="palermo")
    except PalermoError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
