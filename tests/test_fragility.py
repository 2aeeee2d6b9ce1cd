"""Fragility against the published grading: how little must change before the evidence no longer carries it, or
first carries it — on the guideline's own cases."""

from conftest import REPO, record, scheme
from grading import load_guideline
from grading.analyses.fragility import STANDING, fragility, fragility_all, measured_by, single_changes
from grading.grade import Study, grade

NORWAY = scheme()

TRACTION = record(id="7.2.1-03", strength="strong", level="***", direction="against")
TRACTION_ROWS = (Study("systematic_review", "good", "no_effect", 42, "meget god dokumentasjon"),
                 Study("rct", "unclear", "no_effect", 259))


def test_traction_in_sciatica_rests_on_one_very_good_review_and_is_lost_with_it():
    # 7.2.1: "En systematisk oversikt finner meget god dokumentasjon for at traksjon ikke har effekt" (42), one RCT.
    f = fragility(TRACTION, TRACTION_ROWS, NORWAY)
    assert f.standing == "fragile" and f.fragile and not f.within_reach
    first = f.changes[0]
    assert (first.kind, first.row, first.level) == ("downgrade", 0, ("***", "*"))
    assert first.verdict == ("agree", "stronger_than_evidence") and not first.carried
    assert "ref 42" in first.describe() and "agree -> stronger than evidence" in first.describe()


def test_fragility_sets_the_printed_level_aside_and_says_so():
    # Under PRINTED-LEVEL-FIRST the printed *** would carry 'strong' whatever row 1 says; fragility asks of the rows.
    f = fragility(TRACTION, TRACTION_ROWS, NORWAY)
    assert "printed_level_first = false" in f.scheme
    assert grade(TRACTION, (TRACTION_ROWS[1],), NORWAY).comparison.verdict == "agree"  # printed level still carries it
    assert measured_by(measured_by(NORWAY)) is measured_by(NORWAY)


def test_a_grading_at_the_floor_is_not_called_robust_spinal_mobility():
    # 6.2-02: moderate on *; nothing can lower *, but that does not make the published 'moderate' safe: it is not
    # carried at all, and one row of unstated quality read as good would carry it.
    g = load_guideline(REPO)
    f = fragility(g.recommendation("6.2-02"), g.studies("6.2-02"), g.scheme)
    assert f.standing == "one_change_away" and f.within_reach and not f.fragile
    assert f.changes and all(c.carried for c in f.changes)
    assert f.summary().startswith("one change away: the evidence does not carry the published strength")


def test_manipulation_in_acute_pain_is_out_of_reach_of_any_single_row():
    # 7.1.1-10: strong needs a good synthesis and two good studies; no one row read as good gets there.
    g = load_guideline(REPO)
    f = fragility(g.recommendation("7.1.1-10"), g.studies("7.1.1-10"), g.scheme)
    assert f.standing == "out_of_reach" and f.changes == () and f.tried == 12


def test_a_consensus_only_recommendation_has_nothing_to_change():
    f = fragility(record(level="*", strength="weak"), (Study("consensus"),), NORWAY)
    assert f.tried == 0 and f.standing in ("robust", "out_of_reach") and not f.fragile


def test_two_good_reviews_and_a_trial_pointing_the_same_way_survive_a_removal_but_not_a_conflict():
    studies = (Study("systematic_review", "good", "benefit", 1), Study("systematic_review", "good", "benefit", 2),
               Study("rct", "good", "benefit", 3))
    f = fragility(record(level="", strength="strong"), studies, NORWAY)
    kinds = {c.kind for c in f.changes}
    assert f.fragile and "remove" not in kinds and "conflicting" in kinds


def test_every_single_change_is_one_row():
    studies = (Study("rct", "good", "benefit", 1), Study("cohort", "poor", "harm", 2), Study("consensus"))
    for kind, _row, changed in single_changes(studies):
        differing = sum(a != b for a, b in zip(studies, changed)) if kind != "remove" else 1
        assert differing == 1 and len(changed) in (len(studies), len(studies) - 1)


def test_every_change_listed_turns_the_verdict_into_agreement_or_out_of_it():
    g = load_guideline(REPO)
    for f in fragility_all(g):
        for c in f.changes:
            assert (c.verdict[0] == "agree") != (c.verdict[1] == "agree")


def test_bundled_guideline_fragility_covers_every_recommendation_and_every_standing():
    g = load_guideline(REPO)
    fs = fragility_all(g)
    assert [f.recommendation_id for f in fs] == list(g.recommendations["id"])
    assert {f.standing for f in fs} == set(STANDING)
    assert {f.recommendation_id for f in fs if f.standing == "not_comparable"} == {"6.3.3-02", "7.1.3-01"}
