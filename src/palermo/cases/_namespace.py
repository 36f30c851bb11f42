"""``ws.cases``: add, read, validate and bulk-write case-model records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from palermo.cases._categories import Categories, load_categories
from palermo.cases._checks import check, stored_key_problems
from palermo.cases._duckdb_io import fetch_dicts, fetch_ints, insert_arrow, over_arrow
from palermo.cases._models import CaseRecord
from palermo.cases._record_rules import linked_organisation_ids, linked_person_ids, record_problems
from palermo.cases._schema import CASE_COLUMN, DATASET_COLUMN, tables
from palermo.cases._tables import ROW, models_from, prepare, record_tables
from palermo.errors import CaseValidationError, NotFoundError, StoreError

if TYPE_CHECKING:
    from palermo.workspace import Workspace

SHARED_TABLES = ("organisations", "persons", "person_identities")
"""Tables whose rows several cases share: :meth:`CasesNamespace.add` keeps rows already stored."""


class CasesNamespace:
    """The common case model in the store: ``ws.cases``.

    Tables and the Arrow columns :meth:`write_tables` expects (``*`` = required; every other column
    may be left out and is then empty, an empty list, or the default shown). Every table also has
    ``dataset_id``, filled in from the ``dataset_id`` argument. Types: ids and codes are strings;
    ``*_year``, ``*_month``, ``*_day``, ``sequence``, ages and counts int32; coordinates float64;
    dates date32; lists are lists of strings (``victim_paid``: list of bool).

    - ``organisations``: organisation_id*, name, org_type, shipping_street, shipping_city,
      shipping_state, shipping_postal_code, shipping_country, shipping_longitude, shipping_latitude, phone
    - ``persons``: person_id*, gender, birth_year, age_at_identification, age_band, majority_status,
      majority_status_at_exploitation, majority_status_at_entry, citizenship (list), citizenship_regions
      (list), primary_language, secondary_language, marital_status, number_of_children,
      highest_education, deceased (bool)
    - ``person_identities``: person_id*, salutation, given_name, middle_name, family_name, birth_date,
      identity_number, document_numbers (list), title, email, home_phone, mobile_phone,
      mailing_street, mailing_city, mailing_state, mailing_postal_code, mailing_country,
      mailing_longitude, mailing_latitude
    - ``cases``: case_id*, organisation_id*, registration_date, registration_year,
      registration_period, data_source, status, closure_reason, case_owner_id
    - ``case_victims``: case_id*, person_id*, trafficking_status, trafficking_status_decided_by,
      age_when_trafficked, trafficking_duration_band, is_abduction (bool), recruitment_methods (list),
      recruitment_websites_and_apps (list), exploitation_websites_and_apps (list)
    - ``journey_events``: case_id*, sequence*, event_type*, person_id, country, region, state, city,
      street, postal_code, longitude, latitude, event_year, event_month, event_day,
      location_organisation_id, description
    - ``case_exploitation``: case_id*, category* (exploitation_type | labour_sector |
      sex_exploitation_type), code*, present (bool, default true)
    - ``case_means_of_control``: case_id*, code*, present (bool, default true)
    - ``case_trafficker_relations``: case_id*, code*, present (bool, default true)
    - ``perpetrators``: case_id*, perpetrator_id*, person_id, organisation_id, is_group (bool,
      default false), roles, role_details, genders, age_bands, citizenship, citizenship_regions,
      relations_to_victim (lists), victim_paid (list of bool)
    - ``referrals``: case_id*, referral_id*, direction* (Incoming | Outgoing), organisation_id,
      case_worker_id, referral_date, reason, details
    - ``consents``: case_id*, person_id*, consent, informed_purpose_of_interview,
      informed_use_of_data, informed_data_for_research, informed_right_to_be_forgotten,
      informed_storage_duration, informed_withdrawal_process (bools), recorded_on (date)
    - ``support_plans``: case_id*, plan_id*, person_id, plan_type, objectives, action_plan,
      planned_end_date, actual_end_date
    - ``case_comments``: case_id*, comment_id*, comment*

    Codes are checked against ``data/categories.yaml`` (countries: ISO 3166-1 alpha-3; languages:
    ISO 639-2); references (case_id, person_id, organisation_id …) must point at a row in the store
    or in the same load; keys must be new.
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    @property
    def categories(self) -> Categories:
        """The category lists the codes are checked against."""
        return load_categories()

    # -- one record ------------------------------------------------------------------------
    def add(self, record: CaseRecord, dataset_id: str) -> None:
        """Validate ``record`` and store it, all or nothing.

        Organisations, persons and identities already in the store (same key) are kept as they are;
        the others are written with the case. Raises :class:`~palermo.errors.CaseValidationError`
        with every problem found (row = position in the record's list, field = ``table.column``).
        """
        shaped = self._checked_record(record, dataset_id, stored_keys=False)
        conn = self._ws.store.connection
        for name in SHARED_TABLES:
            shaped[name] = _without_stored(conn, name, shaped[name])
        self._write(shaped, dataset_id, source="palermo.cases.add")

    def get(self, case_id: str) -> CaseRecord:
        """The case ``case_id`` with everything recorded about it; each list in key order.

        Raises :class:`~palermo.errors.NotFoundError` when there is no such case.
        """
        conn = self._ws.store.connection
        specs = tables()
        found = _select(conn, "cases", f"{CASE_COLUMN} = $1", [case_id])
        if not found:
            raise NotFoundError(f"no case with case_id '{case_id}'")
        parts: dict[str, Any] = {"case": models_from(specs["cases"], found)[0]}
        for spec in specs.values():
            if spec.model.in_case:
                rows = _select(conn, spec.name, f"{CASE_COLUMN} = $1", [case_id])
                parts[spec.part] = models_from(spec, rows)
        refs = CaseRecord.model_construct(**parts)
        person_ids = sorted(linked_person_ids(refs))
        org_ids = sorted(linked_organisation_ids(refs))
        for name, ids in (("persons", person_ids), ("person_identities", person_ids)):
            rows = _select(conn, name, "list_contains($1, person_id)", [ids])
            parts[specs[name].part] = models_from(specs[name], rows)
        rows = _select(conn, "organisations", "list_contains($1, organisation_id)", [org_ids])
        parts["organisations"] = models_from(specs["organisations"], rows)
        return CaseRecord(**parts)

    def count(self) -> int:
        """How many cases the store holds."""
        return fetch_ints(self._ws.store.connection, "SELECT count(*) FROM cases")[0]

    def validate(self, data: CaseRecord | Mapping[str, pa.Table], dataset_id: str = "_validate") -> None:
        """Check a record, or a bulk load's tables, without writing anything.

        Collects every problem, then raises :class:`~palermo.errors.CaseValidationError` once. A
        problem names the row (0-based: the position in the record's list, or the row of the Arrow
        table), the field (``table.column``) and the rule; never the value.
        """
        if isinstance(data, CaseRecord):
            self._checked_record(data, dataset_id, stored_keys=True)
        else:
            self._checked_tables(data, dataset_id, stored_keys=True)

    # -- bulk ------------------------------------------------------------------------------
    def write_tables(self, tables: Mapping[str, pa.Table], dataset_id: str) -> dict[str, int]:
        """Validate and write Arrow tables (see the class docstring for their columns), all in one
        store transaction: when any table has a problem, nothing is written.

        ``tables`` maps table names to Arrow tables; any subset of the tables may be given. Returns
        the rows written per table. Checks run over whole columns (pyarrow and DuckDB), not row by row.
        ``dataset_id`` is registered in ``datasets`` (kind ``cases``) if it is not there yet, and its
        ``rows_loaded`` grows by the rows written. Raises
        :class:`~palermo.errors.CaseValidationError` (every problem, row = row of the Arrow table) or
        :class:`~palermo.errors.StoreError`; either way nothing is written.
        """
        shaped = self._checked_tables(tables, dataset_id, stored_keys=False)
        return self._write(shaped, dataset_id, source="palermo.cases.write_tables")

    def remove_dataset(self, dataset_id: str) -> dict[str, int]:
        """Delete every case-model row loaded with ``dataset_id``; returns the rows removed per table."""
        removed: dict[str, int] = {}
        with self._ws.store.transaction() as conn:
            for name in tables():
                sql = f'DELETE FROM "{name}" WHERE {DATASET_COLUMN} = ?'
                removed[name] = sum(fetch_ints(conn, sql, [dataset_id]))
            conn.execute(
                "UPDATE datasets SET rows_loaded = greatest(rows_loaded - ?, 0) WHERE dataset_id = ?",
                [sum(removed.values()), dataset_id],
            )
        return removed

    # -- internals -------------------------------------------------------------------------
    def _checked_record(
        self, record: CaseRecord, dataset_id: str, *, stored_keys: bool
    ) -> dict[str, pa.Table]:
        problems = record_problems(record)
        shaped, structural = prepare(record_tables(record, dataset_id), dataset_id)
        problems += structural
        conn = self._ws.store.connection
        problems += check(conn, shaped, self.categories, stored_keys=stored_keys, shared_ok=SHARED_TABLES)
        if problems:
            raise CaseValidationError(problems, what="case record")
        return shaped

    def _checked_tables(
        self, incoming: Mapping[str, pa.Table], dataset_id: str, *, stored_keys: bool
    ) -> dict[str, pa.Table]:
        shaped, problems = prepare(incoming, dataset_id)
        if problems:
            raise CaseValidationError(problems, what="case tables")
        problems = check(self._ws.store.connection, shaped, self.categories, stored_keys=stored_keys)
        if problems:
            raise CaseValidationError(problems, what="case tables")
        return shaped

    def _write(self, shaped: Mapping[str, pa.Table], dataset_id: str, source: str) -> dict[str, int]:
        store = self._ws.store
        specs = tables()
        written: dict[str, int] = {}
        try:
            with store.transaction() as conn:
                # The case tables keep no index (migration 0007): keys already stored are found here,
                # in the write's own transaction, by one semi-join per table.
                problems = stored_key_problems(conn, shaped)
                if problems:
                    raise CaseValidationError(problems, what="case tables")
                conn.execute(
                    "INSERT INTO datasets (dataset_id, kind, source) SELECT ?, 'cases', ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM datasets WHERE dataset_id = ?)",
                    [dataset_id, source, dataset_id],
                )
                for name in specs:
                    if name in shaped:
                        data = shaped[name].select(list(specs[name].column_names))
                        written[name] = insert_arrow(conn, name, data)
                conn.execute(
                    "UPDATE datasets SET rows_loaded = rows_loaded + ? WHERE dataset_id = ?",
                    [sum(written.values()), dataset_id],
                )
        except (duckdb.ConstraintException, duckdb.TransactionException):
            # A key the store already holds (the store's cleanup may turn DuckDB's constraint error
            # into a transaction error). DuckDB's message quotes the key: never pass it on; name rows.
            problems = stored_key_problems(store.connection, shaped)
            if not problems:
                raise StoreError("writing the case tables failed; nothing was written") from None
            raise CaseValidationError(problems, what="case tables") from None
        except duckdb.Error as exc:
            raise StoreError(
                f"writing the case tables failed, nothing was written: {type(exc).__name__}"
            ) from None
        return written


def _select(
    conn: duckdb.DuckDBPyConnection, name: str, where: str, params: list[Any]
) -> list[dict[str, Any]]:
    spec = tables()[name]
    keys = ", ".join(f'"{k}"' for k in spec.key)
    return fetch_dicts(conn, f'SELECT * FROM "{name}" WHERE {where} ORDER BY {keys}', params)


def _without_stored(conn: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> pa.Table:
    """``data`` less the rows whose key the store already holds."""
    if data.num_rows == 0:
        return data
    (key,) = tables()[name].key
    sql = f'SELECT i.{ROW} FROM _palermo_shared i SEMI JOIN "{name}" s ON i."{key}" = s."{key}"'
    stored = [int(r[0]) for r in over_arrow(conn, data, "_palermo_shared", sql).fetchall()]
    if not stored:
        return data
    keep = pc.invert(pc.is_in(data.column(ROW), value_set=pa.array(stored, type=pa.int64())))
    return data.filter(keep)
