"""Small helpers of the estimation tests."""

from __future__ import annotations

from pathlib import Path

from palermo.estimate import CaptureTable


def table(lists: str, **counts: int) -> CaptureTable:
    """``table("ABC", A=5, AB=9)``: a small table from history names (letters of ``lists``)."""
    hist = [(sum(1 << lists.index(ch) for ch in name), n) for name, n in counts.items()]
    return CaptureTable.from_histories(tuple(lists), hist, source="test")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
