"""Appraisal instruments as data (scheme/instruments/*.toml: AMSTAR 2, RoB 2, ROBINS-I, AGREE II, QUADAS-2), and
the rules by which a scheme counts an appraisal (scheme/appraisal/<scheme>.toml: APPRAISAL-MAPS-QUALITY, the
mapping of each instrument's overall judgement to a quality code, and APPRAISAL-RECONCILED), each file read with
located errors (file, line, key) as scheme files are."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, raise_if_errors
from ..io.files import read_toml
from ..vocab import DESIGNS, QUALITIES
from .lines import Lines
from .model import Rule, Scheme

INSTRUMENTS = Path(__file__).parent / "instruments"
APPRAISAL_RULES = Path(__file__).parent / "appraisal"
DEFAULT_RULES = "norway-2007"
MAPS_QUALITY, RECONCILED = "APPRAISAL-MAPS-QUALITY", "APPRAISAL-RECONCILED"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*\Z")
_INSTRUMENT_KEYS = ("name", "title", "source", "designs", "judgements", "overall", "labels", "domains")
_DOMAIN_KEYS = ("key", "title", "judgements", "critical")
_RULES_KEYS = ("scheme", "rules", "reconcile", "apply", "quality")
_EXAMPLE = "see src/grading/scheme/instruments/rob-2.toml"


@dataclass(frozen=True)
class Domain:
    """One domain (or item) of an instrument, with the judgements it allows."""

    key: str
    title: str
    judgements: tuple[str, ...]
    critical: bool = False


@dataclass(frozen=True)
class Instrument:
    """An appraisal instrument: the study designs it is for, its domains and the overall judgements it allows."""

    name: str
    title: str
    source: str
    designs: tuple[str, ...]
    domains: tuple[Domain, ...]
    overall: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def domain(self, key: str) -> Domain | None:
        return next((d for d in self.domains if d.key == key), None)

    def label(self, judgement: str) -> str:
        """How a judgement code reads: 'some_concerns' -> 'some concerns'."""
        return self.labels.get(judgement, judgement.replace("_", " "))


def bundled_instruments() -> tuple[str, ...]:
    """The names of the instruments shipped with the package."""
    return tuple(sorted(p.stem for p in INSTRUMENTS.glob("*.toml")))


def _read_toml(path: Path, name: str) -> tuple[dict, Lines]:
    data = read_toml(path, name, allowed=_EXAMPLE)
    return data, Lines(path.read_text(encoding="utf-8"))  # read and checked whole above: for the lines of its keys


def _texts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and _CODE.match(v) for v in value)


def load_instrument(source: str | Path) -> Instrument:
    """Read and check an instrument file (a bundled name such as 'rob-2', or a .toml path); raise ValidationError
    naming the file, line and key of every problem."""
    text = str(source)
    if text.endswith(".toml") or "/" in text:
        path, name = Path(source), text
    else:
        path, name = INSTRUMENTS / f"{text}.toml", text
    if not path.is_file():
        raise_if_errors([Problem(name, "no such instrument", column="instrument", found=text,
                                 allowed=", ".join(bundled_instruments()) + ", or an instrument .toml path")])
    data, lines = _read_toml(path, name if "/" in name or name.endswith(".toml") else f"{name}.toml")
    shown = name if name.endswith(".toml") else f"{name}.toml"
    problems: list[Problem] = []

    def bad(message: str, at: tuple, key: str, found: object = None, allowed: str | None = None) -> None:
        problems.append(Problem(shown, message, line=lines.of(*at), column=key,
                                found=None if found is None else repr(found)[:60], allowed=allowed))

    for k in data:
        if k not in _INSTRUMENT_KEYS:
            bad("unknown key or table (a misspelt key is never ignored)", (k,), k, k, ", ".join(_INSTRUMENT_KEYS))
    for k in ("name", "title"):
        if not (isinstance(data.get(k), str) and data[k].strip()):
            bad(f"'{k}' must be text", (None, None, k), k, data.get(k), f'text, {_EXAMPLE}')
    designs = data.get("designs")
    if not (isinstance(designs, list) and designs and all(d in DESIGNS for d in designs)):
        bad("'designs' must list the study designs the instrument is for", (None, None, "designs"), "designs",
            designs, "a list drawn from " + ", ".join(DESIGNS))
    for k in ("judgements", "overall"):
        if not _texts(data.get(k)):
            bad(f"'{k}' must list the judgements allowed", (None, None, k), k, data.get(k),
                'a list of codes, e.g. ["low", "some_concerns", "high"]')
    labels = data.get("labels", {})
    if not (isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())):
        bad("[labels] must be a table of judgement = text", ("labels",), "labels", labels, 'some_concerns = "..."')
        labels = {}
    raw_domains = data.get("domains")
    domains: list[Domain] = []
    if not (isinstance(raw_domains, list) and raw_domains):
        bad("an instrument needs [[domains]]", ("domains",), "domains", raw_domains,
            "[[domains]] tables with key and title")
        raw_domains = []
    seen: set[str] = set()
    default = tuple(data["judgements"]) if _texts(data.get("judgements")) else ()
    for i, d in enumerate(raw_domains):
        where = f"domains[{i + 1}]"
        if not isinstance(d, dict):
            bad(f"{where} is not a table", ("domains", i), "domains", d, "a [[domains]] table with key and title")
            continue
        for k in d:
            if k not in _DOMAIN_KEYS:
                bad(f"{where}: unknown key", ("domains", i, k), f"domains.{k}", k, ", ".join(_DOMAIN_KEYS))
        key = d.get("key")
        if not (isinstance(key, str) and _CODE.match(key)):
            bad(f"{where}: 'key' must be a short code", ("domains", i, "key"), "domains.key", key, 'e.g. "D1"')
            continue
        if key in seen:
            bad(f"{where}: the key is already used", ("domains", i, "key"), "domains.key", key, "a key of its own")
        seen.add(key)
        if not (isinstance(d.get("title"), str) and d["title"].strip()):
            bad(f"{where}: 'title' must be text", ("domains", i, "title"), "domains.title", d.get("title"),
                "the domain's title as the instrument words it")
        own = d.get("judgements")
        if own is not None and not _texts(own):
            bad(f"{where}: 'judgements' must list the judgements allowed", ("domains", i, "judgements"),
                "domains.judgements", own, "a list of codes")
            own = None
        if not isinstance(d.get("critical", False), bool):
            bad(f"{where}: 'critical' must be true or false", ("domains", i, "critical"), "domains.critical",
                d.get("critical"), "true or false")
        domains.append(Domain(key, str(d.get("title", "")), tuple(own) if own else default,
                              d.get("critical") is True))
    raise_if_errors(problems)
    return Instrument(data["name"], data["title"], str(data.get("source", "")), tuple(data["designs"]),
                      tuple(domains), tuple(data["overall"]), dict(labels), path)


def all_instruments() -> dict[str, Instrument]:
    """Every bundled instrument by name."""
    return {n: load_instrument(n) for n in bundled_instruments()}


# --- the scheme's rules for appraisals -------------------------------------------------------------------------

@dataclass(frozen=True)
class AppraisalRules:
    """How a scheme counts the group's appraisals: overall judgement -> quality code per instrument
    (APPRAISAL-MAPS-QUALITY) and how many independent appraisals a reference needs (APPRAISAL-RECONCILED)."""

    quality: Mapping[str, Mapping[str, str]]  # instrument -> overall judgement -> good | poor | unclear
    appraisers_needed: int
    rules: Mapping[str, Rule]
    path: Path
    for_scheme: str  # the scheme the file was written for
    overrides_stated: bool = False  # True: an appraisal also replaces a quality the text states
    default: bool = False  # True: the scheme has no appraisal rules of its own; the toolkit's default applies

    def maps(self, instrument: str, overall: str) -> str | None:
        return self.quality.get(instrument, {}).get(overall)

    def describe(self) -> str:
        """'APPRAISAL-MAPS-QUALITY of norway-2007 (the toolkit's default reading)'."""
        whose = f"the toolkit's default from {self.for_scheme}" if self.default else self.for_scheme
        return f"{MAPS_QUALITY} and {RECONCILED} of {whose} ({self.path.name}; a choice, not Table 1's words)"


def rules_path(scheme: Scheme) -> tuple[Path, bool]:
    """The appraisal-rules file of a scheme: `<scheme file stem>.appraisal.toml` beside its file, else the bundled
    one of its name, else the toolkit's default (norway-2007's); and whether it is that default."""
    if scheme.path is not None:
        beside = scheme.path.with_name(f"{scheme.path.stem}.appraisal.toml")
        if beside.is_file():
            return beside, False
    own = APPRAISAL_RULES / f"{scheme.name}.toml"
    if own.is_file():
        return own, False
    return APPRAISAL_RULES / f"{DEFAULT_RULES}.toml", True


def load_appraisal_rules(scheme: Scheme, instruments: Mapping[str, Instrument] | None = None,
                         path: Path | None = None) -> AppraisalRules:
    """The appraisal rules of a scheme (see `rules_path`), checked against the instruments: every overall
    judgement of every instrument mapped to a quality code; raise ValidationError with file, line and key."""
    default = False
    if path is None:
        path, default = rules_path(scheme)
    instruments = instruments if instruments is not None else all_instruments()
    name = path.name if path.parent == APPRAISAL_RULES else str(path)
    data, lines = _read_toml(path, name)
    problems: list[Problem] = []

    def bad(message: str, at: tuple, key: str, found: object = None, allowed: str | None = None) -> None:
        problems.append(Problem(name, message, line=lines.of(*at), column=key,
                                found=None if found is None else str(found)[:60], allowed=allowed))

    for k in data:
        if k not in _RULES_KEYS:
            bad("unknown key or table (a misspelt section is never ignored)", (k,), k, k, ", ".join(_RULES_KEYS))
    rules: dict[str, Rule] = {}
    for i, r in enumerate(data.get("rules", []) if isinstance(data.get("rules"), list) else []):
        if isinstance(r, dict) and isinstance(r.get("name"), str) and isinstance(r.get("says"), str):
            rules[r["name"]] = Rule(r["name"], r["says"], str(r.get("source", "choice")))
        else:
            bad(f"rules[{i + 1}] is not a rule", ("rules", i), "rules", r, "a [[rules]] table with name and says")
    for wanted in (MAPS_QUALITY, RECONCILED):
        if wanted not in rules:
            bad("a rule is missing", ("rules",), "rules", None, f"a [[rules]] entry named {wanted}")
    reconcile = data.get("reconcile", {})
    needed = reconcile.get("appraisers_needed", 1) if isinstance(reconcile, dict) else None
    if not (isinstance(needed, int) and not isinstance(needed, bool) and needed >= 1):
        bad("appraisers_needed must be a whole number from 1", ("reconcile", None, "appraisers_needed"),
            "reconcile.appraisers_needed", needed, "1 (one appraisal counts) or more")
        needed = 1
    apply = data.get("apply", {})
    overrides = apply.get("overrides_stated", False) if isinstance(apply, dict) else None
    if not isinstance(overrides, bool):
        bad("overrides_stated must be true or false", ("apply", None, "overrides_stated"), "apply.overrides_stated",
            overrides, "false (a quality the text states stands) or true")
        overrides = False
    quality = data.get("quality", {})
    mapped: dict[str, dict[str, str]] = {}
    if not isinstance(quality, dict):
        bad("[quality] must be a table of [quality.<instrument>] tables", ("quality",), "quality", quality,
            "[quality.rob-2] low = \"good\" ...")
        quality = {}
    for inst, table in quality.items():
        section = f"quality.{inst}"
        if inst not in instruments:
            bad("maps an unknown instrument", (section,), section, inst, ", ".join(instruments))
            continue
        if not isinstance(table, dict):
            bad(f"[{section}] must be a table", (section,), section, table, "overall judgement = quality code")
            continue
        for judgement, q in table.items():
            if judgement not in instruments[inst].overall:
                bad("maps an unknown overall judgement", (section, None, judgement), f"{section}.{judgement}",
                    judgement, ", ".join(instruments[inst].overall))
            elif q not in QUALITIES:
                bad("maps to an unknown quality", (section, None, judgement), f"{section}.{judgement}", q,
                    ", ".join(QUALITIES))
        mapped[inst] = {k: v for k, v in table.items() if isinstance(v, str)}
    for inst, ins in instruments.items():
        missing = [j for j in ins.overall if j not in mapped.get(inst, {})]
        if missing and inst in mapped:
            bad("an overall judgement is not mapped to a quality", (f"quality.{inst}",), f"quality.{inst}",
                ", ".join(missing), "every overall judgement of the instrument = good, poor or unclear")
    raise_if_errors(problems)
    return AppraisalRules(mapped, needed, rules, path, str(data.get("scheme", scheme.name)), overrides, default)
