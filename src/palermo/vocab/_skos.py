"""SKOS out and back: the scheme as an RDF graph (Turtle, JSON-LD), its integrity check, and re-import.

Each definition is a node of its own (``skos:definition [ rdf:value "…"@en ; dct:source <…> ]``) so
that several sources' readings of one concept survive the round trip. Codes from the crosswalks are
written as ``skos:notation`` literals typed by standard; they are derived data and are not read back.
rdflib is imported here only, when an export or import is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from palermo.errors import Problem, SchemeIntegrityError, UnsupportedFormatError
from palermo.vocab._model import Concept, Definition, Scheme, SchemeInfo, Source

if TYPE_CHECKING:
    from rdflib import Graph

    from palermo.vocab._crosswalk import Crosswalk

FORMATS = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "json-ld": "json-ld"}
TERMS = "urn:palermo:terms:"
SOURCE_BASE = "urn:palermo:source:"
STANDARD_BASE = "urn:palermo:standard:"


class _Vocabularies:
    """The RDF vocabularies used, built on first use so that rdflib loads only when needed."""

    def __init__(self) -> None:
        from rdflib import Namespace
        from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

        self.pal: Any = Namespace(TERMS)
        self.src: Any = Namespace(SOURCE_BASE)
        self.skos: Any = SKOS
        self.dct: Any = DCTERMS
        self.rdf: Any = RDF
        self.owl: Any = OWL


def _ns() -> _Vocabularies:
    return _Vocabularies()


def scheme_iri(info: SchemeInfo) -> str:
    return info.base_iri.rstrip(":/#")


def to_graph(scheme: Scheme, crosswalks: Iterable[Crosswalk] = ()) -> Graph:
    """The scheme as an rdflib Graph."""
    from rdflib import BNode, Graph, Literal, URIRef

    v = _ns()
    pal, skos, dct, rdf, owl, src = v.pal, v.skos, v.dct, v.rdf, v.owl, v.src
    g = Graph()
    for prefix, ns in (("skos", skos), ("dct", dct), ("pal", pal), ("src", src), ("owl", owl)):
        g.bind(prefix, ns)
    g.bind("c", scheme.info.base_iri)
    s = URIRef(scheme_iri(scheme.info))
    g.add((s, rdf.type, skos.ConceptScheme))
    g.add((s, dct.title, Literal(scheme.info.title, lang="en")))
    g.add((s, owl.versionInfo, Literal(scheme.info.version)))
    g.add((s, dct.identifier, Literal(scheme.info.id)))

    def iri(cid: str) -> URIRef:
        return URIRef(scheme.info.base_iri + cid)

    for source in scheme.sources.values():
        node = src[source.id]
        g.add((node, rdf.type, dct.BibliographicResource))
        g.add((node, dct.title, Literal(source.title)))
        g.add((node, dct.publisher, Literal(source.publisher)))
        g.add((node, dct.date, Literal(source.date)))
        g.add((node, pal.quotable, Literal(source.quotable)))
        for prop, value in ((pal.url, source.url), (dct.license, source.licence), (pal.note, source.note)):
            if value is not None:
                g.add((node, prop, Literal(value)))
    for c in scheme:
        node = iri(c.id)
        g.add((node, rdf.type, skos.Concept))
        g.add((node, skos.inScheme, s))
        if not c.broader:
            g.add((node, skos.topConceptOf, s))
            g.add((s, skos.hasTopConcept, node))
        for kind, lang, text in c.labels():
            prop = {"pref": skos.prefLabel, "alt": skos.altLabel, "hidden": skos.hiddenLabel}[kind]
            g.add((node, prop, Literal(text, lang=lang)))
        for lang, text in c.scope_note.items():
            g.add((node, skos.scopeNote, Literal(text, lang=lang)))
        for parent in c.broader:
            g.add((node, skos.broader, iri(parent)))
            g.add((iri(parent), skos.narrower, node))
        for other in c.related:
            g.add((node, skos.related, iri(other)))
        if c.labels_from is not None:
            g.add((node, pal.labelsFrom, src[c.labels_from]))
        g.add((node, pal.labelsChecked, Literal(c.labels_checked)))
        for d in c.definitions:
            b = BNode()
            g.add((node, skos.definition, b))
            g.add((b, rdf.value, Literal(d.text, lang=d.lang)))
            g.add((b, dct.source, src[d.source]))
            g.add((b, pal.kind, Literal(d.kind)))
            g.add((b, pal.verified, Literal(d.verified)))
            for prop, value in ((pal.locator, d.locator), (pal.note, d.note)):
                if value is not None:
                    g.add((b, prop, Literal(value)))
    for cw in crosswalks:
        datatype = URIRef(STANDARD_BASE + cw.standard)
        for f in cw.fields.values():
            if f.mapping is not None:
                for cid in f.mapping.concepts:
                    g.add((iri(cid), skos.notation, Literal(f.name, datatype=datatype)))
            for code, m in f.values.items():
                if m.status == "present":
                    for cid in m.concepts:
                        g.add((iri(cid), skos.notation, Literal(f"{f.name}={code}", datatype=datatype)))
    return g


def serialise(scheme: Scheme, fmt: str, crosswalks: Iterable[Crosswalk] = ()) -> str:
    """Turtle or JSON-LD text of the scheme."""
    rdf_format = FORMATS.get(fmt.lower())
    if rdf_format is None:
        raise UnsupportedFormatError(f"unknown SKOS format '{fmt[:20]}' (use turtle or jsonld)")
    graph = to_graph(scheme, crosswalks)
    if rdf_format == "json-ld":
        v = _ns()
        context = {
            "skos": str(v.skos),
            "dct": str(v.dct),
            "pal": TERMS,
            "src": SOURCE_BASE,
            "owl": str(v.owl),
        }
        return str(graph.serialize(format="json-ld", context=context, indent=1))
    return str(graph.serialize(format="turtle"))


def parse(text: str, fmt: str) -> Graph:
    from rdflib import Graph

    rdf_format = FORMATS.get(fmt.lower())
    if rdf_format is None:
        raise UnsupportedFormatError(f"unknown SKOS format '{fmt[:20]}' (use turtle or jsonld)")
    return Graph().parse(data=text, format=rdf_format)


def check_graph(graph: Graph) -> list[Problem]:
    """SKOS integrity: one scheme; every concept in it; at most one prefLabel per language; pref,
    alt and hidden labels disjoint; links point at concepts; no cycle in broader; related and
    broader never link the same pair (SKOS S27)."""
    v = _ns()
    skos, rdf = v.skos, v.rdf
    problems: list[Problem] = []
    schemes = set(graph.subjects(rdf.type, skos.ConceptScheme))
    if len(schemes) != 1:
        return [Problem(None, "scheme", f"expected exactly one skos:ConceptScheme, found {len(schemes)}")]
    scheme = next(iter(schemes))
    concepts = set(graph.subjects(rdf.type, skos.Concept))
    for c in sorted(concepts, key=str):
        name = str(c)
        if (c, skos.inScheme, scheme) not in graph:
            problems.append(Problem(None, name, "concept is not skos:inScheme the scheme"))
        prefs: dict[str | None, int] = {}
        labels: dict[str, set[tuple[str | None, str]]] = {}
        for kind, prop in (("pref", skos.prefLabel), ("alt", skos.altLabel), ("hidden", skos.hiddenLabel)):
            for lit in graph.objects(c, prop):
                lang = getattr(lit, "language", None)
                labels.setdefault(kind, set()).add((lang, str(lit)))
                if kind == "pref":
                    prefs[lang] = prefs.get(lang, 0) + 1
        for lang, n in sorted(prefs.items(), key=lambda kv: str(kv[0])):
            if n > 1:
                problems.append(Problem(None, name, f"{n} skos:prefLabel in language '{lang}'"))
        if "en" not in prefs:
            problems.append(Problem(None, name, "no English skos:prefLabel"))
        kinds = sorted(labels)
        for i, a in enumerate(kinds):
            for b in kinds[i + 1 :]:
                if labels[a] & labels[b]:
                    problems.append(Problem(None, name, f"a label is both {a} and {b}"))
        for prop in (skos.broader, skos.narrower, skos.related):
            for target in graph.objects(c, prop):
                if target not in concepts:
                    problems.append(Problem(None, name, f"links to {target}, which is not a concept"))
    parents = {c: set(graph.objects(c, skos.broader)) for c in concepts}
    closure = _closure(parents)
    for c in sorted(concepts, key=str):
        if c in closure[c]:
            problems.append(Problem(None, str(c), "skos:broader forms a cycle through this concept"))
        for other in graph.objects(c, skos.related):
            if other in closure[c] or c in closure.get(other, set()):
                problems.append(Problem(None, str(c), f"related to {other}, which is also above or below it"))
    return problems


def _closure(parents: Mapping[Any, set[Any]]) -> dict[Any, set[Any]]:
    result: dict[Any, set[Any]] = {}
    for start in parents:
        seen: set[Any] = set()
        stack = list(parents[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(parents.get(node, ()))
        result[start] = seen
    return result


def _true(node: Any) -> bool:
    return str(node).strip().lower() == "true"


def _lang(node: Any) -> str:
    return str(getattr(node, "language", None) or "en")


def from_graph(graph: Graph, base_iri: str | None = None) -> Scheme:
    """Rebuild a Scheme from a graph written by :func:`to_graph`; the graph must pass the check."""
    problems = check_graph(graph)
    if problems:
        raise SchemeIntegrityError(problems, what="SKOS graph")
    v = _ns()
    pal, skos, dct, rdf, owl = v.pal, v.skos, v.dct, v.rdf, v.owl
    scheme_node = next(iter(graph.subjects(rdf.type, skos.ConceptScheme)))
    base = base_iri or str(scheme_node) + ":"
    info = SchemeInfo(
        id=str(graph.value(scheme_node, dct.identifier) or "palermo"),
        title=str(graph.value(scheme_node, dct.title) or SchemeInfo.title),
        version=str(graph.value(scheme_node, owl.versionInfo) or SchemeInfo.version),
        base_iri=base,
    )

    def local(node: Any, prefix: str) -> str:
        text = str(node)
        if not text.startswith(prefix):
            raise SchemeIntegrityError(
                [Problem(None, text, f"IRI does not start with {prefix}")], what="SKOS graph"
            )
        return text[len(prefix) :]

    def opt(node: Any, prop: Any) -> str | None:
        value = graph.value(node, prop)
        return None if value is None else str(value)

    sources = {}
    for node in graph.subjects(rdf.type, dct.BibliographicResource):
        sid = local(node, SOURCE_BASE)
        sources[sid] = Source(
            id=sid,
            title=str(graph.value(node, dct.title)),
            publisher=str(graph.value(node, dct.publisher)),
            date=str(graph.value(node, dct.date)),
            url=opt(node, pal.url),
            licence=opt(node, dct.license),
            quotable=_true(graph.value(node, pal.quotable)),
            note=opt(node, pal.note),
        )
    concepts = {}
    for node in graph.subjects(rdf.type, skos.Concept):
        cid = local(node, base)
        labels: dict[str, dict[str, list[str]]] = {"pref": {}, "alt": {}, "hidden": {}}
        for kind, prop in (("pref", skos.prefLabel), ("alt", skos.altLabel), ("hidden", skos.hiddenLabel)):
            for lit in graph.objects(node, prop):
                labels[kind].setdefault(_lang(lit), []).append(str(lit))
        definitions = []
        for b in graph.objects(node, skos.definition):
            value = graph.value(b, rdf.value)
            definitions.append(
                Definition(
                    source=local(graph.value(b, dct.source), SOURCE_BASE),
                    text=str(value),
                    kind=str(graph.value(b, pal.kind)),
                    locator=opt(b, pal.locator),
                    lang=_lang(value),
                    verified=_true(graph.value(b, pal.verified)),
                    note=opt(b, pal.note),
                )
            )
        labels_from = graph.value(node, pal.labelsFrom)
        concepts[cid] = Concept(
            id=cid,
            pref_label={lang: texts[0] for lang, texts in labels["pref"].items()},
            alt_labels={lang: tuple(t) for lang, t in labels["alt"].items()},
            hidden_labels={lang: tuple(t) for lang, t in labels["hidden"].items()},
            definitions=tuple(definitions),
            scope_note={_lang(lit): str(lit) for lit in graph.objects(node, skos.scopeNote)},
            broader=tuple(local(p, base) for p in graph.objects(node, skos.broader)),
            related=tuple(local(r, base) for r in graph.objects(node, skos.related)),
            labels_from=None if labels_from is None else local(labels_from, SOURCE_BASE),
            labels_checked=str(graph.value(node, pal.labelsChecked) or "no"),
        )
    return Scheme(concepts, sources, info)
