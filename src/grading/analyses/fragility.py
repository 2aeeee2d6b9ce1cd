"""How fragile each grading is: the smallest change to its evidence that would change its derived level or strength."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..grade import Grading, Recommendation, Study, grade
from ..progress import progress
from ..scheme import Scheme

if TYPE_CHECKING:
    from ..io.guideline import Guideline

# Single-row changes, tried in this order; each is one step, so any that moves the grading is a smallest one.
CHANGE_KINDS = ("downgrade", "upgrade", "remove", "conflicting")


@dataclass(frozen=True)
class Change:
    """One single-row change to a recommendation's evidence and what it does to the grading."""

    kind: str  # downgrade | upgrade | remove | conflicting
    row: int  # position among the recommendation's evidence rows (from 0), not a row of evidence.csv
    study: Study
    level: tuple[str, str]  # before, after
    strength: tuple[str, str]
    lowers: bool  # True when the change lowers the derived level or strength

    def describe(self) -> str:
        """'quality good -> poor on row 2 of its evidence (RCT (ref 91, good)): level ** -> *, strength ...'."""
        what = {"downgrade": "quality good -> poor", "upgrade": f"quality {self.study.quality} -> good",
                "remove": "row removed", "conflicting": f"finding {self.study.finding} -> conflicting"}[self.kind]
        moved = []
        if self.level[0] != self.level[1]:
            moved.append(f"level {self.level[0]} -> {self.level[1]}")
        if self.strength[0] != self.strength[1]:
            moved.append(f"strength {self.strength[0]} -> {self.strength[1]}")
        # Counted within the recommendation, from 1: error messages count rows of the file, so say which.
        return f"{what} on row {self.row + 1} of its evidence ({self.study.label()}): " + ", ".join(moved)


@dataclass(frozen=True)
class Fragility:
    """Whether any single-row change moves a recommendation's derived grading, and which ones do."""

    recommendation_id: str
    changes: tuple[Change, ...]
    tried: int
    scheme: str = ""  # the scheme and reading it was measured by

    @property
    def falls(self) -> tuple[Change, ...]:
        """The single-row changes that lower the grading."""
        return tuple(c for c in self.changes if c.lowers)

    @property
    def fragile(self) -> bool:
        """True when one changed row is enough to lower the derived level or strength."""
        return bool(self.falls)

    def summary(self) -> str:
        """'fragile: ... lowers it' or 'robust: no single-row change lowers it'."""
        rises = len(self.changes) - len(self.falls)
        if not self.fragile:
            return (f"robust: none of {self.tried} single-row changes lowers its derived level or strength"
                    + (f" ({rises} would raise it)" if rises else ""))
        return (f"fragile: {len(self.falls)} of {self.tried} single-row changes lower it; smallest: "
                f"{self.falls[0].describe()}")


def _rank(scheme: Scheme, level: str, strength: str) -> tuple[int, int]:
    return scheme.level(level).rank, scheme.strength(strength).rank


def single_changes(studies: tuple[Study, ...]) -> Iterator[tuple[str, int, tuple[Study, ...]]]:
    """Every one-row change to an evidence set: (kind, row, changed evidence)."""
    for kind in CHANGE_KINDS:
        for i, s in enumerate(studies):
            if s.design == "consensus":
                continue
            if kind == "downgrade" and s.quality == "good":
                new = replace(s, quality="poor")
            elif kind == "upgrade" and s.quality != "good":
                new = replace(s, quality="good")
            elif kind == "remove":
                yield kind, i, studies[:i] + studies[i + 1:]
                continue
            elif kind == "conflicting" and s.finding != "conflicting":
                new = replace(s, finding="conflicting")
            else:
                continue
            yield kind, i, studies[:i] + (new,) + studies[i + 1:]


def fragility(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme,
              base: Grading | None = None) -> Fragility:
    """Try every single-row change to one recommendation's evidence; keep those that move its grading."""
    base = base or grade(rec, studies, scheme)
    found, tried = [], 0
    before = _rank(scheme, base.derived_level, base.derived_strength)
    for kind, i, changed in single_changes(studies):
        tried += 1
        g = grade(rec, changed, scheme)
        if (g.derived_level, g.derived_strength) != (base.derived_level, base.derived_strength):
            found.append(Change(kind, i, studies[i], (base.derived_level, g.derived_level),
                                (base.derived_strength, g.derived_strength),
                                _rank(scheme, g.derived_level, g.derived_strength) < before))
    return Fragility(rec.id, tuple(found), tried, scheme.describe())


def fragility_all(guideline: Guideline, scheme: Scheme | None = None) -> list[Fragility]:
    """Fragility of every recommendation of a guideline, in table order, by its scheme (or the one given)."""
    scheme = scheme or guideline.scheme
    return [fragility(rec, guideline.studies(rec.id), scheme)
            for rec in progress(guideline.records, len(guideline.records), "fragility")]
