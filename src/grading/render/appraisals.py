"""The group's appraisals as text and JSON: who appraised what, their agreement, what counts, the verdicts settled
and what to appraise next (what `grading appraisals` prints); and the table of them the site and the report show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..analyses.appraisals import Loop, subject_of
from ..io.guideline import Guideline
from ..results import GradedGuideline
from ..revisions.appraisals import APPRAISALS_DIR, Appraisal
from ..scheme.instruments import Instrument, all_instruments
from .text import plural


def loop_json(guideline: Guideline, loop: Loop, instruments: Mapping[str, Instrument] | None = None) -> dict:
    """The loop as `grading appraisals --format json` gives it."""
    instruments = instruments if instruments is not None else all_instruments()
    applied = {a.appraisal.reference: a for a in loop.applied}

    def one(a: Appraisal) -> dict:
        return {**a.as_json(), "file": str(a.path.relative_to(guideline.root)) if a.path else None,
                "label": a.label(instruments.get(a.instrument))}

    refs = []
    for key, s in loop.standings.items():
        done = applied.get(key)
        refs.append({
            "reference": key, "number": guideline.number_of(key), "counts": one(s.counts) if s.counts else None,
            "why": s.why, "quality": done.quality if done else None,
            "rows_set": [rid for rid, _ in done.rows] if done else [],
            "rows_stated_differently": [{"recommendation_id": r, "stated": q, "quality_text": t}
                                        for r, q, t in done.differs] if done else [],
            "agreements": [{"first": g.first, "second": g.second, "instrument": g.instrument, "items": g.items,
                            "observed": g.observed, "kappa": g.kappa, "overall": list(g.overall),
                            "disagreements": [{"domain": d, "first": x, "second": y} for d, x, y in g.disagreements]}
                           for g in s.agreements],
            "appraisals": [one(a) for a in s.appraisals]})
    return {"format": "grading-appraisals/1", "rules": loop.rules.describe(),
            "says": {name: r.says for name, r in loop.rules.rules.items()},
            "references": refs,
            "settled": [{"recommendation_id": s.recommendation_id, "verdict": s.verdict, "before": list(s.before),
                         "by": [a.reference for a in s.by], "detail": s.describe(guideline, instruments)}
                        for s in loop.settled],
            "appraise_next": [{"rank": i, "reference": e.subject, "decides": list(e.decides),
                               "settles": list(e.settles)} for i, e in enumerate(loop.next_up, 1)]}


def loop_text(guideline: Guideline, loop: Loop, instruments: Mapping[str, Instrument] | None = None) -> str:
    """The loop as `grading appraisals` prints it."""
    instruments = instruments if instruments is not None else all_instruments()
    applied = {a.appraisal.reference: a for a in loop.applied}
    out = [f"Appraisals by the working group ({APPRAISALS_DIR}/), counted by {loop.rules.describe()}."]
    if not loop.standings:
        out.append("No appraisal is saved yet: `grading appraise REFERENCE --instrument NAME --member NAME "
                   "--overall JUDGEMENT` saves one; `grading audit` ranks what to appraise first.")
    for key, s in loop.standings.items():
        head = f"{subject_of(guideline, key)} ({key}): "
        if s.counts is None:
            out.append(head + f"does not count yet — {s.why}")
        else:
            done = applied.get(key)
            out.append(head + f"{s.counts.label(instruments.get(s.counts.instrument))} — counts: {s.why}")
            if done is not None:
                out.append(f"  quality {done.quality} (APPRAISAL-MAPS-QUALITY) on {plural(len(done.rows), 'row')} "
                           f"({', '.join(dict.fromkeys(r for r, _ in done.rows)) or 'none'}); "
                           f"{plural(len(done.kept), 'row')} keep the quality the text states")
                out += [f"  {rid}: the text states {q} ({t or 'no words'}); the group's appraisal maps to "
                        f"{done.quality}" for rid, q, t in done.differs]
        out += [f"  agreement: {g.describe()}" for g in s.agreements]
        out += [f"  {a.date} {a.member}{' (reconciled)' if a.reconciled else ''}: {a.instrument} {a.overall}"
                + (f" — {', '.join(f'{k}={v}' for k, v in a.domains.items())}" if a.domains else "")
                + (f" — {a.rationale}" if a.rationale else "") for a in s.appraisals]
    if loop.settled:
        out.append("Verdicts the appraisals settled (certain now, depending on appraisal before):")
        out += [f"  {s.recommendation_id}: {s.describe(guideline, instruments)}" for s in loop.settled]
    if loop.next_up:
        out.append("Appraise next (the worklist with these appraisals applied):")
        out += [f"  {i}. {e.describe()}" for i, e in enumerate(loop.next_up[:5], 1)]
    return "\n".join(out)


NO_APPRAISALS = ("No appraisal by the working group is saved for this guideline: every quality shown is what the "
                 "text states.")
TABLE_HEADINGS = ("Reference", "Member", "Instrument", "Overall judgement", "Date", "Counts", "Domains",
                  "Rationale")


@dataclass(frozen=True)
class AppraisalRow:
    """One saved appraisal as the site's and the report's table show it."""

    number: int | None  # the reference's number in the list, for a link
    reference: str  # 'ref 4'
    member: str
    instrument: str  # 'AGREE II'
    overall: str  # the judgement in words
    date: str
    counts: str  # 'yes: ...', 'not yet: ...', 'no: ...' (APPRAISAL-RECONCILED)
    domains: str
    rationale: str

    def cells(self) -> tuple[str, ...]:
        """The row's cells, in the order of TABLE_HEADINGS."""
        return (self.reference, self.member, self.instrument, self.overall, self.date, self.counts, self.domains,
                self.rationale)


def appraisal_rows(result: GradedGuideline) -> list[AppraisalRow]:
    """Every saved appraisal, reference by reference, oldest first: who, with what, what they found, whether it
    counts."""
    out = []
    for key, s in result.appraisal_standings.items():
        for a in s.appraisals:
            ins = result.instruments.get(a.instrument)
            name = ins.title.split(":")[0] if ins else a.instrument
            domains = ", ".join(f"{k} {ins.label(v) if ins else v}" for k, v in a.domains.items())
            out.append(AppraisalRow(result.published.number_of(key), subject_of(result.published, key),
                                    a.member + (" (reconciled)" if a.reconciled else ""), name,
                                    ins.label(a.overall) if ins else a.overall, a.date, s.counts_for(a), domains,
                                    a.rationale))
    return out


def agreement_lines(result: GradedGuideline) -> list[tuple[int | None, str, str]]:
    """(number, 'ref 129', 'Kari and Ola (rob-2): kappa 0.44 over 5 domains ...') of every two members' agreement."""
    return [(result.published.number_of(key), subject_of(result.published, key), a.describe())
            for key, a in result.appraisal_agreements]


def appraisals_intro(result: GradedGuideline) -> str:
    """What the section shows, how appraisals count, and whether this edition applies them."""
    n, counting = len(result.appraisals), len(result.counting)
    applied = ("This edition is graded with them applied" if result.appraised else
               "This edition is graded by the quality the text states (grading reproduce, site and export apply "
               "the appraisals with --appraised)")
    return (f"{plural(n, 'appraisal')} saved by the working group ({APPRAISALS_DIR}/), {counting} of them "
            f"counting, by {result.appraisal_rules.describe()}. {applied}: an evidence row whose quality an "
            "appraisal sets reads 'appraised by the group (member, date, instrument)', never as what the text "
            "stated.")
