"""Country names and codes as files write them, to ISO 3166-1 alpha-3.

Resolution, first hit wins: the variants real files use (``data/countries.yaml``: "Viet Nam",
"Congo, Dem. Rep.", "Kosovo" …); an ISO alpha-2, alpha-3 or numeric code; a country name, short,
official or common, in the mapping's language and then in any of the languages below (pycountry's
ISO 3166 translations; a name that means two countries in two languages is left out of the
any-language index); the same after rewriting "Bolivia (Plurinational State of)" as
"Bolivia, Plurinational State of"; the same after repairing UTF-8 text that was decoded as
Latin-1 ("CÃ´te d'Ivoire"). No fuzzy matching: "Niger" is not "Nigeria".
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

import pycountry
import yaml

from palermo.ingest._codes import fold

LANGUAGES = ("en", "fr", "es", "pt", "it", "de", "nl", "ro", "ru", "uk", "bg", "ar", "vi", "th", "tr", "pl")
"""Languages whose country names are always recognised (a mapping's ``lang`` adds its own)."""

KOSOVO = "XKX"
_PAREN = re.compile(r"^(?P<head>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")


@cache
def variants() -> dict[str, str]:
    """Folded variant -> code, from ``data/countries.yaml``."""
    text = resources.files("palermo.ingest").joinpath("data", "countries.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {fold(str(k)): str(v) for k, v in raw["variants"].items()}


@cache
def _codes() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    alpha2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    alpha3 = frozenset(c.alpha_3 for c in pycountry.countries)
    numeric = {c.numeric: c.alpha_3 for c in pycountry.countries}
    return alpha2, alpha3, numeric


@cache
def names(lang: str) -> dict[str, str]:
    """Folded country name in ``lang`` -> alpha-3 (names meaning two countries are left out)."""
    translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
    found: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            english = getattr(country, attr, None)
            if not english:
                continue
            for text in {english if lang == "en" else translate.gettext(english)}:
                found.setdefault(fold(text), set()).add(country.alpha_3)
    return {key: codes.pop() for key, codes in found.items() if len(codes) == 1 and key}


@cache
def _any_language() -> dict[str, str]:
    merged: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for key, code in names(lang).items():
            merged.setdefault(key, set()).add(code)
    return {key: codes.pop() for key, codes in merged.items() if len(codes) == 1}


def _direct(text: str, lang: str | None) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    found = variants().get(folded)
    if found is not None:
        return found
    alpha2, alpha3, numeric = _codes()
    bare = text.strip()
    if len(bare) == 2 and bare.isalpha() and bare.upper() in alpha2:
        return alpha2[bare.upper()]
    if len(bare) == 3 and bare.isalpha() and (bare.upper() in alpha3 or bare.upper() == KOSOVO):
        return bare.upper()
    if len(bare) == 3 and bare.isdigit():
        return numeric.get(bare)
    if lang is not None and lang != "en":
        found = names(lang).get(folded)
        if found is not None:
            return found
    return names("en").get(folded) or _any_language().get(folded)


def resolve_country(text: str, lang: str | None = None) -> str | None:
    """The ISO 3166-1 alpha-3 code (or XKX for Kosovo) that ``text`` names, or None."""
    found = _direct(text, lang)
    if found is not None:
        return found
    match = _PAREN.match(text.strip())
    if match is not None:
        found = _direct(f"{match['head']}, {match['inner']}", lang) or _direct(match["head"], lang)
        if found is not None:
            return found
    for wrong in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(wrong).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != text:
            return resolve_country(repaired, lang)
    return None


class CountryResolver:
    """Resolves and caches country values for one mapping column (with its overrides)."""

    def __init__(self, lang: str | None, overrides: Mapping[str, str]) -> None:
        self.lang = lang
        self.overrides = dict(overrides)
        self._cache: dict[str, str | None] = {}

    def __call__(self, text: str) -> str | None:
        if text not in self._cache:
            code = resolve_country(text, self.lang)
            self._cache[text] = self.overrides.get(code, code) if code is not None else None
        return self._cache[text]
