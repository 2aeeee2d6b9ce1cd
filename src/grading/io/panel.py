"""The working group's panel (evidence/panel.csv): its members, their roles, declared interests and recusals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from ..errors import Problem, raise_if_errors
from .tables import PANEL_SPEC, duplicate_problems, read_table

if TYPE_CHECKING:
    from ..records import Recommendation

PANEL_FILE = Path("evidence") / "panel.csv"


@dataclass(frozen=True)
class Member:
    """One member of the working group, as panel.csv lists them."""

    name: str
    role: str
    interests: str = ""  # declared interests, free text
    recused: tuple[str, ...] = ()  # topics or recommendation ids the member does not vote on
    line: int | None = None

    def recused_from(self, rec: Recommendation) -> str:
        """The recused entry that covers this recommendation (its id or its topic), or ''."""
        topics = {rec.topic.casefold(), rec.topic_en.casefold()} - {""}
        return next((r for r in self.recused if r == rec.id or r.casefold() in topics), "")


@dataclass(frozen=True)
class Panel:
    """The members of a working group, in the order panel.csv lists them."""

    members: tuple[Member, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)

    def member(self, name: str) -> Member | None:
        """The member of this name (as written in panel.csv, spaces around it ignored), or None."""
        return next((m for m in self.members if m.name == name.strip()), None)

    def __len__(self) -> int:
        return len(self.members)


class Folder(Protocol):
    """What loading a panel reads of a guideline: its folder and its recommendations. A `Guideline` is one; this
    module names no Guideline, as io/guideline.py imports it to check a panel while loading."""

    @property
    def root(self) -> Path: ...

    @property
    def recommendations(self) -> pd.DataFrame: ...


def load_panel(guideline: Folder) -> Panel | None:
    """The guideline's panel, or None when its folder has no evidence/panel.csv; raise ValidationError."""
    path = guideline.root / PANEL_FILE
    if not path.is_file():
        return None
    frame, problems = read_table(path, str(PANEL_FILE), PANEL_SPEC)
    problems += panel_problems(frame, guideline.recommendations)
    raise_if_errors(problems)
    assert frame is not None  # an unreadable table always carries an error, raised above
    return Panel(tuple(Member(str(row.get("member", "")), str(row.get("role", "")), str(row.get("interests", "")),
                              _recused(row), row["_line"]) for row in frame.to_dict("records")))


def _recused(row: dict) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(row.get("recused", "")).split(";") if p.strip())


def panel_problems(frame: pd.DataFrame | None, recommendations: pd.DataFrame | None) -> list[Problem]:
    """Problems of a panel table beyond its columns: a member listed twice, a recusal from nothing the guideline has."""
    if frame is None:
        return []
    name = str(PANEL_FILE)
    problems = duplicate_problems(frame, "member", name)
    if recommendations is None or "recused" not in frame.columns:
        return problems
    ids = set(recommendations.get("id", ()))
    topics = {str(t).casefold() for col in ("topic", "topic_en") for t in recommendations.get(col, ()) if t}
    for row in frame.to_dict("records"):
        for entry in _recused(row):
            if entry not in ids and entry.casefold() not in topics:
                problems.append(Problem(name, "recused from a recommendation or topic the guideline does not have",
                                        line=row["_line"], row=row["_row"], column="recused", found=entry,
                                        allowed="a recommendation id (e.g. 7.1.3-02) or a topic of "
                                                "evidence/recommendations.csv (e.g. MANIPULASJON), joined by ';'"))
    return problems
