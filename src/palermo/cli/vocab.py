"""``palermo vocab``: look up, normalise, compare and export the concept scheme."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from palermo.cli._common import console, print_json, workspace

app = typer.Typer(
    help="The concept scheme: show a concept, search, normalise free text, compare definitions, export SKOS or CSV.",
    no_args_is_help=True,
)

LangOption = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="Language of the text: en, fr, es, ar, ru or zh (tried first)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class ExportFormat(StrEnum):
    turtle = "turtle"
    jsonld = "jsonld"
    csv = "csv"


@app.command("show")
def show(
    id_or_term: Annotated[str, typer.Argument(help="A concept id, or a term in any label language.")],
    lang: LangOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show one concept: labels, links, definitions with their sources, and codes in other standards."""
    with workspace() as ws:
        concept = ws.vocab.resolve(id_or_term, lang)
        scheme = ws.vocab.scheme
        narrower = [c.id for c in scheme.narrower(concept.id)]
        codes = ws.vocab.codes(concept.id)
    if json_out:
        print_json({**concept.to_dict(), "narrower": narrower, "codes": codes})
        return
    console.print(f"[bold]{concept.id}[/]  {concept.label}", highlight=False)
    for lang_code, text in concept.pref_label.items():
        alts = ", ".join(concept.alt_labels.get(lang_code, ()))
        console.print(
            f"  {lang_code}: {text}" + (f"  [dim](also: {alts})[/]" if alts else ""), highlight=False
        )
    for name, ids in (("broader", concept.broader), ("narrower", narrower), ("related", concept.related)):
        if ids:
            console.print(f"  {name}: {', '.join(ids)}", highlight=False)
    for d in concept.definitions:
        where = f", {d.locator}" if d.locator else ""
        flag = "" if d.verified else " [yellow]unverified[/]"
        console.print(f"\n  [bold]{d.source}[/]{where} ({d.kind}){flag}", highlight=False)
        console.print(f"  {d.text}", highlight=False)
    if concept.scope_note.get("en"):
        console.print(f"\n  [bold]scope note[/]: {concept.scope_note['en']}", highlight=False)
    if codes:
        console.print(f"\n  codes: {'; '.join(codes)}", highlight=False)


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Text to look for in the labels.")],
    lang: LangOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Most results to show.")] = 10,
    json_out: JsonOption = False,
) -> None:
    """Concepts whose labels resemble TEXT, best first."""
    with workspace() as ws:
        matches = ws.vocab.search(text, lang, limit)
    if json_out:
        print_json([{**m.to_json(), "label": m.label, "lang": m.lang} for m in matches])
        return
    table = Table("score", "concept", "label", "matched")
    for m in matches:
        table.add_row(f"{m.score:.2f}", m.concept.id, m.concept.label, f"{m.label} ({m.lang})")
    console.print(table)


@app.command("normalise")
def normalise(
    text: Annotated[str, typer.Argument(help="Free text to map to a concept.")],
    lang: LangOption = None,
    json_out: JsonOption = False,
) -> None:
    """Map TEXT to the best concept, or say there is no match (never a guess below the threshold)."""
    with workspace() as ws:
        match = ws.vocab.normalise(text, lang)
    if json_out:
        print_json(match.to_json() if match is not None else {"concept": None})
        return
    if match is None:
        console.print("no match")
    else:
        console.print(
            f"{match.concept.id}  {match.concept.label}  (score {match.score:.2f})", highlight=False
        )


@app.command("divergences")
def divergences(
    id_or_term: Annotated[str, typer.Argument(help="A concept id, or a term in any label language.")],
    lang: LangOption = None,
    json_out: JsonOption = False,
) -> None:
    """Each source's definition of a concept, side by side, to show where readings differ."""
    with workspace() as ws:
        view = ws.vocab.divergences(id_or_term, lang)
    if json_out:
        print_json(view.to_dict())
        return
    table = Table(title=f"{view.concept.id}: {view.concept.label}", show_lines=True)
    for r in view.readings:
        table.add_column(f"{r.source.publisher}, {r.source.date[:4]}\n{r.definition.locator or ''}")
    table.add_row(
        *(r.definition.text + ("" if r.definition.verified else "\n(unverified)") for r in view.readings)
    )
    console.print(table)
    if view.scope_note:
        console.print(f"[bold]where usage differs[/]: {view.scope_note}", highlight=False)


@app.command("export")
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", case_sensitive=False, help="turtle, jsonld or csv.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export the scheme as SKOS (Turtle or JSON-LD) or as CSV for spreadsheets."""
    with workspace() as ws:
        text = ws.vocab.export(fmt.value, output)
    if output is None:
        typer.echo(text, nl=False)
    else:
        console.print(f"wrote {output}")


@app.command("check")
def check(
    path: Annotated[
        Path | None, typer.Argument(help="A custom scheme file to check (default: the built-in scheme).")
    ] = None,
) -> None:
    """Check a custom scheme file (or the built-in scheme) and the SKOS integrity of the result."""
    from palermo.errors import SchemeIntegrityError

    with workspace() as ws:
        if path is not None:
            ws.vocab.load(path)
        problems = ws.vocab.check()
        count = len(ws.vocab.scheme)
    if problems:
        raise SchemeIntegrityError(problems, what="concept scheme")
    console.print(f"ok: {count} concepts pass the file rules and the SKOS integrity check")
