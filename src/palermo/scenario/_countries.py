"""Country codes and names as agencies write them: ISO alpha-2/alpha-3, English, French, Spanish."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry


@cache
def _translator(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_forms(alpha3: str, style: str) -> tuple[str, ...]:
    """The canonical form of a country in ``style`` first, then other spellings real files use."""
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return (alpha3,)
    if style == "alpha3":
        return (country.alpha_3,)
    if style == "alpha2":
        return (country.alpha_2,)
    names = [getattr(country, "common_name", None), country.name, getattr(country, "official_name", None)]
    english = [n for n in dict.fromkeys(names) if n]
    if style == "name_en":
        return tuple(english)
    lang = style.removeprefix("name_")
    translated = [
        _translator(lang).gettext(n) for n in (country.name, getattr(country, "official_name", None)) if n
    ]
    common = getattr(country, "common_name", None)
    if common:
        translated.insert(0, _translator(lang).gettext(common))
    return tuple(dict.fromkeys(t for t in translated if t))
