"""One recommendation judged under one reading of its evidence: level, the level used, strength and verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple, TypeVar

from ..records import Recommendation, Study
from ..scheme import Scheme
from ..vocab import AGREE, STRONGER
from .derive import Comparison, Decision, compared_by, derive_level, findings_behind, judged, memo_for, strength_of

T = TypeVar("T")


@dataclass(frozen=True)
class Judged:
    """What one reading of the evidence gives: the derived level, the level(s) the strength is judged on, the
    strength each carries, and the verdict against the published strength."""

    level: Decision
    level_source: str  # printed | in_words | derived (vocab.LEVEL_SOURCES)
    levels_used: tuple[str, ...]  # one per printed level (PRINTED-LEVELS-EACH), else the derived level
    strengths: tuple[Decision, ...]  # one per level used
    comparisons: tuple[Comparison, ...]  # one per level used
    decides: int  # which of the levels used gives the verdict

    @property
    def strength(self) -> Decision:
        return self.strengths[self.decides]

    @property
    def comparison(self) -> Comparison:
        return self.comparisons[self.decides]

    @property
    def level_used(self) -> str:
        return self.levels_used[self.decides]


def is_diagnostic(rec: Recommendation, scheme: Scheme) -> bool:
    """Whether a recommendation is about a diagnostic test (DIAGNOSTIC-ACCURACY: the scheme's diagnostic_sections)."""
    return any(rec.section == p or rec.section.startswith(p + ".") for p in scheme.choices.diagnostic_sections)


def printed_levels(rec: Recommendation) -> tuple[str, ...]:
    """Every level the guideline prints for a recommendation, one per documentation point; () when none."""
    if not rec.published_level:
        return ()
    return rec.published_levels if rec.published_level in rec.published_levels else (rec.published_level,)


def published_levels(rec: Recommendation, scheme: Scheme) -> tuple[str, ...]:
    """The levels the guideline publishes for a recommendation: those it prints, else the level its text names in
    words for the documentation as a whole (LEVEL-IN-WORDS); () when neither."""
    printed = printed_levels(rec)
    if printed or not (scheme.choices.level_in_words and rec.published_level_words_level):
        return printed
    return (rec.published_level_words_level,)


def level_source(rec: Recommendation, scheme: Scheme) -> str:
    """Where the level a strength is judged on comes from: printed, in_words (LEVEL-IN-WORDS) or derived."""
    if not scheme.choices.printed_level_first or not published_levels(rec, scheme):
        return "derived"
    return "printed" if printed_levels(rec) else "in_words"


def as_read(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> tuple[Study, ...]:
    """The rows as the scheme reads their findings: a diagnostic test's accuracy counts as benefit, or as not stated."""
    if scheme.choices.accuracy_is_benefit or not is_diagnostic(rec, scheme):
        return studies
    return tuple(replace(s, finding="unclear") if s.finding == "benefit" else s for s in studies)


def judge(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> Judged:
    """Level, strength and verdict of one recommendation on these rows, as they stand (one reading)."""
    studies = as_read(rec, studies, scheme)
    level = derive_level(studies, scheme)
    use_printed = uses_printed(rec, scheme)
    levels = used_levels(published_levels(rec, scheme), level.value, scheme)
    found = findings_behind(level, studies, use_printed, scheme)
    strengths, comparisons, decides = carried(asked(rec, scheme), levels, found, consensus_only(studies), scheme)
    return Judged(level, level_source(rec, scheme), levels, strengths, comparisons, decides)


def uses_printed(rec: Recommendation, scheme: Scheme) -> bool:
    """Whether a strength is judged on the levels the guideline publishes, printed or in words (PRINTED-LEVEL-FIRST,
    LEVEL-IN-WORDS), rather than the derived one."""
    return bool(published_levels(rec, scheme)) and scheme.choices.printed_level_first


def consensus_only(studies: tuple[Study, ...]) -> bool:
    """Whether a recommendation rests on consensus only (CONSENSUS-NOT-COMPARABLE): no row is a study."""
    return all(s.design == "consensus" for s in studies)


def used_levels(printed: tuple[str, ...], derived: str, scheme: Scheme) -> tuple[str, ...]:
    """The levels a strength is judged on: every printed level (PRINTED-LEVELS-EACH), else the derived one."""
    if not printed or not scheme.choices.printed_level_first:
        return (derived,)
    if not scheme.choices.printed_levels_each:
        return (max(printed, key=lambda lv: scheme.level(lv).rank),)
    return printed


class Asked(NamedTuple):
    """All a recommendation's strength and verdict read of it (`carried`): a rule that reads one more field of a
    recommendation adds it here, and so to the key of every memo of them (readings.py)."""

    direction: str
    published_strength: str | None
    level_printed: bool
    recorded: bool  # a justification is recorded
    judgements: tuple[str, ...]  # one per JUDGEMENTS (`derive.judged`)


def asked(rec: Recommendation, scheme: Scheme) -> Asked:
    """What of a recommendation its strength and verdict read (a level published in words counts as published:
    LEVEL-IN-WORDS)."""
    return Asked(rec.direction, rec.published_strength or None, bool(published_levels(rec, scheme)),
                 bool(rec.justification.strip()), judged(rec.judgements))


def carried(rec: Asked, levels: tuple[str, ...], found: frozenset[str], consensus_only: bool,
            scheme: Scheme) -> tuple[tuple[Decision, ...], tuple[Comparison, ...], int]:
    """The strength each level used carries, its comparison with the published strength, and which decides."""
    memo = memo_for(scheme)
    direction, judgements = rec.direction, rec.judgements
    if len(levels) == 1:  # one shared tuple per decision: ten thousand gradings need not hold ten thousand
        lv = levels[0]
        strength = memo(strength_of, lv, direction, judgements, found)
        comparison = memo(compared_by, rec.published_strength, strength.value, consensus_only, rec.level_printed,
                          rec.recorded, direction, strength.direction, lv)
        return memo(alone, strength), memo(alone, comparison), 0
    strengths, comparisons = [], []
    for lv in levels:
        strength = memo(strength_of, lv, direction, judgements, found)
        strengths.append(strength)
        comparisons.append(memo(compared_by, rec.published_strength, strength.value, consensus_only,
                                rec.level_printed, rec.recorded, direction, strength.direction, lv))
    verdicts = [c.verdict for c in comparisons]
    decides = next((i for i, v in enumerate(verdicts) if v == STRONGER), None)
    if decides is None:
        decides = next((i for i, v in enumerate(verdicts) if v != AGREE), 0)
    return tuple(strengths), tuple(comparisons), decides


def alone(d: T, scheme: Scheme) -> tuple[T]:
    """A record as a tuple of one (kept in `Memo`: one shared tuple per distinct record)."""
    return (d,)
