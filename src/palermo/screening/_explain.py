"""Turn a scored screening into an Assessment: elements, verdicts, protection needs and referrals, what
would change it, and the explanation listing every rule that fired with its indicators and sources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palermo.screening._assessment import Assessment, Change, Explanation, Need, Referral
from palermo.screening._engine import Engine, Scored
from palermo.screening._input import Facts, Parsed
from palermo.screening._model import DIMENSIONS, EXPLOITATION_MASK, MEANS_MASK, STRENGTHS
from palermo.screening._referrals import ReferralTable
from palermo.screening._rulebook import Rule
from palermo.screening._smuggling import smuggling


class Builder:
    """Builds assessments for one engine, referral table and rulebook."""

    def __init__(self, engine: Engine, table: ReferralTable, rules: Mapping[str, Rule]) -> None:
        self.engine = engine
        self.table = table
        self.rules = rules
        self.catalogue = engine.catalogue
        self._protection = [
            (i.id, i.need, i.fact, i.derived_from)
            for i in self.catalogue
            if i.dimension == "protection" and i.need
        ]
        self.urgency_rank = {u: k for k, u in enumerate(table.urgencies)}
        self._templates: dict[str, list[tuple[str, str, str, bool]]] = {}
        self._plans: dict[
            tuple[tuple[str, ...], bool, str],
            tuple[list[tuple[str, str | None, str | None]], tuple[Referral, ...], list[tuple[str, str]]],
        ] = {}
        self._rule_parts = {
            rid: (rule.text, tuple(rule.cite()), rule.verified) for rid, rule in rules.items()
        }
        self._static = {
            rid: Explanation(rid, text, (), cites, verified, None)
            for rid, (text, cites, verified) in self._rule_parts.items()
        }
        self._rules_for = {
            (need, child): table.rules_for(need, child) for need in table.needs() for child in (True, False)
        }

    def _fire(
        self,
        out: list[Explanation],
        rule_id: str,
        indicators: tuple[str, ...] = (),
        detail: str | None = None,
    ) -> None:
        if not indicators and detail is None:
            out.append(self._static[rule_id])
            return
        text, cites, verified = self._rule_parts[rule_id]
        out.append(Explanation(rule_id, text, indicators, cites, verified, detail))

    def build(self, parsed: Parsed, lang: str = "en") -> Assessment:
        engine, facts = self.engine, parsed.facts
        sc = engine.score(parsed)
        st = sc.state
        expl: list[Explanation] = []
        means_ids = tuple(k for d in range(6) if st.mask & (1 << d) and d != 3 for k in sc.yes_ids[d])
        purpose_ids = tuple(sc.yes_ids[3]) if st.mask & EXPLOITATION_MASK else ()
        elements = {
            "act": st.act,
            "means": bool(st.mask & MEANS_MASK),
            "purpose": bool(st.mask & EXPLOITATION_MASK),
        }
        evidence = {"act": tuple(sc.act_ids), "means": means_ids, "purpose": purpose_ids}
        self._elements(expl, facts, sc, elements, evidence)
        self._dimensions(expl, facts, sc)
        self._verdict(expl, sc)
        if sc.forced_labour:
            self._fire(expl, "forced-labour.indicators", tuple(sc.forced_labour))
        smug, smug_rule = smuggling(facts.journey, parsed.answers.get("som.fraudulent-document") == "yes")
        self._fire(expl, "smuggling.definition")
        self._fire(
            expl,
            smug_rule,
            ("som.fraudulent-document",)
            if smug_rule == "smuggling.possible" and parsed.answers.get("som.fraudulent-document") == "yes"
            else (),
        )
        if smug in ("yes", "possible") and sc.verdict in ("presumed", "possible"):
            self._fire(expl, "smuggling.and-trafficking")
        needs, referrals = self._needs(expl, parsed, sc.verdict, smug, lang)
        changes = self._changes(sc, parsed, lang)
        unverified = self.catalogue.unverified_ids
        used = [k for k in parsed.answers if k in unverified]
        if used:
            self._fire(expl, "unverified.indicators", tuple(used))
        unverified_rules = tuple(dict.fromkeys(e.rule for e in expl if not e.verified))
        return Assessment(
            trafficking=sc.verdict,
            smuggling=smug,
            elements=elements,
            evidence=evidence,
            dimensions={name: bool(st.mask & (1 << d)) for d, name in enumerate(DIMENSIONS)},
            child=facts.child,
            population=sc.population,
            stage=facts.stage,
            forced_labour=tuple(sc.forced_labour),
            protection_needs=needs,
            referrals=referrals,
            what_would_change=changes,
            explanation=tuple(expl),
            flags=parsed.flags,
            unverified_indicators=tuple(used),
            unverified_rules=unverified_rules,
            catalogue_version=self.catalogue.version,
            referral_table=self.table.id,
            answers=to_input(parsed),
        )

    def _elements(
        self,
        expl: list[Explanation],
        facts: Facts,
        sc: Scored,
        elements: Mapping[str, bool],
        evidence: Mapping[str, tuple[str, ...]],
    ) -> None:
        if facts.age_uncertain:
            self._fire(expl, "palermo.age-uncertain")
        elif facts.age is None:
            self._fire(expl, "palermo.age-missing")
        if facts.child:
            self._fire(expl, "palermo.child")
        if any(elements.values()):
            self._fire(expl, "palermo.elements")
        for name in ("act", "means", "purpose"):
            if elements[name]:
                self._fire(expl, f"palermo.{name}", evidence[name])
        if facts.journey["consented_to_movement"] is True:
            if facts.child:
                self._fire(expl, "palermo.consent-child")
            elif elements["means"]:
                self._fire(expl, "palermo.consent-irrelevant", evidence["means"])
            else:
                self._fire(expl, "palermo.consent-no-means")

    def _dimensions(self, expl: list[Explanation], facts: Facts, sc: Scored) -> None:
        self._fire(expl, "iloec.population", detail=sc.population)
        if facts.exploitation in ("other", "unknown"):
            self._fire(expl, "iloec.other-exploitation")
        if sc.borrowed:
            self._fire(expl, "iloec.fallback", tuple(sc.borrowed), detail=sc.population)
        if sc.state.mask:
            self._fire(expl, "iloec.dimension")
        for d, name in enumerate(DIMENSIONS):
            if sc.state.mask & (1 << d):
                self._fire(expl, "iloec.positive", tuple(sc.yes_ids[d]), detail=name)

    def _verdict(self, expl: list[Explanation], sc: Scored) -> None:
        st = sc.state
        if sc.verdict == "presumed":
            rule = "iloec.child-combination" if st.child else "iloec.adult-combination"
            ids = (
                tuple(sc.act_ids) + tuple(sc.yes_ids[3])
                if st.child
                else tuple(k for ids in sc.yes_ids for k in ids)
            )
            self._fire(expl, rule, ids)
            self._fire(expl, "verdict.presumed")
            return
        if sc.verdict == "no_indication":
            self._fire(expl, "verdict.no-indication")
            return
        if st.strong:
            self._fire(expl, "verdict.possible-strong", tuple(sc.strong_ids))
        if st.mask:
            self._fire(expl, "verdict.possible-elements", tuple(k for ids in sc.yes_ids for k in ids))
        if st.forced_labour:
            self._fire(expl, "verdict.possible-forced-labour", tuple(sc.forced_labour))
        if st.not_free:
            self._fire(expl, "verdict.possible-not-free", detail="journey.free_to_leave")
        if not (st.strong or st.mask or st.forced_labour or st.not_free):
            self._fire(
                expl, "verdict.possible-open", tuple(sc.act_ids) + tuple(k for ids in sc.yes_ids for k in ids)
            )

    def _needs(
        self, expl: list[Explanation], parsed: Parsed, verdict: str, smug: str, lang: str
    ) -> tuple[tuple[Need, ...], tuple[Referral, ...]]:
        facts, answers = parsed.facts, parsed.answers
        found: dict[str, list[str]] = {}
        if verdict != "no_indication":
            found[f"trafficking-{verdict}"] = []
        if smug != "no":
            found["smuggled-migrant"] = []
        child = facts.child
        for ind_id, need, fact, derived in self._protection:
            if fact is not None:
                if fact == "unaccompanied_child":
                    hit = child and facts.accompanied is False
                else:
                    hit = bool(getattr(facts, fact))
            else:
                hit = answers.get(ind_id) == "yes" or any(answers.get(s) == "yes" for s in derived)
            if hit:
                found.setdefault(need, []).append(ind_id)
        key = (tuple(found), child, lang)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(tuple(found), child, lang)
        urgencies, referrals, fired = plan
        needs = [Need(need, concept, urgency, tuple(found[need])) for need, concept, urgency in urgencies]
        for need in found:
            self._fire(expl, "protection.need", tuple(found[need]), detail=need)
        for rule_id, detail in fired:
            self._fire(expl, rule_id, detail=detail)
        return tuple(needs), referrals

    def _plan(
        self, found: tuple[str, ...], child: bool, lang: str
    ) -> tuple[list[tuple[str, str | None, str | None]], tuple[Referral, ...], list[tuple[str, str]]]:
        """Urgencies and referrals for a set of needs (the same for every screening with these needs)."""
        rank = self.urgency_rank
        urgencies: list[tuple[str, str | None, str | None]] = []
        refs: dict[str, list[Any]] = {}
        fired: list[tuple[str, str]] = []
        for need in found:
            rules = self._rules_for.get((need, child), [])
            urgency = min((r.urgency for r in rules), key=rank.__getitem__, default=None)
            urgencies.append((need, rules[0].concept if rules else None, urgency))
            for rule in rules:
                for step in rule.refer:
                    if any(u in found for u in step.unless):
                        fired.append(("referral.unless", f"{step.to} for {need}"))
                        continue
                    ref = refs.get(step.to)
                    if ref is None:
                        ref = refs[step.to] = [rule.urgency, [], False]
                    elif rank[rule.urgency] < rank[ref[0]]:
                        ref[0] = rule.urgency
                    if need not in ref[1]:
                        ref[1].append(need)
                    if step.consent_required and not child:
                        ref[2] = True
        urgencies.sort(key=lambda n: rank.get(n[2] or "", len(rank)))
        referrals = []
        for kid, (urgency, for_needs, consent) in refs.items():
            kind = self.table.kinds[kid]
            label = kind.label.get(lang) or kind.label.get("en") or kid
            referrals.append(Referral(kid, kind.concept, label, urgency, tuple(for_needs), consent))
        referrals.sort(key=lambda r: rank[r.urgency])
        if any(r.consent_required for r in referrals):
            fired.append(("referral.consent", ", ".join(r.referral for r in referrals if r.consent_required)))
        return urgencies, tuple(referrals), fired

    def _changes(self, sc: Scored, parsed: Parsed, lang: str) -> tuple[Change, ...]:
        tmpl = self._templates.get(lang)
        if tmpl is None:
            tmpl = self._templates[lang] = [
                (ind.id, ind.question.get(lang) or ind.question["en"], ind.dimension, ind.verified)
                for ind in self.catalogue.indicators
            ]
        names = (None, *STRENGTHS)
        return tuple(
            Change(tmpl[i][0], tmpl[i][1], tmpl[i][2], names[r], if_yes, if_no, tmpl[i][3])
            for i, if_yes, if_no, r in self.engine.changes(sc, parsed)
        )


def to_input(parsed: Parsed) -> dict[str, Any]:
    """The screening input, normalised (the shape ``palermo screen assess`` reads)."""
    f = parsed.facts
    return {
        "person": {
            "age": f.age,
            "age_uncertain": f.age_uncertain,
            "sex": f.sex,
            "accompanied": f.accompanied,
            "pregnant": f.pregnant,
            "disability": f.disability,
            "serious_medical_condition": f.serious_medical_condition,
        },
        "stage": f.stage,
        "exploitation": f.exploitation,
        "journey": dict(f.journey),
        "indicators": dict(parsed.answers),
    }
