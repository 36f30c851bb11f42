"""Load a generated world into the store's common case model, in one transaction.

Each agency record becomes a case held by that agency's organisation, with a person of its own
(agencies do not share person ids: finding the same person across agencies is the linkage
capability's job). Names and dates of birth are taken as the agency wrote them, noise included;
the other attributes (journey, exploitation, means of control) come from the ground truth.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from palermo.errors import ScenarioError
from palermo.scenario._files import read_agency_file, read_summary
from palermo.scenario._params import Agency, World, load_world

if TYPE_CHECKING:
    from palermo.workspace import Workspace

# CTDC ageBroad bands (codebook v6), as the case model's age_band list writes them
_AGE_BANDS = (
    (8, "0--8"),
    (17, "9--17"),
    (20, "18--20"),
    (23, "21--23"),
    (26, "24--26"),
    (29, "27--29"),
    (38, "30--38"),
    (47, "39--47"),
)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _clean(column: str, missing: str | None) -> str:
    expr = f"NULLIF(trim(CAST(\"{column}\" AS VARCHAR)), '')"
    return f"NULLIF({expr}, {_sql_text(missing)})" if missing else expr


def _date(expr: str, fmt: str, year_offset: int) -> str:
    if year_offset:
        if not fmt.endswith("%Y"):
            raise ScenarioError(f"date format '{fmt}' with a year offset must end with %Y")
        expr = f"(left({expr}, length({expr}) - 4) || CAST(TRY_CAST(right({expr}, 4) AS INTEGER) - {year_offset} AS VARCHAR))"
    return f"CAST(try_strptime({expr}, {_sql_text(fmt)}) AS DATE)"


def _agency_select(agency: Agency, view: str, types: dict[str, pa.DataType]) -> str:
    """SQL turning one agency's file (registered as ``view``) into the common shape."""
    cols, missing = agency.columns, agency.missing

    def text(field: str) -> str:
        return _clean(cols[field], missing) if field in cols else "NULL"

    if "full_name" in cols:
        full = text("full_name")
        first = f"split_part({full}, ' ', 1)"
        rest = f"NULLIF(substr({full}, length({first}) + 2), '')"
        given, family = (rest, first) if agency.name_style == "family_upper_first" else (first, rest)
    else:
        given, family = text("given_name"), text("family_name")
    birth = (
        _date(text("date_of_birth"), agency.date_format, agency.year_offset)
        if "date_of_birth" in cols
        else "NULL"
    )
    birth_year = f'TRY_CAST("{cols["year_of_birth"]}" AS INTEGER)' if "year_of_birth" in cols else "NULL"
    seen_column = cols.get("identification_date")
    if seen_column is None:
        seen = "NULL"
    elif pa.types.is_date(types[seen_column]):
        seen = f'"{seen_column}"'
    else:
        seen = _date(text("identification_date"), agency.date_format, agency.year_offset)
    return (
        f'SELECT {_sql_text(agency.id)} AS agency, CAST("{cols["record_id"]}" AS VARCHAR) AS record_id, '
        f"{given} AS given_name, {family} AS family_name, CAST({birth} AS DATE) AS birth_date, "
        f"CAST({birth_year} AS INTEGER) AS birth_year_written, CAST({seen} AS DATE) AS seen FROM {view}"
    )


def _mapping(con: duckdb.DuckDBPyConnection, name: str, pairs: list[tuple[str, str]]) -> None:
    con.register(name, pa.table({"key": [k for k, _ in pairs], "code": [v for _, v in pairs]}))


def _case_tables(con: duckdb.DuckDBPyConnection, world: World) -> dict[str, pa.Table]:
    cm: dict[str, Any] = world.raw["case_model"]
    _mapping(con, "map_sex", list(cm["sex"].items()))
    _mapping(con, "map_exploitation", [(k, c) for k, codes in cm["exploitation"].items() for c in codes])
    _mapping(con, "map_sector", list(cm["labour_sector"].items()))
    _mapping(con, "map_means", list(cm["means_of_control"].items()))
    bands = " ".join(f"WHEN age_at_identification <= {hi} THEN '{label}'" for hi, label in _AGE_BANDS)
    con.execute(
        """CREATE TEMP TABLE r AS
           SELECT a.agency || ':' || a.record_id AS case_id, a.*, t.*
           FROM agency_rows a
           JOIN truth_records tr ON tr.agency = a.agency AND tr.record_id = a.record_id
           JOIN truth_persons t ON t.person_id = tr.person_id"""
    )
    sql = {
        "persons": f"""SELECT case_id AS person_id, s.code AS gender,
                CAST(coalesce(year(birth_date), birth_year_written) AS INTEGER) AS birth_year,
                CAST(age_at_identification AS INTEGER) AS age_at_identification,
                CASE {bands} ELSE '48+' END AS age_band,
                CASE WHEN minor THEN 'Minor' ELSE 'Adult' END AS majority_status,
                [citizenship] AS citizenship
            FROM r JOIN map_sex s ON s.key = r.sex""",
        "person_identities": """SELECT case_id AS person_id, given_name, family_name, birth_date FROM r""",
        "cases": """SELECT case_id, agency AS organisation_id, coalesce(seen, identified) AS registration_date,
                CAST(year(coalesce(seen, identified)) AS INTEGER) AS registration_year,
                CASE WHEN agency_kind = 'hotline' THEN 'Hotline' ELSE 'Case Management' END AS data_source,
                'Active' AS status
            FROM r JOIN agency_kinds k USING (agency)""",
        "case_victims": """SELECT case_id, case_id AS person_id, 'PossibleVictimOfTrafficking' AS trafficking_status,
                CAST(greatest(age_at_identification - datediff('year', recruited, identified), 0) AS INTEGER)
                    AS age_when_trafficked
            FROM r""",
        "journey_events": """WITH steps AS (
                SELECT case_id, 0 AS step, 'Recruitment' AS event_type, citizenship AS country,
                       year(recruited) AS y, month(recruited) AS m FROM r
                UNION ALL
                SELECT case_id, 1 + i AS step, 'Transit', transit[i], NULL, NULL
                FROM r, range(1, len(transit) + 1) AS t(i)
                UNION ALL
                SELECT case_id, 1000, 'Exploitation', destination, NULL, NULL FROM r)
            SELECT case_id, CAST(row_number() OVER (PARTITION BY case_id ORDER BY step) AS INTEGER) AS sequence,
                   event_type, case_id AS person_id, country, CAST(y AS INTEGER) AS event_year,
                   CAST(m AS INTEGER) AS event_month
            FROM steps""",
        "case_exploitation": """SELECT case_id, 'exploitation_type' AS category, e.code
                FROM r JOIN map_exploitation e ON e.key = r.exploitation
            UNION ALL
            SELECT case_id, 'labour_sector', s.code FROM r JOIN map_sector s ON s.key = r.labour_sector""",
        "case_means_of_control": """SELECT DISTINCT case_id, m.code
            FROM (SELECT case_id, unnest(means_of_control) AS means FROM r) x
            JOIN map_means m ON m.key = x.means""",
    }
    tables = {name: con.sql(query).to_arrow_table() for name, query in sql.items()}
    organisation_type: dict[str, str] = cm["organisation_type"]
    tables["organisations"] = pa.table(
        {
            "organisation_id": [a.id for a in world.agencies],
            "name": [a.name for a in world.agencies],
            "org_type": [organisation_type.get(a.kind) for a in world.agencies],
            "shipping_country": [a.countries[0] for a in world.agencies],
        }
    )
    return tables


def _verify(world_dir: Path) -> str:
    """Check every file against the manifest; returns the manifest's own hash."""
    path = world_dir / "manifest.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{world_dir} is not a generated world (no manifest.json)") from None
    manifest = json.loads(raw)
    for rel, expected in manifest["files"].items():
        digest = hashlib.sha256()
        try:
            with (world_dir / rel).open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except FileNotFoundError:
            raise ScenarioError(f"world {world_dir}: file {rel} is missing") from None
        if digest.hexdigest() != expected:
            raise ScenarioError(f"world {world_dir}: file {rel} changed since it was generated")
    return hashlib.sha256(raw).hexdigest()


def load(
    ws: Workspace, world_dir: Path | str, *, replace: bool = False, world_file: Path | None = None
) -> dict[str, Any]:
    """Write a generated world's cases into the store; returns the dataset id and rows per table."""
    world_dir = Path(world_dir)
    summary = read_summary(world_dir)
    content_hash = _verify(world_dir)
    world = load_world(world_file)
    if set(summary["agencies"]) != {a.id for a in world.agencies}:
        raise ScenarioError(f"world {world_dir} was not generated from this world description")
    dataset_id = f"scenario-{summary['world']}-s{summary['seed']}-n{summary['persons']}-{content_hash[:10]}"
    source = str(world_dir.resolve())
    store = ws.store
    existing = [
        r[0]
        for r in store.execute(
            "SELECT dataset_id FROM datasets WHERE dataset_id = ? OR (kind = 'scenario' AND source = ?)",
            [dataset_id, source],
        ).fetchall()
    ]
    if existing and not replace:
        raise ScenarioError(f"dataset {existing[0]} is already in the store; load with replace to reload it")

    con = duckdb.connect()
    try:
        truth = world_dir / "truth"
        con.execute(
            "CREATE TABLE truth_persons AS SELECT * FROM read_parquet(?)", [str(truth / "persons.parquet")]
        )
        con.execute(
            "CREATE TABLE truth_records AS SELECT * FROM read_parquet(?)", [str(truth / "records.parquet")]
        )
        con.register(
            "agency_kinds",
            pa.table(
                {"agency": [a.id for a in world.agencies], "agency_kind": [a.kind for a in world.agencies]}
            ),
        )
        selects = []
        for j, agency in enumerate(world.agencies):
            raw = read_agency_file(world_dir, agency.id)
            con.register(f"raw_{j}", raw)
            types = {f.name: f.type for f in raw.schema}
            selects.append(_agency_select(agency, f"raw_{j}", types))
        con.execute("CREATE TABLE agency_rows AS " + " UNION ALL ".join(selects))
        tables = _case_tables(con, world)
    finally:
        con.close()

    with store.transaction():
        for old in existing:
            ws.cases.remove_dataset(old)
            store.execute("DELETE FROM datasets WHERE dataset_id = ?", [old])
        store.execute(
            "INSERT INTO datasets (dataset_id, kind, source, content_hash, details) VALUES (?, 'scenario', ?, ?, ?)",
            [
                dataset_id,
                source,
                content_hash,
                json.dumps(
                    {"world": summary["world"], "seed": summary["seed"], "persons": summary["persons"]}
                ),
            ],
        )
        written = ws.cases.write_tables(tables, dataset_id)
    return {"dataset_id": dataset_id, "store": str(ws.path), "replaced": existing, "tables": written}
