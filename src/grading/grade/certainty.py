"""The certainty model (GRADE): each outcome's body of evidence rated from its design and its domains, the
certainty behind a recommendation from its critical outcomes, and its strength — the panel's judgement — checked
for discordance. Everything it reads of the model is the scheme's [certainty] table; every decision names its rule."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import OutcomeRow, Recommendation
from ..scheme import Certainty, Scheme
from ..vocab import AGREE, STRONGER
from .derive import Comparison, Decision


@dataclass(frozen=True)
class RatedOutcome:
    """One outcome's body of evidence, rated: the certainty its judgements give (unjudged domains read as not
    serious), and the lowest and highest any reading of the unjudged domains gives (DOMAINS-EVERY-READING)."""

    row: OutcomeRow
    certainty: Decision
    lowest: str
    highest: str
    unjudged: tuple[str, ...]  # domains the source leaves unjudged
    reachable: tuple[str, ...]  # every certainty some reading of the unjudged domains gives, highest first

    @property
    def differs(self) -> bool:
        """Whether the source prints a certainty other than every reading of its judgements gives."""
        return bool(self.row.published_certainty) and self.row.published_certainty not in self.reachable


PRINTED_WHERE = {"recommendation": "printed", "outcomes": "printed for its outcomes",
                 "some outcomes": "printed for some of its outcomes, derived for the rest"}


@dataclass(frozen=True)
class Profile:
    """A recommendation's evidence profile graded by a certainty model: its rated outcomes, the certainty behind it
    (derived, and as printed), the certainty its strength is checked against, and whether it is discordant."""

    outcomes: tuple[RatedOutcome, ...]
    overall: Decision  # derived, unjudged domains read as not serious
    overall_range: tuple[str, str]  # lowest, highest over every reading of the unjudged domains
    published: str  # the certainty the guideline prints for the recommendation (or, PRINTED-OUTCOME-CERTAINTY,
    # the one its critical outcomes' printed certainties give), '' when none
    used: str  # the certainty the strength is checked against: the printed one, else the derived one
    discordant: bool
    paradigm: str
    verdicts: tuple[str, ...]  # every verdict some reading reaches, the default reading's first
    to_appraise: tuple[str, ...]  # 'outcome: domain' pairs whose judgement can change the verdict
    published_from: str = ""  # 'recommendation' or 'outcomes': where the printed certainty is printed

    @property
    def certainty(self) -> str:
        """'certain' when every reading of the unjudged domains gives the verdict, else 'depends_on_appraisal'."""
        return "certain" if len(self.verdicts) <= 1 else "depends_on_appraisal"

    @property
    def used_from(self) -> str:
        """Where the certainty the strength is checked against comes from, in words."""
        if not self.published_from or (self.published and self.used != self.published):
            return "derived"
        return PRINTED_WHERE[self.published_from]

    @property
    def critical(self) -> tuple[RatedOutcome, ...]:
        """The outcomes the overall certainty follows: the critical ones, or all when none is marked critical."""
        return tuple(o for o in self.outcomes if o.row.importance == "critical") or self.outcomes


def _model(scheme: Scheme) -> Certainty:
    assert scheme.certainty is not None, "a certainty model's grading needs a scheme with model = 'certainty'"
    return scheme.certainty


def _order(scheme: Scheme) -> tuple[str, ...]:
    """The scheme's certainty levels, highest first."""
    return tuple(g.code for g in sorted(scheme.levels, key=lambda g: -g.rank))


def rate_outcome(row: OutcomeRow, scheme: Scheme) -> RatedOutcome:
    """The certainty of one outcome's body of evidence: START-BY-DESIGN, RATE-DOWN, RATE-UP, FLOOR-AND-CEILING."""
    m = _model(scheme)
    order = _order(scheme)
    unstated_design = row.design == "unclear"  # read from each design's start (DOMAINS-EVERY-READING)
    start = min(m.start.values(), key=order.index) if unstated_design else m.start.get(row.design)
    lowest_start = max(m.start.values(), key=order.index) if unstated_design else start
    if start is None:  # the reader refuses a design the scheme does not start; a record built in code may not
        return RatedOutcome(row, Decision(order[-1], "START-BY-DESIGN", f"design '{row.design}' has no starting "
                                          "level in the scheme.", says=scheme.says("START-BY-DESIGN")),
                            order[-1], order[-1], (), (order[-1],))
    down = [(d, row.domains.get(d, "unclear")) for d in m.domains_down]
    up = [(d, row.domains.get(d, "unclear")) for d in m.domains_up]
    steps_down = sum(m.down.get(j, 0) for _, j in down)
    steps_up = sum(m.up.get(j, 0) for _, j in up)
    unjudged = ("design",) * unstated_design + tuple(d for d, j in (*down, *up) if j == "unclear")
    most_down = steps_down + sum(max(m.down.values()) for _, j in down if j == "unclear")
    most_up = steps_up + sum(max(m.up.values()) for _, j in up if j == "unclear")

    def at(steps: int, begin: str = start) -> str:
        return order[min(max(order.index(begin) + steps, 0), len(order) - 1)]

    value = at(steps_down - steps_up)
    lowest, highest = at(most_down - steps_up, lowest_start or start), at(steps_down - most_up)
    moved = [f"{d.replace('_', ' ')} {j.replace('_', ' ')} (-{m.down[j]})" for d, j in down if m.down.get(j, 0)]
    moved += [f"{d.replace('_', ' ')} {j.replace('_', ' ')} (+{m.up[j]})" for d, j in up if m.up.get(j, 0)]
    studies = ("studies of a design the source does not state, read as randomised trials (every reading: also as "
               f"observational, from {lowest_start})" if unstated_design else
               "randomised trials" if row.design == "rct" else row.design + " studies")
    clamped = at(steps_down - steps_up) != _unclamped(order, start, steps_down - steps_up)
    because = (f"{row.outcome}: {studies} start at {start} (START-BY-DESIGN)"
               + (f"; {', '.join(moved)}" if moved else "; no domain moves it")
               + f": {value}" + (" (FLOOR-AND-CEILING)" if clamped else ""))
    if unjudged:
        because += (f"; unjudged by the source: {', '.join(d.replace('_', ' ') for d in unjudged)}, read as not "
                    f"serious (every reading: {lowest} to {highest}, DOMAINS-EVERY-READING)")
    rule = "RATE-DOWN" if steps_down > steps_up else "RATE-UP" if steps_up > steps_down else "START-BY-DESIGN"
    reachable = order[order.index(highest):order.index(lowest) + 1]
    return RatedOutcome(row, Decision(value, rule, because + ".", says=scheme.says(rule)), lowest, highest, unjudged,
                        reachable)


def _unclamped(order: tuple[str, ...], start: str, steps: int) -> str:
    i = order.index(start) + steps
    return order[i] if 0 <= i < len(order) else ""


def overall_certainty(rated: tuple[RatedOutcome, ...], scheme: Scheme, which: str = "certainty") -> tuple[str, str]:
    """The certainty behind a recommendation from its outcomes (OVERALL-LOWEST-CRITICAL; SAME-DIRECTION-HIGHEST as
    the scheme chooses), and the rule: `which` is 'certainty', 'lowest' or 'highest' of each outcome's reading."""
    order = _order(scheme)
    critical = tuple(o for o in rated if o.row.importance == "critical") or rated
    if not critical:
        return order[-1], "OVERALL-LOWEST-CRITICAL"
    values = [o.certainty.value if which == "certainty" else getattr(o, which) for o in critical]
    return _combine(critical, values, scheme)


def _combine(critical: tuple[RatedOutcome, ...], values: list[str], scheme: Scheme) -> tuple[str, str]:
    """The certainty the critical outcomes' values give: the lowest, or SAME-DIRECTION-HIGHEST as chosen."""
    order = _order(scheme)
    ways = {o.row.effect_direction for o in critical}
    if _model(scheme).same_direction_highest and len(ways) == 1 and ways <= {"benefit", "harm"}:
        return min(values, key=order.index), "SAME-DIRECTION-HIGHEST"
    return max(values, key=order.index), "OVERALL-LOWEST-CRITICAL"


def printed_overall(rec: Recommendation, rated: tuple[RatedOutcome, ...], scheme: Scheme
                    ) -> tuple[str, str, str, str]:
    """(printed, where, lowest, highest): the recommendation's printed certainty; else, PRINTED-OUTCOME-CERTAINTY,
    each critical outcome's printed certainty standing for it (its domains deriving the others): the certainty they
    give when every one prints one, and the range over every reading of the rest. ('', '', '', '') when nothing
    is printed."""
    if rec.published_level:
        return rec.published_level, "recommendation", rec.published_level, rec.published_level
    critical = tuple(o for o in rated if o.row.importance == "critical") or rated
    printed = [o.row.published_certainty if o.row.published_certainty in scheme.level_codes else "" for o in critical]
    if not any(printed):
        return "", "", "", ""
    lowest = _combine(critical, [p or o.lowest for p, o in zip(printed, critical)], scheme)[0]
    highest = _combine(critical, [p or o.highest for p, o in zip(printed, critical)], scheme)[0]
    if all(printed):
        return _combine(critical, printed, scheme)[0], "outcomes", lowest, highest
    return "", "some outcomes", lowest, highest


def _discordant(strength: str, certainty: str, paradigm: str, scheme: Scheme) -> bool:
    m = _model(scheme)
    order = _order(scheme)
    return strength == m.strong and order.index(certainty) >= order.index(m.discordant_below) and not paradigm


def profile(rec: Recommendation, outcomes: tuple[OutcomeRow, ...], scheme: Scheme) -> Profile:
    """A recommendation's evidence profile graded by the scheme's certainty model."""
    order = _order(scheme)
    rated = tuple(rate_outcome(o, scheme) for o in outcomes)
    value, rule = overall_certainty(rated, scheme)
    low, _ = overall_certainty(rated, scheme, "lowest")
    high, _ = overall_certainty(rated, scheme, "highest")
    critical = tuple(o for o in rated if o.row.importance == "critical") or rated
    if rated:
        names = ", ".join(f"{o.row.outcome} {o.certainty.value}" for o in critical)
        because = (f"the {'critical outcomes' if any(o.row.importance == 'critical' for o in rated) else 'outcomes'}"
                   f" ({names}) give {value}")
    else:
        because = "no outcome is recorded for it (evidence/outcomes.csv): no evidence, very low"
    overall = Decision(value, rule, because + ".", says=scheme.says(rule))
    published, published_from, printed_low, printed_high = printed_overall(rec, rated, scheme)
    if published_from == "some outcomes":  # printed where printed, derived elsewhere (PRINTED-OUTCOME-CERTAINTY)
        used = _combine(critical, [o.row.published_certainty if o.row.published_certainty in scheme.level_codes
                                   else o.certainty.value for o in critical], scheme)[0]
        span = (printed_low, printed_high)
        open_outcomes = tuple(o for o in critical if o.row.published_certainty not in scheme.level_codes)
    else:
        used = published if published and scheme.choices.printed_level_first else value
        span, open_outcomes = (low, high), critical
    strength = rec.published_strength
    discordant = _discordant(strength, used, rec.paradigm, scheme)
    verdicts = [STRONGER if discordant else AGREE]
    to_appraise: tuple[str, ...] = ()
    if not published:
        reached = {STRONGER if _discordant(strength, c, rec.paradigm, scheme) else AGREE
                   for c in order[order.index(span[1]):order.index(span[0]) + 1]}
        verdicts += [v for v in sorted(reached) if v != verdicts[0]]
        if len(verdicts) > 1:
            to_appraise = tuple(f"{o.row.outcome}: {d.replace('_', ' ')}" for o in open_outcomes for d in o.unjudged)
    return Profile(rated, overall, (low, high), published, used, discordant, rec.paradigm, tuple(verdicts),
                   to_appraise, published_from)


def checked(rec: Recommendation, p: Profile, scheme: Scheme) -> tuple[Decision, Comparison]:
    """The strength as the panel's judgement (PANEL-JUDGEMENT) and its check for discordance (DISCORDANT)."""
    m = _model(scheme)
    strength = rec.published_strength
    shown = scheme.strength(strength).english if strength in scheme.strength_codes else (strength or "none")
    decision = Decision(strength, "PANEL-JUDGEMENT", f"{shown}, the panel's judgement; GRADE derives no strength "
                        "from the certainty.", says=scheme.says("PANEL-JUDGEMENT"), direction=rec.direction)
    source = p.used_from + (", PRINTED-OUTCOME-CERTAINTY" if p.published_from.endswith("outcomes") else "")
    if not strength:
        return decision, Comparison("not_comparable", False, "CONSENSUS-NOT-COMPARABLE", "no published strength.")
    if p.discordant:
        return decision, Comparison(STRONGER, False, "DISCORDANT", f"a strong recommendation on {p.used} certainty "
                                    f"({source}) that names none of the five situations GRADE allows it in.")
    if strength == m.strong and p.paradigm:
        named = next((x.english for x in m.paradigms if x.code == p.paradigm), p.paradigm)
        return decision, Comparison(AGREE, True, "CONCORDANT", f"strong on {p.used} certainty ({source}), in a "
                                    f"situation GRADE allows: {named}.")
    return decision, Comparison(AGREE, True, "CONCORDANT", f"{shown} on {p.used} certainty ({source}): concordant "
                                "with GRADE's guidance.")
