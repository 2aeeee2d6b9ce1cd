"""Derive levels and strengths from appraised evidence, and compare them with published gradings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .scheme import (DEFAULT_RULES, DESIGNS, LEVEL, LEVELS, RULES, STRENGTH, STRENGTHS, Rules,
                     strength_rank_span)


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

    def explain(self) -> str:
        """The decision in one paragraph: value, Table 1 rule, reasons, interpretive choices used."""
        text = f"{self.value or 'none'} by {self.rule} ({RULES[self.rule].says}) — {self.because}"
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


def _is_good(s: Study, rules: Rules) -> bool:
    return s.quality == "good" or (rules.unclear_quality_is_good and s.quality == "unclear")


def derive_level(studies: Iterable[Study], rules: Rules = DEFAULT_RULES) -> Decision:
    """Derive the level of documentation (Table 1) from the appraised evidence rows."""
    studies = tuple(studies)
    choices = ["CONSENSUS-NOT-A-STUDY", "UNCLEAR-IS-NOT-GOOD"]
    real = [s for s in studies if s.design != "consensus"]
    good = [s for s in real if _is_good(s, rules) and s.design in rules.good_designs]
    syntheses = [s for s in good if s.design in rules.synthesis_designs]
    if not real:
        return Decision("*", "L-LACKING", "no studies, only consensus." if studies else "no evidence rows.",
                        tuple(choices))
    if syntheses:
        choices.append("SYNTHESES-AS-REVIEWS")
    level, rule, because = "*", "L-LACKING", f"none of {len(real)} studies is of good quality and good design."
    stated = [s for s in syntheses if any(p in s.quality_text.lower() for p in rules.very_good_phrases)]
    if syntheses and (len(good) >= 2 or stated):
        review = (stated or syntheses)[0]
        others = [s for s in good if s is not review]
        if others:
            because = f"good synthesis {review.label()} with a further good study {others[0].label()}."
        else:
            because = f"good synthesis {review.label()} appraised in the text as '{review.quality_text}'."
            choices.append("VERY-GOOD-STATED")
        level, rule = "***", "L-VERY-GOOD"
    elif good:
        level, rule = "**", "L-GOOD"
        because = f"{len(good)} good stud{'y' if len(good) == 1 else 'ies'}, e.g. {good[0].label()}, but no good " \
                  f"synthesis with a further good-design study."
    choices.append("GOOD-DESIGN")
    if rules.contradiction_lowers and level != "*":
        findings = {s.finding for s in good}
        if "conflicting" in findings or ("benefit" in findings and findings & {"no_effect", "harm"}):
            lowered = LEVELS[[g.code for g in LEVELS].index(level) + 1].code
            because += f" Contradictory findings among the good studies lower {level} to {lowered}."
            level, rule = lowered, "CONTRADICTION-LOWERS"
    return Decision(level, rule, because, tuple(choices))


_LADDER = {"***": "strong", "**": "moderate", "*": "weak"}
_RULE_OF = {"strong": "S-STRONG", "moderate": "S-MODERATE", "weak": "S-WEAK", "no_basis": "S-NO-BASIS"}


def derive_strength(level: str, direction: str, judgements: Mapping[str, str] | None = None,
                    rules: Rules = DEFAULT_RULES) -> Decision:
    """Derive the strength a level carries, given the direction and the group's recorded judgements."""
    if level not in LEVEL:
        raise ValueError(f"unknown level {level!r}")
    judgements = dict(judgements or {})
    choices: list[str] = []
    if direction == "none" and level == "*":
        return Decision("no_basis", "S-NO-BASIS", "lacking documentation (*) and nothing recommended.",
                        ("NO-DIRECTION-AT-LACKING",))
    grade = _LADDER[level]
    because = f"level {level} carries '{STRENGTH[grade].norwegian}'"
    needed = ("agree_applicability", "agree_benefit_harm") if level == "*" else \
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
