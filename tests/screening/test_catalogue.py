"""The catalogues as shipped: counts, languages, concepts, sources, verification marks; custom
catalogues and referral tables with their errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from palermo import vocab
from palermo.errors import CatalogueFileError
from palermo.screening import DIMENSIONS, LANGUAGES, POPULATIONS, ScreeningNamespace, builtin_catalogue

CAT = builtin_catalogue()


def test_ilo_ec_adult_labour_counts_per_dimension() -> None:
    counts = Counter(i.dimension for i in CAT if i.dimension in DIMENSIONS)
    assert [counts[d] for d in DIMENSIONS] == [10, 10, 16, 9, 15, 7]
    adult = Counter(i.dimension for i in CAT if i.strength.get("adult_labour"))
    assert [adult[d] for d in DIMENSIONS] == [10, 10, 16, 9, 15, 7]
    # two indicators are absent from the child labour list (as read in the secondary tabulation)
    assert sorted(i.id for i in CAT if i.dimension in DIMENSIONS and not i.strength.get("child_labour")) == [
        "iloec.ex.social-protection",
        "iloec.vr.false-law",
    ]


def test_sexual_exploitation_strengths_are_never_invented() -> None:
    for ind in CAT:
        assert ind.strength.get("adult_sexual") is None and ind.strength.get("child_sexual") is None
    assert dict(CAT.fallback) == {"adult_sexual": "adult_labour", "child_sexual": "child_labour"}


def test_every_ilo_ec_entry_is_marked_unverified() -> None:
    delphi = [i for i in CAT if i.dimension in DIMENSIONS]
    assert delphi and all(not i.verified and i.source == "ilo-ec-delphi-2009" for i in delphi)
    assert all(i.note for i in delphi)


def test_families_and_counts() -> None:
    counts = Counter(i.dimension for i in CAT)
    assert counts["forced_labour"] == 11
    assert counts["act"] == 3
    assert counts["smuggling"] == 5
    assert counts["protection"] == 11
    assert len(CAT) == 67 + 11 + 3 + 5 + 11
    needs = {i.need for i in CAT if i.dimension == "protection"}
    assert needs == {
        "unaccompanied-or-separated-child",
        "age-uncertain",
        "woman-at-risk",
        "older-person-at-risk",
        "disability",
        "serious-medical-condition",
        "pregnancy",
        "survivor-of-violence-or-torture",
        "single-parent",
        "asylum-claim-expressed",
    }


def test_every_entry_is_complete() -> None:
    scheme = vocab.builtin_scheme()
    for ind in CAT:
        assert ind.id and ind.label and ind.date and ind.source in CAT.sources, ind.id
        assert set(ind.question) == set(LANGUAGES) and all(ind.question[lang].strip() for lang in LANGUAGES)
        assert ind.stages and ind.concept in scheme, ind.id
        for ref in ind.derived_from:
            assert ref in CAT
    ids = [i.id for i in CAT]
    assert len(ids) == len(set(ids))


def test_json_shape_of_an_indicator() -> None:
    data = CAT.get("iloec.ex.hours").to_json()
    assert {"id", "label", "dimension", "strength", "verified", "source"} <= set(data)
    assert set(data["strength"]) == set(POPULATIONS)
    assert data["strength"]["adult_labour"] == "strong" and data["verified"] is False


def test_every_referral_and_need_rule_names_a_concept() -> None:
    table = ScreeningNamespace().referrals
    scheme = vocab.builtin_scheme()
    assert all(k.concept in scheme for k in table.kinds.values())
    assert {r.need for r in table.rules} >= {i.need for i in CAT if i.need}
    assert {"trafficking-presumed", "trafficking-possible", "smuggled-migrant"} <= table.needs()
    kinds = set(table.kinds)
    assert {
        "child-protection",
        "shelter",
        "medical-care",
        "psychosocial-support",
        "legal-aid",
        "asylum-procedure",
        "consular-assistance",
        "law-enforcement",
    } <= kinds
    adult = [
        s
        for r in table.rules
        if r.need == "trafficking-presumed" and r.applies_to == "adult"
        for s in r.refer
    ]
    assert [s.consent_required for s in adult if s.to == "law-enforcement"] == [True]


CUSTOM = """\
sources:
  - {id: nrm-xy-2024, title: National referral mechanism indicator list, publisher: Ministry, date: "2024"}
catalogue: {id: nrm-xy, title: Our national list, source: nrm-xy-2024, date: "2024", verified: true}
groups:
  - dimension: coercion_at_destination
    stages: [destination]
    indicators:
      - id: nrm.xy.phone-taken
        label: Mobile phone taken away
        concept: isolation
        strength: {adult_labour: strong, adult_sexual: strong}
        source: nrm-xy-2024
        date: "2024"
        verified: true
        question: {en: Has your phone been taken?, fr: A-t-on pris votre téléphone ?, es: ¿Le quitaron el teléfono?}
"""


def test_load_own_catalogue_extends_without_altering_builtin(tmp_path: Path) -> None:
    path = tmp_path / "nrm.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    ns = ScreeningNamespace()
    before = len(builtin_catalogue())
    cat = ns.load_catalogue(path)
    assert len(cat) == before + 1 and "nrm.xy.phone-taken" in cat
    assert len(builtin_catalogue()) == before and "nrm.xy.phone-taken" not in builtin_catalogue()
    data = {
        "person": {"age": 30},
        "stage": "destination",
        "exploitation": "sexual",
        "indicators": {"nrm.xy.phone-taken": "yes", "iloec.cd.documents": "yes"},
    }
    assert ns.assess(data).dimensions["coercion_at_destination"]  # the organisation's own strength counts
    with pytest.raises(Exception, match="unknown indicator"):
        ScreeningNamespace().assess(data)
    ns.reset()
    assert "nrm.xy.phone-taken" not in ns.catalogue


BROKEN = """\
catalogue: {id: bad, title: Bad, source: nowhere, date: "2024", verified: maybe}
groups:
  - dimension: coercion_at_destination
    stages: [destination]
    indicators:
      - id: iloec.ex.hours
        label: Duplicate of a built-in id
        concept: isolation
        source: ilo-ec-delphi-2009
        date: "2024"
        verified: false
        question: {en: a, fr: b, es: c}
      - id: Not An Id
        label: x
        concept: no-such-concept
        strength: {adult_labour: huge}
        source: ilo-ec-delphi-2009
        date: "2024"
        verified: false
        colour: blue
        question: {en: only english}
"""


def test_bad_catalogue_lists_every_problem_with_line_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    ns = ScreeningNamespace()
    with pytest.raises(CatalogueFileError) as info:
        ns.load_catalogue(path)
    err = info.value
    found = {(p.row, p.field) for p in err.problems}
    assert (1, "catalogue.source") in found and (1, "catalogue.verified") in found
    assert (6, "id") in found  # duplicate id, on the line of the id
    assert {(13, "id"), (15, "concept"), (16, "strength"), (20, "colour"), (21, "question")} <= found
    assert str(path) in str(err) and "line 1" in str(err)
    assert ns.catalogue is builtin_catalogue()


def test_malformed_yaml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("catalogue: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueFileError, match="line"):
        ScreeningNamespace().load_catalogue(path)
    with pytest.raises(CatalogueFileError, match="does not exist"):
        ScreeningNamespace().load_catalogue(tmp_path / "nope.yaml")


OWN_TABLE = """\
table: {id: ngo-pathways, title: Our pathways, source: palermo-project}
urgencies: [now, soon]
referrals:
  - {id: our-shelter, concept: social-care, label: {en: our shelter, fr: notre foyer, es: nuestro albergue}}
rules:
  - {need: trafficking-presumed, concept: presumed-victim-of-trafficking, applies_to: any, urgency: now, refer: [{to: our-shelter}]}
  - {need: pregnancy, concept: pregnancy, applies_to: any, urgency: soon, refer: [{to: our-shelter}]}
"""


def test_replace_the_referral_table(tmp_path: Path) -> None:
    path = tmp_path / "table.yaml"
    path.write_text(OWN_TABLE, encoding="utf-8")
    ns = ScreeningNamespace()
    ns.load_referrals(path)
    data = {
        "person": {"age": 30, "pregnant": True, "sex": "female"},
        "stage": "destination",
        "indicators": {
            "iloec.dr.job-nature": "yes",
            "iloec.dr.wages": "yes",
            "iloec.ex.hours": "yes",
            "iloec.ex.low-pay": "yes",
            "iloec.cd.documents": "yes",
            "iloec.cd.debt": "yes",
        },
    }
    result = ns.assess(data)
    assert [(r.referral, r.urgency, r.needs) for r in result.referrals] == [
        ("our-shelter", "now", ("trafficking-presumed", "pregnancy"))
    ]
    assert result.referral_table == "ngo-pathways"
    bad = tmp_path / "bad-table.yaml"
    bad.write_text(
        OWN_TABLE.replace(
            "to: our-shelter}]}\n  - {need: pregnancy", "to: nowhere}]}\n  - {need: pregnancy"
        ).replace("urgency: soon", "urgency: later"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueFileError) as info:
        ScreeningNamespace().load_referrals(bad)
    assert {p.field for p in info.value.problems} == {"rules.refer", "rules.urgency"}
    assert {p.row for p in info.value.problems} == {6, 7}
