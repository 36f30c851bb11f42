"""``palermo vocab``: the JSON shape of normalise, one-line errors with exit code 2, exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from palermo.cli import main


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process through ``palermo.cli.main``; return (exit code, stdout, stderr)."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_normalise_json_match(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(
        capsys, "vocab", "normalise", "traite des êtres humains", "--lang", "fr", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["concept", "pref_label", "score"]
    assert data["concept"] == "trafficking-in-persons"
    assert data["pref_label"]["es"] == "trata de personas"
    assert isinstance(data["score"], float) and data["score"] == 1.0


def test_normalise_json_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "vocab", "normalise", "quarterly budget report", "--json")
    assert code == 0
    assert json.loads(out) == {"concept": None}


def test_normalise_plain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "vocab", "normalise", "UASC")
    assert code == 0 and out.startswith("unaccompanied-or-separated-child")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["vocab", "normalise", "trata", "--lang", "xx", "--json"], "unknown language code 'xx'"),
        (["vocab", "normalise", "  ", "--json"], "the term is empty"),
        (["vocab", "show", "zzqqxx"], "no concept has this id"),
        (["vocab", "divergences", "zzqqxx"], "no concept has this id"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_main(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err and err.strip().count("\n") == 0 and "Traceback" not in err


def test_show_and_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "vocab", "show", "servitude pour dettes", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == "debt-bondage" and "ctdc-kanon:meansOfControlDebtBondage" in shown["codes"]
    code, out, _ = run_main(capsys, "vocab", "search", "exploitation", "--limit", "5", "--json")
    assert code == 0
    results = json.loads(out)
    assert 1 <= len(results) <= 5 and results[0]["concept"] == "exploitation"
    code, out, _ = run_main(capsys, "vocab", "show", "refugee")
    assert code == 0 and "refugee-convention-1951" in out


def test_divergences_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "vocab", "divergences", "refugee", "--json")
    assert code == 0
    view = json.loads(out)
    assert view["readings"][0]["source"] == "refugee-convention-1951"
    assert {r["source"] for r in view["readings"]} >= {
        "oau-refugee-convention-1969",
        "cartagena-declaration-1984",
    }


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "csv"])
def test_export_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"scheme.{fmt}"
    code, _, _ = run_main(capsys, "vocab", "export", "--format", fmt, "--output", str(path))
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert "trafficking-in-persons" in text
    if fmt == "jsonld":
        assert isinstance(json.loads(text), dict | list)


def test_export_rejects_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "vocab", "export", "--format", "rdfxml")
    assert code == 2 and "rdfxml" in err


def test_check_a_custom_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("concepts:\n  - id: x\n    pref: {en: a}\n", encoding="utf-8")
    code, _, err = run_main(capsys, "vocab", "check", str(bad))
    assert code == 2 and str(bad) in err and "line 3" in err
    code, out, _ = run_main(capsys, "vocab", "check")
    assert code == 0 and out.startswith("ok: 215 concepts")


def test_real_subprocess_prints_turtle_on_stdout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "palermo", "vocab", "export", "--format", "turtle"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PALERMO_HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    assert "skos:ConceptScheme" in result.stdout and "@prefix" in result.stdout


def test_every_vocab_command_is_documented() -> None:
    import typer.main

    from palermo.cli import vocab as vocab_cli

    doc = (Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    commands = typer.main.get_command(vocab_cli.app).commands  # type: ignore[attr-defined]
    assert set(commands) == {"show", "search", "normalise", "divergences", "export", "check"}
    for name in commands:
        assert f"palermo vocab {name}" in doc
