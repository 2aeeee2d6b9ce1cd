"""A grading scheme as one immutable object: its levels, strengths, named rules and every interpretive choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import UnknownValueError

T = TypeVar("T")


@dataclass(frozen=True)
class Grade:
    """One row of a scheme's table: a level of documentation or a strength of recommendation."""

    code: str
    norwegian: str
    english: str
    definition: str
    rank: int  # higher is stronger; only order matters
    rule: str = ""  # the named rule that gives this grade (strengths)
    wording: tuple[str, ...] = ()  # phrases a recommendation's text names this strength by (WORDING-STATES-STRENGTH)


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
class Paradigm:
    """One situation in which GRADE guidance allows a strong recommendation on low or very low certainty."""

    code: str
    english: str


@dataclass(frozen=True)
class Certainty:
    """How a certainty model (GRADE) rates a body of evidence: its [certainty] table (model = "certainty")."""

    start: Mapping[str, str]  # design (rct, observational) -> the level a body of such evidence starts at
    down: Mapping[str, int]  # judgement of a downgrading domain -> steps down (RATE-DOWN)
    up: Mapping[str, int]  # judgement of an upgrading domain -> steps up (RATE-UP)
    domains_down: tuple[str, ...]  # risk_of_bias, inconsistency, indirectness, imprecision, publication_bias
    domains_up: tuple[str, ...]  # large_effect, dose_response, plausible_confounding
    importance: tuple[str, ...]  # critical, important, not_important (OVERALL-LOWEST-CRITICAL reads 'critical')
    discordant_below: str  # a strong recommendation on certainty at or below this level is discordant
    strong: str  # the strength code GRADE's discordance is about
    paradigms: tuple[Paradigm, ...] = ()
    same_direction_highest: bool = False  # SAME-DIRECTION-HIGHEST


@dataclass(frozen=True)
class Criterion:
    """One criterion of an Evidence-to-Decision framework ([[etd.criteria]]): what the panel judges, and how."""

    key: str  # e.g. desirable_effects; a key of a saved EtD record's criteria
    name: str  # 'Desirable effects'
    question: str  # 'How substantial are the desirable anticipated effects?'
    judgements: tuple[str, ...]  # the allowed judgements, in the framework's order
    column: str = ""  # the recommendations.csv column that records it where the text states it (2007: agree_*)
    points: Mapping[str, str] = field(default_factory=dict)  # judgement -> 'for' or 'against' (ETD-DIRECTION)
    key_information: bool = False  # shown first, as a recommendation's key information (site, report)


@dataclass(frozen=True)
class Etd:
    """A scheme's Evidence-to-Decision framework: its criteria and the judgements that say nothing is known."""

    criteria: tuple[Criterion, ...]
    unknown: tuple[str, ...] = ()  # "don't know", "no included studies": ETD-STRONG-UNKNOWN reads them

    def criterion(self, key: str) -> Criterion | None:
        """The criterion with this key, or None."""
        return next((c for c in self.criteria if c.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)


@dataclass(frozen=True)
class Choices:
    """The interpretive choices a scheme file declares in [choices]; a group reading it otherwise edits them."""

    unclear_quality_is_good: bool  # UNCLEAR-IS-NOT-GOOD when false
    contradiction_lowers: bool  # CONTRADICTION-LOWERS
    very_good_phrases: tuple[str, ...]  # VERY-GOOD-STATED
    printed_level_first: bool = True  # PRINTED-LEVEL-FIRST
    unrecorded_means_agreed: bool = True  # UNRECORDED-MEANS-AGREED
    lowest_level_needs: tuple[str, ...] = ("agree_applicability", "agree_benefit_harm")  # S-WEAK
    judgement_floor: str = ""  # JUDGEMENT-LOWERS stops at this strength
    nothing_recommended_at_lowest: str = ""  # NO-DIRECTION-AT-LACKING
    not_recommended: str = ""  # the strength that means sufficient documentation that a measure does not work
    not_recommended_compares_as: tuple[str, ...] = ()  # NOT-RECOMMENDED-IS-SUFFICIENT
    sufficient_level: str = ""  # NO-EFFECT-NOT-RECOMMENDED: the lowest level that is sufficient documentation
    unclear_finding_supports: bool = True  # UNCLEAR-FINDING-SUPPORTS
    diagnostic_sections: tuple[str, ...] = ()  # DIAGNOSTIC-ACCURACY: sections whose recommendations are about tests
    accuracy_is_benefit: bool = True  # DIAGNOSTIC-ACCURACY
    no_basis_agrees_with: tuple[str, ...] = ()  # NO-BASIS-COMPARED: derived strengths 'no basis' agrees with
    printed_levels_each: bool = True  # PRINTED-LEVELS-EACH
    level_in_words: bool = False  # LEVEL-IN-WORDS: a level the text names in words counts as published
    contested: tuple[str, ...] = ()  # CONTESTED-CHOICES: choices a verdict is shown to depend on
    relevant_relative_difference: float = 0.15  # EFFECT-RELATIVE
    large_relative_difference: float = 0.30
    smd_small_below: float = 0.20  # EFFECT-SMD
    smd_moderate_up_to: float = 0.40
    # The working group's votes (evidence/votes/): the rule the group chose for agreement, and how a text's
    # wording names its strength.
    agreement_share: float = 0.70  # AGREEMENT-SHARE: yes votes needed, as a share of the counted votes
    quorum_share: float = 0.5  # QUORUM: share of the panel members entitled to vote who must have voted
    interests_remove_vote: bool = True  # INTEREST-RECUSES: a recused member's vote is shown, not counted
    abstain_in_share: bool = False  # ABSTAIN-OUTSIDE-SHARE when false: abstentions count for the quorum only
    range_wording_joiners: tuple[str, ...] = ("/", " til ")  # WORDING-STATES-STRENGTH: two grades made a range

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every choice's name, as written in a scheme file."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def required(cls) -> tuple[str, ...]:
        """The choices every scheme file must declare (the rest only a scheme that grades strengths)."""
        return ("unclear_quality_is_good", "contradiction_lowers", "very_good_phrases")

    @classmethod
    def optional(cls) -> tuple[str, ...]:
        """Choices added after scheme files were written: a file that leaves them out keeps the behaviour it had."""
        return ("level_in_words", "contested")


@dataclass(frozen=True)
class Scheme:
    """A whole grading scheme as declared in its file; a modified copy (`but`) records what it changed."""

    name: str
    title: str
    levels: tuple[Grade, ...]
    strengths: tuple[Grade, ...]
    level_rules: tuple[LevelRule, ...]
    ladder: Mapping[str, str]
    rules: Mapping[str, Rule]
    sets: Mapping[str, frozenset[str]]
    choices: Choices
    mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None
    certainty: Certainty | None = None  # model = "certainty" (GRADE): how outcomes are rated; None: the levels model
    etd: Etd | None = None  # the Evidence-to-Decision framework a panel decides a recommendation by ([etd])
    changed: tuple[tuple[str, str], ...] = ()  # (choice, new value) of a modified copy, in the order made
    # Where the scheme came from, in words a reader understands: 'named by guideline.toml', 'given with --scheme',
    # 'the default: guideline.toml names no scheme', 'bundled with the toolkit'. Not part of what the scheme is:
    # the same file read from two places is the same scheme.
    origin: str = field(default="", compare=False)

    @property
    def model(self) -> str:
        """Which model the scheme grades by: 'levels' (a level from the evidence rows, a ladder to a strength:
        2007) or 'certainty' (certainty per outcome from its domains, strength the panel's judgement: GRADE)."""
        return "certainty" if self.certainty is not None else "levels"

    # --- grades ---------------------------------------------------------------------------------------
    def level(self, code: str) -> Grade:
        """The level with this code."""
        for g in self.levels:
            if g.code == code:
                return g
        raise UnknownValueError(f"level of scheme {self.name}", code, self.level_codes)

    def strength(self, code: str) -> Grade:
        """The strength with this code."""
        for g in self.strengths:
            if g.code == code:
                return g
        raise UnknownValueError(f"strength of scheme {self.name}", code, self.strength_codes)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.levels)

    @property
    def strength_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.strengths)

    @property
    def lowest_level(self) -> str:
        return self.levels[-1].code

    def says(self, rule: str) -> str:
        """What a named rule of this scheme says ('' when the scheme has no such rule)."""
        r = self.rules.get(rule)
        return r.says if r else ""

    # --- published strengths, ranges allowed ------------------------------------------------------------
    def parse_strength(self, code: str | None) -> tuple[str, ...]:
        """Split a published strength ('strong', 'strong/moderate', '') into its grades."""
        if not code:
            return ()
        parts = tuple(code.split("/"))
        if len(parts) > 2 or any(p not in self.strength_codes for p in parts):
            raise UnknownValueError(f"strength of scheme {self.name}", code, self.strength_choices())
        return parts

    def is_valid_strength(self, code: str) -> bool:
        """True when a published strength is a grade or a range of two adjacent grades."""
        try:
            parts = self.parse_strength(code)
        except UnknownValueError:
            return False
        if len(parts) == 2:
            a, b = (self.strength_codes.index(p) for p in parts)
            return abs(a - b) == 1 and not (self.choices.not_recommended and self.choices.not_recommended in parts)
        return True

    def strength_choices(self) -> tuple[str, ...]:
        """Every published strength value allowed: each grade and each range of two adjacent grades."""
        codes = self.strength_codes
        pairs = tuple(f"{a}/{b}" for a in codes for b in codes if a != b and self.is_valid_strength(f"{a}/{b}"))
        return codes + pairs

    def allowed_strengths(self) -> str:
        """The allowed published strength values, for error messages."""
        codes = self.strength_codes
        example = f", e.g. {codes[0]}/{codes[1]}" if len(codes) > 1 else ""
        return f"{', '.join(codes)}, or two adjacent grades joined by '/'{example}, or empty"

    def strength_span(self, code: str | None) -> tuple[int, int] | None:
        """The lowest and highest rank a published strength allows (RANGE-EITHER-END, NOT-RECOMMENDED-IS-SUFFICIENT)."""
        parts = self.parse_strength(code)
        if not parts:
            return None
        ranks = []
        for p in parts:
            if p == self.choices.not_recommended and self.choices.not_recommended_compares_as:
                ranks += [self.strength(s).rank for s in self.choices.not_recommended_compares_as]
            else:
                ranks.append(self.strength(p).rank)
        return min(ranks), max(ranks)

    # --- what is worked out from a scheme once ----------------------------------------------------------
    def worked_out(self, what: str, build: Callable[[Scheme], T]) -> T:
        """A value built once from this scheme object and kept with it (its compiled level rules, its phrase
        table): a modified copy is another object and builds its own."""
        kept = self.__dict__.setdefault("_worked_out", {})  # not a field: equality and copies never see it
        if what not in kept:
            kept[what] = build(self)
        return kept[what]

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_worked_out"}  # rebuilt where it is needed

    # --- modified copies --------------------------------------------------------------------------------
    def but(self, **choices: Any) -> Scheme:
        """A copy with some interpretive choices changed; the copy's `reading` says which."""
        unknown = [k for k in choices if k not in Choices.names()]
        if unknown:
            raise UnknownValueError("choice", unknown[0], Choices.names())
        made = tuple((k, _shown(v)) for k, v in choices.items())
        return replace(self, choices=replace(self.choices, **choices), changed=self.changed + made)

    def with_sets(self, **sets: frozenset[str] | set[str]) -> Scheme:
        """A copy with some named sets of designs replaced."""
        unknown = [k for k in sets if k not in self.sets]
        if unknown:
            raise UnknownValueError(f"set of scheme {self.name}", unknown[0], tuple(self.sets))
        made = tuple((f"sets.{k}", _shown(sorted(v))) for k, v in sets.items())
        return replace(self, sets={**self.sets, **{k: frozenset(v) for k, v in sets.items()}},
                       changed=self.changed + made)

    def from_origin(self, origin: str) -> Scheme:
        """The same scheme, saying it came from `origin` ('given with --scheme', 'named by guideline.toml')."""
        return replace(self, origin=origin)

    @property
    def reading(self) -> str:
        """Where this scheme came from and, for a modified copy, what it changed: 'named by guideline.toml',
        'given with --scheme; modified: unclear_quality_is_good = true'."""
        parts = [self.origin or "read from its file"]
        if self.changed:
            parts.append("modified: " + ", ".join(f"{k} = {v}" for k, v in dict(self.changed).items()))
        return "; ".join(parts)

    def describe(self) -> str:
        """'norway-2007 (named by guideline.toml)': the scheme an output was graded by, where it came from, and
        what a modified copy changed ('... (named by guideline.toml; modified: unclear_quality_is_good = true)')."""
        return f"{self.name} ({self.reading})"


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
