"""Rules that read Table 1 as its words say (issue 21, part 2), each checked on the guideline case a reviewer
disputed. Rows are built as the evidence tables hold them; each assertion is what the rule gives, with the rule that
gave it. A rule changes only where Table 1's words say so (seed 1238-1278); a choice Table 1 leaves open is a
named, visible choice (CONTESTED-CHOICES)."""

import pytest

from conftest import record, scheme
from grading import Study
from grading.analyses.wording import by_word_order, check_wording
from grading.grade import derive_level, grade
from grading.grade.readings import UNSTATED_DESIGNS, every_reading

NORWAY = scheme()


# --- LEVEL-IN-WORDS -------------------------------------------------------------------------------------------

def test_two_reviews_the_text_calls_good_documentation_are_level_two_massage_7_1_1_21():
    # "to senere systematiske oversikter konkluderer med at det foreligger god dokumentasjon ... (41;322)" (2418-2422):
    # two good reviews would meet *** by L-VERY-GOOD, but the text names their documentation ** in its own words.
    rows = [Study("systematic_review", "good", "benefit", 41, "god dokumentasjon"),
            Study("systematic_review", "good", "benefit", 322, "god dokumentasjon")]
    d = derive_level(rows, NORWAY)
    assert (d.value, d.rule) == ("**", "L-GOOD") and "LEVEL-IN-WORDS" in d.choices
    assert "names a lower level in its own words" in d.because
    unworded = derive_level([Study("systematic_review", "good", "benefit", n, "") for n in (41, 322)], NORWAY)
    assert (unworded.value, unworded.rule) == ("***", "L-VERY-GOOD")
    off = derive_level(rows, NORWAY.but(level_in_words=False))
    assert off.value == "***"  # the choice, turned off, reads the words no more


def test_a_row_without_words_lifts_the_cap_because_the_words_are_not_about_it():
    rows = [Study("systematic_review", "good", "benefit", 41, "god dokumentasjon"),
            Study("rct", "good", "benefit", 7, "")]
    assert derive_level(rows, NORWAY).value == "***"


def test_contradictory_documentation_in_the_recommendations_own_words_is_its_published_level_manipulation_7_1_1_15():
    # "Ut fra motstridende dokumentasjon er det ikke grunnlag for å anbefale manipulasjon ..." (2269-2270): no level is
    # printed; the words name Table 1's lowest level, and 'no basis' is what that level carries with nothing
    # recommended.
    rec = record(id="7.1.1-15", strength="no_basis", level="", direction="none",
                 published_level_words="motstridende dokumentasjon", published_level_words_level="*")
    g = grade(rec, (Study("guideline", "unclear", "benefit", 4, ""), Study("rct", "unclear", "no_effect", 9, "")),
              NORWAY)
    assert (g.level_source, g.level_used, g.derived_strength) == ("in_words", "*", "no_basis")
    assert (g.comparison.verdict, g.certainty) == ("agree", "certain")
    assert "LEVEL-IN-WORDS" in g.rule() and "motstridende dokumentasjon" in g.rule()
    printed_first_off = grade(rec, g.studies, NORWAY.but(printed_level_first=False))
    assert printed_first_off.level_source == "derived"


def test_a_level_in_words_never_stands_in_for_a_printed_one():
    rec = record(level="***", published_level_words="god dokumentasjon", published_level_words_level="**")
    g = grade(rec, (Study("rct", "good", "benefit", 1, ""),), NORWAY)
    assert (g.level_source, g.level_used) == ("printed", "***")


# --- CONTRADICTION-LACKING and INSUFFICIENT-IS-NOT-SUPPORT ------------------------------------------------------

def test_very_good_documentation_of_no_effect_against_a_review_finding_too_little_is_contradictory_tens_7_1_1_25():
    # "meget god dokumentasjon for at TENS ikke har bedre effekt enn placebo (4), men én senere systematisk oversikt
    # finner at grunnlaget for å konkludere er mangelfullt (180)" (2439-2444): contradictory documentation is Table
    # 1's lowest level, which carries 'Ikke grunnlag' — what the guideline published — when 180 is read as good.
    four = Study("guideline", "good", "no_effect", 4, "meget god dokumentasjon")
    read_good = Study("systematic_review", "good", "insufficient", 180, "grunnlaget for å konkludere er mangelfullt")
    d = derive_level([four, read_good], NORWAY)
    assert (d.value, d.rule) == ("*", "CONTRADICTION-LACKING")
    rec = record(id="7.1.1-25", strength="no_basis", level="", direction="none")
    assert grade(rec, (four, read_good), NORWAY).comparison.verdict == "agree"
    # 180's quality is not stated: under the default reading it is not good, and the verdict depends on it.
    g = grade(rec, (four, Study("systematic_review", "unclear", "insufficient", 180, "")), NORWAY)
    assert g.certainty == "depends_on_appraisal" and 180 in g.to_appraise


def test_contradiction_is_the_lowest_level_not_one_step_down():
    rows = [Study("systematic_review", "good", "benefit", 1), Study("rct", "good", "benefit", 2),
            Study("rct", "good", "no_effect", 3)]
    assert (derive_level(rows, NORWAY).value, derive_level(rows, NORWAY).rule) == ("*", "CONTRADICTION-LACKING")


def test_a_source_that_finds_too_little_to_conclude_never_supports_the_recommendation_massage_7_1_1_21():
    # "Europeiske retningslinjer konkluderer med at man ikke kan trekke konklusjoner vedrørende massasje" (4; 2415):
    # read as good, it is wholly insufficient documentation, not support (UNCLEAR-FINDING-SUPPORTS does not apply).
    rec = record(id="7.1.1-21", strength="moderate", level="", direction="for")
    g = grade(rec, (Study("guideline", "good", "insufficient", 4, ""),), NORWAY)
    assert g.derived_strength == "no_basis" and "INSUFFICIENT-IS-NOT-SUPPORT" in g.strength.choices
    unclear = grade(rec, (Study("guideline", "good", "unclear", 4, ""),), NORWAY)
    assert unclear.derived_strength == "moderate" and "UNCLEAR-FINDING-SUPPORTS" in unclear.strength.choices


# --- NO-DIFFERENCE-IS-NOT-NO-EFFECT ------------------------------------------------------------------------------

def test_no_difference_between_activity_and_bed_rest_is_not_documentation_that_activity_does_not_work_7_2_1_01():
    # "meget god dokumentasjon for ingen signifikant forskjell ... mellom pasienter som holder sengen og pasienter som
    # er i lett aktivitet (119;143)" (2827-2832): 'Anbefales ikke' rests on no effect against placebo or no
    # treatment, or on harm; no difference from another treatment carries no direction: no more than lacking.
    rec = record(id="7.2.1-01", strength="weak", level="***", direction="for")
    rows = tuple(Study("systematic_review", "good", "no_difference", n, "meget god dokumentasjon") for n in (119, 143))
    g = grade(rec, rows, NORWAY)
    assert g.derived_strength == "weak" and "NO-DIFFERENCE-IS-NOT-NO-EFFECT" in g.strength.choices
    assert (g.comparison.verdict, g.certainty) == ("agree", "certain")
    no_effect = tuple(Study("systematic_review", "good", "no_effect", n, "meget god dokumentasjon") for n in (119, 143))
    assert grade(rec, no_effect, NORWAY).derived_strength == "not_recommended"


# --- one good study is ** (L-GOOD), and READINGS-THE-TEXT-ALLOWS ----------------------------------------------------

@pytest.mark.parametrize("design", ["unclear", "study", "other"])
def test_one_study_of_good_quality_is_level_two_whatever_its_design_heat_wrap_7_1_1_23(design):
    # "Én senere studie av god kvalitet ... finner positiv effekt av varmeteppe (237)" (2428-2430): Table 1's ** is
    # "minst én god studie"; the weak published strength is weaker than ** carries, for the reason the
    # recommendation gives ("Dokumentasjonen er begrenset til en enkeltstående studie").
    rec = record(id="7.1.1-23", strength="weak", level="", direction="for",
                 justification="Dokumentasjonen er begrenset til en enkeltstående studie.")
    rows = (Study("guideline", "poor", "unclear", 321, "gjennomgående er av lav metodisk kvalitet"),
            Study(design, "good", "benefit", 237, "god kvalitet"))
    g = grade(rec, rows, NORWAY)
    assert (g.derived_level, g.level.rule) == ("**", "L-GOOD")
    assert (g.comparison.verdict, g.comparison.justified, g.certainty) == ("weaker_than_evidence", True, "certain")


def test_a_source_the_text_calls_a_study_is_never_read_as_a_review_or_guideline():
    assert set(UNSTATED_DESIGNS["study"]) == {"rct", "cohort", "other"}
    assert {"guideline", "systematic_review"} <= set(UNSTATED_DESIGNS["unclear"])
    # Two good sources of unstated kind: read as syntheses they could meet ***; called studies they cannot.
    rec = record(strength="moderate", level="")
    unclear = every_reading(rec, (Study("unclear", "good", "benefit", 1), Study("unclear", "good", "benefit", 2)),
                            NORWAY)
    study = every_reading(rec, (Study("study", "good", "benefit", 1), Study("study", "good", "benefit", 2)), NORWAY)
    assert "***" in unclear.levels and "***" not in study.levels


# --- CONTESTED-CHOICES --------------------------------------------------------------------------------------------

def test_a_contested_choice_must_be_a_true_or_false_choice(tmp_path):
    from grading import load_scheme
    from grading.errors import ValidationError
    text = (NORWAY.path.read_text(encoding="utf-8")
            .replace('contested = ["printed_levels_each"]', 'contested = ["agreement_share"]'))
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="contested choice must be a true-or-false choice"):
        load_scheme(path)


# --- WORDING-STATES-STRENGTH: word order --------------------------------------------------------------------------

def test_only_word_order_tells_kan_ikke_anbefales_from_ikke_kan_anbefale_traction_7_1_1_16():
    found = by_word_order("Traksjon kan ikke anbefales ved akutte korsryggsmerter.", NORWAY)
    assert found == [("kan ikke anbefales", "not_recommended", "'ikke kan anbefale' (no_basis)")]
    reverse = by_word_order("Arbeidsgruppen ikke kan anbefale denne behandlingen.", NORWAY)
    assert [(w, read) for w, read, _ in reverse] == [("ikke kan anbefale", "no_basis")]
    w = check_wording(record(text="Traksjon kan ikke anbefales.", strength="not_recommended", direction="against"),
                      NORWAY)
    assert w is not None and w.agrees and "only word order tells" in w.because


@pytest.mark.parametrize("text", ["Anbefales (sterk/moderat grad) utført.", "Det anbefales (svak grad) å gi.",
                                  "Det er ikke grunnlag for å anbefale manipulasjon.", "Sengeleie anbefales ikke."])
def test_phrases_that_differ_by_more_than_word_order_are_not_flagged(text):
    assert by_word_order(text, NORWAY) == []
