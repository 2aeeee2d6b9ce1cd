"""What a reviewer must look at: unjustified deviations, missing evidence, unresolved or uncited references."""

from __future__ import annotations

from dataclasses import dataclass

from ..grade import Grading, reproduce
from ..io.guideline import Guideline
from .agreement import VOTE_KINDS, working_group_findings

KINDS = {
    "unjustified_deviation": "strength differs from its evidence and no justification is recorded",
    "no_evidence": "recommendation has no evidence rows",
    "unresolved_reference": "cited reference whose identity is unresolved",
    "likely_reference": "cited reference identified only as likely",
    "uncited_reference": "reference in the .bib that no evidence row cites",
    **VOTE_KINDS,  # the working group's votes and the texts' strength wording (analyses/agreement.py)
}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must check."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject} — {self.detail}"


def audit(guideline: Guideline, gradings: list[Grading] | None = None) -> list[Finding]:
    """Every finding for a guideline, graded by its scheme, grouped by kind in the order of KINDS."""
    gradings = gradings if gradings is not None else reproduce(guideline)
    found: list[Finding] = []
    for g in gradings:
        if g.deviates and not g.comparison.justified:
            found.append(Finding("unjustified_deviation", g.id, f"published {g.published_strength}, evidence "
                                 f"carries {g.derived_strength} (level {g.level_used}, {g.level_source}): "
                                 f"{g.comparison.verdict.replace('_', ' ')}"))
    with_rows = set(guideline.evidence["recommendation_id"])
    found += [Finding("no_evidence", rid, KINDS["no_evidence"])
              for rid in guideline.recommendations["id"] if rid not in with_rows]
    bib = guideline.bibliography
    cited: dict[int, list[str]] = {}
    for rid, ref in zip(guideline.evidence["recommendation_id"], guideline.evidence["reference"]):
        if ref:
            cited.setdefault(int(ref), []).append(rid)
    for status in ("unresolved", "likely"):
        for n in sorted(cited):
            if bib.status(n) == status:
                recs = ", ".join(dict.fromkeys(cited[n]))
                found.append(Finding(f"{status}_reference", f"ref {n}", f"cited by {recs}"))
    found += [Finding("uncited_reference", f"ref {n}", f"{bib.by_number[n]} ({bib.status(n)})")
              for n in bib.by_number if n not in cited]
    found += [Finding(*f) for f in working_group_findings(guideline)]
    return found
