"""Scenario generator throughput and memory (issue 2).

Palermo: records written per second when the world holds 1 million agency records, and the peak
resident memory of a 10-million-record world (each run in a fresh process).
Anchor: the usual way to make such data, one Faker call per field per record, timed on a sample
in the same run.

    python benchmarks/scenario.py            # 1M throughput, 10M memory, anchor
    python benchmarks/scenario.py --quick    # 1M throughput and anchor only
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import write_section

CHILD = """
import json, resource, sys, time
from palermo.scenario import generate
persons, out = int(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
summary = generate(persons, 42, out)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"persons": persons, "records": summary.records, "seconds": elapsed, "peak_bytes": peak}))
"""


def run_child(persons: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="palermo-bench-") as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(persons), str(Path(tmp) / "world")],
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def faker_anchor(records: int = 20_000) -> float:
    """Records per second making the same fields one Faker call at a time (names, dates, country)."""
    from faker import Faker

    fake = Faker(["ro_RO", "uk_UA", "en_NG", "vi_VN", "es_ES"])
    fake.seed_instance(42)
    start = time.perf_counter()
    rows = []
    for i in range(records):
        rows.append(
            (
                f"R{i:07d}",
                fake.first_name(),
                fake.last_name(),
                fake.date_of_birth(minimum_age=12, maximum_age=60).strftime("%d/%m/%Y"),
                fake.country_code(representation="alpha-3"),
                fake.date_between(start_date="-5y").strftime("%d/%m/%Y"),
                fake.random_element(["forced labour", "sexual exploitation"]),
            )
        )
    return records / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="skip the 10-million-record memory run")
    args = parser.parse_args()

    calibration = run_child(100_000)
    per_person = calibration["records"] / calibration["persons"]
    persons_1m = math.ceil(1_000_000 / per_person)
    big = run_child(persons_1m)
    rate = big["records"] / big["seconds"]
    anchor = faker_anchor()
    lines = [
        "Command: `python benchmarks/scenario.py` (or `make bench`)",
        "",
        "| run | persons | agency records | seconds | records/s | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
        f"| Palermo, 1M records | {persons_1m:,} | {int(big['records']):,} | {big['seconds']:.1f} | "
        f"{rate:,.0f} | {big['peak_bytes'] / 2**20:,.0f} MiB |",
    ]
    result = {
        "records_per_second": rate,
        "peak_mib_1m": big["peak_bytes"] / 2**20,
        "anchor_records_per_second": anchor,
    }
    if not args.quick:
        persons_10m = math.ceil(10_000_000 / per_person)
        huge = run_child(persons_10m)
        lines.append(
            f"| Palermo, 10M records | {persons_10m:,} | {int(huge['records']):,} | {huge['seconds']:.1f} | "
            f"{huge['records'] / huge['seconds']:,.0f} | {huge['peak_bytes'] / 2**20:,.0f} MiB |"
        )
        result["peak_mib_10m"] = huge["peak_bytes"] / 2**20
    lines += [
        f"| anchor: Faker, one call per field (20,000 records) | | 20,000 | | {anchor:,.0f} | |",
        "",
        f"Ratio Palermo / anchor: **{rate / anchor:,.0f}x**. Targets (issue 2): at least 100,000 records/s at "
        "1 million records; peak memory under 2 GB for 10 million records.",
        "",
        "Records are the rows of the agencies' files; every run also writes the hidden population "
        f"({1 / per_person:.2f} persons per record) and the ground truth. Peak memory is the child process's "
        "maximum resident set size (ru_maxrss).",
    ]
    write_section("Scenario generator (issue 2)", "\n".join(lines))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
