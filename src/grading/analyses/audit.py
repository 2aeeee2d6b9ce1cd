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
from .agreement import VOTE_KINDS, agreements, working_group_findings
from .worklist import worklist

KINDS = {
    "unjustified_deviation": "under every reading of the unstated appraisal, the strength differs from its evidence "
                             "and no justification is recorded",
    "justified_deviation": "under every reading, the strength differs from its evidence; the guideline records why",
    "depends_on_appraisal": "the verdict depends on appraisal the text does not state: some readings carry the "
                            "published strength and some do not",
    "depends_on_choice": "the verdict is the same under every reading of the unstated appraisal, but a contested "
                         "choice of the scheme (CONTESTED-CHOICES), turned the other way, changes it",
    "discordant": "a strong recommendation on low or very low certainty that names none of the five situations GRADE "
                  "allows it in (certainty model)",
    "certainty_mismatch": "an outcome whose printed certainty differs from the one its domain judgements give, under "
                          "every reading of the domains the source leaves unjudged (certainty model)",
    "no_critical_outcome": "a recommendation none of whose outcomes is marked critical (certainty model)",
    "strong_without_rationale": "a strong recommendation with no stated rationale (certainty model)",
    "printed_level_unreached": "a published level (printed, or named in words) that no reading of the cited "
                               "evidence derives",
    "appraise_first": "the appraisal worklist: references whose unstated appraisal can change the most verdicts, "
                      "ranked",
    "settled_by_appraisal": "a verdict that depended on appraisal and is certain once the group's appraisals "
                            "(evidence/appraisals/) are applied, with the appraisals that settled it",
    "no_evidence": "recommendation has no evidence rows",
    "unresolved_reference": "cited reference whose identity is unresolved",
    "likely_reference": "cited reference identified only as likely",
    "uncited_reference": "reference in the .bib that no evidence row (or outcome) cites",
    **VOTE_KINDS,  # the working group's votes and the texts' strength wording (analyses/agreement.py)
    "etd_direction": "an Evidence-to-Decision conclusion whose direction its judgements point against (ETD-DIRECTION)",
    "etd_strong_unknown": "a strong conclusion with Evidence-to-Decision criteria judged as unknown "
                          "(ETD-STRONG-UNKNOWN)",
    "etd_strength_not_carried": "an Evidence-to-Decision conclusion whose strength the votes on it do not carry "
                                "(ETD-VOTES-CARRY)",
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


def _certainty_findings(g: Grading, found: dict[str, list[Finding]]) -> None:
    """What a reviewer must look at in a recommendation graded by a certainty model (GRADE)."""
    p = g.profile
    assert p is not None
    if p.discordant:
        found["discordant"].append(Finding("discordant", g.id, f"{g.published} on {p.used} certainty ({p.used_from}); "
                                           "names no paradigm", {"certainty": p.used, "paradigm": None}))
    elif len(p.verdicts) > 1:
        found["depends_on_appraisal"].append(Finding(
            "depends_on_appraisal", g.id, f"{g.published} on derived certainty {p.overall_range[0]} to "
            f"{p.overall_range[1]}: discordant under some readings; judge {', '.join(p.to_appraise)}",
            {"verdicts": list(p.verdicts), "to_appraise": list(p.to_appraise)}))
    for o in p.outcomes:
        if o.differs:
            moved = [f"{d.replace('_', ' ')} {j.replace('_', ' ')}" for d, j in o.row.domains.items()
                     if j not in ("not_serious", "no", "unclear")]
            found["certainty_mismatch"].append(Finding(
                "certainty_mismatch", g.id, f"{o.row.outcome}: printed {o.row.published_certainty}, the domain "
                f"judgements give {' to '.join(dict.fromkeys((o.highest, o.lowest)))} (starting at "
                f"{o.row.design}; {', '.join(moved) or 'no domain rated down or up'})",
                {"outcome": o.row.outcome, "printed": o.row.published_certainty, "derived": o.certainty.value}))
    if p.outcomes and not any(o.row.importance == "critical" for o in p.outcomes):
        found["no_critical_outcome"].append(Finding("no_critical_outcome", g.id, KINDS["no_critical_outcome"]))
    if g.published_strength == "strong" and not g.justification.strip():
        found["strong_without_rationale"].append(Finding("strong_without_rationale", g.id,
                                                         KINDS["strong_without_rationale"]))


def _published(g: Grading) -> str:
    """How a level was published: printed, or named in words (LEVEL-IN-WORDS)."""
    return "named in words" if g.level_source == "in_words" else "printed"


def verdict_findings(gradings: list[Grading], names: Callable[[int], str] | None = None) -> list[Finding]:
    """The verdicts a reviewer must look at, grouped in the order of KINDS, then the appraisal worklist."""
    found: dict[str, list[Finding]] = {k: [] for k in KINDS}
    for g in gradings:
        if g.profile is not None:
            _certainty_findings(g, found)
            continue
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
    with_rows = set(guideline.evidence["recommendation_id"]) | {o.recommendation_id for o in guideline.outcome_rows}
    found += [Finding("no_evidence", rid, KINDS["no_evidence"])
              for rid in guideline.recommendations["id"] if rid not in with_rows]
    cited: dict[int, list[str]] = {}
    for rid, ref in zip(guideline.evidence["recommendation_id"], guideline.evidence["reference"]):
        number = guideline.number_of(ref) if ref else None
        if number is not None:
            cited.setdefault(number, []).append(rid)
    for o in guideline.outcome_rows:  # a certainty model's outcomes cite their studies
        for number in (guideline.number_of(k) for k in o.studies):
            if number is not None:
                cited.setdefault(number, []).append(o.recommendation_id)
    for status in ("unresolved", "likely"):
        for n in sorted(cited):
            if guideline.reference_status(n) == status:
                recs = ", ".join(dict.fromkeys(cited[n]))
                found.append(Finding(f"{status}_reference", f"ref {n}", f"cited by {recs}"))
    numbering = guideline.numbering or guideline.bibliography.numbering()
    found += [Finding("uncited_reference", f"ref {n}", f"{key} ({guideline.reference_status(n) or 'ordinary'})")
              for n, key in numbering.items() if n not in cited]
    voted = agreements(guideline)  # tallied once, for the votes' findings and the EtD's
    found += [Finding(*f) for f in working_group_findings(guideline, found=voted)]
    from .etd import etd_findings
    found += [Finding(f.kind, f.subject, f.detail) for f in etd_findings(guideline, found=voted)]
    from .appraisals import settled_findings  # here: only a guideline with saved appraisals needs it
    found += [Finding("settled_by_appraisal", *f) for f in settled_findings(guideline, gradings)]
    rank = {k: i for i, k in enumerate(KINDS)}  # settled verdicts sit after the worklist; the rest keep their order
    return sorted(found, key=lambda f: rank.get(f.kind, len(rank)))
