"""The appraisal form of the Revise app, driven through its widgets on a copy of the guideline: one form per
instrument, built from its file."""

from __future__ import annotations

import pytest

from conftest import copy_guideline
from grading import load_guideline
from grading.revisions.appraisals import load_appraisals
from grading.ui.appraise_part import AppraisePart


@pytest.fixture
def part(tmp_path):
    return AppraisePart(load_guideline(copy_guideline(tmp_path / "g")))


def test_each_instrument_gets_a_form_of_its_own_domains_and_judgements(part):
    part.instrument.value = "rob-2"
    assert list(part.domains) == ["D1", "D2", "D3", "D4", "D5"]
    assert [v for _, v in part.domains["D1"].options] == ["", "low", "some_concerns", "high"]
    part.instrument.value = "amstar-2"
    assert len(part.domains) == 16 and "partial_yes" in [v for _, v in part.domains["Q2"].options]
    part.instrument.value = "agree-ii"
    assert [v for _, v in part.domains["D3"].options][1:] == list("1234567")
    assert [v for _, v in part.overall.options] == ["", "yes", "yes_with_modifications", "no"]


def test_a_member_appraises_rct_129_through_the_form_and_sees_it_count(part):
    part.reference.value, part.member.value = "129", "Kari Nordmann"
    part.instrument.value = "rob-2"
    part.domains["D1"].value, part.domains["D4"].value = "low", "some_concerns"
    part.overall.value = "some_concerns"
    part.save.click()
    assert part.message.value.startswith("Saved ")
    (a,) = load_appraisals(part.guideline)
    assert (a.reference, a.domains, a.overall) == ("ref129", {"D1": "low", "D4": "some_concerns"}, "some_concerns")
    assert "ref 129 (ref129): appraised by the group (Kari Nordmann" in part.standing.value


def test_a_form_left_incomplete_or_naming_no_reference_says_why_and_saves_nothing(part):
    part.reference.value, part.member.value = "9999", "Kari Nordmann"
    part.instrument.value = "agree-ii"
    part.save.click()  # no overall judgement chosen
    assert "Not saved" in part.message.value and "overall" in part.message.value
    part.overall.value = "yes"
    part.save.click()
    assert "absent from references.bib" in part.message.value
    assert load_appraisals(part.guideline) == ()


def test_the_revise_panel_s_appraise_part_saves_into_the_copy_of_the_guideline_it_works_on(tmp_path):
    from grading.ui.revise_panel import new_study_folder, revise_panel
    g = load_guideline(copy_guideline(tmp_path / "g"))
    panel = revise_panel(g, "7.1.1-10")
    tabs = panel.editor.children[-1]
    assert tabs.children[tabs.titles.index("Appraise")] is panel.appraise.box
    part = panel.appraise
    part.reference.value, part.member.value, part.instrument.value = "4", "Kari Nordmann", "agree-ii"
    part.overall.value = "yes"
    part.save.click()
    (a,) = load_appraisals(g)
    assert a.path is not None and a.path.is_relative_to(g.root) and a.reference == "ref004"
    assert "ref 4 (ref004): appraised by the group (Kari Nordmann" in part.standing.value
    assert "counts: one member&#x27;s appraisal (APPRAISAL-RECONCILED)" in part.standing.value
    assert "(run the notebook in JupyterLab" in panel.appraise_view()._repr_mimebundle_()["text/plain"]
    assert new_study_folder(g) is not None  # the repository's example, for a copy that has none of its own
