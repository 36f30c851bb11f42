"""``ws.vocab``: the concept scheme as the workspace sees it (built-in, plus any custom file loaded)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from palermo.errors import UnknownTermError, UnsupportedFormatError
from palermo.vocab._builtin import builtin_crosswalks, builtin_scheme, get_crosswalk
from palermo.vocab._crosswalk import Crosswalk
from palermo.vocab._model import Concept, Scheme
from palermo.vocab._normalise import DEFAULT_THRESHOLD, Match, Normaliser
from palermo.vocab._tables import Divergences, codes_of, divergences, to_csv

if TYPE_CHECKING:
    from palermo.errors import Problem
    from palermo.workspace import Workspace

EXPORT_FORMATS = ("turtle", "jsonld", "csv")


class VocabNamespace:
    """The vocabulary capability of a workspace.

    Nothing is read until first used: the built-in scheme loads on the first lookup, the label index
    on the first normalisation, rdflib on the first SKOS export. No network is used.
    """

    def __init__(self, ws: Workspace | None = None, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._ws = ws
        self._threshold = threshold
        self._custom: Scheme | None = None
        self._normaliser: Normaliser | None = None

    # -- the scheme ------------------------------------------------------------------------------
    @property
    def scheme(self) -> Scheme:
        """The scheme in use: the built-in one, or the built-in one extended by :meth:`load`."""
        return self._custom if self._custom is not None else builtin_scheme()

    def load(self, path: str | Path) -> Scheme:
        """Extend the scheme with a custom YAML file (new sources, concepts, extra labels).

        Every rule is checked first; a malformed file raises
        :class:`~palermo.errors.VocabularyFileError` naming the file, the line and the rule, and the
        scheme in use is left exactly as it was. The built-in scheme itself is never altered.
        """
        from palermo.vocab._customfile import read_custom

        scheme = read_custom(Path(path), self.scheme)
        self._custom = scheme
        self._normaliser = None
        return scheme

    def reset(self) -> None:
        """Forget custom files: back to the built-in scheme."""
        self._custom = None
        self._normaliser = None

    def get(self, concept_id: str) -> Concept:
        """The concept with this id (:class:`~palermo.errors.UnknownTermError` if none)."""
        return self.scheme.get(concept_id)

    def narrower(self, concept_id: str, *, transitive: bool = True) -> tuple[Concept, ...]:
        """The concepts under ``concept_id`` (all levels by default; ``transitive=False``: one level)."""
        return self.scheme.narrower(concept_id, transitive=transitive)

    def is_under(self, concept_id: str, ancestor_id: str) -> bool:
        """Whether ``concept_id`` is ``ancestor_id`` or sits somewhere under it."""
        return self.scheme.is_under(concept_id, ancestor_id)

    # -- text to concept -------------------------------------------------------------------------
    def _index(self) -> Normaliser:
        if self._normaliser is None:
            self._normaliser = Normaliser(self.scheme, self._threshold)
        return self._normaliser

    def normalise(
        self, text: str, lang: str | None = None, *, threshold: float | None = None
    ) -> Match | None:
        """The concept that ``text`` names, or None when nothing scores at least the threshold.

        Labels in every language are tried first, exactly and then folded (case, accents,
        punctuation, word order, plurals, small words); with ``lang`` that language is tried before
        the others. Then fuzzy matching (rapidfuzz) over the folded labels, in ``lang`` only when it
        is given. Empty text raises :class:`~palermo.errors.EmptyTermError`, an unknown language code
        :class:`~palermo.errors.UnknownLanguageError`.
        """
        return self._index().normalise(text, lang, threshold)

    def search(self, text: str, lang: str | None = None, limit: int = 10) -> list[Match]:
        """Concepts whose labels resemble ``text``, best first (for people browsing, not for coding)."""
        return self._index().search(text, lang, limit)

    def resolve(self, id_or_term: str, lang: str | None = None) -> Concept:
        """A concept id, or else a term normalised to a concept; UnknownTermError if neither."""
        if id_or_term in self.scheme:
            return self.scheme.get(id_or_term)
        match = self.normalise(id_or_term, lang)
        if match is None:
            raise UnknownTermError("no concept has this id, and the term matches no concept")
        return match.concept

    # -- crosswalks ------------------------------------------------------------------------------
    def crosswalks(self) -> Mapping[str, Crosswalk]:
        """Every shipped crosswalk by standard name."""
        return builtin_crosswalks()

    def crosswalk(self, standard: str) -> Crosswalk:
        """The crosswalk of one standard (UnknownCrosswalkError if none is shipped)."""
        return get_crosswalk(standard)

    def codes(self, concept_id: str) -> list[str]:
        """``standard:field[=code]`` for every code in the shipped standards that means this concept."""
        self.get(concept_id)
        return codes_of(concept_id, builtin_crosswalks().values())

    # -- views and exports -----------------------------------------------------------------------
    def divergences(self, id_or_term: str, lang: str | None = None) -> Divergences:
        """Each source's definition of the concept, side by side, with the scope note."""
        return divergences(self.scheme, self.resolve(id_or_term, lang).id)

    def export(self, fmt: str, path: str | Path | None = None) -> str:
        """The scheme as SKOS Turtle (``turtle``), SKOS JSON-LD (``jsonld``) or CSV (``csv``).

        Returns the text and, with ``path``, also writes it there (UTF-8).
        """
        key = fmt.strip().lower()
        walks = builtin_crosswalks().values()
        if key == "csv":
            text = to_csv(self.scheme, walks)
        elif key in ("turtle", "ttl", "jsonld", "json-ld"):
            from palermo.vocab._skos import serialise

            text = serialise(self.scheme, key, walks)
        else:
            raise UnsupportedFormatError(
                f"unknown export format '{fmt[:20]}' (use {', '.join(EXPORT_FORMATS)})"
            )
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def check(self) -> list[Problem]:
        """SKOS integrity problems of the scheme in use (empty when it passes)."""
        from palermo.vocab._skos import check_graph, to_graph

        return check_graph(to_graph(self.scheme))

    @staticmethod
    def import_skos(text: str, fmt: str = "turtle") -> Scheme:
        """A scheme read back from SKOS text written by :meth:`export` (integrity-checked)."""
        from palermo.vocab._skos import from_graph, parse

        return from_graph(parse(text, fmt))
