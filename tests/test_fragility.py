"""Fragility: the smallest single-row change that moves a grading, on the guideline's own cases."""

from conftest import REPO, record, scheme
from grading import load_guideline
from grading.analyses.fragility import fragility, fragility_all, single_changes
from grading.grade import Study

NORWAY = scheme()

TRACTION = record(id="7.2.1-03", strength="strong", level="***", direction="against")


def test_traction_in_sciatica_rests_on_one_very_good_review_and_falls_with_it():
    # 7.2.1: "En systematisk oversikt finner meget god dokumentasjon for at traksjon ikke har effekt" (42), one RCT.
    studies = (Study("systematic_review", "good", "no_effect", 42, "meget god dokumentasjon"),
               Study("rct", "unclear", "no_effect", 259))
    f = fragility(TRACTION, studies, NORWAY)
    assert f.fragile
    first = f.falls[0]
    assert (first.kind, first.row, first.level) == ("downgrade", 0, ("***", "*"))
    assert "ref 42" in first.describe()


def test_a_consensus_only_recommendation_has_nothing_to_change():
    f = fragility(record(level="*", strength="weak"), (Study("consensus"),), NORWAY)
    assert (f.tried, f.fragile) == (0, False) and f.summary().startswith("robust")


def test_two_good_reviews_and_a_trial_pointing_the_same_way_survive_a_removal_but_not_a_conflict():
    studies = (Study("systematic_review", "good", "benefit", 1), Study("systematic_review", "good", "benefit", 2),
               Study("rct", "good", "benefit", 3))
    f = fragility(record(level=""), studies, NORWAY)
    kinds = {c.kind for c in f.falls}
    assert "remove" not in kinds and "conflicting" in kinds


def test_every_single_change_is_one_row():
    studies = (Study("rct", "good", "benefit", 1), Study("cohort", "poor", "harm", 2), Study("consensus"))
    for kind, _row, changed in single_changes(studies):
        differing = sum(a != b for a, b in zip(studies, changed)) if kind != "remove" else 1
        assert differing == 1 and len(changed) in (len(studies), len(studies) - 1)


def test_bundled_guideline_fragility_covers_every_recommendation():
    g = load_guideline(REPO)
    fs = fragility_all(g)
    assert [f.recommendation_id for f in fs] == list(g.recommendations["id"])
    assert any(f.fragile for f in fs) and any(not f.fragile for f in fs)
