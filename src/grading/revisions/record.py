"""Revision files: one working-group change to one recommendation, validated, saved atomically, read back."""

from __future__ import annotations

import json
import os  # noqa: F401  (tests interrupt a save through os.link)
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ..errors import Problem, RevisionError, raise_if_errors
from ..io.files import decode_utf8, read_bytes, refuse_packaged, write_new
from ..io.labels import is_rec_id
from ..io.manifest import Manifest
from ..io.tables import EVIDENCE_COLUMNS, EVIDENCE_SPEC, NEUTRAL, Column, evidence_spec
from ..scheme import Scheme
from ..vocab import AGREEMENT, JUDGEMENTS

FORMAT = "grading-revision/1"
REVISIONS_DIR = Path("evidence") / "revisions"
MAX_BYTES = 4 * 1024 * 1024  # a revision of a few rows is a few kilobytes; a thousand edited rows fit
# A revision nests 4 deep (object > changes > change > row); a little deeper is a hand edit that gets its field
# named, far deeper is no revision at all and is refused before anything walks it.
MAX_DEPTH = 32
ACTIONS = {"add": (False, True), "edit": (True, True), "remove": (True, False)}  # action -> (before?, after?)
FIELDS = ("format", "recommendation_id", "author", "created", "rationale", "justification", "judgements",
          "published_strength", "changes")
OPTIONAL_FIELDS = ("text",)  # a revised wording of the recommendation; absent or null: the text stands

Row = Mapping[str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """One change to an evidence row: add (after only), edit (before and after) or remove (before only)."""

    action: str
    before: Row | None = None
    after: Row | None = None

    def as_json(self) -> dict:
        return {"action": self.action, "before": _plain(self.before), "after": _plain(self.after)}


@dataclass(frozen=True)
class Revision:
    """A working group's revision of one recommendation: its evidence changes, judgements and reasons."""

    recommendation_id: str
    author: str
    created: str  # UTC, ISO 8601, e.g. 2025-11-26T15:30:12.123456Z
    rationale: str
    judgements: Mapping[str, str]  # those the group records here; one left out stands as before
    changes: tuple[Change, ...] = ()
    justification: str = ""  # replaces the recorded one: why the revised strength deviates, if it does
    published_strength: str | None = None  # None: the published strength stands
    path: Path | None = field(default=None, compare=False)  # where it was loaded from or saved to
    text: str | None = None  # the recommendation's revised wording; None: the text stands

    def as_json(self) -> dict:
        """The JSON object saved for this revision."""
        return {"format": FORMAT, "recommendation_id": self.recommendation_id, "author": self.author,
                "created": self.created, "rationale": self.rationale, "justification": self.justification,
                "judgements": dict(self.judgements), "published_strength": self.published_strength,
                "changes": [c.as_json() for c in self.changes], **({"text": self.text} if self.text else {})}

    def when(self) -> datetime:
        """The creation time as an aware UTC datetime."""
        return _parse_time(self.created)

    def label(self) -> str:
        """'2025-11-26 15:30 UTC by Kari Nordmann'."""
        return f"{self.when():%Y-%m-%d %H:%M} UTC by {self.author}"


# --- building and validating -----------------------------------------------------------------------------

def utc_now() -> str:
    """The current UTC time as saved in a revision."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_revision(scheme: Scheme, recommendation_id: str, author: str, rationale: str, judgements: Mapping[str, str],
                 changes: Iterable[Change] = (), justification: str = "", published_strength: str | None = None,
                 created: str | None = None, text: str | None = None) -> Revision:
    """Build a revision stamped now; raise ValidationError listing every problem with it.

    `judgements` names the judgements the group records with this revision; one it leaves out stands as before.
    """
    rev = Revision(recommendation_id, author.strip(), created or utc_now(), rationale.strip(), dict(judgements),
                   tuple(Change(c.action, full_row(c.before), full_row(c.after)) for c in changes),
                   justification.strip(), published_strength or None, text=(text or "").strip() or None)
    raise_if_errors(revision_problems(rev.as_json(), f"revision of {recommendation_id} (unsaved)", scheme))
    return rev


def revision_problems(data: object, file: str, scheme: Scheme, manifest: Manifest = NEUTRAL) -> list[Problem]:
    """Every problem with a revision's JSON object, each naming the field, what was found and what is allowed; its
    evidence rows keep to the vocabularies of the guideline's `manifest`."""
    if not isinstance(data, dict):
        return [Problem(file, "the file does not hold a JSON object", found=type(data).__name__,
                        allowed="an object with the fields " + ", ".join(FIELDS))]
    out = [Problem(file, f"field '{k}' is unknown", found=str(k), allowed=", ".join(FIELDS))
           for k in data if k not in FIELDS + OPTIONAL_FIELDS]
    out += [Problem(file, f"field '{k}' is missing", allowed=_ALLOWED.get(k, "see the revision format"))
            for k in FIELDS if k not in data]

    def bad(name: str, message: str, value: object, allowed: str) -> None:
        out.append(Problem(file, f"field '{name}' {message}", found=_shown(value), allowed=allowed))

    if "format" in data and data["format"] != FORMAT:
        bad("format", "names an unknown format", data["format"], FORMAT)
    rid = data.get("recommendation_id")
    if "recommendation_id" in data and not (isinstance(rid, str) and is_rec_id(rid)):
        bad("recommendation_id", "is not a recommendation id", rid, _ALLOWED["recommendation_id"])
    for name in ("author", "rationale"):
        if name in data and not (isinstance(data[name], str) and data[name].strip()):
            bad(name, "is required", data[name], _ALLOWED[name])
    if data.get("text") is not None and not (isinstance(data["text"], str) and data["text"].strip()):
        bad("text", "must be the revised wording", data["text"], "null (the text stands) or the new text")
    if "justification" in data and not isinstance(data["justification"], str):
        bad("justification", "must be text", data["justification"], _ALLOWED["justification"])
    if "created" in data:
        try:
            _parse_time(data["created"])
        except (TypeError, ValueError):
            bad("created", "is not a UTC time", data["created"], _ALLOWED["created"])
    strength = data.get("published_strength")
    if strength is not None and not (isinstance(strength, str) and strength and scheme.is_valid_strength(strength)):
        bad("published_strength", "is not a strength", strength,
            "null (unchanged) or " + scheme.allowed_strengths().removesuffix(", or empty"))
    judgements = data.get("judgements")
    if "judgements" in data:
        if not isinstance(judgements, dict):
            bad("judgements", "must be an object", judgements, _ALLOWED["judgements"])
        else:
            for k, v in judgements.items():
                if k not in JUDGEMENTS:
                    bad(f"judgements.{k}", "is not a judgement", k, ", ".join(JUDGEMENTS))
                elif v not in AGREEMENT:
                    bad(f"judgements.{k}", "has an unknown value", v, ", ".join(AGREEMENT))
    changes = data.get("changes")
    if "changes" in data and not isinstance(changes, list):
        bad("changes", "must be a list", changes, _ALLOWED["changes"])
    elif isinstance(changes, list):
        spec = evidence_spec(manifest)
        for i, ch in enumerate(changes):
            out += _change_problems(ch, f"changes[{i}]", rid if isinstance(rid, str) and is_rec_id(rid) else None,
                                    file, spec)
    return out


_ALLOWED = {
    "format": FORMAT,
    "recommendation_id": "an id from recommendations.csv, e.g. 7.1.1-11",
    "author": "the name of the working-group member (not empty)",
    "created": "a UTC time in ISO 8601, e.g. 2025-11-26T15:30:12.123456Z",
    "rationale": "why the group revised the recommendation (not empty)",
    "justification": "text (empty when the strength agrees with its evidence)",
    "judgements": "an object {" + ", ".join(f'"{j}": yes|no|unrecorded' for j in JUDGEMENTS)
                  + "}; a judgement left out stands as before",
    "changes": 'a list of {"action": add|edit|remove, "before": row or null, "after": row or null}',
}


def _change_problems(ch: object, name: str, rid: str | None, file: str, spec: tuple[Column, ...]) -> list[Problem]:
    if not isinstance(ch, dict):
        return [Problem(file, f"field '{name}' must be an object", found=_shown(ch), allowed=_ALLOWED["changes"])]
    out = [Problem(file, f"field '{name}.{k}' is unknown", found=str(k), allowed="action, before, after")
           for k in ch if k not in ("action", "before", "after")]
    action = ch.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        return out + [Problem(file, f"field '{name}.action' is missing or unknown", found=_shown(action),
                              allowed=", ".join(ACTIONS))]
    for side, wanted in zip(("before", "after"), ACTIONS[action]):
        row = ch.get(side)
        if not wanted:
            if row is not None:
                out.append(Problem(file, f"field '{name}.{side}' must be null for {action}", found=_shown(row),
                                   allowed="null"))
        elif not isinstance(row, dict):
            out.append(Problem(file, f"field '{name}.{side}' must be an evidence row for {action}",
                               found=_shown(row), allowed="an object with the columns of evidence.csv: "
                               + ", ".join(EVIDENCE_COLUMNS)))
        else:
            out += row_problems(row, f"{name}.{side}", rid, file, spec)
    return out


def _field(name: str, column: str) -> str:
    return f"field '{name}.{column}'" if name else column


def row_problems(row: Mapping[str, object], name: str, rid: str | None, file: str,
                 spec: tuple[Column, ...] = EVIDENCE_SPEC) -> list[Problem]:
    """Problems with one evidence row of a change, checked against the evidence.csv column specs (`spec`: those of
    the guideline's manifest, `evidence_spec(manifest)`).

    `name` is the row's field in the file ('changes[0].after'); with '' each message names only the column."""
    out = [Problem(file, f"{_field(name, str(k))} is not a column of evidence.csv", column=str(k), found=str(k),
                   allowed=", ".join(EVIDENCE_COLUMNS)) for k in row if k not in EVIDENCE_COLUMNS]
    for col in spec:
        value = row.get(col.name, "")
        where = _field(name, col.name)
        if not isinstance(value, str):
            out.append(Problem(file, f"{where} must be text", column=col.name, found=_shown(value),
                               allowed=f'text, e.g. "{"91" if col.name == "reference" else "good"}"'))
        elif value == "" and col.required:
            out.append(Problem(file, f"{where} is required", column=col.name, found="",
                               allowed=col.allowed or "any text"))
        elif value and col.check and not col.check(value):
            out.append(Problem(file, f"{where} has an unknown value", column=col.name, found=value,
                               allowed=col.allowed))
    if rid is not None and row.get("recommendation_id") not in (None, "", rid):
        out.append(Problem(file, f"{_field(name, 'recommendation_id')} names another recommendation",
                           column="recommendation_id", found=_shown(row.get("recommendation_id")), allowed=rid))
    return out


# --- saving and loading ----------------------------------------------------------------------------------
def write_revision(root: Path, revision: Revision) -> Path:
    """Write a revision as a new file under <root>/evidence/revisions/<id>/, atomically; return its path."""
    rid = revision.recommendation_id
    if not (isinstance(rid, str) and is_rec_id(rid)):  # it names a folder: never '../x' or an id with a newline
        raise RevisionError(f"{rid!r} is not a recommendation id; allowed: {_ALLOWED['recommendation_id']}; "
                            "nothing was written")
    return write_record(root, root / REVISIONS_DIR / rid, revision.as_json(), lambda: file_name(revision), "revision")


def write_record(root: Path, folder: Path, data: Mapping[str, object], name: Callable[[], str], what: str) -> Path:
    """Write a revision's or a vote's JSON as a new file in `folder` (made if missing), atomically and never over
    another; return its path. A failure is a RevisionError naming the folder: nothing was written."""
    raw = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return write_record_bytes(root, folder, raw, name, what)


def write_record_bytes(root: Path, folder: Path, raw: bytes, name: Callable[[], str], what: str) -> Path:
    """Write a record's bytes as a new file in `folder` (made if missing), atomically and never over another;
    return its path. A failure is a RevisionError naming the folder: nothing was written."""
    if len(raw) > MAX_BYTES:  # the write keeps the read's limit: a file every later command refuses is never saved
        raise RevisionError(f"{_rel(folder, root)}: the {what} was not saved: it would take {len(raw):,} bytes, more "
                            f"than the {MAX_BYTES:,} every command reads back; nothing was written — split the change "
                            "into several smaller ones")
    refuse_packaged(folder)  # before a folder is made there
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return write_new(folder, raw, name)
    except OSError as e:
        raise RevisionError(f"{_rel(folder, root)}: the {what} could not be saved "
                            f"({e.strerror or e}); nothing was written") from e


def file_name(revision: Revision) -> str:
    """'<UTC timestamp>--<author slug>--<8 random hex>.json'."""
    t = revision.when()
    return f"{t:%Y%m%dT%H%M%S}.{t.microsecond:06d}Z--{slug(revision.author)}--{secrets.token_hex(4)}.json"


_LETTERS: dict[str, str | int | None] = {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "ł": "l"}
_ASCII = str.maketrans(_LETTERS)


def slug(text: str) -> str:
    """A file-name-safe ASCII form of a name: 'Kåre Ødegård' -> 'kare-odegard'."""
    text = text.translate(_ASCII)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-") or "author"


def load_per_recommendation(root: Path, folder: Path, kind: str, read: Callable[[Path, str], tuple[T | None,
                            list[Problem]]], recommendation_id: str | None = None) -> list[T]:
    """The files under `folder`/<recommendation id>/, each read by `read(path, name)`; every problem found is raised.

    A file must sit in the folder of the recommendation it names; dot-files are interrupted saves and skipped."""
    if recommendation_id is not None and not is_rec_id(recommendation_id):
        raise RevisionError(f"{recommendation_id!r} is not a recommendation id; allowed: "
                            f"{_ALLOWED['recommendation_id']}")
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    if recommendation_id is not None:
        folders = [folder / recommendation_id] if (folder / recommendation_id).is_dir() else []
    else:
        folders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        problems += [Problem(_rel(p, root), f"a {kind} file must be in the folder of its recommendation",
                             allowed=f"{_rel(folder, root)}/<recommendation id>/<file>.json")
                     for p in sorted(folder.glob("*.json"))]
    found_items: list[T] = []
    for sub in folders:
        for path in sorted(sub.glob("*.json")):
            if path.name.startswith("."):
                continue  # a temporary file left by an interrupted save
            item, found = read(path, _rel(path, root))
            problems += found
            rid = getattr(item, "recommendation_id", None)
            if item is not None and rid != sub.name:
                problems.append(Problem(_rel(path, root), "field 'recommendation_id' does not match the folder",
                                        found=rid, allowed=sub.name))
            elif item is not None:
                found_items.append(item)
    raise_if_errors(problems)
    return found_items


def load_revisions(root: Path | str, scheme: Scheme, recommendation_id: str | None = None,
                   manifest: Manifest = NEUTRAL) -> tuple[Revision, ...]:
    """All saved revisions of a guideline (or one recommendation), ordered by (created, author, file name); their
    evidence rows keep to the vocabularies of the guideline's `manifest`."""
    root = Path(root)
    revisions = load_per_recommendation(root, root / REVISIONS_DIR, "revision",
                                        lambda path, name: read_revision(path, scheme, name, manifest),
                                        recommendation_id)
    return tuple(sorted(revisions, key=lambda r: (r.when(), r.author, r.path.name if r.path else "")))


def read_revision(path: Path, scheme: Scheme, name: str | None = None,
                  manifest: Manifest = NEUTRAL) -> tuple[Revision | None, list[Problem]]:
    """Read one revision file; return it (None when broken) with every problem found."""
    name = name or str(path)
    ok, data, problems = read_json(path, name, "a revision file as the Revise notebook saves it; restore it from "
                                   "version control or delete it", "4 levels (revision > changes > change > row)")
    if not ok:
        return None, problems
    problems = revision_problems(data, name, scheme, manifest)
    if problems:
        return None, problems
    assert isinstance(data, dict)  # else a problem was returned above
    changes = tuple(Change(c["action"], full_row(c.get("before")), full_row(c.get("after"))) for c in data["changes"])
    return Revision(data["recommendation_id"], data["author"], data["created"], data["rationale"],
                    dict(data["judgements"]), changes, data["justification"], data["published_strength"],
                    path, data.get("text")), []


def read_json(path: Path, name: str, hint: str, shape: str) -> tuple[bool, object, list[Problem]]:
    """A small saved JSON file (a revision, a vote): (True, its value, []) or (False, None, located problems).

    Only a regular file up to MAX_BYTES is read, and a value nested deeper than MAX_DEPTH is refused before anything
    walks it (Python's JSON reader itself gives up near 1,000 levels)."""
    problems: list[Problem] = []
    raw = read_bytes(path, name, problems, max_bytes=MAX_BYTES)
    if raw is None:
        return False, None, problems
    if not raw.strip():
        return False, None, [Problem(name, "the file is empty (an interrupted copy?)", line=1, allowed=hint)]
    text = decode_utf8(raw, name, problems, allowed="UTF-8 JSON")
    if text is None:
        return False, None, problems
    try:
        data = json.loads(text)
        depth: int | None = _depth(data)
    except json.JSONDecodeError as e:
        # A saved file always ends with its closing brace; without it the file was cut short.
        broken = "the file is not valid JSON" if raw.rstrip().endswith(b"}") else \
            "the file ends too early (truncated?) and is not valid JSON"
        return False, None, [Problem(name, f"{broken} ({e.msg}: column {e.colno})", line=e.lineno, allowed=hint)]
    except RecursionError:
        depth = None
    if depth is None or depth > MAX_DEPTH:
        shown = "deeper than Python's JSON reader follows" if depth is None else f"more than {MAX_DEPTH} levels"
        return False, None, [Problem(name, "the file nests lists or objects too deeply", found=shown,
                                     allowed=f"{shape}; {hint}")]
    return True, data, []


def object_problems(data: object, file: str, fields: tuple[str, ...], allowed: Mapping[str, str]) -> list[Problem]:
    """A saved record's shape (an appraisal, an EtD): a JSON object with exactly `fields`; each unknown or missing
    field a located problem, `allowed` saying what each field takes."""
    if not isinstance(data, dict):
        return [Problem(file, "the file does not hold a JSON object", found=type(data).__name__,
                        allowed="an object with the fields " + ", ".join(fields))]
    out = [Problem(file, f"field '{k}' is unknown", column=str(k), found=str(k), allowed=", ".join(fields))
           for k in data if k not in fields]
    return out + [Problem(file, f"field '{k}' is missing", column=k, allowed=allowed[k]) for k in fields
                  if k not in data]


def read_checked(path: Path, name: str, hint: str, shape: str, check: Callable[[object, str], list[Problem]]
                 ) -> tuple[dict | None, list[Problem]]:
    """A saved record's JSON object (a vote, an appraisal, an EtD) read and checked by `check(data, name)`: (the
    object, []) or (None, every located problem)."""
    ok, data, problems = read_json(path, name, hint, shape)
    if not ok:
        return None, problems
    problems = check(data, name)
    if problems or not isinstance(data, dict):
        return None, problems
    return data, []


# --- small helpers ---------------------------------------------------------------------------------------

def _depth(value: object) -> int:
    """How deeply lists and objects nest in a JSON value (a scalar is 0), counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest  # enough to refuse it; no need to walk the rest
        stack.extend((c, level + 1) for c in children)
    return deepest

def full_row(row: Mapping | None) -> dict | None:
    if row is None:
        return None
    return {c: (row.get(c, "") if row.get(c) is not None else "") for c in EVIDENCE_COLUMNS}


def _plain(row: Row | None) -> dict | None:
    return None if row is None else {c: row.get(c, "") for c in EVIDENCE_COLUMNS}


def signed_and_dated_problems(data: Mapping[str, object], bad: Callable[[str, str, object], None], fmt: str,
                              who: str = "member") -> None:
    """What every saved record of a member (a vote, an appraisal) checks alike: its format, who made it (`who`, a
    name), and when (a UTC time); each problem reported through `bad(field, message, value)`."""
    if "format" in data and data["format"] != fmt:
        bad("format", "names an unknown format", data["format"])
    if who in data and not (isinstance(data[who], str) and str(data[who]).strip()):
        bad(who, "is required", data[who])
    if "created" in data:
        try:
            _parse_time(data["created"])
        except (TypeError, ValueError):
            bad("created", "is not a UTC time", data["created"])


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError("not text")
    t = datetime.fromisoformat(value)
    offset = t.utcoffset()
    if offset is None or offset.total_seconds() != 0:
        raise ValueError("not UTC")
    return t.astimezone(UTC)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def row_label(row: Row | None) -> str:
    if not row:
        return "row"
    return f"ref {row['reference']} ({row['design']})" if row.get("reference") else f"{row.get('design')} row"


def row_text(row: Row) -> str:
    return ", ".join(f"{k}={row.get(k, '')}" for k in ("reference", "design", "quality", "finding", "effect_size",
                                                         "outcomes"))


def revision_file_name(rev: Revision) -> str:
    return rev.path.name if rev.path else f"unsaved revision {rev.label()}"


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
