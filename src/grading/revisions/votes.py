"""Votes: one working-group member's judgements on one recommendation, one file each, saved like revisions."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import Problem, RevisionError, raise_if_errors
from ..io.guideline import Guideline
from ..io.labels import is_rec_id
from ..io.panel import load_panel
from ..scheme import Scheme
from ..vocab import VOTE_CHOICES, VOTE_QUESTIONS
from .apply import Revised
from .record import (
    _parse_time,
    load_per_recommendation,
    read_checked,
    signed_and_dated_problems,
    slug,
    utc_now,
    write_record,
)

FORMAT = "grading-vote/1"
VOTES_DIR = Path("evidence") / "votes"
FIELDS = ("format", "recommendation_id", "member", "created", "judgements", "strength", "revision", "comment")
OPTIONAL_FIELDS = ("etd",)  # added after votes were first saved: a vote without it judged no EtD criterion
_REVISION_FILE = re.compile(r"^[^/\\]+\.json\Z")


@dataclass(frozen=True)
class Vote:
    """One member's vote on one recommendation: yes, no or abstain on each of Table 1's three questions."""

    recommendation_id: str
    member: str
    created: str  # UTC, ISO 8601
    judgements: Mapping[str, str]  # validity, applicability, benefit_harm -> yes | no | abstain
    comment: str = ""  # required with a `no`
    strength: str | None = None  # the strength the member proposes, if any
    revision: str | None = None  # the file name of the revision (evidence/revisions/<id>/) the vote is about
    path: Path | None = field(default=None, compare=False)
    etd: Mapping[str, str] = field(default_factory=dict)  # EtD criterion -> the member's judgement, or abstain

    def as_json(self) -> dict:
        """The JSON object saved for this vote (`etd` only where the member judged the EtD's criteria)."""
        return {"format": FORMAT, "recommendation_id": self.recommendation_id, "member": self.member,
                "created": self.created, "judgements": dict(self.judgements), "strength": self.strength,
                "revision": self.revision, "comment": self.comment, **({"etd": dict(self.etd)} if self.etd else {})}

    def when(self) -> datetime:
        return _parse_time(self.created)

    def label(self) -> str:
        """'2025-11-26 15:30 UTC by Kari Nordmann'."""
        return f"{self.when():%Y-%m-%d %H:%M} UTC by {self.member}"

    def says(self) -> str:
        """'validity yes, applicability yes, benefit_harm no'."""
        return ", ".join(f"{q} {self.judgements.get(q, '-')}" for q in VOTE_QUESTIONS)

    def file(self) -> str:
        return self.path.name if self.path else f"unsaved vote {self.label()}"


_ALLOWED = {
    "format": FORMAT,
    "recommendation_id": "an id from recommendations.csv, e.g. 7.1.1-11",
    "member": "the member's name as panel.csv writes it (not empty)",
    "created": "a UTC time in ISO 8601, e.g. 2025-11-26T15:30:12.123456Z",
    "judgements": "an object {" + ", ".join(f'"{q}": yes|no|abstain' for q in VOTE_QUESTIONS) + "}",
    "strength": "null (no strength proposed) or a strength of the scheme",
    "revision": "null or the file name of a revision in evidence/revisions/<recommendation id>/",
    "comment": "text; required when any judgement is no",
}


def vote_problems(data: object, file: str, scheme: Scheme, *, saving: bool = False) -> list[Problem]:
    """Every problem with a vote's JSON object; with `saving`, a `no` without a comment is one too."""
    if not isinstance(data, dict):
        return [Problem(file, "the file does not hold a JSON object", found=type(data).__name__,
                        allowed="an object with the fields " + ", ".join(FIELDS))]
    out = [Problem(file, f"field '{k}' is unknown", found=str(k), allowed=", ".join((*FIELDS, *OPTIONAL_FIELDS)))
           for k in data if k not in FIELDS and k not in OPTIONAL_FIELDS]
    out += [Problem(file, f"field '{k}' is missing", allowed=_ALLOWED[k]) for k in FIELDS if k not in data]

    def bad(name: str, message: str, value: object) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append(Problem(file, f"field '{name}' {message}", found=shown[:80],
                           allowed=_ALLOWED.get(name.split(".")[0], "")))

    signed_and_dated_problems(data, bad, FORMAT)
    rid = data.get("recommendation_id")
    if "recommendation_id" in data and not (isinstance(rid, str) and is_rec_id(rid)):
        bad("recommendation_id", "is not a recommendation id", rid)
    judgements = data.get("judgements")
    if "judgements" in data:
        if not isinstance(judgements, dict):
            bad("judgements", "must be an object", judgements)
        else:
            out += [Problem(file, f"field 'judgements.{k}' is not a question", found=str(k),
                            allowed=", ".join(VOTE_QUESTIONS)) for k in judgements if k not in VOTE_QUESTIONS]
            out += [Problem(file, f"field 'judgements.{q}' is missing", allowed="yes, no or abstain")
                    for q in VOTE_QUESTIONS if q not in judgements]
            out += [Problem(file, f"field 'judgements.{q}' has an unknown value", found=str(v),
                            allowed=", ".join(VOTE_CHOICES))
                    for q, v in judgements.items() if q in VOTE_QUESTIONS and v not in VOTE_CHOICES]
    strength = data.get("strength")
    if strength is not None and not (isinstance(strength, str) and scheme.is_valid_strength(strength) and strength):
        bad("strength", "is not a strength", strength)
    revision = data.get("revision")
    if revision is not None and not (isinstance(revision, str) and _REVISION_FILE.match(revision)):
        bad("revision", "is not a revision file name", revision)
    etd = data.get("etd", {})
    if not isinstance(etd, dict):
        bad("etd", "must be an object of criterion -> judgement", etd)
    elif etd:
        out += _etd_vote_problems(etd, file, scheme)
    comment = data.get("comment")
    if "comment" in data and not isinstance(comment, str):
        bad("comment", "must be text", comment)
    elif saving and isinstance(judgements, dict) and "no" in judgements.values() and not (comment or "").strip():
        noes = ", ".join(q for q, v in judgements.items() if v == "no")
        out.append(Problem(file, f"a comment is required with a no ({noes}): say why", column="comment",
                           found="", allowed="the member's reason, in a sentence or two"))
    return out


def _etd_vote_problems(etd: dict, file: str, scheme: Scheme) -> list[Problem]:
    """A vote's judgements on the EtD's criteria: each a criterion of the scheme's framework, each judgement one
    it lists (or abstain)."""
    if scheme.etd is None:
        return [Problem(file, f"field 'etd': scheme {scheme.name} declares no Evidence-to-Decision framework",
                        column="etd", allowed="no etd field, or a scheme with [etd]")]
    out = []
    for key, judgement in etd.items():
        c = scheme.etd.criterion(key)
        if c is None:
            out.append(Problem(file, f"field 'etd.{key}' is not a criterion of the framework", column=f"etd.{key}",
                               found=str(key), allowed=", ".join(scheme.etd.keys)))
        elif judgement != "abstain" and judgement not in c.judgements:
            out.append(Problem(file, f"field 'etd.{key}' has a judgement the framework does not list",
                               column=f"etd.{key}", found=str(judgement), allowed=", ".join((*c.judgements,
                                                                                            "abstain"))))
    return out


def new_vote(scheme: Scheme, recommendation_id: str, member: str, judgements: Mapping[str, str],
             comment: str = "", strength: str | None = None, revision: str | None = None,
             created: str | None = None, etd: Mapping[str, str] | None = None) -> Vote:
    """Build a vote stamped now; raise ValidationError listing every problem (a `no` needs a comment)."""
    vote = Vote(recommendation_id, member.strip(), created or utc_now(), dict(judgements), comment.strip(),
                strength or None, revision or None, etd=dict(etd or {}))
    raise_if_errors(vote_problems(vote.as_json(), f"vote on {recommendation_id} (unsaved)", scheme, saving=True))
    return vote


def file_name(vote: Vote) -> str:
    """'<UTC timestamp>--<member slug>--<8 random hex>.json'."""
    t = vote.when()
    return f"{t:%Y%m%dT%H%M%S}.{t.microsecond:06d}Z--{slug(vote.member)}--{secrets.token_hex(4)}.json"


def write_vote(root: Path, vote: Vote) -> Path:
    """Write a vote as a new file under <root>/evidence/votes/<id>/, atomically, never over another; its path."""
    return write_record(root, root / VOTES_DIR / vote.recommendation_id, vote.as_json(), lambda: file_name(vote),
                        "vote")


def save_vote(guideline: Guideline, vote: Vote, revised: Revised | None = None) -> Path:
    """Check a vote against the guideline and its panel, then write it as a new file; return its path.

    `guideline` is the published guideline; `revised` (apply_revisions of it), when given, is where a vote's
    revision is looked up.
    """
    raise_if_errors(vote_problems(vote.as_json(), f"vote on {vote.recommendation_id} (unsaved)", guideline.scheme,
                                  saving=True))
    rid = vote.recommendation_id
    why = []
    if rid not in guideline.recommendations.index:
        why.append(f"no recommendation {rid} in evidence/recommendations.csv")
    panel = load_panel(guideline)
    if panel is None:
        why.append("the guideline has no panel: list the working group in evidence/panel.csv first")
    elif panel.member(vote.member) is None:
        why.append(f"{vote.member!r} is not on the panel; members: {', '.join(panel.names) or 'none'}")
    if vote.revision and revised is not None:
        why += revision_problems_of(vote, revised)
    elif vote.revision and not (guideline.root / "evidence" / "revisions" / rid / vote.revision).is_file():
        why.append(f"no revision {vote.revision} in evidence/revisions/{rid}/")
    if why:
        raise RevisionError(f"vote on {rid} by {vote.member} was not saved:\n" + "\n".join(why))
    return write_vote(guideline.root, vote)


def revision_problems_of(vote: Vote, revised: Revised) -> list[str]:
    """Why the revision a vote names cannot be what the vote is about ([] when it is an applied revision)."""
    if not vote.revision:
        return []
    mine = [r for r in revised.revisions if r.recommendation_id == vote.recommendation_id
            and r.path is not None and r.path.name == vote.revision]
    if not mine:
        return [f"no revision {vote.revision} in evidence/revisions/{vote.recommendation_id}/"]
    if not any(r is mine[0] for r in revised.applied):
        return [f"the revision {vote.revision} is in conflict with an earlier one and is not applied"]
    return []


# --- loading ---------------------------------------------------------------------------------------------

def load_votes(root: Path | str, scheme: Scheme, recommendation_id: str | None = None) -> tuple[Vote, ...]:
    """Every saved vote of a guideline (or of one recommendation), oldest first; raise ValidationError."""
    root = Path(root)
    votes = load_per_recommendation(root, root / VOTES_DIR, "vote",
                                    lambda path, name: read_vote(path, scheme, name), recommendation_id)
    return tuple(sorted(votes, key=order))


def order(vote: Vote) -> tuple:
    """Votes are ordered by time, then member, then file name."""
    return vote.when(), vote.member, vote.path.name if vote.path else ""


def read_vote(path: Path, scheme: Scheme, name: str | None = None) -> tuple[Vote | None, list[Problem]]:
    """Read one vote file; return it (None when broken) with every problem found."""
    name = name or str(path)
    data, problems = read_checked(path, name, "a vote file as `grading vote` or the Revise notebook saves it; "
                                  "restore it from version control", "2 levels (vote > judgements)",
                                  lambda d, n: vote_problems(d, n, scheme))
    if data is None:
        return None, problems
    return Vote(data["recommendation_id"], data["member"].strip(), data["created"], dict(data["judgements"]),
                data["comment"], data["strength"], data["revision"], path, dict(data.get("etd", {}))), []


# --- which votes count, and what does not fit ------------------------------------------------------------

def current_votes(votes: Iterable[Vote]) -> dict[tuple[str, str], Vote]:
    """Each member's latest vote per recommendation (LATEST-VOTE-COUNTS), keyed by (recommendation, member)."""
    out: dict[tuple[str, str], Vote] = {}
    for v in sorted(votes, key=order):
        out[(v.recommendation_id, v.member)] = v
    return out


def vote_conflicts(votes: Iterable[Vote], revised: Revised) -> list[str]:
    """What in the saved votes the group must look at: votes that cannot be ordered, or that no longer fit."""
    votes = tuple(sorted(votes, key=order))
    out = []
    seen: dict[tuple[str, str, datetime], Vote] = {}
    for v in votes:
        key = (v.recommendation_id, v.member, v.when())
        if key in seen:
            out.append(f"{v.recommendation_id}: two votes by {v.member} at the same time ({seen[key].file()}, "
                       f"{v.file()}); the later file name counts")
        seen[key] = v
        out += [f"{v.recommendation_id}: vote {v.file()} by {v.member}: {p}" for p in revision_problems_of(v, revised)]
    latest_revision: dict[str, datetime] = {}
    for r in revised.applied:
        latest_revision[r.recommendation_id] = max(r.when(), latest_revision.get(r.recommendation_id, r.when()))
    for (rid, member), v in current_votes(votes).items():
        if rid in latest_revision and v.when() < latest_revision[rid]:
            out.append(f"{rid}: {member} voted ({v.file()}) before the recommendation was last revised; "
                       "the vote still counts until the member votes again")
    return out
