"""A new study's impact: which recommendations its appraisal rows would move, before and after, with the rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem, raise_if_errors
from ..grade import Grading, Recommendation, Study, grade
from ..io.bib import Bibliography
from ..io.guideline import Guideline
from ..io.manifest import Manifest
from ..io.tables import (
    NEUTRAL,
    Column,
    check_columns,
    evidence_spec,
    outcomes_spec,
    read_table,
    recommendations_spec,
)
from ..records import OutcomeRow
from ..scheme import Scheme


def appraisal_columns(manifest: Manifest = NEUTRAL, scheme: Scheme | None = None) -> tuple[Column, ...]:
    """appraisal.csv: the evidence.csv columns, with the recommendation chosen by topic (and optionally phase and
    diagnostic group, from the guideline's vocabularies) instead of by id, since a new study is appraised before
    anyone knows which rows it touches."""
    own = {c.name: c for c in recommendations_spec(scheme, manifest)} if scheme is not None else {}
    where = [Column(name, own[name].check, own[name].allowed) if name in own else Column(name)
             for name in ("phase", "diagnostic_group")]
    return (Column("topic", None, "a topic or English topic label from recommendations.csv", True), *where,
            *(c for c in evidence_spec(manifest) if c.name not in ("recommendation_id", "reference", "seed_lines")))


APPRAISAL_COLUMNS: tuple[Column, ...] = appraisal_columns()


@dataclass(frozen=True)
class NewStudy:
    """A study not yet in the guideline: its bibliography entry and its appraisal rows (levels model), or the
    outcome rows of the evidence profiles as they read with the study added (certainty model)."""

    key: str
    bibliography: Bibliography
    appraisal: pd.DataFrame
    outcomes: tuple[OutcomeRow, ...] = ()

    @property
    def rows(self) -> str:
        """'3 appraisal rows' or '2 outcome rows': what the study brings, as a sentence names it."""
        n, what = (len(self.outcomes), "outcome") if self.outcomes else (len(self.appraisal), "appraisal")
        return f"{n} {what} row{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Impact:
    """One recommendation whose derived grading the new study would change."""

    recommendation_id: str
    before: Grading
    after: Grading

    def describe(self) -> str:
        """'7.1.1-10: level * -> **, strength weak -> moderate, verdict ... (rule)'; a certainty model's grading
        names its certainty and discordance instead."""
        b, a = self.before, self.after
        what = "certainty" if a.profile is not None else "level"
        parts = [f"{what} {b.derived_level} -> {a.derived_level}"] if b.derived_level != a.derived_level else []
        if b.profile is not None and a.profile is not None and b.profile.discordant != a.profile.discordant:
            parts.append("becomes discordant" if a.profile.discordant else "no longer discordant")
        if b.derived_strength != a.derived_strength:
            parts.append(f"strength {b.derived_strength} -> {a.derived_strength}")
        if b.comparison.verdict != a.comparison.verdict:
            parts.append(f"verdict {b.comparison.verdict} -> {a.comparison.verdict}")
        return f"{self.recommendation_id}: " + ", ".join(parts) + f" ({a.level.rule}: {a.level.because})"


def load_new_study(folder: Path | str, guideline: Guideline | None = None) -> NewStudy:
    """Read a new-study folder (study.bib — or study.ris, .json, .nbib, .xml — with one entry, and appraisal.csv),
    its values checked against the guideline's vocabularies when one is given; raise ValidationError on bad input."""
    from ..io.references import load_references

    folder = Path(folder)
    problems: list[Problem] = []
    study = _study_file(folder)
    certainty = guideline is not None and guideline.scheme.certainty is not None
    rows = folder / ("outcomes.csv" if certainty else "appraisal.csv")
    for path in (study, rows):
        if not path.is_file():
            problems.append(Problem(f"{folder}/{path.name}", "is missing", allowed="a new-study folder holding "
                                    "study.bib (one entry; or study.ris, .json, .nbib, .xml) and "
                                    + ("outcomes.csv (the outcome rows as they read with the study added: the "
                                       "guideline is graded by certainty)" if certainty else "appraisal.csv")))
    raise_if_errors(problems)
    if certainty:
        assert guideline is not None
        return _new_outcomes(study, rows, guideline)
    bib, found = load_references(study, study.name)
    problems += found
    if bib is not None and len(bib.keys) != 1:
        problems.append(Problem(study.name, "must hold exactly one entry", found=str(len(bib.keys)),
                                allowed="1"))
    frame, found = read_table(folder / "appraisal.csv", "appraisal.csv")
    problems += found
    if frame is not None:
        spec = appraisal_columns(guideline.manifest, guideline.scheme) if guideline is not None else APPRAISAL_COLUMNS
        problems += check_columns(frame, spec, "appraisal.csv")
    raise_if_errors(problems)
    assert bib is not None and frame is not None  # else a problem was raised above
    return NewStudy(bib.keys[0], bib, frame)


def _new_outcomes(study: Path, rows: Path, guideline: Guideline) -> NewStudy:
    """A new study for a guideline graded by certainty: its entry and outcome rows, checked as outcomes.csv is."""
    from ..io.guideline import outcome_records
    from ..io.references import load_references

    bib, problems = load_references(study, study.name)
    if bib is not None and len(bib.keys) != 1:
        problems.append(Problem(study.name, "must hold exactly one entry", found=str(len(bib.keys)), allowed="1"))
    frame, found = read_table(rows, "outcomes.csv")
    problems += found
    if frame is not None:
        problems += check_columns(frame, outcomes_spec(guideline.scheme, guideline.manifest), "outcomes.csv")
        known = set(guideline.recommendations["id"])
        problems += [Problem("outcomes.csv", "the outcome is for a recommendation that does not exist", line=line,
                             row=row, column="recommendation_id", found=rid, allowed="an id in recommendations.csv")
                     for rid, line, row in zip(frame["recommendation_id"], frame["_line"], frame["_row"])
                     if rid not in known]
    raise_if_errors(problems)
    assert bib is not None and frame is not None  # else a problem was raised above
    return NewStudy(bib.keys[0], bib, pd.DataFrame(), outcome_records(frame, guideline.scheme))


def _study_file(folder: Path) -> Path:
    """The folder's study file: study.bib, else the first study.* in a registered reference format."""
    from ..io.references import suffix_known

    if (folder / "study.bib").is_file() or not folder.is_dir():
        return folder / "study.bib"
    found = sorted(p for p in folder.glob("study.*") if p.is_file() and suffix_known(p.name))
    return found[0] if found else folder / "study.bib"


def _matches(rec: Recommendation, row: dict) -> bool:
    topic = row["topic"].casefold()
    if topic not in (rec.topic.casefold(), rec.topic_en.casefold()):
        return False
    if row.get("phase") and row["phase"] not in rec.phases:
        return False
    return not row.get("diagnostic_group") or row["diagnostic_group"] == rec.diagnostic_group


def impact(guideline: Guideline, study: NewStudy, scheme: Scheme | None = None) -> list[Impact]:
    """Every recommendation whose derived level, strength or verdict the new study would change."""
    scheme = scheme or guideline.scheme
    if scheme.certainty is not None:
        return _certainty_impact(guideline, study, scheme)
    rows = study.appraisal.to_dict("records")
    out = []
    for rec in guideline.records:
        added = tuple(Study(r["design"], r["quality"], r["finding"], None, r.get("quality_text", ""))
                      for r in rows if _matches(rec, r))
        if not added:
            continue
        studies = guideline.studies(rec.id)
        before, after = grade(rec, studies, scheme), grade(rec, studies + added, scheme)
        if (before.derived_level, before.derived_strength, before.comparison.verdict) != \
                (after.derived_level, after.derived_strength, after.comparison.verdict):
            out.append(Impact(rec.id, before, after))
    return out


def with_outcomes(before: tuple[OutcomeRow, ...], new: list[OutcomeRow]) -> tuple[OutcomeRow, ...]:
    """A recommendation's outcomes with a new study's rows: a row for an outcome already there replaces it (GRADE
    rates the body of evidence, which the study joins), a row for another outcome is added."""
    by_name = {o.outcome.casefold(): o for o in new}
    kept = tuple(by_name.pop(o.outcome.casefold(), o) for o in before)
    return kept + tuple(by_name.values())


def _certainty_impact(guideline: Guideline, study: NewStudy, scheme: Scheme) -> list[Impact]:
    """Every recommendation whose derived certainty, discordance or verdict the new outcome rows would change."""
    out = []
    for rec in guideline.records:
        new = [o for o in study.outcomes if o.recommendation_id == rec.id]
        if not new:
            continue
        studies, before_rows = guideline.studies(rec.id), guideline.outcomes_of(rec.id)
        before = grade(rec, studies, scheme, outcomes=before_rows, number_of=guideline.number_of)
        after = grade(rec, studies, scheme, outcomes=with_outcomes(before_rows, new), number_of=guideline.number_of)
        if _moved(before) != _moved(after):
            out.append(Impact(rec.id, before, after))
    return out


def _moved(g: Grading) -> tuple:
    """What a new study can move in a certainty model's grading."""
    p = g.profile
    assert p is not None
    return p.overall.value, p.overall_range, p.discordant, g.comparison.verdict


def matched(guideline: Guideline, study: NewStudy) -> list[str]:
    """Ids of the recommendations the study's appraisal (or outcome) rows apply to, moved or not."""
    if study.outcomes:
        ids = {o.recommendation_id for o in study.outcomes}
        return [rec.id for rec in guideline.records if rec.id in ids]
    rows = study.appraisal.to_dict("records")
    return [rec.id for rec in guideline.records if any(_matches(rec, r) for r in rows)]


# --- a batch: a file of many records and one appraisal table keyed by record ----------------------------------

KEY_COLUMN = Column("key", None, "the key of a record in the batch file (RIS ID, CSL-JSON id, MEDLINE PMID, "
                    "EndNote rec-number, BibTeX key) or its citation number", True)


def batch_columns(guideline: Guideline | None = None) -> tuple[Column, ...]:
    """A batch's appraisal CSV: a `key` naming the record, then the columns of a new study's appraisal.csv."""
    spec = appraisal_columns(guideline.manifest, guideline.scheme) if guideline is not None else APPRAISAL_COLUMNS
    return (KEY_COLUMN, *spec)


@dataclass(frozen=True)
class Batch:
    """Many new studies: the records of one reference file and their appraisal rows, each row keyed by record."""

    path: Path
    bibliography: Bibliography
    appraisal: pd.DataFrame  # with `key` resolved to the record's own key

    def studies(self) -> list[NewStudy]:
        """One NewStudy per appraised record, in the file's order."""
        rows = self.appraisal.groupby("key", sort=False)
        keys = [k for k in self.bibliography.keys if k in rows.groups]
        return [NewStudy(k, self.bibliography, rows.get_group(k).reset_index(drop=True)) for k in keys]


@dataclass(frozen=True)
class BatchImpact:
    """One recommendation one record of a batch would move (key '' for the whole batch together)."""

    key: str
    impact: Impact


def load_batch(references: Path | str, appraisal: Path | str, guideline: Guideline | None = None) -> Batch:
    """Read a file of many records (any registered reference format) and an appraisal CSV keyed by record, the
    values checked against the guideline's vocabularies when one is given; raise ValidationError on bad input."""
    from ..io.references import load_references

    references, appraisal = Path(references), Path(appraisal)
    bib, problems = load_references(references, str(references), known_types=None)
    frame, found = read_table(appraisal, str(appraisal))
    problems += found
    if frame is not None:
        problems += check_columns(frame, batch_columns(guideline), str(appraisal))
    if bib is not None and frame is not None and "key" in frame.columns:
        keys = []
        for cell, line, row in zip(frame["key"], frame["_line"], frame["_row"]):
            key = bib.key_of(cell)
            if cell and key is None:
                shown = ", ".join(bib.keys[:5]) + (", …" if len(bib.keys) > 5 else "")
                problems.append(Problem(str(appraisal), f"names no record of {references.name}", line=line, row=row,
                                        column="key", found=cell, allowed=f"a record's key ({shown})"))
            keys.append(key or cell)
        frame["key"] = keys
    raise_if_errors(problems)
    assert bib is not None and frame is not None  # else a problem was raised above
    return Batch(references, bib, frame)


def batch_impact(guideline: Guideline, batch: Batch, scheme: Scheme | None = None) -> list[BatchImpact]:
    """Every recommendation each appraised record would move alone, then (key '') each the whole batch together
    would move otherwise than any one record alone; with progress shown for a long batch."""
    from ..progress import progress

    studies = batch.studies()
    out = [BatchImpact(s.key, i) for s in progress(studies, len(studies), "grading each new study")
           for i in impact(guideline, s, scheme)]
    if len(studies) > 1:
        alone = {_moved_to(m.impact) for m in out}
        together = NewStudy("", batch.bibliography, batch.appraisal)
        out += [BatchImpact("", i) for i in impact(guideline, together, scheme) if _moved_to(i) not in alone]
    return out


def _moved_to(i: Impact) -> tuple[str, str, str, str]:
    """Where an impact leaves a recommendation: its id and derived level, strength and verdict after."""
    return i.recommendation_id, i.after.derived_level, i.after.derived_strength, i.after.comparison.verdict
