"""``palermo screen``: indicators, assess a screening file, interview a person, a case's history."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from palermo.cli._common import console, print_json, workspace
from palermo.errors import PalermoError
from palermo.screening import DISCLAIMER

app = typer.Typer(
    help="Screening for front-liners: indications of trafficking, smuggling, protection needs and referrals. "
    "It supports, and never replaces, formal identification by the competent authority.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CatalogueOption = Annotated[
    Path | None, typer.Option("--catalogue", help="Add your organisation's own indicator catalogue (YAML).")
]
ReferralsOption = Annotated[
    Path | None,
    typer.Option(
        "--referrals", help="Use your organisation's referral table (YAML) instead of the built-in one."
    ),
]


class Lang(StrEnum):
    en = "en"
    fr = "fr"
    es = "es"


class Stage(StrEnum):
    origin = "origin"
    transit = "transit"
    destination = "destination"
    return_ = "return"


LangOption = Annotated[Lang, typer.Option("--lang", "-l", help="Language of the questions: en, fr or es.")]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PalermoError(f"screening file {path} does not exist") from None
    except (OSError, UnicodeDecodeError):
        raise PalermoError(f"screening file {path} cannot be read as UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PalermoError(f"screening file {path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None


@app.command("indicators")
def indicators(
    stage: Annotated[
        Stage | None, typer.Option("--stage", help="Only indicators observable at this stage.")
    ] = None,
    dimension: Annotated[
        str | None, typer.Option("--dimension", help="Only this dimension or family.")
    ] = None,
    catalogue: CatalogueOption = None,
    lang: LangOption = Lang.en,
    json_out: JsonOption = False,
) -> None:
    """List the indicators in use, with their strength per population, source and whether they were verified."""
    with workspace() as ws:
        if catalogue is not None:
            ws.screening.load_catalogue(catalogue)
        found = ws.screening.indicators(stage.value if stage else None, dimension)
    if json_out:
        print_json([i.to_json() for i in found])
        return
    table = Table("id", "dimension", "adult labour", "child labour", "verified", "question")
    for i in found:
        table.add_row(
            i.id,
            i.dimension,
            i.strength.get("adult_labour") or "",
            i.strength.get("child_labour") or "",
            "yes" if i.verified else "[yellow]no[/]",
            i.question[lang.value],
        )
    console.print(table)
    console.print(f"{len(found)} indicators; {sum(not i.verified for i in found)} unverified.")
    console.print(DISCLAIMER, highlight=False)


@app.command("assess")
def assess(
    file: Annotated[
        Path, typer.Argument(help="Screening input (JSON): person, stage, exploitation, journey, indicators.")
    ],
    case: Annotated[
        str | None,
        typer.Option(
            "--case", help="Store the screening with this case (re-screening keeps earlier answers)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Organisation or role of the screener, stored with the case (never a name)."
        ),
    ] = None,
    catalogue: CatalogueOption = None,
    referrals: ReferralsOption = None,
    lang: LangOption = Lang.en,
    json_out: JsonOption = False,
) -> None:
    """Assess a screening file: trafficking and smuggling verdicts, elements, dimensions, needs, referrals, reasons."""
    data = _read_json(file)
    with workspace() as ws:
        if catalogue is not None:
            ws.screening.load_catalogue(catalogue)
        if referrals is not None:
            ws.screening.load_referrals(referrals)
        if case is not None:
            stored = ws.screening.screen(case, data, screened_by=by, lang=lang.value)
            result: dict[str, Any] = {
                **stored.assessment,
                "case_id": case,
                "seq": stored.seq,
                "changes": dict(stored.changes),
            }
        else:
            result = ws.screening.assess(data, lang=lang.value).to_json()
    if json_out:
        print_json(result)
        return
    _print_assessment(result, console)


def _print_assessment(r: dict[str, Any], out: Console) -> None:
    out.print(
        f"[bold]trafficking:[/] {r['trafficking']}    [bold]smuggling:[/] {r['smuggling']}", highlight=False
    )
    out.print(
        "elements: " + ", ".join(f"{k} {'found' if v else 'not found'}" for k, v in r["elements"].items())
    )
    positive = [k for k, v in r["dimensions"].items() if v]
    out.print("positive ILO-EC dimensions: " + (", ".join(positive) or "none"), highlight=False)
    for flag in r["flags"]:
        out.print(f"[yellow]flag[/] {flag['rule']}: {flag['text']}", highlight=False)
    for need in r["protection_needs"]:
        out.print(f"need: {need['need']} ({need['urgency']})", highlight=False)
    for ref in r["referrals"]:
        consent = " - only with informed consent" if ref["consent_required"] else ""
        out.print(f"refer: {ref['label']} ({ref['urgency']}){consent}", highlight=False)
    for change in r["what_would_change"][:5]:
        out.print(f"ask next: {change['question']}  [dim]({change['indicator']})[/]", highlight=False)
    for e in r["explanation"]:
        mark = "" if e["verified"] else " [yellow](unverified)[/]"
        ids = f" [dim][{', '.join(e['indicators'])}][/]" if e["indicators"] else ""
        detail = f" ({e['detail']})" if e.get("detail") else ""
        out.print(f"- {e['text']}{detail}{mark}{ids}", highlight=False)
    if r["unverified"]["indicators"]:
        out.print(
            f"[yellow]unverified indicators used:[/] {', '.join(r['unverified']['indicators'])}",
            highlight=False,
        )
    out.print(f"[bold]{r['disclaimer']}[/]", highlight=False)


@app.command("history")
def history(
    case: Annotated[str, typer.Argument(help="The case id the screenings were stored with.")],
    json_out: JsonOption = False,
) -> None:
    """Every screening of a case, oldest first, with what changed each time."""
    with workspace() as ws:
        found = ws.screening.history(case)
    if json_out:
        print_json([s.to_json() for s in found])
        return
    table = Table("#", "when", "stage", "trafficking", "smuggling", "changed answers")
    for s in found:
        changed = len(s.changes.get("answers", [])) if not s.changes.get("first") else "first"
        table.add_row(
            str(s.seq),
            s.screened_at.isoformat(timespec="seconds"),
            s.stage,
            s.trafficking,
            s.smuggling,
            str(changed),
        )
    console.print(table)
    console.print(DISCLAIMER, highlight=False)


@app.command("interview")
def interview(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Input file to write (and to resume from if it exists).")
    ],
    lang: LangOption = Lang.en,
    catalogue: CatalogueOption = None,
) -> None:
    """Interview a person in the terminal, asking the fewest questions needed; writes the screening input file.

    Answers are saved after every question: interrupt at any time and run the same command to resume."""
    from palermo.screening import ScreeningNamespace
    from palermo.screening._interview import Interview

    screening = ScreeningNamespace()
    if catalogue is not None:
        screening.load_catalogue(catalogue)
    data = _read_json(out) if out.exists() else None
    term = Console(highlight=False)
    iv = Interview(screening.catalogue, lambda d: screening.assess(d, lang=lang.value), data, lang.value)
    term.print(iv.message("title"))
    if iv.asked:
        term.print(iv.message("resumed", n=len(iv.asked)))
    while (question := iv.next_question()) is not None:
        hint = f" [{'/'.join(question.choices)}]" if question.choices else ""
        while True:
            try:
                raw = term.input(f"{question.text}{hint} ")
            except (EOFError, KeyboardInterrupt):
                _save(out, iv.document())
                term.print(iv.message("paused", path=out))
                return
            if iv.record(question, raw):
                break
            term.print(iv.message("invalid", choices=", ".join(question.choices) or "0-120"))
        _save(out, iv.document())
    _save(out, iv.document())
    result = screening.assess({k: v for k, v in iv.document().items() if k != "interview"}, lang=lang.value)
    term.print(iv.message("verdict", trafficking=result.trafficking, smuggling=result.smuggling))
    term.print(iv.message("done", path=out))
    term.print(result.disclaimer)


def _save(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
