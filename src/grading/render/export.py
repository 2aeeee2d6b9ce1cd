"""The whole guideline as one file for other programs: the toolkit's JSON (documented in docs/export.md) or FHIR."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from ..analyses.audit import audit
from ..errors import UnknownValueError
from ..grade import Grading, reproduce
from ..grade.derive import Decision
from ..io.files import refuse_inputs, write_atomic
from ..io.guideline import Guideline, read_paths
from ..revisions import Revised, Revision, apply_revisions, saved_revisions
from ..revisions.record import revision_file_name
from .references import format_references

FORMATS = ("json", "fhir")
FORMAT = "grading-guideline/1"  # the shape docs/export.md describes; a change of shape changes this name


def toolkit_version() -> str:
    try:
        return version("grading")
    except PackageNotFoundError:
        return "unknown"


def edition(published: Guideline, revised_wanted: bool) -> tuple[Guideline, Revised | None, tuple[Revision, ...]]:
    """The guideline to export (published, or with its saved revisions applied), the Revised, every revision."""
    revisions = saved_revisions(published)
    if not revised_wanted:
        return published, None, revisions
    revised = apply_revisions(published, revisions)
    return revised.guideline, revised, revisions


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
    """Every entry of the .bib in the guideline's numbering, with its fields, formatted text and citing rows."""
    bib = guideline.bibliography
    cited: dict[int, list[str]] = {}
    for rid, ref in zip(guideline.evidence["recommendation_id"], guideline.evidence["reference"]):
        if str(ref).isdigit() and rid not in cited.setdefault(int(ref), []):
            cited[int(ref)].append(rid)
    out = []
    for r in format_references(bib):
        entry = bib.data.entries[r.key] if r.key else None
        out.append({
            "number": r.number, "key": r.key, "type": entry.type if entry is not None else None,
            "identification": r.status or None, "formatted": r.text or None, "note": r.note or None,
            "links": list(r.links), "cited_by": cited.get(r.number, []),
            "fields": {k: str(v) for k, v in entry.fields.items()} if entry is not None else {},
            "persons": {role: [str(p) for p in people] for role, people in entry.persons.items()}
            if entry is not None else {},
        })
    return out


def agreement_json(a: Any) -> dict[str, Any]:
    """A recommendation's votes as `grading reproduce --format json` gives them, with each tally's rule."""
    return {q: {**t.as_dict(), "rule": t.rule, "because": t.because} for q, t in a.tallies.items()} | {
        "ballots": [{"member": b.vote.member, "file": b.vote.file(), "counted": b.counted, "why_not": b.why_not}
                    for b in a.ballots],
        "panel_size": a.panel_size, "entitled": a.entitled, "recused_members": list(a.recused_members),
        "proposed": dict(a.proposed), "superseded": a.superseded}


def revisions_json(revisions: tuple[Revision, ...], revised: Revised | None) -> list[dict[str, Any]]:
    applied = {id(r) for r in revised.applied} if revised else set()
    conflicting = {id(c.revision) for c in revised.conflicts} if revised else set()
    return [{**r.as_json(), "file": revision_file_name(r),
             "state": "applied" if id(r) in applied else "conflict" if id(r) in conflicting else "saved"}
            for r in sorted(revisions, key=lambda r: r.when())]


def guideline_json(published: Guideline, revised_wanted: bool = False) -> dict[str, Any]:
    """The whole guideline as one JSON object (format grading-guideline/1, described in docs/export.md)."""
    from ..analyses.agreement import agreements, load_votes_and_panel
    from .site.pages import guideline_title
    guideline, revised, revisions = edition(published, revised_wanted)
    gradings = reproduce(guideline)
    panel, votes = load_votes_and_panel(published)
    found = agreements(published, panel, votes)
    evidence: dict[str, list[dict[str, str]]] = {}
    for row in _table(guideline.evidence):
        evidence.setdefault(row["recommendation_id"], []).append(row)
    recs = []
    for rec, g in zip(guideline.records, gradings):
        row = rec.as_row()
        recs.append({**row, "published_levels": list(rec.published_levels), "judgements": dict(rec.judgements),
                     "evidence": evidence.get(rec.id, []), "grading": grading_json(g),
                     "agreement": agreement_json(found[rec.id]) if rec.id in found else None})
    return {
        "format": FORMAT, "title": guideline_title(guideline), "folder": guideline.root.name,
        "edition": "revised" if revised is not None else "published",
        "scheme": guideline.scheme.describe(), "generated_by": f"grading {toolkit_version()}",
        "recommendations": recs, "references": references_json(guideline),
        "glossary": _table(guideline.glossary), "flags": _table(guideline.flags),
        "revisions": revisions_json(revisions, revised),
        "votes": [{**v.as_json(), "file": v.file()} for v in votes],
        "findings": [{"kind": f.kind, "subject": f.subject, "detail": f.detail} for f in audit(guideline, gradings)],
    }


def export(guideline: Guideline, out: Path | str, fmt: str, revised: bool = False) -> tuple[Path, dict[str, int]]:
    """Write the guideline as `fmt` ('json' or 'fhir') to `out`, atomically; return the path and what it holds."""
    if fmt not in FORMATS:
        raise UnknownValueError("export format", fmt, FORMATS)
    out = Path(out)
    check_output(out, guideline)
    if fmt == "fhir":
        from .fhir import fhir_json
        text, counts = fhir_json(guideline, revised)
        return write_atomic(out, text), counts
    data = guideline_json(guideline, revised)
    counts = {"recommendations": len(data["recommendations"]),
              "evidence rows": sum(len(r["evidence"]) for r in data["recommendations"]),
              "references": len(data["references"]), "revisions": len(data["revisions"]), "votes": len(data["votes"])}
    return write_atomic(out, json.dumps(data, ensure_ascii=False, indent=2) + "\n"), counts
