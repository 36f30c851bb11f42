"""Write a batch's good rows through the case model (``ws.cases.write_tables``), never around it.

The ingest checks every rule it knows before writing, so the case model normally accepts the whole
batch. Should it refuse rows all the same, the rows it names are moved to quarantine with the case
model's rule and the rest is written again; a refusal that names no row aborts the run (and the
transaction: nothing of the file is kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo.errors import CaseValidationError, IngestError
from palermo.ingest._ledger import Ledger
from palermo.ingest._records import Shaped, organisation_table

if TYPE_CHECKING:
    from palermo.workspace import Workspace

_MAX_ATTEMPTS = 5


def _case_of(table: pa.Table) -> pa.Array:
    name = "case_id" if "case_id" in table.column_names else "person_id"
    return table.column(name).combine_chunks()


def write_cases(
    ws: Workspace, ledger: Ledger, shaped: Shaped, ids: pa.Array, dataset_id: str, written: dict[str, int]
) -> Shaped:
    """Write ``shaped``'s tables; returns it with rows the case model refused marked bad."""
    tables = dict(shaped.tables)
    if shaped.organisations:
        new_ids = pa.array(list(shaped.organisations), pa.string())
        stored = ledger.stored_ids("organisations", "organisation_id", new_ids)
        fresh: dict[str, str | None] = {
            str(i): shaped.organisations[str(i)]
            for i, s in zip(new_ids.to_pylist(), stored, strict=True)
            if not s
        }
        if fresh:
            tables["organisations"] = organisation_table(fresh)
    index: dict[str, int] = {}
    for _ in range(_MAX_ATTEMPTS):
        try:
            counts = ws.cases.write_tables(tables, dataset_id)
        except CaseValidationError as exc:
            index = index or {case_id: i for i, case_id in enumerate(ids.to_pylist())}
            refused: dict[int, list[tuple[str, str]]] = {}
            for problem in exc.problems:
                table = problem.field.split(".")[0]
                if problem.row is None or table not in tables or table == "organisations":
                    raise IngestError(
                        f"the case model refused the batch: {problem} (nothing of this file was written)"
                    ) from None
                case_id = _case_of(tables[table])[problem.row].as_py()
                refused.setdefault(index[case_id], []).append((problem.field, problem.rule))
            bad_ids = pa.array([k for k, i in index.items() if i in refused], pa.string())
            tables = {
                name: t
                if name == "organisations"
                else t.filter(pc.invert(pc.is_in(_case_of(t), value_set=bad_ids)))
                for name, t in tables.items()
            }
            for i, found in refused.items():
                mask = np.zeros(len(shaped.good), dtype=bool)
                mask[i] = True
                shaped.good[i] = False
                shaped.problems.extend((mask, f"case model {field}", rule) for field, rule in found)
            continue
        for name, count in counts.items():
            written[name] = written.get(name, 0) + count
        return shaped
    raise IngestError("the case model kept refusing rows of this batch (nothing of this file was written)")
