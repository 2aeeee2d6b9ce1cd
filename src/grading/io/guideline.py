"""A whole guideline — bibliography and evidence tables — loaded and cross-checked as one object."""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem, UnknownValueError, raise_if_errors
from ..grade.records import Recommendation, Study
from ..scheme import DEFAULT, Scheme, check_grades_strengths, load_scheme
from .bib import NUMBER_FIELD, Bibliography
from .cache import load_bibliography_cached
from .panel import panel_problems
from .tables import duplicate_problems, read_table, table_spec

REQUIRED_FILES = ("references.bib", "evidence/recommendations.csv", "evidence/evidence.csv")
OPTIONAL_FILES = ("evidence/glossary.csv", "evidence/flags.csv", "evidence/panel.csv")


@dataclass(frozen=True)
class Guideline:
    """Recommendations, their evidence rows, the bibliography, glossary and flags of one guideline, and the one
    scheme that grades it."""

    root: Path
    recommendations: pd.DataFrame
    evidence: pd.DataFrame
    bibliography: Bibliography
    glossary: pd.DataFrame
    flags: pd.DataFrame
    scheme: Scheme
    notices: tuple[Problem, ...] = ()

    @functools.cached_property
    def records(self) -> tuple[Recommendation, ...]:
        """Every recommendation as a typed record, in table order."""
        columns = list(self.recommendations.columns)
        return tuple(Recommendation.from_row(dict(zip(columns, row)))
                     for row in self.recommendations.itertuples(index=False, name=None))

    @functools.cached_property
    def _by_id(self) -> dict[str, Recommendation]:
        return {r.id: r for r in self.records}

    def recommendation(self, rec_id: str) -> Recommendation:
        """One recommendation by id."""
        try:
            return self._by_id[rec_id]
        except KeyError:
            raise UnknownValueError("recommendation", rec_id, list(self._by_id)[:5] + ["…"]) from None

    def with_scheme(self, scheme: Scheme) -> Guideline:
        """The same guideline graded by another scheme object (a modified copy, say)."""
        return dataclasses.replace(self, scheme=scheme)

    @functools.cached_property
    def _studies_by_rec(self) -> dict[str, tuple[Study, ...]]:
        # One pass over whole columns, once: the Revise panel and fragility look rows up again and again.
        by_rec: dict[str, list[Study]] = {}
        for rid, study in zip(self.evidence["recommendation_id"], studies_from_rows(self.evidence)):
            by_rec.setdefault(rid, []).append(study)
        return {rid: tuple(rows) for rid, rows in by_rec.items()}

    def studies(self, rec_id: str) -> tuple[Study, ...]:
        """The appraised evidence rows behind one recommendation."""
        return self._studies_by_rec.get(rec_id, ())

    def cited(self, rec_id: str) -> tuple[int, ...]:
        """The reference numbers cited by one recommendation, in table order, each once."""
        refs = self.evidence.loc[self.evidence["recommendation_id"] == rec_id, "reference"]
        return tuple(dict.fromkeys(int(r) for r in refs if r))


def studies_from_rows(rows: pd.DataFrame):
    """Study records from evidence-table rows."""
    for design, quality, finding, ref, qtext in zip(rows["design"], rows["quality"], rows["finding"],
                                                   rows["reference"], rows["quality_text"]):
        yield Study(design, quality, finding, int(ref) if ref else None, qtext)


def bundled_root() -> Path:
    """The guideline folder used when none is given: $GRADING_ROOT, the repository around cwd, or the package's."""
    if os.environ.get("GRADING_ROOT"):
        return Path(os.environ["GRADING_ROOT"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "references.bib").is_file() and (folder / "evidence").is_dir():
                return folder
    return Path.cwd()


def load_guideline(root: Path | str | None = None, scheme: Scheme | str | Path | None = None) -> Guideline:
    """Load and validate a guideline folder, graded by `scheme` (default norway-2007); raise ValidationError."""
    root = Path(root) if root is not None else bundled_root()
    scheme = load_scheme(scheme if scheme is not None else DEFAULT)
    problems: list[Problem] = []
    if not root.is_dir():
        raise_if_errors([Problem(str(root), "is not a folder", allowed="a guideline folder holding "
                                 + ", ".join(REQUIRED_FILES))])
    for rel in REQUIRED_FILES:
        if not (root / rel).is_file():
            problems.append(Problem(rel, f"is missing from {root}", allowed="a guideline folder holding "
                                    + ", ".join(REQUIRED_FILES)))
    raise_if_errors(problems)
    bib, found = load_bibliography_cached(root / "references.bib", "references.bib")
    problems += found
    tables = {}
    for rel in REQUIRED_FILES[1:] + OPTIONAL_FILES:
        if (root / rel).is_file():
            frame, found = read_table(root / rel, rel, table_spec(Path(rel).name, scheme))
            problems += found
            tables[rel] = frame
    recs, ev = tables.get("evidence/recommendations.csv"), tables.get("evidence/evidence.csv")
    if recs is not None and "published_level" in recs.columns and not (scheme.ladder and scheme.strengths):
        # A scheme that cannot grade these strengths is the one problem to report, not every cell it cannot read.
        check_grades_strengths(scheme, recs["published_level"])
    problems += _cross_check(recs, ev, bib)
    problems += panel_problems(tables.get("evidence/panel.csv"), recs)  # the working group's panel (io/panel.py)
    raise_if_errors(problems)
    empty = pd.DataFrame()
    assert recs is not None and ev is not None and bib is not None  # else a problem was raised above
    return Guideline(root, recs.set_index("id", drop=False), ev, bib,
                     tables.get("evidence/glossary.csv", empty), tables.get("evidence/flags.csv", empty), scheme,
                     tuple(p for p in problems if p.severity == "notice"))


def _cross_check(recs: pd.DataFrame | None, ev: pd.DataFrame | None, bib: Bibliography | None) -> list[Problem]:
    problems: list[Problem] = []
    rname, ename = "evidence/recommendations.csv", "evidence/evidence.csv"
    if recs is not None and "id" in recs.columns:
        problems += duplicate_problems(recs, "id", rname)
    if ev is None or recs is None or "recommendation_id" not in ev.columns or "id" not in recs.columns:
        return problems
    ids = set(recs["id"])
    for rid, line, row in zip(ev["recommendation_id"], ev["_line"], ev["_row"]):
        if rid and rid not in ids:
            problems.append(Problem(ename, "evidence row for a recommendation that does not exist", line=line,
                                    row=row, column="recommendation_id", found=rid,
                                    allowed=f"an id from {rname}"))
    if bib is not None and "reference" in ev.columns:
        for ref, line, row in zip(ev["reference"], ev["_line"], ev["_row"]):
            if ref.isdigit() and int(ref) not in bib.by_number:
                problems.append(Problem(ename, "cited reference is absent from references.bib", line=line, row=row,
                                        column="reference", found=ref,
                                        allowed=f"a number carried by an entry's {NUMBER_FIELD} field"))
    return problems
