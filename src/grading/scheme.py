"""Grading schemes as data: levels, strengths and the rules between them, read from a TOML file a reviewer can read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from .errors import Problem, raise_if_errors

SCHEME_DIR = Path(__file__).parent / "schemes"

# Vocabularies of the evidence tables: code -> English label.
DESIGNS = {
    "guideline": "evidence-based guideline",
    "systematic_review": "systematic review",
    "meta_analysis": "meta-analysis",
    "rct": "randomised controlled trial",
    "cohort": "cohort study",
    "report": "report with systematic literature review",
    "other": "other study",
    "consensus": "consensus",
    "unclear": "design not stated",
}
QUALITIES = {"good": "good", "poor": "poor", "unclear": "quality not stated"}
FINDINGS = {"benefit": "benefit", "no_effect": "no effect", "harm": "harm",
            "conflicting": "conflicting", "unclear": "finding not stated"}
EFFECT_SIZES = ("none", "small", "moderate", "large", "unclear")
OUTCOMES = ("pain", "function", "sick_leave", "other", "unclear")
DIRECTIONS = ("for", "against", "none")
AGREEMENT = ("yes", "no", "unrecorded")
JUDGEMENTS = ("agree_validity", "agree_applicability", "agree_benefit_harm")


@dataclass(frozen=True)
class Grade:
    """One row of a scheme's table: a level of documentation or a strength of recommendation."""

    code: str
    norwegian: str
    english: str
    definition: str
    rank: int


@dataclass(frozen=True)
class Rule:
    """A named rule: a line of the scheme's table, or an interpretive choice the table leaves open."""

    name: str
    says: str
    source: str  # "Table 1" (or the scheme's own table) for the scheme itself, "choice" for an interpretation


@dataclass(frozen=True)
class Clause:
    """Counts of good rows a level rule asks for, and whether those rows must agree or contradict."""

    at_least: Mapping[str, int]  # named set -> minimum number of counted rows with a design in it
    quality: frozenset[str] = frozenset({"good"})  # the qualities a row needs to be counted
    stated: bool = False
    consistent: bool | None = None
    choice: str = ""


@dataclass(frozen=True)
class LevelRule:
    """A level given when any of its clauses holds; rules are tried in order."""

    name: str
    level: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Scheme:
    """A whole grading scheme as declared in its file."""

    name: str
    title: str
    levels: tuple[Grade, ...]
    strengths: tuple[Grade, ...]
    level_rules: tuple[LevelRule, ...]
    ladder: Mapping[str, str]
    rules: Mapping[str, Rule]
    sets: Mapping[str, frozenset[str]]
    choices: Mapping[str, object]
    mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def level(self, code: str) -> Grade:
        """The level with this code."""
        return next(g for g in self.levels if g.code == code)


def _grades(items, where: str, problems: list[Problem], name: str) -> tuple[Grade, ...]:
    out = []
    for i, item in enumerate(items or []):
        missing = [k for k in ("code", "english", "definition") if not isinstance(item.get(k), str)]
        if missing:
            problems.append(Problem(name, f"{where}[{i + 1}] lacks {', '.join(missing)}", column=where,
                                    allowed="code, norwegian, english and definition as text"))
            continue
        out.append(Grade(item["code"], item.get("norwegian", ""), item["english"], item["definition"],
                         len(items) - i))
    return tuple(out)


def load_scheme(source: str | Path = "norway-2007") -> Scheme:
    """Read and check a scheme file (a bundled name such as 'cost-b13', or a path); raise ValidationError."""
    path = Path(source) if str(source).endswith(".toml") else SCHEME_DIR / f"{source}.toml"
    name = str(path) if str(source).endswith(".toml") else f"{source}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        bundled = ", ".join(sorted(p.stem for p in SCHEME_DIR.glob("*.toml")))
        raise_if_errors([Problem(name, "no such scheme file", allowed=f"a .toml path or one of: {bundled}")])
    except UnicodeDecodeError as e:
        raise_if_errors([Problem(name, "the file is not UTF-8 text", found=f"byte at offset {e.start}",
                                 allowed="UTF-8")])
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r" \(at line \d+, column \d+\)", "", str(e))
        raise_if_errors([Problem(name, f"not valid TOML: {msg}", line=int(m.group(1)) if m else None,
                                 allowed="TOML, see src/grading/schemes/norway-2007.toml")])
    problems: list[Problem] = []
    levels = _grades(data.get("levels"), "levels", problems, name)
    strengths = _grades(data.get("strengths"), "strengths", problems, name)
    codes = {g.code for g in levels}
    sets = {k: frozenset(v) for k, v in data.get("sets", {}).items() if isinstance(v, list)}
    rules = {r["name"]: Rule(r["name"], r.get("says", ""), r.get("source", "choice"))
             for r in data.get("rules", []) if isinstance(r, dict) and "name" in r}
    level_rules = []
    for i, r in enumerate(data.get("level_rules", [])):
        where = f"level_rules[{i + 1}]"
        if r.get("level") not in codes:
            problems.append(Problem(name, f"{where}: unknown level", column="level", found=str(r.get("level")),
                                    allowed=", ".join(sorted(codes))))
            continue
        clauses = []
        for c in r.get("clauses", [{}]):
            counts = {k: v for k, v in c.items() if k not in ("stated", "consistent", "choice", "quality")}
            quality = c.get("quality", ["good"])
            if not isinstance(quality, list) or not set(quality) <= set(QUALITIES):
                problems.append(Problem(name, f"{where}: unknown quality in a clause", column="quality",
                                        found=repr(quality), allowed=f"a list drawn from {', '.join(QUALITIES)}"))
                quality = ["good"]
            for k, v in counts.items():
                if k not in sets or not isinstance(v, int):
                    problems.append(Problem(name, f"{where}: a clause counts an unknown set", column=k,
                                            found=f"{k} = {v!r}", allowed=f"a whole number for one of: "
                                            f"{', '.join(sorted(sets))}, or stated / consistent / choice"))
            clauses.append(Clause(counts, frozenset(quality), bool(c.get("stated", False)), c.get("consistent"),
                                  c.get("choice", "")))
        if r.get("name") not in rules:
            problems.append(Problem(name, f"{where}: rule has no [[rules]] entry saying what it means",
                                    column="name", found=str(r.get("name")), allowed="a name listed in [[rules]]"))
        level_rules.append(LevelRule(r.get("name", ""), r["level"], tuple(clauses)))
    ladder = dict(data.get("ladder", {}))
    for lvl, strength in ladder.items():
        if lvl not in codes or strength not in {g.code for g in strengths}:
            problems.append(Problem(name, "ladder maps an unknown level or strength", column="ladder",
                                    found=f"{lvl} = {strength}", allowed="a level code = a strength code"))
    if not levels or not level_rules:
        problems.append(Problem(name, "a scheme needs [[levels]] and [[level_rules]]",
                                allowed="see src/grading/schemes/norway-2007.toml"))
    raise_if_errors(problems)
    return Scheme(data.get("name", path.stem), data.get("title", ""), levels, strengths, tuple(level_rules),
                  ladder, rules, sets, dict(data.get("choices", {})), dict(data.get("mappings", {})), path)


NORWAY = load_scheme("norway-2007")
LEVELS: tuple[Grade, ...] = NORWAY.levels
STRENGTHS: tuple[Grade, ...] = tuple(replace(g, rank=g.rank - 1) for g in NORWAY.strengths)
LEVEL = {g.code: g for g in LEVELS}
STRENGTH = {g.code: g for g in STRENGTHS}
RULES: dict[str, Rule] = dict(NORWAY.rules)

@dataclass(frozen=True)
class Rules:
    """The interpretive choices a working group may read differently; defaults follow the scheme file."""

    synthesis_designs: frozenset[str] = NORWAY.sets["synthesis"]
    good_designs: frozenset[str] = NORWAY.sets["good_design"]
    very_good_phrases: tuple[str, ...] = tuple(NORWAY.choices["very_good_phrases"])
    unclear_quality_is_good: bool = bool(NORWAY.choices["unclear_quality_is_good"])
    contradiction_lowers: bool = True
    printed_level_first: bool = True
    unrecorded_means_agreed: bool = True
    relevant_relative_difference: float = 0.15
    large_relative_difference: float = 0.30
    smd_small_below: float = 0.20
    smd_moderate_up_to: float = 0.40

    def but(self, **changes) -> "Rules":
        """Return a copy with some choices changed."""
        return replace(self, **changes)


DEFAULT_RULES = Rules()


def rules_for(scheme: Scheme) -> Rules:
    """The interpretive choices a scheme file declares (its sets and [choices]); the 2007 defaults elsewhere."""
    if scheme is NORWAY:
        return DEFAULT_RULES
    return replace(DEFAULT_RULES,
                   synthesis_designs=scheme.sets.get("synthesis", DEFAULT_RULES.synthesis_designs),
                   good_designs=scheme.sets.get("good_design", DEFAULT_RULES.good_designs),
                   very_good_phrases=tuple(scheme.choices.get("very_good_phrases", DEFAULT_RULES.very_good_phrases)),
                   unclear_quality_is_good=bool(scheme.choices.get("unclear_quality_is_good", False)))


def check_grades_strengths(scheme: Scheme, printed_levels) -> None:
    """Refuse a scheme that cannot grade this guideline's strengths: no ladder, or levels the guideline lacks."""
    name = scheme.path.name if scheme.path else scheme.name
    problems = []
    if not scheme.ladder or not set(scheme.ladder.values()) <= set(STRENGTH):
        problems.append(Problem(name, "the scheme has no [ladder] from its levels to the 2007 strengths, so it "
                                "cannot reproduce published strengths", column="ladder",
                                allowed="a [ladder] mapping each level to strong, moderate or weak; "
                                        "or use `grading crosswalk --scheme` to map into it"))
    codes = {g.code for g in scheme.levels}
    for level in sorted(set(printed_levels) - codes - {""}):
        problems.append(Problem(name, "the guideline prints a level the scheme does not have", column="levels",
                                found=level, allowed=", ".join(sorted(codes))))
    raise_if_errors(problems)


def parse_strength(code: str | None) -> tuple[str, ...]:
    """Split a published strength code ('strong', 'strong/moderate', '') into its grades."""
    if code is None or code == "":
        return ()
    parts = tuple(code.split("/"))
    if len(parts) > 2 or any(p not in STRENGTH for p in parts):
        raise ValueError(f"unknown strength {code!r}")
    return parts


def strength_rank_span(code: str | None) -> tuple[int, int] | None:
    """The lowest and highest rank a published strength allows (rules RANGE-EITHER-END, NOT-RECOMMENDED-IS-SUFFICIENT)."""
    parts = parse_strength(code)
    if not parts:
        return None
    ranks = []
    for p in parts:
        if p == "not_recommended":
            ranks += [STRENGTH["moderate"].rank, STRENGTH["strong"].rank]
        else:
            ranks.append(STRENGTH[p].rank)
    return min(ranks), max(ranks)


def allowed_strength_codes() -> str:
    """Describe the allowed published strength values for error messages."""
    singles = ", ".join(g.code for g in STRENGTHS)
    return f"{singles}, or two adjacent grades joined by '/', e.g. strong/moderate, or empty"


def is_valid_strength(code: str) -> bool:
    """True when a published strength code is a grade or a range of two adjacent grades."""
    try:
        parts = parse_strength(code)
    except ValueError:
        return False
    if len(parts) == 2:
        a, b = (STRENGTH[p].rank for p in parts)
        return abs(a - b) == 1 and "not_recommended" not in parts
    return True
