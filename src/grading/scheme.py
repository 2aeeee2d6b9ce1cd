"""The 2007 Norwegian grading scheme (guideline section 5.5, Table 1) as data a reviewer can read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping


@dataclass(frozen=True)
class Grade:
    """One row of Table 1: a level of documentation or a strength of recommendation."""

    code: str
    norwegian: str
    english: str
    definition: str
    rank: int


LEVELS: tuple[Grade, ...] = (
    Grade("***", "Meget god", "Very good",
          "A good systematic review with at least one study of good design", 3),
    Grade("**", "God", "Good", "At least one good study", 2),
    Grade("*", "Manglende", "Lacking", "No good studies", 1),
)

STRENGTHS: tuple[Grade, ...] = (
    Grade("strong", "Sterk grad", "Strong",
          "Very good documentation (***) and agreement in the working group on the validity of "
          "the documentation, its applicability, and the balance of benefit and harm", 4),
    Grade("moderate", "Moderat grad", "Moderate",
          "At least one good study (**) and the same agreement", 3),
    Grade("weak", "Svak grad", "Weak",
          "Lacking or contradictory documentation (*) and agreement on applicability and on the "
          "balance of benefit and harm", 2),
    Grade("no_basis", "Ikke grunnlag for å anbefale", "No basis to recommend",
          "Wholly insufficient or contradictory documentation", 1),
    Grade("not_recommended", "Anbefales ikke", "Not recommended",
          "Sufficient documentation that the treatment or measure does not work", 0),
)

LEVEL = {g.code: g for g in LEVELS}
STRENGTH = {g.code: g for g in STRENGTHS}

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
class Rule:
    """A named rule: one line of Table 1, or an interpretive choice the table leaves open."""

    name: str
    says: str
    source: str  # "Table 1" for the scheme itself, "choice" for an interpretation


# Every rule a decision can cite. The "choice" rows are the open points of GRADING.md's last
# section: a working group that reads the scheme differently changes them through `Rules`.
RULES: dict[str, Rule] = {r.name: r for r in (
    Rule("L-VERY-GOOD", "*** Meget god: a good systematic review with at least one study of good design.", "Table 1"),
    Rule("L-GOOD", "** God: at least one good study.", "Table 1"),
    Rule("L-LACKING", "* Manglende: no good studies.", "Table 1"),
    Rule("S-STRONG", "Sterk grad: very good documentation (***) and agreement on validity, applicability and benefit/harm.", "Table 1"),
    Rule("S-MODERATE", "Moderat grad: at least one good study (**) and the same agreement.", "Table 1"),
    Rule("S-WEAK", "Svak grad: lacking or contradictory documentation (*) and agreement on applicability and benefit/harm.", "Table 1"),
    Rule("S-NO-BASIS", "Ikke grunnlag for å anbefale: wholly insufficient or contradictory documentation.", "Table 1"),
    Rule("SYNTHESES-AS-REVIEWS", "Evidence-based guidelines and reports with a systematic literature review count as "
         "systematic reviews, as do meta-analyses (section 5.4: they are the main evidence base).", "choice"),
    Rule("VERY-GOOD-STATED", "A good synthesis that the text itself appraises as very good documentation "
         "('meget god dokumentasjon') meets *** on its own: the guideline does not itemise the good-design "
         "studies inside it.", "choice"),
    Rule("GOOD-DESIGN", "Studies of good design are RCTs, cohort studies and syntheses; 'other', 'unclear' and "
         "consensus are not.", "choice"),
    Rule("UNCLEAR-IS-NOT-GOOD", "Evidence whose quality the text does not state counts as not good.", "choice"),
    Rule("CONSENSUS-NOT-A-STUDY", "Consensus (of the group or international) is never a study: it can support a "
         "recommendation but not a level above *.", "choice"),
    Rule("CONTRADICTION-LOWERS", "Contradictory evidence — a good row whose finding is conflicting, or good rows "
         "pointing both ways (benefit against no effect or harm) — lowers the level one step, never below *.", "choice"),
    Rule("PRINTED-LEVEL-FIRST", "A strength is judged against the level the guideline prints; where it prints "
         "none, against the level derived from the evidence rows.", "choice"),
    Rule("UNRECORDED-MEANS-AGREED", "A judgement the text does not record for a recommendation counts as "
         "agreement: the whole working group discussed every recommendation (section 5.6).", "choice"),
    Rule("JUDGEMENT-LOWERS", "Each judgement the text records against the recommendation (documentation not valid, not "
         "applicable here, or benefit not clearly outweighing harm) lowers the strength one grade.", "choice"),
    Rule("NO-DIRECTION-AT-LACKING", "A recommendation that recommends nothing (direction none) on lacking "
         "documentation (*) is 'no basis to recommend', not 'weak'.", "choice"),
    Rule("NOT-RECOMMENDED-IS-SUFFICIENT", "'Anbefales ikke' without a grade means sufficient documentation that "
         "the measure does not work: it is compared as a moderate-to-strong recommendation against.", "choice"),
    Rule("RANGE-EITHER-END", "A published range such as 'sterk/moderat grad' agrees with either end.", "choice"),
    Rule("CONSENSUS-NOT-COMPARABLE", "A recommendation with no published strength, or resting on consensus only "
         "with no printed level, is not comparable.", "choice"),
    Rule("JUSTIFIED-IF-RECORDED", "A deviation is justified only when the guideline records a justification.", "choice"),
    Rule("EFFECT-RELATIVE", "Relative difference: below the measurement error none; under 15 % small; from 15 % "
         "moderate (a relevant difference, section 5.2); from the 'large' threshold large.", "choice"),
    Rule("EFFECT-SMD", "Standardised effect size: under 0.20 small, 0.20-0.40 moderate, above 0.40 large "
         "(section 5.2 names small and moderate; 'large' above 0.40 is our reading).", "choice"),
    Rule("NEGATIVE-NO-EFFECT", "An intervention with no effect on any of pain, function and sick leave is judged "
         "negative (section 5.2).", "Table 1"),
)}


@dataclass(frozen=True)
class Rules:
    """The interpretive choices a working group may read differently; defaults follow GRADING.md."""

    synthesis_designs: frozenset[str] = frozenset({"systematic_review", "meta_analysis", "guideline", "report"})
    good_designs: frozenset[str] = frozenset(
        {"rct", "cohort", "systematic_review", "meta_analysis", "guideline", "report"})
    very_good_phrases: tuple[str, ...] = ("meget god", "meget godt")
    unclear_quality_is_good: bool = False
    contradiction_lowers: bool = True
    printed_level_first: bool = True
    unrecorded_means_agreed: bool = True
    relevant_relative_difference: float = 0.15
    large_relative_difference: float = 0.30
    smd_small_below: float = 0.20
    smd_moderate_up_to: float = 0.40
    overrides: Mapping[str, str] = field(default_factory=dict)

    def but(self, **changes) -> "Rules":
        """Return a copy with some choices changed."""
        return replace(self, **changes)


DEFAULT_RULES = Rules()


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
