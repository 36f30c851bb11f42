"""The release microdata: one row per victim of a case, in categories only, from the case model.

Every column is categorical text; a missing value is the category ``unknown`` (never a guess):

``gender``, ``age_band``, ``majority_status``, ``data_source``
    the person's or the case's recorded code (vocabulary lists of the same names);
``citizenship``
    the first recorded citizenship, ISO 3166-1 alpha-3;
``country_of_exploitation``
    the country of the case's first Exploitation event in the journey, alpha-3;
``citizenship_region``, ``exploitation_region``
    the UN region of those countries (generalisation hierarchy ``country``);
``registration_year``
    the case's year of registration;
``exploitation``
    ``ForcedLabour``, ``SexualExploitation``, both joined by ``+``, ``Other`` (another type recorded)
    or ``unknown`` (no type recorded as present), from the case's exploitation types.

``person_id`` is carried for contribution bounding only and is never written to a release. The
public category domains of these columns (for differential privacy) come from the vocabulary and
the profile file's public years, never from the data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from palermo.cases import load_categories

if TYPE_CHECKING:
    from palermo.workspace import Workspace

UNKNOWN = "unknown"
OTHER = "other"
PERSON = "person_id"

COLUMNS = (
    "gender",
    "age_band",
    "majority_status",
    "citizenship",
    "citizenship_region",
    "country_of_exploitation",
    "exploitation_region",
    "registration_year",
    "exploitation",
    "data_source",
)
EXPLOITATION = ("ForcedLabour", "SexualExploitation", "ForcedLabour+SexualExploitation", "Other", UNKNOWN)

_SQL = f"""
WITH exploitation_event AS (
    SELECT case_id, arg_min(country, sequence) AS country
    FROM journey_events WHERE event_type = 'Exploitation' AND country IS NOT NULL
    GROUP BY case_id
), types AS (
    SELECT case_id,
        bool_or(code = 'ForcedLabour') AS fl,
        bool_or(code = 'SexualExploitation') AS se,
        bool_or(code NOT IN ('ForcedLabour', 'SexualExploitation')) AS other
    FROM case_exploitation WHERE category = 'exploitation_type' AND present
    GROUP BY case_id
)
SELECT
    cv.person_id AS {PERSON},
    coalesce(p.gender, '{UNKNOWN}') AS gender,
    coalesce(p.age_band, '{UNKNOWN}') AS age_band,
    CASE WHEN p.majority_status IN ('Minor', 'Adult') THEN p.majority_status ELSE '{UNKNOWN}' END
        AS majority_status,
    coalesce(p.citizenship[1], '{UNKNOWN}') AS citizenship,
    coalesce(e.country, '{UNKNOWN}') AS country_of_exploitation,
    coalesce(CAST(c.registration_year AS VARCHAR), '{UNKNOWN}') AS registration_year,
    CASE
        WHEN t.fl AND t.se THEN 'ForcedLabour+SexualExploitation'
        WHEN t.fl THEN 'ForcedLabour'
        WHEN t.se THEN 'SexualExploitation'
        WHEN t.other THEN 'Other'
        ELSE '{UNKNOWN}'
    END AS exploitation,
    coalesce(c.data_source, '{UNKNOWN}') AS data_source
FROM case_victims cv
JOIN cases c USING (case_id)
JOIN persons p ON p.person_id = cv.person_id
LEFT JOIN exploitation_event e ON e.case_id = cv.case_id
LEFT JOIN types t ON t.case_id = cv.case_id
ORDER BY cv.case_id, cv.person_id
"""


def region_of(countries: pa.Array | pa.ChunkedArray) -> pa.Array:
    """UN region of ISO alpha-3 codes (``unknown`` stays ``unknown``; a code without a region too)."""
    from palermo.disclosure._hierarchy import hierarchy_for

    regions = hierarchy_for("country").generalise(countries, 2)
    known = pc.and_(pc.not_equal(countries, UNKNOWN), pc.not_equal(regions, "*"))
    return pc.if_else(known, regions, UNKNOWN)


def microdata(ws: Workspace) -> pa.Table:
    """The release microdata of the store's case model (see the module docstring)."""
    table = ws.store.query_arrow(_SQL)
    table = table.append_column("citizenship_region", region_of(table["citizenship"]))
    table = table.append_column("exploitation_region", region_of(table["country_of_exploitation"]))
    return table.select([PERSON, *COLUMNS])


def data_version(table: pa.Table) -> str:
    """SHA-256 of the microdata's rows, independent of row order: the data a release was computed from."""
    import duckdb

    with duckdb.connect() as conn:
        conn.register("data", table)
        cols = ", ".join(f"coalesce(\"{c}\", '\\0')" for c in table.column_names)
        rows = conn.sql(f"SELECT concat_ws('\\x1f', {cols}) AS r FROM data ORDER BY r").to_arrow_table()
    digest = hashlib.sha256()
    for batch in rows.to_batches():
        for value in batch.column(0).to_pylist():
            digest.update(value.encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def domains(years: tuple[int, int]) -> dict[str, list[str | None]]:
    """The public category domain of every microdata column, from the vocabulary and the public years.

    Order is the vocabulary's (countries sorted); every domain ends with ``unknown``, and
    ``registration_year`` also has ``other`` for years outside the public range.
    """
    from palermo.disclosure._hierarchy import hierarchy_for

    lists = load_categories().lists
    countries = sorted(load_categories().codes("country"))
    regions = sorted(set(hierarchy_for("country").generalise(pa.array(countries), 2).to_pylist()) - {"*"})

    def listed(name: str) -> list[str | None]:
        return [*(code.code for code in lists[name].codes), UNKNOWN]

    return {
        "gender": listed("gender"),
        "age_band": listed("age_band"),
        "majority_status": ["Minor", "Adult", UNKNOWN],
        "citizenship": [*countries, UNKNOWN],
        "country_of_exploitation": [*countries, UNKNOWN],
        "citizenship_region": [*regions, UNKNOWN],
        "exploitation_region": [*regions, UNKNOWN],
        "registration_year": [*(str(y) for y in range(years[0], years[1] + 1)), OTHER, UNKNOWN],
        "exploitation": list(EXPLOITATION),
        "data_source": listed("data_source"),
    }


def fit_to_domains(table: pa.Table, columns: Sequence[str], public: dict[str, list[str | None]]) -> pa.Table:
    """Values outside a column's public domain become ``other`` where the domain has it, else ``unknown``
    (a code the vocabulary does not list is not a public category)."""
    for name in columns:
        domain = public[name]
        fallback = OTHER if OTHER in domain else UNKNOWN
        column = table[name]
        inside = pc.is_in(column, value_set=pa.array([d for d in domain if d is not None], pa.string()))
        table = table.set_column(table.column_names.index(name), name, pc.if_else(inside, column, fallback))
    return table


def read_text_csv(path: Path) -> pa.Table:
    """A CSV with every column read as text, so codes such as ``01`` keep their form; empty cells are null."""
    with pacsv.open_csv(path) as reader:
        names = reader.schema.names
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=options)
