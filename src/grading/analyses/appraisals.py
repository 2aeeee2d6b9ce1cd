"""The appraisal loop made visible: where each reference's appraisal stands (who appraised it, how far the members
agree, whether it counts yet), what it set in the evidence, and which verdicts that depended on appraisal became
certain once the group's appraisals were applied — and by which appraisals (`grading appraisals`, `grading
audit`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..grade import Grading, reproduce
from ..io.guideline import Guideline
from ..revisions.appraisals import (
    APPRAISALS_DIR,
    Applied,
    Appraisal,
    Standing,
    applied_appraisals,
    load_appraisals,
    standings,
    stated_designs,
)
from ..scheme.instruments import AppraisalRules, Instrument, all_instruments, load_appraisal_rules
from ..vocab import VERDICTS
from .worklist import Entry, worklist


@dataclass(frozen=True)
class Settled:
    """A verdict that depended on appraisal and is certain once the group's appraisals are applied."""

    recommendation_id: str
    verdict: str  # under every reading now
    before: tuple[str, ...]  # the verdicts the readings reached before
    by: tuple[Appraisal, ...]  # the counting appraisals of references whose appraisal could change it

    def describe(self, guideline: Guideline, instruments: Mapping[str, Instrument]) -> str:
        said = " or ".join(VERDICTS.get(v, v) for v in self.before)
        return (f"{VERDICTS.get(self.verdict, self.verdict)} under every reading once appraised (before: {said}); "
                f"settled by {'; '.join(_who(guideline, a, instruments) for a in self.by)}")


def subject_of(guideline: Guideline, key: str) -> str:
    """'ref 4' for a numbered entry, else its key."""
    number = guideline.number_of(key)
    return f"ref {number}" if number is not None else key


def instruments_for(guideline: Guideline, reference: str,
                    instruments: Mapping[str, Instrument] | None = None) -> list[Instrument]:
    """The instruments for the designs the evidence rows state for a reference (its number or key); every
    instrument where the rows state none."""
    instruments = instruments if instruments is not None else all_instruments()
    key = guideline.key_of(reference)
    stated = stated_designs(guideline, key) if key is not None else set()
    fitting = [i for i in instruments.values() if stated & set(i.designs)]
    return fitting or list(instruments.values())


def _who(guideline: Guideline, a: Appraisal, instruments: Mapping[str, Instrument]) -> str:
    """'ref 4 (AGREE II by Kari Nordmann on 2026-11-26: recommended for use)'."""
    ins = instruments.get(a.instrument)
    name = ins.title.split(":")[0] if ins else a.instrument
    overall = ins.label(a.overall) if ins else a.overall
    who = f"{a.member}, reconciled" if a.reconciled else a.member
    return f"{subject_of(guideline, a.reference)} ({name} by {who} on {a.date}: {overall})"


@dataclass(frozen=True)
class Loop:
    """Everything `grading appraisals` shows: the rules, each reference's standing, what the appraisals set, and
    the verdicts they settled."""

    rules: AppraisalRules
    standings: Mapping[str, Standing]
    applied: tuple[Applied, ...]
    settled: tuple[Settled, ...]
    appraised: Guideline  # the guideline with the counting appraisals applied
    next_up: tuple[Entry, ...] = ()  # the worklist of the appraised guideline: what to appraise next


def appraisal_loop(guideline: Guideline, gradings: list[Grading] | None = None,
                   appraisals: tuple[Appraisal, ...] | None = None,
                   instruments: Mapping[str, Instrument] | None = None) -> Loop:
    """The saved appraisals of a guideline (or `appraisals`), where each stands, and the verdicts they settle."""
    instruments = instruments if instruments is not None else all_instruments()
    appraisals = appraisals if appraisals is not None else load_appraisals(guideline, instruments)
    rules = load_appraisal_rules(guideline.scheme, instruments)
    where = standings(appraisals, rules, instruments)
    appraised, applied = applied_appraisals(guideline, appraisals, rules, instruments)
    if not applied:
        return Loop(rules, where, applied, (), appraised)
    before = gradings if gradings is not None else reproduce(guideline)
    graded = reproduce(appraised)
    after = {g.id: g for g in graded}
    counting = {a.appraisal.reference.lower(): a.appraisal for a in applied if a.rows}
    settled = []
    for g in before:
        now = after.get(g.id)
        if g.certainty == "certain" or now is None or now.certainty != "certain":
            continue
        keys = [guideline.reference_key(r) for r in g.to_appraise if isinstance(r, int)]
        by = tuple(counting[k.lower()] for k in dict.fromkeys(k for k in keys if k) if k.lower() in counting)
        if by:
            settled.append(Settled(g.id, now.comparison.verdict, tuple(g.verdicts), by))
    return Loop(rules, where, applied, tuple(settled), appraised, tuple(worklist(graded, guideline.reference_name)))


def settled_findings(guideline: Guideline, gradings: list[Grading]) -> list[tuple[str, str, dict]]:
    """(subject, detail, extra) of every verdict an appraisal settled, for `grading audit`; [] without appraisals."""
    if not (guideline.root / APPRAISALS_DIR).is_dir():
        return []
    instruments = all_instruments()
    loop = appraisal_loop(guideline, gradings, instruments=instruments)
    return [(s.recommendation_id, s.describe(guideline, instruments),
             {"verdict": s.verdict, "before": list(s.before),
              "appraisals": [str(a.path.relative_to(guideline.root)) if a.path else a.file() for a in s.by]})
            for s in loop.settled]
