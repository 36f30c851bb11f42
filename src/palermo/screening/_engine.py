"""The rules, compiled once per catalogue into index tables, then applied to each screening.

A screening only walks the answers actually given: counts per dimension and strength come from the
answers, the unknown counts from totals computed here once. "What would change it" groups unknown
indicators that have the same effect (same dimension, same strength) and evaluates each group once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from palermo.screening._input import Parsed
from palermo.screening._model import (
    DESTINATION_MASK,
    DIMENSIONS,
    EXPLOITATION_MASK,
    POPULATIONS,
    RECRUITMENT_MASK,
    STAGES,
    Catalogue,
    strength_rank,
)

INF = 99
#: (dimension, rank, is act, feeds forced labour, is forced labour), members (index, id), member ids
Group = tuple[tuple[int, int, bool, bool, bool], list[tuple[int, str]], frozenset[str]]
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


_CAP = (0, 1, 2) + (3,) * 200
_CAP4 = (0, 1, 2, 3) + (4,) * 200
_ZERO = [0, 0, 0, 0]


def _need(yes: list[int], unk: list[int]) -> int:
    c = _CAP
    return extra_needed(c[yes[3]], c[yes[2]], c[yes[1]], c[unk[3]], c[unk[2]], c[unk[1]])


def combination(mask: int, act: bool, child: bool) -> bool:
    """Adults: a recruitment dimension, exploitative conditions and a destination dimension are positive.
    Children: the act and exploitative conditions (no means required)."""
    if child:
        return act and bool(mask & EXPLOITATION_MASK)
    return bool(mask & RECRUITMENT_MASK) and bool(mask & EXPLOITATION_MASK) and bool(mask & DESTINATION_MASK)


def verdict_of(
    mask: int,
    full: int,
    act: bool,
    act_open: int,
    strong: bool,
    any_yes: bool,
    forced_labour: bool,
    not_free: bool,
    child: bool,
) -> str:
    """presumed when the combination holds; possible with a strong indicator, a positive dimension, an
    ILO forced-labour indicator, no freedom to leave, or indications that unknown answers could complete;
    otherwise no_indication."""
    if child:
        if act and mask & EXPLOITATION_MASK:
            return "presumed"
    elif mask & RECRUITMENT_MASK and mask & EXPLOITATION_MASK and mask & DESTINATION_MASK:
        return "presumed"
    if strong or mask or forced_labour or not_free:
        return "possible"
    if any_yes and combination(full, act or act_open > 0, child):
        return "possible"
    return "no_indication"


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
        return verdict_of(
            self.mask,
            self.full,
            self.act,
            self.act_open,
            self.strong,
            self.any_yes,
            self.forced_labour,
            self.not_free,
            self.child,
        )


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
    needs: list[int] | None = None


class Engine:
    """Index tables for one catalogue; ``score`` and ``changes`` use only these tables."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._memo: dict[tuple[object, ...], list[tuple[int, str, str, int]]] = {}
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
        self.fl_ids = {fid for fid, _, _ in self.fl}
        self.fl_by_source: dict[str, list[str]] = {}
        for fid, srcs, _ in self.fl:
            for s in srcs:
                self.fl_by_source.setdefault(s, []).append(fid)
        self.fl_size = {fid: len(srcs) for fid, srcs, _ in self.fl}
        self.fl_facts = [(fid, k, v) for fid, _, facts in self.fl for k, v in facts.items()]
        self.fl_order = [fid for fid, _, _ in self.fl]
        #: per indicator id: (index, dimension, is act, is forced labour, forced-labour ids it feeds)
        self.meta = {
            ind.id: (i, self.dim[i], self.is_act[i], ind.dimension == "forced_labour",
                     tuple(self.fl_by_source.get(ind.id, ())))
            for i, ind in enumerate(inds)
        }  # fmt: skip
        relevant = [
            i
            for i, ind in enumerate(inds)
            if self.dim[i] >= 0 or self.is_act[i] or ind.dimension == "forced_labour"
        ]
        #: per population and stage, unknown-answer groups that have the same effect on the verdict:
        #: (dimension, rank, is act, feeds forced labour, is forced labour) -> members (index, id) in order
        self.groups: dict[tuple[str, str], list[Group]] = {}
        for pop in POPULATIONS:
            for st in STAGES:
                grouped: dict[tuple[int, int, bool, bool, bool], list[tuple[int, str]]] = {}
                for i in relevant:
                    ind = inds[i]
                    if st in ind.stages:
                        key = (
                            self.dim[i],
                            self.rank[pop][i],
                            self.is_act[i],
                            ind.id in self.fl_sources,
                            ind.dimension == "forced_labour",
                        )
                        grouped.setdefault(key, []).append((i, ind.id))
                self.groups[(pop, st)] = [(k, m, frozenset(i for _, i in m)) for k, m in grouped.items()]

    # -- scoring ---------------------------------------------------------------------------------
    def score(self, parsed: Parsed) -> Scored:
        facts = parsed.facts
        child = facts.child
        pop = ("child" if child else "adult") + ("_sexual" if facts.exploitation == "sexual" else "_labour")
        rank, borrowed_flags, meta = self.rank[pop], self.borrowed[pop], self.meta
        yes = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        no = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        yes_ids: list[list[str]] = [[], [], [], [], [], []]
        act_ids: list[str] = []
        strong_ids: list[str] = []
        borrowed: list[str] = []
        act_yes = act_no = recruit_yes = recruit_no = 0
        any_yes = False
        answers = parsed.answers
        fl_yes: dict[str, None] = {}
        fl_known: set[str] = set()
        fl_no: dict[str, int] = {}
        for key, answer in answers.items():
            i, d, is_act, is_fl, feeds = meta[key]
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
                        recruit_yes += 1
                    if borrowed_flags[i]:
                        borrowed.append(key)
                else:
                    no[d][r] += 1
                    if d < 3:
                        recruit_no += 1
            elif is_act:
                if answer == "yes":
                    act_ids.append(key)
                    act_yes += 1
                    any_yes = True
                else:
                    act_no += 1
            elif is_fl:
                fl_known.add(key)
                if answer == "yes":
                    fl_yes[key] = None
                    any_yes = True
            for fid in feeds:
                if answer == "yes":
                    if fid not in answers:
                        fl_yes[fid] = None
                        fl_known.add(fid)
                else:
                    fl_no[fid] = fl_no.get(fid, 0) + 1
        totals = self.totals[pop]
        unk = [[t[0] - y[0] - n[0], t[1] - y[1] - n[1], t[2] - y[2] - n[2], t[3] - y[3] - n[3]]
               for t, y, n in zip(totals, yes, no, strict=True)]  # fmt: skip
        mask = full = 0
        for d in range(6):
            y, u = yes[d], unk[d]
            if dimension_positive(y[3], y[2], y[1]):
                mask |= _BIT[d]
            if dimension_positive(y[3] + u[3], y[2] + u[2], y[1] + u[1]):
                full |= _BIT[d]
        journey = facts.journey
        for fid, k, v in self.fl_facts:
            if fid not in answers and journey.get(k) is v:
                fl_yes[fid] = None
                fl_known.add(fid)
        for fid, n in fl_no.items():
            if n == self.fl_size[fid]:
                fl_known.add(fid)
        forced_labour = [fid for fid in self.fl_order if fid in fl_yes] if fl_yes else []
        act_open = (self.act_total - act_yes - act_no) + (self.recruit_total - recruit_yes - recruit_no)
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
        return Scored(
            pop,
            state,
            yes,
            unk,
            yes_ids,
            act_ids,
            strong_ids,
            borrowed,
            forced_labour,
            fl_known,
            state.verdict(),
        )

    def distance(
        self,
        sc: Scored,
        d: int = -1,
        yes_d: list[int] | None = None,
        unk_d: list[int] | None = None,
        act: bool | None = None,
        act_open: int | None = None,
    ) -> int:
        """Fewest further yes answers that would make the combination hold (dimension ``d`` replaced)."""
        if sc.needs is None:
            sc.needs = [_need(sc.yes[k], sc.unk[k]) for k in range(6)]
        needs = sc.needs
        if d >= 0 and yes_d is not None and unk_d is not None:
            needs = list(needs)
            needs[d] = _need(yes_d, unk_d)
        st = sc.state
        a = st.act if act is None else act
        o = st.act_open if act_open is None else act_open
        if st.child:
            return (0 if a else (1 if o > 0 else INF)) + needs[3]
        return min(needs[0:3]) + needs[3] + min(needs[4:6])

    # -- what would change it --------------------------------------------------------------------
    def changes(self, sc: Scored, parsed: Parsed) -> list[tuple[int, str, str, int]]:
        """``(index, if_yes, if_no, rank)`` for each unknown indicator observable at this stage whose
        answer would move the verdict, or whose yes would bring the combination closer (fewer further
        yes answers needed), most decisive first: fewest further answers needed after this yes, then the
        verdict a yes would give, then strength, then catalogue order."""
        st, answers, fl_known = sc.state, parsed.answers, sc.fl_known
        stage = parsed.facts.stage
        c, c4, yes, unk = _CAP, _CAP4, sc.yes, sc.unk
        key = (
            sc.population, stage, st.mask, st.full, st.act, c4[st.act_open], st.strong, st.any_yes,
            st.forced_labour, st.not_free, st.child,
            *[c[y[r]] for y in yes for r in (1, 2, 3)], *[c4[u[r]] for u in unk for r in (0, 1, 2, 3)],
        )  # fmt: skip
        plan = self._memo.get(key)
        if plan is None:
            if len(self._memo) > 100_000:
                self._memo.clear()
            plan = self._memo[key] = self._plan(sc, stage)
        groups = self.groups[(sc.population, stage)]
        out: list[tuple[int, str, str, int]] = []
        for g, if_yes, if_no, r in plan:
            group_key, members, ids = groups[g]
            is_fl = group_key[4]
            if ids.isdisjoint(answers) and (not is_fl or ids.isdisjoint(fl_known)):
                out.extend((i, if_yes, if_no, r) for i, _ in members)
            else:
                out.extend(
                    (i, if_yes, if_no, r)
                    for i, key_id in members
                    if key_id not in answers and not (is_fl and key_id in fl_known)
                )
        return out

    def _plan(self, sc: Scored, stage: str) -> list[tuple[int, str, str, int]]:
        """For every group of unknown answers at this stage: its effect, if it moves the verdict or
        brings the combination closer, most decisive first. Depends only on the memo key of ``changes``."""
        st = sc.state
        current = sc.verdict
        now = self.distance(sc)
        no_fl = not st.forced_labour
        found: list[tuple[int, int, int, int, int, str, str, int]] = []
        for g, ((d, r, is_act, feeds_fl, _), members, _) in enumerate(self.groups[(sc.population, stage)]):
            if d >= 0 and sc.unk[d][r] <= 0:
                continue  # every member answered: nothing to flip
            if_yes, if_no, dist = self._flip(sc, d, r, is_act, feeds_fl and no_fl)
            if if_yes != current or if_no != current or dist < now:
                found.append((dist, -VERDICT_RANK[if_yes], -r, members[0][0], g, if_yes, if_no, r))
        found.sort()
        return [(g, if_yes, if_no, r) for *_, g, if_yes, if_no, r in found]

    def _flip(self, sc: Scored, d: int, r: int, is_act: bool, fl_src: bool) -> tuple[str, str, int]:
        st = sc.state
        mask, full, act, open_, strong, any_yes, fl, nf, child = (
            st.mask,
            st.full,
            st.act,
            st.act_open,
            st.strong,
            st.any_yes,
            st.forced_labour,
            st.not_free,
            st.child,
        )
        if d >= 0:
            y0 = sc.yes[d]
            y = [y0[0], y0[1], y0[2], y0[3]]
            y[r] += 1
            u = list(sc.unk[d])
            u[r] -= 1
            bit = _BIT[d]
            mask_yes = mask | (bit if dimension_positive(y[3], y[2], y[1]) else 0)
            recruit = d < 3
            open_after = open_ - 1 if recruit else open_
            act_yes = act or recruit
            if_yes = verdict_of(
                mask_yes, full, act_yes, open_after, strong or r == 3, True, fl or fl_src, nf, child
            )
            full_no = full & ~bit
            if dimension_positive(y0[3] + u[3], y0[2] + u[2], y0[1] + u[1]):
                full_no |= bit
            if_no = verdict_of(mask, full_no, act, open_after, strong, any_yes, fl, nf, child)
            return if_yes, if_no, self.distance(sc, d, y, u, act_yes, open_after)
        if is_act:
            if_yes = verdict_of(mask, full, True, open_ - 1, strong, True, fl, nf, child)
            if_no = verdict_of(mask, full, act, open_ - 1, strong, any_yes, fl, nf, child)
            return if_yes, if_no, self.distance(sc, act=True, act_open=open_ - 1)
        if_yes = verdict_of(mask, full, act, open_, strong, True, True, nf, child)
        return if_yes, sc.verdict, self.distance(sc)
