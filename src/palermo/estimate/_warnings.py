"""Warnings written for a policy reader: what the estimate assumes, and what in this table makes it
fragile. Each is one or two plain sentences; none needs statistics to be understood."""

from __future__ import annotations

from palermo.estimate._fit import Fit
from palermo.estimate._select import Selection
from palermo.estimate._table import CaptureTable

CLOSED = (
    "Closed population: the estimate assumes nobody entered or left the population while the lists "
    "were collected. Over a long period it counts everyone who was a victim at any time in it, and "
    "people who arrived, left or stopped being exploited in between bend the result."
)
LINKAGE = (
    "Perfect linkage: the estimate assumes every person was matched correctly across lists. A missed "
    "match makes one person look like two and pushes the estimate up; two different people wrongly "
    "joined push it down ('palermo estimate sensitivity' shows by how much)."
)
HOMOGENEITY = (
    "Homogeneity: apart from the list dependencies in the model, everyone is assumed to have had the "
    "same chance of being recorded by each list. People hidden from every agency (for example in "
    "domestic servitude) make the estimate too low; estimating by group (sex, age, form of "
    "exploitation) helps where the data allow."
)


def _names(pairs: list[str]) -> str:
    return ", ".join(pairs[:6]) + (f" and {len(pairs) - 6} more" if len(pairs) > 6 else "")


def sparse_warnings(table: CaptureTable) -> list[str]:
    out: list[str] = []
    cells = (1 << table.k) - 1
    empty = int((table.counts[1:] == 0).sum())
    never = [f"{table.lists[i]} and {table.lists[j]}" for (i, j), n in table.overlaps.items() if n == 0]
    thin = [f"{table.lists[i]} and {table.lists[j]}" for (i, j), n in table.overlaps.items() if 0 < n < 5]
    if empty * 2 >= cells or never:
        text = f"Sparse table: {empty} of the {cells} possible combinations of lists have no case."
        if never:
            text += f" These lists never share a case: {_names(never)}."
        text += " Estimates from sparse tables depend strongly on the model chosen."
        out.append(text)
    if thin:
        out.append(
            f"Small overlaps: fewer than 5 persons are on both {_names(thin)}; "
            "the dependence between those lists is poorly known."
        )
    if table.observed < 100:
        out.append(
            f"Few cases: only {table.observed} persons are observed; the interval is wide for a reason."
        )
    return out


def merge_warnings(table: CaptureTable) -> list[str]:
    return [
        f"Merged lists: {' and '.join(parts)} were treated as one list, {name}. Merging lists that "
        "depend on each other (one refers cases to the other) removes that dependence from the "
        "model; it changes the estimate, so the choice should be stated with the result."
        for name, parts in table.merged
    ]


def model_warnings(table: CaptureTable, selection: Selection, fit: Fit) -> list[str]:
    out: list[str] = []
    if fit.boundary:
        out.append(
            f"The model takes the lists that never share a case ({_names(list(fit.boundary))}) as truly "
            "apart: someone on one of them is assumed never to be on the other. If that is chance, the "
            "estimate may be off."
        )
    if selection.rejected:
        named = (
            f" (they could not estimate {_names(list(selection.unestimable))})"
            if selection.unestimable
            else ""
        )
        out.append(
            f"{selection.rejected} of the {selection.searched} candidate models were set aside because "
            f"this table cannot determine them{named}."
        )
    if selection.max_terms is not None:
        out.append(
            f"With {table.k} lists the search covered models with at most {selection.max_terms} list "
            "interactions; larger models were not tried."
        )
    close = [
        c
        for c in selection.candidates
        if c.criterion(selection.criterion) - selection.candidates[0].criterion(selection.criterion) <= 2.0
    ]
    if len(close) > 1:
        lo, hi = min(c.estimate for c in close), max(c.estimate for c in close)
        if hi > 1.1 * lo:
            out.append(
                f"Model uncertainty: {len(close)} models fit almost as well ({selection.criterion.upper()} within 2) "
                f"and estimate between {lo:,.0f} and {hi:,.0f}; the interval does not include this spread."
            )
    ratio = fit.estimate / max(fit.observed, 1)
    if ratio > 10:
        out.append(
            f"The estimate is {ratio:.0f} times the number observed: nearly all of it is extrapolated "
            "from few overlaps. Treat it as an order of magnitude."
        )
    return out


def interval_warnings(upper: float | None, failed: int, replicates: int) -> list[str]:
    out: list[str] = []
    if upper is None:
        out.append(
            "No upper limit: the data are compatible with a population many times larger than observed; "
            "the table cannot bound it."
        )
    if replicates and failed:
        out.append(
            f"{failed} of {replicates} bootstrap tables could not be fitted with the chosen model and were left out."
        )
    return out


def note_warnings(table: CaptureTable) -> list[str]:
    """What reading and tidying did, as the reader should know it (merges are reported separately)."""
    return [f"Data: {n}." for n in table.notes if not n.startswith("lists ") or "merged" not in n]
