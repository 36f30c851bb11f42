"""Disclosure control (issue 8): risk measurement against pycanon, DP synthesis against pac-synth.

Both anchors are installed with the ``bench`` extra (``pip install -e '.[bench]'``) and run in the
same process as Palermo, on the same data:

* ``benchmarks/_disclosure_risk.py``: k and l of 1,000,000 records over 6 quasi-identifiers,
  Palermo's ``measure_risk`` against ``pycanon`` (target: at least 10x faster, same k and l); and the
  k = 11 anonymisation of the CTDC victim-perpetrator synthetic file against CTDC's reported 40%.
* ``benchmarks/_disclosure_synth.py``: DP synthetic data from 100,000 records at epsilon 4, reporting
  length 3, Palermo's ``dp_synthesize`` against ``pac-synth`` (target: at least 10x faster at equal or
  lower mean absolute error of the 1- to 3-way marginals), and Palermo on 1,000,000 records.

    python benchmarks/disclosure.py                 # both parts, figures to docs/benchmarks.md
    python benchmarks/disclosure.py --part risk     # one part
    python benchmarks/disclosure.py --rows 100000   # smaller risk run (quick check)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _report import write_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _disclosure_risk  # noqa: E402
import _disclosure_synth  # noqa: E402

HEADINGS = {
    "risk": "Disclosure risk and k-anonymity (issue 8)",
    "synth": "Differentially private synthetic data (issue 8)",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["risk", "synth", "all"], default="all")
    parser.add_argument("--rows", type=int, default=None, help="records of the risk run (default 1,000,000)")
    parser.add_argument(
        "--synth-rows", type=int, default=None, help="records of the anchored DP run (100,000)"
    )
    parser.add_argument(
        "--big-rows", type=int, default=None, help="records of Palermo's large DP run (1,000,000)"
    )
    args = parser.parse_args()
    if args.part in {"risk", "all"}:
        body = _disclosure_risk.run(**({"rows": args.rows} if args.rows else {}))
        write_section(HEADINGS["risk"], body)
        print(body)
    if args.part in {"synth", "all"}:
        kwargs = {}
        if args.synth_rows:
            kwargs["rows"] = args.synth_rows
        if args.big_rows:
            kwargs["big_rows"] = args.big_rows
        body = _disclosure_synth.run(**kwargs)
        write_section(HEADINGS["synth"], body)
        print(body)


if __name__ == "__main__":
    main()
