"""DP synthetic microdata: Palermo's ``dp_synthesize`` against pac-synth, in the same run (issue 8).

Anchor: ``pac-synth`` 0.0.8 (the PyPI package of Microsoft's Synthetic Data Showcase, module
``pacsynth``): ``DpAggregateSeededSynthesizer`` with ``reporting_length(3).epsilon(4.0).delta(δ)``,
other parameters at their defaults. Both get the same records and the same (ε, δ); both outputs are
scored by ``palermo.disclosure._marginals.marginal_error`` against the original: the mean absolute
error of every 1-, 2- and 3-way marginal cell. Target: at least 10x faster at equal or lower error.

Data: Zipf-skewed categorical columns shaped like CTDC fields (``numpy.random.default_rng(0)``), with
a few dependencies (country of exploitation partly follows citizenship; exploitation types follow
gender; debt bondage follows forced labour; data source follows year). The public domains are the
generator's category lists. If the real CTDC victim-perpetrator file is in the shared data, both tools
also run on 7 of its columns.

``run()`` returns the markdown body; the dispatcher ``benchmarks/disclosure.py`` writes it to
docs/benchmarks.md. Alone::

    python benchmarks/_disclosure_synth.py                      # 100,000 and 1,000,000 records
    python benchmarks/_disclosure_synth.py --rows 20000 --big-rows 0
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from palermo.disclosure._marginals import marginal_error  # noqa: E402
from palermo.disclosure._source import read_text_csv  # noqa: E402
from palermo.disclosure._synth import dp_synthesize  # noqa: E402

EPSILON = 4.0
DELTA = 1e-6
LENGTH = 3
YES_NO = ["no", "yes"]
CATEGORIES: dict[str, list[str]] = {
    "gender": ["Female", "Male", "Transgender/NonConforming", "Unknown"],
    "ageBroad": ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"],
    "citizenship": [f"C{i:02d}" for i in range(60)],
    "countryOfExploitation": [f"E{i:02d}" for i in range(40)],
    "yearOfRegistration": [str(2002 + i) for i in range(20)],
    "Datasource": ["Case Management", "Hotline"],
    "isSexualExploit": YES_NO,
    "isForcedLabour": YES_NO,
    "meansOfControlDebtBondage": YES_NO,
}
CTDC = "ctdc/CTDC_VPsynthetic_condensed.csv"
CTDC_COLUMNS = [
    "yearRegister",
    "gender",
    "majorityStatus",
    "isForcedLabour",
    "isSexualExploit",
    "UN_COO_Region",
    "UN_COE_Region",
]


def make_data(rows: int, seed: int = 0) -> pa.Table:
    """``rows`` CTDC-shaped records (values never empty or "0": pac-synth would read those as absent)."""
    rng = np.random.default_rng(seed)

    def zipf(n: int, s: float) -> npt.NDArray[np.int64]:
        p = 1.0 / np.arange(1, n + 1) ** s
        return rng.choice(n, size=rows, p=p / p.sum())

    gender = zipf(4, 2.0)
    age = rng.permutation(9)[zipf(9, 1.0)]
    citizenship = zipf(60, 1.1)
    exploitation = np.where(rng.random(rows) < 0.4, (citizenship * 7) % 40, zipf(40, 1.1))
    year = 19 - zipf(20, 0.7)
    source = np.where(rng.random(rows) < 0.2 + 0.03 * year, 0, 1)
    sexual = rng.random(rows) < np.where(gender == 0, 0.6, 0.15)
    labour = rng.random(rows) < np.where(sexual, 0.1, 0.75)
    debt = rng.random(rows) < np.where(labour, 0.5, 0.1)
    codes = [gender, age, citizenship, exploitation, year, source, sexual, labour, debt]
    return pa.table(
        {
            name: pa.array(cats, pa.string()).take(pa.array(np.asarray(code, dtype=np.int64)))
            for (name, cats), code in zip(CATEGORIES.items(), codes, strict=True)
        }
    )


def read_ctdc() -> pa.Table | None:
    env = os.environ.get("PALERMO_SHARED_DATA")
    path = (Path(env) if env else ROOT.parent / "shared" / "data") / CTDC
    if not path.is_file():
        return None
    return read_text_csv(path).select(CTDC_COLUMNS)


def palermo(data: pa.Table, domains: dict[str, list[str | None]] | None) -> tuple[float, pa.Table]:
    start = time.perf_counter()
    result = dp_synthesize(
        data,
        data.column_names,
        epsilon=EPSILON,
        delta=DELTA,
        reporting_length=LENGTH,
        domains=domains,
        seed=0,
    )
    return time.perf_counter() - start, result.table


def pac_synth(data: pa.Table) -> tuple[float, pa.Table]:
    import pacsynth

    columns = data.column_names
    # pac-synth reads "" as an absent value; a null becomes the literal "null" for it
    values = [["null" if v is None else v for v in data[c].to_pylist()] for c in columns]
    raw = [columns, *(list(row) for row in zip(*values, strict=True))]
    start = time.perf_counter()
    dataset = pacsynth.Dataset(raw)
    parameters = (
        pacsynth.DpAggregateSeededParametersBuilder()
        .reporting_length(LENGTH)
        .epsilon(EPSILON)
        .delta(DELTA)
        .build()
    )
    synthesizer = pacsynth.DpAggregateSeededSynthesizer(parameters)
    synthesizer.fit(dataset)
    out = synthesizer.sample()
    seconds = time.perf_counter() - start
    header, body = out[0], out[1:]
    table = pa.table(
        {
            name: pa.array([None if r[i] == "null" else r[i] for r in body], pa.string())
            for i, name in enumerate(header)
        }
    )
    return seconds, table.select(columns)


def empty_share(table: pa.Table) -> float:
    """Share of values pac-synth left empty (attributes it did not synthesise)."""
    empty = sum(int(pc.sum(pc.equal(table[c], "")).as_py() or 0) for c in table.column_names)
    return float(empty) / float(table.num_rows * table.num_columns)


def row(
    label: str, tool: str, seconds: float, original: pa.Table, synthetic: pa.Table
) -> tuple[str, dict[int, float]]:
    error = marginal_error(original, synthetic, original.column_names, LENGTH)
    cells = " | ".join(f"{error[k]:.2f}" for k in range(1, LENGTH + 1))
    return f"| {label} | {tool} | {seconds:,.1f} | {cells} | {synthetic.num_rows:,} |", error


def compare(
    label: str, data: pa.Table, domains: dict[str, list[str | None]] | None, lines: list[str]
) -> tuple[str, float]:
    """Both tools on ``data``; table rows appended to ``lines``; returns a summary and pac-synth's time."""
    t_palermo, s_palermo = palermo(data, domains)
    line, e_palermo = row(label, "Palermo `dp_synthesize`", t_palermo, data, s_palermo)
    lines.append(line)
    t_pac, s_pac = pac_synth(data)
    line, e_pac = row(label, "pac-synth 0.0.8", t_pac, data, s_pac)
    lines.append(line)
    ratios = ", ".join(f"{k}-way {e_pac[k] / e_palermo[k]:.1f}x" for k in range(1, LENGTH + 1))
    return (
        f"- {label}: Palermo **{t_pac / t_palermo:.0f}x faster** ({t_palermo:.1f} s against {t_pac:.1f} s); "
        f"pac-synth's error divided by Palermo's: {ratios}; pac-synth left "
        f"{empty_share(s_pac):.1%} of its values empty (attributes it did not synthesise, scored as a value "
        "of their own).",
        t_pac,
    )


def run(rows: int = 100_000, big_rows: int = 1_000_000) -> str:
    """Time and score both tools at ``rows`` (and CTDC's real file if present), Palermo alone at ``big_rows``."""
    import pacsynth  # noqa: F401  (imported before any timing, as Palermo's OpenDP is)

    from palermo.disclosure._dp import opendp_prelude

    opendp_prelude()
    domains: dict[str, list[str | None]] = {k: list(v) for k, v in CATEGORIES.items()}
    lines = [
        "| data | tool | seconds | MAE 1-way | MAE 2-way | MAE 3-way | records out |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    note, t_rows = compare(f"generated, {rows:,} rows", make_data(rows), domains, lines)
    notes = [note]
    ctdc = read_ctdc()
    if ctdc is not None:
        # categories of the real file taken from the data for both tools (a benchmark, not a release)
        notes.append(compare(f"CTDC VP synthetic, {ctdc.num_rows:,} rows x 7", ctdc, None, lines)[0])
    else:
        notes.append(f"- The real CTDC file ({CTDC}) was not found in the shared data: not run.")
    if big_rows:
        big = make_data(big_rows)
        seconds, synthetic = palermo(big, domains)
        line, _ = row(f"generated, {big_rows:,} rows", "Palermo `dp_synthesize`", seconds, big, synthetic)
        lines.append(line)
        small_rows = max(rows // 5, 1_000)
        t_small, _ = pac_synth(make_data(small_rows))
        notes.append(
            f"- {big_rows:,} rows: pac-synth was not run. It took {t_small:,.1f} s at {small_rows:,} rows and "
            f"{t_rows:,.1f} s at {rows:,} ({t_rows / t_small:.1f}x the time for {rows / small_rows:.0f}x the rows), "
            f"so {big_rows:,} rows would take at least {big_rows / rows * t_rows / 60:,.0f} min even if its time "
            "only grew in proportion to the rows."
        )
    sizes = ", ".join(f"{name} {len(cats)}" for name, cats in CATEGORIES.items())
    return "\n".join(
        [
            f"DP synthetic microdata, ε = {EPSILON:g}, δ = {DELTA:g}, reporting length {LENGTH}, same records "
            "and the same (ε, δ) for both tools; MAE is the mean absolute error of every k-way marginal cell "
            "present in the original or the synthetic data (`marginal_error`, in records of the original).",
            "",
            *lines,
            "",
            *notes,
            f"- Generated columns and their categories: {sizes} (Zipf-skewed, `numpy.random.default_rng(0)`).",
            "- pac-synth: `DpAggregateSeededSynthesizer`, `reporting_length(3).epsilon(4.0).delta(1e-6)`, "
            "other parameters at their defaults; Palermo: `dp_synthesize(..., epsilon=4.0, delta=1e-6, "
            "reporting_length=3, domains=<the generator's categories>, seed=0)`.",
            "- Command: `python benchmarks/disclosure.py` (its DP synthesis section is "
            "`benchmarks/_disclosure_synth.py`, also runnable alone).",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    print(run(args.rows, args.big_rows))


if __name__ == "__main__":
    main()
