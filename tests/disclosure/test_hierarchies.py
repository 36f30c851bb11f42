"""The built-in generalisation hierarchies, level by level, on the codes the case model and CTDC use."""

from __future__ import annotations

import pyarrow as pa
import pytest

import palermo
from palermo.disclosure import hierarchy_for
from palermo.disclosure._hierarchy import ANY, UNKNOWN


def levels(name: str, value: str | None) -> list[str]:
    """``value`` at every level of the built-in hierarchy ``name``."""
    h = hierarchy_for(name)
    return [h.generalise(pa.array([value], pa.string()), level).to_pylist()[0] for level in range(h.levels)]


def test_country_rises_through_the_ctdc_region_sheet() -> None:
    assert levels("country", "VNM") == ["VNM", "South-Eastern Asia", "Asia", ANY]
    assert levels("country", "ESP") == ["ESP", "Southern Europe", "Europe", ANY]
    assert levels("country", "XXX") == ["XXX", ANY, ANY, ANY]  # a code the sheet does not hold


def test_age_goes_to_the_ctdc_band_then_minor_or_adult() -> None:
    assert levels("age", "17") == ["17", "9--17", "Minor", ANY]
    assert levels("age", "18") == ["18", "18--20", "Adult", ANY]
    assert levels("age", "61") == ["61", "48+", "Adult", ANY]
    assert levels("age", "250") == ["250", ANY, ANY, ANY]


def test_years_go_to_two_then_five_year_spans() -> None:
    assert levels("year", "2019") == ["2019", "2018-2019", "2015-2019", ANY]
    assert levels("year", "2020") == ["2020", "2020-2021", "2020-2024", ANY]


def test_ctdc_registration_periods_merge_into_two_spans(ws: palermo.Workspace) -> None:
    """Every code of the case model's ``registration_period`` list (CTDC VP yearRegister) has a
    level-1 span; single years fall into the same spans."""
    codes = ws.cases.categories.codes("registration_period")
    assert set(codes) == {"2005-2013", "2014-2018", "2019", "2020", "2021-2022"}
    first = {code: levels("registration_period", code)[1] for code in codes}
    assert first == {
        "2005-2013": "2005-2018",
        "2014-2018": "2005-2018",
        "2019": "2019-2022",
        "2020": "2019-2022",
        "2021-2022": "2019-2022",
    }
    assert levels("registration_period", "2016") == ["2016", "2005-2018", ANY]
    assert levels("registration_period", "2017-2020") == ["2017-2020", ANY, ANY]  # straddles
    assert levels("registration_period", "1999") == ["1999", ANY, ANY]
    assert levels("registration_period", "soon") == ["soon", ANY, ANY]


@pytest.mark.parametrize("name", ["country", "age", "year", "registration_period", "labour_sector"])
def test_unknown_stays_unknown_until_the_last_level(name: str) -> None:
    assert levels(name, None) == [UNKNOWN] * (hierarchy_for(name).levels - 1) + [ANY]
