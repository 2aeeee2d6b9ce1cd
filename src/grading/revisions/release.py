"""Releases: the guideline as the group publishes it (revisions and votes applied), frozen, with a change log.

What a release is and what changed since one; `render/release.py` writes one (its CHANGES.md is rendered)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..analyses.agreement import Agreement, agreements, load_votes_and_panel, voted_guideline
from ..errors import Problem, UnknownValueError, raise_if_errors
from ..grade import Grading, grade
from ..io.files import read_text
from ..io.guideline import Guideline, load_guideline
from ..io.tables import EVIDENCE_COLUMNS
from ..vocab import JUDGEMENTS
from .apply import apply_revisions, rows_of
from .record import Revision, utc_now
from .votes import Vote

FORMAT = "grading-release/1"
RELEASES_DIR = Path("releases")
PUBLISHED = "published"  # the name of the guideline as its folder holds it, before any revision or vote
TRACKED = (("text", "text"), ("strength", "published_strength"), ("printed level", "published_level"),
           ("justification", "justification"))


@dataclass(frozen=True)
class State:
    """A guideline at one point: its tables and gradings, and the revision and vote files that made it."""

    name: str  # 'published', a release's name, or 'now'
    guideline: Guideline
    revisions: frozenset[str]  # included revision files, relative to the guideline folder
    votes: frozenset[str]  # included vote files, likewise
    created: str = ""

    def grading(self, rid: str) -> Grading:
        g = self.guideline
        return grade(g.recommendation(rid), g.studies(rid), g.scheme)


@dataclass(frozen=True)
class Now:
    """The guideline as it stands now (revisions and votes applied), with what made it."""

    state: State
    applied: tuple[Revision, ...]
    votes: tuple[Vote, ...]
    agreements: dict[str, Agreement]
    conflicts: tuple[str, ...]


def _rel(path: Path | None, root: Path) -> str:
    return path.relative_to(root).as_posix() if path is not None else ""


def now_state(guideline: Guideline) -> Now:
    """The published guideline with its saved revisions applied and the agreement its votes give."""
    revised = apply_revisions(guideline)
    panel, votes = load_votes_and_panel(guideline)
    found = agreements(guideline, panel, votes)
    current = voted_guideline(revised.guideline, found)
    root = guideline.root
    state = State("now", current, frozenset(_rel(r.path, root) for r in revised.applied if r.path),
                  frozenset(_rel(v.path, root) for v in votes if v.path))
    return Now(state, revised.applied, votes, found, tuple(str(c) for c in revised.conflicts))


def published_state(guideline: Guideline) -> State:
    return State(PUBLISHED, guideline, frozenset(), frozenset())


def release_names(root: Path) -> list[str]:
    """The releases of a guideline folder, oldest first."""
    folder = root / RELEASES_DIR
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        if p.is_dir() and not p.name.startswith(".") and (p / "changes.json").is_file():
            found.append((read_change_log(p / "changes.json").get("created", ""), p.name))
    return [name for _, name in sorted(found)]


def release_state(guideline: Guideline, name: str) -> State:
    """A release of this guideline, loaded as the guideline folder it is."""
    folder = guideline.root / RELEASES_DIR / name
    if not (folder / "changes.json").is_file():
        raise UnknownValueError("release", name, release_names(guideline.root) or ["(none made yet)"])
    data = read_change_log(folder / "changes.json")
    return State(name, load_guideline(folder, guideline.scheme), frozenset(data.get("revisions", [])),
                 frozenset(data.get("votes", [])), str(data.get("created", "")))


def base_state(guideline: Guideline, since: str | None) -> State:
    """What a change log starts from: the release named, else the latest release, else the published guideline."""
    if since == PUBLISHED:
        return published_state(guideline)
    if since is not None:
        return release_state(guideline, since)
    names = release_names(guideline.root)
    return release_state(guideline, names[-1]) if names else published_state(guideline)


def read_change_log(path: Path) -> dict:
    """A release's changes.json as a dict; a located error when it is no regular file or no JSON object."""
    problems: list[Problem] = []
    text, _ = read_text(path, str(path), problems)  # a regular file only: a FIFO or /dev/zero is never read
    raise_if_errors(problems)
    try:
        data = json.loads(text or "")
    except (RecursionError, json.JSONDecodeError) as e:
        raise_if_errors([Problem(str(path), f"cannot be read as a release's change log: {e}",
                                 allowed="changes.json as `grading release` writes it")])
    if not isinstance(data, dict):
        raise_if_errors([Problem(str(path), "does not hold a JSON object", allowed="changes.json as written")])
    return data


# --- what changed ------------------------------------------------------------------------------------------

def evidence_changes(before: list[dict], after: list[dict]) -> dict[str, list]:
    """Rows added, removed and re-appraised (the same reference, or the same basis phrase, with other values)."""
    left, right = list(before), list(after)
    for row in list(right):
        if row in left:
            left.remove(row)
            right.remove(row)

    def key(r: dict) -> tuple:
        return ("ref", r["reference"]) if r["reference"] else ("phrase", r["design"], r["documentation"])

    reappraised = []
    for old in list(left):
        new = next((r for r in right if key(r) == key(old)), None)
        if new is not None:
            left.remove(old)
            right.remove(new)
            reappraised.append({"reference": new["reference"], "design": new["design"],
                                "changes": {c: [old[c], new[c]] for c in EVIDENCE_COLUMNS if old[c] != new[c]}})
    return {"added": right, "removed": left, "reappraised": reappraised}


def change_log(base: State, now: Now, name: str, note: str = "") -> dict:
    """The change log from `base` to `now`, as the JSON object a release saves (changes.json)."""
    root = now.state.guideline.root
    old_g, new_g = base.guideline, now.state.guideline
    old_ids, new_ids = list(old_g.recommendations.index), list(new_g.recommendations.index)
    entries, untouched = [], 0
    for rid in dict.fromkeys(new_ids + old_ids):
        revs = [r for r in now.applied if r.recommendation_id == rid and _rel(r.path, root) not in base.revisions]
        votes = [v for v in now.votes if v.recommendation_id == rid and _rel(v.path, root) not in base.votes]
        agreement = now.agreements.get(rid)
        entry: dict = {"id": rid, "revisions": [_revision_json(r, root) for r in revs], "new_votes": len(votes),
                       "agreement": _agreement_json(agreement) if agreement else None}
        if rid not in old_ids or rid not in new_ids:
            g = new_g if rid in new_ids else old_g
            entry.update(status="added" if rid in new_ids else "removed", topic=g.recommendation(rid).topic,
                         changed=[], judgements=[], evidence={"added": [], "removed": [], "reappraised": []})
            entries.append(entry)
            continue
        old, new = old_g.recommendation(rid), new_g.recommendation(rid)
        a, b = base.grading(rid), now.state.grading(rid)
        changed = [{"what": what, "before": getattr(old, attr), "after": getattr(new, attr)}
                   for what, attr in TRACKED if getattr(old, attr) != getattr(new, attr)]
        changed += [{"what": what, "before": x, "after": y} for what, x, y in (
            ("derived level", a.derived_level, b.derived_level),
            ("derived strength", a.derived_strength, b.derived_strength),
            ("verdict", a.comparison.verdict, b.comparison.verdict)) if x != y]
        ev = evidence_changes(rows_of(old_g, rid), rows_of(new_g, rid))
        is_changed = bool(changed) or any(ev.values())
        if not (is_changed or revs or votes):
            untouched += 1
            continue
        entry.update(status="changed" if is_changed else "reaffirmed", topic=new.topic, changed=changed,
                     judgements=[{"what": j, "before": old.judgements[j], "after": new.judgements[j]}
                                 for j in JUDGEMENTS if old.judgements[j] != new.judgements[j]], evidence=ev)
        if is_changed and not (revs or votes):
            entry["note"] = "no revision or vote since the earlier state records this change (the tables were edited)"
        entries.append(entry)
    return {"format": FORMAT, "release": name, "created": utc_now(), "note": note.strip(), "since": base.name,
            "since_created": base.created, "scheme": new_g.scheme.describe(),
            "revisions": sorted(now.state.revisions), "votes": sorted(now.state.votes),
            "conflicts": list(now.conflicts), "unchanged": untouched, "recommendations": entries}


def _revision_json(r: Revision, root: Path) -> dict:
    return {"file": _rel(r.path, root), "author": r.author, "created": r.created, "rationale": r.rationale,
            "justification": r.justification}


def _agreement_json(a: Agreement) -> dict:
    return {q: {**t.as_dict(), "rule": t.rule, "because": t.because} for q, t in a.tallies.items()} | {
        "voters": [b.vote.member for b in a.ballots if b.counted], "proposed": dict(a.proposed),
        "not_counted": [f"{b.vote.member}: {b.why_not}" for b in a.ballots if not b.counted]}
