"""SKOS export (Turtle, JSON-LD) passes the integrity check and re-imports to the same scheme; the
integrity check catches what it should; CSV export; the divergences view."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from palermo.errors import SchemeIntegrityError, UnsupportedFormatError
from palermo.vocab import VocabNamespace
from palermo.vocab._skos import check_graph, from_graph, parse, to_graph


@pytest.fixture(scope="module")
def ns() -> VocabNamespace:
    return VocabNamespace()


@pytest.fixture(scope="module")
def turtle(ns: VocabNamespace) -> str:
    return ns.export("turtle")


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_round_trip_gives_the_same_scheme(ns: VocabNamespace, turtle: str, fmt: str) -> None:
    text = turtle if fmt == "turtle" else ns.export("jsonld")
    graph = parse(text, fmt)
    assert check_graph(graph) == []
    again = from_graph(graph)
    assert again == ns.scheme
    assert (
        again.get("trafficking-in-persons").definitions == ns.scheme.get("trafficking-in-persons").definitions
    )
    assert again.sources["iom-glossary-2019"].quotable is False


def test_export_contents(parsed: Graph) -> None:
    graph = parsed
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 215
    tip = URIRef("urn:palermo:vocab:trafficking-in-persons")
    assert Literal("traite des personnes", lang="fr") in set(graph.objects(tip, SKOS.prefLabel))
    scheme = URIRef("urn:palermo:vocab")
    assert (scheme, SKOS.hasTopConcept, tip) in graph
    notations = {str(n) for n in graph.objects(URIRef("urn:palermo:vocab:debt-bondage"), SKOS.notation)}
    assert {"meansOfControlDebtBondage", "vic_MethodsOfControl=DebtBondage"} <= notations


def test_export_writes_a_file(ns: VocabNamespace, tmp_path: Path) -> None:
    path = tmp_path / "scheme.ttl"
    text = ns.export("turtle", path)
    assert path.read_text(encoding="utf-8") == text
    with pytest.raises(UnsupportedFormatError, match="unknown export format 'rdfxml'"):
        ns.export("rdfxml")


@pytest.fixture(scope="module")
def parsed(turtle: str) -> Graph:
    return parse(turtle, "turtle")


@pytest.fixture
def g(parsed: Graph) -> Graph:
    """A fresh copy of the exported graph, free to damage."""
    copy = Graph()
    copy += parsed
    return copy


def test_integrity_check_finds_two_preflabels_in_one_language(g: Graph) -> None:
    g.add((URIRef("urn:palermo:vocab:refugee"), SKOS.prefLabel, Literal("displaced person", lang="en")))
    rules = [p.rule for p in check_graph(g)]
    assert "2 skos:prefLabel in language 'en'" in rules
    with pytest.raises(SchemeIntegrityError):
        from_graph(g)


def test_integrity_check_finds_a_cycle(g: Graph) -> None:
    g.add((URIRef("urn:palermo:vocab:exploitation"), SKOS.broader, URIRef("urn:palermo:vocab:slavery")))
    assert any("cycle" in p.rule for p in check_graph(g))


def test_integrity_check_finds_a_concept_outside_the_scheme(g: Graph) -> None:
    stray = URIRef("urn:palermo:vocab:stray")
    g.add((stray, RDF.type, SKOS.Concept))
    g.add((stray, SKOS.prefLabel, Literal("stray", lang="en")))
    problems = check_graph(g)
    assert [p.rule for p in problems if p.field == str(stray)] == ["concept is not skos:inScheme the scheme"]


def test_integrity_check_finds_related_and_broader_on_one_pair(g: Graph) -> None:
    g.add((URIRef("urn:palermo:vocab:slavery"), SKOS.related, URIRef("urn:palermo:vocab:exploitation")))
    assert any("also above or below" in p.rule for p in check_graph(g))


def test_integrity_check_needs_exactly_one_scheme() -> None:
    g = Graph()
    ex = Namespace("urn:x:")
    g.add((ex.a, RDF.type, SKOS.Concept))
    assert check_graph(g)[0].rule.startswith("expected exactly one skos:ConceptScheme")


def test_graph_of_the_scheme_passes(ns: VocabNamespace) -> None:
    assert check_graph(to_graph(ns.scheme)) == []
    assert ns.check() == []


def test_csv_export(ns: VocabNamespace) -> None:
    rows = list(csv.DictReader(io.StringIO(ns.export("csv"))))
    assert len(rows) == 215
    by_id = {r["id"]: r for r in rows}
    row = by_id["debt-bondage"]
    assert row["pref_label_es"] == "servidumbre por deudas"
    assert "practices-similar-to-slavery" in row["broader"].split(" | ")
    assert "ctdc-kanon:meansOfControlDebtBondage" in row["codes"].split(" | ")
    assert "supplementary-slavery-convention-1956" in row["sources"]
    assert by_id["exploitation"]["narrower"]


def test_divergences_side_by_side(ns: VocabNamespace) -> None:
    view = ns.divergences("trafficking in persons")
    assert view.concept.id == "trafficking-in-persons"
    sources = [r.source.id for r in view.readings]
    assert sources[0] == "un-tip-protocol-2000"  # treaty text first
    assert {
        "coe-thb-convention-2005",
        "eu-directive-2011-36",
        "us-tvpa-2000",
        "ctdc-codebook-v6-2017",
    } <= set(sources)
    assert view.scope_note and "smuggling" in view.scope_note
    as_dict = view.to_dict()
    assert as_dict["concept"] == "trafficking-in-persons" and len(as_dict["readings"]) == len(sources)  # type: ignore[arg-type]
    assert {r.source.id for r in ns.divergences("modern-slavery").readings} == {
        "global-estimates-2022",
        "uk-msa-2015",
    }
