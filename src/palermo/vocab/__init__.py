"""One vocabulary: the concept scheme of trafficking, smuggling and protection, with crosswalks.

Every capability names its categories by concept id (``"forced-labour-or-services"``,
``"unaccompanied-child"`` …). Look concepts up with or without a workspace::

    from palermo import vocab
    vocab.get_concept("debt-bondage").pref_label["fr"]        # 'servitude pour dettes'
    [c.id for c in vocab.concepts_under("exploitation")]      # every form of exploitation

    with palermo.open() as ws:
        ws.vocab.normalise("traite des êtres humains")         # Match(concept=trafficking-in-persons …)
        ws.vocab.crosswalk("ctdc-kanon").lookup("gender", "Female")
        ws.vocab.export("turtle")

The scheme and crosswalks are YAML files inside this package (``data/``); see docs/vocabulary.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from palermo.vocab._builtin import builtin_crosswalks, builtin_scheme, get_crosswalk
from palermo.vocab._crosswalk import CodeMapping, Crosswalk, FieldMapping
from palermo.vocab._model import LANGUAGES, Concept, Definition, Scheme, SchemeInfo, Source
from palermo.vocab._namespace import EXPORT_FORMATS, VocabNamespace
from palermo.vocab._normalise import DEFAULT_THRESHOLD, Match
from palermo.vocab._tables import Divergences, Reading


def get_concept(concept_id: str) -> Concept:
    """The built-in concept with this id (:class:`~palermo.errors.UnknownTermError` if none)."""
    return builtin_scheme().get(concept_id)


def concepts_under(
    concept_id: str, *, transitive: bool = True, include_self: bool = False
) -> tuple[Concept, ...]:
    """The built-in concepts under ``concept_id``: every level by default, one level with
    ``transitive=False``; ``include_self`` puts the concept itself first."""
    scheme = builtin_scheme()
    found = scheme.narrower(concept_id, transitive=transitive)
    return (scheme.get(concept_id), *found) if include_self else found


def is_under(concept_id: str, ancestor_id: str) -> bool:
    """Whether the built-in concept ``concept_id`` is ``ancestor_id`` or sits under it."""
    return builtin_scheme().is_under(concept_id, ancestor_id)


def crosswalk(standard: str) -> Crosswalk:
    """The shipped crosswalk of one data standard (:class:`~palermo.errors.UnknownCrosswalkError`)."""
    return get_crosswalk(standard)


def crosswalks() -> Mapping[str, Crosswalk]:
    """Every shipped crosswalk, by standard name."""
    return builtin_crosswalks()


__all__ = [
    "DEFAULT_THRESHOLD",
    "EXPORT_FORMATS",
    "LANGUAGES",
    "CodeMapping",
    "Concept",
    "Crosswalk",
    "Definition",
    "Divergences",
    "FieldMapping",
    "Match",
    "Reading",
    "Scheme",
    "SchemeInfo",
    "Source",
    "VocabNamespace",
    "builtin_scheme",
    "concepts_under",
    "crosswalk",
    "crosswalks",
    "get_concept",
    "is_under",
]
