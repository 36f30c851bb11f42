"""The capture-history table: how many persons each combination of lists recorded.

A table over ``k`` lists is held dense: ``counts[m]`` is the number of persons whose history has bit
``j`` of ``m`` set exactly for the lists ``j`` that recorded them. ``counts[0]`` (recorded by no list)
is always 0: it is the unseen part that estimation is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from palermo.errors import CaptureTableError, Problem

MIN_LISTS = 3
MAX_LISTS = 10


def history_label(mask: int, lists: Sequence[str]) -> str:
    """``LA+PF`` for the history recorded by lists LA and PF only."""
    return "+".join(name for j, name in enumerate(lists) if mask >> j & 1) or "(none)"


@dataclass(frozen=True)
class CaptureTable:
    """Counts of persons per capture history over named lists.

    ``notes`` says in words what reading and tidying did to the data (rows summed, lists dropped or
    merged); ``merged`` names each merged list and its parts; ``true_population`` is set only for a
    synthetic world, where the hidden population is known.
    """

    lists: tuple[str, ...]
    counts: np.ndarray
    source: str = ""
    notes: tuple[str, ...] = ()
    merged: tuple[tuple[str, tuple[str, ...]], ...] = ()
    true_population: int | None = None
    stratum: str | None = None

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.int64)
        if counts.shape != (1 << len(self.lists),):
            raise ValueError(f"counts must have 2**{len(self.lists)} entries, got {counts.shape}")
        if counts[0] != 0:
            raise ValueError("counts[0] (the unseen cell) must be 0")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_histories(
        cls,
        lists: Sequence[str],
        histories: Iterable[tuple[int, int]],
        *,
        source: str = "",
        notes: Sequence[str] = (),
        true_population: int | None = None,
        stratum: str | None = None,
    ) -> CaptureTable:
        """Build from ``(mask, count)`` pairs; repeated masks are added. Mask 0 must not appear."""
        counts = np.zeros(1 << len(lists), dtype=np.int64)
        for mask, count in histories:
            if mask == 0:
                raise ValueError("the all-zero history cannot be given a count")
            counts[mask] += count
        return cls(
            tuple(lists),
            counts,
            source=source,
            notes=tuple(notes),
            true_population=true_population,
            stratum=stratum,
        )

    # -- what the table holds -------------------------------------------------------------
    @property
    def k(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    @property
    def masks(self) -> np.ndarray:
        """Every history with at least one list, in mask order (1 .. 2**k - 1)."""
        return np.arange(1, 1 << self.k)

    def list_totals(self) -> dict[str, int]:
        m = np.arange(1 << self.k)
        return {name: int(self.counts[(m >> j & 1) == 1].sum()) for j, name in enumerate(self.lists)}

    def overlap(self, i: int, j: int) -> int:
        """Persons on both list ``i`` and list ``j`` (whatever other lists they are on)."""
        return self.overlaps[(min(i, j), max(i, j))]

    @cached_property
    def overlaps(self) -> dict[tuple[int, int], int]:
        """Persons on both lists of each pair ``(i, j)``, ``i < j``."""
        m = np.arange(1 << self.k)
        on = [(m >> j & 1) == 1 for j in range(self.k)]
        return {
            (i, j): int(self.counts[on[i] & on[j]].sum()) for i in range(self.k) for j in range(i + 1, self.k)
        }

    def rows(self) -> list[dict[str, object]]:
        """The non-empty histories as ``{"history": "LA+PF", "count": n}``, in mask order."""
        return [
            {"history": history_label(int(m), self.lists), "count": int(self.counts[m])}
            for m in self.masks
            if self.counts[m] > 0
        ]

    def with_notes(self, *notes: str) -> CaptureTable:
        return replace(self, notes=(*self.notes, *notes))

    # -- reshaping -------------------------------------------------------------------------
    def merge(self, groups: Mapping[str, Sequence[str]]) -> CaptureTable:
        """Merge lists: ``{"PF+NCA": ["PF", "NCA"]}`` makes one list of persons on PF or NCA."""
        problems: list[Problem] = []
        used: set[str] = set()
        for new, parts in groups.items():
            if len(parts) < 2:
                problems.append(Problem(None, new, "a merged list needs at least two lists"))
            for part in parts:
                if part not in self.lists:
                    problems.append(Problem(None, part, f"no such list (lists: {', '.join(self.lists)})"))
                elif part in used:
                    problems.append(Problem(None, part, "list named in two merges"))
                used.add(part)
        if problems:
            raise CaptureTableError(problems, what=f"merge of lists in {self.source or 'table'}")
        # the new order: each merged list takes the place of its first part
        plan: list[tuple[str, list[int]]] = []
        placed: set[str] = set()
        for name in self.lists:
            owner = next((new for new, parts in groups.items() if name in parts), None)
            if owner is None:
                plan.append((name, [self.lists.index(name)]))
            elif owner not in placed:
                placed.add(owner)
                plan.append((owner, [self.lists.index(p) for p in groups[owner]]))
        counts = np.zeros(1 << len(plan), dtype=np.int64)
        for m in self.masks:
            if self.counts[m]:
                new_mask = sum(1 << b for b, (_, olds) in enumerate(plan) if any(m >> o & 1 for o in olds))
                counts[new_mask] += self.counts[m]
        notes = [
            f"lists {' and '.join(parts)} were merged into one list, {new}" for new, parts in groups.items()
        ]
        merged = (*self.merged, *((new, tuple(parts)) for new, parts in groups.items()))
        return replace(
            self,
            lists=tuple(name for name, _ in plan),
            counts=counts,
            notes=(*self.notes, *notes),
            merged=merged,
        )

    def drop(self, names: Sequence[str]) -> CaptureTable:
        """Leave lists out; persons seen only on them leave the table."""
        keep = [j for j, name in enumerate(self.lists) if name not in names]
        counts = np.zeros(1 << len(keep), dtype=np.int64)
        for m in self.masks:
            new_mask = sum(1 << b for b, old in enumerate(keep) if m >> old & 1)
            if new_mask:
                counts[new_mask] += self.counts[m]
        return replace(self, lists=tuple(self.lists[j] for j in keep), counts=counts)

    def tidy(self) -> CaptureTable:
        """Drop lists that carry no information about the unseen: lists with no case, lists that
        hold every case, and lists identical to another list (same persons). Each is noted."""
        table = self
        totals = table.list_totals()
        empty = [name for name, total in totals.items() if total == 0]
        if empty:
            table = table.drop(empty).with_notes(
                *(f"list {name} has no case and was left out" for name in empty)
            )
        everyone = [name for name, total in table.list_totals().items() if total == table.observed]
        if everyone and len(everyone) < table.k:
            table = table.drop(everyone).with_notes(
                *(
                    f"list {name} holds every observed case, so it says nothing about who is unseen; left out"
                    for name in everyone
                )
            )
        totals = table.list_totals()
        duplicates: list[tuple[str, str]] = []
        taken: set[str] = set()
        for i, a in enumerate(table.lists):
            for b in table.lists[i + 1 :]:
                if a in taken or b in taken:
                    continue
                if totals[a] == totals[b] == table.overlap(i, table.lists.index(b)):
                    duplicates.append((a, b))
                    taken.update((a, b))
        if duplicates:
            table = table.merge({f"{a}+{b}": [a, b] for a, b in duplicates}).with_notes(
                *(f"lists {a} and {b} hold exactly the same persons" for a, b in duplicates)
            )
        return table

    def require_lists(self) -> None:
        """Refuse a table with fewer than three lists or no observed case."""
        if self.k < MIN_LISTS:
            raise CaptureTableError(
                [
                    Problem(
                        None,
                        "lists",
                        f"multiple systems estimation here needs at least {MIN_LISTS} informative lists, "
                        f"this table has {self.k} ({', '.join(self.lists) or 'none'})",
                    )
                ],
                what=f"capture-history table {self.source}".strip(),
            )
        if self.k > MAX_LISTS:
            raise CaptureTableError(
                [Problem(None, "lists", f"at most {MAX_LISTS} lists are supported, this table has {self.k}")],
                what=f"capture-history table {self.source}".strip(),
            )
        if self.observed == 0:
            raise CaptureTableError(
                [Problem(None, "count", "no case is observed on any list")],
                what=f"capture-history table {self.source}".strip(),
            )
