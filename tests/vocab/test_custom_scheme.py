"""``ws.vocab.load(path)``: a custom scheme file extends the scheme, or fails naming file, line and
rule while the scheme in use (and the built-in one) stays exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo import vocab
from palermo.errors import PalermoError, VocabularyFileError
from palermo.vocab import VocabNamespace
from palermo.workspace import Workspace

GOOD = """\
sources:
  - id: agency-manual-2025
    title: Our agency's screening manual
    publisher: Example agency
    date: "2025-03"
concepts:
  - id: online-scam-compound
    pref: {en: online scam compound, fr: centre d'escroquerie en ligne, es: centro de estafas en línea}
    alt: {en: [scam compound, scam centre]}
    definitions:
      - source: agency-manual-2025
        kind: paraphrase
        verified: true
        text: A guarded site where trafficked people are forced to run online fraud.
    broader: [forced-criminality]
labels:
  unaccompanied-child:
    alt: {en: [lone child]}
"""


def write(tmp_path: Path, text: str, name: str = "custom.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_extends_scheme_and_labels(ws: Workspace, tmp_path: Path) -> None:
    before = len(ws.vocab.scheme)
    scheme = ws.vocab.load(write(tmp_path, GOOD))
    assert len(scheme) == before + 1
    assert ws.vocab.get("online-scam-compound").broader == ("forced-criminality",)
    assert ws.vocab.is_under("online-scam-compound", "exploitation")
    assert ws.vocab.normalise("scam centres").concept.id == "online-scam-compound"  # type: ignore[union-attr]
    assert ws.vocab.normalise("Lone Child").concept.id == "unaccompanied-child"  # type: ignore[union-attr]
    assert "online-scam-compound" not in vocab.builtin_scheme()  # the built-in scheme is untouched
    assert "lone child" not in vocab.get_concept("unaccompanied-child").alt_labels["en"]
    assert ws.vocab.check() == []
    ws.vocab.reset()
    assert len(ws.vocab.scheme) == before


BAD = [
    # (file text, line, field fragment, rule fragment)
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c}\n    definitions: [{source: nowhere, kind: own, verified: true, text: t}]\n",
     4, "definitions[0].source", "unknown source 'nowhere'"),
    ("concepts:\n  - id: Bad Id\n", 2, "concepts[0].id", "lower-case words joined by hyphens"),
    ("concepts:\n  - id: x\n    pref: {en: a, es: c}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n",
     3, "pref.fr", "required"),
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c, xx: d}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n",
     3, "pref.xx", "unknown language code"),
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c}\n    definitions:\n      - {source: iom-glossary-2019, kind: quote, verified: true, text: t}\n",
     5, "definitions[0].kind", "may not be quoted"),
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c}\n    definitions: [{source: palermo-project, kind: own, text: t}]\n",
     4, "verified", "true or false"),
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n    broader: [no-such-concept]\n",
     5, "x.broader", "unknown concept id 'no-such-concept'"),
    ("concepts:\n  - id: refugee\n    pref: {en: a, fr: b, es: c}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n",
     2, "refugee.id", "a built-in concept has this id"),
    ("concepts:\n  - id: x\n    pref: {en: refugee, fr: b, es: c}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n",
     3, "x.pref.en", "same preferred label as concept 'refugee'"),
    ("concepts:\n  - id: a1\n    pref: {en: a1, fr: a1, es: a1}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n    broader: [b1]\n"
     "  - id: b1\n    pref: {en: b1, fr: b1, es: b1}\n    definitions: [{source: palermo-project, kind: own, verified: true, text: t}]\n    broader: [a1]\n",
     5, "broader", "form a cycle"),
    ("concepts:\n  - id: x\n    pref: {en: a, fr: b, es: c\n", 4, "yaml", "not valid YAML"),
    ("labels:\n  nowhere:\n    alt: {en: [z]}\n", 2, "labels.nowhere", "unknown concept id"),
    ("group: g\n", 1, "file", "nothing to load"),
    ("colour: blue\nconcepts: []\n", 1, "file", "unknown key 'colour'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "field", "rule"), BAD, ids=[b[3] for b in BAD])
def test_malformed_file_names_file_line_and_rule(
    tmp_path: Path, text: str, line: int, field: str, rule: str
) -> None:
    ns = VocabNamespace()
    before = ns.scheme
    path = write(tmp_path, text)
    with pytest.raises(VocabularyFileError) as info:
        ns.load(path)
    err = info.value
    assert isinstance(err, PalermoError)
    assert str(path) in str(err)
    assert any(p.row == line and field in p.field and rule in p.rule for p in err.problems), err.problems
    assert f"line {line}" in str(err) or len(err.problems) > 1
    assert ns.scheme is before  # nothing changed


def test_failed_load_after_a_good_one_keeps_the_good_one(tmp_path: Path) -> None:
    ns = VocabNamespace()
    ns.load(write(tmp_path, GOOD))
    extended = ns.scheme
    with pytest.raises(VocabularyFileError):
        ns.load(write(tmp_path, BAD[0][0], "bad.yaml"))
    assert ns.scheme is extended
    assert "online-scam-compound" in ns.scheme


def test_every_problem_is_collected_before_raising(tmp_path: Path) -> None:
    text = "concepts:\n  - id: x\n    pref: {en: a}\n    definitions: []\n  - id: Y\n"
    with pytest.raises(VocabularyFileError, match=r"\(and \d+ more\)") as info:
        VocabNamespace().load(write(tmp_path, text))
    assert len(info.value.problems) >= 4


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(VocabularyFileError, match="cannot be read"):
        VocabNamespace().load(tmp_path / "absent.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("concepts: [{id: caf\xe9}]".encode("latin-1"))
    with pytest.raises(VocabularyFileError, match="not UTF-8"):
        VocabNamespace().load(path)
