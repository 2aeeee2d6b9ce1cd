"""How fragile each published grading is: how little must change in its evidence before the evidence no longer
carries it (when it does) or first carries it (when it does not).

Fragility is measured on the level the evidence rows carry: a printed level is set aside (the scheme is read
with printed_level_first = false, and every output says so), because a printed level does not move when a row
does. Each single-row change is tried: one row's quality downgraded or upgraded, one row removed, one finding
turned conflicting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..collector import quiet_collector
from ..grade import Recommendation, Study
from ..grade.readings import quick, quick_each
from ..progress import progress
from ..records import OutcomeRow
from ..scheme import Scheme
from ..vocab import AGREE, NOT_COMPARABLE, VERDICTS

if TYPE_CHECKING:
    from ..io.guideline import Guideline

# Single-row changes, tried in this order; each is one step, so any that moves the verdict is a smallest one.
CHANGE_KINDS = ("downgrade", "upgrade", "remove", "conflicting")
# What a grading is, measured against its published strength.
STANDING = {
    "fragile": "the evidence carries the published strength, but one changed row and it no longer does",
    "robust": "the evidence carries the published strength, and no single changed row takes that away",
    "one_change_away": "the evidence does not carry the published strength, but one changed row and it does",
    "out_of_reach": "the evidence does not carry the published strength, and no single changed row makes it",
    "not_comparable": "no published strength to measure against",
}


@dataclass(frozen=True)
class Change:
    """One single-row change to a recommendation's evidence and what it does to the grading."""

    kind: str  # downgrade | upgrade | remove | conflicting
    row: int  # position among the recommendation's evidence rows (from 0), not a row of evidence.csv
    study: Study
    level: tuple[str, str]  # before, after
    strength: tuple[str, str]
    verdict: tuple[str, str]

    @property
    def carried(self) -> bool:
        """True when, after the change, the evidence carries the published strength."""
        return self.verdict[1] == AGREE

    def describe(self) -> str:
        """'quality good -> poor on row 1 of its evidence (systematic review (ref 42, good)): level *** -> *, ...'."""
        what = {"downgrade": "quality good -> poor", "upgrade": f"quality {self.study.quality} -> good",
                "remove": "row removed", "conflicting": f"finding {self.study.finding} -> conflicting"}[self.kind]
        moved = []
        if self.level[0] != self.level[1]:
            moved.append(f"level {self.level[0]} -> {self.level[1]}")
        if self.strength[0] != self.strength[1]:
            moved.append(f"strength {self.strength[0]} -> {self.strength[1]}")
        moved.append(f"{VERDICTS[self.verdict[0]]} -> {VERDICTS[self.verdict[1]]}")
        # Counted within the recommendation, from 1: error messages count rows of the file, so say which.
        return f"{what} on row {self.row + 1} of its evidence ({self.study.label()}): " + ", ".join(moved)


@dataclass(frozen=True)
class DomainChange:
    """One domain judgement of one outcome moved one step (certainty model), and what it does to the grading."""

    kind: str  # 'domain'
    row: int  # position among the recommendation's outcomes (from 0)
    outcome: str
    domain: str
    judgement: tuple[str, str]  # before, after
    level: tuple[str, str]  # the overall certainty, before and after
    strength: tuple[str, str]
    verdict: tuple[str, str]
    study: None = None  # no evidence row: a domain of an outcome

    @property
    def carried(self) -> bool:
        """True when, after the change, the recommendation is concordant."""
        return self.verdict[1] == AGREE

    def describe(self) -> str:
        """'risk of bias serious -> not serious on outcome 1 (pain): certainty low -> moderate, discordant -> ...'."""
        moved = [f"certainty {self.level[0]} -> {self.level[1]}"] if self.level[0] != self.level[1] else []
        moved.append(f"{VERDICTS[self.verdict[0]]} -> {VERDICTS[self.verdict[1]]}")
        return (f"{self.domain.replace('_', ' ')} {self.judgement[0].replace('_', ' ')} -> "
                f"{self.judgement[1].replace('_', ' ')} on outcome {self.row + 1} ({self.outcome}): "
                + ", ".join(moved))


@dataclass(frozen=True)
class Fragility:
    """How far one recommendation's published strength is from being carried, or from being lost, by its evidence."""

    recommendation_id: str
    verdict: str  # under the scheme's default reading, on the level the rows carry
    changes: tuple[Change | DomainChange, ...]  # the single changes that turn the verdict into agreement or out of it
    tried: int
    scheme: str = ""  # the scheme and reading it was measured by

    @property
    def standing(self) -> str:
        """fragile, robust, one_change_away, out_of_reach or not_comparable (see STANDING)."""
        if self.verdict == NOT_COMPARABLE:
            return "not_comparable"
        if self.verdict == AGREE:
            return "fragile" if self.changes else "robust"
        return "one_change_away" if self.changes else "out_of_reach"

    @property
    def fragile(self) -> bool:
        """True when the evidence carries the published strength and one changed row is enough to lose it."""
        return self.standing == "fragile"

    @property
    def within_reach(self) -> bool:
        """True when the evidence does not carry the published strength and one changed row is enough to carry it."""
        return self.standing == "one_change_away"

    def summary(self) -> str:
        """'fragile: ... ; smallest: ...' — which way it is measured, and the first change that does it."""
        text = f"{self.standing.replace('_', ' ')}: {STANDING[self.standing]}"
        if self.changes:
            n = len(self.changes)
            text += f" ({n} of {self.tried} single-row changes); first: {self.changes[0].describe()}"
        elif self.standing in ("robust", "out_of_reach"):
            text += f" ({self.tried} single-row changes tried)"
        return text


def measured_by(scheme: Scheme) -> Scheme:
    """The reading fragility measures by: the scheme with printed levels set aside (one copy per scheme object)."""
    if not scheme.choices.printed_level_first:
        return scheme
    return scheme.worked_out("fragility's reading", lambda s: s.but(printed_level_first=False))


def row_changes(studies: tuple[Study, ...]) -> Iterator[tuple[str, int, Study | None]]:
    """Every one-row change to an evidence set, in CHANGE_KINDS order: (kind, row, the row it becomes; None when
    removed)."""
    for kind in CHANGE_KINDS:
        for i, s in enumerate(studies):
            if s.design == "consensus":
                continue
            if kind == "downgrade" and s.quality == "good":
                yield kind, i, replace(s, quality="poor")
            elif kind == "upgrade" and s.quality != "good":
                yield kind, i, replace(s, quality="good")
            elif kind == "remove":
                yield kind, i, None
            elif kind == "conflicting" and s.finding != "conflicting":
                yield kind, i, replace(s, finding="conflicting")


def single_changes(studies: tuple[Study, ...]) -> Iterator[tuple[str, int, tuple[Study, ...]]]:
    """Every one-row change to an evidence set: (kind, row, changed evidence)."""
    for kind, i, new in row_changes(studies):
        yield kind, i, studies[:i] + ((new,) if new is not None else ()) + studies[i + 1:]


def fragility(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> Fragility:
    """Try every single-row change to one recommendation's evidence; keep those that move it into or out of
    agreement with its published strength, measured on the level the rows carry. Each change is graded from the
    class counts of the rows changed by one (`quick_each`), so the cost grows with the rows, not their square."""
    scheme = measured_by(scheme)
    base = quick(rec, studies, scheme)
    if base.verdict == NOT_COMPARABLE:
        return Fragility(rec.id, base.verdict, (), 0, scheme.describe())
    changes = list(row_changes(studies))
    found = []
    for (kind, i, _), after in zip(changes, quick_each(rec, studies, [(i, new) for _, i, new in changes], scheme)):
        if after.verdict != NOT_COMPARABLE and (after.verdict == AGREE) != (base.verdict == AGREE):
            found.append(Change(kind, i, studies[i], (base.level, after.level), (base.strength, after.strength),
                                (base.verdict, after.verdict)))
    return Fragility(rec.id, base.verdict, tuple(found), len(changes), scheme.describe())


def certainty_fragility(rec: Recommendation, outcomes: tuple[OutcomeRow, ...], scheme: Scheme) -> Fragility:
    """Under a certainty model (GRADE): try every domain judgement of every outcome moved one step; keep those that
    turn the recommendation concordant or discordant, measured on the derived certainty (a printed one set aside)."""
    from ..grade.reproduce import grade_certainty
    m = scheme.certainty
    assert m is not None
    rec = rec.but(published_level="")
    base = grade_certainty(rec, (), outcomes, scheme)
    if base.comparison.verdict == NOT_COMPARABLE:
        return Fragility(rec.id, base.comparison.verdict, (), 0, scheme.describe())
    found, tried = [], 0
    for i, o in enumerate(outcomes):
        for domain in (*m.domains_down, *m.domains_up):
            scale = list(m.down if domain in m.domains_down else m.up)
            now = o.domains.get(domain, "unclear")
            if now not in scale:
                continue  # unjudged: read either way already (DOMAINS-EVERY-READING)
            steps = [scale[j] for j in (scale.index(now) - 1, scale.index(now) + 1) if 0 <= j < len(scale)]
            for judgement in steps:
                tried += 1
                changed = tuple(replace(x, domains={**x.domains, domain: judgement}) if k == i else x
                                for k, x in enumerate(outcomes))
                after = grade_certainty(rec, (), changed, scheme)
                if (after.comparison.verdict == AGREE) != (base.comparison.verdict == AGREE):
                    found.append(DomainChange("domain", i, o.outcome, domain, (now, judgement),
                                              (base.level_used, after.level_used),
                                              (base.derived_strength, after.derived_strength),
                                              (base.comparison.verdict, after.comparison.verdict)))
    return Fragility(rec.id, base.comparison.verdict, tuple(found), tried, scheme.describe())


def fragility_all(guideline: Guideline, scheme: Scheme | None = None) -> list[Fragility]:
    """Fragility of every recommendation of a guideline, in table order, by its scheme (or the one given)."""
    if (scheme or guideline.scheme).certainty is not None:
        scheme = scheme or guideline.scheme
        with quiet_collector():
            return [certainty_fragility(rec, guideline.outcomes_of(rec.id), scheme) for rec in guideline.records]
    scheme = measured_by(scheme or guideline.scheme)
    with quiet_collector():
        return [fragility(rec, guideline.studies(rec.id), scheme)
                for rec in progress(guideline.records, len(guideline.records), "fragility")]
