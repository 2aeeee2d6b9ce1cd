"""GRADE as a model a guideline is graded by (issue 22): each outcome's certainty from its design and domains, the
certainty behind a recommendation from its critical outcomes, and the strength — the panel's judgement — checked
for discordance. Named cases from GRADE's own guidance; every decision names its rule."""

import json

import pytest

from conftest import record, scheme
from grading.analyses.audit import audit
from grading.cli import main
from grading.grade import grade
from grading.grade.certainty import overall_certainty, rate_outcome
from grading.io.guideline import load_guideline
from grading.records import OutcomeRow

GRADE = scheme("grade")
DOWN = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
UP = ("large_effect", "dose_response", "plausible_confounding")


def outcome(name="pain", design="rct", importance="critical", direction="benefit", printed="", **judged):
    domains = {d: "not_serious" for d in DOWN} | {d: "no" for d in UP} | judged
    return OutcomeRow("1-a", name, importance, "placebo", design, (), "3", "300", domains, direction,
                      published_certainty=printed)


def test_trials_rated_down_for_risk_of_bias_and_imprecision_are_low():
    r = rate_outcome(outcome(risk_of_bias="serious", imprecision="serious"), GRADE)
    assert (r.certainty.value, r.certainty.rule) == ("low", "RATE-DOWN")
    assert "START-BY-DESIGN" in r.certainty.because and "risk of bias serious (-1)" in r.certainty.because


def test_a_large_effect_in_observational_studies_rates_up():
    r = rate_outcome(outcome(design="observational", large_effect="yes"), GRADE)
    assert (r.certainty.value, r.certainty.rule) == ("moderate", "RATE-UP")
    assert rate_outcome(outcome(design="observational", large_effect="very_large"), GRADE).certainty.value == "high"


def test_very_serious_counts_two_steps_and_certainty_never_falls_below_very_low():
    assert rate_outcome(outcome(inconsistency="very_serious"), GRADE).certainty.value == "low"
    r = rate_outcome(outcome(risk_of_bias="very_serious", imprecision="very_serious"), GRADE)
    assert r.certainty.value == "very_low" and "FLOOR-AND-CEILING" in r.certainty.because


def test_an_unjudged_domain_is_read_either_way():
    r = rate_outcome(outcome(publication_bias="unclear"), GRADE)
    assert (r.certainty.value, r.lowest, r.highest) == ("high", "low", "high")
    assert r.unjudged == ("publication_bias",) and "DOMAINS-EVERY-READING" in r.certainty.because


def test_the_overall_certainty_follows_the_lowest_critical_outcome():
    rated = (rate_outcome(outcome("pain", imprecision="serious"), GRADE),
             rate_outcome(outcome("function", risk_of_bias="serious", imprecision="serious"), GRADE),
             rate_outcome(outcome("harms", importance="important", risk_of_bias="very_serious",
                                  imprecision="very_serious", direction="harm"), GRADE))
    assert overall_certainty(rated, GRADE) == ("low", "OVERALL-LOWEST-CRITICAL")
    # GRADE's refinement, as a named choice: all critical outcomes point one way, the highest of them decides.
    refined = GRADE.__class__(**{**GRADE.__dict__, "certainty": GRADE.certainty.__class__(
        **{**GRADE.certainty.__dict__, "same_direction_highest": True})})
    assert overall_certainty(rated, refined) == ("moderate", "SAME-DIRECTION-HIGHEST")


def test_a_strong_recommendation_on_low_certainty_without_a_paradigm_is_discordant_spinal_manipulation():
    # ACP 2017, recommendation 1: spinal manipulation for acute low back pain, strong, low-quality evidence.
    rec = record(id="1-d", strength="strong", level="low", direction="for")
    g = grade(rec, (), GRADE, outcomes=(outcome(risk_of_bias="serious", imprecision="serious"),))
    assert (g.comparison.verdict, g.comparison.rule, g.profile.discordant) == ("stronger_than_evidence", "DISCORDANT",
                                                                              True)
    assert g.strength.rule == "PANEL-JUDGEMENT" and g.certainty == "certain"
    data = g.as_dict()
    assert (data["model"], data["discordant"], data["paradigm"], data["overall_certainty"]) == \
        ("grade", True, None, "low")
    assert data["outcomes"][0]["domains"]["risk_of_bias"] == "serious"


@pytest.mark.parametrize("paradigm", [p.code for p in GRADE.certainty.paradigms])
def test_each_of_the_five_situations_makes_a_strong_recommendation_on_low_certainty_concordant(paradigm):
    rec = record(id="1-a", strength="strong", level="low", direction="for", paradigm=paradigm)
    g = grade(rec, (), GRADE, outcomes=(outcome(risk_of_bias="serious", imprecision="serious"),))
    assert (g.comparison.verdict, g.comparison.rule, g.profile.discordant) == ("agree", "CONCORDANT", False)
    assert g.as_dict()["paradigm"] == paradigm


def test_conditional_on_low_and_strong_on_moderate_are_concordant():
    low = (outcome(risk_of_bias="serious", imprecision="serious"),)
    assert grade(record(strength="conditional", level="low"), (), GRADE, outcomes=low).comparison.verdict == "agree"
    assert grade(record(strength="strong", level="moderate"), (), GRADE, outcomes=low).comparison.verdict == "agree"


def test_discordance_that_depends_on_an_unjudged_domain_says_so():
    rec = record(strength="strong", level="", direction="for")
    g = grade(rec, (), GRADE, outcomes=(outcome(risk_of_bias="serious", publication_bias="unclear"),))
    assert g.certainty == "depends_on_appraisal" and g.to_appraise == ("pain: publication bias",)
    assert set(g.verdicts) == {"agree", "stronger_than_evidence"}


@pytest.fixture
def grade_guideline(tmp_path):
    folder = tmp_path / "g"
    assert main(["new", str(folder), "--scheme", "grade"]) == 0
    return folder


def test_grading_new_with_the_grade_scheme_writes_a_guideline_that_validates_and_reproduces(grade_guideline, capsys):
    assert (grade_guideline / "evidence" / "outcomes.csv").is_file()
    assert main(["validate", "--root", str(grade_guideline)]) == 0
    capsys.readouterr()
    assert main(["reproduce", "--root", str(grade_guideline), "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["model"] == "grade" and row["outcomes"][0]["importance"] == "critical"


def test_the_audit_lists_discordant_recommendations_and_printed_certainties_the_domains_do_not_give(
        grade_guideline, capsys):
    recs = grade_guideline / "evidence" / "recommendations.csv"
    recs.write_text(recs.read_text(encoding="utf-8").replace(",for,conditional,moderate,", ",for,strong,low,"),
                    encoding="utf-8")
    outs = grade_guideline / "evidence" / "outcomes.csv"
    text = outs.read_text(encoding="utf-8")
    outs.write_text(text.replace(",unclear,no,no,no,benefit,", ",not_serious,no,no,no,benefit,")
                    .replace(",moderate,\"EXAMPLE: risk", ",high,\"EXAMPLE: risk"), encoding="utf-8")
    g = load_guideline(grade_guideline)
    found = {f.kind: f for f in audit(g)}
    assert found["discordant"].subject == "1.1-01"
    assert "printed high, the domain judgements give moderate" in found["certainty_mismatch"].detail
    capsys.readouterr()
    assert main(["audit", "--root", str(grade_guideline), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {f["kind"] for f in (data["findings"] if isinstance(data, dict) else data)}
    assert {"discordant", "certainty_mismatch"} <= kinds


def test_an_unknown_domain_judgement_is_a_located_error(grade_guideline, capsys):
    outs = grade_guideline / "evidence" / "outcomes.csv"
    outs.write_text(outs.read_text(encoding="utf-8").replace(",serious,not_serious,", ",grave,not_serious,", 1),
                    encoding="utf-8")
    assert main(["validate", "--root", str(grade_guideline)]) == 2
    err = capsys.readouterr().err
    assert "outcomes.csv" in err and "risk_of_bias" in err and "grave" in err and "serious" in err


def test_the_2007_scheme_keeps_its_model():
    assert scheme().model == "levels" and GRADE.model == "certainty"


def test_the_report_of_a_grade_guideline_carries_its_summary_of_findings_in_both_formats(grade_guideline, tmp_path):
    html_out, md_out = tmp_path / "r.html", tmp_path / "r.md"
    assert main(["report", "--root", str(grade_guideline), "--output", str(html_out)]) == 0
    assert main(["report", "--root", str(grade_guideline), "--output", str(md_out)]) == 0
    page, md = html_out.read_text(encoding="utf-8"), md_out.read_text(encoding="utf-8")
    assert '<section id="summary-of-findings">' in page and "⊕⊕⊕◯" in page and "450 (3 studies)" in page
    assert "<link" not in page and "@import" not in page  # great_tables' stylesheet inlined, nothing fetched
    sof = md.split("## Summary of findings", 1)[1]
    assert "| pain | critical | 450 (3 studies) | ⊕⊕⊕◯ Moderate" in sof
    assert "moderate to very low" in sof and "very\\_low" not in sof  # words, not codes


def test_the_2007_report_has_no_summary_of_findings(tmp_path):
    out = tmp_path / "r.md"
    assert main(["report", "--output", str(out)]) == 0
    assert "Summary of findings" not in out.read_text(encoding="utf-8")


def _strong(folder):
    """The example made strong, with no certainty printed for it: its strength is checked on the derived one."""
    recs = folder / "evidence" / "recommendations.csv"
    recs.write_text(recs.read_text(encoding="utf-8").replace(",for,conditional,moderate,", ",for,strong,,"),
                    encoding="utf-8")


def test_a_new_trial_that_brings_very_serious_risk_of_bias_makes_a_strong_recommendation_discordant(
        grade_guideline, tmp_path, capsys):
    _strong(grade_guideline)
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.bib").write_text("@article{New2026, author={Hansen, Kari}, title={A new trial}, journal={J},"
                                     " year={2026}}\n", encoding="utf-8")
    outs = (grade_guideline / "evidence" / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    # the pain outcome as it reads with the new trial added: risk of bias very serious, publication bias judged
    pain = outs[1].replace(",serious,not_serious,not_serious,not_serious,unclear,",
                           ",very_serious,not_serious,not_serious,not_serious,not_serious,")
    pain = pain.replace(',moderate,"EXAMPLE: risk', ',,"EXAMPLE: risk')  # the new body's certainty is not printed
    (study / "outcomes.csv").write_text("\n".join([outs[0], pain]) + "\n", encoding="utf-8")
    assert main(["impact", str(study), "--root", str(grade_guideline), "--format", "json"]) == 0
    (moved,) = json.loads(capsys.readouterr().out)
    # before: trials, risk of bias serious -> moderate, strong on moderate: concordant; after: two steps down -> low
    assert moved["id"] == "1.1-01" and moved["before"]["level"] == "moderate" and moved["after"]["level"] == "low"
    assert moved["discordant"] == {"before": False, "after": True}
    assert main(["impact", str(study), "--root", str(grade_guideline)]) == 0
    out = capsys.readouterr().out
    assert "its 1 outcome row apply to 1" in out and "certainty moderate -> low, becomes discordant" in out


def test_a_new_study_for_a_grade_guideline_needs_its_outcome_rows(grade_guideline, tmp_path, capsys):
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.bib").write_text("@article{New2026, title={A new trial}, year={2026}}\n", encoding="utf-8")
    (study / "appraisal.csv").write_text("topic,design,quality,finding\nEXAMPLE,rct,good,benefit\n", encoding="utf-8")
    assert main(["impact", str(study), "--root", str(grade_guideline)]) == 2
    err = capsys.readouterr().err
    assert "outcomes.csv" in err and "is missing" in err and "Traceback" not in err


def test_outcome_certainties_printed_where_the_recommendation_prints_none_stand_for_their_outcomes_acp():
    # ACP 2017 prints a quality per treatment, none per recommendation (PRINTED-OUTCOME-CERTAINTY).
    rec = record(strength="strong", level="", direction="for")
    every = (outcome("pain", printed="moderate", publication_bias="unclear"),
             outcome("function", printed="low", publication_bias="unclear"))
    g = grade(rec, (), GRADE, outcomes=every)
    assert (g.profile.published, g.profile.published_from, g.profile.used) == ("low", "outcomes", "low")
    assert g.certainty == "certain" and g.comparison.rule == "DISCORDANT"
    assert "printed for its outcomes, PRINTED-OUTCOME-CERTAINTY" in g.comparison.because
    # one outcome unprinted: printed low still caps every reading of the other at low, so still certain
    some = (every[0], outcome("function", printed="low"), outcome("harms", publication_bias="unclear"))
    g = grade(rec, (), GRADE, outcomes=some)
    assert (g.profile.published, g.profile.published_from) == ("", "some outcomes")
    assert g.profile.used == "low" and g.certainty == "certain" and g.profile.discordant
    # printed moderate beside an unprinted outcome whose unjudged domain may lower it: depends on that domain
    g = grade(rec, (), GRADE, outcomes=(every[0], outcome("harms", risk_of_bias="serious", publication_bias="unclear")))
    assert g.profile.used == "moderate" and g.certainty == "depends_on_appraisal"
    assert g.to_appraise == ("harms: publication bias",)


def test_a_body_of_evidence_whose_design_the_source_does_not_state_is_read_from_each_start():
    r = rate_outcome(outcome("harms", design="unclear", direction="harm"), GRADE)
    # read as trials by default (high), as observational studies under another reading (low)
    assert (r.certainty.value, r.highest, r.lowest) == ("high", "high", "low")
    assert r.unjudged == ("design",) and "design the source does not state" in r.certainty.because


def test_the_revise_app_offers_a_grade_guideline_no_levels_model_study_and_says_why(grade_guideline):
    from grading.ui.revise_panel import RevisePanel, new_study_folder
    g = load_guideline(grade_guideline)
    assert new_study_folder(g) is None  # the packaged example is appraisal rows, not outcome rows
    said = RevisePanel(g).new_study_view()
    assert said.startswith("No new study to try: a guideline graded by certainty") and "outcomes.csv" in said
