"""The panel's decision (issue 23): Evidence-to-Decision frameworks declared by each scheme, records saved like
revisions, the text's agreements as the 2007 guideline's EtD, checks on the conclusion, and votes per criterion."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO, copy_guideline, write_csv
from grading.analyses.agreement import tally
from grading.analyses.audit import audit
from grading.analyses.etd import direction_finding, etd_tallies, unknown_finding
from grading.cli import main
from grading.errors import ValidationError
from grading.io.guideline import load_guideline
from grading.revisions.etd import ETD_DIR, Judged, changed_judgements, etd_histories, load_etds, new_etd, save_etd
from grading.revisions.votes import new_vote, save_vote
from grading.scheme import load_scheme

ACP = REPO / "docs" / "examples" / "acp-2017"
GRADE_CRITERIA = ("problem", "desirable_effects", "undesirable_effects", "certainty_of_evidence", "values",
                  "balance_of_effects", "resources_required", "certainty_of_resources", "cost_effectiveness",
                  "equity", "acceptability", "feasibility")


@pytest.fixture
def acp(tmp_path):
    root = tmp_path / "acp-2017"
    shutil.copytree(ACP, root)
    return load_guideline(root)


def test_both_schemes_declare_their_criteria_table_1_s_three_questions_and_grade_s_twelve():
    norway, grade = load_scheme("norway-2007").etd, load_scheme("grade").etd
    assert norway.keys == ("validity", "applicability", "benefit_harm")
    assert [c.column for c in norway.criteria] == ["agree_validity", "agree_applicability", "agree_benefit_harm"]
    assert grade.keys == GRADE_CRITERIA
    assert grade.criterion("desirable_effects").judgements == ("trivial", "small", "moderate", "large", "varies",
                                                              "don't know")
    assert grade.criterion("undesirable_effects").points["large"] == "against"
    assert "don't know" in grade.unknown and not norway.unknown  # 'unrecorded' is the text's silence, not a judgement


def test_a_group_adds_a_criterion_in_its_copy_and_a_bad_one_is_a_located_error(tmp_path):
    text = (REPO / "src/grading/scheme/bundled/grade.toml").read_text(encoding="utf-8")
    mine = tmp_path / "ours.toml"
    mine.write_text(text + '\n[[etd.criteria]]\nkey = "environment"\nname = "Environmental impact"\n'
                    'judgements = ["large", "small", "don\'t know"]\n', encoding="utf-8")
    assert load_scheme(mine).etd.keys[-1] == "environment"
    bad = tmp_path / "bad.toml"
    bad.write_text(text + '\n[[etd.criteria]]\nkey = "Environment!"\njudgements = []\n', encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_scheme(bad)
    said = str(e.value)
    assert "bad.toml" in said and "etd.criteria.key" in said and "Environment!" in said and "line" in said


def test_the_bundled_guideline_s_etd_is_what_its_text_records_6_2_01():
    g = load_guideline(REPO)
    etd = etd_histories(g)["6.2-01"].current
    # recommendations.csv, 6.2-01: agree_validity yes, agree_applicability yes, benefit and harm unrecorded
    assert {k: j.judgement for k, j in etd.criteria.items()} == {"validity": "yes", "applicability": "yes",
                                                                 "benefit_harm": "unrecorded"}
    assert etd.criteria["validity"].evidence == g.recommendations.loc["6.2-01", "judgement_note"]
    assert etd.criteria["benefit_harm"].evidence == ""  # nothing invented where the text is silent
    assert etd.rule == "ETD-FROM-TEXT" and etd.seed_lines == g.recommendations.loc["6.2-01", "seed_lines"]
    assert etd.conclusion["strength"] == "moderate" and etd.conclusion["direction"] == "for"


def test_reproduce_json_carries_the_etd_where_one_is_recorded(acp, capsys):
    assert main(["reproduce", "--format", "json"]) == 0
    bundled = {g["id"]: g for g in json.loads(capsys.readouterr().out)}
    assert bundled["6.2-01"]["etd"]["criteria"]["validity"] == {
        "judgement": "yes", "evidence": "Konsensus i arbeidsgruppen.", "considerations": ""}
    assert bundled["6.2-01"]["etd"]["source"] == "text"
    save_etd(acp, new_etd(acp.scheme, "3-01", "Kari Nordmann", {"desirable_effects": {"judgement": "small"}},
                          {"strength": "weak", "direction": "for", "justification": "small benefits"}))
    assert main(["reproduce", "--root", str(acp.root), "--format", "json"]) == 0
    graded = {g["id"]: g for g in json.loads(capsys.readouterr().out)}
    assert "etd" not in graded["1-01"]  # ACP records no EtD: nothing is invented
    etd = graded["3-01"]["etd"]
    assert etd["criteria"] == {"desirable_effects": {"judgement": "small", "evidence": "", "considerations": ""}}
    assert etd["conclusion"]["strength"] == "weak" and etd["source"] == "saved" and etd["rule"] == "ETD-LATEST"


def test_a_saved_etd_is_never_overwritten_the_latest_counts_and_the_history_stays(acp):
    first = new_etd(acp.scheme, "1-01", "Kari Nordmann", {"desirable_effects": {"judgement": "small"}},
                    {"strength": "strong", "direction": "for"}, created="2026-12-01T10:00:00.000000Z")
    second = new_etd(acp.scheme, "1-01", "Kari Nordmann", {"desirable_effects": {"judgement": "moderate"}},
                     {"strength": "strong", "direction": "for"}, created="2026-12-01T10:00:00.000000Z")
    a, b = save_etd(acp, first), save_etd(acp, second)  # the same author at the same time: two files
    assert a != b and a.read_text(encoding="utf-8") != b.read_text(encoding="utf-8")
    assert len(load_etds(acp.root, acp.scheme, "1-01")) == 2
    history = etd_histories(acp)["1-01"]
    assert history.current.criteria["desirable_effects"].judgement in ("small", "moderate")
    assert len(history.saved) == 2
    assert changed_judgements(first, second) == [("desirable_effects", "small", "moderate")]


@pytest.mark.parametrize("field,value,found", [
    ("criteria", {"desirable_effect": {"judgement": "small"}}, "desirable_effect"),
    ("criteria", {"desirable_effects": {"judgement": "huge"}}, "huge"),
    ("conclusion", {"strength": "very strong"}, "very strong"),
])
def test_an_unknown_criterion_or_judgement_in_a_saved_etd_is_a_located_error(acp, capsys, field, value, found):
    good = new_etd(acp.scheme, "1-01", "Kari Nordmann", {"desirable_effects": {"judgement": "small"}}, {})
    data = {**good.as_json(), field: value}
    folder = acp.root / ETD_DIR / "1-01"
    folder.mkdir(parents=True)
    (folder / "20261201T100000.000000Z--kari--00000000.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["etd", "--root", str(acp.root)]) == 2
    err = capsys.readouterr().err
    assert "evidence/etd/1-01/20261201T100000.000000Z--kari--00000000.json" in err and found in err
    assert "allowed" in err and "Traceback" not in err
    assert main(["audit", "--root", str(acp.root)]) == 2  # every command that reads it says so


def test_grading_etd_saves_a_file_and_refuses_a_bad_one_naming_it(acp, tmp_path, capsys):
    good, bad = tmp_path / "etd.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"criteria": {"feasibility": {"judgement": "probably yes"}},
                                "conclusion": {"strength": "weak", "direction": "for"}}), encoding="utf-8")
    bad.write_text(json.dumps({"criteria": {"feasibility": {"judgement": "maybe"}}, "conclusion": {}}),
                   encoding="utf-8")
    assert main(["etd", "3-01", "--root", str(acp.root), "--save", str(good), "--author", "Per Hansen"]) == 0
    assert "saved" in capsys.readouterr().out
    assert main(["etd", "3-01", "--root", str(acp.root), "--save", str(bad), "--author", "Per Hansen"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "criteria.feasibility.judgement" in err and "maybe" in err and "probably yes" in err
    assert len(list((acp.root / ETD_DIR / "3-01").glob("*.json"))) == 1  # the bad one wrote nothing


def test_a_recommendation_for_with_large_harms_and_trivial_benefits_is_listed(acp):
    record = new_etd(acp.scheme, "1-01", "Kari Nordmann",
                     {"desirable_effects": {"judgement": "trivial"}, "undesirable_effects": {"judgement": "large"}},
                     {"strength": "strong", "direction": "for"})
    found = direction_finding(record, acp.scheme)
    assert found is not None and found.rule == "ETD-DIRECTION"
    assert "desirable effects trivial" in found.detail and "undesirable effects large" in found.detail
    # one criterion pointing its way (a balance favouring the intervention) and it is the panel's call, not listed
    weighed = new_etd(acp.scheme, "1-01", "Kari Nordmann",
                      {"undesirable_effects": {"judgement": "large"},
                       "balance_of_effects": {"judgement": "favors the intervention"}},
                      {"strength": "strong", "direction": "for"})
    assert direction_finding(weighed, acp.scheme) is None
    save_etd(acp, record)
    kinds = {f.kind for f in audit(acp) if f.subject == "1-01"}
    assert {"etd_direction"} <= kinds


def test_a_strong_conclusion_on_criteria_the_panel_does_not_know_is_listed(acp):
    record = new_etd(acp.scheme, "1-01", "Kari Nordmann", {"values": {"judgement": "important uncertainty or "
                                                                                    "variability"},
                                                           "equity": {"judgement": "don't know"}},
                     {"strength": "strong", "direction": "for"})
    found = unknown_finding(record, acp.scheme)
    assert found is not None and "equity don't know" in found.detail
    conditional = new_etd(acp.scheme, "3-01", "Kari Nordmann", {"equity": {"judgement": "don't know"}},
                          {"strength": "weak", "direction": "for"})
    assert unknown_finding(conditional, acp.scheme) is None


PANEL = [dict(member="Kari Nordmann", role="chair", interests="", recused=""),
         dict(member="Per Hansen", role="physiotherapist", interests="", recused=""),
         dict(member="Ola Berg", role="chiropractor", interests="owns a clinic offering spinal manipulation",
              recused="1-01"),
         dict(member="Siri Dahl", role="patient representative", interests="", recused="")]
NO_QUESTIONS = {"validity": "abstain", "applicability": "abstain", "benefit_harm": "abstain"}


def test_votes_on_each_criterion_are_tallied_with_the_recused_member_shown_not_counted(acp):
    write_csv(acp.root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"], PANEL)
    for member, desirable, strength in (("Kari Nordmann", "small", "strong"), ("Per Hansen", "small", "strong"),
                                        ("Ola Berg", "large", "strong"), ("Siri Dahl", "moderate", "weak")):
        save_vote(acp, new_vote(acp.scheme, "1-01", member, NO_QUESTIONS, strength=strength,
                                etd={"desirable_effects": desirable, "equity": "abstain"}))
    from grading.analyses.agreement import load_votes_and_panel
    panel, votes = load_votes_and_panel(acp)
    t = etd_tallies(tally(acp.recommendation("1-01"), panel, votes, acp.scheme), acp.scheme)
    # Ola Berg is recused from 1-01: three of three entitled members counted; 'small' 2 of 3 (67 %) < 70 %
    assert t["desirable_effects"].counts == {"small": 2, "moderate": 1} and t["desirable_effects"].recused == 1
    assert (t["desirable_effects"].outcome, t["desirable_effects"].decided) == ("not_agreed", "")
    assert t["equity"].outcome == "not_agreed"  # every counted vote abstains
    assert (t["conclusion"].outcome, t["conclusion"].decided) == ("not_agreed", "")  # strong 2 of 3
    record = new_etd(acp.scheme, "1-01", "Kari Nordmann", {}, {"strength": "strong", "direction": "for"})
    save_etd(acp, record)
    found = [f for f in audit(acp) if f.kind == "etd_strength_not_carried"]
    assert [f.subject for f in found] == ["1-01"] and "the votes carry no strength" in found[0].detail


def test_a_vote_on_a_criterion_the_framework_lacks_is_refused(acp):
    write_csv(acp.root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"], PANEL)
    with pytest.raises(ValidationError) as e:
        new_vote(acp.scheme, "1-01", "Kari Nordmann", NO_QUESTIONS, etd={"desirable_effects": "huge"})
    assert "etd.desirable_effects" in str(e.value) and "trivial" in str(e.value)


def test_judged_criteria_keep_the_framework_s_order(acp):
    record = new_etd(acp.scheme, "1-01", "A", {"feasibility": Judged("yes"), "problem": {"judgement": "yes"}}, {})
    assert list(record.criteria) == ["problem", "feasibility"]


def test_the_bundled_guideline_s_etd_command_shows_the_text_s_judgements(capsys, tmp_path):
    root = copy_guideline(tmp_path / "g")
    assert main(["etd", "6.2-01", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "as the guideline's text records it (ETD-FROM-TEXT)" in out and "Validity of the documentation: yes" in out
    assert "Balance of benefit and harm: unrecorded" in out


def test_grading_vote_judges_etd_criteria_and_refuses_a_judgement_the_framework_lacks(acp, capsys):
    write_csv(acp.root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"], PANEL)
    root = ["--root", str(acp.root)]
    assert main(["vote", "1-01", *root, "--member", "Kari Nordmann", "--etd", "equity=maybe"]) == 2
    assert "etd.equity" in capsys.readouterr().err
    assert main(["vote", "1-01", *root, "--member", "Kari Nordmann", "--etd", "desirable_effects=small",
                 "--strength", "strong"]) == 0
    out = capsys.readouterr().out
    assert "EtD desirable_effects: small 1; no_quorum" in out  # one of three entitled (Ola Berg recused)
    assert main(["vote", "1-01", *root, "--member", "Per Hansen"]) == 2  # neither the questions nor the EtD
    assert "--validity" in capsys.readouterr().err
