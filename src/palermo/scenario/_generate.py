"""Generate a synthetic world: hidden population, agencies' files, ground truth. Streams by chunk."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from palermo._version import __version__
from palermo.errors import ScenarioError
from palermo.scenario._names import NamePools, build_pools
from palermo.scenario._params import EXPLOITATION, World, load_world
from palermo.scenario._population import (
    Population,
    draw_captures,
    draw_population,
    eligible,
    ilo_codes,
    means_codes,
)
from palermo.scenario._render import Renderer
from palermo.scenario._writer import AgencyWriter, ParquetSink

CHUNK = 100_000  # persons per chunk; part of the output's definition (same seed -> same bytes)
MAX_PERSONS = 100_000_000

PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("given_name_native", pa.string()),
        ("family_name_native", pa.string()),
        ("sex", pa.string()),
        ("date_of_birth", pa.date32()),
        ("age_at_identification", pa.int16()),
        ("minor", pa.bool_()),
        ("citizenship", pa.string()),
        ("corridor", pa.string()),
        ("transit", pa.list_(pa.string())),
        ("destination", pa.string()),
        ("recruited", pa.date32()),
        ("identified", pa.date32()),
        ("exploitation", pa.string()),
        ("labour_sector", pa.string()),
        ("means_of_control", pa.list_(pa.string())),
        ("ilo_indicators", pa.list_(pa.string())),
        ("visibility", pa.float32()),
    ]
)
RECORD_SCHEMA = pa.schema(
    [
        ("agency", pa.string()),
        ("record_id", pa.string()),
        ("person_id", pa.string()),
        ("duplicate", pa.bool_()),
    ]
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class WorldSummary:
    """What a generation wrote; the same content as ``DIR/truth/summary.json``."""

    out: Path
    data: dict[str, Any]

    @property
    def persons(self) -> int:
        return int(self.data["persons"])

    @property
    def records(self) -> int:
        return int(self.data["records"])


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded number, as an Arrow string array (vectorised)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    result: pa.Array = pc.binary_join_element_wise(prefix, digits, "")
    return result


def person_ids(numbers: np.ndarray) -> pa.Array:
    return prefixed_ids("P", numbers, 9)


def _bits_to_lists(mask: np.ndarray, codes: tuple[str, ...]) -> pa.Array:
    unique, inverse = np.unique(mask, return_inverse=True)
    lists = pa.array(
        [[c for bit, c in enumerate(codes) if int(v) >> bit & 1] for v in unique], pa.list_(pa.string())
    )
    return lists.take(pa.array(inverse))


def _truth_persons(world: World, pools: NamePools, pop: Population) -> pa.Table:
    countries = pa.array(world.countries, pa.string())
    latin = pa.array(pools.latin["en"], pa.string())
    native = pa.array(pools.native, pa.string())
    transit = pa.array([list(c.transit) for c in world.corridors], pa.list_(pa.string()))
    sectors = np.array([*world.sectors, None], dtype=object)
    return pa.table(
        {
            "person_id": person_ids(pop.person_no),
            "given_name": latin.take(pop.given),
            "family_name": latin.take(pop.family),
            "given_name_native": native.take(pop.given),
            "family_name_native": native.take(pop.family),
            "sex": pa.array(np.where(pop.sex == 0, "female", "male").astype(object), pa.string()),
            "date_of_birth": pa.array(pop.dob, pa.date32()),
            "age_at_identification": pa.array(pop.age, pa.int16()),
            "minor": pa.array(pop.minor),
            "citizenship": countries.take(pop.origin.astype(np.int64)),
            "corridor": pa.array(
                np.array([c.id for c in world.corridors], dtype=object)[pop.corridor], pa.string()
            ),
            "transit": transit.take(pa.array(pop.corridor.astype(np.int64))),
            "destination": countries.take(pop.destination.astype(np.int64)),
            "recruited": pa.array(pop.recruited, pa.date32()),
            "identified": pa.array(pop.identified, pa.date32()),
            "exploitation": pa.array(np.array(EXPLOITATION, dtype=object)[pop.exploitation], pa.string()),
            "labour_sector": pa.array(sectors[pop.sector], pa.string()),
            "means_of_control": _bits_to_lists(pop.means, means_codes(world)),
            "ilo_indicators": _bits_to_lists(pop.ilo, ilo_codes(world)),
            "visibility": pa.array(pop.z, pa.float32()),
        },
        schema=PERSON_SCHEMA,
    )


def _touches(world: World, pop: Population, country: str) -> np.ndarray:
    c = world.countries.index(country)
    through = [k for k, cor in enumerate(world.corridors) if country in cor.transit]
    touched: np.ndarray = (pop.destination == c) | (pop.origin == c) | np.isin(pop.corridor, through)
    return touched


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def generate(
    persons: int,
    seed: int,
    out: Path | str,
    *,
    world_file: Path | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> WorldSummary:
    """Write a synthetic multi-agency world of ``persons`` hidden persons into folder ``out``.

    ``out/agencies/`` gets one file per agency in that agency's own format; ``out/truth/`` gets
    ``persons.parquet`` (true identities), ``records.parquet`` (which record is which person) and
    ``summary.json`` (counts, capture histories per country). The same ``persons``, ``seed`` and
    Palermo version give the same bytes.
    """
    if not 1 <= persons <= MAX_PERSONS:
        raise ScenarioError(f"persons must be between 1 and {MAX_PERSONS:,}, got {persons:,}")
    if seed < 0:
        raise ScenarioError(f"seed must be a non-negative integer, got {seed}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"output {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ScenarioError(f"output folder {out} is not empty; choose another or allow overwriting")
    world = load_world(world_file)
    pools = build_pools(sorted(set(world.names.values())), seed)
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)

    writers = [AgencyWriter(a, out / "agencies" / a.filename) for a in world.agencies]
    renderers = [Renderer(world, a, pools) for a in world.agencies]
    persons_sink = ParquetSink(
        out / "truth" / "persons.parquet",
        PERSON_SCHEMA,
        dictionary=[
            "sex",
            "citizenship",
            "corridor",
            "transit",
            "destination",
            "exploitation",
            "labour_sector",
        ],
    )
    records_sink = ParquetSink(out / "truth" / "records.parquet", RECORD_SCHEMA, dictionary=["agency"])
    counters = [0] * len(world.agencies)
    per_agency: list[Counter[str]] = [Counter() for _ in world.agencies]
    histories: dict[str, Counter[int]] = {
        c: Counter() for c in sorted({c for a in world.agencies for c in a.countries})
    }
    captured_any = 0
    # Writing (Parquet compression, CSV encoding) runs on one background thread, in order, while
    # the next chunk is drawn: Arrow releases the GIL, so the two cores both work.
    io_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="palermo-scenario-io")
    pending: list[Future[None]] = []
    try:
        for chunk_no, start in enumerate(range(0, persons, CHUNK)):
            n = min(CHUNK, persons - start)
            rng = np.random.default_rng([seed, chunk_no])
            pop = draw_population(world, pools, rng, start, n)
            caught = draw_captures(world, pop, rng)
            captured_any += int(caught.any(axis=1).sum())
            for job in pending:
                job.result()
            pending = [io_thread.submit(persons_sink.write, _truth_persons(world, pools, pop))]
            ids = person_ids(pop.person_no)
            for j, agency in enumerate(world.agencies):
                first = np.flatnonzero(caught[:, j])
                again = first[rng.random(len(first)) < agency.duplicate_rate]
                idx = np.concatenate([first, again])
                duplicate = np.concatenate([np.zeros(len(first), bool), np.ones(len(again), bool)])
                order = rng.permutation(len(idx))
                idx, duplicate = idx[order], duplicate[order]
                numbers = np.arange(counters[j] + 1, counters[j] + 1 + len(idx))
                counters[j] += len(idx)
                record_ids = prefixed_ids(agency.record_id_prefix, numbers, agency.record_id_width)
                pending.append(
                    io_thread.submit(writers[j].write, renderers[j].render(pop, idx, record_ids, rng))
                )
                truth = pa.table(
                    {
                        "agency": pa.array([agency.id] * len(idx), pa.string()),
                        "record_id": record_ids,
                        "person_id": ids.take(pa.array(idx)),
                        "duplicate": pa.array(duplicate),
                    }
                )
                pending.append(io_thread.submit(records_sink.write, truth))
                per_agency[j].update(records=len(idx), persons=len(first), duplicates=len(again))
            for country, counter in histories.items():
                covering = [j for j, a in enumerate(world.agencies) if country in a.countries]
                inside = _touches(world, pop, country)
                member = np.zeros(n, dtype=bool)
                for j in covering:
                    member |= eligible(world, pop, j) & inside
                bits = np.zeros(n, dtype=np.int64)
                for b, j in enumerate(covering):
                    bits |= (caught[:, j] & inside).astype(np.int64) << b
                values, counts = np.unique(bits[member], return_counts=True)
                counter.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
            if progress is not None:
                progress(start + n, persons)
        for job in pending:
            job.result()
    finally:
        io_thread.shutdown(wait=True)
        for w in writers:
            w.close()
        persons_sink.close()
        records_sink.close()

    countries_out: dict[str, Any] = {}
    for country, counter in histories.items():
        lists = [a.id for a in world.agencies if country in a.countries]
        countries_out[country] = {
            "lists": lists,
            "persons": int(sum(counter.values())),
            "observed": int(sum(v for k, v in counter.items() if k)),
            "capture_histories": [
                {
                    "history": "".join("1" if k >> b & 1 else "0" for b in range(len(lists))),
                    "count": int(v),
                }
                for k, v in sorted(counter.items())
            ],
        }
    data: dict[str, Any] = {
        "world": world.name,
        "palermo_version": __version__,
        "seed": seed,
        "persons": persons,
        "records": int(sum(counters)),
        "persons_captured": captured_any,
        "persons_never_captured": persons - captured_any,
        "agencies": {
            a.id: {
                "name": a.name,
                "kind": a.kind,
                "countries": list(a.countries),
                "language": a.language,
                "file": f"agencies/{a.filename}",
                "format": a.format,
                "records": int(per_agency[j]["records"]),
                "persons": int(per_agency[j]["persons"]),
                "duplicates": int(per_agency[j]["duplicates"]),
            }
            for j, a in enumerate(world.agencies)
        },
        "countries": countries_out,
        "note": "Synthetic data: every person, record and agency is invented. See world.yaml for sources and assumptions.",
    }
    (out / "truth" / "summary.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "world": world.name,
        "seed": seed,
        "persons": persons,
        "files": {p.relative_to(out).as_posix(): _sha256(p) for p in files},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return WorldSummary(out=out, data=data)
