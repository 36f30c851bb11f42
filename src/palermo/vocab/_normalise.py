"""Map free text to the best concept: labels first (exact, then folded), then fuzzy matching.

The index is built on first use from the scheme's labels; nothing is fetched from the network.
Below the threshold the answer is "no match" (``None``) rather than a guess.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from palermo.errors import EmptyTermError, UnknownLanguageError
from palermo.vocab._folding import bag_key, exact_key
from palermo.vocab._model import LANGUAGES, Concept, Scheme

#: Default lowest fuzzy score (0–1) that still counts as a match.
DEFAULT_THRESHOLD = 0.86
#: Texts longer than this are not fuzzy-matched (no label is that long; it would only guess).
MAX_FUZZY_LENGTH = 160
#: Short texts need a closer fuzzy match: one letter changes the meaning of a short word more often
#: ("exploited" is not "exploiter").
SHORT_TEXT = 10
SHORT_THRESHOLD = 0.92
_RANK = {"pref": 0, "alt": 1, "hidden": 2}
_NONE: Mapping[str | None, None] = {}
_CACHE_SIZE = 65536


@dataclass(frozen=True)
class Match:
    """The concept a text was mapped to, how (``label``, ``folded`` or ``fuzzy``) and how surely."""

    concept: Concept
    score: float
    method: str
    label: str
    lang: str

    def to_json(self) -> dict[str, object]:
        """The shape the CLI prints: ``{"concept": id, "pref_label": {...}, "score": float}``."""
        return {"concept": self.concept.id, "pref_label": dict(self.concept.pref_label), "score": self.score}


@dataclass(frozen=True)
class _Entry:
    rank: int
    lang: str
    concept_id: str
    label: str


def check_language(lang: str | None) -> str | None:
    """``lang`` in lower case, or UnknownLanguageError if the scheme has no labels in it."""
    if lang is None:
        return None
    code = lang.strip().lower()
    if code not in LANGUAGES:
        raise UnknownLanguageError(
            f"unknown language code '{lang[:12]}' (the scheme has labels in {', '.join(LANGUAGES)})"
        )
    return code


def _best(entries: Iterable[_Entry], lang: str | None) -> _Entry | None:
    """The highest-ranked entry (pref before alt before hidden); None if two concepts tie."""
    pool = [e for e in entries if lang is None or e.lang == lang]
    if not pool:
        return None
    top = min(e.rank for e in pool)
    winners = {e.concept_id for e in pool if e.rank == top}
    if len(winners) > 1:
        return None
    return min((e for e in pool if e.rank == top), key=lambda e: (e.lang != "en", e.label))


class _Choices:
    """Fuzzy-match candidates (bag keys) sorted by length, so a query only meets keys whose length
    lets them reach the cutoff (fuzz.ratio <= 2 * shorter / (sum of lengths))."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(set(keys), key=len)
        self.lengths = [len(k) for k in self.keys]

    def within(self, length: int, cutoff: float) -> list[str]:
        low = math.ceil(length * cutoff / (2 - cutoff) - 1e-9)
        high = math.floor(length * (2 - cutoff) / cutoff + 1e-9)
        return self.keys[bisect_left(self.lengths, low) : bisect_right(self.lengths, high)]


class Normaliser:
    """Label index over a scheme, with a bounded cache of recent answers."""

    def __init__(self, scheme: Scheme, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.scheme = scheme
        self.threshold = threshold
        self._exact: dict[str, list[_Entry]] = {}
        self._bag: dict[str, list[_Entry]] = {}
        for concept in scheme:
            for kind, lang, text in concept.labels():
                entry = _Entry(_RANK[kind], lang, concept.id, text)
                key = exact_key(text)
                if key:
                    self._exact.setdefault(key, []).append(entry)
                    self._bag.setdefault(bag_key(key), []).append(entry)
        # the winner of every key, for any language (None) and for each language: lookups are dict gets
        self._exact_best = {k: self._winners(es) for k, es in self._exact.items()}
        self._bag_best = {k: self._winners(es) for k, es in self._bag.items()}
        self._choices: dict[str | None, _Choices] = {None: _Choices(self._bag)}
        for lang in LANGUAGES:
            self._choices[lang] = _Choices(
                k for k, es in self._bag.items() if any(e.lang == lang for e in es)
            )
        self._cache: dict[tuple[str, str | None, float], Match | None] = {}

    @staticmethod
    def _winners(entries: list[_Entry]) -> dict[str | None, _Entry | None]:
        return {lang: _best(entries, lang) for lang in (None, *{e.lang for e in entries})}

    def ambiguous_labels(self) -> list[tuple[str, tuple[str, ...]]]:
        """Keys under which two concepts tie (same rank, in one language or across all): never matched."""
        found = set()
        for index in (self._exact, self._bag):
            for key, entries in index.items():
                for lang in (None, *{e.lang for e in entries}):
                    pool = [e for e in entries if lang is None or e.lang == lang]
                    top = min(e.rank for e in pool)
                    owners = tuple(sorted({e.concept_id for e in pool if e.rank == top}))
                    if len(owners) > 1:
                        found.add((f"{lang or '*'}:{key}", owners))
        return sorted(found)

    def normalise(self, text: str, lang: str | None = None, threshold: float | None = None) -> Match | None:
        """The best concept for ``text`` or None below the threshold. See :meth:`VocabNamespace.normalise`."""
        if lang is not None:
            lang = check_language(lang)
        cutoff = self.threshold if threshold is None else threshold
        cache_key = (text, lang, cutoff)
        try:
            return self._cache[cache_key]
        except KeyError:
            pass
        result = self._normalise(text, lang, cutoff)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _normalise(self, text: str, lang: str | None, cutoff: float) -> Match | None:
        exact = exact_key(text) if isinstance(text, str) else ""
        if not exact:
            raise EmptyTermError("the term is empty (no letters or digits)")
        query = ""
        langs: tuple[str | None, ...] = (lang, None) if lang is not None else (None,)
        for wanted in langs:
            entry = self._exact_best.get(exact, _NONE).get(wanted)
            if entry is not None:
                method = "label" if entry.label == text.strip() else "folded"
                return Match(self.scheme.get(entry.concept_id), 1.0, method, entry.label, entry.lang)
            query = query or bag_key(exact)
            entry = self._bag_best.get(query, _NONE).get(wanted)
            if entry is not None:
                return Match(self.scheme.get(entry.concept_id), 1.0, "folded", entry.label, entry.lang)
        if len(exact) > MAX_FUZZY_LENGTH:
            return None
        if len(query) <= SHORT_TEXT:
            cutoff = max(cutoff, SHORT_THRESHOLD)
        choices = self._choices[lang].within(len(query), cutoff)
        hit = process.extractOne(query, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff * 100)
        if hit is None:
            return None
        entry = self._bag_best[hit[0]].get(lang)
        if entry is None:
            return None
        score = min(round(hit[1] / 100, 4), 0.99)
        return Match(self.scheme.get(entry.concept_id), score, "fuzzy", entry.label, entry.lang)

    def search(self, text: str, lang: str | None = None, limit: int = 10) -> list[Match]:
        """Up to ``limit`` concepts whose labels resemble ``text``, best first, one entry per concept."""
        lang = check_language(lang)
        exact = exact_key(text) if isinstance(text, str) else ""
        if not exact:
            raise EmptyTermError("the term is empty (no letters or digits)")
        found: dict[str, Match] = {}
        first = self.normalise(text, lang)
        if first is not None:
            found[first.concept.id] = first
        hits = process.extract(
            exact, list(self._exact), scorer=fuzz.WRatio, processor=None, limit=limit * 8, score_cutoff=60
        )
        for key, score, _ in hits:
            for entry in sorted(self._exact[key], key=lambda e: e.rank):
                if lang is not None and entry.lang != lang:
                    continue
                if entry.concept_id not in found:
                    found[entry.concept_id] = Match(
                        self.scheme.get(entry.concept_id),
                        min(round(score / 100, 4), 0.99),
                        "fuzzy",
                        entry.label,
                        entry.lang,
                    )
        ranked = sorted(found.values(), key=lambda m: (-m.score, m.concept.id))
        return ranked[:limit]
