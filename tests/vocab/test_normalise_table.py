"""The multilingual normalisation table: real-world spellings of the terms practitioners use.

Collected from the Protocols' French and Spanish texts, agency jargon (UASC, MNA, VoT, THB),
regional words (coyote, pollero, coyotaje), discouraged terms still found in records ("illegal
immigration"), the codebooks' labels, and common misspellings. Each row: text, language hint (or
None), expected concept id (None = must be "no match").
"""

from __future__ import annotations

import pytest

from palermo.vocab import VocabNamespace

TABLE: list[tuple[str, str | None, str | None]] = [
    # English: crimes and people
    ("Human Trafficking", None, "trafficking-in-persons"),
    ("trafficking in human beings", None, "trafficking-in-persons"),
    ("THB", None, "trafficking-in-persons"),
    ("trafficking of persons", None, "trafficking-in-persons"),
    ("Trafficking-in-Persons", None, "trafficking-in-persons"),
    ("persons trafficking", None, "trafficking-in-persons"),
    ("traficking in persons", None, "trafficking-in-persons"),
    ("trafficking in persns", None, "trafficking-in-persons"),
    ("migrant smuggling", None, "smuggling-of-migrants"),
    ("people smuggling", None, "smuggling-of-migrants"),
    ("Smuggling of Migrant", None, "smuggling-of-migrants"),
    ("human smuggling", None, "smuggling-of-migrants"),
    ("smugling of migrants", None, "smuggling-of-migrants"),
    ("irregular migration", "en", "irregular-migration"),
    ("illegal immigration", None, "irregular-migration"),
    ("undocumented migrant", None, "irregular-migrant"),
    ("illegal aliens", None, "irregular-migrant"),
    ("UASC", None, "unaccompanied-or-separated-child"),
    ("unaccompanied minors", None, "unaccompanied-child"),
    ("UAM", None, "unaccompanied-child"),
    ("separated children", None, "separated-child"),
    ("asylum-seekers", None, "asylum-seeker"),
    ("asylum seekr", None, "asylum-seeker"),
    ("refugees", None, "refugee"),
    ("stateless persons", None, "stateless-person"),
    ("IDPs", None, "internally-displaced-person"),
    ("victims of trafficking", None, "victim-of-trafficking"),
    ("trafficked persons", None, "victim-of-trafficking"),
    ("VoT", None, "victim-of-trafficking"),
    ("survivor of trafficking", None, "victim-of-trafficking"),
    ("presumed trafficking victim", None, "presumed-victim-of-trafficking"),
    ("potential victim of trafficking", None, "presumed-victim-of-trafficking"),
    ("possible victim of trafficking", None, "presumed-victim-of-trafficking"),
    ("minor", None, "child-under-18"),
    ("children", None, "child-under-18"),
    ("unacompanied child", None, "unaccompanied-child"),
    # English: exploitation and control
    ("forced labor", None, "forced-labour-or-services"),
    ("Forced Labour", None, "forced-labour-or-services"),
    ("forced labur", None, "forced-labour-or-services"),
    ("bonded labour", None, "debt-bondage"),
    ("debt bondadge", None, "debt-bondage"),
    ("labour exploitation", None, "labour-exploitation"),
    ("labor exploitation", None, "labour-exploitation"),
    ("sex trafficking", None, "trafficking-for-sexual-exploitation"),
    ("labour trafficking", None, "trafficking-for-forced-labour"),
    ("sexual exploitation", None, "sexual-exploitation"),
    ("forced prostitution", None, "exploitation-of-the-prostitution-of-others"),
    ("organ harvesting", None, "removal-of-organs"),
    ("forced marriage", None, "forced-marriage"),
    ("forced begging", None, "forced-begging"),
    ("forced criminality", None, "forced-criminality"),
    ("child soldiers", None, "child-soldiering"),
    ("CAAFAG", None, "child-soldiering"),
    ("domestic servitude", None, "domestic-servitude"),
    ("modern slavery", None, "modern-slavery"),
    ("modern-day slavery", None, "modern-slavery"),
    ("passport confiscation", None, "retention-of-identity-documents"),
    ("withholding of wages", None, "withholding-of-wages"),
    ("Takes/Withholds Earnings", None, "withholding-of-wages"),
    ("excessive working hours", None, "excessive-overtime"),
    ("restriction of movement", None, "restriction-of-movement"),
    ("threats", None, "intimidation-and-threats"),
    ("abuse of vulnerability", None, "abuse-of-vulnerability"),
    ("abuse of a position of vulnerability", None, "abuse-of-a-position-of-vulnerability"),
    ("deception", None, "deception"),
    ("kidnapping", None, "abduction"),
    ("recruitment", None, "recruitment"),
    ("harboring", None, "harbouring"),
    # English: actors, sectors, needs, stages
    ("smugglers", None, "smuggler"),
    ("coyote", "en", "smuggler"),
    ("snakehead", None, "smuggler"),
    ("recruiters", None, "recruiter"),
    ("exploiter", None, "exploiter"),
    ("domestic work", None, "isic-t-households-as-employers"),
    ("construction", "en", "isic-f-construction"),
    ("fishing", None, "fishing-and-aquaculture"),
    ("hospitality", None, "isic-i-accommodation-and-food"),
    ("woman at risk", None, "woman-at-risk"),
    ("pregnant women", None, "pregnancy"),
    ("persons with disabilities", None, "disability"),
    ("torture survivor", None, "survivor-of-torture"),
    ("single mother", None, "single-parent"),
    ("country of origin", None, "origin"),
    ("transit country", None, "transit"),
    ("country of destination", None, "destination"),
    ("NGO", "en", "ngo"),
    ("police", "en", "law-enforcement-agency"),
    # French
    ("traite des êtres humains", "fr", "trafficking-in-persons"),
    ("traite des etres humains", None, "trafficking-in-persons"),
    ("Traite des Personnes", "fr", "trafficking-in-persons"),
    ("trafic illicite de migrants", "fr", "smuggling-of-migrants"),
    ("trafic de migrants", None, "smuggling-of-migrants"),
    ("passeurs", "fr", "smuggler"),
    ("travail forcé", "fr", "forced-labour-or-services"),
    ("travaux forcés", None, "forced-labour-or-services"),
    ("servitude pour dettes", "fr", "debt-bondage"),
    ("exploitation sexuelle", "fr", "sexual-exploitation"),
    ("mariage forcé", "fr", "forced-marriage"),
    ("mendicité forcée", "fr", "forced-begging"),
    ("mineurs non accompagnés", "fr", "unaccompanied-child"),
    ("MNA", "fr", "unaccompanied-child"),
    ("demandeurs d'asile", "fr", "asylum-seeker"),
    ("réfugiés", "fr", "refugee"),
    ("apatrides", "fr", "stateless-person"),
    ("victime de la traite", "fr", "victim-of-trafficking"),
    ("victimes de traite", "fr", "victim-of-trafficking"),
    ("exploitation par le travail", "fr", "labour-exploitation"),
    ("esclavage moderne", "fr", "modern-slavery"),
    ("prélèvement d'organes", "fr", "removal-of-organs"),
    ("migration irrégulière", "fr", "irregular-migration"),
    ("sans-papiers", "fr", "irregular-migrant"),
    ("enfants soldats", "fr", "child-soldiering"),
    ("femme enceinte", "fr", "pregnancy"),
    ("pays d'origine", "fr", "origin"),
    ("transport", "fr", "transportation"),
    # Spanish
    ("trata de personas", "es", "trafficking-in-persons"),
    ("trata de seres humanos", "es", "trafficking-in-persons"),
    ("tráfico ilícito de migrantes", "es", "smuggling-of-migrants"),
    ("trafico de migrantes", None, "smuggling-of-migrants"),
    ("coyotaje", "es", "smuggling-of-migrants"),
    ("víctimas de trata", "es", "victim-of-trafficking"),
    ("trabajo forzoso", "es", "forced-labour-or-services"),
    ("trabajos forzados", "es", "forced-labour-or-services"),
    ("explotación laboral", "es", "labour-exploitation"),
    ("explotacion sexual", "es", "sexual-exploitation"),
    ("matrimonio forzado", "es", "forced-marriage"),
    ("menores no acompañados", "es", "unaccompanied-child"),
    ("niños no acompañados", "es", "unaccompanied-child"),
    ("solicitantes de asilo", "es", "asylum-seeker"),
    ("refugiados", "es", "refugee"),
    ("apátridas", "es", "stateless-person"),
    ("servidumbre por deudas", "es", "debt-bondage"),
    ("extracción de órganos", "es", "removal-of-organs"),
    ("mendicidad forzada", "es", "forced-begging"),
    ("trabajo infantil", "es", "child-labour"),
    ("trabajo doméstico", "es", "isic-t-households-as-employers"),
    ("esclavitud moderna", "es", "modern-slavery"),
    ("migración irregular", "es", "irregular-migration"),
    ("desplazados internos", "es", "internally-displaced-person"),
    ("tratante", "es", "trafficker"),
    ("pollero", "es", "smuggler"),
    ("niñas, niños y adolescentes", "es", "child-under-18"),
    ("transporte", "es", "transportation"),
    # Arabic, Russian, Chinese
    ("торговля людьми", "ru", "trafficking-in-persons"),
    ("Торговля Людьми", None, "trafficking-in-persons"),
    ("贩运人口", "zh", "trafficking-in-persons"),
    ("偷运移民", "zh", "smuggling-of-migrants"),
    ("الاتجار بالأشخاص", "ar", "trafficking-in-persons"),
    ("беженец", "ru", "refugee"),
    ("难民", None, "refugee"),
    ("لاجئ", None, "refugee"),
    # Not vocabulary: no match rather than a guess
    ("weather forecast", None, None),
    ("banana bread recipe", None, None),
    ("quarterly budget report", "en", None),
    ("xyz", None, None),
    ("forced labour exploitation survey", None, None),
]


def test_the_table_has_at_least_100_real_world_variants() -> None:
    matched = [row for row in TABLE if row[2] is not None]
    assert len(matched) >= 100
    assert len({text for text, _, _ in TABLE}) == len(TABLE)
    assert {lang for _, lang, _ in TABLE} >= {None, "en", "fr", "es", "ar", "ru", "zh"}


@pytest.fixture(scope="module")
def vocab() -> VocabNamespace:
    return VocabNamespace()


@pytest.mark.parametrize(("text", "lang", "expected"), TABLE, ids=[t for t, _, _ in TABLE])
def test_normalise(vocab: VocabNamespace, text: str, lang: str | None, expected: str | None) -> None:
    match = vocab.normalise(text, lang)
    got = None if match is None else match.concept.id
    assert got == expected
    if match is not None:
        assert 0.86 <= match.score <= 1.0
