"""The appraisal worklist: the references whose unstated appraisal decides the most verdicts, ranked — what a
revising working group should appraise first."""

from __future__ import annotations

from dataclasses import dataclass

from ..grade import Grading


@dataclass(frozen=True)
class Entry:
    """One reference (or a row citing none) and the verdicts its appraisal can change."""

    reference: int | str  # the citation number, or 'ID row N' for an evidence row that cites no number
    decides: tuple[str, ...]  # recommendations whose verdict its appraisal can change, in table order
    settles: tuple[str, ...]  # of those, the ones whose verdict its appraisal alone settles, whatever it finds

    @property
    def subject(self) -> str:
        return f"ref {self.reference}" if isinstance(self.reference, int) else str(self.reference)

    def describe(self) -> str:
        """'ref 4: decides 6 verdicts (7.1.1-10, ...); settles 1 alone (7.1.1-16)'."""
        n = len(self.decides)
        text = (f"{self.subject}: its appraisal can change {n} verdict{'s' if n != 1 else ''} "
                f"({', '.join(self.decides)})")
        if self.settles:
            text += f"; settles {len(self.settles)} alone ({', '.join(self.settles)})"
        return text


def worklist(gradings: list[Grading]) -> list[Entry]:
    """Every reference whose appraisal can change some verdict, ranked by how many verdicts it decides, then by
    how many it settles alone, then by number."""
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
    entries = [Entry(k, tuple(dict.fromkeys(v)), tuple(dict.fromkeys(settles.get(k, ())))) for k, v in decides.items()]
    return sorted(entries, key=lambda e: (-len(e.decides), -len(e.settles), isinstance(e.reference, str),
                                          str(e.reference).zfill(8)))
