"""What the FHIR export takes from HL7's Evidence Based Medicine on FHIR guide, version 1.0.0-ballot (FHIR R5, the
published ballot of December 2023): its profiles' canonical URLs, and the codes its profiles fix or its value sets
bind. docs/export.md says which mapping is the guide's and which is our reading of it."""

from __future__ import annotations

from typing import Any

EBM_IG = "http://hl7.org/fhir/uv/ebm"
EBM_VERSION = "1.0.0-ballot"


def _profile(name: str) -> str:
    return f"{EBM_IG}/StructureDefinition/{name}"


GUIDELINE = _profile("guideline")
RECOMMENDATION = _profile("recommendation")
JUSTIFICATION = _profile("recommendation-justification")
RATING = _profile("rating")
CERTAINTY = _profile("certainty-of-evidence")
JOURNAL_ARTICLE = _profile("journal-article-citation")
BOOK = _profile("book-citation")
BOOK_PART = _profile("book-part-citation")
PROFILES = (GUIDELINE, RECOMMENDATION, JUSTIFICATION, RATING, CERTAINTY, JOURNAL_ARTICLE, BOOK, BOOK_PART)

# The guide's own code systems (FEvIR): section and content codes, and the RecommendationJustification classifiers.
EBM = "https://fevir.net/resources/CodeSystem/179423"
RJCS = "https://fevir.net/resources/CodeSystem/27834"
# FHIR R5's code systems for certainty, as the guide's own CertaintyOfEvidence example writes them.
CERTAINTY_TYPE = "http://hl7.org/fhir/certainty-type"
CERTAINTY_RATING = "http://hl7.org/fhir/certainty-rating"
CLASSIFICATION_TYPE = "http://hl7.org/fhir/cited-artifact-classification-type"
ARTIFACT_CLASSIFIER = "http://hl7.org/fhir/citation-artifact-classifier"

# Direction of recommendation (RecommendationJustification's classifier value set, RJCS): our reading maps a
# recommendation against an intervention to "favors comparison", and no recommendation either way to "does not favor
# intervention or comparison".
DIRECTION = {"for": ("RJCS-2021", "Favors intervention"), "against": ("RJCS-2025", "Favors comparison"),
             "none": ("RJCS-2023", "Does not favor intervention or comparison")}
# A GRADE strength (the certainty model's): strong, and conditional (GRADE's "weak"), as RJCS defines them.
GRADE_STRENGTH = {"strong": ("RJCS-2001", "Strong expectation"), "conditional": ("RJCS-2002", "Weak expectation")}
# A GRADE certainty as RJCS (inside a RecommendationJustification) and as certainty-rating (a CertaintyOfEvidence).
RJCS_CERTAINTY = {"high": ("RJCS-2003", "High certainty"), "moderate": ("RJCS-2004", "Moderate certainty"),
                  "low": ("RJCS-2005", "Low certainty"), "very_low": ("RJCS-2006", "Very low certainty")}
CERTAINTY_RATINGS = {"high": ("high", "High quality"), "moderate": ("moderate", "Moderate quality"),
                     "low": ("low", "Low quality"), "very_low": ("very-low", "Very low quality")}
# GRADE's domains (the certainty model's names) as certainty-type, and each judgement as certainty-rating.
DOMAINS = {"risk_of_bias": ("RiskOfBias", "Risk of bias"), "inconsistency": ("Inconsistency", "Inconsistency"),
           "indirectness": ("Indirectness", "Indirectness"), "imprecision": ("Imprecision", "Imprecision"),
           "publication_bias": ("PublicationBias", "Publication bias"),
           "large_effect": ("LargeEffect", "Large effect"),
           "dose_response": ("DoseResponseGradient", "Dose response gradient"),
           "plausible_confounding": ("PlausibleConfounding", "Plausible confounding")}
JUDGEMENTS = {"not_serious": ("no-concern", "no serious concern"), "serious": ("serious-concern", "serious concern"),
              "very_serious": ("very-serious-concern", "very serious concern"),
              "no": ("absent", "absent"), "yes": ("present", "present"),
              "very_large": ("upcode2", "increase rating: +2")}
OVERALL = ("Overall", "Overall certainty")
# The kind of work a Citation profile is for, by BibTeX entry type: (profile, classifier system, code, display).
KINDS = {"article": (JOURNAL_ARTICLE, ARTIFACT_CLASSIFIER, "D016428", "Journal Article"),
         "book": (BOOK, ARTIFACT_CLASSIFIER, "D001877", "Book"),
         "incollection": (BOOK_PART, EBM, "classified-as-book-part", "Book Part"),
         "inbook": (BOOK_PART, EBM, "classified-as-book-part", "Book Part")}


def coded(system: str, value: str, display: str, text: str = "") -> dict[str, Any]:
    """A CodeableConcept of one coding (a profile's pattern compares its system, code and display)."""
    return {"coding": [{"system": system, "code": value, "display": display}], **({"text": text} if text else {})}


def ebm(value: str, display: str) -> dict[str, Any]:
    """A concept of the guide's own code system, as its profiles' patterns write it."""
    return coded(EBM, value, display)


def certainty_type(value: str, display: str) -> dict[str, Any]:
    return coded(CERTAINTY_TYPE, value, display)


def certainty_rating(value: str, display: str) -> dict[str, Any]:
    return coded(CERTAINTY_RATING, value, display)


# Where each Evidence-to-Decision criterion goes in a RecommendationJustification (content slice, component code and
# display): GRADE's criteria as the profile names them. A reading of ours where the profile has no slot of its own:
# the certainty of the evidence (and any criterion a scheme adds, and Table 1's validity and applicability) goes
# into the evidence's discussion, the certainty of the evidence on resources beside the costs, the balance of
# effects (and Table 1's balance of benefit and harm) as the net effect itself.
ETD_SLOTS = {"problem": ("judgments", "problem-importance", "Problem Importance"),
             "desirable_effects": ("evidence", "desirable-effects", "Desirable Effects"),
             "undesirable_effects": ("evidence", "undesirable-effects", "Undesirable Effects"),
             "values": ("netEffect", "preferences", "Preferences"),
             "balance_of_effects": ("netEffect", "", ""),
             "benefit_harm": ("netEffect", "", ""),
             "resources_required": ("judgments", "costs", "Costs"),
             "certainty_of_resources": ("judgments", "costs", "Costs"),
             "cost_effectiveness": ("judgments", "cost-effectiveness", "Cost-effectiveness"),
             "equity": ("judgments", "equity", "Equity"),
             "acceptability": ("judgments", "acceptability", "Acceptability"),
             "feasibility": ("judgments", "feasibility", "Feasibility")}
ETD_UNSLOTTED = ("evidence", "discussion", "Discussion")
ETD_CONTENT = {"evidence": ("evidence", "Evidence"), "netEffect": ("net-effect", "Net Effect"),
               "judgments": ("judgments", "Judgments"), "considerations": ("considerations", "Considerations")}
ETD_CONCLUSION = {"justification": ("judgments", "justification", "Justification"),
                  "subgroups": ("considerations", "subgroup-considerations", "Subgroup Considerations"),
                  "implementation": ("considerations", "implementation-considerations",
                                     "Implementation Considerations"),
                  "monitoring": ("considerations", "monitoring-considerations", "Monitoring Considerations"),
                  "research_priorities": ("considerations", "research-considerations", "Research Considerations")}
