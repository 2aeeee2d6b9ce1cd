"""Reading a scheme file (TOML) into one Scheme object, with located errors for everything malformed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, raise_if_errors
from ..io.files import read_toml
from ..vocab import DESIGNS, JUDGEMENTS, QUALITIES
from .lines import Lines
from .model import Certainty, Choices, Clause, Criterion, Etd, Grade, LevelRule, Paradigm, Rule, Scheme

BUNDLED = Path(__file__).parent / "bundled"
DEFAULT = "norway-2007"
SECTIONS = ("name", "title", "sets", "choices", "levels", "strengths", "ladder", "level_rules", "rules", "mappings",
            "model", "certainty", "paradigms", "etd")
ETD_KEYS = ("key", "name", "question", "judgements", "column", "points", "key_information")
ETD_COLUMNS = ("agree_validity", "agree_applicability", "agree_benefit_harm")  # what recommendations.csv records
MODELS = ("levels", "certainty")
JUDGEMENTS_DOWN = ("not_serious", "serious", "very_serious")
MAPPING_KINDS = ("strength", "against", "certainty")  # docs/schemes.md, "Crosswalk"
DOC = "docs/schemes.md"  # the scheme file format, for a reader who installed the toolkit with pip
_EXAMPLE = f"as {DOC} describes (`grading scheme --copy FILE` writes a scheme to start from)"
BUNDLED_ORIGIN = "bundled with the toolkit"
_CLAUSE_FLAGS = {"stated": bool, "consistent": bool, "choice": str}


def bundled_names() -> tuple[str, ...]:
    """The names of the schemes shipped with the package."""
    return tuple(sorted(p.stem for p in BUNDLED.glob("*.toml")))


def scheme_path(source: str | Path) -> tuple[Path, str]:
    """The file a scheme name or path means, and the name errors call it by."""
    text = str(source)
    if text.endswith(".toml") or "/" in text or Path(text).exists():
        return Path(source), text
    return BUNDLED / f"{text}.toml", f"{text}.toml"


def pointed(allowed: str | None) -> str:
    """What a scheme problem allows, pointing to the document of the scheme file format."""
    return allowed if allowed and DOC in allowed else f"{allowed}; see {DOC}" if allowed else f"see {DOC}"


def load_scheme(source: str | Path | Scheme = DEFAULT, origin: str | None = None) -> Scheme:
    """Read and check a scheme file (a bundled name such as 'cost-b13', or a path); raise ValidationError.
    `origin` says where the scheme came from ('given with --scheme'); by default, 'bundled with the toolkit' or
    'from PATH'."""
    if isinstance(source, Scheme):
        return source if origin is None else source.from_origin(origin)
    path, name = scheme_path(source)
    problems: list[Problem] = []
    if not path.exists():
        raise_if_errors([Problem(name, "no such scheme file",
                                 allowed=pointed(f"a .toml path or one of: {', '.join(bundled_names())}"))])
    data = read_toml(path, name, allowed=_EXAMPLE)
    text = path.read_text(encoding="utf-8")  # read and checked whole above: for the lines of its keys
    scheme = scheme_from_data(data, name, problems, path, text)
    raise_if_errors(problems)
    if origin is None:
        origin = BUNDLED_ORIGIN if path == BUNDLED / f"{source}.toml" else f"from {name}"
    return scheme.from_origin(origin)


def guideline_scheme(given: str | Path | Scheme | None, named: str | None, root: Path,
                     manifest: str = "guideline.toml") -> Scheme:
    """The scheme a guideline is graded by, saying where it came from: the one `given` (a Scheme object as it is,
    a name or path read as load_scheme reads it), else the one its manifest names (`named`: a bundled name or a
    path relative to `root`), else the default."""
    if given is not None:
        return load_scheme(given)
    if named is None:
        return load_scheme(DEFAULT, f"the default: no scheme named in {manifest}")
    if named in bundled_names():
        return load_scheme(named, f"named by {manifest}")
    return load_scheme(root / named, f"{named}, named by {manifest}")


def given_origin(source: str | Path, option: str = "--scheme") -> str:
    """How a scheme given on the command line says where it came from: 'given with --scheme', or for a file,
    'my-scheme.toml, given with --scheme'."""
    return f"given with {option}" if str(source) in bundled_names() else f"{source}, given with {option}"


@dataclass
class _Found:
    """The problems found in one scheme file, each located to its line."""

    name: str
    problems: list[Problem]
    lines: Lines = field(default_factory=Lines)

    def __call__(self, message: str, at: tuple = (None,), **details: Any) -> None:
        details["allowed"] = pointed(details.get("allowed"))
        self.problems.append(Problem(self.name, message, line=self.lines.of(*at), **details))


def _shown(value: object) -> str:
    return repr(value)[:60]


def _grades(items: Any, where: str, out: _Found) -> tuple[Grade, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        out(f"[[{where}]] must be a list of tables", (where,), column=where, found=_shown(items),
            allowed=f"[[{where}]] tables with code, english and definition")
        return ()
    grades: list[Grade] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            out(f"{where}[{i + 1}] is not a table", (where,), column=where, found=_shown(item),
                allowed=f"a [[{where}]] table with code, english and definition")
            continue
        missing = [k for k in ("code", "english", "definition") if not isinstance(item.get(k), str)]
        missing += [k for k in ("norwegian", "rule") if not isinstance(item.get(k, ""), str)]
        if missing:
            out(f"{where}[{i + 1}] lacks {', '.join(missing)}", (where, i), column=where,
                allowed="code, norwegian, english and definition as text")
            continue
        if not item["code"].strip() or item["code"] in {g.code for g in grades}:
            why = "the code is empty" if not item["code"].strip() else "the code is already used"
            out(f"{where}[{i + 1}]: {why}", (where, i, "code"), column=f"{where}.code", found=item["code"],
                allowed="a code of its own")
            continue
        wording = item.get("wording", [])
        if not (isinstance(wording, list) and all(isinstance(x, str) and x.strip() for x in wording)):
            out(f"{where}[{i + 1}].wording must be a list of phrases", (where, i, "wording"), column=where,
                found=_shown(wording), allowed='a list of text, e.g. ["moderat grad"]')
            wording = []
        grades.append(Grade(item["code"], str(item.get("norwegian", "")), item["english"], item["definition"],
                            len(items) - i, str(item.get("rule", "")), tuple(x.strip() for x in wording)))
    return tuple(grades)


def _right_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, tuple):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def _choices(raw: dict, grades_strengths: bool, strengths: set[str], out: _Found,
             levels: set[str] | None = None) -> Choices:
    wanted = Choices.names() if grades_strengths else Choices.required()  # a ladder grades strengths
    wanted = tuple(k for k in wanted if k not in Choices.optional())
    for key in wanted:
        if key not in raw:
            out(f"[choices] lacks '{key}'", ("choices",), column=f"choices.{key}",
                allowed=f"every interpretive choice declared, {_EXAMPLE}")
    for key in raw:
        if key not in Choices.names():
            out("unknown choice", ("choices", None, key), column=f"choices.{key}", found=key,
                allowed=", ".join(Choices.names()))
    defaults = Choices(False, True, ())
    values: dict[str, Any] = {}
    for key in Choices.names():
        if key not in raw:
            continue
        value, default = raw[key], getattr(defaults, key)
        if not _right_kind(value, default):
            kind = {"bool": "true or false", "float": "a number", "tuple": "a list of text"}.get(
                type(default).__name__, "text")
            out("a choice has the wrong kind of value", ("choices", None, key), column=f"choices.{key}",
                found=_shown(value), allowed=kind)
            continue
        values[key] = tuple(value) if isinstance(default, tuple) else value
    named = [(k, values[k]) for k in ("judgement_floor", "nothing_recommended_at_lowest", "not_recommended")
             if values.get(k)]
    named += [("not_recommended_compares_as", s) for s in values.get("not_recommended_compares_as", ())]
    named += [("no_basis_agrees_with", s) for s in values.get("no_basis_agrees_with", ())]
    for key, s in named:
        if s not in strengths:
            out("a choice names an unknown strength", ("choices", None, key), column=f"choices.{key}", found=s,
                allowed=", ".join(sorted(strengths)))
    if levels is not None and values.get("sufficient_level") and values["sufficient_level"] not in levels:
        out("a choice names an unknown level", ("choices", None, "sufficient_level"),
            column="choices.sufficient_level", found=values["sufficient_level"], allowed=", ".join(sorted(levels)))
    for j in values.get("lowest_level_needs", ()):
        if j not in JUDGEMENTS:
            out("a choice names an unknown judgement", ("choices", None, "lowest_level_needs"),
                column="choices.lowest_level_needs", found=j, allowed=", ".join(JUDGEMENTS))
    toggles = [k for k in Choices.names() if isinstance(getattr(defaults, k), bool)]
    for c in values.get("contested", ()):
        if c not in toggles:
            out("a contested choice must be a true-or-false choice of the scheme", ("choices", None, "contested"),
                column="choices.contested", found=c, allowed=", ".join(toggles))
    for key in ("agreement_share", "quorum_share"):  # votes: shares of a whole
        if key in values and not 0 <= values[key] <= 1:
            out("a share must lie between 0 and 1", ("choices", None, key), column=f"choices.{key}",
                found=str(values[key]), allowed="a number from 0 to 1, e.g. 0.70")
    return Choices(**{**{k: getattr(defaults, k) for k in Choices.names()}, **values})


def _table(data: dict, key: str, out: _Found, allowed: str) -> dict:
    """data[key] when it is a TOML table (or absent: {}); else {} with a problem."""
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    out(f"[{key}] must be a table", (key,), column=key, found=_shown(value), allowed=allowed)
    return {}


def _list(data: dict, key: str, out: _Found) -> list:
    """data[key] when it is a list of tables (or absent: []); else [] with a problem."""
    value = data.get(key, [])
    if isinstance(value, list):
        return value
    out(f"[[{key}]] must be a list of tables", (key,), column=key, found=_shown(value),
        allowed=f"[[{key}]] tables, {_EXAMPLE}")
    return []


def _sets(raw: dict, out: _Found) -> dict[str, frozenset[str]]:
    sets = {}
    for k, v in raw.items():
        if not isinstance(v, list) or not all(isinstance(d, str) for d in v):
            out("a set must be a list of design codes", ("sets", None, k), column=f"sets.{k}", found=_shown(v),
                allowed=f"a list drawn from {', '.join(DESIGNS)}")
            continue
        for d in v:
            if d not in DESIGNS:
                out("a set names another set; list its designs instead" if d in raw else "a set names an unknown "
                    "design", ("sets", None, k), column=f"sets.{k}", found=d, allowed=", ".join(DESIGNS))
        sets[k] = frozenset(v)
    return sets


def _clause(c: Any, where: str, at: tuple, sets: dict, out: _Found) -> Clause | None:
    if not isinstance(c, dict):
        out(f"{where}: a clause is not a table", at, column="clauses", found=_shown(c), allowed="{ set = count, ... }")
        return None
    counts = {k: v for k, v in c.items() if k not in (*_CLAUSE_FLAGS, "quality")}
    quality = c.get("quality", ["good"])
    if not isinstance(quality, list) or not all(isinstance(q, str) and q in QUALITIES for q in quality):
        out(f"{where}: unknown quality in a clause", at, column="quality", found=_shown(quality),
            allowed=f"a list drawn from {', '.join(QUALITIES)}")
        quality = ["good"]
    for key, kind in _CLAUSE_FLAGS.items():
        if key in c and not isinstance(c[key], kind):
            wanted = "true or false" if kind is bool else "text"
            out(f"{where}: '{key}' in a clause must be {wanted}", at, column=key, found=_shown(c[key]),
                allowed=wanted if kind is bool else "the name of a rule")
    for k, v in counts.items():
        if k not in sets:
            out(f"{where}: a clause counts an unknown set", at, column=k, found=f"{k} = {v!r}"[:60],
                allowed=f"one of: {', '.join(sorted(sets)) or '(no [sets] declared)'}, or "
                        + " / ".join((*_CLAUSE_FLAGS, "quality")))
        elif not isinstance(v, int) or isinstance(v, bool) or v < 1:
            out(f"{where}: a clause must count at least one row", at, column=k, found=f"{k} = {v!r}"[:60],
                allowed=f"{k} = a whole number from 1 (a clause {{}} holds whatever the evidence)")
    consistent = c.get("consistent")
    return Clause(counts, frozenset(quality), c.get("stated") is True,
                  consistent if isinstance(consistent, bool) else None, str(c.get("choice", "")))


def _level_rules(raw: list, codes: set[str], sets: dict, rules: dict, out: _Found) -> list[LevelRule]:
    level_rules = []
    for i, r in enumerate(raw):
        where = f"level_rules[{i + 1}]"
        level = r.get("level") if isinstance(r, dict) else None
        if not isinstance(level, str) or level not in codes:
            out(f"{where}: unknown level", ("level_rules", i, "level"), column="level",
                found=str(level if isinstance(r, dict) else r)[:60], allowed=", ".join(sorted(codes)))
            continue
        raw_clauses = r.get("clauses")
        if not isinstance(raw_clauses, list) or not raw_clauses:
            out(f"{where}: clauses must be a list of one or more tables", ("level_rules", i, "clauses"),
                column="clauses", found=_shown(raw_clauses),
                allowed="clauses = [{ set = count, ... }, ...]; clauses = [{}] holds always")
            continue
        found = [_clause(c, where, ("level_rules", i, "clauses"), sets, out) for c in raw_clauses]
        if not isinstance(r.get("name"), str) or r["name"] not in rules:
            out(f"{where}: rule has no [[rules]] entry saying what it means", ("level_rules", i, "name"),
                column="name", found=str(r.get("name"))[:60], allowed="a name listed in [[rules]]")
        level_rules.append(LevelRule(str(r.get("name", "")), level, tuple(c for c in found if c is not None)))
    # A clause with no counts holds for any evidence unless it asks for contradicting findings (there are none).
    if level_rules and not any(not c.at_least and c.consistent is not False for c in level_rules[-1].clauses):
        out("the last level rule must hold whatever the evidence (a clause {}), or a recommendation could get no "
            "level", ("level_rules", len(raw) - 1), column="level_rules", found=level_rules[-1].name,
            allowed=f"a last [[level_rules]] with clauses = [{{}}], {_EXAMPLE}")
    return level_rules


def _ladder(raw: dict, codes: set[str], scodes: set[str], out: _Found) -> dict[str, str]:
    for lvl, strength in raw.items():
        if lvl not in codes or not isinstance(strength, str) or strength not in scodes:
            out("ladder maps an unknown level or strength", ("ladder", None, lvl), column="ladder",
                found=f"{lvl} = {strength}"[:60], allowed="a level code = a strength code")
    missing = sorted(codes - set(raw))
    if raw and missing:
        out("the ladder gives no strength for a level", ("ladder",), column="ladder", found=", ".join(missing),
            allowed="every level mapped to a strength")
    return dict(raw)


def scheme_from_data(data: dict, name: str, problems: list[Problem], path: Path | None = None,
                     text: str = "") -> Scheme:
    """A Scheme from a parsed scheme file, appending every problem found to `problems` (located in `text`)."""
    out = _Found(name, problems, Lines(text))
    for key in data:
        if key not in SECTIONS:
            out("unknown key or table (a misspelt section is never ignored)", (key,), column=key, found=key,
                allowed=", ".join(SECTIONS))
    for key in ("name", "title"):
        if key in data and not isinstance(data[key], str):
            out(f"'{key}' must be text", (None, None, key), column=key, found=_shown(data[key]),
                allowed='text, e.g. name = "my-scheme"')
    levels = _grades(data.get("levels"), "levels", out)
    strengths = _grades(data.get("strengths"), "strengths", out)
    codes, scodes = {g.code for g in levels}, {g.code for g in strengths}
    sets = _sets(_table(data, "sets", out, f"a table of named lists of design codes, {_EXAMPLE}"), out)
    rules = {}
    for i, r in enumerate(_list(data, "rules", out)):
        if not (isinstance(r, dict) and isinstance(r.get("name"), str) and r["name"]
                and all(isinstance(r.get(k, ""), str) for k in ("says", "source"))):
            out(f"rules[{i + 1}] is not a rule", ("rules", i), column="rules", found=_shown(r),
                allowed="a [[rules]] table with name, says and source as text")
            continue
        rules[r["name"]] = Rule(r["name"], r.get("says", ""), r.get("source", "choice"))
    level_rules = _level_rules(_list(data, "level_rules", out), codes, sets, rules, out)
    ladder = _ladder(_table(data, "ladder", out, 'a table of level = strength, e.g. "***" = "strong"'), codes,
                     scodes, out)
    for i, g in enumerate(strengths):
        if g.rule and g.rule not in rules:
            out("a strength names a rule that has no [[rules]] entry", ("strengths", i, "rule"),
                column="strengths.rule", found=g.rule, allowed="a name listed in [[rules]]")
    if not levels or not level_rules:
        out("a scheme needs [[levels]] and [[level_rules]]", allowed=_EXAMPLE)
    choices = _choices(_table(data, "choices", out, f"a table of interpretive choices, {_EXAMPLE}"), bool(ladder),
                       scodes, out, codes)
    mappings = _mappings(_table(data, "mappings", out, "[mappings.strength] of published = mapped strength"),
                         scodes, codes, out)
    model = data.get("model", "levels")
    if model not in MODELS:
        out("unknown model", (None, None, "model"), column="model", found=_shown(model), allowed=", ".join(MODELS))
    certainty = _certainty(data, codes, scodes, rules, out) if model == "certainty" else None
    etd = _etd(data, out) if "etd" in data else None
    return Scheme(str(data.get("name", path.stem if path else name)), str(data.get("title", "")), levels, strengths,
                  tuple(level_rules), ladder, rules, sets, choices, mappings, path, certainty=certainty, etd=etd)


def _etd(data: dict, out: _Found) -> Etd | None:
    """[etd]: the Evidence-to-Decision framework's criteria ([[etd.criteria]]) and its `unknown` judgements."""
    raw = _table(data, "etd", out, "an [etd] table with unknown = [...] and [[etd.criteria]] (docs/schemes.md)")
    for k in raw:
        if k not in ("criteria", "unknown"):
            out("unknown key in [etd]", ("etd", None, k), column=f"etd.{k}", found=str(k), allowed="criteria, unknown")
    unknown = raw.get("unknown", [])
    if not (isinstance(unknown, list) and all(isinstance(u, str) for u in unknown)):
        out("[etd] unknown must be a list of judgements", ("etd", None, "unknown"), column="etd.unknown",
            found=_shown(unknown), allowed='e.g. ["don\'t know"]')
        unknown = []
    items = raw.get("criteria", [])
    if not (isinstance(items, list) and items and all(isinstance(c, dict) for c in items)):
        out("[etd] needs its criteria, each an [[etd.criteria]] table", ("etd", None, "criteria"),
            column="etd.criteria", found=_shown(items), allowed=", ".join(ETD_KEYS))
        return None
    criteria, seen = [], set()
    for i, c in enumerate(items):
        at = ("etd.criteria", i)
        for k in c:
            if k not in ETD_KEYS:
                out("unknown key in an [[etd.criteria]] table", (*at, k), column=f"etd.criteria.{k}", found=str(k),
                    allowed=", ".join(ETD_KEYS))
        key, judgements = c.get("key"), c.get("judgements")
        if not (isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_]*", key)):
            out("a criterion needs a key: lower-case letters, digits and _", (*at, "key"), column="etd.criteria.key",
                found=_shown(key), allowed="e.g. desirable_effects")
            continue
        if key in seen:
            out("a criterion key is repeated", (*at, "key"), column="etd.criteria.key", found=key,
                allowed="each key once")
        seen.add(key)
        if not (isinstance(judgements, list) and judgements and all(isinstance(j, str) and j.strip()
                                                                    for j in judgements)):
            out("a criterion needs its judgements, a list of text", (*at, "judgements"),
                column="etd.criteria.judgements", found=_shown(judgements),
                allowed='e.g. ["trivial", "small", "moderate", "large", "varies", "don\'t know"]')
            continue
        column = c.get("column", "")
        if column and column not in ETD_COLUMNS:
            out("a criterion names a column recommendations.csv does not record", (*at, "column"),
                column="etd.criteria.column", found=_shown(column), allowed=", ".join(ETD_COLUMNS))
        points = c.get("points", {})
        if not (isinstance(points, dict) and all(k in judgements and v in ("for", "against")
                                                 for k, v in points.items())):
            out("a criterion's points must map its judgements to for or against", (*at, "points"),
                column="etd.criteria.points", found=_shown(points),
                allowed=f"judgements: {', '.join(judgements)}; values: for, against")
            points = {}
        shown_first = c.get("key_information", False)
        if not isinstance(shown_first, bool):
            out("key_information must be true or false", (*at, "key_information"),
                column="etd.criteria.key_information", found=_shown(shown_first), allowed="true, false")
            shown_first = False
        criteria.append(Criterion(key, str(c.get("name", key)), str(c.get("question", "")), tuple(judgements),
                                  str(column or ""), dict(points), shown_first))
    return Etd(tuple(criteria), tuple(unknown))


def _certainty(data: dict, codes: set[str], scodes: set[str], rules: dict, out: _Found) -> Certainty | None:
    """[certainty] and [[paradigms]] of a scheme whose model is 'certainty' (GRADE)."""
    raw = _table(data, "certainty", out, "a [certainty] table: start, down, up, domains, importance, "
                                         "discordant_below, strong (docs/schemes.md)")
    ok = True

    def steps(key: str) -> dict[str, int]:
        nonlocal ok
        table = raw.get(key, {})
        if not (isinstance(table, dict) and table and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                                          for v in table.values())):
            out(f"[certainty] {key} must map each judgement to a number of steps", ("certainty", None, key),
                column=f"certainty.{key}", found=_shown(table), allowed='e.g. { not_serious = 0, serious = 1 }')
            ok = False
            return {}
        return dict(table)

    def texts(key: str) -> tuple[str, ...]:
        nonlocal ok
        value = raw.get(key, [])
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            out(f"[certainty] {key} must be a list of names", ("certainty", None, key), column=f"certainty.{key}",
                found=_shown(value), allowed='a list of text, e.g. ["risk_of_bias", "imprecision"]')
            ok = False
            return ()
        return tuple(value)

    start = raw.get("start", {})
    if not (isinstance(start, dict) and start and all(v in codes for v in start.values())):
        out("[certainty] start must map each design to a level of the scheme", ("certainty", None, "start"),
            column="certainty.start", found=_shown(start), allowed=f"levels: {', '.join(sorted(codes))}")
        ok = False
    down, up = steps("down"), steps("up")
    domains_down, domains_up, importance = texts("domains_down"), texts("domains_up"), texts("importance")
    below, strong = raw.get("discordant_below", ""), raw.get("strong", "")
    if below not in codes:
        out("[certainty] discordant_below must be a level", ("certainty", None, "discordant_below"),
            column="certainty.discordant_below", found=_shown(below), allowed=", ".join(sorted(codes)))
        ok = False
    if strong not in scodes:
        out("[certainty] strong must be a strength", ("certainty", None, "strong"), column="certainty.strong",
            found=_shown(strong), allowed=", ".join(sorted(scodes)))
        ok = False
    paradigms = []
    for i, p in enumerate(_list(data, "paradigms", out)):
        if not (isinstance(p, dict) and isinstance(p.get("code"), str) and isinstance(p.get("english"), str)):
            out(f"paradigms[{i + 1}] is not a paradigm", ("paradigms", i), column="paradigms", found=_shown(p),
                allowed="a [[paradigms]] table with code and english")
            continue
        paradigms.append(Paradigm(p["code"], p["english"]))
    same = raw.get("same_direction_highest", False)
    if not isinstance(same, bool):
        out("[certainty] same_direction_highest must be true or false", ("certainty", None, "same_direction_highest"),
            column="certainty.same_direction_highest", found=_shown(same), allowed="true or false")
        ok = False
    known = set(raw) - {"start", "down", "up", "domains_down", "domains_up", "importance", "discordant_below",
                        "strong", "same_direction_highest"}
    for key in sorted(known):
        out("unknown key in [certainty]", ("certainty", None, key), column=f"certainty.{key}", found=key,
            allowed="start, down, up, domains_down, domains_up, importance, discordant_below, strong, "
                    "same_direction_highest")
    if not ok:
        return None
    return Certainty(dict(start), down, up, domains_down, domains_up, importance, below, strong, tuple(paradigms),
                     same)


def _mappings(raw: dict, strengths: set[str], levels: set[str], out: _Found) -> dict[str, dict[str, str]]:
    """[mappings.strength] and [mappings.against]: a strength published under another scheme (for, against) -> one of
    this scheme's strengths or a range of two ('moderate/weak'); [mappings.certainty]: a certainty of a certainty
    model -> one of this scheme's levels."""
    mappings = {}
    for kind, table in raw.items():
        if kind not in MAPPING_KINDS or not isinstance(table, dict):
            out("unknown mapping", ("mappings", None, kind), column=f"mappings.{kind}", found=_shown(table),
                allowed="[mappings.strength], [mappings.against] or [mappings.certainty], each a table of "
                        "other scheme's grade = this scheme's grade")
            continue
        allowed, what = (levels, "level") if kind == "certainty" else (strengths, "strength")
        for source, target in table.items():
            parts = target.split("/") if isinstance(target, str) and kind != "certainty" else [target]
            if not isinstance(target, str) or len(parts) > 2 or any(t not in allowed for t in parts):
                out(f"a mapping names an unknown {what}", (f"mappings.{kind}", None, source),
                    column=f"mappings.{kind}", found=f"{source} = {target!r}"[:60],
                    allowed=", ".join(sorted(allowed)) or f"(no {what}s declared)")
        mappings[kind] = {k: v for k, v in table.items() if isinstance(v, str)}
    return mappings


def gradeable(scheme: Scheme) -> bool:
    """True for a scheme a guideline can be graded by: levels, strengths and a [ladder] from the one to the other,
    or a certainty model (GRADE: model = "certainty"). A scheme with neither (cost-b13) serves only as a crosswalk
    target."""
    return bool(scheme.levels and scheme.strengths and (scheme.ladder or scheme.certainty is not None))


def bundled_by_use() -> tuple[list[str], list[str]]:
    """The bundled schemes a guideline can be graded by, and those that serve only as crosswalk targets."""
    schemes = sorted((load_scheme(n) for n in bundled_names()), key=lambda s: s.model != "levels")
    return [s.name for s in schemes if gradeable(s)], [s.name for s in schemes if not gradeable(s)]


def check_grades_strengths(scheme: Scheme, printed_levels: object) -> None:
    """Refuse a scheme that cannot grade a guideline's strengths: no strengths or no ladder, or printed levels the
    scheme lacks."""
    name = scheme.path.name if scheme.path else scheme.name
    problems = []
    if not gradeable(scheme):
        lacks = " and ".join(what for what, has in (("no [[strengths]]", scheme.strengths),
                                                    ("no [ladder] giving each level its strength", scheme.ladder))
                             if not has)
        grading, targets = bundled_by_use()
        target = scheme.name if scheme.name in targets or scheme.path is None else scheme.path
        # Named by guideline.toml, the crosswalk would read the published grades by it too: name the scheme to read
        # them by instead.
        from_scheme = f" --from-scheme {grading[0]}" if grading and "guideline.toml" in scheme.origin else ""
        problems.append(Problem(
            name, f"scheme {scheme.name} cannot grade a guideline: it has {lacks}, so it cannot derive a strength to "
                  "compare with the published one. A guideline is graded by a scheme with [[levels]], [[strengths]] "
                  f"and a [ladder] (bundled: {', '.join(grading)}); "
                  f"{' and '.join(targets) or 'a scheme without them'} serve only as crosswalk targets",
            column="ladder" if scheme.strengths else "strengths", found=scheme.describe(),
            allowed=pointed(f"a gradeable scheme ({', '.join(grading)}, or a copy of it) in guideline.toml or "
                            f"--scheme; to see the guideline under {scheme.name}, `grading crosswalk --scheme "
                            f"{target}{from_scheme}`")))
    codes = set(scheme.level_codes)
    unknown = sorted({str(v) for v in printed_levels} - codes - {""})  # type: ignore[attr-defined]
    if unknown and scheme.certainty is not None:
        grading, _ = bundled_by_use()
        others = [g for g in grading if g != scheme.name]
        problems.append(Problem(
            name, f"scheme {scheme.name} grades by certainty per outcome (GRADE: evidence/outcomes.csv), and this "
                  f"guideline prints levels of another scheme ({', '.join(unknown)})", column="levels",
            found=scheme.describe(),
            allowed=pointed(f"the scheme the guideline was graded by ({', '.join(others)}, or a copy of it); to see "
                            f"it under {scheme.name} as a mapping, `grading crosswalk --scheme {scheme.name}`")))
        unknown = []
    for level in unknown:
        problems.append(Problem(name, "the guideline prints a level the scheme does not have", column="levels",
                                found=level, allowed=pointed(", ".join(sorted(codes)))))
    raise_if_errors(problems)
