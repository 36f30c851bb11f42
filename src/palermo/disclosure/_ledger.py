"""The release ledger: what was published, when, from which data, with which budget.

Three checks run before anything is computed or written:

* **budget**: the epsilon and delta of every release ever made from this store add up (sequential
  composition; no release is forgotten, whatever its profile or data version); a release that would
  take the total over the configured budget is refused with :class:`~palermo.errors.PrivacyBudgetError`.
* **differencing, same data**: a suppressed cell of a new table must stay unrecoverable when the cells
  and margins an earlier release of the *same data* published for the same table are added to what
  the new release publishes (the linear-programming audit runs over their union).
* **differencing, changed data**: a cell published by an earlier release of *other* data and again now
  must not differ by fewer than the threshold: subtracting the two would reveal the few records added
  or removed in between (:class:`~palermo.errors.DifferencingError`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from palermo.errors import DifferencingError, PrivacyBudgetError, UnknownReleaseError

if TYPE_CHECKING:
    from palermo.store import Store

# tolerance for float sums of epsilon (1e-9 of a unit of epsilon is far below any meaningful loss)
_EPS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ReleaseRecord:
    """One row of the ledger."""

    release_id: str
    created_at: datetime
    profile: str
    audience: str
    data_version: str
    records: int
    tables: int
    records_suppressed: int
    min_cell: int | None
    epsilon: float
    delta: float
    parameters: dict[str, Any]
    manifest_sha256: str
    out_dir: str
    palermo_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "release": self.release_id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "profile": self.profile,
            "audience": self.audience,
            "data_version": self.data_version,
            "records": self.records,
            "tables": self.tables,
            "records_suppressed": self.records_suppressed,
            "min_cell": self.min_cell,
            "epsilon_spent": self.epsilon,
            "delta_spent": self.delta,
            "out_dir": self.out_dir,
            "manifest_sha256": self.manifest_sha256,
            "palermo_version": self.palermo_version,
        }


@dataclass(frozen=True)
class BudgetState:
    """The ledger's budget: configured total, spent so far, left."""

    epsilon_total: float
    delta_total: float
    epsilon_spent: float
    delta_spent: float
    releases: int

    @property
    def epsilon_left(self) -> float:
        return max(self.epsilon_total - self.epsilon_spent, 0.0)

    @property
    def delta_left(self) -> float:
        return max(self.delta_total - self.delta_spent, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "epsilon_total": self.epsilon_total,
            "epsilon_spent": self.epsilon_spent,
            "epsilon_left": self.epsilon_left,
            "delta_total": self.delta_total,
            "delta_spent": self.delta_spent,
            "delta_left": self.delta_left,
            "releases": self.releases,
        }


_COLUMNS = (
    "release_id, created_at, profile, audience, data_version, records, tables, records_suppressed, "
    "min_cell, epsilon, delta, parameters, manifest_sha256, out_dir, palermo_version"
)


def _record(row: Sequence[Any]) -> ReleaseRecord:
    values = list(row)
    values[11] = json.loads(values[11])
    return ReleaseRecord(*values)


def releases(store: Store) -> list[ReleaseRecord]:
    """Every release, oldest first."""
    rows = store.connection.execute(f"SELECT {_COLUMNS} FROM releases ORDER BY created_at, release_id")
    return [_record(r) for r in rows.fetchall()]


def release(store: Store, release_id: str) -> ReleaseRecord:
    row = store.connection.execute(f"SELECT {_COLUMNS} FROM releases WHERE release_id = ?", [release_id])
    found = row.fetchall()
    if not found:
        raise UnknownReleaseError(f"no release '{release_id}' in the ledger (palermo release list)")
    return _record(found[0])


def queries(store: Store, release_id: str) -> list[dict[str, Any]]:
    rows = store.connection.execute(
        "SELECT name, kind, columns, epsilon, delta, parameters FROM release_queries "
        "WHERE release_id = ? ORDER BY name",
        [release_id],
    ).fetchall()
    return [
        {"name": n, "kind": k, "columns": list(c), "epsilon": e, "delta": d, "parameters": json.loads(p)}
        for n, k, c, e, d, p in rows
    ]


def budget(store: Store, epsilon_total: float, delta_total: float) -> BudgetState:
    spent = store.connection.execute(
        "SELECT coalesce(sum(epsilon), 0), coalesce(sum(delta), 0), count(*) FROM releases"
    ).fetchall()[0]
    return BudgetState(epsilon_total, delta_total, float(spent[0]), float(spent[1]), int(spent[2]))


def check_budget(state: BudgetState, epsilon: float, delta: float) -> None:
    """Refuse a release whose epsilon or delta would take the ledger over its total."""
    if state.epsilon_spent + epsilon > state.epsilon_total + _EPS_TOLERANCE:
        raise PrivacyBudgetError(
            f"the release needs epsilon {epsilon:g} but the ledger has {state.epsilon_left:g} left "
            f"of {state.epsilon_total:g} ({state.epsilon_spent:g} spent by {state.releases} releases); "
            "nothing was written"
        )
    if state.delta_spent + delta > state.delta_total * (1 + _EPS_TOLERANCE):
        raise PrivacyBudgetError(
            f"the release needs delta {delta:g} but the ledger has {state.delta_left:g} left "
            f"of {state.delta_total:g}; nothing was written"
        )


def cell_key(values: Sequence[Any]) -> str:
    """A cell's categories as JSON, in the table's column order (null: all categories, a margin)."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def earlier_cells(store: Store, name: str, by: Sequence[str]) -> pa.Table:
    """The cells earlier releases published for table ``name`` over the same columns, with the data
    version each came from: columns release_id, data_version, cell, count (null: suppressed)."""
    return store.query_arrow(
        "SELECT c.release_id, r.data_version, c.cell, c.count FROM release_cells c "
        "JOIN releases r USING (release_id) JOIN release_queries q ON q.release_id = c.release_id "
        "AND q.name = c.name WHERE c.name = ? AND q.columns = ?::VARCHAR[] AND q.kind = 'suppressed_table'",
        [name, list(by)],
    )


def check_changed_data(
    name: str, cells: dict[str, int | None], earlier: pa.Table, data_version: str, threshold: int
) -> None:
    """Refuse when a cell published now and by a release of other data differs by 1 .. threshold-1."""
    if earlier.num_rows == 0:
        return
    with duckdb.connect() as conn:
        now = pa.table({"cell": list(cells), "now": pa.array(list(cells.values()), pa.int64())})
        conn.register("now_cells", now)
        conn.register("earlier", earlier)
        found = conn.execute(
            "SELECT e.release_id, count(*) FROM now_cells n JOIN earlier e USING (cell) "
            "WHERE e.data_version <> ? AND n.now IS NOT NULL AND e.count IS NOT NULL "
            "AND abs(n.now - e.count) BETWEEN 1 AND ? - 1 GROUP BY e.release_id ORDER BY 1",
            [data_version, threshold],
        ).fetchall()
    if found:
        where = ", ".join(f"{n} cells against {r}" for r, n in found)
        raise DifferencingError(
            f"table '{name}': published cells would differ from an earlier release of other data by fewer "
            f"than {threshold} records ({where}); subtracting the two would reveal those records. "
            "Publish when more records have changed, or coarsen the table; nothing was written"
        )


def same_data_known(earlier: pa.Table, data_version: str) -> dict[str, int]:
    """Cell values already public from earlier releases of the same data (published, not suppressed)."""
    known: dict[str, int] = {}
    for row in earlier.to_pylist():
        if row["data_version"] == data_version and row["count"] is not None:
            known[row["cell"]] = int(row["count"])
    return known
