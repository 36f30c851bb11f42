"""Making a release: profile → checks → outputs → files and ledger, all or nothing.

Order of work, so that a refused release writes nothing and spends nothing:

1. the profile is validated and its columns checked against the release microdata;
2. the ledger's budget is checked for the profile's epsilon and delta;
3. every output is computed in memory (suppressed tables, each audited by linear programming;
   k-anonymous microdata; DP counts; DP synthetic microdata), and each suppressed table is checked
   against earlier releases for differencing;
4. the files are written into a hidden folder beside ``out`` with a manifest (SHA-256 of each file);
5. in one store transaction the ledger rows are inserted and the folder is renamed to ``out``; if the
   transaction fails the folder is removed, if the rename fails the transaction rolls back.

A release of the same profile with the same parameters from the same data is not made twice: the
earlier one is returned (copied to ``out`` when asked for elsewhere), which spends no budget.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from palermo._version import __version__
from palermo.cases._duckdb_io import insert_arrow
from palermo.disclosure import _ledger
from palermo.disclosure._profiles import Profile, ProfileFile
from palermo.disclosure._source import PERSON, data_version, domains, fit_to_domains
from palermo.errors import DisclosureError, DisclosureRiskError, QuasiIdentifierError

if TYPE_CHECKING:
    from palermo.store import Store

MANIFEST = "manifest.json"
REPORT = "risk-report.md"


@dataclass
class Output:
    """One computed output of a release, before it is written."""

    name: str
    kind: str  # suppressed_table, kanon_microdata, dp_counts, dp_synthetic
    folder: str  # tables or microdata
    table: pa.Table
    columns: list[str]
    epsilon: float = 0.0
    delta: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    records_suppressed: int = 0
    min_cell: int | None = None
    cells: dict[str, int | None] = field(default_factory=dict)  # suppressed tables: for the ledger
    report: str = ""


@dataclass(frozen=True)
class ReleaseResult:
    """What ``palermo publish`` prints: the ledger record and whether it was an earlier release."""

    record: _ledger.ReleaseRecord
    out: Path
    reused: bool

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "release": r.release_id,
            "tables": r.tables,
            "records_suppressed": r.records_suppressed,
            "min_cell": r.min_cell,
            "epsilon_spent": 0.0 if self.reused else r.epsilon,
            "delta_spent": 0.0 if self.reused else r.delta,
            "profile": r.profile,
            "data_version": r.data_version,
            "out": str(self.out),
            "reused": self.reused,
        }


def parameters_of(profile: Profile, file: ProfileFile) -> dict[str, Any]:
    return {"profile": profile.model_dump(), "years": list(file.years)}


def check_columns(profile: Profile, data: pa.Table) -> None:
    missing = sorted(profile.columns() - set(data.column_names) | ({PERSON} & profile.columns()))
    if missing:
        raise QuasiIdentifierError(
            f"profile '{profile.name}' names columns that are not in the release microdata: "
            f"{', '.join(missing)} (see docs/disclosure.md for the columns)"
        )


# --- computing the outputs ----------------------------------------------------------------------
def _suppressed_tables(store: Store, profile: Profile, data: pa.Table, version: str) -> list[Output]:
    from palermo.disclosure._suppress import aggregate, audit_suppression

    if profile.tables is None:
        return []
    spec = profile.tables
    outputs = []
    for item in spec.items:
        st = aggregate(data, item.by, threshold=spec.threshold, rounding_base=spec.rounding_base)
        exposed = audit_suppression(st)
        if exposed:  # the suppression promises this never happens; keep the promise checked
            raise DisclosureRiskError(
                f"table '{item.name}': {len(exposed)} suppressed cells could be recovered from the margins"
            )
        published = st.published()
        cells = {_ledger.cell_key(key): count for key, count in st.cell_counts().items()}
        earlier = _ledger.earlier_cells(store, item.name, item.by)
        _ledger.check_changed_data(item.name, cells, earlier, version, spec.threshold)
        known = _ledger.same_data_known(earlier, version)
        if known:
            revealed = st.exposed_given({k: v for k, v in known.items() if k in cells})
            if revealed:
                raise _differencing(item.name, revealed)
        outputs.append(
            Output(
                name=item.name,
                kind="suppressed_table",
                folder="tables",
                table=published,
                columns=list(item.by),
                parameters={"threshold": spec.threshold, "rounding_base": spec.rounding_base},
                summary=st.to_dict(),
                records_suppressed=st.records_suppressed,
                min_cell=st.min_published,
                cells=cells,
            )
        )
    return outputs


def _differencing(name: str, revealed: int) -> DisclosureError:
    from palermo.errors import DifferencingError

    return DifferencingError(
        f"table '{name}': with the cells an earlier release of the same data published, {revealed} "
        "suppressed cells of this release could be worked out; publish the earlier release's table "
        "again, or coarsen this one; nothing was written"
    )


def _microdata(profile: Profile, data: pa.Table) -> list[Output]:
    from palermo.disclosure._kanon import anonymise

    outputs = []
    for spec in profile.microdata:
        columns = [*spec.quasi_identifiers, *(c for c in spec.sensitive if c not in spec.quasi_identifiers)]
        result = anonymise(
            data.select(columns),
            spec.quasi_identifiers,
            k=spec.k,
            max_suppression=spec.max_suppression,
            sensitive=spec.sensitive,
        )
        outputs.append(
            Output(
                name=spec.name,
                kind="kanon_microdata",
                folder="microdata",
                table=result.table,
                columns=columns,
                parameters=spec.model_dump(exclude={"name"}),
                summary=result.to_dict(),
                records_suppressed=result.suppressed,
                min_cell=result.risk.k_achieved if result.table.num_rows else None,
                report=result.risk.to_markdown(),
            )
        )
    return outputs


def _dp(profile: Profile, data: pa.Table, public: dict[str, list[str | None]]) -> list[Output]:
    from palermo.disclosure._dp import dp_counts
    from palermo.disclosure._synth import dp_synthesize

    outputs = []
    for query in profile.dp_counts:
        fitted = fit_to_domains(data.select([PERSON, *query.by]), query.by, public)
        counted = dp_counts(
            fitted,
            query.by,
            epsilon=query.epsilon,
            delta=query.delta,
            domains={c: public[c] for c in query.by},
            person_id=PERSON,
            max_contributions=query.max_contributions,
        )
        outputs.append(
            Output(
                name=query.name,
                kind="dp_counts",
                folder="tables",
                table=counted.cells,
                columns=list(query.by),
                epsilon=counted.epsilon,
                delta=counted.delta,
                parameters={**query.model_dump(exclude={"name"}), "mechanism": counted.mechanism.to_dict()},
                summary=counted.mechanism.to_dict(),
            )
        )
    for synth in profile.synthetic:
        fitted = fit_to_domains(data.select([PERSON, *synth.columns]), synth.columns, public)
        result = dp_synthesize(
            fitted,
            synth.columns,
            person_id=PERSON,
            epsilon=synth.epsilon,
            delta=synth.delta,
            reporting_length=synth.reporting_length,
            domains={c: public[c] for c in synth.columns},
        )
        outputs.append(
            Output(
                name=synth.name,
                kind="dp_synthetic",
                folder="microdata",
                table=result.table,
                columns=list(synth.columns),
                epsilon=result.epsilon,
                delta=result.delta,
                parameters=synth.model_dump(exclude={"name"}),
                summary=result.to_dict(),
            )
        )
    return outputs


def compute(store: Store, profile: Profile, file: ProfileFile, data: pa.Table, version: str) -> list[Output]:
    """Every output of the profile, checked; nothing is written."""
    check_columns(profile, data)
    if data.num_rows == 0:
        raise DisclosureRiskError("the store holds no case victims: there is nothing to release")
    public = domains(file.years)
    return [
        *_suppressed_tables(store, profile, data, version),
        *_microdata(profile, data),
        *_dp(profile, data, public),
    ]


# --- writing ------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _report(profile: Profile, outputs: list[Output], budget: _ledger.BudgetState, release_id: str) -> str:
    lines = [
        f"# Disclosure report of release {release_id}",
        "",
        f"Profile **{profile.name}**, for {profile.audience}. {profile.description}",
        "",
        "Every count below is about the release, not about any person. Nothing in this release names or",
        "identifies a person; the rules each output obeys are stated with it.",
        "",
    ]
    for out in outputs:
        lines += [f"## {out.name} ({out.kind.replace('_', ' ')})", ""]
        if out.kind == "suppressed_table":
            s = out.summary
            lines += [
                f"Counts by {', '.join(out.columns)}. Cells with 1 to {s['threshold'] - 1} records are "
                "suppressed (primary suppression), and further cells are suppressed so that no suppressed "
                "cell can be worked out from the published cells and margins (secondary suppression; "
                "checked by linear programming over everything published, and against earlier releases).",
                f"Suppressed cells: {s['suppressed_cells']:,}, holding {out.records_suppressed:,} records. "
                f"Smallest published non-zero count: {out.min_cell if out.min_cell is not None else 'none'}.",
                "",
            ]
        elif out.kind == "kanon_microdata":
            s = out.summary
            lines += [
                f"Records generalised to k-anonymity over {', '.join(out.parameters['quasi_identifiers'])} "
                f"(k = {out.parameters['k']}): generalisation levels {s.get('levels')}, "
                f"{out.records_suppressed:,} records withheld ({s.get('suppression_rate', 0):.1%}).",
                "",
                out.report,
                "",
            ]
        else:
            lines += [
                f"Differentially private ({out.kind.replace('_', ' ')}) over {', '.join(out.columns)}: "
                f"epsilon {out.epsilon:.6g}, delta {out.delta:.3g}. Categories are the public domains of the "
                "vocabulary, not taken from the data; counts are noisy, so small ones may be zero or "
                "invented. Any analysis of these outputs is covered by the same guarantee.",
                "",
            ]
    lines += [
        "## Privacy budget",
        "",
        f"This release spends epsilon {sum(o.epsilon for o in outputs):.6g} and delta "
        f"{sum(o.delta for o in outputs):.3g}. Before it, the ledger had spent epsilon "
        f"{budget.epsilon_spent:.6g} of {budget.epsilon_total:.6g} over {budget.releases} releases.",
        "",
    ]
    return "\n".join(lines)


def _write_table(table: pa.Table, folder: Path, name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = folder / f"{name}.csv", folder / f"{name}.parquet"
    pacsv.write_csv(table, csv_path)
    pq.write_table(table, parquet_path)
    return [csv_path, parquet_path]


def _write(
    target: Path,
    release_id: str,
    profile: Profile,
    outputs: list[Output],
    meta: dict[str, Any],
    budget: _ledger.BudgetState,
) -> str:
    files: dict[str, list[dict[str, Any]]] = {}
    described = []
    for out in outputs:
        paths = _write_table(out.table, target / out.folder, out.name)
        entries = [
            {"path": p.relative_to(target).as_posix(), "sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in paths
        ]
        files[out.name] = entries
        described.append(
            {
                "name": out.name,
                "kind": out.kind,
                "columns": out.columns,
                "rows": out.table.num_rows,
                "files": entries,
                "epsilon": out.epsilon,
                "delta": out.delta,
                "parameters": out.parameters,
                "records_suppressed": out.records_suppressed,
                "min_cell": out.min_cell,
            }
        )
    report = target / REPORT
    report.write_text(_report(profile, outputs, budget, release_id), encoding="utf-8")
    manifest = {
        "release": release_id,
        **meta,
        "outputs": described,
        "report": {"path": REPORT, "sha256": _sha256(report)},
        "budget_before": budget.to_dict(),
        "notes": [
            "count: null in a suppressed table means suppressed (status says primary or secondary)",
            "unknown is a category: the value was not recorded",
            "differentially private outputs are noisy by design; epsilon and delta are OpenDP's accounting",
        ],
    }
    path = target / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return _sha256(path)


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DisclosureError(f"{out} exists and is not an empty folder; give a new --out folder")


def _intact(record: _ledger.ReleaseRecord) -> bool:
    manifest = Path(record.out_dir) / MANIFEST
    return manifest.is_file() and _sha256(manifest) == record.manifest_sha256


def _reuse(record: _ledger.ReleaseRecord, out: Path) -> ReleaseResult | None:
    if not _intact(record):
        return None
    source = Path(record.out_dir)
    if out.resolve() != source.resolve():
        _check_out(out)
        with contextlib.suppress(FileNotFoundError):
            out.rmdir()
        shutil.copytree(source, out)
    return ReleaseResult(record, out, reused=True)


def publish(
    store: Store,
    profile: Profile,
    file: ProfileFile,
    data: pa.Table,
    out: Path,
    *,
    epsilon_budget: float,
    delta_budget: float,
    reuse: bool = True,
) -> ReleaseResult:
    """Make (or return the identical earlier) release of ``profile`` from ``data`` into ``out``."""
    out = Path(out)
    version = data_version(data)
    parameters = parameters_of(profile, file)
    if reuse:
        for earlier in reversed(_ledger.releases(store)):
            if earlier.data_version == version and earlier.parameters == json.loads(json.dumps(parameters)):
                reused = _reuse(earlier, out)
                if reused is not None:
                    return reused
    _check_out(out)
    state = _ledger.budget(store, epsilon_budget, delta_budget)
    _ledger.check_budget(state, profile.epsilon, profile.delta)
    outputs = compute(store, profile, file, data.combine_chunks(), version)
    epsilon = sum(o.epsilon for o in outputs)
    delta = sum(o.delta for o in outputs)
    _ledger.check_budget(state, epsilon, delta)  # what OpenDP's maps computed, never above the profile's
    created = datetime.now(UTC).replace(tzinfo=None)
    release_id = f"R{created:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    meta = {
        "profile": profile.name,
        "audience": profile.audience,
        "created_at": created.isoformat(timespec="seconds") + "Z",
        "data_version": version,
        "records": data.num_rows,
        "palermo_version": __version__,
        "parameters": parameters,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{release_id}"
    try:
        manifest_sha = _write(staging, release_id, profile, outputs, meta, state)
        suppression = [o for o in outputs if o.kind in {"suppressed_table", "kanon_microdata"}]
        mins = [o.min_cell for o in suppression if o.min_cell is not None]
        record = _ledger.ReleaseRecord(
            release_id=release_id,
            created_at=created,
            profile=profile.name,
            audience=profile.audience,
            data_version=version,
            records=data.num_rows,
            tables=len(outputs),
            records_suppressed=max((o.records_suppressed for o in suppression), default=0),
            min_cell=min(mins) if mins else None,
            epsilon=epsilon,
            delta=delta,
            parameters=parameters,
            manifest_sha256=manifest_sha,
            out_dir=str(out.resolve()),
            palermo_version=__version__,
        )
        renamed = False
        try:
            with store.transaction() as conn:
                _insert(conn, record, outputs)
                with contextlib.suppress(FileNotFoundError):
                    out.rmdir()
                os.replace(staging, out)
                renamed = True
        except BaseException:
            if renamed:
                shutil.rmtree(out, ignore_errors=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReleaseResult(record, out, reused=False)


def _insert(conn: Any, record: _ledger.ReleaseRecord, outputs: list[Output]) -> None:
    conn.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.release_id,
            record.created_at,
            record.profile,
            record.audience,
            record.data_version,
            record.records,
            record.tables,
            record.records_suppressed,
            record.min_cell,
            record.epsilon,
            record.delta,
            json.dumps(record.parameters, default=str),
            record.manifest_sha256,
            record.out_dir,
            record.palermo_version,
        ],
    )
    for out in outputs:
        conn.execute(
            "INSERT INTO release_queries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                record.release_id,
                out.name,
                out.kind,
                out.columns,
                out.epsilon,
                out.delta,
                json.dumps(out.parameters, default=str),
            ],
        )
        if out.cells:
            cells = pa.table(
                {
                    "release_id": pa.array([record.release_id] * len(out.cells)),
                    "name": pa.array([out.name] * len(out.cells)),
                    "cell": pa.array(list(out.cells)),
                    "count": pa.array(list(out.cells.values()), pa.int64()),
                }
            )
            insert_arrow(conn, "release_cells", cells)
