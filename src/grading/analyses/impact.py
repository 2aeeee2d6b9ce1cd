"""A new study's impact: which recommendations its appraisal rows would move, before and after, with the rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem, raise_if_errors
from ..grade import Grading, Recommendation, Study, grade
from ..io.bib import Bibliography, load_bibliography
from ..io.guideline import Guideline
from ..io.manifest import Manifest
from ..io.tables import NEUTRAL, Column, check_columns, evidence_spec, read_table, recommendations_spec
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
    """A study not yet in the guideline: its bibliography entry and its appraisal rows."""

    key: str
    bibliography: Bibliography
    appraisal: pd.DataFrame


@dataclass(frozen=True)
class Impact:
    """One recommendation whose derived grading the new study would change."""

    recommendation_id: str
    before: Grading
    after: Grading

    def describe(self) -> str:
        """'7.1.1-10: level * -> **, strength weak -> moderate, verdict ... (rule)'."""
        b, a = self.before, self.after
        parts = [f"level {b.derived_level} -> {a.derived_level}"] if b.derived_level != a.derived_level else []
        if b.derived_strength != a.derived_strength:
            parts.append(f"strength {b.derived_strength} -> {a.derived_strength}")
        if b.comparison.verdict != a.comparison.verdict:
            parts.append(f"verdict {b.comparison.verdict} -> {a.comparison.verdict}")
        return f"{self.recommendation_id}: " + ", ".join(parts) + f" ({a.level.rule}: {a.level.because})"


def load_new_study(folder: Path | str, guideline: Guideline | None = None) -> NewStudy:
    """Read a new-study folder (study.bib with one entry, appraisal.csv), its values checked against the guideline's
    vocabularies when one is given; raise ValidationError on bad input."""
    folder = Path(folder)
    problems: list[Problem] = []
    for name in ("study.bib", "appraisal.csv"):
        if not (folder / name).is_file():
            problems.append(Problem(f"{folder}/{name}", "is missing", allowed="a new-study folder holding "
                                    "study.bib (one entry) and appraisal.csv"))
    raise_if_errors(problems)
    bib, found = load_bibliography(folder / "study.bib", "study.bib")
    problems += found
    if bib is not None and len(bib.keys) != 1:
        problems.append(Problem("study.bib", "must hold exactly one entry", found=str(len(bib.keys)),
                                allowed="1"))
    frame, found = read_table(folder / "appraisal.csv", "appraisal.csv")
    problems += found
    if frame is not None:
        spec = appraisal_columns(guideline.manifest, guideline.scheme) if guideline is not None else APPRAISAL_COLUMNS
        problems += check_columns(frame, spec, "appraisal.csv")
    raise_if_errors(problems)
    assert bib is not None and frame is not None  # else a problem was raised above
    return NewStudy(bib.keys[0], bib, frame)


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


def matched(guideline: Guideline, study: NewStudy) -> list[str]:
    """Ids of the recommendations the study's appraisal rows apply to, moved or not."""
    rows = study.appraisal.to_dict("records")
    return [rec.id for rec in guideline.records if any(_matches(rec, r) for r in rows)]
