"""The appraisal the guideline states in words (issue 21): on the evidence rows of the references it names, and in
`published_level_words` where it speaks of a recommendation's documentation as a whole. Each test is one case of the
guideline: the loaded rows carry what the text states at the seed lines cited, and the grading is what it now gives
(asserted as it is, never tuned to the published grade). evidence/notes/stated-appraisal.md gives the readings."""

import pytest

from conftest import REPO
from grading import load_guideline, reproduce
from grading.render.export import guideline_json


@pytest.fixture(scope="module")
def guideline():
    return load_guideline(REPO)


@pytest.fixture(scope="module")
def graded(guideline):
    return {g.id: g for g in reproduce(guideline)}


def rows(guideline, rec_id, *refs):
    found = {r.reference: r for r in guideline.rows(rec_id)}
    return [found[str(ref)] for ref in refs]


def lines(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(";"):
        a, _, b = part.partition("-")
        out |= set(range(int(a), int(b or a) + 1))
    return out


def words(guideline, rec_id):
    r = guideline.recommendation(rec_id)
    return r.published_level_words, r.published_level_words_level


def test_7_1_1_13_three_trials_are_good_documentation_as_the_prose_states(guideline, graded):
    # "Tre nye RCTer viser god dokumentasjon ... (114;343;351)" (seed 2130-2134): the same three trials the subacute
    # manipulation cell cites (2295-2304).
    for row in rows(guideline, "7.1.1-13", 114, 343, 351):
        assert (row.design, row.quality, row.quality_text) == ("rct", "good", "god dokumentasjon")
        assert {2130, 2134} <= lines(row.seed_lines)
    g = graded["7.1.1-13"]
    assert (g.derived_level, g.derived_strength, g.comparison.verdict, g.certainty) == \
        ("**", "moderate", "agree", "certain")
    assert g.to_appraise == ()


def test_7_1_1_12_the_same_trials_carry_the_same_appraisal(guideline, graded):
    # The no-basis half of the same cell cites the same trials; their finding stays unstated ("Det er ikke mulig å
    # skille ut effekten av manipulasjon", 2299-2300).
    for row in rows(guideline, "7.1.1-12", 114, 343, 351):
        assert (row.quality, row.quality_text, row.finding) == ("good", "god dokumentasjon", "unclear")
        assert {2130, 2134} <= lines(row.seed_lines)
    g = graded["7.1.1-12"]
    assert (g.derived_level, g.comparison.verdict, g.certainty) == ("**", "agree", "certain")


def test_7_1_1_19_reviews_are_of_low_methodological_quality(guideline, graded):
    # "Foreliggende dokumentasjon ... studiene er gjennomgående av lav metodisk kvalitet (321). To systematiske
    # oversikter endrer ikke denne konklusjonen (41;322)." (2403-2407)
    for row in rows(guideline, "7.1.1-19", 321, 41, 322):
        assert row.quality == "poor" and "lav metodisk kvalitet" in row.quality_text
    assert words(guideline, "7.1.1-19") == ("studiene er gjennomgående av lav metodisk kvalitet", "*")
    g = graded["7.1.1-19"]
    assert (g.derived_level, g.comparison.verdict, g.certainty, g.level_range) == ("*", "agree", "certain", ("*", "*"))


def test_7_1_1_21_two_reviews_are_good_documentation(guideline, graded):
    # "to senere systematiske oversikter konkluderer med at det foreligger god dokumentasjon ... (41;322)"
    # (2418-2420): stated good on the rows; no statement on the documentation as a whole (4 "ikke kan trekke
    # konklusjoner"). The rows' own words name ** (LEVEL-IN-WORDS), so two good reviews give ** (L-GOOD), not ***,
    # and moderate agrees. Ref 4 finds too little to conclude (INSUFFICIENT-IS-NOT-SUPPORT); read as good, it makes
    # the documentation contradictory (CONTRADICTION-LACKING): the verdict depends on 4's appraisal.
    for row in rows(guideline, "7.1.1-21", 41, 322):
        assert (row.quality, row.quality_text) == ("good", "god dokumentasjon")
    assert words(guideline, "7.1.1-21") == ("", "")
    g = graded["7.1.1-21"]
    assert (g.derived_level, g.level.rule, g.comparison.verdict, g.certainty) == \
        ("**", "L-GOOD", "agree", "depends_on_appraisal")
    assert "LEVEL-IN-WORDS" in g.level.choices and g.to_appraise == (4,)


def test_7_1_1_15_and_7_1_2_05_state_contradictory_documentation(guideline, graded):
    # "Ut fra motstridende dokumentasjon" (2269-2270); "Det foreligger motstridende dokumentasjon fra systematiske
    # oversikter ... (80;276;295)" (2601-2607). Table 1: "manglende/motstridende dokumentasjon (nivå *)" (1269).
    assert words(guideline, "7.1.1-15") == ("motstridende dokumentasjon", "*")
    assert words(guideline, "7.1.2-05") == ("motstridende dokumentasjon", "*")
    assert words(guideline, "7.1.2-03") == ("motstridende dokumentasjon", "*")
    for row in rows(guideline, "7.1.2-05", 80, 276, 295):
        assert (row.quality, row.quality_text, row.finding) == ("unclear", "motstridende dokumentasjon", "conflicting")
    # The words are the published level, printed in words (LEVEL-IN-WORDS): whatever each source's quality, the
    # strength is judged on *, and no reading contradicts it.
    for rid in ("7.1.1-15", "7.1.2-05", "7.1.2-03"):
        assert (graded[rid].level_source, graded[rid].level_used) == ("in_words", "*")
    assert (graded["7.1.1-15"].comparison.verdict, graded["7.1.1-15"].certainty) == ("agree", "certain")
    assert (graded["7.1.2-05"].comparison.verdict, graded["7.1.2-05"].certainty) == ("agree", "certain")
    assert (graded["7.1.2-03"].comparison.verdict, graded["7.1.2-03"].certainty) == \
        ("stronger_than_evidence", "certain")


def test_7_1_3_03_and_7_1_3_07_same_words_same_coding(guideline, graded):
    # "Det foreligger god dokumentasjon på at ... ikke er effektiv (85;86)" (2751-2752) and "Det foreligger god
    # dokumentasjon for at ... ikke er effektiv (221;324)" (2769-2770): the same words, coded the same. Only the
    # designs differ, and not by the words: 86 is a verified RCT, 85, 221 and 324 are not identified as one.
    assert words(guideline, "7.1.3-03") == words(guideline, "7.1.3-07") == ("god dokumentasjon", "**")
    coded = {(r.quality, r.quality_text, r.finding, r.effect_size)
             for r in rows(guideline, "7.1.3-03", 85, 86) + rows(guideline, "7.1.3-07", 221, 324)}
    assert coded == {("good", "god dokumentasjon", "no_effect", "none")}
    assert [r.design for r in rows(guideline, "7.1.3-03", 85, 86) + rows(guideline, "7.1.3-07", 221, 324)] == \
        ["unclear", "rct", "unclear", "unclear"]
    # Graded on the level the words name (LEVEL-IN-WORDS), the two agree alike, certainly.
    for rid in ("7.1.3-03", "7.1.3-07"):
        assert (graded[rid].level_source, graded[rid].level_used) == ("in_words", "**")
        assert (graded[rid].comparison.verdict, graded[rid].certainty) == ("agree", "certain")


def test_6_4_01_carries_the_appraisals_section_6_4_states(guideline, graded):
    # 153 "moderat evidens" (1995-1996), 339 "sterk dokumentasjon" (2002-2005), five reviews (2013).
    (r153,) = rows(guideline, "6.4-01", 153)
    assert (r153.design, r153.quality, r153.quality_text) == ("systematic_review", "unclear", "moderat evidens")
    (r339,) = rows(guideline, "6.4-01", 339)
    assert (r339.design, r339.quality, r339.quality_text) == ("systematic_review", "good", "sterk dokumentasjon")
    for row in rows(guideline, "6.4-01", 32, 148, 251, 256, 340):
        assert (row.design, row.quality, row.seed_lines) == ("systematic_review", "unclear", "2013")
    g = graded["6.4-01"]
    assert (g.derived_level, g.derived_strength, g.comparison.verdict, g.certainty) == \
        ("**", "moderate", "agree", "depends_on_appraisal")
    assert g.level_range == ("**", "***")


def test_7_1_1_16_ref_42_is_appraised_only_for_sciatica(guideline, graded):
    # "En systematisk oversikt finner meget god dokumentasjon for at traksjon ikke har effekt på isjias" (2841-2843)
    # appraises 42 for sciatica (7.2.1-03); in 7.1.1 (non-specific pain) the text states no appraisal of it
    # (2329-2330), so it stays unstated there (the open question is in evidence/notes/stated-appraisal.md).
    (traction,) = rows(guideline, "7.1.1-16", 42)
    assert (traction.quality, traction.quality_text) == ("unclear", "")
    (sciatica,) = rows(guideline, "7.2.1-03", 42)
    assert (sciatica.quality, sciatica.quality_text) == ("good", "meget god dokumentasjon")
    assert words(guideline, "7.1.1-16") == ("", "")
    assert graded["7.1.1-16"].certainty == "depends_on_appraisal" and 42 in graded["7.1.1-16"].to_appraise


def test_a_level_in_words_stands_beside_the_empty_printed_level(guideline):
    # 7.1.1 and 7.1.2 print no level column: the words are kept beside it, never put into it.
    stated = {r.id: r.published_level_words_level for r in guideline.records
              if r.section in ("7.1.1", "7.1.2") and r.published_level_words}
    assert all(guideline.recommendation(i).published_level == "" for i in stated)
    assert stated["7.1.1-01"] == stated["7.1.1-05"] == "***" and stated["7.1.1-03"] == "**"
    assert stated["7.1.2-04"] == ""  # "sparsom dokumentasjon" names no level of Table 1


def test_level_words_load_and_export(guideline):
    rec = guideline.recommendation("7.1.3-03")
    assert rec.as_row()["published_level_words"] == "god dokumentasjon"
    assert rec.as_row()["published_level_words_level"] == "**"
    exported = {r["id"]: r for r in guideline_json(guideline)["recommendations"]}
    assert (exported["7.1.1-15"]["published_level_words"], exported["7.1.1-15"]["published_level_words_level"]) == \
        ("motstridende dokumentasjon", "*")
