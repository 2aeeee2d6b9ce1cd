"""Derive levels and strengths from appraised evidence by one scheme, and compare them with published gradings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..errors import UnknownValueError
from ..records import Study
from ..scheme import Clause, LevelRule, Scheme
from ..vocab import AGREE, DESIGNS, JUDGEMENTS, NOT_COMPARABLE, STRONGER, WEAKER
from .rules import contradict, level_rules

T = TypeVar("T")


@dataclass(frozen=True)
class Decision:
    """A derived value with the rule that fired and the reasons, in words a reviewer can check."""

    value: str
    rule: str
    because: str
    choices: tuple[str, ...] = ()
    says: str = ""  # the rule's text, from the scheme that decided
    direction: str = ""  # a strength: the way the evidence carries it (for, against, none); '' for a level
    counted: tuple[Study, ...] = ()  # a level: the rows the rule counted

    @property
    def shown(self) -> str:
        """The value with the direction it points, as a reader should see it: 'strong (against)'."""
        if self.direction in ("for", "against") and self.value not in _UNDIRECTED:
            return f"{self.value} ({self.direction})"
        return self.value or "none"

    def explain(self) -> str:
        """The decision in one paragraph: value, the scheme's rule, reasons, interpretive choices used."""
        text = f"{self.shown} by {self.rule} ({self.says}) — {self.because}"
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


_UNDIRECTED = ("no_basis", "not_recommended")  # strengths whose name already says which way they point
# Findings that say something; 'unclear' does not. 'no_difference' and 'insufficient' say something that points
# neither way (NO-DIFFERENCE-IS-NOT-NO-EFFECT, INSUFFICIENT-IS-NOT-SUPPORT).
STATED = ("benefit", "no_effect", "harm", "conflicting", "no_difference", "insufficient")
NEITHER_WAY = frozenset({"no_difference", "insufficient"})


def derive_level(studies: Iterable[Study], scheme: Scheme) -> Decision:
    """Derive the level of documentation from the appraised evidence rows, by the scheme's level rules in order
    (`rules.LevelRules.fire`, the one evaluation of them, on the rows' classes)."""
    studies = tuple(studies)
    rules = level_rules(scheme)
    cids = [rules.row_class(s) for s in studies]
    present: dict[int, int] = {}
    for cid in cids:
        if cid is not None:
            present[cid] = present.get(cid, 0) + 1
    fired = rules.fire(tuple(present.items()))
    counted: list[Study] = []
    for matched in fired.matched:  # the rows of the classes counted for each set, in the order the rule names them
        rows = [s for s, cid in zip(studies, cids) if cid in matched]
        counted += [s for s in rows if s not in counted]
    good = [s for s, cid in zip(studies, cids) if cid is not None and rules.classes[cid].good]
    rule, clause = fired.rule, fired.clause
    because = _because(clause, counted, studies, good)
    choices = _choices(scheme, clause, rule, counted)
    if fired.capped:
        named = sorted({s.quality_text for s in studies if s.quality_text and rules.row_key(s)[2]})
        because = because[:-1] + (f"; a rule above would give {fired.capped}, but every row it counts names a lower "
                                  f"level in its own words ({'; '.join(repr(n) for n in named[:3])}).")
        choices = (*choices, "LEVEL-IN-WORDS")
    return Decision(rule.level, rule.name, because, choices, scheme.says(rule.name), counted=tuple(counted))


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
        text += "; their findings contradict one another: contradictory documentation, Table 1's lowest level"
    elif clause.consistent:
        text += "; their findings agree"
    return text + "."


def _choices(scheme: Scheme, clause: Clause, rule: LevelRule, counted: list[Study]) -> tuple[str, ...]:
    names = ["CONSENSUS-NOT-A-STUDY", "" if scheme.choices.unclear_quality_is_good else "UNCLEAR-IS-NOT-GOOD"]
    if any(s.design in scheme.sets.get("synthesis", ()) and s.design != "systematic_review" for s in counted):
        names.append("SYNTHESES-AS-REVIEWS")
    names += ["GOOD-DESIGN", clause.choice]
    return tuple(n for n in dict.fromkeys(names) if n and n in scheme.rules and n != rule.name)


def is_good(s: Study, scheme: Scheme) -> bool:
    """Whether a row counts as of good quality under the scheme's reading (UNCLEAR-IS-NOT-GOOD)."""
    return level_rules(scheme).is_good(s)


def findings_behind(level: Decision, studies: Sequence[Study], printed: bool, scheme: Scheme) -> frozenset[str]:
    """What the rows a grading rests on found (DIRECTION-OF-FINDINGS), on the rows of one reading."""
    rules = level_rules(scheme)
    return resting_on(printed, frozenset(s.finding for s in level.counted) & STATED_FINDINGS,
                      frozenset(s.finding for s in studies if rules.is_good(s)) & STATED_FINDINGS,
                      frozenset(s.finding for s in studies) & STATED_FINDINGS)


def resting_on(printed: bool, counted: frozenset[str], good: frozenset[str], every: frozenset[str]) -> frozenset[str]:
    """The stated findings a strength rests on (DIRECTION-OF-FINDINGS), given those of the rows the level rule
    counted, of the rows of good quality and of every row: the counted rows', or, for a printed level, the good
    rows' (every row's when none of them states a finding)."""
    return (good or every) if printed else counted


STATED_FINDINGS = frozenset(STATED)


def _points(found: frozenset[str] | None, direction: str) -> str:
    """Which way documentation with these findings points: for, against, contradict or unstated."""
    if found is None:
        return direction  # nothing said about the findings: read as supporting (the old, direction-blind call)
    if contradict(found):  # the contradiction CONTRADICTION-LACKING reads
        return "contradict"
    if "benefit" in found:
        return "for"
    if found & {"no_effect", "harm"}:
        return "against"
    return "insufficient" if "insufficient" in found else "no_difference" if found else "unstated"


class Memo(dict):
    """Results of pure functions for one scheme object (a modified copy is another object), each kept under the one
    key `memo(work, *inputs)` builds: the function and every input it is given, so nothing it reads can be left out
    of the key. `work(*inputs, scheme)` runs once per key."""

    def __init__(self, scheme: Scheme):
        super().__init__()
        self.scheme = scheme

    def __call__(self, work: Callable[..., T], *inputs: Hashable) -> T:
        key = (work, *inputs)
        got = self.get(key, _MISSING)
        if got is _MISSING:
            got = self[key] = work(*inputs, self.scheme)
        return got


_MISSING = object()


def memo_for(scheme: Scheme) -> Memo:
    """The memo of pure results kept with one scheme object."""
    return scheme.worked_out("derived strengths and comparisons", Memo)


def remembered(scheme: Scheme, work: Callable[..., T], *inputs: Hashable) -> T:
    """`work(*inputs, scheme)`, worked out once per scheme object (`Memo`)."""
    return memo_for(scheme)(work, *inputs)


def derive_strength(level: str, direction: str, judgements: Mapping[str, str] | None, scheme: Scheme,
                    found: frozenset[str] | None = None) -> Decision:
    """Derive the strength a level carries by Table 1, given the direction, what the documentation found (`found`:
    the stated findings of the rows it rests on; None reads it as supporting) and the group's judgements."""
    return remembered(scheme, strength_of, level, direction, judged(judgements), found)


def judged(judgements: Mapping[str, str] | None) -> tuple[str, ...]:
    """The group's judgements as the strength reads them: one value per judgement, in the order of JUDGEMENTS."""
    return tuple(map((judgements or {}).get, JUDGEMENTS, _UNRECORDED))


_UNRECORDED = ("unrecorded",) * len(JUDGEMENTS)


def strength_of(level: str, direction: str, judgements: tuple[str, ...], found: frozenset[str] | None,
              scheme: Scheme) -> Decision:
    """`derive_strength`, with the group's judgements as `judged` gives them (kept in `Memo`)."""
    return _derive_strength(level, direction, dict(zip(JUDGEMENTS, judgements)), scheme, found)


def _derive_strength(level: str, direction: str, judgements: Mapping[str, str] | None, scheme: Scheme,
                     found: frozenset[str] | None) -> Decision:
    if level not in scheme.ladder:
        raise UnknownValueError(f"level in the ladder of scheme {scheme.name}", level, tuple(scheme.ladder))
    choices = scheme.choices
    lowest = scheme.lowest_level
    points = _points(found, direction)
    if direction == "none" and level == lowest and choices.nothing_recommended_at_lowest:
        grade = scheme.strength(choices.nothing_recommended_at_lowest)
        return Decision(grade.code, grade.rule, f"lacking documentation ({lowest}) and nothing recommended.",
                        ("NO-DIRECTION-AT-LACKING",), scheme.says(grade.rule), "none")
    used = ["DIRECTION-OF-FINDINGS"] if found is not None else []
    if points == "unstated" and direction != "none" and choices.unclear_finding_supports:
        points = direction
        used.append("UNCLEAR-FINDING-SUPPORTS")
    if points in NEITHER_WAY:
        return _neither_way(points, level, direction, judgements, scheme, used)
    if level == lowest or points == "unstated":
        if points == "unstated" and direction != "none":
            why = (f"none of the rows it rests on states what it found, so the documentation ({level}) carries no "
                   f"more than lacking documentation ({lowest})")
            return _ladder(lowest, direction, judgements, scheme, [*used, "UNCLEAR-FINDING-SUPPORTS"], why)
        if direction != "none":
            return _ladder(lowest, direction, judgements, scheme, used)
    no_basis = no_basis_code(scheme)
    if direction == "none" and points in ("contradict", "unstated") and no_basis:
        grade = scheme.strength(no_basis)
        why = "contradictory documentation" if points == "contradict" else \
            "documentation that states no effect either way"
        return Decision(grade.code, grade.rule, f"{why} ({level}) and nothing recommended.", tuple(used),
                        scheme.says(grade.rule), "none")
    carried = direction if points in (direction, "contradict") else points
    if carried == "against" and found == frozenset({"no_effect"}):
        enough = choices.sufficient_level and scheme.level(level).rank >= scheme.level(choices.sufficient_level).rank
        if enough and choices.not_recommended:
            grade = scheme.strength(choices.not_recommended)
            against = ["EVIDENCE-POINTS-AGAINST"] if direction == "for" else []
            return Decision(grade.code, grade.rule, f"level {level} documentation that the measure has no effect: "
                            f"sufficient documentation that it does not work carries "
                            f"'{grade.norwegian or grade.code}'.", (*used, "NO-EFFECT-NOT-RECOMMENDED", *against),
                            scheme.says(grade.rule), "against")
        if direction != "against" and no_basis:
            grade = scheme.strength(no_basis)
            return Decision(grade.code, grade.rule, f"documentation of no effect below the sufficient level "
                            f"{choices.sufficient_level} carries no basis.", tuple(used), scheme.says(grade.rule),
                            "none")
    if carried != direction and direction != "none":
        code = scheme.ladder[level]
        grade = scheme.strength(code)
        return Decision(code, grade.rule, f"the rows it rests on point the other way (they found "
                        f"{', '.join(sorted(found or ()))}): level {level} carries '{grade.norwegian or code}' "
                        f"{carried}, not {direction}.", (*used, "EVIDENCE-POINTS-AGAINST"), scheme.says(grade.rule),
                        carried)
    return _ladder(level, carried, judgements, scheme, used)


def _neither_way(points: str, level: str, direction: str, judgements: Mapping[str, str] | None, scheme: Scheme,
                 used: list[str]) -> Decision:
    """The strength documentation carries that finds too little to conclude (INSUFFICIENT-IS-NOT-SUPPORT: no basis)
    or no difference from another treatment (NO-DIFFERENCE-IS-NOT-NO-EFFECT: no more than lacking documentation)."""
    lowest = scheme.lowest_level
    no_basis = no_basis_code(scheme)
    if points == "insufficient" or direction == "none":
        if no_basis:
            grade = scheme.strength(no_basis)
            why = ("the rows it rests on find too little to conclude: wholly insufficient documentation"
                   if points == "insufficient" else "the rows it rests on find no difference from another treatment")
            rule = "INSUFFICIENT-IS-NOT-SUPPORT" if points == "insufficient" else "NO-DIFFERENCE-IS-NOT-NO-EFFECT"
            return Decision(grade.code, grade.rule, f"{why} ({level}).", (*used, rule), scheme.says(grade.rule),
                            "none")
    if points == "insufficient":
        why = f"the rows it rests on find too little to conclude, so the documentation ({level}) carries no more " \
              f"than lacking documentation ({lowest})"
        return _ladder(lowest, direction, judgements, scheme, [*used, "INSUFFICIENT-IS-NOT-SUPPORT"], why)
    why = (f"the rows it rests on find no difference from another treatment: documentation neither that the measure "
           f"works nor that it does not, so the documentation ({level}) carries no more than lacking documentation "
           f"({lowest})")
    return _ladder(lowest, direction, judgements, scheme, [*used, "NO-DIFFERENCE-IS-NOT-NO-EFFECT"], why)


def _ladder(level: str, direction: str, judgements: Mapping[str, str] | None, scheme: Scheme, used: list[str],
            why: str = "") -> Decision:
    """The ladder's strength for a level (S-STRONG, S-MODERATE, S-WEAK), lowered by the group's judgements."""
    judgements = dict(judgements or {})
    choices = scheme.choices
    used = list(used)
    code = scheme.ladder[level]
    because = (why + "; " if why else "") + f"level {level} carries '{scheme.strength(code).norwegian or code}'"
    needed = choices.lowest_level_needs if level == scheme.lowest_level else \
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
    pointing = "none" if code in (choices.judgement_floor, choices.nothing_recommended_at_lowest) else direction
    return Decision(code, grade.rule, because + ".", tuple(dict.fromkeys(used)), scheme.says(grade.rule), pointing)


def no_basis_code(scheme: Scheme) -> str:
    """The strength that says there is no basis to recommend (the middle of the scale), '' when the scheme has none:
    the one NO-DIRECTION-AT-LACKING gives, else a judgement floor below the ladder."""
    c = scheme.choices
    if c.nothing_recommended_at_lowest:
        return c.nothing_recommended_at_lowest
    return c.judgement_floor if c.judgement_floor and c.judgement_floor not in scheme.ladder.values() else ""


def signed_span(scheme: Scheme, strength: str, direction: str, level: str | None = None) -> tuple[int, int] | None:
    """A strength on one scale running from strongest against to strongest for, 'no basis' at 0: the span of a
    published strength (ranges allowed), or of a derived one (its level gives 'anbefales ikke' its weight)."""
    parts = scheme.parse_strength(strength)
    if not parts:
        return None
    c = scheme.choices
    no_basis = no_basis_code(scheme)
    zero = scheme.strength(no_basis).rank if no_basis else \
        min(scheme.strength(s).rank for s in scheme.ladder.values()) - 1
    sign = -1 if direction == "against" else 1
    values: list[int] = []
    for p in parts:
        if p == no_basis:
            values.append(0)
        elif p == c.not_recommended:
            weights = [scheme.ladder[level]] if level is not None and level in scheme.ladder and \
                level != scheme.lowest_level else list(c.not_recommended_compares_as) or [p]
            values += [-abs(scheme.strength(w).rank - zero) for w in weights]
        else:
            values.append(sign * (scheme.strength(p).rank - zero))
    return min(values), max(values)


def compare(published_strength: str | None, derived_strength: str | None, scheme: Scheme, *,
            consensus_only: bool = False, level_printed: bool = True, justification: str = "",
            direction: str | None = None, derived_direction: str | None = None,
            derived_level: str | None = None) -> Comparison:
    """Compare a published strength (ranges allowed) with the strength its evidence carries, direction included:
    both sit on one scale from strongest against to strongest for (DIRECTION-OF-FINDINGS)."""
    recorded = bool(justification and justification.strip())
    return remembered(scheme, compared_by, published_strength, derived_strength, consensus_only, level_printed,
                      recorded, direction, derived_direction, derived_level)


def compared_by(published_strength: str | None, derived_strength: str | None, consensus_only: bool, level_printed: bool,
             recorded: bool, direction: str | None, derived_direction: str | None, derived_level: str | None,
             scheme: Scheme) -> Comparison:
    """`compare`, with whether a justification is recorded in place of its text (kept in `Memo`)."""
    span = scheme.strength_span(published_strength)
    if span is None or derived_strength is None:
        return Comparison(NOT_COMPARABLE, False, "CONSENSUS-NOT-COMPARABLE", "no published strength.")
    if consensus_only and not level_printed:
        return Comparison(NOT_COMPARABLE, recorded, "CONSENSUS-NOT-COMPARABLE",
                          "rests on consensus only and the guideline prints no level.")
    c = scheme.choices
    if direction is None:
        direction = "against" if c.not_recommended in scheme.parse_strength(published_strength) else "for"
    pub = signed_span(scheme, published_strength or "", direction)
    got = signed_span(scheme, derived_strength, derived_direction or direction, derived_level)
    assert pub is not None and got is not None
    # Directions are named where they differ: 'published weak (for) against not_recommended from the evidence'.
    clash = derived_direction not in (None, "none", direction) and derived_strength not in _UNDIRECTED
    shown = f"{derived_strength} ({derived_direction})" if clash else derived_strength
    said = f"published {published_strength}" + (f" ({direction})" if clash or (
        derived_strength in _UNDIRECTED and direction != "against") else "")
    if pub[0] <= got[1] and got[0] <= pub[1]:
        rule = "RANGE-EITHER-END" if published_strength and "/" in published_strength else "JUSTIFIED-IF-RECORDED"
        return Comparison(AGREE, True, rule, f"{said} matches {shown} from the evidence.")
    how = "a justification is recorded" if recorded else "no justification is recorded"
    sign = (pub[0] > 0) - (pub[1] < 0)
    if sign == 0:
        if derived_strength in c.no_basis_agrees_with:
            return Comparison(AGREE, True, "NO-BASIS-COMPARED", f"{said} matches {shown} from the evidence.")
        return Comparison(WEAKER, recorded, "NO-BASIS-COMPARED", f"{said}, where the evidence carries {shown}: "
                          f"it says less than its evidence; {how}.")
    stronger = pub[0] > got[1] if sign > 0 else pub[1] < got[0]
    clash = (got[1] < 0) if sign > 0 else (got[0] > 0)
    rule = "EVIDENCE-POINTS-AGAINST" if clash else "JUSTIFIED-IF-RECORDED"
    return Comparison(STRONGER if stronger else WEAKER, recorded, rule,
                      f"{said} against {shown} from the evidence; {how}.")


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
