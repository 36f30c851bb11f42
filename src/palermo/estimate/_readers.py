"""Where capture-history tables come from: a CSV table of histories and counts, a LINKS.csv file of
linked records, a synthetic world's ground truth, or a stored linkage run.

Every problem of a CSV table is collected (row = file line, column, rule) and raised once as
:class:`~palermo.errors.CaptureTableError`; what is repaired rather than refused (histories given on
several rows, rows with a zero count) is written into the table's notes, which reach the warnings.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from palermo.errors import CaptureTableError, Problem, ScenarioError, UnknownLinkageRunError
from palermo.estimate._table import CaptureTable, history_label

COUNT_NAMES = ("count", "frequency", "freq", "n")
LINK_COLUMNS = ("cluster_id", "source", "record_id")


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CaptureTableError(
            [Problem(None, "file", "not found")], what=f"capture-history table {path}"
        ) from None
    except UnicodeDecodeError:
        raise CaptureTableError(
            [Problem(None, "file", "not UTF-8 text")], what=f"capture-history table {path}"
        ) from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in r)]
    if not rows:
        raise CaptureTableError([Problem(None, "file", "empty")], what=f"capture-history table {path}")
    return [h.strip() for h in rows[0]], rows[1:]


def _count_column(header: list[str], count_column: str | None, stratify: str | None) -> int:
    if count_column is not None:
        return header.index(count_column)
    lowered = [h.lower() for h in header]
    for name in COUNT_NAMES:
        if name in lowered:
            return lowered.index(name)
    last = len(header) - 1
    if stratify is not None and header[last] == stratify:
        last -= 1
    return last


def read_table_csv(
    path: str | Path, *, count_column: str | None = None, stratify: str | None = None
) -> dict[str | None, CaptureTable]:
    """Read a capture-history CSV: one 0/1 column per list and a count column (named ``count``,
    ``frequency``, ``freq`` or ``n``, else the last column). With ``stratify``, that column splits the
    rows into one table per value. Returns ``{stratum: table}`` (key ``None`` when not stratified)."""
    path = Path(path)
    what = f"capture-history table {path}"
    header, rows = _read_rows(path)
    problems: list[Problem] = []
    for name in (count_column, stratify):
        if name is not None and name not in header:
            problems.append(Problem(1, name, f"no such column (columns: {', '.join(header)})"))
    duplicated = sorted(h for h, c in Counter(header).items() if c > 1)
    problems += [Problem(1, h, "column named twice") for h in duplicated]
    if problems:
        raise CaptureTableError(problems, what=what)
    c_idx = _count_column(header, count_column, stratify)
    s_idx = header.index(stratify) if stratify is not None else None
    list_idx = [j for j in range(len(header)) if j not in (c_idx, s_idx)]
    lists = [header[j] for j in list_idx]
    if len(lists) < 3:
        problems.append(
            Problem(
                1, "lists", f"at least 3 list columns are needed, found {len(lists)} ({', '.join(lists)})"
            )
        )
    cells: dict[str | None, dict[int, int]] = defaultdict(dict)
    repeats: dict[str | None, list[int]] = defaultdict(list)
    zero_rows: Counter[str | None] = Counter()
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            problems.append(Problem(line, "row", f"has {len(row)} fields, the header has {len(header)}"))
            continue
        mask, bad = 0, False
        for b, j in enumerate(list_idx):
            value = _number(row[j])
            if value not in (0.0, 1.0):
                problems.append(Problem(line, header[j], "a list column must hold 0 or 1"))
                bad = True
            elif value == 1.0:
                mask |= 1 << b
        count = _number(row[c_idx])
        if count is None:
            problems.append(Problem(line, header[c_idx], "the count must be a number"))
            continue
        if count < 0:
            problems.append(Problem(line, header[c_idx], "the count must not be negative"))
            continue
        if count != int(count):
            problems.append(Problem(line, header[c_idx], "the count must be a whole number"))
            continue
        if bad:
            continue
        stratum = row[s_idx].strip() if s_idx is not None else None
        if mask == 0:
            if count > 0:
                problems.append(
                    Problem(
                        line,
                        "history",
                        "a count for the history on no list: the unseen are what is estimated; remove the row",
                    )
                )
            else:
                zero_rows[stratum] += 1
            continue
        if count == 0:
            zero_rows[stratum] += 1
            continue
        if mask in cells[stratum]:
            repeats[stratum].append(mask)
        cells[stratum][mask] = cells[stratum].get(mask, 0) + int(count)
    if problems:
        raise CaptureTableError(problems, what=what)
    if not cells:
        raise CaptureTableError([Problem(None, "rows", "the table has no rows")], what=what)
    tables: dict[str | None, CaptureTable] = {}
    for stratum, hist in sorted(cells.items(), key=lambda kv: str(kv[0])):
        notes = [
            f"history {history_label(m, lists)} appears on more than one row; the counts were added"
            for m in dict.fromkeys(repeats[stratum])
        ]
        if zero_rows[stratum]:
            notes.append(f"{zero_rows[stratum]} row(s) with a zero count were ignored")
        tables[stratum] = CaptureTable.from_histories(
            lists, hist.items(), source=str(path), notes=notes, stratum=stratum
        )
    return tables


def table_from_clusters(memberships: Iterable[tuple[str, str]], *, source: str) -> CaptureTable:
    """Capture histories from ``(cluster_id, list)`` pairs, one per linked record: each cluster is a
    person, recorded by the lists its records come from."""
    seen: dict[str, set[str]] = defaultdict(set)
    records: Counter[tuple[str, str]] = Counter()
    for cluster, lst in memberships:
        seen[cluster].add(lst)
        records[(cluster, lst)] += 1
    lists = sorted({lst for members in seen.values() for lst in members})
    index = {name: b for b, name in enumerate(lists)}
    hist: Counter[int] = Counter()
    for members in seen.values():
        hist[sum(1 << index[m] for m in members)] += 1
    notes = []
    duplicates = len({c for (c, _), n in records.items() if n > 1})
    if duplicates:
        notes.append(
            f"{duplicates} person(s) have more than one record in the same list; each counts once on that list"
        )
    return CaptureTable.from_histories(lists, hist.items(), source=source, notes=notes)


def read_links_csv(path: str | Path) -> CaptureTable:
    """Capture histories from a LINKS.csv (``cluster_id,source,record_id``, one row per record)."""
    path = Path(path)
    what = f"links file {path}"
    header, rows = _read_rows(path)
    missing = [c for c in LINK_COLUMNS if c not in header]
    if missing:
        raise CaptureTableError(
            [Problem(1, c, f"required column missing (need {', '.join(LINK_COLUMNS)})") for c in missing],
            what=what,
        )
    ci, si = header.index("cluster_id"), header.index("source")
    problems: list[Problem] = []
    pairs: list[tuple[str, str]] = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            problems.append(Problem(line, "row", f"has {len(row)} fields, the header has {len(header)}"))
            continue
        cluster, source = row[ci].strip(), row[si].strip()
        if not cluster or not source:
            problems.append(Problem(line, "cluster_id" if not cluster else "source", "must not be empty"))
            continue
        pairs.append((cluster, source))
    if problems:
        raise CaptureTableError(problems, what=what)
    if not pairs:
        raise CaptureTableError([Problem(None, "rows", "the file has no records")], what=what)
    return table_from_clusters(pairs, source=str(path))


def scenario_histories(summary: dict[str, Any], country: str) -> tuple[list[str], list[tuple[int, int]], int]:
    """``(lists, [(mask, count)] without the unseen, true population)`` of one country of a world."""
    countries = summary.get("countries", {})
    if country not in countries:
        raise ScenarioError(
            f"the world has no capture histories for country '{country}' (it has: {', '.join(sorted(countries))})"
        )
    info = countries[country]
    lists = list(info["lists"])
    hist = []
    for row in info["capture_histories"]:
        mask = sum(1 << b for b, ch in enumerate(row["history"]) if ch == "1")
        if mask:
            hist.append((mask, int(row["count"])))
    return lists, hist, int(info["persons"])


def read_scenario(world_dir: str | Path, country: str) -> CaptureTable:
    """The true capture histories of one country of a generated world (perfect linkage), with the
    true hidden population attached as ``true_population``."""
    from palermo.scenario import read_summary

    summary = read_summary(Path(world_dir))
    lists, hist, persons = scenario_histories(summary, country)
    return CaptureTable.from_histories(
        lists,
        hist,
        source=f"scenario {Path(world_dir).name}, {country}",
        true_population=persons,
        notes=["synthetic world: histories come from the ground truth, so linkage is perfect"],
    )


def table_from_arrow(histories: Any, *, source: str) -> CaptureTable:
    """A capture table from an Arrow table with one 0/1 column per list and a ``count`` column (the
    form of ``ws.linkage.capture_histories(run)``)."""
    names = [n for n in histories.column_names if n != "count"]
    counts = histories.column("count").to_pylist()
    columns = [histories.column(n).to_pylist() for n in names]
    hist: list[tuple[int, int]] = []
    problems: list[Problem] = []
    for row, count in enumerate(counts):
        mask = 0
        for b, col in enumerate(columns):
            if col[row] not in (0, 1):
                problems.append(Problem(row + 1, names[b], "a list column must hold 0 or 1"))
            elif col[row] == 1:
                mask |= 1 << b
        if count is None or count < 0:
            problems.append(Problem(row + 1, "count", "the count must be a non-negative whole number"))
        elif mask and count:
            hist.append((mask, int(count)))
    if problems:
        raise CaptureTableError(problems, what=source)
    return CaptureTable.from_histories(names, hist, source=source)


def read_linkage_run(ws: Any, run: str) -> CaptureTable:
    """Capture histories of a stored linkage run, read through ``ws.linkage.capture_histories``."""
    if ws is None:
        raise UnknownLinkageRunError("reading a linkage run needs a workspace (its store holds the runs)")
    try:
        histories = ws.linkage.capture_histories
    except ImportError:
        raise UnknownLinkageRunError(
            "linkage runs are not available yet in this installation (palermo.linkage is missing); "
            "export the run's LINKS.csv and use --from-links"
        ) from None
    return table_from_arrow(histories(run), source=f"linkage run {run}")
