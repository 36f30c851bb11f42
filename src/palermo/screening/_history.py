"""Screenings stored with their case: re-screening keeps the earlier answers and records what changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from palermo.errors import NoScreeningError
from palermo.screening._assessment import Assessment
from palermo.store import Store

_COLUMNS = (
    "case_id, seq, screened_at, stage, trafficking, smuggling, catalogue_version, referral_table, "
    "screened_by, answers, assessment, changes"
)


@dataclass(frozen=True)
class Screening:
    """One stored screening of a case: the answers in force, the assessment, and what changed."""

    case_id: str
    seq: int
    screened_at: datetime
    stage: str
    trafficking: str
    smuggling: str
    catalogue_version: str
    referral_table: str
    screened_by: str | None
    answers: Mapping[str, Any]
    assessment: Mapping[str, Any]
    changes: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "seq": self.seq,
            "screened_at": self.screened_at.isoformat(),
            "stage": self.stage,
            "trafficking": self.trafficking,
            "smuggling": self.smuggling,
            "catalogue_version": self.catalogue_version,
            "referral_table": self.referral_table,
            "screened_by": self.screened_by,
            "answers": dict(self.answers),
            "assessment": dict(self.assessment),
            "changes": dict(self.changes),
        }


def merge(earlier: Mapping[str, Any], new: Any) -> Any:
    """The earlier answers with the new ones on top. A value given now (not null) replaces the earlier
    one; a value left out, null or "unknown" keeps what was recorded before. Unknown keys pass through
    so that validation can name them."""
    if not isinstance(new, Mapping):
        return new
    merged: dict[str, Any] = {k: v for k, v in new.items() if k not in ("person", "journey", "indicators")}
    for key in ("stage", "exploitation"):
        if new.get(key) is None and earlier.get(key) is not None:
            merged[key] = earlier[key]
        if key == "exploitation" and new.get(key) == "unknown" and earlier.get(key) not in (None, "unknown"):
            merged[key] = earlier[key]
    for section in ("person", "journey"):
        old = earlier.get(section) or {}
        now = new.get(section)
        if now is not None and not isinstance(now, Mapping):
            merged[section] = now
            continue
        out = dict(old)
        for k, v in (now or {}).items():
            if v is not None:
                out[k] = v
        merged[section] = out
    answers = dict(earlier.get("indicators") or {})
    now_answers = new.get("indicators")
    if now_answers is not None and not isinstance(now_answers, Mapping):
        merged["indicators"] = now_answers
    else:
        for k, v in (now_answers or {}).items():
            if v != "unknown" or k not in answers:
                answers[k] = v
        merged["indicators"] = answers
    return merged


def diff(
    previous: Mapping[str, Any] | None, answers: Mapping[str, Any], result: Assessment
) -> dict[str, Any]:
    """What changed since the previous screening (answers, facts, verdicts, elements, dimensions, needs)."""
    if previous is None:
        return {"first": True}
    before_in, before = previous["answers"], previous["assessment"]
    out: dict[str, Any] = {"first": False}
    old_ind, new_ind = before_in.get("indicators", {}), answers.get("indicators", {})
    out["answers"] = [
        {"indicator": k, "from": old_ind.get(k, "unknown"), "to": new_ind.get(k, "unknown")}
        for k in sorted(set(old_ind) | set(new_ind))
        if old_ind.get(k, "unknown") != new_ind.get(k, "unknown")
    ]
    facts = []
    for key in ("stage", "exploitation"):
        if before_in.get(key) != answers.get(key):
            facts.append({"field": key, "from": before_in.get(key), "to": answers.get(key)})
    for section in ("person", "journey"):
        old, new = before_in.get(section, {}), answers.get(section, {})
        for k in sorted(set(old) | set(new)):
            if old.get(k) != new.get(k):
                facts.append({"field": f"{section}.{k}", "from": old.get(k), "to": new.get(k)})
    out["facts"] = facts
    now = result.to_json()
    for key in ("trafficking", "smuggling"):
        if before.get(key) != now[key]:
            out[key] = {"from": before.get(key), "to": now[key]}
    for key in ("elements", "dimensions"):
        changed = {
            k: {"from": before.get(key, {}).get(k), "to": v}
            for k, v in now[key].items()
            if before.get(key, {}).get(k) != v
        }
        if changed:
            out[key] = changed
    old_needs = {n["need"] for n in before.get("protection_needs", [])}
    new_needs = {n["need"] for n in now["protection_needs"]}
    if old_needs != new_needs:
        out["protection_needs"] = {
            "added": sorted(new_needs - old_needs),
            "removed": sorted(old_needs - new_needs),
        }
    return out


def latest(store: Store, case_id: str) -> Screening | None:
    rows = _rows(store, "WHERE case_id = ? ORDER BY seq DESC LIMIT 1", [case_id])
    return rows[0] if rows else None


def history(store: Store, case_id: str) -> tuple[Screening, ...]:
    rows = _rows(store, "WHERE case_id = ? ORDER BY seq", [case_id])
    if not rows:
        raise NoScreeningError(f"no screening is stored for case '{case_id[:60]}'")
    return tuple(rows)


def save(
    store: Store,
    case_id: str,
    seq: int,
    answers: Mapping[str, Any],
    result: Assessment,
    changes: Mapping[str, Any],
    screened_by: str | None,
) -> Screening:
    now = datetime.now()
    record = (
        case_id,
        seq,
        now,
        result.stage,
        result.trafficking,
        result.smuggling,
        result.catalogue_version,
        result.referral_table,
        screened_by,
        json.dumps(answers, ensure_ascii=False),
        json.dumps(result.to_json(), ensure_ascii=False),
        json.dumps(changes, ensure_ascii=False),
    )
    with store.transaction() as conn:
        conn.execute(f"INSERT INTO screenings ({_COLUMNS}) VALUES ({', '.join('?' * 12)})", list(record))
    return _from_row(record)


def _rows(store: Store, where: str, params: list[Any]) -> list[Screening]:
    return [
        _from_row(r) for r in store.execute(f"SELECT {_COLUMNS} FROM screenings {where}", params).fetchall()
    ]


def _from_row(row: tuple[Any, ...]) -> Screening:
    def js(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return Screening(
        case_id=row[0],
        seq=int(row[1]),
        screened_at=row[2],
        stage=row[3],
        trafficking=row[4],
        smuggling=row[5],
        catalogue_version=row[6],
        referral_table=row[7],
        screened_by=row[8],
        answers=js(row[9]),
        assessment=js(row[10]),
        changes=js(row[11]),
    )
