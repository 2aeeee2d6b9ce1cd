"""Grade recommendations: derive level and strength from the evidence by one scheme, beside the published ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..collector import quiet_collector
from ..records import OutcomeRow, Recommendation, Study
from ..scheme import Scheme, check_grades_strengths
from ..vocab import AGREE, DEVIATIONS, NOT_COMPARABLE, VERDICTS
from .certainty import Profile, checked, profile
from .derive import Comparison, Decision, derive_level
from .judge import Judged, as_read, is_diagnostic, judge, level_source, printed_levels, published_levels, used_levels
from .readings import Readings, every_reading

if TYPE_CHECKING:
    from ..io.guideline import Guideline


@dataclass(frozen=True)
class Grading:
    """One recommendation's published grading beside the grading its evidence carries, by one scheme: under the
    scheme's default reading, and over every reading of the appraisal the text leaves unstated."""

    recommendation: Recommendation
    level_decision: Decision | None  # None until first asked for: the explanation costs, the value is below
    level_used: str  # the level the verdict's strength rests on (a printed one where the guideline prints one)
    level_source: str  # printed | in_words | derived (vocab.LEVEL_SOURCES)
    strength: Decision
    comparison: Comparison
    references: tuple[int, ...]
    scheme: str  # the scheme and reading it was graded by, e.g. 'norway-2007 (named by guideline.toml)'
    studies: tuple[Study, ...] = ()
    levels_used: tuple[str, ...] = ()  # every level the strength is judged on (several printed levels: each)
    strengths: tuple[Decision, ...] = ()  # the strength each of them carries
    comparisons: tuple[Comparison, ...] = ()  # and its comparison with the published strength
    readings: Readings | None = None  # over every reading (None when not computed)
    derived: str = ""  # the level the rows derive under the default reading
    graded_by: Scheme | None = field(default=None, repr=False, compare=False)  # to explain the level when asked
    # CONTESTED-CHOICES: (rule of a contested choice, the verdict with that choice turned the other way), for each
    # contested choice that changes the default reading's verdict.
    contested: tuple[tuple[str, str], ...] = ()
    profile: Profile | None = None  # graded by a certainty model (GRADE): its outcomes and the discordance check

    @property
    def level(self) -> Decision:
        """The level the rows derive under the default reading, with the rule and reasons (derive_level)."""
        if self.level_decision is None:
            assert self.graded_by is not None
            d = derive_level(as_read(self.recommendation, self.studies, self.graded_by), self.graded_by)
            object.__setattr__(self, "level_decision", d)
            return d
        return self.level_decision

    @property
    def judged(self) -> Judged:
        """The default reading as `judge` gave it: every level used, with its strength and comparison."""
        levels = self.levels_used or (self.level_used,)
        strengths = self.strengths or (self.strength,)
        comparisons = self.comparisons or (self.comparison,)
        decides = next((i for i, (d, c) in enumerate(zip(strengths, comparisons))
                        if d is self.strength and c is self.comparison and levels[i] == self.level_used), 0)
        return Judged(self.level, self.level_source, levels, strengths, comparisons, decides)

    @property
    def id(self) -> str:
        return self.recommendation.id

    @property
    def section(self) -> str:
        return self.recommendation.section

    @property
    def topic(self) -> str:
        return self.recommendation.topic

    @property
    def text(self) -> str:
        return self.recommendation.text

    @property
    def direction(self) -> str:
        return self.recommendation.direction

    @property
    def justification(self) -> str:
        return self.recommendation.justification

    @property
    def published_strength(self) -> str | None:
        return self.recommendation.published_strength or None

    @property
    def published_level(self) -> str | None:
        return self.recommendation.published_level or None

    @property
    def published_levels(self) -> tuple[str, ...]:
        return printed_levels(self.recommendation)

    @property
    def derived_level(self) -> str:
        return self.derived or self.level.value

    @property
    def derived_strength(self) -> str:
        return self.strength.value

    @property
    def derived_direction(self) -> str:
        """The way the derived strength points: for, against, or none."""
        return self.strength.direction or self.direction

    @property
    def carried(self) -> str:
        """The derived strength as a reader should see it: with its direction where that differs from the
        recommendation's ('strong (against)' behind a recommendation for), else the strength alone."""
        d = self.strength
        return d.shown if d.direction in ("for", "against") and d.direction != self.direction else d.value

    @property
    def published(self) -> str:
        """The published strength with the recommendation's direction: 'weak (for)', 'no_basis', '-' when none."""
        if not self.published_strength:
            return "-"
        undirected = self.published_strength in ("no_basis", "not_recommended")
        return self.published_strength if undirected or self.direction == "none" else \
            f"{self.published_strength} ({self.direction})"

    @property
    def deviates(self) -> bool:
        """True when, under the default reading, the published strength is stronger or weaker than its evidence."""
        return self.comparison.verdict in DEVIATIONS

    @property
    def certainty(self) -> str:
        """'certain' when every reading of the unstated appraisal and every setting of the contested choices give
        the verdict; else 'depends_on_appraisal', or 'depends_on_choice' when only a contested choice decides."""
        if self.profile is not None:
            return self.profile.certainty
        got = self.readings.certainty if self.readings else "certain"
        return "depends_on_choice" if got == "certain" and self.contested else got

    @property
    def certain_deviation(self) -> bool:
        """True when the published strength deviates from its evidence under every reading."""
        return self.deviates and self.certainty == "certain"

    @property
    def verdicts(self) -> tuple[str, ...]:
        """Every verdict some reading reaches, the default reading's first."""
        if self.profile is not None:
            return self.profile.verdicts
        return self.readings.verdicts if self.readings else (self.comparison.verdict,)

    @property
    def to_appraise(self) -> tuple[int | str, ...]:
        """The references (or 'row N' for a row citing none) whose unstated appraisal can change the verdict; under a
        certainty model, the 'outcome: domain' judgements the source leaves out."""
        if self.profile is not None:
            return self.profile.to_appraise
        return tuple(self._name(i) for i in self.readings.to_appraise) if self.readings else ()

    @property
    def level_range(self) -> tuple[str, str] | None:
        """The lowest and highest level the rows derive over every reading."""
        return self.readings.level_range if self.readings else None

    @property
    def strength_range(self) -> tuple[str, str] | None:
        """The least and most the evidence carries over every reading, in the recommendation's direction."""
        return self.readings.strength_range if self.readings else None

    @property
    def verdict_range(self) -> tuple[str, ...]:
        """Every verdict some reading reaches (the default reading's first), when more than one."""
        return self.verdicts if len(self.verdicts) > 1 else ()

    @property
    def printed_unreached(self) -> tuple[str, ...]:
        """Printed levels that no reading of the cited evidence derives."""
        return self.readings.printed_unreached if self.readings else ()

    @property
    def level_used_text(self) -> str:
        """Which level the strength is judged on, in words: printed, named in words, or derived."""
        if self.profile is not None:  # a certainty model: the certainty, printed for it or for its outcomes
            return (f"the certainty {self.level_used.replace('_', ' ')} ({self.profile.used_from}) is used for the "
                    "strength")
        if self.level_source == "printed":
            return f"the printed level {self.level_used} is used for the strength"
        if self.level_source == "in_words":
            return (f"the level {self.level_used}, named in words in the text "
                    f"('{self.recommendation.published_level_words}'), is used for the strength")
        return "no level is printed; the derived level is used for the strength"

    def _name(self, row: int) -> int | str:
        ref = self.studies[row].reference
        return ref if ref is not None else f"row {row + 1}"

    def rule(self) -> str:
        """The whole explanation: level, strength and verdict, each with the rule that made it, then the readings."""
        if self.profile is not None:
            return self._certainty_rule(self.profile)
        lvl = f"Level: {self.level.explain()}"
        j = self.judged
        if self.level_source == "printed" and len(j.levels_used) > 1:
            each = "; ".join(f"{lv} carries {d.shown} ({c.verdict.replace('_', ' ')})"
                             for lv, d, c in zip(j.levels_used, j.strengths, j.comparisons))
            used = (f" The guideline prints {len(j.levels_used)} levels ({', '.join(j.levels_used)}), one per "
                    f"documentation point; the published strength is compared with each (PRINTED-LEVELS-EACH): "
                    f"{each}. The verdict rests on {self.level_used}.")
        elif self.level_source == "printed":
            used = f" The printed level {self.level_used} is used for the strength (PRINTED-LEVEL-FIRST)."
        elif self.level_source == "in_words":
            used = (f" No level is printed, but the text names the level of the documentation in words "
                    f"('{self.recommendation.published_level_words}': {self.level_used}); that level is used for the "
                    f"strength (LEVEL-IN-WORDS, PRINTED-LEVEL-FIRST).")
        else:
            used = " No level is printed; the derived level is used for the strength (PRINTED-LEVEL-FIRST)."
        if self.graded_by is not None and is_diagnostic(self.recommendation, self.graded_by) and \
                any(s.finding == "benefit" for s in self.studies):
            used += (" A diagnostic test found accurate or useful counts as benefit (DIAGNOSTIC-ACCURACY)."
                     if self.graded_by.choices.accuracy_is_benefit else
                     " A diagnostic test found accurate or useful is read as a finding not stated: accuracy is not "
                     "an effect on the patient (DIAGNOSTIC-ACCURACY).")
        text = (f"{lvl}{used} Strength: {self.strength.explain()} "
                f"Verdict: {self.comparison.verdict} by {self.comparison.rule} — {self.comparison.because}")
        return text + (" " + self.readings_text() if self.readings else "") + self.contested_text()

    def _certainty_json(self, p: Profile) -> dict[str, Any]:
        """What `grading reproduce --format json` adds for a recommendation graded by a certainty model (README:
        the contract of issue 22)."""
        return {"model": "grade",
                "outcomes": [{"outcome": o.row.outcome, "importance": o.row.importance,
                              "studies": list(o.row.studies), "n_studies": o.row.n_studies,
                              "participants": o.row.participants, "design": o.row.design,
                              "domains": dict(o.row.domains), "effect_direction": o.row.effect_direction,
                              "relative_effect": o.row.relative_effect, "absolute_effect": o.row.absolute_effect,
                              "narrative": o.row.narrative, "derived_certainty": o.certainty.value,
                              "derived_certainty_range": [o.lowest, o.highest],
                              "published_certainty": o.row.published_certainty or None, "rule": o.certainty.rule,
                              "because": o.certainty.because} for o in p.outcomes],
                "overall_certainty": p.overall.value, "overall_certainty_range": list(p.overall_range),
                "published_certainty": p.published or None, "strength": self.published_strength,
                "discordant": p.discordant, "paradigm": p.paradigm or None}

    def _certainty_rule(self, p: Profile) -> str:
        """The explanation under a certainty model: each outcome, the overall certainty, the strength's check."""
        outcomes = " ".join(f"{o.row.outcome} ({o.row.importance}): {o.certainty.explain()}" for o in p.outcomes)
        used = (f" The printed certainty {p.published} is used for the check (PRINTED-LEVEL-FIRST)."
                if p.published and p.used == p.published else " The derived certainty is used for the check.")
        text = (f"Outcomes: {outcomes or 'none recorded.'} Certainty: {self.level.explain()}{used} "
                f"Strength: {self.strength.explain()} Verdict: {self.comparison.verdict} by {self.comparison.rule} — "
                f"{self.comparison.because}")
        if len(p.verdicts) > 1:
            text += (f" Every reading of the domains the source leaves unjudged (DOMAINS-EVERY-READING) gives "
                     f"certainty {p.overall_range[0]} to {p.overall_range[1]}, and the verdict depends on them: "
                     f"{', '.join(p.to_appraise)}.")
        return text

    def contested_text(self) -> str:
        """Which contested choice, turned the other way, gives another verdict (CONTESTED-CHOICES)."""
        if not self.contested:
            return ""
        parts = "; ".join(f"with {rule} the other way, {VERDICTS.get(v, v)}" for rule, v in self.contested)
        return f" The verdict depends on a contested choice (CONTESTED-CHOICES): {parts}."

    def readings_text(self) -> str:
        """Which readings of the unstated appraisal give which verdict (EVERY-READING), in words to check."""
        r = self.readings
        if r is None:
            return ""
        lo, hi = r.level_range
        slo, shi = r.strength_range
        span = (f"the rows derive level {lo}" if lo == hi else f"the rows derive levels {lo} to {hi}") + ", " + \
            (f"strength {slo}" if slo == shi else f"strengths {slo} to {shi}")
        unreached = (f" No reading of the cited evidence derives the printed level "
                     f"{' or '.join(r.printed_unreached)}." if r.printed_unreached else "")
        head = "Every reading of the unstated appraisal (EVERY-READING):"
        if not r.free:
            return f"{head} nothing unstated matters here; {span}; certain.{unreached}"
        n = len(r.free)
        if r.certainty == "certain":
            return (f"{head} {n} row{'s' if n != 1 else ''} of unstated quality or design can be read either way "
                    f"({span}), and every reading gives {self.comparison.verdict.replace('_', ' ')}: certain."
                    f"{unreached}")
        parts = [f"{o.verdict.replace('_', ' ')} ({o.strength}; the rows derive {o.level}) under "
                 f"{o.describe(self.studies)}" for o in r.outcomes]
        names = ", ".join(map(str, self.to_appraise))
        return (f"{head} {span}; the verdict depends on appraisal — " + "; ".join(parts)
                + f". Appraise {names} to know.{unreached}")

    def as_dict(self) -> dict:
        """The JSON object `grading reproduce --format json` emits for this recommendation."""
        r = self.readings
        return {
            "id": self.id, "section": self.section, "topic": self.topic, "text": self.text,
            "direction": self.direction, "published_strength": self.published_strength,
            "published_level": self.published_level, "published_levels": list(self.published_levels),
            "derived_level": self.derived_level, "level_source": self.level_source,
            "levels_used": list(self.levels_used), "derived_strength": self.derived_strength,
            "derived_direction": self.derived_direction,
            "derived_level_range": list(r.level_range) if r else [self.derived_level] * 2,
            "derived_strength_range": list(r.strength_range) if r else [self.derived_strength] * 2,
            # justified says whether a deviation has a recorded justification: null where nothing deviates.
            "verdict": self.comparison.verdict, "justified": self.comparison.justified if self.deviates else None,
            "certainty": self.certainty, "to_appraise": list(self.to_appraise),
            "verdicts": [{"verdict": o.verdict, "justified": o.justified if o.verdict in DEVIATIONS else None,
                          "derived_level": o.level, "derived_strength": o.strength,
                          "reading": o.describe(self.studies)} for o in r.outcomes] if r else [],
            "printed_levels_unreached": list(self.printed_unreached),
            "contested": [{"choice": rule, "verdict": v} for rule, v in self.contested],
            **(self._certainty_json(self.profile) if self.profile is not None else {"model": "levels"}),
            "justification": self.justification or None, "references": list(self.references),
            "rule": self.rule(), "scheme": self.scheme,
        }


def grade(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme, *, every: bool = True,
          outcomes: tuple[OutcomeRow, ...] = (), number_of: Callable[[str], int | None] | None = None) -> Grading:
    """Grade one recommendation from its evidence rows by a scheme; with `every`, over every reading too (the
    default reading is then the walk's own, and the level's explanation is worked out when first asked). A scheme
    with a certainty model (GRADE) grades its outcomes instead (`outcomes`; `number_of` numbers their studies)."""
    studies = tuple(studies)
    if scheme.certainty is not None:
        return grade_certainty(rec, studies, tuple(outcomes), scheme, number_of)
    refs = tuple(dict.fromkeys(s.reference for s in studies if s.reference is not None))
    if not every:
        j = judge(rec, studies, scheme)
        return Grading(rec, j.level, j.level_used, j.level_source, j.strength, j.comparison, refs,
                       scheme.describe(), studies, j.levels_used, j.strengths, j.comparisons, None, j.level.value,
                       scheme)
    readings = every_reading(rec, studies, scheme)
    assert readings.default is not None
    level, strengths, comparisons, decides = readings.default
    source = level_source(rec, scheme)
    levels = used_levels(published_levels(rec, scheme), level, scheme)
    return Grading(rec, None, levels[decides], source, strengths[decides], comparisons[decides], refs,
                   scheme.describe(), studies, levels, strengths, comparisons, readings, level, scheme,
                   contested(rec, studies, scheme, comparisons[decides].verdict))


def grade_certainty(rec: Recommendation, studies: tuple[Study, ...], outcomes: tuple[OutcomeRow, ...],
                    scheme: Scheme, number_of: Callable[[str], int | None] | None = None) -> Grading:
    """Grade one recommendation by a certainty model (GRADE): its outcomes rated, the overall certainty, and its
    strength — the panel's judgement — checked for discordance."""
    p = profile(rec, outcomes, scheme)
    strength, comparison = checked(rec, p, scheme)
    numbers = [number_of(k) if number_of else (int(k) if k.isdigit() else None) for o in outcomes for k in o.studies]
    refs = tuple(dict.fromkeys([*(n for n in numbers if n is not None),
                                *(s.reference for s in studies if s.reference is not None)]))
    source = "printed" if p.published and p.used == p.published else "derived"
    return Grading(rec, p.overall, p.used, source, strength, comparison, refs, scheme.describe(), studies,
                   (p.used,), (strength,), (comparison,), None, p.overall.value, scheme, (), p)


def contested(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme,
              verdict: str) -> tuple[tuple[str, str], ...]:
    """Each contested choice (CONTESTED-CHOICES) that, turned the other way, changes the default reading's verdict:
    its rule, and the verdict it then gives."""
    out = []
    for choice in scheme.choices.contested:
        if choice == "printed_levels_each" and len(published_levels(rec, scheme)) < 2:
            continue  # one published level: the choice cannot matter, so it is not tried
        other = scheme.worked_out(f"contested {choice}", _turned(choice))
        got = judge(rec, studies, other).comparison.verdict
        if got != verdict:
            out.append((choice_rule(choice), got))
    return tuple(out)


def _turned(choice: str):
    """A builder of the scheme with one true-or-false choice turned the other way."""
    return lambda s: s.but(**{choice: not getattr(s.choices, choice)})


def choice_rule(choice: str) -> str:
    """The rule a choice is named by in a scheme file's comments: printed_levels_each -> PRINTED-LEVELS-EACH."""
    return choice.upper().replace("_", "-")


def grade_in(guideline: Guideline, rec: Recommendation, studies: tuple[Study, ...] | None = None) -> Grading:
    """One recommendation of a guideline graded by its scheme: its evidence rows (or `studies`) and, under a
    certainty model, its outcomes — the one call every part that grades a single recommendation makes."""
    studies = guideline.studies(rec.id) if studies is None else studies
    return grade(rec, studies, guideline.scheme, outcomes=guideline.outcomes_of(rec.id),
                 number_of=guideline.number_of)


def reproduce(guideline: Guideline, scheme: Scheme | None = None, *, every: bool = True) -> list[Grading]:
    """Grade every recommendation of a guideline, in table order, by its scheme (or the one given)."""
    scheme = scheme or guideline.scheme
    check_grades_strengths(scheme, guideline.recommendations["published_level"])
    with quiet_collector():
        if scheme.certainty is not None:
            return [grade(rec, guideline.studies(rec.id), scheme, outcomes=guideline.outcomes_of(rec.id),
                          number_of=guideline.number_of) for rec in guideline.records]
        return [grade(rec, guideline.studies(rec.id), scheme, every=every) for rec in guideline.records]


def summary(gradings: list[Grading]) -> dict[str, int]:
    """The reproduction in a few numbers: under the default reading, then what is certain over every reading."""
    out = {"recommendations": len(gradings)}
    for v in VERDICTS:
        out[v] = sum(g.comparison.verdict == v for g in gradings)
    dev = [g for g in gradings if g.deviates]
    out["deviations_justified"] = sum(g.comparison.justified for g in dev)
    out["deviations_unjustified"] = len(dev) - out["deviations_justified"]
    out["levels_derived_where_none_printed"] = sum(not g.published_level for g in gradings)  # whatever the scheme
    out["levels_in_words"] = sum(g.level_source == "in_words" for g in gradings)
    printed = [g for g in gradings if g.published_level]
    out["printed_levels_reproduced"] = sum(g.derived_level == g.published_level for g in printed)
    out["printed_levels"] = len(printed)
    certain = [g for g in gradings if g.certainty == "certain"]
    out["certain_agree"] = sum(g.comparison.verdict == AGREE for g in certain)
    out["certain_deviations_justified"] = sum(g.deviates and g.comparison.justified for g in certain)
    out["certain_deviations_unjustified"] = sum(g.deviates and not g.comparison.justified for g in certain)
    out["certain_not_comparable"] = sum(g.comparison.verdict == NOT_COMPARABLE for g in certain)
    out["depends_on_appraisal"] = sum(g.certainty == "depends_on_appraisal" for g in gradings)
    out["depends_on_choice"] = sum(g.certainty == "depends_on_choice" for g in gradings)
    out["printed_levels_unreached"] = sum(len(g.printed_unreached) for g in gradings)
    out["recommendations_with_printed_level_unreached"] = sum(bool(g.printed_unreached) for g in gradings)
    return out
