"""Crosswalk lookups: flags, categories, multi-valued cells, aliases, statuses, reverse lookups, and
malformed crosswalk files."""

from __future__ import annotations

from pathlib import Path

import pytest

from palermo import vocab
from palermo.errors import UnknownCrosswalkError, UnknownTermError, VocabularyFileError
from palermo.vocab._crosswalk import read_crosswalk


def test_shipped_crosswalks() -> None:
    assert set(vocab.crosswalks()) == {
        "ctdc-kanon", "ctdc-synthetic-2024", "ctdc-vp-2022", "htcds-v2", "unodc-glotip", "unhcr-specific-needs",
    }  # fmt: skip
    with pytest.raises(UnknownCrosswalkError, match="no crosswalk for 'ics-tip'"):
        vocab.crosswalk("ics-tip")


def test_flag_codes_carry_the_status() -> None:
    cw = vocab.crosswalk("ctdc-kanon")
    (present,) = cw.lookup("meansOfControlDebtBondage", "1")
    assert present.concepts == ("debt-bondage",) and present.status == "present" and present.match == "close"
    assert cw.lookup("meansOfControlDebtBondage", "0")[0].status == "absent"
    assert cw.lookup("meansOfControlDebtBondage", "-99")[0].status == "missing"
    assert cw.lookup("meansOfControlDebtBondage", "")[0].status == "missing"
    with pytest.raises(UnknownTermError):
        cw.lookup("meansOfControlDebtBondage", "2")


def test_merged_codes_name_every_concept_they_may_stand_for() -> None:
    (m,) = vocab.crosswalk("ctdc-synthetic-2024").lookup("meansDenyBasicNeeds", "1")
    assert m.combine == "any" and m.match == "narrow"
    assert {"restriction-of-movement", "restriction-of-medical-care", "withholding-of-necessities"} <= set(
        m.concepts
    )
    (both,) = vocab.crosswalk("ctdc-kanon").lookup("isSexAndLabour", "1")
    assert both.combine == "all" and set(both.concepts) == {
        "sexual-exploitation",
        "forced-labour-or-services",
    }


def test_category_multi_alias_and_case() -> None:
    kanon = vocab.crosswalk("ctdc-kanon")
    assert kanon.lookup("CountryofExploitation", "GB") == ()  # alias, and an uncoded field
    assert kanon.field("datasource").name == "Datasource"
    assert kanon.lookup("Datasource", "case management")[0].concepts == ("case-management-record",)
    assert kanon.lookup("ageBroad", "9--17")[0].concepts == ("child-under-18",)
    assert kanon.lookup("ageBroad", "48+")[0].match == "broad"
    cells = kanon.lookup("typeOfExploitConcatenated", "Forced labour and/or services;Sexual exploitation")
    assert [m.concepts for m in cells] == [("forced-labour-or-services",), ("sexual-exploitation",)]
    vp = vocab.crosswalk("ctdc-vp-2022")
    no, yes = vp.lookup("IP_PayMoney", "No;Yes")
    assert no.status == "absent" and yes.status == "present"
    assert no.concepts == yes.concepts == ("payment-by-victim-to-perpetrator",)
    glotip = vocab.crosswalk("unodc-glotip")
    assert glotip.lookup("Sex", "Total")[0].status == "total"
    assert glotip.lookup("Category[by form of exploitation]", "Forced labour")[0].concepts == (
        "forced-labour-or-services",
    )
    with pytest.raises(UnknownTermError, match="no field 'Colour'"):
        glotip.lookup("Colour", "x")


def test_codes_for_a_concept_across_standards() -> None:
    htcds = vocab.crosswalk("htcds-v2")
    assert ("vic_MethodsOfControl", "DebtBondage") in {(f, c) for f, c, _ in htcds.codes_for("debt-bondage")}
    from palermo.vocab import VocabNamespace

    codes = VocabNamespace().codes("forced-labour-or-services")
    assert {
        "ctdc-kanon:isForcedLabour",
        "ctdc-vp-2022:isForcedLabour",
        "unodc-glotip:Category[by form of exploitation]=Forced labour",
    } <= set(codes)
    every_standard = {code.split(":")[0] for code in codes}
    assert every_standard == {"ctdc-kanon", "ctdc-synthetic-2024", "ctdc-vp-2022", "htcds-v2", "unodc-glotip"}


def test_every_ctdc_and_htcds_control_exploitation_sector_and_relation_code_has_a_concept() -> None:
    fields = {
        "ctdc-kanon": ["meansOfControlConcatenated", "typeOfExploitConcatenated", "typeOfLabourConcatenated", "typeOfSexConcatenated", "RecruiterRelationship"],
        "htcds-v2": ["vic_MethodsOfControl", "vic_TypeOfExploitation", "vic_ForcedLabourIndustry", "vic_TypeOfSexExploitation", "vic_RelationshipToTrafficker", "per_RoleInProcess"],
    }  # fmt: skip
    for standard, names in fields.items():
        cw = vocab.crosswalk(standard)
        for name in names:
            for code, mapping in cw.field(name).values.items():
                assert mapping.concepts or mapping.status == "missing", (standard, name, code)


BAD_CROSSWALK = """\
standard: test
title: t
version: "1"
source: palermo-project
date: "2026"
recorded: "2026-11-28"
fields:
  a:
    kind: category
    values:
      1: {concepts: [refugee], match: exact}
      "x": {concepts: [no-such-concept], match: exact}
      "y": {concepts: [refugee, migrant], match: exact}
      "z": {concepts: [refugee]}
  b: {kind: flag, concepts: [refugee], match: exact}
"""


def test_malformed_crosswalk_names_line_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "cw.yaml"
    path.write_text(BAD_CROSSWALK, encoding="utf-8")
    with pytest.raises(VocabularyFileError) as info:
        read_crosswalk(path, vocab.builtin_scheme())
    found = {(p.row, p.rule.split(";")[0]) for p in info.value.problems}
    assert (11, "code 1 must be quoted so YAML keeps it as text") in found
    assert (12, "unknown concept id 'no-such-concept'") in found
    assert (13, "required with several concepts: all or any") in found
    assert (14, "required") in found
    assert any(p.field == "flag_values" for p in info.value.problems)
