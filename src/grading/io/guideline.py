"""A whole guideline — manifest, bibliography and evidence tables — loaded and cross-checked as one object."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Problem, UnknownValueError, raise_if_errors
from ..records import EvidenceRow, OutcomeRow, Recommendation, Study
from ..scheme import Scheme, check_grades_strengths, guideline_scheme
from .bib import NUMBER_FIELD, WHOLE_NUMBER, Bibliography
from .files import read_bytes
from .latex import plain
from .manifest import MANIFEST, Manifest, load_manifest, scheme_problems, style_file_of
from .panel import panel_problems
from .references import load_references
from .tables import (
    counted_rows,
    duplicate_problems,
    folded_duplicate_problems,
    read_table,
    recommendation_problems,
    repeated_reference_problems,
    table_spec,
)

REQUIRED_FILES = ("references.bib", "evidence/recommendations.csv", "evidence/evidence.csv")  # the list: its manifest's
OPTIONAL_FILES = ("evidence/glossary.csv", "evidence/flags.csv", "evidence/panel.csv", "evidence/outcomes.csv")
HOW_TO_START = ("make one to fill in with `grading new FOLDER`, or get the guideline bundled "
                "with the package with `grading new FOLDER --example`; then run inside FOLDER, pass --root FOLDER, "
                "or set GRADING_ROOT=FOLDER")


@dataclass(frozen=True)
class Guideline:
    """Recommendations, their evidence rows, the bibliography, glossary and flags of one guideline, its manifest,
    and the one scheme that grades it."""

    root: Path
    recommendations: pd.DataFrame
    evidence: pd.DataFrame
    bibliography: Bibliography
    glossary: pd.DataFrame
    flags: pd.DataFrame
    scheme: Scheme
    notices: tuple[Problem, ...] = ()  # the warnings and notices found while loading
    manifest: Manifest = field(default_factory=Manifest)
    # Number -> key of every entry: its refnumber, else in order of first citation in the published evidence.
    # Fixed at load, so a revision that cites another entry never renumbers the list.
    numbering: Mapping[int, str] = field(default_factory=dict)
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)  # evidence/outcomes.csv: GRADE evidence profiles

    @functools.cached_property
    def outcome_rows(self) -> tuple[OutcomeRow, ...]:
        """Every row of outcomes.csv as a typed record, in table order (a certainty model's evidence profiles)."""
        return outcome_records(self.outcomes, self.scheme)

    @functools.cached_property
    def _outcomes_by_rec(self) -> dict[str, tuple[OutcomeRow, ...]]:
        by_rec: dict[str, list[OutcomeRow]] = {}
        for row in self.outcome_rows:
            by_rec.setdefault(row.recommendation_id, []).append(row)
        return {rid: tuple(rows) for rid, rows in by_rec.items()}

    def outcomes_of(self, rec_id: str) -> tuple[OutcomeRow, ...]:
        """One recommendation's outcomes with their bodies of evidence (certainty model), in table order."""
        return self._outcomes_by_rec.get(rec_id, ())

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
        # One pass over whole columns, once: the Revise panel and fragility look rows up again and again. A
        # reference cited twice for one recommendation is one study: its first row counts (once_per_reference);
        # a row on a whole section's basis is not counted at all (counted_rows).
        rows = counted_rows(self.evidence, self.key_of)
        by_rec: dict[str, list[Study]] = {}
        for rid, study in zip(rows["recommendation_id"], studies_from_rows(rows, self.number_of)):
            by_rec.setdefault(rid, []).append(study)
        return {rid: tuple(rows) for rid, rows in by_rec.items()}

    def studies(self, rec_id: str) -> tuple[Study, ...]:
        """The appraised evidence rows behind one recommendation."""
        return self._studies_by_rec.get(rec_id, ())

    @functools.cached_property
    def _number_of_key(self) -> dict[str, int]:
        numbering = self.numbering or self.bibliography.numbering()
        return {key.lower(): n for n, key in numbering.items()}

    def key_of(self, reference: str) -> str | None:
        """The key of the entry an evidence row's reference cell names (a refnumber or a key), or None."""
        return self.bibliography.key_of(reference)

    def number_of(self, reference: str) -> int | None:
        """The number the reference list shows for an evidence row's reference cell, or None."""
        key = self.key_of(reference)
        return None if key is None else self._number_of_key.get(key.lower())

    @functools.cached_property
    def evidence_rows(self) -> tuple[EvidenceRow, ...]:
        """Every evidence row as a typed record, its reference resolved (key and number), in table order: what
        every output reads of the evidence (the one resolver of citations)."""
        ev = self.evidence
        if ev.empty:
            return ()
        column = lambda name: ev[name] if name in ev.columns else [""] * len(ev)  # noqa: E731
        out = []
        for rid, ref, design, quality, finding, qtext, effect, outcomes, docs, seed, line, scope in zip(
                ev["recommendation_id"], ev["reference"], ev["design"], ev["quality"], ev["finding"],
                column("quality_text"), column("effect_size"), column("outcomes"), column("documentation"),
                column("seed_lines"), column("_line"), column("scope")):
            ref = _cell(ref)
            key = self.key_of(ref) if ref else None
            out.append(EvidenceRow(_cell(rid), ref, key, self.number_of(ref) if key is not None else None,
                                   _cell(design), _cell(quality), _cell(finding), _cell(qtext), _cell(effect),
                                   tuple(p.strip() for p in _cell(outcomes).split(";") if p.strip()), _cell(docs),
                                   _cell(seed), int(line) if str(line).isdigit() else None, _cell(scope)))
        return tuple(out)

    @functools.cached_property
    def _rows_by_rec(self) -> dict[str, tuple[EvidenceRow, ...]]:
        by_rec: dict[str, list[EvidenceRow]] = {}
        for row in self.evidence_rows:
            by_rec.setdefault(row.recommendation_id, []).append(row)
        return {rid: tuple(rows) for rid, rows in by_rec.items()}

    def rows(self, rec_id: str) -> tuple[EvidenceRow, ...]:
        """The evidence rows of one recommendation, typed, in table order."""
        return self._rows_by_rec.get(rec_id, ())

    def cited(self, rec_id: str) -> tuple[int, ...]:
        """The reference numbers one recommendation's evidence cites, in table order, each once: the rows graded
        for it, not a row that speaks of a whole section's basis (scope 'section', shown beside them), then the
        studies of its outcomes (certainty model)."""
        rows = (r.number for r in self.rows(rec_id) if r.number is not None and not r.scope)
        outcomes = (self.number_of(k) for o in self.outcomes_of(rec_id) for k in o.studies)
        return tuple(dict.fromkeys(n for n in (*rows, *outcomes) if n is not None))

    @functools.cached_property
    def citing(self) -> Mapping[int, tuple[str, ...]]:
        """Reference number -> the recommendations whose graded evidence rows cite it, in table order."""
        out: dict[int, dict[str, None]] = {}
        for r in self.evidence_rows:
            if r.number is not None and not r.scope:
                out.setdefault(r.number, {})[r.recommendation_id] = None
        for o in self.outcome_rows:
            for n in (self.number_of(k) for k in o.studies):
                if n is not None:
                    out.setdefault(n, {})[o.recommendation_id] = None
        order = {rid: i for i, rid in enumerate(self.recommendations["id"])}
        return {n: tuple(sorted(ids, key=lambda rid: order.get(rid, len(order)))) for n, ids in out.items()}

    def reference_key(self, number: int) -> str | None:
        """The key of the entry shown as `number`, or None."""
        return (self.numbering or self.bibliography.numbering()).get(number)

    def reference_status(self, number: int) -> str:
        """The identification of the entry shown as `number`: verified, likely, unresolved, '' (an ordinary
        reference) or 'missing'."""
        key = self.reference_key(number)
        return "missing" if key is None else self.bibliography.status_of(key)

    def reference_name(self, number: int, width: int = 70) -> str:
        """A reference as a reader knows it: 'ref 4 (Airaksinen 2006: Chapter 4. European guidelines for the …)' —
        never the number alone; the number with the status where the list lacks the entry."""
        key = self.reference_key(number)
        if key is None:
            return f"ref {number} (not in the reference list)"
        bib = self.bibliography
        people = bib.people(key)
        first = next(iter(people.get("author") or people.get("editor") or []), "")
        family = plain(first.split(",")[0] if "," in first else (first.split() or [""])[-1])
        year = plain(bib.field_of(key, "year") or bib.field_of(key, "date")[:4])
        title = plain(bib.field_of(key, "title"))
        if len(title) > width:
            title = title[:width - 1].rsplit(" ", 1)[0] + " …"
        who = " ".join(x for x in (family + (" et al." if len(people.get("author", [])) > 1 else ""), year) if x)
        named = ": ".join(x for x in (who, title) if x)
        return f"ref {number} ({named})" if named else f"ref {number} ({key})"

    @property
    def numbered_by(self) -> str:
        """How the reference list is numbered: 'refnumber', 'first citation', or 'refnumber, then first citation'."""
        return self.bibliography.numbered_by()


def outcome_records(frame: pd.DataFrame, scheme: Scheme) -> tuple[OutcomeRow, ...]:
    """The rows of an outcomes.csv table as typed records, in table order, with the scheme's domains."""
    if frame.empty:
        return ()
    c = scheme.certainty
    domains = (*c.domains_down, *c.domains_up) if c else ()
    out = []
    for row in frame.to_dict("records"):
        cell = functools.partial(_row_cell, row)
        line = row.get("_line")
        out.append(OutcomeRow(
            cell("recommendation_id"), cell("outcome"), cell("importance") or "unclear", cell("comparison"),
            cell("design"), tuple(p.strip() for p in cell("studies").split(";") if p.strip()), cell("n_studies"),
            cell("participants"), {d: cell(d) or "unclear" for d in domains},
            cell("effect_direction") or "unclear", cell("relative_effect"), cell("absolute_effect"),
            cell("narrative"), cell("published_certainty"), cell("footnotes"), cell("source"),
            int(line) if str(line).isdigit() else None))
    return tuple(out)


def _row_cell(row: Mapping[str, object], key: str) -> str:
    """One cell of a table row as text: '' for a missing one."""
    return _cell(row.get(key))


def _cell(value: object) -> str:
    """A table cell as text: '' for a missing one."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _as_number(reference: str) -> int | None:
    return int(reference) if WHOLE_NUMBER.match(reference) else None


def studies_from_rows(rows: pd.DataFrame, number_of: Callable[[str], int | None] = _as_number) -> Iterator[Study]:
    """Study records from evidence-table rows, each reference cell turned into its number by `number_of`."""
    for design, quality, finding, ref, qtext in zip(rows["design"], rows["quality"], rows["finding"],
                                                   rows["reference"], rows["quality_text"]):
        yield Study(design, quality, finding, number_of(ref) if ref else None, qtext)


def is_guideline_folder(folder: Path) -> bool:
    """True for a folder holding a guideline: a guideline.toml, or references.bib beside evidence/."""
    return (folder / MANIFEST).is_file() or ((folder / "references.bib").is_file() and (folder / "evidence").is_dir())


def bundled_root() -> Path | None:
    """The guideline folder used when none is given: $GRADING_ROOT, else the guideline folder around the current
    folder, else the repository this package runs from, else the copy of the bundled guideline an installed package
    carries (read-only: io.files refuses to write into it); None when there is none."""
    if os.environ.get("GRADING_ROOT"):
        return Path(os.environ["GRADING_ROOT"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if is_guideline_folder(folder):
                return folder
    from .scaffold import PACKAGED
    return PACKAGED if is_guideline_folder(PACKAGED) else None


def load_guideline(root: Path | str | None = None, scheme: Scheme | str | Path | None = None) -> Guideline:
    """Load and validate a guideline folder, graded by `scheme`, else by the scheme its manifest names, else by
    the default (norway-2007); raise ValidationError naming every problem."""
    found_root = Path(root) if root is not None else bundled_root()
    if found_root is None:
        raise_if_errors([Problem(str(Path.cwd()), "no guideline folder here or in any folder above (one holding "
                                 f"{MANIFEST}, or references.bib beside evidence/)",
                                 allowed="a guideline folder: " + HOW_TO_START)])
    assert found_root is not None
    root = found_root
    problems: list[Problem] = []
    if not root.is_dir():
        raise_if_errors([Problem(str(root), "is not a folder", allowed="a guideline folder holding "
                                 + ", ".join(REQUIRED_FILES) + "; " + HOW_TO_START)])
    manifest, problems = load_manifest(root)
    if scheme is None:
        problems += scheme_problems(manifest, root)
    required = (manifest.references_file, *REQUIRED_FILES[1:])
    for rel in required:
        if (root / rel).exists() and not (root / rel).is_file():
            read_bytes(root / rel, rel, problems)  # says what it is instead (a folder, a pipe, a device), unread
        elif not (root / rel).is_file():
            problems.append(Problem(rel, f"is missing from {root}", allowed="a guideline folder holding "
                                    + ", ".join(required) + "; " + HOW_TO_START))
    raise_if_errors(problems)
    scheme = guideline_scheme(scheme, manifest.scheme, root)  # given, else named by guideline.toml, else the default
    bib, found = load_references(root / manifest.references_file, manifest.references_file, cached=True)
    problems += found
    tables = {}
    for rel in REQUIRED_FILES[1:] + OPTIONAL_FILES:
        if (root / rel).exists():  # read_table refuses a folder, a pipe or a device
            spec = table_spec(Path(rel).name, scheme, manifest)
            frame, found = read_table(root / rel, rel, spec)
            problems += found
            if frame is not None and spec:
                for col in spec:  # an optional column left out reads as empty, so every reader finds it
                    if col.name not in frame.columns:
                        frame[col.name] = ""
            tables[rel] = frame
    recs, ev = tables.get("evidence/recommendations.csv"), tables.get("evidence/evidence.csv")
    if recs is not None and "published_level" in recs.columns and not (scheme.ladder and scheme.strengths):
        # A scheme that cannot grade these strengths is the one problem to report, not every cell it cannot read.
        check_grades_strengths(scheme, recs["published_level"])
    problems += _cross_check(recs, ev, bib, scheme)
    problems += _outcome_problems(tables.get("evidence/outcomes.csv"), recs, bib, scheme)
    problems += panel_problems(tables.get("evidence/panel.csv"), recs)  # the working group's panel (io/panel.py)
    raise_if_errors(problems)
    empty = pd.DataFrame()
    assert recs is not None and ev is not None and bib is not None  # else a problem was raised above
    cited = dict.fromkeys(k for k in map(bib.key_of, ev["reference"]) if k is not None)
    return Guideline(root, recs.set_index("id", drop=False), ev, bib,
                     tables.get("evidence/glossary.csv", empty), tables.get("evidence/flags.csv", empty), scheme,
                     tuple(p for p in problems if p.severity != "error"), manifest, bib.numbering(cited),
                     tables.get("evidence/outcomes.csv", empty))


def read_paths(guideline: Guideline) -> tuple[Path, ...]:
    """What a command on this guideline reads, so no output may replace it: its .bib, manifest and scheme file, the
    whole evidence folder (tables, notes, panel, votes, saved revisions) and its releases (never changed)."""
    root = guideline.root
    paths = [root / guideline.manifest.references_file, root / MANIFEST, root / "evidence", root / "releases",
             guideline.bibliography.path]
    style = style_file_of(guideline.manifest, root)  # the group's house style, a file of the guideline too
    return tuple(paths + ([guideline.scheme.path] if guideline.scheme.path is not None else [])
                 + ([style] if style is not None else []))


def _outcome_problems(outcomes: pd.DataFrame | None, recs: pd.DataFrame | None, bib: Bibliography | None,
                      scheme: Scheme) -> list[Problem]:
    """An outcome row for no recommendation, citing a reference the list lacks; outcomes under a scheme with no
    certainty model (they would be ignored)."""
    name = "evidence/outcomes.csv"
    if outcomes is None or outcomes.empty or recs is None or "recommendation_id" not in outcomes.columns:
        return []
    if scheme.certainty is None:
        return [Problem(name, f"evidence profiles are graded by a certainty model, and scheme {scheme.name} has none",
                        found=scheme.describe(), allowed="a scheme with model = \"certainty\" (bundled: grade), named "
                        "in guideline.toml; or no outcomes.csv", severity="warning")]
    problems = []
    ids = set(recs["id"]) if "id" in recs.columns else set()
    for rid, studies, line, row in zip(outcomes["recommendation_id"], outcomes["studies"], outcomes["_line"],
                                       outcomes["_row"]):
        if rid not in ids:
            problems.append(Problem(name, "the outcome is for a recommendation that does not exist", line=line,
                                    row=row, column="recommendation_id", found=rid,
                                    allowed="an id from evidence/recommendations.csv"))
        for ref in (p.strip() for p in str(studies).split(";") if p.strip()):
            if bib is not None and bib.key_of(ref) is None:
                problems.append(Problem(name, "the outcome cites a reference the reference list lacks", line=line,
                                        row=row, column="studies", found=ref,
                                        allowed="a key or citation number of an entry in the reference list"))
    return problems


def _cross_check(recs: pd.DataFrame | None, ev: pd.DataFrame | None, bib: Bibliography | None,
                 scheme: Scheme) -> list[Problem]:
    """Rows that contradict another row or another file: twice the same id, an id not under its row's section (before
    the evidence rows citing it), evidence for no recommendation, a reference absent from the .bib, a reference
    twice for one recommendation (a warning)."""
    problems: list[Problem] = []
    rname, ename = "evidence/recommendations.csv", "evidence/evidence.csv"
    if recs is not None and "id" in recs.columns:
        problems += duplicate_problems(recs, "id", rname) + folded_duplicate_problems(recs, "id", rname)
    if recs is not None:
        problems += recommendation_problems(recs, scheme, rname)
    if ev is None or recs is None or "recommendation_id" not in ev.columns or "id" not in recs.columns:
        return problems
    ids = set(recs["id"])
    for rid, line, row in zip(ev["recommendation_id"], ev["_line"], ev["_row"]):
        if rid and rid not in ids:
            problems.append(Problem(ename, "evidence row for a recommendation that does not exist", line=line,
                                    row=row, column="recommendation_id", found=rid,
                                    allowed=f"an id from {rname}"))
    if bib is not None and "reference" in ev.columns:
        keys = list(bib.data.entries)
        for ref, line, row in zip(ev["reference"], ev["_line"], ev["_row"]):
            if ref and bib.key_of(ref) is None:
                problems.append(Problem(ename, f"cited reference is absent from {bib.path.name}", line=line, row=row,
                                        column="reference", found=ref, allowed=_reference_allowed(ref, bib, keys)))
        problems += repeated_reference_problems(ev, bib.key_of, ename)
    return problems


def _reference_allowed(ref: str, bib: Bibliography, keys: list[str]) -> str:
    """What a reference cell may hold, with the nearest key when the cell looks like a misspelt one."""
    if WHOLE_NUMBER.match(ref):
        where = (f"a number carried by an entry's {NUMBER_FIELD} field" if bib.by_number else
                 f"an entry's key (no entry of this .bib carries a {NUMBER_FIELD} number)")
        return where
    import difflib  # here: only a misspelt key needs it, and `grading reproduce` should not load it
    near = difflib.get_close_matches(ref, keys, n=1, cutoff=0.8)
    return f"the key of an entry in {bib.path.name}" + (f" (is it '{near[0]}'?)" if near else "") + \
        f", or the number in an entry's {NUMBER_FIELD} field"
