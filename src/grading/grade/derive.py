"""Derive levels and strengths from appraised evidence by one scheme, and compare them with published gradings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import UnknownValueError
from ..scheme import Clause, LevelRule, Scheme
from ..vocab import AGREE, DESIGNS, NOT_COMPARABLE, STRONGER, WEAKER
from .records import Study


@dataclass(frozen=True)
class Decision:
    """A derived value with the rule that fired and the reasons, in words a reviewer can check."""

    value: str
    rule: str
    because: str
    choices: tuple[str, ...] = ()
    says: str = ""  # the rule's text, from the scheme that decided

    def explain(self) -> str:
        """The decision in one paragraph: value, the scheme's rule, reasons, interpretive choices used."""
        text = f"{self.value or 'none'} by {self.rule} ({self.says}) — {self.because}"
        if self.choices:
            text += " Choices applied: " + ", ".join(self.choices) + "."
        return text


@dataclass(frozen=True)
class Comparison:
    """A published strength set beside the strength its evidence carries."""

    verdict: str  # one of vocab.VERDICTS
    justified: bool
    rule: str
    because: str


def _contradict(rows: Sequence[Study]) -> bool:
    findings = {s.finding for s in rows}
    return "conflicting" in findings or ("benefit" in findings and bool(findings & {"no_effect", "harm"}))


_GOOD_ONLY = Clause({})  # counts rows of good quality, whatever their design


def _counts(s: Study, clause: Clause, scheme: Scheme) -> bool:
    if s.design == "consensus":
        return False
    if s.quality in clause.quality:
        return True
    return "good" in clause.quality and scheme.choices.unclear_quality_is_good and s.quality == "unclear"


def _holds(clause: Clause, studies: tuple[Study, ...], scheme: Scheme) -> tuple[bool, list[Study]]:
    """Whether a clause holds, and the rows it counted."""
    counted: list[Study] = []
    phrases = scheme.choices.very_good_phrases
    for name, minimum in clause.at_least.items():
        rows = [s for s in studies if s.design in scheme.sets[name] and _counts(s, clause, scheme)]
        if clause.stated:
            rows = [s for s in rows if any(p in s.quality_text.lower() for p in phrases)]
        if len(rows) < minimum:
            return False, []
        counted += [s for s in rows if s not in counted]
    if clause.consistent is not None and scheme.choices.contradiction_lowers:
        if _contradict(counted) == clause.consistent:
            return False, []
    elif clause.consistent is False:
        return False, []  # contradiction rules are off
    return True, counted


def derive_level(studies: Iterable[Study], scheme: Scheme) -> Decision:
    """Derive the level of documentation from the appraised evidence rows, by the scheme's level rules in order."""
    studies = tuple(studies)
    good = [s for s in studies if _counts(s, _GOOD_ONLY, scheme)]
    for rule in scheme.level_rules:
        for clause in rule.clauses:
            ok, counted = _holds(clause, studies, scheme)
            if ok:
                return Decision(rule.level, rule.name, _because(clause, counted, studies, good),
                                _choices(scheme, clause, rule, counted), scheme.says(rule.name))
    # load_scheme refuses a scheme whose last rule does not hold for any evidence
    raise AssertionError(f"no level rule of scheme {scheme.name} holds")


def _because(clause: Clause, counted: list[Study], studies: tuple[Study, ...], good: list[Study]) -> str:
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


def _choices(scheme: Scheme, clause: Clause, rule: LevelRule, counted: list[Study]) -> tuple[str, ...]:
    names = ["CONSENSUS-NOT-A-STUDY", "" if scheme.choices.unclear_quality_is_good else "UNCLEAR-IS-NOT-GOOD"]
    if any(s.design in scheme.sets.get("synthesis", ()) and s.design != "systematic_review" for s in counted):
        names.append("SYNTHESES-AS-REVIEWS")
    names += ["GOOD-DESIGN", clause.choice]
    return tuple(n for n in dict.fromkeys(names) if n and n in scheme.rules and n != rule.name)


def derive_strength(level: str, direction: str, judgements: Mapping[str, str] | None, scheme: Scheme) -> Decision:
    """Derive the strength a level carries (the scheme's ladder), given the direction and the group's judgements."""
    if level not in scheme.ladder:
        raise UnknownValueError(f"level in the ladder of scheme {scheme.name}", level, tuple(scheme.ladder))
    judgements = dict(judgements or {})
    choices = scheme.choices
    used: list[str] = []
    lowest = scheme.lowest_level
    if direction == "none" and level == lowest and choices.nothing_recommended_at_lowest:
        grade = scheme.strength(choices.nothing_recommended_at_lowest)
        return Decision(grade.code, grade.rule, f"lacking documentation ({lowest}) and nothing recommended.",
                        ("NO-DIRECTION-AT-LACKING",), scheme.says(grade.rule))
    code = scheme.ladder[level]
    because = f"level {level} carries '{scheme.strength(code).norwegian or code}'"
    needed = choices.lowest_level_needs if level == lowest else \
        ("agree_validity", "agree_applicability", "agree_benefit_harm")
    disagreed = [j for j in needed if judgements.get(j, "unrecorded") == "no"]
    unrecorded = [j for j in needed if judgements.get(j, "unrecorded") == "unrecorded"]
    if unrecorded and choices.unrecorded_means_agreed:
        used.append("UNRECORDED-MEANS-AGREED")
    elif unrecorded:
        disagreed += unrecorded
    if disagreed:
        codes = scheme.strength_codes
        floor = codes.index(choices.judgement_floor) if choices.judgement_floor else len(codes) - 1
        code = codes[min(codes.index(code) + len(disagreed), floor)]
        because += (f"; the group's judgement against ({', '.join(disagreed)}) lowers it to "
                    f"'{scheme.strength(code).norwegian or code}'")
        used.append("JUDGEMENT-LOWERS")
    else:
        because += " with the group's agreement"
    grade = scheme.strength(code)
    return Decision(code, grade.rule, because + ".", tuple(used), scheme.says(grade.rule))


def compare(published_strength: str | None, derived_strength: str | None, scheme: Scheme, *,
            consensus_only: bool = False, level_printed: bool = True, justification: str = "") -> Comparison:
    """Compare a published strength (ranges allowed) with the strength its evidence carries."""
    span = scheme.strength_span(published_strength)
    recorded = bool(justification and justification.strip())
    if span is None or derived_strength is None:
        return Comparison(NOT_COMPARABLE, False, "CONSENSUS-NOT-COMPARABLE", "no published strength.")
    if consensus_only and not level_printed:
        return Comparison(NOT_COMPARABLE, recorded, "CONSENSUS-NOT-COMPARABLE",
                          "rests on consensus only and the guideline prints no level.")
    d = scheme.strength(derived_strength).rank
    lo, hi = span
    if lo <= d <= hi:
        rule = "RANGE-EITHER-END" if published_strength and "/" in published_strength else "JUSTIFIED-IF-RECORDED"
        return Comparison(AGREE, True, rule, f"published {published_strength} matches {derived_strength}.")
    verdict = STRONGER if lo > d else WEAKER
    how = "a justification is recorded" if recorded else "no justification is recorded"
    return Comparison(verdict, recorded, "JUSTIFIED-IF-RECORDED",
                      f"published {published_strength} against {derived_strength} from the evidence; {how}.")


def effect_size_category(scheme: Scheme, relative_difference: float | None = None, smd: float | None = None,
                         measurement_error: float = 0.0) -> Decision:
    """Categorise an effect (section 5.2) from a relative difference or a standardised effect size."""
    if (relative_difference is None) == (smd is None):
        raise ValueError("give exactly one of relative_difference and smd")  # a caller's mistake, not input
    c = scheme.choices
    if relative_difference is not None:
        x = abs(relative_difference)
        if x <= measurement_error or x == 0:
            cat = "none"
        elif x < c.relevant_relative_difference:
            cat = "small"
        elif x < c.large_relative_difference:
            cat = "moderate"
        else:
            cat = "large"
        return Decision(cat, "EFFECT-RELATIVE", f"relative difference {x:.0%} (relevant from "
                        f"{c.relevant_relative_difference:.0%}, large from {c.large_relative_difference:.0%}).",
                        says=scheme.says("EFFECT-RELATIVE"))
    x = abs(smd)  # type: ignore[arg-type]
    if x <= measurement_error or x == 0:
        cat = "none"
    elif x < c.smd_small_below:
        cat = "small"
    elif x <= c.smd_moderate_up_to:
        cat = "moderate"
    else:
        cat = "large"
    return Decision(cat, "EFFECT-SMD", f"standardised effect size {x:.2f}.", says=scheme.says("EFFECT-SMD"))


def outcome_judgement(effects: Mapping[str, str], scheme: Scheme) -> Decision:
    """Judge an intervention negative when it has no effect on any of pain, function and sick leave."""
    main = {k: effects.get(k, "none") for k in ("pain", "function", "sick_leave")}
    helped = [k for k, v in main.items() if v not in ("none", "unclear")]
    says = scheme.says("NEGATIVE-NO-EFFECT")
    if helped:
        return Decision("positive", "NEGATIVE-NO-EFFECT", f"an effect on {', '.join(helped)}.", says=says)
    return Decision("negative", "NEGATIVE-NO-EFFECT", "no effect on pain, function or sick leave.", says=says)
