"""``ws.screening``: the screening capability of a workspace."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from palermo.errors import UnknownLanguageError
from palermo.screening import _history
from palermo.screening._assessment import Assessment
from palermo.screening._catalogue import builtin_catalogue_files, load_catalogue
from palermo.screening._engine import Engine
from palermo.screening._explain import Builder
from palermo.screening._history import Screening
from palermo.screening._input import parse
from palermo.screening._model import LANGUAGES, Catalogue, Indicator
from palermo.screening._referrals import ReferralTable, builtin_referrals, read_referrals
from palermo.screening._rulebook import rulebook

if TYPE_CHECKING:
    from palermo.workspace import Workspace


def _builtin_concept(concept_id: str) -> bool:
    from palermo.vocab import builtin_scheme

    return concept_id in builtin_scheme()


@lru_cache(maxsize=1)
def builtin_catalogue() -> Catalogue:
    """The catalogues shipped in the package (ILO-EC, ILO forced labour, Palermo act, smuggling,
    protection), read once and checked against the built-in vocabulary."""
    return load_catalogue(builtin_catalogue_files(), _builtin_concept, builtin=True)


@lru_cache(maxsize=1)
def _builtin_table() -> ReferralTable:
    return builtin_referrals(_builtin_concept)


@lru_cache(maxsize=8)
def _builder(catalogue: Catalogue, table: ReferralTable) -> Builder:
    return Builder(Engine(catalogue), table, rulebook())


class ScreeningNamespace:
    """Screen a person: indicators, assessment, protection needs, referrals and history.

    Works without a workspace too (``ScreeningNamespace()``) for everything but the stored history.
    """

    def __init__(self, ws: Workspace | None = None) -> None:
        self._ws = ws
        self._catalogue: Catalogue | None = None
        self._table: ReferralTable | None = None

    # -- catalogues and referral tables ---------------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        """The catalogue in use: the built-in one, extended by :meth:`load_catalogue`."""
        return self._catalogue if self._catalogue is not None else builtin_catalogue()

    @property
    def referrals(self) -> ReferralTable:
        """The referral table in use: the built-in one, or the one loaded by :meth:`load_referrals`."""
        return self._table if self._table is not None else _builtin_table()

    def _concept_exists(self, concept_id: str) -> bool:
        if self._ws is not None:
            return concept_id in self._ws.vocab.scheme
        return _builtin_concept(concept_id)

    def load_catalogue(self, path: str | Path) -> Catalogue:
        """Add an organisation's own indicators (a national referral mechanism's list, say) from a YAML
        file with the built-in schema. Every rule is checked first; a bad file raises
        :class:`~palermo.errors.CatalogueFileError` naming the file, the line and the rule, and the
        catalogue in use is left as it was. The built-in catalogue is never altered."""
        self._catalogue = load_catalogue([Path(path)], self._concept_exists, base=self.catalogue)
        return self._catalogue

    def load_referrals(self, path: str | Path) -> ReferralTable:
        """Replace the referral table with an organisation's own pathways (same schema as the
        built-in ``data/referrals.yaml``); a bad file changes nothing."""
        self._table = read_referrals(Path(path), self._concept_exists)
        return self._table

    def reset(self) -> None:
        """Back to the built-in catalogue and referral table."""
        self._catalogue = None
        self._table = None

    def indicators(self, stage: str | None = None, dimension: str | None = None) -> tuple[Indicator, ...]:
        """The indicators in use, optionally only those observable at ``stage`` or in ``dimension``."""
        return tuple(
            i
            for i in self.catalogue
            if (stage is None or stage in i.stages) and (dimension is None or i.dimension == dimension)
        )

    # -- assessing -------------------------------------------------------------------------------
    def assess(self, data: Mapping[str, Any], *, lang: str = "en") -> Assessment:
        """Assess one screening input (the JSON shape of ``palermo screen assess``).

        Bad input (unknown indicator ids, answers other than yes/no/unknown, impossible ages, facts
        that cannot both hold) raises :class:`~palermo.errors.ScreeningInputError` listing every
        problem; contradictions a worker may legitimately record are flagged in the assessment."""
        if lang not in LANGUAGES:
            raise UnknownLanguageError(f"unknown language '{lang[:10]}' (use {', '.join(LANGUAGES)})")
        builder = _builder(self.catalogue, self.referrals)
        return builder.build(parse(data, self.catalogue), lang)

    # -- history ---------------------------------------------------------------------------------
    def screen(
        self, case_id: str, data: Mapping[str, Any], *, screened_by: str | None = None, lang: str = "en"
    ) -> Screening:
        """Assess ``data`` for a case and store it. A later screening of the same case keeps the
        earlier answers (new answers replace them; unknown or missing ones keep them) and records
        what changed."""
        store = self._store()
        previous = _history.latest(store, case_id)
        merged = _history.merge(previous.answers, data) if previous else data
        result = self.assess(merged, lang=lang)
        answers = result.answers
        prev = {"answers": previous.answers, "assessment": previous.assessment} if previous else None
        changes = _history.diff(prev, answers, result)
        seq = previous.seq + 1 if previous else 1
        return _history.save(store, case_id, seq, answers, result, changes, screened_by)

    def history(self, case_id: str) -> tuple[Screening, ...]:
        """Every screening of a case, oldest first (NoScreeningError if none)."""
        return _history.history(self._store(), case_id)

    def _store(self) -> Any:
        if self._ws is None:
            from palermo.errors import ConfigError

            raise ConfigError("stored screenings need a workspace: use palermo.open(...).screening")
        return self._ws.store
