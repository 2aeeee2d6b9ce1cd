"""Releases: the guideline as the group publishes it (revisions and votes applied), frozen, with a change log.

What a release is and what changed since one; `render/release.py` writes one (its CHANGES.md is rendered)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..analyses.agreement import Agreement, agreements, load_votes_and_panel, voted_guideline
from ..errors import Problem, UnknownValueError, raise_if_errors
from ..grade import Grading, grade_in
from ..io.files import read_text
from ..io.guideline import Guideline, load_guideline
from ..io.tables import EVIDENCE_COLUMNS
from ..vocab import JUDGEMENTS, OUTCOMES_OF_VOTES, VOTE_QUESTIONS
from .apply import apply_revisions, rows_of
from .etd import CONCLUSION_WORDS, EtdRecord, changed_judgements, etd_histories, load_etds
from .record import Revision, utc_now
from .votes import Vote

FORMAT = "grading-release/1"
RELEASES_DIR = Path("releases")
PUBLISHED = "published"  # the name of the guideline as its folder holds it, before any revision or vote
STATUSES = ("changed", "added", "removed", "reaffirmed")  # of a recommendation in a change log
CHECKSUMS = "SHA256SUMS"  # in every release: the sha256 of each of its files, as `sha256sum -c` reads them
TRACKED = (("text", "text"), ("strength", "published_strength"), ("printed level", "published_level"),
           ("level named in words", "published_level_words_level"), ("justification", "justification"))


@dataclass(frozen=True)
class State:
    """A guideline at one point: its tables and gradings, and the revision and vote files that made it."""

    name: str  # 'published', a release's name, or 'now'
    guideline: Guideline
    revisions: frozenset[str]  # included revision files, relative to the guideline folder
    votes: frozenset[str]  # included vote files, likewise
    created: str = ""
    etd: frozenset[str] = frozenset()  # included Evidence-to-Decision records (evidence/etd/), likewise
    saved_etd: bool = True  # its folder's saved EtD records count; the published guideline has none of them

    def etd_records(self, saved: tuple[EtdRecord, ...] | None = None) -> dict[str, EtdRecord | None]:
        """Each recommendation's EtD in this state (its latest saved record, else what the text records), or {}
        where the scheme declares no framework; `saved`: the records of its folder, read already."""
        if self.guideline.scheme.etd is None:
            return {}
        return {rid: h.current for rid, h in etd_histories(self.guideline, saved if self.saved_etd else ()).items()}

    def grading(self, rid: str) -> Grading:
        return grade_in(self.guideline, self.guideline.recommendation(rid))


@dataclass(frozen=True)
class Now:
    """The guideline as it stands now (revisions and votes applied), with what made it."""

    state: State
    applied: tuple[Revision, ...]
    votes: tuple[Vote, ...]
    agreements: dict[str, Agreement]
    conflicts: tuple[str, ...]
    etds: tuple[EtdRecord, ...] = ()  # every saved Evidence-to-Decision record, oldest first


def _rel(path: Path | None, root: Path) -> str:
    return path.relative_to(root).as_posix() if path is not None else ""


def now_state(guideline: Guideline) -> Now:
    """The published guideline with its saved revisions applied and the agreement its votes give."""
    revised = apply_revisions(guideline)
    panel, votes = load_votes_and_panel(guideline)
    found = agreements(guideline, panel, votes)
    current = voted_guideline(revised.guideline, found)
    root = guideline.root
    etds = load_etds(root, guideline.scheme) if guideline.scheme.etd is not None else ()
    state = State("now", current, frozenset(_rel(r.path, root) for r in revised.applied if r.path),
                  frozenset(_rel(v.path, root) for v in votes if v.path),
                  etd=frozenset(_rel(r.path, root) for r in etds if r.path))
    return Now(state, revised.applied, votes, found, tuple(str(c) for c in revised.conflicts), etds)


def published_state(guideline: Guideline) -> State:
    return State(PUBLISHED, guideline, frozenset(), frozenset(), saved_etd=False)


def release_names(root: Path) -> list[str]:
    """The releases of a guideline folder, oldest first (each verified against its checksums)."""
    folder = root / RELEASES_DIR
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        if p.is_dir() and not p.name.startswith(".") and (p / "changes.json").is_file():
            verify_release(p)
            found.append((read_change_log(p / "changes.json").get("created", ""), p.name))
    return [name for _, name in sorted(found)]


def verify_release(folder: Path) -> None:
    """Refuse a release whose files differ from the checksums recorded when it was made (git keeps no read-only
    bits, so a clone can be edited): a located error naming every changed, missing or added file."""
    name = f"{RELEASES_DIR.as_posix()}/{folder.name}"
    sums_path = folder / CHECKSUMS
    problems: list[Problem] = []
    text, _ = read_text(sums_path, f"{name}/{CHECKSUMS}", problems) if sums_path.is_file() else (None, None)
    if text is None:
        raise_if_errors(problems or [Problem(f"{name}/{CHECKSUMS}", "is missing: a release made by `grading "
                                             "release` records the checksum of every file it holds",
                                             allowed="a release as `grading release` made it, unchanged")])
    assert text is not None
    recorded: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^([0-9a-f]{64})  (\S.*)\Z", line)
        if m is None or ".." in m.group(2).split("/") or m.group(2).startswith("/"):
            problems.append(Problem(f"{name}/{CHECKSUMS}", "is not a line of checksums", line=n, found=line[:80],
                                    allowed="<sha256>  <path inside the release>, as `grading release` wrote it"))
            continue
        recorded[m.group(2)] = m.group(1)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {CHECKSUMS}
    for rel in sorted(set(recorded) | present):
        where = f"{name}/{rel}"
        if rel not in present:
            problems.append(Problem(where, "is missing from the release", allowed="every file the release was "
                                    "made with; a release is never changed"))
        elif rel not in recorded:
            problems.append(Problem(where, "was added to the release after it was made",
                                    allowed="the files the release was made with; a release is never changed"))
        elif hashlib.sha256((folder / rel).read_bytes()).hexdigest() != recorded[rel]:
            problems.append(Problem(where, "was changed after the release was made: its checksum differs from the "
                                    f"one in {CHECKSUMS}", allowed="the file as released; a release is never "
                                    "changed (restore it from git, or make a new release)"))
    raise_if_errors(problems)


def release_state(guideline: Guideline, name: str) -> State:
    """A release of this guideline, verified against its checksums and loaded as the guideline folder it is."""
    folder = guideline.root / RELEASES_DIR / name
    if not (folder / "changes.json").is_file():
        raise UnknownValueError("release", name, release_names(guideline.root) or ["(none made yet)"])
    verify_release(folder)
    data = read_change_log(folder / "changes.json")
    # A release made before EtD records were released holds none: its EtD is what its tables record (ETD-FROM-TEXT).
    return State(name, load_guideline(folder, guideline.scheme), frozenset(data.get("revisions", [])),
                 frozenset(data.get("votes", [])), str(data.get("created", "")), frozenset(data.get("etd", [])))


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
    raise_if_errors(log_problems(data, str(path)))
    return data


# The shape of changes.json, checked like any other input: key -> type, a list's item, or a nested shape.
_TEXT, _COUNT, _MAYBE = (str,), (int,), (str, type(None))
_CHANGE = {"what": _TEXT, "before": _MAYBE, "after": _MAYBE}
_ROW = {c: _MAYBE for c in ("reference", "design", "quality", "finding")}
_ENTRY = {"id": _TEXT, "status": _TEXT, "topic": _TEXT, "changed": [_CHANGE], "judgements": [_CHANGE],
          "evidence": {"added": [_ROW], "removed": [_ROW],
                       "reappraised": [{"reference": _MAYBE, "design": _MAYBE, "changes": dict}]},
          "revisions": [{k: _MAYBE for k in ("file", "author", "created", "rationale", "justification")}],
          "new_votes": _COUNT, "agreement": (dict, type(None))}
# Keys a change log holds since EtD records are released; a log made before has none of them and reads as before.
_LOG_SINCE_ETD = {"etd": [str]}
_ENTRY_SINCE_ETD = {"etd": [_CHANGE], "etd_records": [{k: _MAYBE for k in ("file", "author", "created")}]}
_LOG = {"format": _TEXT, "created": _TEXT, "since": _TEXT, "scheme": _TEXT, "revisions": [str], "votes": [str],
        "conflicts": [str], "unchanged": _COUNT, "recommendations": [_ENTRY]}


def log_problems(data: dict, name: str) -> list[Problem]:
    """Where a change log departs from the shape `grading release` writes: each problem names the key's path."""
    problems: list[Problem] = []

    def check(value: object, shape: object, where: str) -> None:
        if isinstance(shape, dict):
            if not isinstance(value, dict):
                problems.append(Problem(name, "holds no JSON object here", column=where or "(top)",
                                        found=type(value).__name__, allowed="an object, as `grading release` "
                                                                            "writes it"))
                return
            for key, inner in shape.items():
                if key not in value:
                    problems.append(Problem(name, "lacks a key `grading release` writes", column=f"{where}.{key}"
                                            .lstrip("."), allowed="changes.json as `grading release` writes it"))
                else:
                    check(value[key], inner, f"{where}.{key}".lstrip("."))
        elif isinstance(shape, list):
            if not isinstance(value, list):
                problems.append(Problem(name, "holds no list here", column=where, found=type(value).__name__,
                                        allowed="a list, as `grading release` writes it"))
                return
            for i, item in enumerate(value):
                check(item, shape[0], f"{where}[{i}]")
        elif not isinstance(value, shape) or isinstance(value, bool):  # type: ignore[arg-type]
            kinds = " or ".join("null" if t is type(None) else {str: "text", int: "a whole number",
                                                                   dict: "an object"}.get(t, t.__name__)
                                for t in (shape if isinstance(shape, tuple) else (shape,)))
            problems.append(Problem(name, "holds a value of the wrong kind", column=where,
                                    found=repr(value)[:60], allowed=kinds))

    check(data, _LOG, "")
    check(data, {k: v for k, v in _LOG_SINCE_ETD.items() if k in data}, "")
    tally = {"outcome": _TEXT, "yes": _COUNT, "no": _COUNT, "abstain": _COUNT, "recused": _COUNT, "rule": _TEXT,
             "because": _TEXT}
    entries = data.get("recommendations")
    for i, e in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(e, dict):
            continue
        check(e, {k: v for k, v in _ENTRY_SINCE_ETD.items() if k in e}, f"recommendations[{i}]")
        if isinstance(e.get("status"), str) and e["status"] not in STATUSES:
            problems.append(Problem(name, "unknown status", column=f"recommendations[{i}].status", found=e["status"],
                                    allowed=", ".join(STATUSES)))
        if isinstance(e.get("agreement"), dict) and e["agreement"]:
            check(e["agreement"], {q: tally for q in VOTE_QUESTIONS} | {"not_counted": [str], "proposed": dict},
                  f"recommendations[{i}].agreement")
            for q in VOTE_QUESTIONS:
                outcome = e["agreement"].get(q, {}).get("outcome") if isinstance(e["agreement"].get(q), dict) \
                    else None
                if isinstance(outcome, str) and outcome not in OUTCOMES_OF_VOTES:
                    problems.append(Problem(name, "unknown outcome", column=f"recommendations[{i}].agreement.{q}"
                                            ".outcome", found=outcome, allowed=", ".join(OUTCOMES_OF_VOTES)))
    return problems[:20]  # a file damaged throughout says enough in twenty lines


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
    etd_before, etd_after = base.etd_records(), now.state.etd_records(now.etds)
    for rid in dict.fromkeys(new_ids + old_ids):
        revs = [r for r in now.applied if r.recommendation_id == rid and _rel(r.path, root) not in base.revisions]
        votes = [v for v in now.votes if v.recommendation_id == rid and _rel(v.path, root) not in base.votes]
        etds = [r for r in now.etds if r.recommendation_id == rid and _rel(r.path, root) not in base.etd]
        agreement = now.agreements.get(rid)
        entry: dict = {"id": rid, "revisions": [_revision_json(r, root) for r in revs], "new_votes": len(votes),
                       "agreement": _agreement_json(agreement) if agreement else None,
                       "etd_records": [{"file": _rel(r.path, root), "author": r.author, "created": r.created}
                                       for r in etds]}
        if rid not in old_ids or rid not in new_ids:
            g = new_g if rid in new_ids else old_g
            entry.update(status="added" if rid in new_ids else "removed", topic=g.recommendation(rid).topic,
                         changed=[], judgements=[], evidence={"added": [], "removed": [], "reappraised": []}, etd=[])
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
        etd = etd_changes(etd_before.get(rid), etd_after.get(rid), new_g)
        is_changed = bool(changed) or any(ev.values()) or bool(etd)
        if not (is_changed or revs or votes or etds):
            untouched += 1
            continue
        entry.update(status="changed" if is_changed else "reaffirmed", topic=new.topic, changed=changed,
                     judgements=[{"what": j, "before": old.judgements[j], "after": new.judgements[j]}
                                 for j in JUDGEMENTS if old.judgements[j] != new.judgements[j]], evidence=ev,
                     etd=etd)
        if is_changed and not (revs or votes or etds):
            entry["note"] = "no revision or vote since the earlier state records this change (the tables were edited)"
        entries.append(entry)
    return {"format": FORMAT, "release": name, "created": utc_now(), "note": note.strip(), "since": base.name,
            "since_created": base.created, "scheme": new_g.scheme.describe(),
            "revisions": sorted(now.state.revisions), "votes": sorted(now.state.votes),
            "etd": sorted(now.state.etd), "conflicts": list(now.conflicts), "unchanged": untouched,
            "recommendations": entries}


def etd_changes(before: EtdRecord | None, after: EtdRecord | None, guideline: Guideline) -> list[dict]:
    """The EtD judgements (and the conclusion's strength, direction and type) that differ, each named in words.
    Where both are what the text records, its tables' changes (judgements, strength) say it already: none."""
    if (before is None or before.from_text) and (after is None or after.from_text):
        return []
    etd = guideline.scheme.etd
    out = []
    for what, a, b in changed_judgements(before, after):
        if what.startswith("conclusion "):
            field = what.removeprefix("conclusion ")
            words = f"conclusion: {CONCLUSION_WORDS.get(field, field).lower()}"
        else:
            criterion = etd.criterion(what) if etd is not None else None
            words = criterion.name if criterion is not None else what
        out.append({"what": words, "key": what, "before": a or None, "after": b or None})
    return out


def _revision_json(r: Revision, root: Path) -> dict:
    return {"file": _rel(r.path, root), "author": r.author, "created": r.created, "rationale": r.rationale,
            "justification": r.justification}


def _agreement_json(a: Agreement) -> dict:
    return {q: {**t.as_dict(), "rule": t.rule, "because": t.because} for q, t in a.tallies.items()} | {
        "voters": [b.vote.member for b in a.ballots if b.counted], "proposed": dict(a.proposed),
        "not_counted": [f"{b.vote.member}: {b.why_not}" for b in a.ballots if not b.counted]}
