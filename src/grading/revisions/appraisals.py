"""The working group's own appraisals as data: one member's appraisal of one reference with a named instrument
(scheme/instruments/), one JSON file each under evidence/appraisals/<reference key>/, saved as revisions are (never
over another file, atomically, under a lock) and read back with located errors; which appraisal counts
(APPRAISAL-RECONCILED), the members' agreement (Cohen's kappa over domains), and the guideline with every evidence
row citing an appraised reference set to the quality the appraisal maps to (APPRAISAL-MAPS-QUALITY) — labelled as
appraised by the group, never as what the text stated."""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import Problem, RevisionError, raise_if_errors
from ..io.files import exclusive_lock, refuse_packaged
from ..io.guideline import Guideline
from ..scheme.instruments import AppraisalRules, Instrument, all_instruments, load_appraisal_rules
from ..vocab import DESIGNS
from .record import (
    _parse_time,
    _rel,
    _shown,
    object_problems,
    read_checked,
    signed_and_dated_problems,
    slug,
    utc_now,
    write_record,
)

FORMAT = "grading-appraisal/1"
APPRAISALS_DIR = Path("evidence") / "appraisals"
LOCK_NAME = ".lock"  # in evidence/appraisals/: held while a save checks the guideline and writes its file
LOCK_TIMEOUT = 30.0
FIELDS = ("format", "reference", "instrument", "member", "created", "domains", "overall", "rationale", "reconciled")
# A reference key names a folder: letters, digits and the punctuation BibTeX keys use, never '..' or a slash.
SAFE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:+\-.]*\Z")

_ALLOWED = {
    "format": FORMAT,
    "reference": "the key of an entry in references.bib (or its refnumber), e.g. ref004",
    "instrument": "an instrument in src/grading/scheme/instruments/",
    "member": "the appraiser's name (not empty)",
    "created": "a UTC time in ISO 8601, e.g. 2026-11-26T15:30:12.123456Z",
    "domains": 'an object {"D1": "low", ...} of the instrument\'s domains and judgements',
    "overall": "one of the instrument's overall judgements",
    "rationale": "text: why (may be empty)",
    "reconciled": "true for the appraisal the members agreed after appraising independently, else false",
}


@dataclass(frozen=True)
class Appraisal:
    """One member's appraisal of one reference with one instrument: each domain's judgement, the overall one."""

    reference: str  # the key of the entry in references.bib
    instrument: str  # an instrument's name, e.g. rob-2
    member: str
    created: str  # UTC, ISO 8601
    domains: Mapping[str, str]  # domain key -> judgement; a domain left out was not judged
    overall: str
    rationale: str = ""
    reconciled: bool = False  # the members' agreed appraisal after independent ones (APPRAISAL-RECONCILED)
    path: Path | None = field(default=None, compare=False)

    def as_json(self) -> dict:
        """The JSON object saved for this appraisal."""
        return {"format": FORMAT, "reference": self.reference, "instrument": self.instrument, "member": self.member,
                "created": self.created, "domains": dict(self.domains), "overall": self.overall,
                "rationale": self.rationale, "reconciled": self.reconciled}

    def when(self) -> datetime:
        return _parse_time(self.created)

    @property
    def date(self) -> str:
        """'2026-11-26' (UTC)."""
        return f"{self.when():%Y-%m-%d}"

    def file(self) -> str:
        return self.path.name if self.path else f"unsaved appraisal of {self.reference} by {self.member}"

    def label(self, instrument: Instrument | None = None) -> str:
        """'appraised by the group (Kari Nordmann, 2026-11-26, RoB 2): low' — what a row's quality_text says."""
        name = instrument.title.split(":")[0] if instrument is not None else self.instrument
        overall = instrument.label(self.overall) if instrument is not None else self.overall
        who = f"{self.member}, reconciled" if self.reconciled else self.member
        return f"appraised by the group ({who}, {self.date}, {name}): {overall}"


def order(a: Appraisal) -> tuple:
    """Appraisals are ordered by time, then member, then file name."""
    return a.when(), a.member, a.path.name if a.path else ""


# --- building and checking -------------------------------------------------------------------------------------

def appraisal_problems(data: object, file: str, instruments: Mapping[str, Instrument]) -> list[Problem]:
    """Every problem with an appraisal's JSON object, each naming the field, what was found and what is allowed:
    an unknown instrument, a domain the instrument lacks, a judgement it does not allow."""
    out = object_problems(data, file, FIELDS, _ALLOWED)
    if not isinstance(data, dict):
        return out

    def bad(name: str, message: str, value: object, allowed: str | None = None) -> None:
        out.append(Problem(file, f"field '{name}' {message}", column=name, found=_shown(value),
                           allowed=allowed or _ALLOWED.get(name.split(".")[0], "")))

    signed_and_dated_problems(data, bad, FORMAT)
    ref = data.get("reference")
    if "reference" in data and not (isinstance(ref, str) and SAFE_KEY.match(ref) and ".." not in ref):
        bad("reference", "is not a reference key", ref)
    for name, kind in (("rationale", str), ("reconciled", bool)):
        if name in data and not isinstance(data[name], kind):
            bad(name, "has the wrong kind of value", data[name])
    instrument = instruments.get(data["instrument"]) if isinstance(data.get("instrument"), str) else None
    if "instrument" in data and instrument is None:
        bad("instrument", "names an unknown instrument", data["instrument"], ", ".join(instruments))
    if instrument is None:
        return out
    if "overall" in data and data["overall"] not in instrument.overall:
        bad("overall", f"is not an overall judgement of {instrument.name}", data["overall"],
            ", ".join(instrument.overall))
    domains = data.get("domains")
    if "domains" in data and not isinstance(domains, dict):
        bad("domains", "must be an object", domains)
    elif isinstance(domains, dict):
        for key, judgement in domains.items():
            domain = instrument.domain(key)
            if domain is None:
                bad(f"domains.{key}", f"is not a domain of {instrument.name}", key,
                    ", ".join(d.key for d in instrument.domains))
            elif judgement not in domain.judgements:
                bad(f"domains.{key}", f"is not a judgement {instrument.name} allows for {key}", judgement,
                    ", ".join(domain.judgements))
    return out


def new_appraisal(reference: str, instrument: str, member: str, overall: str, domains: Mapping[str, str] | None = None,
                  rationale: str = "", reconciled: bool = False, created: str | None = None,
                  instruments: Mapping[str, Instrument] | None = None) -> Appraisal:
    """Build an appraisal stamped now; raise ValidationError listing every problem with it (unknown instrument,
    domain or judgement). `reference` is resolved to its entry's key when the appraisal is saved."""
    a = Appraisal(reference.strip(), instrument.strip(), member.strip(), created or utc_now(), dict(domains or {}),
                  overall.strip(), rationale.strip(), reconciled)
    raise_if_errors(appraisal_problems(a.as_json(), f"appraisal of {reference} (unsaved)",
                                       instruments if instruments is not None else all_instruments()))
    return a


def parse_domains(pairs: Iterable[str], file: str = "command line") -> dict[str, str]:
    """'D1=low' pairs as a domain -> judgement mapping; raise ValidationError for a pair without '=' or a repeat."""
    out: dict[str, str] = {}
    problems = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            problems.append(Problem(file, "a domain's judgement is written KEY=JUDGEMENT", column="--domain",
                                    found=pair, allowed="e.g. --domain D1=low"))
        elif key.strip() in out:
            problems.append(Problem(file, "a domain is judged twice", column="--domain", found=pair,
                                    allowed="each domain once"))
        else:
            out[key.strip()] = value.strip()
    raise_if_errors(problems)
    return out


def stated_designs(guideline: Guideline, key: str) -> set[str]:
    """The study designs the evidence rows citing a reference (by its key) state, 'unclear' and 'consensus' aside."""
    return {r.design for r in guideline.evidence_rows if r.key == key} - {"unclear", "consensus", ""}


def reference_problems(guideline: Guideline, appraisal: Appraisal, file: str,
                       instruments: Mapping[str, Instrument]) -> list[Problem]:
    """A reference absent from references.bib; on a save, also an instrument for other designs than the rows
    citing the reference state."""
    key = guideline.key_of(appraisal.reference)
    if key is None:
        return [Problem(file, "names a reference absent from references.bib", column="reference",
                        found=appraisal.reference, allowed=_ALLOWED["reference"])]
    instrument = instruments.get(appraisal.instrument)
    stated = stated_designs(guideline, key)
    if instrument is not None and stated and not stated & set(instrument.designs):
        return [Problem(file, f"{instrument.name} is not for the design the evidence rows state for {key}",
                        column="instrument", found=", ".join(sorted(DESIGNS.get(d, d) for d in stated)),
                        allowed=f"an instrument for {', '.join(sorted(stated))}: "
                                + ", ".join(n for n, i in instruments.items() if stated & set(i.designs)))]
    return []


# --- saving and loading ----------------------------------------------------------------------------------------

def file_name(a: Appraisal) -> str:
    """'<UTC timestamp>--<member slug>--<8 random hex>.json'."""
    t = a.when()
    return f"{t:%Y%m%dT%H%M%S}.{t.microsecond:06d}Z--{slug(a.member)}--{secrets.token_hex(4)}.json"


def save_appraisal(guideline: Guideline, appraisal: Appraisal, *, timeout: float = LOCK_TIMEOUT,
                   instruments: Mapping[str, Instrument] | None = None) -> Path:
    """Check an appraisal against the instruments, the scheme's appraisal rules and the guideline's references,
    then write it as a new file under evidence/appraisals/<reference key>/ (never over another file) while holding
    evidence/appraisals/.lock; return its path. The reference is saved as its entry's key."""
    instruments = instruments if instruments is not None else all_instruments()
    name = f"appraisal of {appraisal.reference} by {appraisal.member} (unsaved)"
    problems = appraisal_problems(appraisal.as_json(), name, instruments)
    raise_if_errors(problems)
    problems += reference_problems(guideline, appraisal, name, instruments)
    rules = load_appraisal_rules(guideline.scheme, instruments)
    if rules.maps(appraisal.instrument, appraisal.overall) is None:
        problems.append(Problem(name, f"{rules.path.name} maps no quality for this instrument's judgement",
                                column="instrument", found=f"{appraisal.instrument}: {appraisal.overall}",
                                allowed=", ".join(rules.quality)))
    raise_if_errors(problems)
    key = guideline.key_of(appraisal.reference)
    assert key is not None  # else a problem was raised above
    if not (SAFE_KEY.match(key) and ".." not in key):
        raise RevisionError(f"the reference key {key!r} cannot name a folder under {APPRAISALS_DIR}; allowed: "
                            "letters, digits and _ : + - . ; nothing was written")
    saved = dataclasses.replace(appraisal, reference=key)
    root = guideline.root
    folder = root / APPRAISALS_DIR
    refuse_packaged(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(folder / LOCK_NAME, timeout):
            return write_record(root, folder / key, saved.as_json(), lambda: file_name(saved), "appraisal")
    except TimeoutError:
        raise RevisionError(f"{name.removesuffix(' (unsaved)')} was not saved: another save held the lock "
                            f"{APPRAISALS_DIR / LOCK_NAME} for more than {timeout:g} s; nothing was written — save "
                            "again") from None
    except OSError as e:
        raise RevisionError(f"{name.removesuffix(' (unsaved)')} was not saved: the lock {APPRAISALS_DIR / LOCK_NAME} "
                            f"cannot be taken ({e.strerror or e}); nothing was written") from e


def read_appraisal(path: Path, name: str, instruments: Mapping[str, Instrument]
                   ) -> tuple[Appraisal | None, list[Problem]]:
    """Read one appraisal file; return it (None when broken) with every problem found."""
    data, problems = read_checked(path, name, "an appraisal file as `grading appraise` saves it; restore it from "
                                  "version control", "2 levels (appraisal > domains)",
                                  lambda d, n: appraisal_problems(d, n, instruments))
    if data is None:
        return None, problems
    return Appraisal(data["reference"], data["instrument"], data["member"].strip(), data["created"],
                     dict(data["domains"]), data["overall"], data["rationale"], data["reconciled"], path), []


def load_appraisals(guideline: Guideline, instruments: Mapping[str, Instrument] | None = None
                    ) -> tuple[Appraisal, ...]:
    """Every saved appraisal of a guideline, oldest first; raise ValidationError naming every damaged file, unknown
    instrument, domain or judgement, and every reference absent from references.bib."""
    instruments = instruments if instruments is not None else all_instruments()
    root = guideline.root
    folder = root / APPRAISALS_DIR
    if not folder.is_dir():
        return ()
    problems = [Problem(_rel(p, root), "an appraisal file must be in the folder of its reference",
                        allowed=f"{APPRAISALS_DIR}/<reference key>/<file>.json") for p in sorted(folder.glob("*.json"))]
    found: list[Appraisal] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(sub.glob("*.json")):
            if path.name.startswith("."):
                continue  # a temporary file left by an interrupted save
            name = _rel(path, root)
            a, bad = read_appraisal(path, name, instruments)
            problems += bad
            if a is None:
                continue
            if a.reference != sub.name:
                problems.append(Problem(name, "field 'reference' does not match the folder", column="reference",
                                        found=a.reference, allowed=sub.name))
                continue
            missing = reference_problems(guideline, a, name, {})
            problems += missing
            if not missing:
                found.append(a)
    raise_if_errors(problems)
    return tuple(sorted(found, key=order))


# --- agreement between two members -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Agreement:
    """Two members' independent appraisals of one reference with one instrument, domain by domain."""

    first: str
    second: str
    instrument: str
    items: int  # the domains both judged
    observed: float | None  # the share of those domains judged alike (None without items)
    kappa: float | None  # Cohen's kappa; None without items, or when chance agreement is certain (all one judgement)
    disagreements: tuple[tuple[str, str, str], ...]  # (domain, first's judgement, second's), to reconcile
    overall: tuple[str, str]  # each member's overall judgement

    def describe(self) -> str:
        """'Kari and Ola: kappa 0.44 over 5 domains (3 alike); disagree on D2 (low / some_concerns), ...'."""
        k = "kappa not defined" if self.kappa is None else f"kappa {self.kappa:.2f}"
        alike = round((self.observed or 0) * self.items)
        text = f"{self.first} and {self.second} ({self.instrument}): {k} over {self.items} domains ({alike} alike)"
        if self.disagreements:
            text += "; disagree on " + ", ".join(f"{d} ({a} / {b})" for d, a, b in self.disagreements)
        if self.overall[0] != self.overall[1]:
            text += f"; overall {self.overall[0]} / {self.overall[1]}"
        return text


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' judgements of the same items: (p_o - p_e) / (1 - p_e); None without items or
    when p_e is 1 (both raters gave one and the same judgement throughout: kappa is not defined)."""
    n = len(first)
    if n == 0 or n != len(second):
        return None
    observed = sum(a == b for a, b in zip(first, second)) / n
    expected = sum((list(first).count(c) / n) * (list(second).count(c) / n) for c in set(first) | set(second))
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(a: Appraisal, b: Appraisal, instrument: Instrument | None = None) -> Agreement:
    """How far two appraisals of one reference with one instrument agree, over the domains both judged (in the
    instrument's order when given)."""
    order_ = [d.key for d in instrument.domains] if instrument is not None else sorted(set(a.domains) | set(b.domains))
    items = [k for k in order_ if k in a.domains and k in b.domains]
    first, second = [a.domains[k] for k in items], [b.domains[k] for k in items]
    observed = sum(x == y for x, y in zip(first, second)) / len(items) if items else None
    return Agreement(a.member, b.member, a.instrument, len(items), observed, cohen_kappa(first, second),
                     tuple((k, x, y) for k, x, y in zip(items, first, second) if x != y), (a.overall, b.overall))


# --- which appraisal counts (APPRAISAL-RECONCILED) --------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """Where the appraisal of one reference stands: every appraisal, each member's latest independent one, their
    agreement, and the appraisal that counts (None until the rule is met) with why."""

    reference: str
    appraisals: tuple[Appraisal, ...]
    independent: tuple[Appraisal, ...]  # each member's latest appraisal that is not a reconciled one
    agreements: tuple[Agreement, ...]  # every pair of independent appraisals with the same instrument
    counts: Appraisal | None
    why: str

    def counts_for(self, a: Appraisal) -> str:
        """Whether one of this reference's appraisals counts, and why: 'yes: ...', 'not yet: ...' or 'no: ...'."""
        if a is self.counts:
            return f"yes: {self.why}"
        if self.counts is None:
            return f"not yet: {self.why}"
        if not a.reconciled and a not in self.independent:
            return f"no: superseded by {a.member}'s later appraisal"
        if a.reconciled:
            return f"no: a later reconciled appraisal counts ({self.counts.member}, {self.counts.date})"
        return f"with {self.counts.member}'s, which is applied: {self.why}"


def standings(appraisals: Iterable[Appraisal], rules: AppraisalRules,
              instruments: Mapping[str, Instrument] | None = None) -> dict[str, Standing]:
    """Reference key -> its Standing, by APPRAISAL-RECONCILED: the latest reconciled appraisal counts; else, with
    at least `appraisers_needed` members' independent appraisals, they count when they all use one instrument and
    reach one overall judgement (the latest of them is applied); else none counts yet."""
    instruments = instruments if instruments is not None else all_instruments()
    by_ref: dict[str, list[Appraisal]] = {}
    for a in sorted(appraisals, key=order):
        by_ref.setdefault(a.reference, []).append(a)
    out = {}
    for ref, items in by_ref.items():
        latest: dict[str, Appraisal] = {}
        for a in items:
            if not a.reconciled:
                latest[a.member] = a
        independent = tuple(sorted(latest.values(), key=order))
        pairs = tuple(agreement(x, y, instruments.get(x.instrument)) for i, x in enumerate(independent)
                      for y in independent[i + 1:] if x.instrument == y.instrument)
        reconciled = [a for a in items if a.reconciled]
        needed = rules.appraisers_needed
        counts: Appraisal | None = None
        if reconciled:
            counts = reconciled[-1]
            why = f"reconciled by {counts.member} on {counts.date}"
        elif len(independent) < needed:
            why = (f"{len(independent)} of the {needed} independent appraisals {rules.path.name} asks for; "
                   "it counts once the others are saved")
        elif len({(a.instrument, a.overall) for a in independent}) == 1:
            counts = independent[-1]
            why = ("one member's appraisal" if len(independent) == 1 else
                   f"the {len(independent)} members agree on the overall judgement ({counts.overall})")
        else:
            said = "; ".join(f"{a.member}: {a.instrument} {a.overall}" for a in independent)
            why = (f"the members disagree ({said}): it counts once a reconciled appraisal is saved "
                   f"(grading appraise {ref} ... --reconciled)")
        out[ref] = Standing(ref, tuple(items), independent, pairs, counts, f"{why} ({RECONCILED_RULE})")
    return out


RECONCILED_RULE = "APPRAISAL-RECONCILED"


# --- the guideline with the appraisals applied (APPRAISAL-MAPS-QUALITY) -----------------------------------------

@dataclass(frozen=True)
class Applied:
    """One appraisal applied: the quality it maps to, the evidence rows it set and those whose stated quality it
    left standing (APPRAISAL-MAPS-QUALITY)."""

    appraisal: Appraisal
    quality: str
    label: str  # the quality_text of every row it set
    rows: tuple[tuple[str, str], ...]  # (recommendation id, quality text before) of each row it set
    kept: tuple[tuple[str, str, str], ...]  # (recommendation id, stated quality, its text) of each row it left

    @property
    def differs(self) -> tuple[tuple[str, str, str], ...]:
        """The rows left standing whose stated quality differs from the appraisal's."""
        return tuple(k for k in self.kept if k[1] != self.quality)


def applied_appraisals(guideline: Guideline, appraisals: Iterable[Appraisal], rules: AppraisalRules | None = None,
                       instruments: Mapping[str, Instrument] | None = None) -> tuple[Guideline, tuple[Applied, ...]]:
    """The guideline with every counting appraisal applied to the evidence rows citing its reference (a number or
    a key naming the same entry), and what each set and left."""
    instruments = instruments if instruments is not None else all_instruments()
    rules = rules if rules is not None else load_appraisal_rules(guideline.scheme, instruments)
    counting = {ref.lower(): s.counts for ref, s in standings(appraisals, rules, instruments).items() if s.counts}
    if not counting:
        return guideline, ()
    ev = guideline.evidence.copy()
    keys = [(guideline.key_of(r) or "").lower() if r else "" for r in ev["reference"].map(lambda v: str(v or ""))]
    stated = [q != "unclear" for q in ev["quality"]]
    applied = []
    for ref, a in counting.items():
        quality = rules.maps(a.instrument, a.overall)
        if quality is None:
            continue  # save_appraisal refuses it; a hand-written file for an unmapped judgement changes nothing
        label = a.label(instruments.get(a.instrument))
        citing = [k == ref for k in keys]
        mask = [c and (rules.overrides_stated or not s) for c, s in zip(citing, stated)]
        left = [c and not m for c, m in zip(citing, mask)]
        rows = tuple((str(rid), str(t)) for rid, t in zip(ev.loc[mask, "recommendation_id"],
                                                          ev.loc[mask, "quality_text"]))
        kept = tuple((str(rid), str(q), str(t)) for rid, q, t in
                     zip(ev.loc[left, "recommendation_id"], ev.loc[left, "quality"], ev.loc[left, "quality_text"]))
        ev.loc[mask, "quality"] = quality
        # the text's own words on quality, if any, stay beside the label: never presented as the text's statement
        ev.loc[mask, "quality_text"] = [f"{label}; the text: {t}" if t else label for _, t in rows]
        applied.append(Applied(a, quality, label, rows, kept))
    return dataclasses.replace(guideline, evidence=ev), tuple(applied)


def apply_appraisals(guideline: Guideline, appraisals: Iterable[Appraisal], rules: AppraisalRules | None = None,
                     instruments: Mapping[str, Instrument] | None = None) -> Guideline:
    """The guideline with the group's counting appraisals applied: every evidence row citing an appraised
    reference whose quality the text leaves unstated (every citing row, with overrides_stated) gets the quality the
    appraisal maps to (APPRAISAL-MAPS-QUALITY) and the quality text 'appraised by the group (MEMBER, DATE,
    INSTRUMENT): OVERALL'."""
    return applied_appraisals(guideline, appraisals, rules, instruments)[0]
