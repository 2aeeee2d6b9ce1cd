"""Applying revisions: the revised guideline in time order, conflicts never resolved silently, and the diff."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem, RevisionError, raise_if_errors
from ..grade import Grading, grade_in
from ..io.files import exclusive_lock, refuse_packaged
from ..io.guideline import Guideline, studies_from_rows
from ..io.tables import EVIDENCE_COLUMNS, counted_rows
from ..vocab import JUDGEMENTS
from .record import (
    REVISIONS_DIR,
    Change,
    Revision,
    Row,
    full_row,
    load_revisions,
    revision_file_name,
    revision_problems,
    row_label,
    row_text,
    write_revision,
)


@dataclass(frozen=True)
class Conflict:
    """A change that no longer fits the evidence it was made against: both versions, never resolved silently."""

    revision: Revision
    change: int  # index into revision.changes
    expected: Row | None  # the row the revision changed (its `before`); None for an add
    current: Row | None  # the row there now; None when it was removed or never existed
    current_by: tuple[Revision, ...]  # the revisions that made the current row, oldest first

    def __str__(self) -> str:
        rev, ch = self.revision, self.revision.changes[self.change]
        where = f"{revision_file_name(rev)}, change {self.change + 1} ({ch.action} {row_label(ch.before or ch.after)})"
        if ch.action == "add":
            what = "adds a row that is already there"
        elif self.current is None and self.current_by:
            what = "changes a row that was removed"
        elif self.current is None:
            what = "changes a row that is neither in the published evidence nor in any earlier revision"
        else:
            what = "changes a row that another revision changed first"
        by = "; ".join(f"{r.label()} ({revision_file_name(r)})" for r in self.current_by) or "the published evidence"
        text = f"{self.revision.recommendation_id}: {where} {what}."
        if self.expected is not None:
            text += f"\n  this revision expected: {row_text(self.expected)}"
        text += f"\n  now ({by}): {row_text(self.current) if self.current is not None else 'no such row'}"
        if self.expected is not None and self.current is not None:
            text += "\n  they differ in: " + "; ".join(
                f"{k} {self.expected[k] or '-'} vs {self.current[k] or '-'}" for k in EVIDENCE_COLUMNS
                if self.expected[k] != self.current[k])
        return text


@dataclass(frozen=True)
class Revised:
    """A published guideline with its revisions applied, and the revisions that could not be."""

    published: Guideline
    guideline: Guideline
    revisions: tuple[Revision, ...]
    applied: tuple[Revision, ...]
    conflicts: tuple[Conflict, ...]


LOCK_NAME = ".lock"  # in evidence/revisions/: held while a save checks the saved revisions and writes its own
LOCK_TIMEOUT = 30.0  # seconds; a check and a write take well under one


def save_revision(guideline: Guideline, revision: Revision, *, check: bool = True,
                  timeout: float = LOCK_TIMEOUT) -> Path:
    """Write a revision as a new file under <root>/evidence/revisions/<id>/ and return its path.

    `guideline` is the published guideline (as `load_guideline` returns it). With `check`, the revision
    must apply on top of the revisions already saved and carry a justification where it deviates; the check and
    the write hold the revisions folder's lock, so two processes of this machine never both save against the same
    state. Revisions that meet across machines (through git) are reported as conflicts when applied.
    """
    raise_if_errors(revision_problems(revision.as_json(), f"revision of {revision.recommendation_id} (unsaved)",
                                      guideline.scheme, guideline.manifest))
    if not check:
        return write_revision(guideline.root, revision)
    folder = guideline.root / REVISIONS_DIR
    refuse_packaged(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(folder / LOCK_NAME, timeout):
            check_revision(apply_revisions(guideline), revision)
            return write_revision(guideline.root, revision)
    except TimeoutError:
        raise RevisionError(f"revision of {revision.recommendation_id} by {revision.author} was not saved: another "
                            f"save held the lock {REVISIONS_DIR / LOCK_NAME} for more than {timeout:g} s; nothing "
                            "was written — save again (if no save is running, a stuck process holds it)") from None
    except OSError as e:
        raise RevisionError(f"revision of {revision.recommendation_id} by {revision.author} was not saved: the lock "
                            f"{REVISIONS_DIR / LOCK_NAME} cannot be taken ({e.strerror or e}); nothing was "
                            "written") from e


# --- applying --------------------------------------------------------------------------------------------

def judgements_of(guideline: Guideline, recommendation_id: str) -> dict[str, str]:
    """The working group's judgements recorded for one recommendation."""
    return dict(guideline.recommendation(recommendation_id).judgements)


def rows_of(guideline: Guideline, recommendation_id: str) -> list[dict[str, str]]:
    """The evidence rows of one recommendation as plain dicts of the evidence.csv columns."""
    ev = guideline.evidence
    rows = ev.loc[ev["recommendation_id"] == recommendation_id, list(EVIDENCE_COLUMNS)].to_dict("records")
    return [{c: str(r.get(c) or "") for c in EVIDENCE_COLUMNS} for r in rows]


def _apply_rows(rows: list[dict], revisions: Iterable[Revision], lines: list | None = None
                ) -> tuple[list[tuple[dict, object]], list[Revision], list[Conflict]]:
    """Apply one recommendation's revisions in order to its rows; a revision with a conflict applies not at all.

    Returns the (row, published line or None) pairs left, the revisions applied and the conflicts.
    """
    lines = lines or [None] * len(rows)
    slots = [{"row": r, "versions": [r], "by": [], "line": n} for r, n in zip(rows, lines)]
    applied, conflicts = [], []
    for rev in revisions:
        trial = [dict(s, versions=list(s["versions"]), by=list(s["by"])) for s in slots]
        found = []
        for i, ch in enumerate(rev.changes):
            if ch.action == "add":
                same = next((s for s in trial if s["row"] == ch.after), None)
                if same is None:
                    trial.append({"row": ch.after, "versions": [ch.after], "by": [rev], "line": None})
                else:
                    found.append(Conflict(rev, i, None, same["row"], tuple(same["by"])))
                continue
            slot = next((s for s in trial if s["row"] is not None and s["row"] == ch.before), None)
            if slot is None:
                # Where did the expected row go? Its slot is the one that once held it.
                old = next((s for s in trial if ch.before in s["versions"]), None)
                found.append(Conflict(rev, i, ch.before, old["row"] if old else None,
                                      tuple(old["by"]) if old else ()))
                continue
            slot["row"] = ch.after
            slot["versions"].append(ch.after)
            slot["by"].append(rev)
        if found:
            conflicts += found
        else:
            slots = trial
            applied.append(rev)
    return [(s["row"], s["line"]) for s in slots if s["row"] is not None], applied, conflicts


def saved_revisions(guideline: Guideline) -> tuple[Revision, ...]:
    """Every revision saved in the guideline's folder, read by its scheme, its rows kept to its manifest's
    vocabularies; ordered as load_revisions orders them."""
    return load_revisions(guideline.root, guideline.scheme, manifest=guideline.manifest)


def apply_revisions(guideline: Guideline, revisions: Iterable[Revision] | None = None) -> Revised:
    """The revised guideline: the published evidence with each revision applied in time order."""
    revisions = saved_revisions(guideline) if revisions is None else tuple(revisions)
    revisions = tuple(sorted(revisions, key=lambda r: (r.when(), r.author, r.path.name if r.path else "")))
    if not revisions:
        return Revised(guideline, guideline, (), (), ())
    recs = guideline.recommendations.copy()
    unknown = [r for r in revisions if r.recommendation_id not in recs.index]
    raise_if_errors(Problem(revision_file_name(r), "the revision is for a recommendation that does not exist",
                            found=r.recommendation_id, allowed="an id from evidence/recommendations.csv")
                    for r in unknown)
    by_rec: dict[str, list[Revision]] = {}
    for r in revisions:
        by_rec.setdefault(r.recommendation_id, []).append(r)
    ev = guideline.evidence
    new_rows: dict[str, list[dict]] = {}
    applied: set[int] = set()
    conflicts: list[Conflict] = []
    for rid, revs in by_rec.items():
        rows, ok, bad = _apply_rows(rows_of(guideline, rid), revs, _lines(ev, rid))
        new_rows[rid] = [dict(r, _line=n) for r, n in rows]
        applied |= {id(r) for r in ok}
        conflicts += bad
    for rev in (r for r in revisions if id(r) in applied):
        for j, v in rev.judgements.items():
            recs.at[rev.recommendation_id, j] = v
        recs.at[rev.recommendation_id, "justification"] = rev.justification
        if rev.text:
            recs.at[rev.recommendation_id, "text"] = rev.text
        if rev.published_strength:
            recs.at[rev.recommendation_id, "published_strength"] = rev.published_strength
            recs.at[rev.recommendation_id, "published_strength_text"] = ""  # the new grade is not printed text
        if rev.changes and "published_level_words_level" in recs.columns:
            # LEVEL-IN-WORDS: the text's words described the documentation it cited; once the group changes that
            # documentation they no longer describe it, and the level is derived from the rows again.
            recs.at[rev.recommendation_id, "published_level_words_level"] = ""
    # Untouched recommendations keep their rows as they are; revised ones take their new rows, in table order.
    parts, published_ids = [], list(dict.fromkeys(ev["recommendation_id"]))
    for rid, group in ev.groupby("recommendation_id", sort=False):
        parts.append(pd.DataFrame(new_rows[rid], columns=[*EVIDENCE_COLUMNS, "_line"], dtype=object)
                     if rid in new_rows else group[[*EVIDENCE_COLUMNS, "_line"]])
    parts += [pd.DataFrame(new_rows[rid], columns=[*EVIDENCE_COLUMNS, "_line"], dtype=object)
              for rid in by_rec if rid not in set(published_ids)]
    frame = pd.concat(parts, ignore_index=True).fillna("") if parts else \
        pd.DataFrame(columns=[*EVIDENCE_COLUMNS, "_line"], dtype=object)
    frame["_row"] = range(1, len(frame) + 1)
    revised = dataclasses.replace(guideline, recommendations=recs, evidence=frame)
    return Revised(guideline, revised, revisions, tuple(r for r in revisions if id(r) in applied),
                   tuple(conflicts))


def _lines(ev: pd.DataFrame, rid: str) -> list:
    return list(ev.loc[ev["recommendation_id"] == rid, "_line"])


def conflicts(guideline: Guideline, revisions: Iterable[Revision] | None = None) -> tuple[Conflict, ...]:
    """The changes that cannot be applied because another revision changed the same row first."""
    return apply_revisions(guideline, revisions).conflicts


def preview(revised: Revised, revision: Revision) -> tuple[Grading, tuple[Conflict, ...]]:
    """Grade one recommendation as it would stand with a not-yet-saved revision on top of the saved ones."""
    rid = revision.recommendation_id
    saved = [r for r in revised.revisions if r.recommendation_id == rid]
    pairs, _, found = _apply_rows(rows_of(revised.published, rid), [*saved, revision])
    mine = tuple(c for c in found if c.revision is revision)
    rows = [r for r, _ in pairs]
    rec = revised.guideline.recommendation(rid).but(judgements=revision.judgements,
                                                    justification=revision.justification)
    if revision.published_strength:
        rec = rec.but(published_strength=revision.published_strength)
    if revision.text:
        rec = rec.but(text=revision.text)
    if revision.changes:  # LEVEL-IN-WORDS: as apply_revisions, the words no longer describe changed documentation
        rec = rec.but(published_level_words_level="")
    counted = counted_rows(pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS)), revised.guideline.key_of)
    studies = tuple(studies_from_rows(counted, revised.guideline.number_of))
    return grade_in(revised.guideline, rec, studies), mine


def reference_problems(guideline: Guideline, revision: Revision) -> list[str]:
    """The references a revision's new or edited rows cite that the bibliography lacks."""
    refs = [(c.after or {}).get("reference", "") for c in revision.changes]
    return [f"Reference {r} is absent from references.bib; add the entry there first (cite it by its key, or by "
            f"the number in its refnumber field)." for r in dict.fromkeys(refs) if r and guideline.key_of(r) is None]


def needs_justification(grading: Grading) -> bool:
    """True when the strength differs from the strength its evidence carries."""
    return grading.deviates


def check_revision(revised: Revised, revision: Revision) -> Grading:
    """Grade a revision on top of the saved ones; raise RevisionError when it conflicts or lacks a justification."""
    rid = revision.recommendation_id
    if rid not in revised.published.recommendations.index:
        raise RevisionError(f"revision of {rid}: no such recommendation in evidence/recommendations.csv")
    problems = reference_problems(revised.published, revision)
    grading, mine = preview(revised, revision)
    problems += [f"{c}\n  (reload the recommendation to see the saved revisions, then make the change again if it "
                 "still holds)" for c in mine]
    if needs_justification(grading) and not revision.justification.strip():
        problems.append(f"a justification is required: {grading.comparison.because} "
                        f"(verdict {grading.comparison.verdict.replace('_', ' ')})")
    if problems:
        raise RevisionError(f"revision of {rid} by {revision.author} was not saved:\n" + "\n".join(problems))
    return grading


# --- diff ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecommendationDiff:
    """One recommendation, published against revised: what changed and why."""

    id: str
    topic: str
    published: Grading
    revised: Grading
    changed: tuple[tuple[str, str, str], ...]  # (what, published, revised) for each value that differs
    revisions: tuple[Revision, ...]  # the applied revisions, oldest first: the why
    conflicts: tuple[Conflict, ...]


def diff(revised: Revised) -> list[RecommendationDiff]:
    """Every recommendation that has saved revisions, published beside revised, in table order."""
    touched = {r.recommendation_id for r in revised.revisions}
    out = []
    for rid in revised.published.recommendations.index:
        if rid not in touched:
            continue
        old, new = revised.published.recommendation(rid), revised.guideline.recommendation(rid)
        before, after = grade_in(revised.published, old), grade_in(revised.guideline, new)
        pairs = [("text", old.text, new.text),
                 ("published strength", before.published_strength, after.published_strength),
                 ("level named in words", old.published_level_words_level, new.published_level_words_level),
                 ("derived level", before.derived_level, after.derived_level),
                 ("derived strength", before.derived_strength, after.derived_strength),
                 ("verdict", before.comparison.verdict, after.comparison.verdict),
                 *((j, old.judgements[j], new.judgements[j]) for j in JUDGEMENTS),
                 ("evidence rows", str(len(revised.published.studies(rid))), str(len(revised.guideline.studies(rid))))]
        out.append(RecommendationDiff(rid, before.topic, before, after,
                                      tuple((w, a or "-", b or "-") for w, a, b in pairs if a != b),
                                      tuple(r for r in revised.applied if r.recommendation_id == rid),
                                      tuple(c for c in revised.conflicts if c.revision.recommendation_id == rid)))
    return out


def changes_between(base: Sequence[Row], edited: Iterable[tuple[int | None, Row]]) -> tuple[Change, ...]:
    """The changes that turn `base` rows into `edited` ones, given as (index into base or None when new, row)."""
    edited = list(edited)
    kept = {i for i, _ in edited if i is not None}
    out = [Change("remove", full_row(base[i]), None) for i in range(len(base)) if i not in kept]
    out += [Change("edit", full_row(base[i]), full_row(row)) for i, row in edited
            if i is not None and full_row(row) != full_row(base[i])]
    return tuple(out + [Change("add", None, full_row(row)) for i, row in edited if i is None])


def diff_text(diffs: Iterable[RecommendationDiff]) -> str:
    """The diff in plain text: per recommendation, the graded values that changed, then each revision's reasons."""
    lines = []
    for d in diffs:
        lines.append(f"{d.id} {d.topic}")
        lines += [f"  {what}: {a} -> {b}" for what, a, b in d.changed] or ["  grading unchanged"]
        for rev in d.revisions:
            lines.append(f"  {rev.label()}: {rev.rationale}")
            lines += [f"    {describe_change(c)}" for c in rev.changes]
            if rev.published_strength:
                lines.append(f"    published strength set to {rev.published_strength}")
            if rev.justification:
                lines.append(f"    justification: {rev.justification}")
        lines += ["  CONFLICT " + str(c).replace("\n", "\n  ") for c in d.conflicts]
    return "\n".join(lines) + "\n" if lines else "No revisions saved yet.\n"


def describe_change(change: Change) -> str:
    """'edit ref 117 (rct): quality unclear -> good'."""
    before, after = change.before or {}, change.after or {}
    if change.action == "edit":
        fields = [f"{k} {before.get(k) or '-'} -> {after.get(k) or '-'}" for k in EVIDENCE_COLUMNS
                  if before.get(k) != after.get(k)]
        return f"edit {row_label(change.before)}: " + ("; ".join(fields) or "no change")
    row = after if change.action == "add" else before
    return f"{change.action} {row_label(row)}: {row['design']}, {row['quality']}, {row['finding']}"
