"""The Evidence-to-Decision part of the Revise app, driven through its widgets without a browser: the text's
judgements for the bundled guideline, saves that never overwrite, the framework's judgements only, GRADE's twelve
criteria beside the Summary of Findings, the votes per criterion, and what is warned in words."""

from __future__ import annotations

import dataclasses
import json

import pytest
from traitlets import TraitError

from conftest import copy_guideline, write_csv
from grading.cli import main
from grading.io.guideline import load_guideline
from grading.revisions.etd import load_etds
from grading.revisions.votes import new_vote, write_vote
from grading.ui.etd_part import EtdPart
from grading.ui.revise_panel import revise_panel

INSPECTION = "6.2-01"  # the text records validity yes, applicability yes, benefit and harm unrecorded
GRADE_REC = "1.1-01"  # the one recommendation `grading new --scheme grade` writes


@pytest.fixture
def bundled(tmp_path):
    return load_guideline(copy_guideline(tmp_path / "guideline"))


@pytest.fixture
def grade_guideline(tmp_path):
    folder = tmp_path / "grade"
    assert main(["new", str(folder), "--scheme", "grade"]) == 0
    return load_guideline(folder)


def judgements(part: EtdPart) -> dict[str, str]:
    return {k: cw.judgement.value for k, cw in part.criteria.items()}


def fill(part: EtdPart, author: str = "Kari Nordmann", **chosen: str) -> None:
    for key, judgement in chosen.items():
        part.criteria[key].judgement.value = judgement
    part.author.value = author


def test_the_part_shows_what_the_text_records_for_6_2_01(bundled):
    part = EtdPart(bundled)
    part.show(INSPECTION)
    assert judgements(part) == {"validity": "yes", "applicability": "yes", "benefit_harm": "unrecorded"}
    assert part.criteria["validity"].evidence.value == "Konsensus i arbeidsgruppen."
    assert part.criteria["benefit_harm"].evidence.value == ""  # the text is silent: nothing invented
    assert "as the guideline&#x27;s text records it (seed lines 1586-1591;1611-1613;1658)" in part.source.value
    assert (part.conclusion["strength"].value, part.conclusion["direction"].value) == ("moderate", "for")
    assert "No EtD saved yet" in part.saved_history.value
    assert "Konsensus i arbeidsgruppen" in part.judged_evidence.value  # the evidence rows, in words
    assert part.save.disabled and "Author is required" in part.message.value


def test_saving_twice_writes_two_files_and_the_latest_is_shown(bundled):
    part = EtdPart(bundled)
    part.show(INSPECTION)
    fill(part, benefit_harm="yes")
    part.criteria["benefit_harm"].evidence.value = "Inspection carries no risk."
    assert not part.save.disabled, part.message.value
    part.save.click()
    assert part.saved.value.startswith("EtD saved: <code>")
    fill(part, "Per Hansen", applicability="no")
    part.conclusion["justification"].value = "Norwegian practice differs."
    part.save.click()
    files = sorted((bundled.root / "evidence" / "etd" / INSPECTION).glob("*.json"))
    assert len(files) == 2 and files[-1].name in part.saved.value  # never over another: a file per save
    first, latest = (json.loads(f.read_text(encoding="utf-8")) for f in files)
    assert first["author"] == "Kari Nordmann" and first["criteria"]["applicability"]["judgement"] == "yes"
    assert latest["author"] == "Per Hansen" and latest["criteria"]["applicability"]["judgement"] == "no"
    assert latest["criteria"]["benefit_harm"] == {"judgement": "yes", "evidence": "Inspection carries no risk.",
                                                   "considerations": ""}
    part.show(INSPECTION)  # read again: the latest counts
    assert judgements(part) == {"validity": "yes", "applicability": "no", "benefit_harm": "yes"}
    assert part.conclusion["justification"].value == "Norwegian practice differs."
    assert "the latest saved EtD" in part.source.value and "by Per Hansen" in part.source.value
    assert "2 saved, by Kari Nordmann, Per Hansen" in part.saved_history.value
    assert [r.author for r in load_etds(bundled.root, bundled.scheme, INSPECTION)] == ["Kari Nordmann", "Per Hansen"]


def test_only_a_judgement_the_framework_lists_can_be_chosen(bundled):
    part = EtdPart(bundled)
    part.show(INSPECTION)
    dd = part.criteria["validity"].judgement
    assert [v for _, v in dd.options] == ["", "yes", "no", "unrecorded"] and dd.options[0][0] == "(not judged)"
    with pytest.raises(TraitError):
        dd.value = "maybe"
    part.criteria["validity"].judgement.value = ""
    part.criteria["validity"].considerations.value = "We have not discussed it."
    part.author.value = "Kari Nordmann"
    assert part.save.disabled  # words with no judgement cannot be saved
    assert "Choose a judgement for Validity of the documentation" in part.message.value


def test_a_grade_guideline_shows_twelve_criteria_beside_its_summary_of_findings(grade_guideline):
    part = EtdPart(grade_guideline)
    part.show(GRADE_REC)
    assert len(part.criteria) == 12
    texts = [cw.box.children[0].value for cw in part.criteria.values()]
    assert texts[0] == "<b>Priority of the problem</b> — Is the problem a priority?"
    assert "<b>Feasibility</b> — Is the intervention feasible to implement?" in texts
    assert [v for _, v in part.criteria["desirable_effects"].judgement.options][1:] == [
        "trivial", "small", "moderate", "large", "varies", "don't know"]
    sof = part.judged_evidence.value
    assert 'class="grading-etd-sof"' in sof and f"Summary of findings: {GRADE_REC}" in sof
    assert 'id="sof"' not in sof  # the Evidence part shows the same table on the page under that id
    assert "No EtD is recorded for this recommendation yet" in part.source.value
    fill(part, desirable_effects="moderate", undesirable_effects="small")
    part.conclusion["strength"].value, part.conclusion["direction"].value = "conditional", "for"
    assert not part.save.disabled, part.message.value
    part.save.click()
    (record,) = load_etds(grade_guideline.root, grade_guideline.scheme, GRADE_REC)
    assert {k: j.judgement for k, j in record.criteria.items()} == {"desirable_effects": "moderate",
                                                                    "undesirable_effects": "small"}
    assert record.conclusion["strength"] == "conditional" and record.conclusion["direction"] == "for"


def test_a_direction_against_the_judgements_is_warned_not_blocked(grade_guideline):
    part = EtdPart(grade_guideline)
    part.show(GRADE_REC)
    fill(part, undesirable_effects="large", desirable_effects="small")
    part.conclusion["direction"].value = "for"
    assert not part.save.disabled
    words = part.message.value
    assert "the direction goes against the judgements (a recommendation for while undesirable effects large" in words
    assert "none points its way" in words  # the rule's words (ETD-DIRECTION), not its code alone
    part.criteria["desirable_effects"].judgement.value = "large"  # now one criterion points its way
    assert "goes against the judgements" not in part.message.value


def test_a_strong_conclusion_on_what_is_not_known_is_warned_in_the_rule_s_words(grade_guideline):
    part = EtdPart(grade_guideline)
    part.show(GRADE_REC)
    fill(part, certainty_of_evidence="no included studies", desirable_effects="large")
    part.conclusion["strength"].value = "strong"
    assert not part.save.disabled
    words = part.message.value
    assert "a strong recommendation on what the panel says it does not know" in words
    assert "certainty of evidence no included studies" in words
    assert grade_guideline.scheme.says("ETD-STRONG-UNKNOWN").split(":")[0] in words
    part.author.value = ""
    assert part.save.disabled and "Author is required" in part.message.value


def test_the_votes_on_each_criterion_are_shown(grade_guideline):
    root = grade_guideline.root
    write_csv(root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"],
              [dict(member=m, role="member", interests="", recused="") for m in ("Kari", "Per", "Siri")])
    yes = {"validity": "yes", "applicability": "yes", "benefit_harm": "yes"}
    for member, effects in (("Kari", "large"), ("Per", "large"), ("Siri", "moderate")):
        write_vote(root, new_vote(grade_guideline.scheme, GRADE_REC, member, yes, strength="conditional",
                                  etd={"desirable_effects": effects, "feasibility": "yes"}))
    part = EtdPart(grade_guideline)
    part.show(GRADE_REC)
    votes = part.criteria["desirable_effects"].votes.value
    assert "Votes: large 2, moderate 1" in votes and "AGREEMENT-SHARE" in votes
    assert "<b>not agreed</b>" in votes  # 2 of 3 is below the share the scheme asks
    assert "<b>agreed: yes</b>" in part.criteria["feasibility"].votes.value
    assert part.criteria["problem"].votes.value == ""
    assert "Votes on the strength: " in part.conclusion_votes.value and "conditional 3" in part.conclusion_votes.value


def test_a_damaged_etd_file_is_told_in_words_and_blocks_saving(bundled):
    folder = bundled.root / "evidence" / "etd" / INSPECTION
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    part = EtdPart(bundled)
    part.show(INSPECTION)
    assert "The saved EtD records cannot be read" in part.saved_history.value
    assert judgements(part)["validity"] == "yes"  # the text's, still shown
    part.author.value = "Kari Nordmann"
    assert part.save.disabled and "cannot be read" in part.message.value


def test_a_scheme_without_a_framework_says_so(bundled):
    part = EtdPart(bundled.with_scheme(dataclasses.replace(bundled.scheme, etd=None)))
    part.show(INSPECTION)
    assert part.criteria == {} and "declares no Evidence-to-Decision framework" in part.box.children[0].value


def test_every_control_is_named_for_a_screen_reader(grade_guideline):
    part = EtdPart(grade_guideline)
    controls = [*part.conclusion.values(), part.author,
                *(x for cw in part.criteria.values() for x in (cw.judgement, cw.evidence, cw.considerations))]
    assert all(c.description for c in controls)
    assert part.criteria["values"].evidence.description == "Research evidence on values"
    assert part.save.description == "Save EtD"
    assert "grading-etd-judgement-balance-of-effects" in part.criteria["balance_of_effects"].judgement._dom_classes


def test_the_revise_panel_has_the_part_after_evidence_and_follows_the_selection(bundled):
    panel = revise_panel(bundled, INSPECTION)
    (tabs,) = [c for c in panel.editor.children if "grading-parts" in c._dom_classes]
    assert tabs.titles[:3] == ("Evidence", "Evidence to decision", "Votes")
    assert tabs.children[1] is panel.etd.box
    assert panel.etd.rid == INSPECTION
    panel.select("7.1.1-11")
    assert panel.etd.rid == "7.1.1-11" and "ref 117 (Hadler 1987" in panel.etd.judged_evidence.value


def test_unsaved_judgements_survive_the_panel_showing_the_same_recommendation_again(bundled):
    panel = revise_panel(bundled, INSPECTION)
    part = panel.etd
    part.criteria["benefit_harm"].judgement.value = "yes"
    other = EtdPart(bundled)  # another member saves meanwhile
    other.show(INSPECTION)
    fill(other, "Per Hansen", validity="no")
    other.save.click()
    panel.select(INSPECTION)  # as after saving a revision, or Reload
    assert part.criteria["benefit_harm"].judgement.value == "yes"
    assert "A newer EtD was saved meanwhile" in part.source.value and "by Per Hansen" in part.source.value
    assert "Your unsaved changes are kept" in part.source.value
    panel.select("7.1.1-11")
    panel.select(INSPECTION)  # another recommendation in between: its current EtD, Per Hansen's
    assert judgements(part) == {"validity": "no", "applicability": "yes", "benefit_harm": "unrecorded"}
    assert "unsaved changes are kept" not in part.source.value
