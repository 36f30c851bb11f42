"""From a value as written to a code of a case-model category list, through the vocabulary.

The case model stores codes of ``palermo.cases`` category lists (HTCDS value names, CTDC codes);
the vocabulary names the same things by concept id. :class:`CodeBook` joins the two: a concept id
resolves to the code of a list that means it (read from the shipped crosswalks, whose codes are
the lists' codes or their aliases, and from matching English labels), and a written value resolves
by code, label, a document's alias, or, through ``ws.vocab.normalise``, by concept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from palermo.cases import Categories, ctdc_field_map, load_categories
from palermo.vocab import builtin_scheme, crosswalk

# crosswalks read for concept -> code, most authoritative first
_CROSSWALKS = ("htcds-v2", "ctdc-kanon", "ctdc-synthetic-2024", "ctdc-vp-2022")
_FLAG_RELEASES = {"ctdc-kanon": "ctdc_v6", "ctdc-synthetic-2024": "ctdc_synthetic_2024"}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def norm(text: str) -> str:
    """Blanks collapsed and case folded: how missing values, flag words and value keys are compared."""
    return " ".join(text.split()).casefold()


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away: ``"Côte d'Ivoire "`` -> ``"cote d ivoire"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


_SHARED_TEXT: dict[tuple[str, str | None], dict[str, str]] = {}
_SHARED_CONCEPTS: dict[str, dict[str, str]] = {}


class CodeBook:
    """Codes of the case model's category lists, reachable from concepts, labels and aliases."""

    def __init__(self, categories: Categories | None = None) -> None:
        self.categories = categories or load_categories()
        builtin = self.categories is load_categories()
        # the built-in lists never change: their indexes are shared by every CodeBook
        self._by_text = _SHARED_TEXT if builtin else {}
        self._by_concept = _SHARED_CONCEPTS if builtin else {}

    def codes(self, list_name: str) -> frozenset[str]:
        return self.categories.codes(list_name)

    def has_list(self, list_name: str) -> bool:
        return list_name in self.categories

    # -- written value -> code ----------------------------------------------------------------
    def lookup(self, list_name: str, text: str, document: str | None = None) -> str | None:
        """The code ``text`` names in ``list_name``: the code itself, its label, or an alias (of
        ``document`` first, then of any document), compared exactly and then folded."""
        clist = self.categories[list_name]
        if text in clist.code_set:
            return text
        return self._text_index(list_name, document).get(fold(text))

    def _text_index(self, list_name: str, document: str | None) -> dict[str, str]:
        key = (list_name, document)
        if key not in self._by_text:
            index: dict[str, str] = {}
            clist = self.categories[list_name]
            # weakest first: later entries win
            for code in clist.codes:
                for alias, docs in code.aliases.items():
                    if document is None or document not in docs:
                        index.setdefault(fold(alias), code.code)
            for code in clist.codes:
                index[fold(_CAMEL.sub(" ", code.code))] = code.code
                index[fold(code.label)] = code.code
            for code in clist.codes:
                for alias, docs in code.aliases.items():
                    if document is not None and document in docs:
                        index[fold(alias)] = code.code
                index[fold(code.code)] = code.code
            self._by_text[key] = index
        return self._by_text[key]

    # -- concept -> code ------------------------------------------------------------------------
    def concept_code(self, list_name: str, concept_id: str) -> str | None:
        """The code of ``list_name`` that means ``concept_id``, or of its nearest broader concept."""
        index = self._concept_index(list_name)
        scheme = builtin_scheme()
        frontier = [concept_id]
        seen: set[str] = set()
        while frontier:
            for cid in frontier:
                if cid in index:
                    return index[cid]
            seen.update(frontier)
            frontier = [
                b for cid in frontier if cid in scheme for b in scheme.get(cid).broader if b not in seen
            ]
        return None

    def _concept_index(self, list_name: str) -> dict[str, str]:
        if list_name not in self._by_concept:
            self._by_concept[list_name] = _build_concept_index(self, list_name)
        return self._by_concept[list_name]


def _build_concept_index(book: CodeBook, list_name: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for standard, code, concepts in _crosswalk_codes():
        if len(concepts) != 1:
            continue
        found = book.lookup(list_name, code, _document_of(standard))
        if found is not None:
            index.setdefault(concepts[0], found)
    # English labels of concepts equal to a code's label: the rest
    labels = book._text_index(list_name, None)
    for concept in builtin_scheme():
        if concept.id in index:
            continue
        english = [concept.pref_label.get("en", ""), *concept.alt_labels.get("en", ())]
        hits = {labels[fold(t)] for t in english if t and fold(t) in labels}
        if len(hits) == 1:
            index[concept.id] = hits.pop()
    return index


def _document_of(standard: str) -> str | None:
    return {"htcds-v2": "htcds2", "ctdc-kanon": "ctdc_v6", "ctdc-synthetic-2024": "ctdc_2024"}.get(
        standard, "ctdc_vp2022" if standard == "ctdc-vp-2022" else None
    )


@cache
def _crosswalk_codes() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """``(standard, code as written, concepts)`` for every exact or close mapping of the shipped
    crosswalks; flag fields contribute the code the case model gives the flag variable."""
    found: list[tuple[str, str, tuple[str, ...]]] = []
    for standard in _CROSSWALKS:
        walk = crosswalk(standard)
        flag_codes = _flag_codes(standard)
        for f in walk.fields.values():
            if f.kind == "flag" and f.mapping is not None and f.name in flag_codes:
                if f.mapping.match in ("exact", "close"):
                    found.append((standard, flag_codes[f.name], f.mapping.concepts))
                continue
            for code, mapping in f.values.items():
                if mapping.status == "present" and mapping.match in ("exact", "close"):
                    found.append((standard, code, mapping.concepts))
    return tuple(found)


def _flag_codes(standard: str) -> dict[str, str]:
    release = _FLAG_RELEASES.get(standard)
    if release is None:
        return {}
    fields: Iterable[tuple[str, str | None]] = (
        (name, mapped.code) for name, mapped in ctdc_field_map()[release].fields.items()
    )
    return {name: code for name, code in fields if code is not None}
