"""Derive levels and strengths from appraised evidence, and compare them with published gradings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from .scheme import (DEFAULT_RULES, DESIGNS, NORWAY, RULES, STRENGTH, STRENGTHS, Clause, Rules,
                     Scheme, strength_rank_span)


@dataclass(frozen=True)
class Study:
    """One appraised evidence row behind a recommendation."""

    design: str
    quality: str = "unclear"
    finding: str = "unclear"
    reference: int | None = None
    quality_text: str = ""

    def label(self) -> str:
        """A short human label: 'RCT (ref 91, good)'."""
        ref = f"ref {self.reference}, " if self.reference is not None else ""
        return f"{DESIGNS.get(self.design, self.design)} ({ref}{self.quality})"


@dataclass(frozen=True)
class Decision:
    """A derived value with the rule that fired and the reasons, in words a reviewer can check."""

    value: str | None
    rule: str
    because: str
    choices: tuple[str, ...] = ()
    says: str = ""  # the rule's text, from the scheme that decided (the 2007 scheme's when empty)

    def explain(self) -> str:
        """The decision in one paragraph: value, the scheme's rule, reasons, interpretive choices used."""
        text = f"{self.value or 'none'} by {self.rule} ({self.says or RULES[self.rule].says}) — {self.because}"
        if self.choices:
            text += " Choices applied: " + ", ".join(self.choices) + "."
        return text


@dataclass(frozen=True)
class Comparison:
    """A published strength set beside the strength its evidence carries."""

    verdict: str  # agree | stronger_than_evidence | weaker_than_evidence | not_comparable
    justified: bool
    rule: str
    because: str


VERDICTS = ("agree", "stronger_than_evidence", "weaker_than_evidence", "not_comparable")


def _contradict(rows) -> bool:
    findings = {s.finding for s in rows}
    return "conflicting" in findings or ("benefit" in findings and bool(findings & {"no_effect", "harm"}))


def _sets(scheme: Scheme, rules: Rules) -> dict[str, frozenset[str]]:
    # Rules may override the two sets the 2007 scheme names; a scheme without them keeps its own.
    override = {"synthesis": rules.synthesis_designs, "good_design": rules.good_designs}
    return {name: override.get(name, designs) for name, designs in scheme.sets.items()}


_GOOD_ONLY = Clause({})  # counts rows of good quality, whatever their design


def _counts(s: Study, clause: Clause, rules: Rules) -> bool:
    if s.design == "consensus":
        return False
    if s.quality in clause.quality:
        return True
    return "good" in clause.quality and rules.unclear_quality_is_good and s.quality == "unclear"


def _holds(clause: Clause, studies: tuple[Study, ...], sets, rules: Rules) -> tuple[bool, list[Study]]:
    """Whether a clause holds, and the rows it counted."""
    counted: list[Study] = []
    for name, minimum in clause.at_least.items():
        rows = [s for s in studies if s.design in sets[name] and _counts(s, clause, rules)]
        if clause.stated:
            rows = [s for s in rows if any(p in s.quality_text.lower() for p in rules.very_good_phrases)]
        if len(rows) < minimum:
            return False, []
        counted += [s for s in rows if s not in counted]
    if clause.consistent is not None and rules.contradiction_lowers:
        if _contradict(counted) == clause.consistent:
            return False, []
    elif clause.consistent is False:
        return False, []  # contradiction rules are off
    return True, counted


def derive_level(studies: Iterable[Study], rules: Rules = DEFAULT_RULES, scheme: Scheme = NORWAY) -> Decision:
    """Derive the level of documentation from the appraised evidence rows, by the scheme's level rules in order."""
    studies = tuple(studies)
    sets = _sets(scheme, rules)
    good = [s for s in studies if _counts(s, _GOOD_ONLY, rules)]
    for rule in scheme.level_rules:
        for clause in rule.clauses:
            ok, counted = _holds(clause, studies, sets, rules)
            if ok:
                return Decision(rule.level, rule.name, _because(rule, clause, counted, studies, good),
                                _choices(scheme, rules, clause, rule, counted, sets), scheme.rules[rule.name].says)
    raise ValueError(f"no level rule of scheme {scheme.name} holds: its last rule should have an empty clause")


def _because(rule, clause: Clause, counted: list[Study], studies: tuple[Study, ...], good: list[Study]) -> str:
    if not clause.at_least:
        if not studies:
            return "no evidence rows."
        if all(s.design == "consensus" for s in studies):
            return "no studies, only consensus."
        real = [s for s in studies if s.design != "consensus"]
        designs = ", ".join(f"{n} {DESIGNS.get(d, d)}" for d, n in Counter(s.design for s in real).items())
        return f"no rule above holds: {len(real)} stud{'y' if len(real) == 1 else 'ies'} ({designs}), " \
               f"{len(good)} of good quality."
    text = "counted: " + ", ".join(s.label() for s in counted[:4]) + ("…" if len(counted) > 4 else "")
    if clause.stated:
        text += f", appraised in the text as '{counted[0].quality_text}'"
    if clause.consistent is False:
        text += "; contradictory findings among them lower the level one step"
    elif clause.consistent:
        text += "; their findings agree"
    return text + "."


def _choices(scheme: Scheme, rules: Rules, clause: Clause, rule, counted, sets) -> tuple[str, ...]:
    names = ["CONSENSUS-NOT-A-STUDY", "UNCLEAR-IS-NOT-GOOD" if not rules.unclear_quality_is_good else ""]
    if any(s.design in sets.get("synthesis", ()) and s.design != "systematic_review" for s in counted):
        names.append("SYNTHESES-AS-REVIEWS")
    names += ["GOOD-DESIGN", clause.choice]
    return tuple(n for n in dict.fromkeys(names) if n and n in scheme.rules and n != rule.name)


_RULE_OF = {"strong": "S-STRONG", "moderate": "S-MODERATE", "weak": "S-WEAK", "no_basis": "S-NO-BASIS"}


def derive_strength(level: str, direction: str, judgements: Mapping[str, str] | None = None,
                    rules: Rules = DEFAULT_RULES, scheme: Scheme = NORWAY) -> Decision:
    """Derive the strength a level carries (the scheme's ladder), given the direction and the group's judgements."""
    if level not in scheme.ladder:
        raise ValueError(f"unknown level {level!r}")
    judgements = dict(judgements or {})
    choices: list[str] = []
    lowest = scheme.levels[-1].code
    if direction == "none" and level == lowest:
        return Decision("no_basis", "S-NO-BASIS", f"lacking documentation ({lowest}) and nothing recommended.",
                        ("NO-DIRECTION-AT-LACKING",))
    grade = scheme.ladder[level]
    because = f"level {level} carries '{STRENGTH[grade].norwegian}'"
    needed = ("agree_applicability", "agree_benefit_harm") if level == lowest else \
        ("agree_validity", "agree_applicability", "agree_benefit_harm")
    disagreed = [j for j in needed if judgements.get(j, "unrecorded") == "no"]
    unrecorded = [j for j in needed if judgements.get(j, "unrecorded") == "unrecorded"]
    if unrecorded and rules.unrecorded_means_agreed:
        choices.append("UNRECORDED-MEANS-AGREED")
    elif unrecorded:
        disagreed += unrecorded
    if disagreed:
        ranks = [g.code for g in STRENGTHS]
        grade = ranks[min(ranks.index(grade) + len(disagreed), ranks.index("no_basis"))]
        because += f"; the group's judgement against ({', '.join(disagreed)}) lowers it to '{STRENGTH[grade].norwegian}'"
        choices.append("JUDGEMENT-LOWERS")
    else:
        because += " with the group's agreement"
    return Decision(grade, _RULE_OF[grade], because + ".", tuple(choices))


def compare(published_strength: str | None, derived_strength: str | None, *,
            consensus_only: bool = False, level_printed: bool = True,
            justification: str = "") -> Comparison:
    """Compare a published strength (ranges allowed) with the strength its evidence carries."""
    span = strength_rank_span(published_strength)
    recorded = bool(justification and justification.strip())
    if span is None or derived_strength is None:
        return Comparison("not_comparable", False, "CONSENSUS-NOT-COMPARABLE", "no published strength.")
    if consensus_only and not level_printed:
        return Comparison("not_comparable", recorded, "CONSENSUS-NOT-COMPARABLE",
                          "rests on consensus only and the guideline prints no level.")
    d = STRENGTH[derived_strength].rank
    lo, hi = span
    if lo <= d <= hi:
        rule = "RANGE-EITHER-END" if "/" in published_strength else "JUSTIFIED-IF-RECORDED"
        return Comparison("agree", True, rule, f"published {published_strength} matches {derived_strength}.")
    verdict = "stronger_than_evidence" if lo > d else "weaker_than_evidence"
    how = "a justification is recorded" if recorded else "no justification is recorded"
    return Comparison(verdict, recorded, "JUSTIFIED-IF-RECORDED",
                      f"published {published_strength} against {derived_strength} from the evidence; {how}.")


def effect_size_category(relative_difference: float | None = None, smd: float | None = None,
                         measurement_error: float = 0.0, rules: Rules = DEFAULT_RULES) -> Decision:
    """Categorise an effect (section 5.2) from a relative difference or a standardised effect size."""
    if (relative_difference is None) == (smd is None):
        raise ValueError("give exactly one of relative_difference and smd")
    if relative_difference is not None:
        x = abs(relative_difference)
        if x <= measurement_error or x == 0:
            cat = "none"
        elif x < rules.relevant_relative_difference:
            cat = "small"
        elif x < rules.large_relative_difference:
            cat = "moderate"
        else:
            cat = "large"
        return Decision(cat, "EFFECT-RELATIVE", f"relative difference {x:.0%} (relevant from "
                        f"{rules.relevant_relative_difference:.0%}, large from {rules.large_relative_difference:.0%}).")
    x = abs(smd)
    if x <= measurement_error or x == 0:
        cat = "none"
    elif x < rules.smd_small_below:
        cat = "small"
    elif x <= rules.smd_moderate_up_to:
        cat = "moderate"
    else:
        cat = "large"
    return Decision(cat, "EFFECT-SMD", f"standardised effect size {x:.2f}.")


def outcome_judgement(effects: Mapping[str, str]) -> Decision:
    """Judge an intervention negative when it has no effect on any of pain, function and sick leave."""
    main = {k: effects.get(k, "none") for k in ("pain", "function", "sick_leave")}
    helped = [k for k, v in main.items() if v not in ("none", "unclear")]
    if helped:
        return Decision("positive", "NEGATIVE-NO-EFFECT", f"an effect on {', '.join(helped)}.")
    return Decision("negative", "NEGATIVE-NO-EFFECT", "no effect on pain, function or sick leave.")
