"""What a reviewer must look at, split honestly: deviations under every reading of the unstated appraisal (with a
recorded justification or without), verdicts that depend on appraisal nobody wrote down, printed levels no
reading of the cited evidence reaches, the appraisal worklist; then missing evidence and unresolved or uncited
references."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..grade import Grading, reproduce
from ..io.guideline import Guideline
from ..vocab import VERDICTS
from .agreement import VOTE_KINDS, working_group_findings
from .worklist import worklist

KINDS = {
    "unjustified_deviation": "under every reading of the unstated appraisal, the strength differs from its evidence "
                             "and no justification is recorded",
    "justified_deviation": "under every reading, the strength differs from its evidence; the guideline records why",
    "depends_on_appraisal": "the verdict depends on appraisal the text does not state: some readings carry the "
                            "published strength and some do not",
    "depends_on_choice": "the verdict is the same under every reading of the unstated appraisal, but a contested "
                         "choice of the scheme (CONTESTED-CHOICES), turned the other way, changes it",
    "printed_level_unreached": "a published level (printed, or named in words) that no reading of the cited "
                               "evidence derives",
    "appraise_first": "the appraisal worklist: references whose unstated appraisal can change the most verdicts, "
                      "ranked",
    "settled_by_appraisal": "a verdict that depended on appraisal and is certain once the group's appraisals "
                            "(evidence/appraisals/) are applied, with the appraisals that settled it",
    "no_evidence": "recommendation has no evidence rows",
    "unresolved_reference": "cited reference whose identity is unresolved",
    "likely_reference": "cited reference identified only as likely",
    "uncited_reference": "reference in the .bib that no evidence row cites",
    **VOTE_KINDS,  # the working group's votes and the texts' strength wording (analyses/agreement.py)
}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must check (`extra`: what a kind carries beyond its words, such as the worklist's
    recommendations)."""

    kind: str
    subject: str
    detail: str
    extra: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject} — {self.detail}"

    def as_dict(self) -> dict:
        """The finding as `grading audit --format json` gives it."""
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail, **self.extra}


def _said(v: str) -> str:
    return VERDICTS.get(v, v)


def _published(g: Grading) -> str:
    """How a level was published: printed, or named in words (LEVEL-IN-WORDS)."""
    return "named in words" if g.level_source == "in_words" else "printed"


def verdict_findings(gradings: list[Grading], names: Callable[[int], str] | None = None) -> list[Finding]:
    """The verdicts a reviewer must look at, grouped in the order of KINDS, then the appraisal worklist."""
    found: dict[str, list[Finding]] = {k: [] for k in KINDS}
    for g in gradings:
        where = f"published {g.published}, evidence carries {g.carried} (level {g.level_used}, {g.level_source})"
        if g.certain_deviation:
            kind = "justified_deviation" if g.comparison.justified else "unjustified_deviation"
            found[kind].append(Finding(kind, g.id, f"{where}: {_said(g.comparison.verdict)} under every reading"))
        elif g.certainty == "depends_on_choice":
            found["depends_on_choice"].append(Finding(
                "depends_on_choice", g.id, f"{where}: {_said(g.comparison.verdict)} under every reading;"
                + g.contested_text().split(":", 1)[1].rstrip("."),
                {"contested": [{"choice": c, "verdict": v} for c, v in g.contested]}))
        elif g.certainty != "certain":
            others = ", ".join(_said(v) for v in g.verdicts[1:])
            found["depends_on_appraisal"].append(Finding(
                "depends_on_appraisal", g.id, f"{where}: {_said(g.comparison.verdict)} under the default reading, "
                f"{others} under others; appraise {', '.join(map(str, g.to_appraise))}",
                {"verdicts": list(g.verdicts), "to_appraise": list(g.to_appraise)}))
        for level in g.printed_unreached:
            found["printed_level_unreached"].append(Finding(
                "printed_level_unreached", g.id, f"{_published(g)} {level}, but the cited evidence derives only "
                f"{', '.join(g.readings.levels) if g.readings else g.derived_level} under any reading"))
    for rank, e in enumerate(worklist(gradings, names), 1):
        found["appraise_first"].append(Finding("appraise_first", e.subject, e.describe()[len(e.subject) + 2:],
                                               {"rank": rank, "reference": e.reference, "decides": list(e.decides),
                                                "settles": list(e.settles)}))
    return [f for kind in KINDS for f in found[kind]]


def audit(guideline: Guideline, gradings: list[Grading] | None = None) -> list[Finding]:
    """Every finding for a guideline, graded by its scheme, grouped by kind in the order of KINDS."""
    gradings = gradings if gradings is not None else reproduce(guideline)
    found = verdict_findings(gradings, guideline.reference_name)
    with_rows = set(guideline.evidence["recommendation_id"])
    found += [Finding("no_evidence", rid, KINDS["no_evidence"])
              for rid in guideline.recommendations["id"] if rid not in with_rows]
    cited: dict[int, list[str]] = {}
    for rid, ref in zip(guideline.evidence["recommendation_id"], guideline.evidence["reference"]):
        number = guideline.number_of(ref) if ref else None
        if number is not None:
            cited.setdefault(number, []).append(rid)
    for status in ("unresolved", "likely"):
        for n in sorted(cited):
            if guideline.reference_status(n) == status:
                recs = ", ".join(dict.fromkeys(cited[n]))
                found.append(Finding(f"{status}_reference", f"ref {n}", f"cited by {recs}"))
    numbering = guideline.numbering or guideline.bibliography.numbering()
    found += [Finding("uncited_reference", f"ref {n}", f"{key} ({guideline.reference_status(n) or 'ordinary'})")
              for n, key in numbering.items() if n not in cited]
    found += [Finding(*f) for f in working_group_findings(guideline)]
    from .appraisals import settled_findings  # here: only a guideline with saved appraisals needs it
    found += [Finding("settled_by_appraisal", *f) for f in settled_findings(guideline, gradings)]
    rank = {k: i for i, k in enumerate(KINDS)}  # settled verdicts sit after the worklist; the rest keep their order
    return sorted(found, key=lambda f: rank.get(f.kind, len(rank)))
