"""The rules, compiled once per catalogue into index tables, then applied to each screening.

A screening only walks the answers actually given: counts per dimension and strength come from the
answers, the unknown counts from totals computed here once. "What would change it" groups unknown
indicators that have the same effect (same dimension, same strength) and evaluates each group once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from palermo.screening._input import Parsed
from palermo.screening._model import (
    DESTINATION_MASK,
    DIMENSIONS,
    EXPLOITATION_MASK,
    MEANS_MASK,
    POPULATIONS,
    RECRUITMENT_MASK,
    STAGES,
    Catalogue,
    strength_rank,
)

INF = 99
VERDICT_RANK = {"no_indication": 0, "possible": 1, "presumed": 2}
_BIT = tuple(1 << d for d in range(6))


def dimension_positive(strong: int, medium: int, weak: int) -> bool:
    """The ILO-EC dimension rule: two strong; one strong and one medium or weak; three medium; or two
    medium and one weak."""
    return strong >= 2 or (strong >= 1 and medium + weak >= 1) or medium >= 3 or (medium >= 2 and weak >= 1)


@lru_cache(maxsize=8192)
def extra_needed(s: int, m: int, w: int, us: int, um: int, uw: int) -> int:
    """Fewest unknown indicators (``us`` strong, ``um`` medium, ``uw`` weak) that must turn yes for a
    dimension with ``s``, ``m``, ``w`` yes answers to be positive; INF when they cannot."""
    if dimension_positive(s, m, w):
        return 0
    best = INF
    for a in range(min(us, 3) + 1):
        for b in range(min(um, 3) + 1):
            for c in range(min(uw, 3) + 1):
                if a + b + c < best and dimension_positive(s + a, m + b, w + c):
                    best = a + b + c
    return best


def _need(yes: list[int], unk: list[int]) -> int:
    return extra_needed(min(yes[3], 3), min(yes[2], 3), min(yes[1], 3), min(unk[3], 3), min(unk[2], 3), min(unk[1], 3))


def combination(mask: int, act: bool, child: bool) -> bool:
    """Adults: a recruitment dimension, exploitative conditions and a destination dimension are positive.
    Children: the act and exploitative conditions (no means required)."""
    if child:
        return act and bool(mask & EXPLOITATION_MASK)
    return bool(mask & RECRUITMENT_MASK) and bool(mask & EXPLOITATION_MASK) and bool(mask & DESTINATION_MASK)


@dataclass(slots=True)
class State:
    """What the verdict depends on."""

    mask: int  # positive dimensions
    full: int  # dimensions that would be positive were every unknown yes
    act: bool
    act_open: int  # unknown answers that could show the act
    strong: bool
    any_yes: bool
    forced_labour: bool
    not_free: bool
    child: bool

    def verdict(self) -> str:
        if combination(self.mask, self.act, self.child):
            return "presumed"
        if self.strong or self.mask or self.forced_labour or self.not_free:
            return "possible"
        if self.any_yes and combination(self.full, self.act or self.act_open > 0, self.child):
            return "possible"
        return "no_indication"


@dataclass(slots=True)
class Scored:
    population: str
    state: State
    yes: list[list[int]]
    unk: list[list[int]]
    yes_ids: list[list[str]]
    act_ids: list[str]
    strong_ids: list[str]
    borrowed: list[str]
    forced_labour: list[str]
    fl_known: set[str]
    verdict: str


class Engine:
    """Index tables for one catalogue; ``score`` and ``changes`` use only these tables."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        inds = catalogue.indicators
        self.index = {ind.id: i for i, ind in enumerate(inds)}
        self.dim = [DIMENSIONS.index(ind.dimension) if ind.dimension in DIMENSIONS else -1 for ind in inds]
        self.is_act = [ind.dimension == "act" for ind in inds]
        self.rank: dict[str, list[int]] = {}
        self.borrowed: dict[str, list[bool]] = {}
        self.totals: dict[str, list[list[int]]] = {}
        for pop in POPULATIONS:
            source = catalogue.fallback.get(pop)
            ranks, borrowed = [], []
            for ind in inds:
                own = ind.strength.get(pop)
                use = own if own is not None or source is None else ind.strength.get(source)
                ranks.append(strength_rank(use))
                borrowed.append(own is None and use is not None)
            self.rank[pop], self.borrowed[pop] = ranks, borrowed
            totals = [[0, 0, 0, 0] for _ in DIMENSIONS]
            for i, d in enumerate(self.dim):
                if d >= 0:
                    totals[d][ranks[i]] += 1
            self.totals[pop] = totals
        self.recruit_total = sum(1 for d in self.dim if 0 <= d < 3)
        self.act_total = sum(self.is_act)
        self.fl = [
            (ind.id, tuple(ind.derived_from), dict(ind.derived_from_fact))
            for ind in inds
            if ind.dimension == "forced_labour"
        ]
        self.fl_sources = {s for _, srcs, _ in self.fl for s in srcs}
        self.stage_ok = {st: [st in ind.stages for ind in inds] for st in STAGES}
        self.relevant = [
            i for i, ind in enumerate(inds) if self.dim[i] >= 0 or self.is_act[i] or ind.dimension == "forced_labour"
        ]

    # -- scoring ---------------------------------------------------------------------------------
    def score(self, parsed: Parsed) -> Scored:
        facts = parsed.facts
        child = facts.child
        pop = ("child" if child else "adult") + ("_sexual" if facts.exploitation == "sexual" else "_labour")
        rank, borrowed_flags, dim, index = self.rank[pop], self.borrowed[pop], self.dim, self.index
        yes = [[0, 0, 0, 0] for _ in DIMENSIONS]
        no = [[0, 0, 0, 0] for _ in DIMENSIONS]
        yes_ids: list[list[str]] = [[] for _ in DIMENSIONS]
        act_ids: list[str] = []
        strong_ids: list[str] = []
        borrowed: list[str] = []
        act_no = recruit_no = 0
        any_yes = False
        answers = parsed.answers
        for key, answer in answers.items():
            i = index[key]
            d = dim[i]
            if d >= 0:
                r = rank[i]
                if answer == "yes":
                    yes[d][r] += 1
                    yes_ids[d].append(key)
                    any_yes = True
                    if r == 3:
                        strong_ids.append(key)
                    if d < 3:
                        act_ids.append(key)
                    if borrowed_flags[i]:
                        borrowed.append(key)
                else:
                    no[d][r] += 1
                    if d < 3:
                        recruit_no += 1
            elif self.is_act[i]:
                if answer == "yes":
                    act_ids.append(key)
                    any_yes = True
                else:
                    act_no += 1
        totals = self.totals[pop]
        unk = [[totals[d][r] - yes[d][r] - no[d][r] for r in range(4)] for d in range(6)]
        mask = full = 0
        for d in range(6):
            y, u = yes[d], unk[d]
            if dimension_positive(y[3], y[2], y[1]):
                mask |= _BIT[d]
            if dimension_positive(y[3] + u[3], y[2] + u[2], y[1] + u[1]):
                full |= _BIT[d]
        journey = facts.journey
        forced_labour: list[str] = []
        fl_known: set[str] = set()
        for fid, sources, fact in self.fl:
            direct = answers.get(fid)
            if direct is not None:
                fl_known.add(fid)
                if direct == "yes":
                    forced_labour.append(fid)
                continue
            if any(answers.get(s) == "yes" for s in sources) or any(journey.get(k) is v for k, v in fact.items()):
                forced_labour.append(fid)
                fl_known.add(fid)
            elif sources and all(answers.get(s) == "no" for s in sources):
                fl_known.add(fid)
        act_open = (self.act_total - len([a for a in act_ids if self.is_act[index[a]]]) - act_no) + (
            self.recruit_total - sum(len(yes_ids[d]) for d in range(3)) - recruit_no
        )
        any_yes = any_yes or any(answers.get(fid) == "yes" for fid, _, _ in self.fl)
        state = State(
            mask=mask,
            full=full,
            act=bool(act_ids),
            act_open=act_open,
            strong=bool(strong_ids),
            any_yes=any_yes,
            forced_labour=bool(forced_labour),
            not_free=journey.get("free_to_leave") is False,
            child=child,
        )
        return Scored(pop, state, yes, unk, yes_ids, act_ids, strong_ids, borrowed, forced_labour, fl_known, state.verdict())

    def distance(self, sc: Scored, d: int = -1, yes_d: list[int] | None = None, unk_d: list[int] | None = None,
                 act: bool | None = None, act_open: int | None = None) -> int:  # fmt: skip
        """Fewest further yes answers that would make the combination hold (dimension ``d`` replaced)."""
        needs = [_need(yes_d, unk_d) if k == d and yes_d is not None and unk_d is not None
                 else _need(sc.yes[k], sc.unk[k]) for k in range(6)]  # fmt: skip
        st = sc.state
        a = st.act if act is None else act
        o = st.act_open if act_open is None else act_open
        if st.child:
            return (0 if a else (1 if o > 0 else INF)) + needs[3]
        return min(needs[0:3]) + needs[3] + min(needs[4:6])

    # -- what would change it --------------------------------------------------------------------
    def changes(self, sc: Scored, parsed: Parsed) -> list[tuple[int, str, str, int]]:
        """``(index, if_yes, if_no, rank)`` for each unknown indicator observable at this stage whose
        answer would move the verdict, most decisive first."""
        st, answers, inds = sc.state, parsed.answers, self.catalogue.indicators
        rank, ok = self.rank[sc.population], self.stage_ok[parsed.facts.stage]
        current = sc.verdict
        effects: dict[tuple[int, int, bool, bool], tuple[str, str, int]] = {}
        out: list[tuple[int, str, str, int, int]] = []
        for i in self.relevant:
            ind = inds[i]
            if not ok[i] or ind.id in answers or (ind.dimension == "forced_labour" and ind.id in sc.fl_known):
                continue
            d, r = self.dim[i], rank[i]
            fl_src = ind.id in self.fl_sources and not st.forced_labour
            key = (d, r, self.is_act[i], fl_src)
            effect = effects.get(key)
            if effect is None:
                effect = effects[key] = self._flip(sc, d, r, self.is_act[i], fl_src)
            if_yes, if_no, dist = effect
            if if_yes != current or if_no != current:
                out.append((i, if_yes, if_no, r, dist))
        out.sort(key=lambda t: (t[4], -VERDICT_RANK[t[1]], -t[3], t[0]))
        return [(i, y, n, r) for i, y, n, r, _ in out]

    def _flip(self, sc: Scored, d: int, r: int, is_act: bool, fl_src: bool) -> tuple[str, str, int]:
        st = sc.state
        if d >= 0:
            y = list(sc.yes[d])
            y[r] += 1
            u = list(sc.unk[d])
            u[r] -= 1
            mask_yes = st.mask | (_BIT[d] if dimension_positive(y[3], y[2], y[1]) else 0)
            act_yes = st.act or d < 3
            yes_state = State(mask_yes, st.full, act_yes, st.act_open - (d < 3), st.strong or r == 3, True,
                              st.forced_labour or fl_src, st.not_free, st.child)  # fmt: skip
            y0 = sc.yes[d]
            full_no = st.full & ~_BIT[d]
            if dimension_positive(y0[3] + u[3], y0[2] + u[2], y0[1] + u[1]):
                full_no |= _BIT[d]
            no_state = State(st.mask, full_no, st.act, st.act_open - (d < 3), st.strong, st.any_yes,
                             st.forced_labour, st.not_free, st.child)  # fmt: skip
            dist = self.distance(sc, d, y, u, act_yes, st.act_open - (d < 3))
            return yes_state.verdict(), no_state.verdict(), dist
        if is_act:
            yes_state = State(st.mask, st.full, True, st.act_open - 1, st.strong, True, st.forced_labour, st.not_free, st.child)
            no_state = State(st.mask, st.full, st.act, st.act_open - 1, st.strong, st.any_yes, st.forced_labour, st.not_free, st.child)
            return yes_state.verdict(), no_state.verdict(), self.distance(sc, act=True, act_open=st.act_open - 1)
        yes_state = State(st.mask, st.full, st.act, st.act_open, st.strong, True, True, st.not_free, st.child)
        return yes_state.verdict(), st.verdict(), self.distance(sc)


def smuggling(journey: Mapping[str, bool | None], fraudulent_document: bool) -> tuple[str, str]:
    """Smuggling verdict and the rule behind it (Smuggling of Migrants Protocol Art. 3(a))."""
    crossed, irregular = journey["crossed_border"], journey["irregular_entry"]
    paid = journey["facilitator_paid"]
    facilitated = journey["facilitated"]
    if facilitated is None and paid is True:
        facilitated = True  # paying someone for the crossing means someone else procured it
    if facilitated is False:
        return "no", "smuggling.self-procured"
    elements = (crossed, irregular, paid, facilitated)
    if all(e is True for e in elements):
        return "yes", "smuggling.yes"
    if any(e is False for e in elements):
        return "no", "smuggling.no"
    if any(e is True for e in elements) or fraudulent_document:
        return "possible", "smuggling.possible"
    return "no", "smuggling.no-facts"
