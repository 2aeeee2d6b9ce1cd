"""Reading a scheme file (TOML) into one Scheme object, with located errors for everything malformed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem, raise_if_errors
from ..io.files import read_text
from ..vocab import DESIGNS, JUDGEMENTS, QUALITIES
from .model import Choices, Clause, Grade, LevelRule, Rule, Scheme

BUNDLED = Path(__file__).parent / "bundled"
DEFAULT = "norway-2007"
_EXAMPLE = "see src/grading/scheme/bundled/norway-2007.toml"


def bundled_names() -> tuple[str, ...]:
    """The names of the schemes shipped with the package."""
    return tuple(sorted(p.stem for p in BUNDLED.glob("*.toml")))


def scheme_path(source: str | Path) -> tuple[Path, str]:
    """The file a scheme name or path means, and the name errors call it by."""
    text = str(source)
    if text.endswith(".toml") or "/" in text or Path(text).exists():
        return Path(source), text
    return BUNDLED / f"{text}.toml", f"{text}.toml"


def load_scheme(source: str | Path | Scheme = DEFAULT) -> Scheme:
    """Read and check a scheme file (a bundled name such as 'cost-b13', or a path); raise ValidationError."""
    if isinstance(source, Scheme):
        return source
    path, name = scheme_path(source)
    problems: list[Problem] = []
    if not path.exists():
        raise_if_errors([Problem(name, "no such scheme file",
                                 allowed=f"a .toml path or one of: {', '.join(bundled_names())}")])
    text, _ = read_text(path, name, problems)
    raise_if_errors(problems)
    assert text is not None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r" \(at line \d+, column \d+\)", "", str(e))
        raise_if_errors([Problem(name, f"not valid TOML: {msg}", line=int(m.group(1)) if m else None,
                                 allowed=f"TOML, {_EXAMPLE}")])
    scheme = scheme_from_data(data, name, problems, path)
    raise_if_errors(problems)
    return scheme


def _grades(items: Any, where: str, problems: list[Problem], name: str) -> tuple[Grade, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.append(Problem(name, f"[[{where}]] must be a list of tables", column=where, found=repr(items)[:60],
                                allowed="[[levels]] tables with code, english and definition"))
        return ()
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(Problem(name, f"{where}[{i + 1}] is not a table", column=where, found=repr(item)[:60],
                                    allowed=f"a [[{where}]] table with code, english and definition"))
            continue
        missing = [k for k in ("code", "english", "definition") if not isinstance(item.get(k), str)]
        if missing:
            problems.append(Problem(name, f"{where}[{i + 1}] lacks {', '.join(missing)}", column=where,
                                    allowed="code, norwegian, english and definition as text"))
            continue
        wording = item.get("wording", [])
        if not (isinstance(wording, list) and all(isinstance(x, str) and x.strip() for x in wording)):
            problems.append(Problem(name, f"{where}[{i + 1}].wording must be a list of phrases", column=where,
                                    found=repr(wording)[:60], allowed='a list of text, e.g. ["moderat grad"]'))
            wording = []
        out.append(Grade(item["code"], str(item.get("norwegian", "")), item["english"], item["definition"],
                         len(items) - i, str(item.get("rule", "")), tuple(x.strip() for x in wording)))
    return tuple(out)


def _choices(raw: Any, grades_strengths: bool, strengths: set[str], name: str,
             problems: list[Problem]) -> Choices:
    raw = raw if isinstance(raw, dict) else {}
    wanted = Choices.names() if grades_strengths else Choices.required()  # a ladder grades strengths
    for key in wanted:
        if key not in raw:
            problems.append(Problem(name, f"[choices] lacks '{key}'", column=f"choices.{key}",
                                    allowed=f"every interpretive choice declared, {_EXAMPLE}"))
    for key in raw:
        if key not in Choices.names():
            problems.append(Problem(name, "unknown choice", column=f"choices.{key}", found=key,
                                    allowed=", ".join(Choices.names())))
    defaults = Choices(False, True, ())
    values: dict[str, Any] = {}
    for key in Choices.names():
        if key not in raw:
            continue
        value, default = raw[key], getattr(defaults, key)
        ok = (isinstance(value, bool) if isinstance(default, bool) else
              isinstance(value, (int, float)) and not isinstance(value, bool) if isinstance(default, float) else
              isinstance(value, list) and all(isinstance(v, str) for v in value) if isinstance(default, tuple) else
              isinstance(value, str))
        if not ok:
            problems.append(Problem(name, "a choice has the wrong kind of value", column=f"choices.{key}",
                                    found=repr(value)[:60], allowed=type(default).__name__.replace("tuple", "a list "
                                                                                                  "of text")))
            continue
        values[key] = tuple(value) if isinstance(default, tuple) else value
    for key in ("judgement_floor", "nothing_recommended_at_lowest", "not_recommended"):
        if values.get(key) and values[key] not in strengths:
            problems.append(Problem(name, "a choice names an unknown strength", column=f"choices.{key}",
                                    found=values[key], allowed=", ".join(sorted(strengths))))
    for s in values.get("not_recommended_compares_as", ()):
        if s not in strengths:
            problems.append(Problem(name, "a choice names an unknown strength",
                                    column="choices.not_recommended_compares_as", found=s,
                                    allowed=", ".join(sorted(strengths))))
    for j in values.get("lowest_level_needs", ()):
        if j not in JUDGEMENTS:
            problems.append(Problem(name, "a choice names an unknown judgement", column="choices.lowest_level_needs",
                                    found=j, allowed=", ".join(JUDGEMENTS)))
    for key in ("agreement_share", "quorum_share"):  # votes: shares of a whole
        if key in values and not 0 <= values[key] <= 1:
            problems.append(Problem(name, "a share must lie between 0 and 1", column=f"choices.{key}",
                                    found=str(values[key]), allowed="a number from 0 to 1, e.g. 0.70"))
    return Choices(**{**{k: getattr(defaults, k) for k in Choices.names()}, **values})


def scheme_from_data(data: dict, name: str, problems: list[Problem], path: Path | None = None) -> Scheme:
    """A Scheme from a parsed scheme file, appending every problem found to `problems`."""
    levels = _grades(data.get("levels"), "levels", problems, name)
    strengths = _grades(data.get("strengths"), "strengths", problems, name)
    codes = {g.code for g in levels}
    raw_sets = data.get("sets", {}) if isinstance(data.get("sets", {}), dict) else {}
    sets = {}
    for k, v in raw_sets.items():
        if not isinstance(v, list) or not all(isinstance(d, str) for d in v):
            problems.append(Problem(name, "a set must be a list of design codes", column=f"sets.{k}",
                                    found=repr(v)[:60], allowed=f"a list drawn from {', '.join(DESIGNS)}"))
            continue
        for d in v:
            if d not in DESIGNS:
                problems.append(Problem(name, "a set names an unknown design", column=f"sets.{k}", found=d,
                                        allowed=", ".join(DESIGNS)))
        sets[k] = frozenset(v)
    rules = {r["name"]: Rule(r["name"], str(r.get("says", "")), str(r.get("source", "choice")))
             for r in data.get("rules", []) if isinstance(r, dict) and "name" in r}
    level_rules = []
    raw_rules = data.get("level_rules", [])
    for i, r in enumerate(raw_rules if isinstance(raw_rules, list) else []):
        where = f"level_rules[{i + 1}]"
        if not isinstance(r, dict) or r.get("level") not in codes:
            problems.append(Problem(name, f"{where}: unknown level", column="level",
                                    found=str(r.get("level") if isinstance(r, dict) else r),
                                    allowed=", ".join(sorted(codes))))
            continue
        clauses = []
        for c in r.get("clauses", [{}]):
            if not isinstance(c, dict):
                problems.append(Problem(name, f"{where}: a clause is not a table", column="clauses",
                                        found=repr(c)[:60], allowed="{ set = count, ... }"))
                continue
            counts = {k: v for k, v in c.items() if k not in ("stated", "consistent", "choice", "quality")}
            quality = c.get("quality", ["good"])
            if not isinstance(quality, list) or not set(quality) <= set(QUALITIES):
                problems.append(Problem(name, f"{where}: unknown quality in a clause", column="quality",
                                        found=repr(quality), allowed=f"a list drawn from {', '.join(QUALITIES)}"))
                quality = ["good"]
            for k, v in counts.items():
                if k not in sets or not isinstance(v, int) or isinstance(v, bool):
                    problems.append(Problem(name, f"{where}: a clause counts an unknown set", column=k,
                                            found=f"{k} = {v!r}", allowed=f"a whole number for one of: "
                                            f"{', '.join(sorted(sets))}, or stated / consistent / choice"))
            clauses.append(Clause(counts, frozenset(quality), bool(c.get("stated", False)), c.get("consistent"),
                                  str(c.get("choice", ""))))
        if r.get("name") not in rules:
            problems.append(Problem(name, f"{where}: rule has no [[rules]] entry saying what it means",
                                    column="name", found=str(r.get("name")), allowed="a name listed in [[rules]]"))
        level_rules.append(LevelRule(str(r.get("name", "")), r["level"], tuple(clauses)))
    if level_rules and any(c.at_least for c in level_rules[-1].clauses):
        problems.append(Problem(name, "the last level rule must hold whatever the evidence (a clause {})",
                                column="level_rules", found=level_rules[-1].name,
                                allowed=f"a last [[level_rules]] with clauses = [{{}}], {_EXAMPLE}"))
    ladder = dict(data.get("ladder", {})) if isinstance(data.get("ladder", {}), dict) else {}
    scodes = {g.code for g in strengths}
    for lvl, strength in ladder.items():
        if lvl not in codes or strength not in scodes:
            problems.append(Problem(name, "ladder maps an unknown level or strength", column="ladder",
                                    found=f"{lvl} = {strength}", allowed="a level code = a strength code"))
    if ladder and set(ladder) != codes:
        missing = sorted(codes - set(ladder))
        if missing:
            problems.append(Problem(name, "the ladder gives no strength for a level", column="ladder",
                                    found=", ".join(missing), allowed="every level mapped to a strength"))
    for g in strengths:
        if g.rule and g.rule not in rules:
            problems.append(Problem(name, "a strength names a rule that has no [[rules]] entry",
                                    column="strengths.rule", found=g.rule, allowed="a name listed in [[rules]]"))
    if not levels or not level_rules:
        problems.append(Problem(name, "a scheme needs [[levels]] and [[level_rules]]", allowed=_EXAMPLE))
    choices = _choices(data.get("choices"), bool(ladder), scodes, name, problems)
    return Scheme(str(data.get("name", path.stem if path else name)), str(data.get("title", "")), levels, strengths,
                  tuple(level_rules), ladder, rules, sets, choices, dict(data.get("mappings", {})), path)


def check_grades_strengths(scheme: Scheme, printed_levels: object) -> None:
    """Refuse a scheme that cannot grade a guideline's strengths: no ladder, or printed levels the scheme lacks."""
    name = scheme.path.name if scheme.path else scheme.name
    problems = []
    if not scheme.ladder or not scheme.strengths:
        problems.append(Problem(name, "the scheme has no strengths and no [ladder] from its levels to them, so it "
                                "cannot reproduce published strengths", column="ladder",
                                allowed="a scheme with [[strengths]] and a [ladder]; or use `grading crosswalk "
                                        "--scheme` to map into it"))
    codes = set(scheme.level_codes)
    for level in sorted({str(v) for v in printed_levels} - codes - {""}):  # type: ignore[attr-defined]
        problems.append(Problem(name, "the guideline prints a level the scheme does not have", column="levels",
                                found=level, allowed=", ".join(sorted(codes))))
    raise_if_errors(problems)
