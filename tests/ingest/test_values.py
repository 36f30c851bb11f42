"""Values as real files write them: countries, age bands, flags in several languages, dates."""

from __future__ import annotations

import pytest

from palermo.ingest._countries import resolve_country
from palermo.ingest._mapping import flag_conventions
from palermo.ingest._transforms import band
from palermo.scenario._countries import country_forms
from palermo.scenario._params import load_world


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Viet Nam", "VNM"), ("Vietnam", "VNM"), ("Côte d'Ivoire", "CIV"), ("COTE D IVOIRE", "CIV"),
        ("Congo, Dem. Rep.", "COD"), ("Congo, Rep.", "COG"), ("Kosovo", "XKX"), ("Dem. Rep. of the Congo", "COD"),
        ("Bolivia (Plurinational State of)", "BOL"), ("CÃ´te d'Ivoire", "CIV"), ("TÃ¼rkiye", "TUR"),
        ("CO", "COL"), ("md", "MDA"), ("ROU", "ROU"), ("840", "USA"), ("Niger", "NER"), ("Nigeria", "NGA"),
        ("Allemagne", "DEU"), ("Alemania", "DEU"), ("Marruecos", "MAR"), ("China, Taiwan Province of China", "TWN"),
        ("Atlantis", None), ("Abroad", None), ("ZZ", None), ("Sark", None),
    ],
)  # fmt: skip
def test_countries(text: str, code: str | None) -> None:
    assert resolve_country(text) == code


def test_every_country_form_of_the_scenario_resolves() -> None:
    world = load_world()
    for country in world.countries:
        for style in ("alpha2", "alpha3", "name_en", "name_fr", "name_es"):
            for form in country_forms(country, style):
                lang = style.removeprefix("name_") if style.startswith("name_") else None
                assert resolve_country(form, lang) == country, (style, form)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("0—8", "0--8"),
        ("09--17", "9--17"),
        ("18-20", "18--20"),
        ("30 – 38", "30--38"),
        ("48+", "48+"),
        ("0--29", "0--29"),
    ],
)
def test_age_bands(written: str, code: str) -> None:
    assert band(written) == code


@pytest.mark.parametrize("word", ["yes", "Oui", "sí", "SI", "sim", "ja", "да", "نعم", "是", "1", "true", "x"])
def test_yes_in_several_languages(word: str) -> None:
    assert word.casefold() in flag_conventions()["yes_no"].present


@pytest.mark.parametrize("word", ["no", "Non", "não", "nein", "нет", "لا", "否", "0", "false"])
def test_no_in_several_languages(word: str) -> None:
    assert word.casefold() in flag_conventions()["yes_no"].absent
