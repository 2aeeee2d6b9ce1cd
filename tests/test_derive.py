"""The grading rules, each checked on the guideline's own cases (GRADING.md, seed section 5.5)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading import load_scheme
from grading.grade import Study, compare, derive_level, derive_strength, effect_size_category, outcome_judgement

NORWAY = load_scheme("norway-2007")
RULES = NORWAY.rules
LEVEL = {g.code: g for g in NORWAY.levels}

GOOD_SR = Study("systematic_review", "good", "benefit", 162)
GOOD_RCT = Study("rct", "good", "benefit", 91)


def test_good_review_with_good_study_is_very_good():
    d = derive_level([GOOD_SR, GOOD_RCT], NORWAY)
    assert (d.value, d.rule) == ("***", "L-VERY-GOOD")
    assert "ref 162" in d.explain() and "ref 91" in d.explain()


def test_review_stated_very_good_in_text_is_very_good_alone():
    d = derive_level([Study("guideline", "good", "no_effect", 321, "meget god dokumentasjon")], NORWAY)
    assert d.value == "***" and "VERY-GOOD-STATED" in d.choices


def test_one_good_study_is_good():
    d = derive_level([GOOD_RCT, Study("rct", "poor", "benefit", 17)], NORWAY)
    assert (d.value, d.rule) == ("**", "L-GOOD")


def test_no_good_study_is_lacking():
    d = derive_level([Study("rct", "poor", "benefit", 81), Study("rct", "unclear", "benefit", 321)], NORWAY)
    assert (d.value, d.rule) == ("*", "L-LACKING")


def test_consensus_only_is_lacking():
    d = derive_level([Study("consensus")], NORWAY)
    assert d.value == "*" and "only consensus" in d.because


def test_contradictory_trials_lower_the_level_fusion_case():
    # 7.1.3 fusion: one trial for fusion (91), two finding no difference (28; 77).
    d = derive_level([Study("rct", "good", "benefit", 91), Study("rct", "good", "no_effect", 28)], NORWAY)
    assert (d.value, d.rule) == ("*", "CONTRADICTION-LOWERS")


def test_unclear_quality_counts_when_a_group_reads_it_so():
    rules = NORWAY.but(unclear_quality_is_good=True)
    assert derive_level([Study("rct", "unclear", "benefit", 1)], rules).value == "**"


def test_strength_ladder_follows_table_1():
    assert derive_strength("***", "for", None, NORWAY).value == "strong"
    assert derive_strength("**", "for", None, NORWAY).value == "moderate"
    assert derive_strength("*", "for", None, NORWAY).value == "weak"
    assert derive_strength("*", "none", None, NORWAY).value == "no_basis"


def test_recorded_disagreement_lowers_strength():
    d = derive_strength("***", "for", {"agree_validity": "no"}, NORWAY)
    assert d.value == "moderate" and "JUDGEMENT-LOWERS" in d.choices


def test_unrecorded_agreement_can_be_read_strictly():
    d = derive_strength("**", "for", {}, NORWAY.but(unrecorded_means_agreed=False))
    assert d.value == "no_basis"


def test_cauda_equina_surgery_strong_on_non_randomised_study_is_justified():
    # Seed 1297-1300: strong on a single non-randomised study, on clinical experience and consensus.
    level = derive_level([Study("cohort", "unclear", "benefit"), Study("consensus")], NORWAY)
    strength = derive_strength(level.value, "for", None, NORWAY)
    c = compare("strong", strength.value, NORWAY, justification="klinisk erfaring og konsensus om at konsekvensene "
                "av å vente/ikke operere er svært negative")
    assert (level.value, strength.value, c.verdict, c.justified) == ("*", "weak", "stronger_than_evidence", True)


def test_imaging_at_red_flags_strong_on_good_with_stated_reason():
    # 6.3.3: strong on ** "skyldes antatt negativ konsekvens av å overse tilstand som kan behandles".
    c = compare("strong", derive_strength("**", "for", None, NORWAY).value, NORWAY,
                justification="Sterkere anbefaling enn dokumentasjonen tilsier skyldes antatt negativ konsekvens")
    assert (c.verdict, c.justified) == ("stronger_than_evidence", True)


def test_fusion_weak_on_good_is_weaker_than_its_level_with_a_stated_reason():
    # 7.1.3: weak on ** "Komplikasjonsrisiko, usikker og begrenset effekt ... gjør at indikasjonen ... er svak".
    c = compare("weak", derive_strength("**", "for", None, NORWAY).value, NORWAY,
                justification="Komplikasjonsrisiko ...")
    assert (c.verdict, c.justified) == ("weaker_than_evidence", True)


def test_fusion_agrees_once_the_groups_benefit_harm_judgement_is_recorded():
    d = derive_strength("**", "for", {"agree_benefit_harm": "no"}, NORWAY)
    assert d.value == "weak" and "agree_benefit_harm" in d.because
    assert compare("weak", d.value, NORWAY).verdict == "agree"


def test_deviation_without_justification_is_unjustified():
    c = compare("strong", "moderate", NORWAY, justification="  ")
    assert (c.verdict, c.justified) == ("stronger_than_evidence", False)


def test_traction_not_recommended_agrees_with_sufficient_evidence_against():
    # 7.1.1 "Traksjon kan ikke anbefales": sufficient documentation that it does not work.
    level = derive_level([Study("systematic_review", "good", "no_effect", 42, "meget god dokumentasjon")], NORWAY)
    strength = derive_strength(level.value, "against", None, NORWAY)
    assert compare("not_recommended", strength.value, NORWAY).verdict == "agree"
    assert compare("not_recommended", "weak", NORWAY).verdict == "stronger_than_evidence"


@pytest.mark.parametrize("published,derived,verdict", [
    ("strong/moderate", "strong", "agree"), ("strong/moderate", "moderate", "agree"),
    ("strong/moderate", "weak", "stronger_than_evidence"), ("moderate/weak", "strong", "weaker_than_evidence"),
    (None, "weak", "not_comparable"),
])
def test_ranges_agree_with_either_end(published, derived, verdict):
    assert compare(published, derived, NORWAY).verdict == verdict


def test_consensus_only_without_printed_level_is_not_comparable():
    assert compare("weak", "weak", NORWAY, consensus_only=True, level_printed=False).verdict == "not_comparable"


@pytest.mark.parametrize("kw,category", [
    (dict(relative_difference=0.0), "none"), (dict(relative_difference=0.10), "small"),
    (dict(relative_difference=0.15), "moderate"), (dict(relative_difference=-0.25), "moderate"),
    (dict(relative_difference=0.37), "large"), (dict(smd=0.1), "small"), (dict(smd=0.2), "moderate"),
    (dict(smd=0.4), "moderate"), (dict(smd=0.55), "large"), (dict(smd=0.05, measurement_error=0.1), "none"),
])
def test_effect_size_categories_of_section_5_2(kw, category):
    assert effect_size_category(NORWAY, **kw).value == category


def test_effect_size_needs_exactly_one_measure():
    with pytest.raises(ValueError):
        effect_size_category(NORWAY, relative_difference=0.2, smd=0.3)


def test_no_effect_on_pain_function_or_sick_leave_is_negative():
    assert outcome_judgement({"pain": "none", "function": "none", "sick_leave": "none"}, NORWAY).value == "negative"
    assert outcome_judgement({"pain": "small"}, NORWAY).value == "positive"


def test_every_rule_a_decision_cites_is_in_the_table():
    d = derive_level([GOOD_SR, GOOD_RCT, Study("rct", "good", "conflicting", 3)], NORWAY)
    assert d.rule in RULES and all(c in RULES for c in d.choices)


studies = st.builds(Study, design=st.sampled_from(["guideline", "systematic_review", "meta_analysis", "rct",
                                                   "cohort", "report", "other", "consensus", "unclear"]),
                    quality=st.sampled_from(["good", "poor", "unclear"]),
                    finding=st.sampled_from(["benefit", "no_effect", "harm", "conflicting", "unclear"]),
                    reference=st.none() | st.integers(1, 400),
                    quality_text=st.sampled_from(["", "god dokumentasjon", "meget god dokumentasjon"]))
RANK = {c: g.rank for c, g in LEVEL.items()}


@given(st.lists(studies, max_size=8), studies)
def test_adding_a_good_study_that_agrees_never_lowers_the_level(rows, new):
    # A good study pointing the other way may lower the level (CONTRADICTION-LOWERS); one that agrees may not.
    found = {s.finding for s in rows if s.quality == "good"} - {"unclear"}
    finding = ("benefit" if found <= {"benefit"} else "no_effect" if found <= {"no_effect", "harm"}
               else "unclear")
    new = Study(new.design, "good", finding, new.reference, new.quality_text)
    assert RANK[derive_level(rows + [new], NORWAY).value] >= RANK[derive_level(rows, NORWAY).value]


@given(st.lists(studies, max_size=8), studies)
def test_a_poor_study_never_raises_the_level(rows, new):
    new = Study(new.design, "poor", new.finding, new.reference, new.quality_text)
    assert RANK[derive_level(rows + [new], NORWAY).value] <= RANK[derive_level(rows, NORWAY).value]
