"""The vocabularies of the evidence tables and of every verdict: one list of each, code -> English label."""

from __future__ import annotations

DESIGNS = {
    "guideline": "evidence-based guideline",
    "systematic_review": "systematic review",
    "meta_analysis": "meta-analysis",
    "rct": "randomised controlled trial",
    "cohort": "cohort study",
    "report": "report with systematic literature review",
    "other": "other study",
    "study": "study (design not stated)",
    "consensus": "consensus",
    "unclear": "design not stated",
}
QUALITIES = {"good": "good", "poor": "poor", "unclear": "quality not stated"}
FINDINGS = {"benefit": "benefit", "no_effect": "no effect", "harm": "harm",
            "conflicting": "conflicting", "no_difference": "no difference from another treatment",
            "insufficient": "too little to conclude", "unclear": "finding not stated"}
EFFECT_SIZES = ("none", "small", "moderate", "large", "unclear")
# Where the level a strength is judged on comes from (PRINTED-LEVEL-FIRST, LEVEL-IN-WORDS).
LEVEL_SOURCES = {"printed": "printed", "in_words": "printed in words", "derived": "derived"}
OUTCOMES = ("pain", "function", "sick_leave", "other", "unclear")
DIRECTIONS = ("for", "against", "none")
AGREEMENT = ("yes", "no", "unrecorded")
JUDGEMENTS = ("agree_validity", "agree_applicability", "agree_benefit_harm")
JUDGEMENT_LABELS = {"agree_validity": "Documentation valid", "agree_applicability": "Applicable here",
                    "agree_benefit_harm": "Benefit outweighs harm"}

AGREE, STRONGER, WEAKER, NOT_COMPARABLE = "agree", "stronger_than_evidence", "weaker_than_evidence", "not_comparable"
VERDICTS = {AGREE: "agree", STRONGER: "stronger than evidence", WEAKER: "weaker than evidence",
            NOT_COMPARABLE: "not comparable"}
DEVIATIONS = (STRONGER, WEAKER)

# The working group's votes (evidence/votes/): the three questions of Table 1, each answered yes, no or abstain,
# and the judgement column each decides; and what a tally of them comes to.
VOTE_QUESTIONS = {"validity": "agree_validity", "applicability": "agree_applicability",
                  "benefit_harm": "agree_benefit_harm"}
VOTE_CHOICES = ("yes", "no", "abstain")
AGREED, NOT_AGREED, NO_QUORUM = "agreed", "not_agreed", "no_quorum"
OUTCOMES_OF_VOTES = {AGREED: "agreed", NOT_AGREED: "not agreed", NO_QUORUM: "no quorum"}
