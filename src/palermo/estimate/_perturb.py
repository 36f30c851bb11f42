"""Linkage errors, simulated on true capture histories.

A linkage threshold set too high misses true links; set too low it joins different people. Both
change the capture histories that estimation sees. Starting from the true histories of a synthetic
world (one entry per person: the set of lists that recorded them), two documented perturbations
reproduce what a threshold sweep does:

- **Missed links** at rate ``r``: a person recorded by ``m >= 2`` lists is held together by ``m - 1``
  true cross-list links, taken as a chain through their lists in random order. Each link is lost
  with probability ``r``; the pieces left become separate apparent persons. A person on three lists
  who loses one link becomes two apparent persons, one on two lists and one on one.
- **Over-merges** at rate ``r``: a fraction ``r`` of the observed persons, drawn at random, are paired
  at random and each pair is joined into one apparent person on the union of their lists (two
  different people wrongly linked).

Missed links add apparent persons and remove overlaps, which pushes the estimate up; over-merges
remove persons and add overlaps, which pushes it down.
"""

from __future__ import annotations

import numpy as np

from palermo.estimate._table import CaptureTable


def persons(table: CaptureTable) -> np.ndarray:
    """One history mask per observed person (``table.observed`` entries)."""
    return np.repeat(np.arange(1 << table.k), table.counts)


def to_table(template: CaptureTable, masks: np.ndarray, note: str) -> CaptureTable:
    counts = np.bincount(masks, minlength=1 << template.k).astype(np.int64)
    counts[0] = 0
    return CaptureTable(
        template.lists,
        counts,
        source=template.source,
        notes=(*template.notes, note),
        true_population=template.true_population,
    )


def miss_links(masks: np.ndarray, rate: float, k: int, rng: np.random.Generator) -> np.ndarray:
    """Split persons along lost links (see the module docstring)."""
    if rate <= 0:
        return masks.copy()
    out: list[int] = []
    bits = np.arange(k)
    for mask in masks.tolist():
        on = bits[(mask >> bits) & 1 == 1]
        if len(on) < 2:
            out.append(mask)
            continue
        order = rng.permutation(on)
        lost = rng.random(len(order) - 1) < rate
        piece = 1 << int(order[0])
        for lst, cut in zip(order[1:].tolist(), lost.tolist(), strict=True):
            if cut:
                out.append(piece)
                piece = 0
            piece |= 1 << lst
        out.append(piece)
    return np.array(out, dtype=np.int64)


def over_merge(masks: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Join random pairs of persons (see the module docstring)."""
    n = len(masks)
    pairs = round(rate * n / 2)
    if pairs <= 0:
        return masks.copy()
    order = rng.permutation(n)
    first, second = order[:pairs], order[pairs : 2 * pairs]
    merged = masks[first] | masks[second]
    rest = masks[order[2 * pairs :]]
    return np.concatenate([rest, merged])


def perturb(table: CaptureTable, kind: str, rate: float, rng: np.random.Generator) -> CaptureTable:
    """The table after linkage errors of ``kind`` (``missed`` or ``merged``) at ``rate``."""
    masks = persons(table)
    if kind == "missed":
        return to_table(table, miss_links(masks, rate, table.k, rng), f"{rate:.0%} of true links dropped")
    if kind == "merged":
        return to_table(table, over_merge(masks, rate, rng), f"{rate:.0%} of persons wrongly merged in pairs")
    raise ValueError(f"unknown linkage error {kind!r} (missed or merged)")
