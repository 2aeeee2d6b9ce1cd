"""The whole guideline as one file for other programs: the toolkit's JSON (documented in docs/export.md) or FHIR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UnknownValueError
from ..grade import Grading
from ..grade.derive import Decision
from ..io.files import refuse_inputs, write_atomic
from ..io.guideline import Guideline, read_paths
from ..records import EvidenceRow
from ..results import GradedGuideline, graded
from ..revisions import Revised, Revision
from ..revisions.etd import EtdHistory
from ..revisions.record import revision_file_name
from .references import guideline_references
from .version import toolkit_version

FORMATS = ("json", "fhir")
FORMAT = "grading-guideline/4"  # the shape docs/export.md describes; a change of shape changes this name


def check_output(out: Path, guideline: Guideline) -> None:
    """Refuse to write over a file the guideline is read from, or into its evidence folder (the one guard of every
    output, io/files.refuse_inputs)."""
    refuse_inputs(out, read_paths(guideline))


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _table(frame: pd.DataFrame) -> list[dict[str, str]]:
    if frame is None or frame.empty:
        return []
    cols = [c for c in frame.columns if not str(c).startswith("_")]
    return [{c: _text(v) for c, v in zip(cols, row)} for row in frame[cols].itertuples(index=False, name=None)]


def decision(d: Decision) -> dict[str, Any]:
    return {"value": d.value, "rule": d.rule, "says": d.says, "because": d.because, "choices": list(d.choices)}


def grading_json(g: Grading) -> dict[str, Any]:
    """What `grading reproduce --format json` gives for one recommendation, with each decision in parts."""
    out = {**g.as_dict(), "level_used": g.level_used, "level_decision": decision(g.level),
           "strength_decision": decision(g.strength),
           "comparison": {"verdict": g.comparison.verdict, "justified": g.comparison.justified,
                          "rule": g.comparison.rule, "because": g.comparison.because}}
    for name in ("certainty", "level_range", "strength_range", "verdict_range", "to_appraise"):
        value = getattr(g, name, None)  # fields later versions of Grading may carry
        if value is not None:
            out[name] = list(value) if isinstance(value, (tuple, list, set, frozenset)) else value
    return out


def references_json(guideline: Guideline) -> list[dict[str, Any]]:
    """Every entry of the reference list in the guideline's numbering and citation style, with its fields,
    formatted text and the recommendations citing it."""
    bib = guideline.bibliography
    out = []
    for r in guideline_references(guideline):
        key = r.key
        out.append({
            "number": r.number, "key": key, "type": bib.entry_type(key) or None if key else None,
            "identification": r.status or None, "formatted": r.text or None, "note": r.note or None,
            "links": list(r.links), "cited_by": list(guideline.citing.get(r.number, ())),
            "fields": bib.fields(key) if key else {}, "persons": bib.people(key) if key else {},
        })
    return out


def evidence_json(row: EvidenceRow) -> dict[str, str]:
    """One evidence row as the export gives it: the table's cells, and the number its reference is listed as."""
    return {"recommendation_id": row.recommendation_id, "reference": row.reference,
            "reference_number": "" if row.number is None else str(row.number), "reference_key": row.key or "",
            "design": row.design, "quality": row.quality, "quality_text": row.quality_text, "finding": row.finding,
            "effect_size": row.effect_size, "outcomes": ";".join(row.outcomes), "documentation": row.documentation,
            "seed_lines": row.seed_lines, "scope": row.scope}


def agreement_json(a: Any) -> dict[str, Any]:
    """A recommendation's votes as `grading reproduce --format json` gives them, with each tally's rule."""
    return {q: {**t.as_dict(), "rule": t.rule, "because": t.because} for q, t in a.tallies.items()} | {
        "ballots": [{"member": b.vote.member, "file": b.vote.file(), "counted": b.counted, "why_not": b.why_not}
                    for b in a.ballots],
        "panel_size": a.panel_size, "entitled": a.entitled, "recused_members": list(a.recused_members),
        "proposed": dict(a.proposed), "superseded": a.superseded}


def _etd_json(history: EtdHistory | None) -> dict[str, Any]:
    """A recommendation's `etd` (the one that counts, or null) and `etd_history` (every saved record's file)."""
    current = history.current if history is not None else None
    return {"etd": current.as_dict() if current is not None else None,
            "etd_history": [r.path.name for r in history.saved if r.path is not None] if history else []}


def revisions_json(revisions: tuple[Revision, ...], revised: Revised | None) -> list[dict[str, Any]]:
    applied = {id(r) for r in revised.applied} if revised else set()
    conflicting = {id(c.revision) for c in revised.conflicts} if revised else set()
    return [{**r.as_json(), "file": revision_file_name(r),
             "state": "applied" if id(r) in applied else "conflict" if id(r) in conflicting else "saved"}
            for r in sorted(revisions, key=lambda r: r.when())]


def guideline_json(published: Guideline | GradedGuideline, revised_wanted: bool = False) -> dict[str, Any]:
    """The whole guideline as one JSON object (format grading-guideline/4, described in docs/export.md)."""
    result = published if isinstance(published, GradedGuideline) else graded(published, revised_wanted)
    guideline = result.guideline
    recs = []
    for rec, g in zip(guideline.records, result.gradings):
        row = rec.as_row()
        recs.append({**row, "published_levels": list(rec.published_levels), "judgements": dict(rec.judgements),
                     "evidence": [evidence_json(e) for e in result.rows(rec.id)], "grading": grading_json(g),
                     "agreement": agreement_json(result.agreements[rec.id]) if rec.id in result.agreements
                     else None, **_etd_json(result.etds.get(rec.id))})
    manifest = guideline.manifest
    return {
        "format": FORMAT, "title": manifest.heading, "folder": guideline.root.name,
        "language": manifest.language, "authors": list(manifest.authors), "publisher": manifest.publisher or None,
        "year": manifest.year, "licence": manifest.licence or None,
        "edition": result.edition, "scheme": guideline.scheme.describe(),
        "generated_by": f"grading {toolkit_version()}",
        "recommendations": recs, "references": references_json(guideline),
        "glossary": _table(guideline.glossary), "flags": _table(guideline.flags),
        "revisions": revisions_json(result.revisions, result.revised),
        "votes": [{**v.as_json(), "file": v.file()} for v in result.votes],
        "findings": [{"kind": f.kind, "subject": f.subject, "detail": f.detail} for f in result.findings],
        "appraisals": appraisals_json(result),
    }


def appraisals_json(result: GradedGuideline) -> dict[str, Any]:
    """The group's appraisals: whether this edition applies them, and each saved one with whether it counts."""
    return {"applied": result.appraised, "counting": len(result.counting),
            "rows_set": sum(len(a.rows) for a in result.applied),
            "saved": [{**a.as_json(), "file": str(a.path.relative_to(result.published.root)) if a.path else None,
                       "counts": s.counts_for(a)}
                      for s in result.appraisal_standings.values() for a in s.appraisals]}


def export(guideline: Guideline, out: Path | str, fmt: str, revised: bool = False, appraised: bool = False
           ) -> tuple[Path, dict[str, int]]:
    """Write the guideline as `fmt` ('json' or 'fhir') to `out`, atomically, as published or `revised`, and
    `appraised` with the group's counting appraisals applied; return the path and what it holds."""
    if fmt not in FORMATS:
        raise UnknownValueError("export format", fmt, FORMATS)
    out = Path(out)
    check_output(out, guideline)
    result = graded(guideline, revised, appraised)
    if fmt == "fhir":
        from .fhir import fhir_json
        text, counts = fhir_json(result)
    else:
        data = guideline_json(result)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        counts = {"recommendations": len(data["recommendations"]),
                  "evidence rows": sum(len(r["evidence"]) for r in data["recommendations"]),
                  "references": len(data["references"]), "revisions": len(data["revisions"]),
                  "votes": len(data["votes"])}
    if appraised:
        counts["counting appraisals applied"] = len(result.applied)
    return write_atomic(out, text), counts
