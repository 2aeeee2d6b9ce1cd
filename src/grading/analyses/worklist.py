"""The appraisal worklist: the references whose unstated appraisal decides the most verdicts, ranked — what a
revising working group should appraise first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..grade import Grading
from ..io.labels import label_key


@dataclass(frozen=True)
class Entry:
    """One reference (or a row citing none) and the verdicts its appraisal can change."""

    reference: int | str  # the citation number, or 'ID row N' for an evidence row that cites no number
    decides: tuple[str, ...]  # recommendations whose verdict its appraisal can change, in table order
    settles: tuple[str, ...]  # of those, the ones whose verdict its appraisal alone settles, whatever it finds
    name: str = ""  # the reference as a reader knows it: first author, year, title (Guideline.reference_name)

    @property
    def subject(self) -> str:
        """The reference by number, author, year and title where known ('ref 4 (Airaksinen 2006: …)')."""
        if self.name:
            return self.name
        return f"ref {self.reference}" if isinstance(self.reference, int) else str(self.reference)

    def describe(self) -> str:
        """'ref 4: decides 6 verdicts (7.1.1-10, ...); settles 1 alone (7.1.1-16)'."""
        n = len(self.decides)
        text = (f"{self.subject}: its appraisal can change {n} verdict{'s' if n != 1 else ''} "
                f"({', '.join(self.decides)})")
        if self.settles:
            text += f"; settles {len(self.settles)} alone ({', '.join(self.settles)})"
        return text


def worklist(gradings: list[Grading], names: Callable[[int], str] | None = None) -> list[Entry]:
    """Every reference whose appraisal can change some verdict, ranked by how many verdicts it decides, then by
    how many it settles alone, then by number; each named by `names` (`Guideline.reference_name`) where given."""
    decides: dict[int | str, list[str]] = {}
    settles: dict[int | str, list[str]] = {}
    for g in gradings:
        r = g.readings
        if r is None or r.certainty == "certain":
            continue
        alone = set(r.settles)
        for row in r.to_appraise:
            ref = g.studies[row].reference
            key: int | str = ref if ref is not None else f"{g.id} row {row + 1}"
            decides.setdefault(key, []).append(g.id)
            if row in alone:
                settles.setdefault(key, []).append(g.id)
    entries = [Entry(k, tuple(dict.fromkeys(v)), tuple(dict.fromkeys(settles.get(k, ()))),
                     names(k) if names is not None and isinstance(k, int) else "") for k, v in decides.items()]
    return sorted(entries, key=lambda e: (-len(e.decides), -len(e.settles), isinstance(e.reference, str),
                                          label_key(str(e.reference))))


def worklist_frame(entries: list[Entry]) -> pd.DataFrame:
    """The worklist as a table for the notebooks: rank, reference, how many verdicts it decides and settles."""
    rows = [{"rank": i, "reference": e.subject, "decides": len(e.decides), "settles_alone": len(e.settles),
             "recommendations": ", ".join(e.decides), "settled_alone": ", ".join(e.settles)}
            for i, e in enumerate(entries, 1)]
    return pd.DataFrame(rows, columns=["rank", "reference", "decides", "settles_alone", "recommendations",
                                       "settled_alone"]).set_index("rank")


def readings_frame(gradings: list[Grading]) -> pd.DataFrame:
    """Every grading with what its evidence carries under every reading: the range, the certainty, the verdicts
    other readings reach, and the references to appraise."""
    rows = []
    for g in gradings:
        r = g.readings
        rows.append({"id": g.id, "topic_en": g.recommendation.topic_en, "published": g.published,
                     "printed_levels": ";".join(g.published_levels),
                     "level_range": "-".join(dict.fromkeys(r.level_range)) if r else g.derived_level,
                     "strength_range": " to ".join(dict.fromkeys(r.strength_range)) if r else g.carried,
                     "default_reading": f"{g.carried}: {g.comparison.verdict}", "certainty": g.certainty,
                     "other_verdicts": ", ".join(g.verdicts[1:]), "to_appraise": ", ".join(map(str, g.to_appraise))})
    return pd.DataFrame(rows, columns=["id", "topic_en", "published", "printed_levels", "level_range",
                                       "strength_range", "default_reading", "certainty", "other_verdicts",
                                       "to_appraise"]).set_index("id")
