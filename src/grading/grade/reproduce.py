"""Grade recommendations: derive level and strength from the evidence by one scheme, beside the published ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scheme import Scheme, check_grades_strengths
from ..vocab import DEVIATIONS, VERDICTS
from .derive import Comparison, Decision, compare, derive_level, derive_strength
from .records import Recommendation, Study

if TYPE_CHECKING:
    from ..io.guideline import Guideline


@dataclass(frozen=True)
class Grading:
    """One recommendation's published grading beside the grading its evidence carries, by one scheme."""

    recommendation: Recommendation
    level: Decision
    level_used: str
    level_source: str  # printed | derived
    strength: Decision
    comparison: Comparison
    references: tuple[int, ...]
    scheme: str  # the scheme and reading it was graded by, e.g. 'norway-2007 (as declared)'

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
    def derived_level(self) -> str:
        return self.level.value

    @property
    def derived_strength(self) -> str:
        return self.strength.value

    @property
    def deviates(self) -> bool:
        """True when the published strength is stronger or weaker than its evidence carries."""
        return self.comparison.verdict in DEVIATIONS

    def rule(self) -> str:
        """The whole explanation: level, strength and verdict, each with the rule that made it."""
        lvl = f"Level: {self.level.explain()}"
        used = (f" The printed level {self.level_used} is used for the strength (PRINTED-LEVEL-FIRST)."
                if self.level_source == "printed" else
                " No level is printed; the derived level is used for the strength (PRINTED-LEVEL-FIRST).")
        return (f"{lvl}{used} Strength: {self.strength.explain()} "
                f"Verdict: {self.comparison.verdict} by {self.comparison.rule} — {self.comparison.because}")

    def as_dict(self) -> dict:
        """The JSON object `grading reproduce --format json` emits for this recommendation."""
        return {
            "id": self.id, "section": self.section, "topic": self.topic, "text": self.text,
            "direction": self.direction, "published_strength": self.published_strength,
            "published_level": self.published_level, "derived_level": self.derived_level,
            "level_source": self.level_source, "derived_strength": self.derived_strength,
            # justified says whether a deviation has a recorded justification: null where nothing deviates.
            "verdict": self.comparison.verdict, "justified": self.comparison.justified if self.deviates else None,
            "justification": self.justification or None, "references": list(self.references),
            "rule": self.rule(), "scheme": self.scheme,
        }


def grade(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> Grading:
    """Grade one recommendation from its evidence rows by a scheme."""
    level = derive_level(studies, scheme)
    printed = rec.published_level or None
    use_printed = printed is not None and scheme.choices.printed_level_first
    level_used = printed if use_printed and printed else level.value
    strength = derive_strength(level_used, rec.direction, rec.judgements, scheme)
    consensus_only = all(s.design == "consensus" for s in studies)
    comparison = compare(rec.published_strength or None, strength.value, scheme, consensus_only=consensus_only,
                         level_printed=printed is not None, justification=rec.justification)
    refs = tuple(dict.fromkeys(s.reference for s in studies if s.reference is not None))
    return Grading(rec, level, level_used, "printed" if use_printed else "derived", strength, comparison, refs,
                   scheme.describe())


def reproduce(guideline: Guideline, scheme: Scheme | None = None) -> list[Grading]:
    """Grade every recommendation of a guideline, in table order, by its scheme (or the one given)."""
    scheme = scheme or guideline.scheme
    check_grades_strengths(scheme, guideline.recommendations["published_level"])
    return [grade(rec, guideline.studies(rec.id), scheme) for rec in guideline.records]


def summary(gradings: list[Grading]) -> dict[str, int]:
    """The reproduction in a few numbers."""
    out = {"recommendations": len(gradings)}
    for v in VERDICTS:
        out[v] = sum(g.comparison.verdict == v for g in gradings)
    dev = [g for g in gradings if g.deviates]
    out["deviations_justified"] = sum(g.comparison.justified for g in dev)
    out["deviations_unjustified"] = len(dev) - out["deviations_justified"]
    out["levels_derived_where_none_printed"] = sum(g.level_source == "derived" for g in gradings)
    printed = [g for g in gradings if g.published_level]
    out["printed_levels_reproduced"] = sum(g.derived_level == g.published_level for g in printed)
    out["printed_levels"] = len(printed)
    return out
