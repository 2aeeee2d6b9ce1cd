"""Evidence-to-Decision records: the panel's judgement on each criterion of the scheme's framework and its
conclusion, one file per save under evidence/etd/<id>/, never overwritten (ETD-LATEST); and, where none is saved,
what the guideline's text records (ETD-FROM-TEXT)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import Problem, RevisionError, raise_if_errors
from ..io.guideline import Guideline
from ..io.labels import is_rec_id
from ..scheme import Scheme
from ..vocab import DIRECTIONS
from .record import (
    _parse_time,
    load_per_recommendation,
    object_problems,
    read_checked,
    signed_and_dated_problems,
    slug,
    utc_now,
    write_record,
)

FORMAT = "grading-etd/1"
ETD_DIR = Path("evidence") / "etd"
FIELDS = ("format", "recommendation_id", "author", "created", "criteria", "conclusion")
CRITERION_FIELDS = ("judgement", "evidence", "considerations")
# The conclusion of GRADE's EtD for recommendations; `strength` is a strength of the scheme, or empty.
CONCLUSION_FIELDS = ("type", "strength", "direction", "justification", "subgroups", "implementation", "monitoring",
                     "research_priorities")
CONCLUSION_WORDS = {"type": "Type of recommendation", "strength": "Strength", "direction": "Direction",
                    "justification": "Justification", "subgroups": "Subgroup considerations",
                    "implementation": "Implementation considerations", "monitoring": "Monitoring and evaluation",
                    "research_priorities": "Research priorities"}
FROM_TEXT = "the guideline's text"  # the author of an EtD the text records (ETD-FROM-TEXT)


@dataclass(frozen=True)
class Judged:
    """One criterion's judgement, the research evidence it rests on and additional considerations."""

    judgement: str
    evidence: str = ""
    considerations: str = ""

    def as_json(self) -> dict[str, str]:
        return {"judgement": self.judgement, "evidence": self.evidence, "considerations": self.considerations}


@dataclass(frozen=True)
class EtdRecord:
    """A recommendation's Evidence-to-Decision framework as the panel filled it in (or as the text records it)."""

    recommendation_id: str
    author: str
    created: str  # UTC, ISO 8601; '' for an EtD the text records
    criteria: Mapping[str, Judged]  # criterion key -> its judgement, in the scheme's order
    conclusion: Mapping[str, str]  # CONCLUSION_FIELDS -> text
    path: Path | None = field(default=None, compare=False)
    seed_lines: str = ""  # where the text states it (ETD-FROM-TEXT)

    @property
    def from_text(self) -> bool:
        return self.author == FROM_TEXT

    @property
    def rule(self) -> str:
        """The rule that makes this record the recommendation's EtD."""
        return "ETD-FROM-TEXT" if self.from_text else "ETD-LATEST"

    def as_json(self) -> dict:
        """The JSON object saved for this record."""
        return {"format": FORMAT, "recommendation_id": self.recommendation_id, "author": self.author,
                "created": self.created, "criteria": {k: j.as_json() for k, j in self.criteria.items()},
                "conclusion": dict(self.conclusion)}

    def as_dict(self) -> dict:
        """The `etd` object of `grading reproduce --format json`."""
        return {"criteria": {k: j.as_json() for k, j in self.criteria.items()}, "conclusion": dict(self.conclusion),
                "source": "text" if self.from_text else "saved", "rule": self.rule,
                "author": self.author, "created": self.created or None,
                **({"seed_lines": self.seed_lines} if self.seed_lines else {}),
                **({"file": self.path.name} if self.path is not None else {})}

    def when(self) -> datetime:
        return _parse_time(self.created)

    def label(self) -> str:
        """'2026-12-05 10:30 UTC by Kari Nordmann', or 'as the guideline's text records it'."""
        return "as the guideline's text records it" if self.from_text else \
            f"{self.when():%Y-%m-%d %H:%M} UTC by {self.author}"


def _allowed(scheme: Scheme) -> dict[str, str]:
    etd = scheme.etd
    keys = ", ".join(etd.keys) if etd else "(the scheme declares no [etd])"
    return {"format": FORMAT, "recommendation_id": "an id from recommendations.csv, e.g. 7.1.1-11",
            "author": "the name of who records it (not empty)",
            "created": "a UTC time in ISO 8601, e.g. 2026-12-05T10:30:12.123456Z",
            "criteria": f"an object of criterion key -> {{judgement, evidence, considerations}}; keys: {keys}",
            "conclusion": "an object with " + ", ".join(CONCLUSION_FIELDS) + " (each text)"}


def etd_problems(data: object, file: str, scheme: Scheme) -> list[Problem]:
    """Every problem with an EtD record's JSON object, each naming the file and the field."""
    allowed = _allowed(scheme)
    out = object_problems(data, file, FIELDS, allowed)
    if not isinstance(data, dict):
        return out

    def bad(name: str, message: str, value: object) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append(Problem(file, f"field '{name}' {message}", column=name, found=shown[:80],
                           allowed=allowed.get(name.split(".")[0], "")))

    signed_and_dated_problems(data, bad, FORMAT, who="author")
    rid = data.get("recommendation_id")
    if "recommendation_id" in data and not (isinstance(rid, str) and is_rec_id(rid)):
        bad("recommendation_id", "is not a recommendation id", rid)
    if scheme.etd is None:
        out.append(Problem(file, f"scheme {scheme.name} declares no Evidence-to-Decision framework", column="criteria",
                           allowed="a scheme with [etd] and its [[etd.criteria]] (docs/schemes.md)"))
        return out
    criteria = data.get("criteria")
    if "criteria" in data and not isinstance(criteria, dict):
        bad("criteria", "must be an object", criteria)
    elif isinstance(criteria, dict):
        for key, judged in criteria.items():
            c = scheme.etd.criterion(key)
            if c is None:
                out.append(Problem(file, f"criterion '{key}' is not one of scheme {scheme.name}'s",
                                   column=f"criteria.{key}", found=str(key), allowed=", ".join(scheme.etd.keys)))
                continue
            if not isinstance(judged, dict):
                bad(f"criteria.{key}", "must be an object {judgement, evidence, considerations}", judged)
                continue
            out += [Problem(file, f"field 'criteria.{key}.{k}' is unknown", column=f"criteria.{key}.{k}",
                            found=str(k), allowed=", ".join(CRITERION_FIELDS)) for k in judged
                    if k not in CRITERION_FIELDS]
            if judged.get("judgement") not in c.judgements:
                out.append(Problem(file, f"criterion '{key}' has a judgement its framework does not list",
                                   column=f"criteria.{key}.judgement", found=str(judged.get("judgement")),
                                   allowed=", ".join(c.judgements)))
            for k in ("evidence", "considerations"):
                if not isinstance(judged.get(k, ""), str):
                    bad(f"criteria.{key}.{k}", "must be text", judged.get(k))
    conclusion = data.get("conclusion")
    if "conclusion" in data and not isinstance(conclusion, dict):
        bad("conclusion", "must be an object", conclusion)
    elif isinstance(conclusion, dict):
        out += [Problem(file, f"field 'conclusion.{k}' is unknown", column=f"conclusion.{k}", found=str(k),
                        allowed=", ".join(CONCLUSION_FIELDS)) for k in conclusion if k not in CONCLUSION_FIELDS]
        for k, v in conclusion.items():
            if k in CONCLUSION_FIELDS and not isinstance(v, str):
                bad(f"conclusion.{k}", "must be text", v)
        strength = conclusion.get("strength", "")
        if isinstance(strength, str) and strength and not scheme.is_valid_strength(strength):
            out.append(Problem(file, "the conclusion's strength is not a strength of the scheme",
                               column="conclusion.strength", found=strength,
                               allowed=", ".join(scheme.strength_choices()) + ", or empty"))
        direction = conclusion.get("direction", "")
        if isinstance(direction, str) and direction and direction not in DIRECTIONS:
            out.append(Problem(file, "the conclusion's direction is not a direction", column="conclusion.direction",
                               found=direction, allowed=", ".join(DIRECTIONS) + ", or empty"))
    return out


def new_etd(scheme: Scheme, recommendation_id: str, author: str, criteria: Mapping[str, Judged | Mapping[str, str]],
            conclusion: Mapping[str, str], created: str | None = None, source: str = "") -> EtdRecord:
    """Build an EtD record stamped now, its criteria in the scheme's order; raise ValidationError listing every
    problem, each naming `source` (the file it was read from) or the unsaved record."""
    if not isinstance(criteria, Mapping) or not isinstance(conclusion, Mapping):
        raise_if_errors([Problem(source or f"EtD of {recommendation_id} (unsaved)", "criteria and conclusion must "
                                 "be objects", column="criteria" if not isinstance(criteria, Mapping) else
                                 "conclusion", allowed="criteria: {KEY: {judgement, evidence, considerations}}, "
                                 "conclusion: {strength, direction, ...}")])
    judged = {k: v if isinstance(v, Judged) else Judged(*(str(v.get(f, "")) for f in CRITERION_FIELDS))
              if isinstance(v, Mapping) else Judged(str(v)) for k, v in criteria.items()}
    order = scheme.etd.keys if scheme.etd else ()
    ordered = {k: judged[k] for k in sorted(judged, key=lambda k: order.index(k) if k in order else len(order))}
    record = EtdRecord(recommendation_id, author.strip(), created or utc_now(), ordered, _in_order(
        {k: str(v).strip() if isinstance(v, str) else v for k, v in conclusion.items()}))
    raise_if_errors(etd_problems(record.as_json(), source or f"EtD of {recommendation_id} (unsaved)", scheme))
    return record


def _in_order(conclusion: Mapping) -> dict:
    """The conclusion's fields in the framework's order, any unknown one after (for its located error)."""
    known = {k: conclusion[k] for k in CONCLUSION_FIELDS if k in conclusion}
    return {**known, **{k: v for k, v in conclusion.items() if k not in known}}


def file_name(record: EtdRecord) -> str:
    """'<UTC timestamp>--<author slug>--<8 random hex>.json'."""
    t = record.when()
    return f"{t:%Y%m%dT%H%M%S}.{t.microsecond:06d}Z--{slug(record.author)}--{secrets.token_hex(4)}.json"


def save_etd(guideline: Guideline, record: EtdRecord) -> Path:
    """Check an EtD record against the guideline, then write it as a new file under evidence/etd/<id>/ (atomically,
    never over another); return its path."""
    raise_if_errors(etd_problems(record.as_json(), f"EtD of {record.recommendation_id} (unsaved)", guideline.scheme))
    rid = record.recommendation_id
    if rid not in guideline.recommendations.index:
        raise RevisionError(f"EtD of {rid} was not saved: no recommendation {rid} in evidence/recommendations.csv")
    if record.from_text:
        raise RevisionError(f"EtD of {rid} was not saved: {FROM_TEXT!r} is what the text records, not an author")
    return write_record(guideline.root, guideline.root / ETD_DIR / rid, record.as_json(), lambda: file_name(record),
                        "EtD record")


def read_etd(path: Path, scheme: Scheme, name: str | None = None) -> tuple[EtdRecord | None, list[Problem]]:
    """Read one EtD file; return it (None when broken) with every problem found."""
    name = name or str(path)
    data, problems = read_checked(path, name, "an EtD file as the Revise app or `grading etd --save` writes it; "
                                  "restore it from version control", "4 levels (record > criteria > criterion)",
                                  lambda d, n: etd_problems(d, n, scheme))
    if data is None:
        return None, problems
    criteria = {k: Judged(v["judgement"], v.get("evidence", ""), v.get("considerations", ""))
                for k, v in data["criteria"].items()}
    return EtdRecord(data["recommendation_id"], data["author"].strip(), data["created"], criteria,
                     _in_order(data["conclusion"]), path), []


def load_etds(root: Path | str, scheme: Scheme, recommendation_id: str | None = None) -> tuple[EtdRecord, ...]:
    """Every saved EtD record of a guideline (or of one recommendation), oldest first; raise ValidationError."""
    root = Path(root)
    found = load_per_recommendation(root, root / ETD_DIR, "EtD",
                                    lambda path, name: read_etd(path, scheme, name), recommendation_id)
    return tuple(sorted(found, key=lambda r: (r.when(), r.path.name if r.path else "")))


def from_text(guideline: Guideline, rid: str, row: Mapping[str, object] | None = None) -> EtdRecord | None:
    """The EtD the guideline's text records (ETD-FROM-TEXT): each criterion the scheme ties to a column of
    recommendations.csv, with the words the judgements rest on; None where the scheme ties none or the text records
    no judgement (`row`: the recommendation's row of recommendations.csv, when read already)."""
    etd = guideline.scheme.etd
    if etd is None or not any(c.column for c in etd.criteria):
        return None
    row = guideline.recommendations.loc[rid].to_dict() if row is None else row
    judged = {c.key: str(row.get(c.column, "") or "unrecorded") for c in etd.criteria if c.column}
    if all(j == "unrecorded" for j in judged.values()):
        return None
    note = str(row.get("judgement_note", "") or "")
    criteria = {k: Judged(j, note if j in ("yes", "no") else "") for k, j in judged.items()}
    conclusion = {"type": "", "strength": str(row.get("published_strength", "") or ""),
                  "direction": str(row.get("direction", "") or ""),
                  "justification": str(row.get("justification", "") or "")}
    return EtdRecord(rid, FROM_TEXT, "", criteria, {k: v for k, v in conclusion.items() if v},
                     seed_lines=str(row.get("seed_lines", "") or ""))


@dataclass(frozen=True)
class EtdHistory:
    """A recommendation's EtD: the one that counts (latest saved, else the text's) and every saved one."""

    recommendation_id: str
    current: EtdRecord | None
    saved: tuple[EtdRecord, ...]  # oldest first


def etd_histories(guideline: Guideline, saved: tuple[EtdRecord, ...] | None = None) -> dict[str, EtdHistory]:
    """Every recommendation's EtD history, in table order (ETD-LATEST, else ETD-FROM-TEXT)."""
    saved = load_etds(guideline.root, guideline.scheme) if saved is None else saved
    by_rec: dict[str, list[EtdRecord]] = {}
    for r in saved:
        by_rec.setdefault(r.recommendation_id, []).append(r)
    out = {}
    for rid, row in guideline.recommendations.to_dict("index").items():
        mine = tuple(by_rec.get(rid, ()))
        out[rid] = EtdHistory(rid, mine[-1] if mine else from_text(guideline, rid, row), mine)
    return out


def changed_judgements(before: EtdRecord | None, after: EtdRecord | None) -> list[tuple[str, str, str]]:
    """(criterion or conclusion field, before, after) for every judgement and conclusion field that differs."""
    b = {k: j.judgement for k, j in (before.criteria.items() if before else ())}
    a = {k: j.judgement for k, j in (after.criteria.items() if after else ())}
    out = [(k, b.get(k, ""), a.get(k, "")) for k in dict.fromkeys([*b, *a]) if b.get(k, "") != a.get(k, "")]
    bc, ac = (before.conclusion if before else {}), (after.conclusion if after else {})
    out += [(f"conclusion {k}", bc.get(k, ""), ac.get(k, "")) for k in ("strength", "direction", "type")
            if bc.get(k, "") != ac.get(k, "")]
    return out
