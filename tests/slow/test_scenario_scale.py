"""Long runs (marker ``slow``; ``make test-slow``): the scenario at a scale where memory matters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHILD = """
import json, resource, sys
from palermo.scenario import generate
summary = generate(int(sys.argv[1]), 9, sys.argv[2])
print(json.dumps({"records": summary.records, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def test_three_million_persons_stay_in_bounded_memory(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, "3000000", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["records"] > 1_500_000
    assert result["peak"] < 2 * 2**30, "streaming keeps peak memory under 2 GB"
