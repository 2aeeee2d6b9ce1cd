"""The Revise panel as a working group's tool, without a browser: its parts, the votes, the wording, the list."""

from __future__ import annotations

import json

import pytest

from conftest import copy_guideline
from grading.io.guideline import load_guideline
from grading.revisions.votes import load_votes
from grading.ui.revise_panel import revise_panel
from test_votes import write_panel

MANIPULATION = "7.1.1-11"


@pytest.fixture
def guideline(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    write_panel(root)
    return load_guideline(root)


def vote(panel, member, comment="", **answers):
    v = panel.votes
    v.member.value = member
    for q, dd in v.choices.items():
        dd.value = answers.get(q, "yes")
    v.comment.value = comment
    assert not v.cast.disabled, v.message.value
    v.cast.click()


def test_the_panel_has_parts_a_member_finds_again(guideline):
    panel = revise_panel(guideline, MANIPULATION)
    (tabs,) = [c for c in panel.editor.children if "grading-parts" in c._dom_classes]
    assert tabs.titles == ("Evidence", "Evidence to decision", "Votes", "History", "Appraise", "Panel",
                           "Decision record")
    assert panel.votes.box in tabs.children and panel.votes.history in tabs.children


def test_the_explanation_is_a_short_list_each_with_its_rule(guideline):
    panel = revise_panel(guideline, "7.1.1-01")
    text = panel.explanation.value
    assert text.startswith('<ul class="grading-explanation-list">') and text.count("<li>") == 4
    assert '<b>Level: ***</b> by <code title="*** Meget god: a good systematic review with at least one study of ' \
        'good design.">L-VERY-GOOD</code>' in text
    assert "<b>Strength: strong</b> by <code title=\"Sterk grad: very good documentation" in text
    assert "S-STRONG</code> — level *** carries 'Sterk grad' with the group's agreement" in text
    assert '<b>Verdict: agree</b> by <code title="">JUSTIFIED-IF-RECORDED</code>' in text
    assert "<b>Every reading: certain</b> by <code title=\"Quality or design the text does not state" in text


def test_a_member_votes_through_the_widgets_and_the_tally_changes(guideline):
    panel = revise_panel(guideline, MANIPULATION)
    v = panel.votes
    assert "No votes yet; 5 members on the panel" in v.tally.value
    assert v.cast.disabled and "Choose your name" in v.message.value
    assert "Recused here: Ola Berg (MANIPULASJON; owns a clinic offering spinal manipulation)" in v.ballots.value
    vote(panel, "Kari Nordmann")
    assert "Vote saved:" in v.message.value
    assert "<td>Documentation valid</td><td>1</td><td>0</td><td>0</td><td>0</td><td><b>no quorum</b></td>" \
        in v.tally.value
    v.member.value = "Per Hansen"
    for q, answer in (("validity", "yes"), ("applicability", "yes"), ("benefit_harm", "no")):
        v.choices[q].value = answer
    assert v.cast.disabled and "A comment is required with a no" in v.message.value
    v.comment.value = "Early manipulation: too little is known of harm."
    v.cast.click()
    assert "<td>Benefit outweighs harm</td><td>1</td><td>1</td><td>0</td><td>0</td><td><b>not agreed</b></td>" \
        in v.tally.value and "AGREEMENT-SHARE: 1 of 2 counted votes are yes (50%), below 70%" in v.tally.value
    # The recused member is told before voting, and the vote is shown, not counted.
    v.member.value = "Ola Berg"
    assert "You are recused from MANIPULASJON" in v.message.value
    vote(panel, "Ola Berg")
    assert "<td>Documentation valid</td><td>2</td><td>0</td><td>0</td><td>1</td><td><b>agreed</b></td>" \
        in v.tally.value
    assert "Not counted: Ola Berg — recused (MANIPULASJON)" in v.ballots.value
    assert "With the votes' agreement (VOTES-REPLACE-TEXT): derived strength <b>no_basis</b>" in v.voted.value
    assert len(load_votes(guideline.root, guideline.scheme)) == 3


def test_a_later_vote_supersedes_and_the_history_keeps_both(guideline):
    panel = revise_panel(guideline, MANIPULATION)
    vote(panel, "Kari Nordmann", validity="abstain")
    vote(panel, "Kari Nordmann")
    history = panel.votes.history.value
    assert history.count("by Kari Nordmann") == 2 and history.count("(superseded by a later vote)") == 1
    assert "validity abstain" in history


def test_without_a_panel_the_votes_part_says_what_to_add(tmp_path):
    panel = revise_panel(load_guideline(copy_guideline(tmp_path / "g")), MANIPULATION)
    assert panel.votes.cast.disabled and "No panel yet: set up the working group in the Panel part" in \
        panel.votes.message.value
    assert "No panel" in panel.votes_view().widget.value


def test_a_revised_wording_is_saved_with_the_revision_and_checked_against_the_strength(guideline):
    panel = revise_panel(guideline, "7.1.1-10")
    panel.strength.value = "weak"
    assert "Wording: the text says 'sterk grad' (strong) but the recorded strength is weak." in panel.wording.value
    panel.text_edit.value = panel.text_edit.value.replace("(sterk grad)", "(svak grad)")
    assert panel.wording.value == ""
    panel.author.value, panel.rationale.value = "Kari Nordmann", "The evidence carries weak."
    assert not panel.save.disabled
    panel.save.click()
    (path,) = (guideline.root / "evidence" / "revisions" / "7.1.1-10").glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "(svak grad)" in data["text"] and data["published_strength"] == "weak"
    assert "(svak grad)" in panel.rec_text.value  # the recommendation as the saved revision leaves it
    assert "text revised" in panel.votes.history.value


def test_members_of_a_grade_panel_vote_on_the_etd_criteria_not_on_table_1_s_questions(tmp_path):
    import shutil

    from conftest import REPO, write_csv
    root = tmp_path / "acp-2017"
    shutil.copytree(REPO / "docs" / "examples" / "acp-2017", root)
    write_csv(root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"],
              [dict(member="Kari Nordmann", role="chair", interests="", recused=""),
               dict(member="Per Hansen", role="physiotherapist", interests="", recused="")])
    panel = revise_panel(load_guideline(root), "1-01")
    v = panel.votes
    assert not v.asked and "equity" in v.etd_choices  # GRADE's twelve criteria, no validity question
    assert "grading-vote-validity" not in [c for box in v.box.children for c in getattr(box, "_dom_classes", ())]
    v.member.value = "Kari Nordmann"
    assert v.cast.disabled and "Judge at least one criterion" in v.message.value
    v.etd_choices["desirable_effects"].value = "small"
    v.etd_choices["equity"].value = "abstain"
    assert not v.cast.disabled, v.message.value
    v.cast.click()
    (saved,) = load_votes(root, panel.scheme, "1-01")
    assert saved.etd == {"desirable_effects": "small", "equity": "abstain"}
    assert set(saved.judgements.values()) == {"abstain"}  # Table 1's questions, not asked under GRADE
    # one of two members: the quorum (half) is met, and the one counted vote carries its judgement
    assert "1 of 2 entitled members voted" in v.tally.value
    assert "Desirable effects: small 1 — <b>agreed small</b>" in v.tally.value
    assert "Equity: abstain 1 — <b>not agreed</b>" in v.tally.value
