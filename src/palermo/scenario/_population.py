"""The hidden population and who each agency captures, one chunk at a time, vectorised with numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palermo.scenario._names import NamePools
from palermo.scenario._params import EXPLOITATION, World

_EPOCH_YEAR = 1970


@dataclass
class Population:
    """One chunk of persons; every array has one entry per person."""

    person_no: np.ndarray  # int64, global number
    sex: np.ndarray  # int8: 0 female, 1 male
    minor: np.ndarray  # bool
    age: np.ndarray  # int16, age at identification
    identified: np.ndarray  # datetime64[D]
    recruited: np.ndarray  # datetime64[D]
    dob: np.ndarray  # datetime64[D]
    corridor: np.ndarray  # int16 index into world.corridors
    origin: np.ndarray  # int16 index into world.countries
    destination: np.ndarray  # int16 index into world.countries
    exploitation: np.ndarray  # int8 index into EXPLOITATION
    means: np.ndarray  # uint32 bitmask over means_codes(world)
    sector: np.ndarray  # int8 index into world.sectors, -1 when not forced labour
    ilo: np.ndarray  # uint16 bitmask over ilo_codes(world)
    given: np.ndarray  # int64 index into NamePools
    family: np.ndarray  # int64 index into NamePools
    arabic: np.ndarray  # bool: name drawn from the curated Arabic-origin table
    z: np.ndarray  # float32 person heterogeneity (how visible the person is to agencies)

    def __len__(self) -> int:
        return len(self.person_no)


def means_codes(world: World) -> tuple[str, ...]:
    return tuple(sorted({code for rates in world.means.values() for code in rates}))


def ilo_codes(world: World) -> tuple[str, ...]:
    return tuple(sorted({ind for inds in world.ilo_from_means.values() for ind in inds}))


def _choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    picked: np.ndarray = np.searchsorted(np.cumsum(p), rng.random(n) * p.sum(), side="right")
    return picked.clip(0, len(p) - 1)


def draw_population(
    world: World, pools: NamePools, rng: np.random.Generator, start: int, n: int
) -> Population:
    country_index = {c: i for i, c in enumerate(world.countries)}
    sex = (rng.random(n) < world.sex_p[1]).astype(np.int8)
    minor = rng.random(n) < np.where(sex == 0, world.minor_p["female"], world.minor_p["male"])
    band = _choice(rng, world.adult_band_p, n)
    lo = np.array([b[0] for b in world.adult_bands])[band]
    hi = np.array([b[1] for b in world.adult_bands])[band]
    adult_age = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    minor_age = rng.integers(world.minor_ages[0], world.minor_ages[1] + 1, n)
    age = np.where(minor, minor_age, adult_age).astype(np.int16)

    y0 = np.datetime64(f"{world.years[0]}-01-01")
    span = int((np.datetime64(f"{world.years[1] + 1}-01-01") - y0).astype(np.int64))
    identified = y0 + rng.integers(0, span, n).astype("timedelta64[D]")
    months = rng.integers(world.months_from_recruitment[0], world.months_from_recruitment[1] + 1, n)
    recruited = identified - (months * 30 + rng.integers(0, 30, n)).astype("timedelta64[D]")
    dob = identified - (age.astype(np.int64) * 365 + rng.integers(0, 365, n)).astype("timedelta64[D]")

    weights = np.array([c.weight for c in world.corridors])
    corridor = _choice(rng, weights, n).astype(np.int16)
    origin = np.empty(n, dtype=np.int16)
    destination = np.empty(n, dtype=np.int16)
    u_o, u_d = rng.random(n), rng.random(n)
    for k, c in enumerate(world.corridors):
        sel = corridor == k
        o = np.array([country_index[x] for x in c.origin], dtype=np.int16)
        d = np.array([country_index[x] for x in c.destination], dtype=np.int16)
        origin[sel] = o[(u_o[sel] * len(o)).astype(np.int64)]
        destination[sel] = d[(u_d[sel] * len(d)).astype(np.int64)]

    u_x = rng.random(n)
    exploitation = np.empty(n, dtype=np.int8)
    for s, label in enumerate(("female", "male")):
        sel = sex == s
        exploitation[sel] = np.searchsorted(
            np.cumsum(world.exploitation_p[label]), u_x[sel], side="right"
        ).clip(0, len(EXPLOITATION) - 1)

    codes = means_codes(world)
    means = np.zeros(n, dtype=np.uint32)
    for bit, code in enumerate(codes):
        rate_fl = world.means["forced_labour"].get(code, 0.0)
        rate_se = world.means["sexual_exploitation"].get(code, 0.0)
        rate = np.select(
            [exploitation == 0, exploitation == 1], [rate_fl, rate_se], default=max(rate_fl, rate_se)
        )
        means |= (rng.random(n) < rate).astype(np.uint32) << np.uint32(bit)

    sector = np.where(exploitation != 1, _choice(rng, world.sector_p, n), -1).astype(np.int8)

    indicators = ilo_codes(world)
    ilo = np.zeros(n, dtype=np.uint16)
    for bit, code in enumerate(codes):
        has = (means >> np.uint32(bit)) & np.uint32(1)
        for ind in world.ilo_from_means.get(code, ()):
            ilo |= has.astype(np.uint16) << np.uint16(indicators.index(ind))

    given = np.empty(n, dtype=np.int64)
    family = np.empty(n, dtype=np.int64)
    arabic = np.zeros(n, dtype=bool)
    u_g, u_f = rng.random(n), rng.random(n)
    for ci in np.unique(origin):
        pool = world.names[world.countries[ci]]
        for s, kind in enumerate(("given_female", "given_male")):
            sel = (origin == ci) & (sex == s)
            given[sel] = pools.pick(pool, kind, u_g[sel])
        sel = origin == ci
        family[sel] = pools.pick(pool, "family", u_f[sel])
        arabic[sel] = pool == "arabic"

    return Population(
        person_no=np.arange(start, start + n, dtype=np.int64),
        sex=sex,
        minor=minor,
        age=age,
        identified=identified,
        recruited=recruited,
        dob=dob,
        corridor=corridor,
        origin=origin,
        destination=destination,
        exploitation=exploitation,
        means=means,
        sector=sector,
        ilo=ilo,
        given=given,
        family=family,
        arabic=arabic,
        z=rng.standard_normal(n).astype(np.float32),
    )


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def eligible(world: World, pop: Population, agency_no: int) -> np.ndarray:
    """Persons whose journey touches one of the agency's countries at one of its stages."""
    agency = world.agencies[agency_no]
    idx = {c: i for i, c in enumerate(world.countries)}
    mine = np.array([idx[c] for c in agency.countries], dtype=np.int16)
    mask = np.zeros(len(pop), dtype=bool)
    if "destination" in agency.stages:
        mask |= np.isin(pop.destination, mine)
    if "origin" in agency.stages:
        mask |= np.isin(pop.origin, mine)
    if "transit" in agency.stages:
        on_route = [k for k, c in enumerate(world.corridors) if set(c.transit) & set(agency.countries)]
        mask |= np.isin(pop.corridor, on_route)
    return mask


def draw_captures(world: World, pop: Population, rng: np.random.Generator) -> np.ndarray:
    """Boolean matrix persons x agencies: who each agency records at least once.

    Capture is a logistic model: the agency's base rate, the person's heterogeneity (shared by all
    agencies, so lists are positively dependent), the agency's affinity to the exploitation type,
    and referrals from agencies that already met the person.
    """
    n, k = len(pop), len(world.agencies)
    caught = np.zeros((n, k), dtype=bool)
    order = {a.id: j for j, a in enumerate(world.agencies)}
    for j, agency in enumerate(world.agencies):
        logit = np.full(n, _logit(agency.base)) + agency.heterogeneity * pop.z
        fl = agency.affinity.get("forced_labour", 0.0)
        se = agency.affinity.get("sexual_exploitation", 0.0)
        logit += np.select([pop.exploitation == 0, pop.exploitation == 1], [fl, se], default=max(fl, se))
        for source in world.agencies[:j]:
            boost = source.refers_to.get(agency.id)
            if boost:
                logit += boost * caught[:, order[source.id]]
        p = 1.0 / (1.0 + np.exp(-logit))
        caught[:, j] = eligible(world, pop, j) & (rng.random(n) < p)
    return caught
