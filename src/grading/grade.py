"""Grade recommendations: derive level and strength from the evidence and set them beside the published ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .derive import Comparison, Decision, Study, compare, derive_level, derive_strength
from .guideline import Guideline
from .scheme import JUDGEMENTS, NORWAY, Rules, Scheme, check_grades_strengths, rules_for


@dataclass(frozen=True)
class Grading:
    """One recommendation's published grading beside the grading its evidence carries."""

    id: str
    section: str
    topic: str
    text: str
    direction: str
    published_strength: str | None
    published_level: str | None
    level: Decision
    level_used: str
    level_source: str  # printed | derived
    strength: Decision
    comparison: Comparison
    justification: str
    references: tuple[int, ...]

    @property
    def derived_level(self) -> str:
        return self.level.value

    @property
    def derived_strength(self) -> str:
        return self.strength.value

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
            "verdict": self.comparison.verdict, "justified": self.comparison.justified,
            "justification": self.justification or None, "references": list(self.references),
            "rule": self.rule(),
        }


def grade(rec: Mapping[str, str], studies: tuple[Study, ...], rules: Rules | None = None,
          scheme: Scheme = NORWAY) -> Grading:
    """Grade one recommendation (a row of recommendations.csv) from its evidence rows, by a scheme (2007 default)."""
    rules = rules or rules_for(scheme)
    level = derive_level(studies, rules, scheme)
    printed = rec.get("published_level") or None
    use_printed = printed is not None and rules.printed_level_first
    level_used = printed if use_printed else level.value
    judgements = {j: rec.get(j, "unrecorded") for j in JUDGEMENTS}
    strength = derive_strength(level_used, rec["direction"], judgements, rules, scheme)
    consensus_only = all(s.design == "consensus" for s in studies)
    comparison = compare(rec.get("published_strength") or None, strength.value, consensus_only=consensus_only,
                         level_printed=printed is not None, justification=rec.get("justification", ""))
    refs = tuple(dict.fromkeys(s.reference for s in studies if s.reference is not None))
    return Grading(rec["id"], rec["section"], rec["topic"], rec["text"], rec["direction"],
                   rec.get("published_strength") or None, printed, level, level_used,
                   "printed" if use_printed else "derived", strength, comparison,
                   rec.get("justification", ""), refs)


def reproduce(guideline: Guideline, rules: Rules | None = None, scheme: Scheme = NORWAY) -> list[Grading]:
    """Grade every recommendation of a guideline, in table order; raise ValidationError for an unfit scheme."""
    if scheme is not NORWAY:
        check_grades_strengths(scheme, guideline.recommendations["published_level"])
    rules = rules or rules_for(scheme)
    recs = guideline.recommendations
    columns = list(recs.columns)
    return [grade(rec, guideline.studies(rec["id"]), rules, scheme)
            for rec in (dict(zip(columns, row)) for row in recs.itertuples(index=False, name=None))]


def summary(gradings: list[Grading]) -> dict[str, int]:
    """The reproduction in a few numbers."""
    out = {"recommendations": len(gradings)}
    for v in ("agree", "stronger_than_evidence", "weaker_than_evidence", "not_comparable"):
        out[v] = sum(g.comparison.verdict == v for g in gradings)
    dev = [g for g in gradings if g.comparison.verdict in ("stronger_than_evidence", "weaker_than_evidence")]
    out["deviations_justified"] = sum(g.comparison.justified for g in dev)
    out["deviations_unjustified"] = len(dev) - out["deviations_justified"]
    out["levels_derived_where_none_printed"] = sum(g.level_source == "derived" for g in gradings)
    printed = [g for g in gradings if g.published_level]
    out["printed_levels_reproduced"] = sum(g.derived_level == g.published_level for g in printed)
    out["printed_levels"] = len(printed)
    return out
