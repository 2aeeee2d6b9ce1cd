"""The Revise panel's wiring, without a browser: set widget values in Python, read what the panel shows."""

from __future__ import annotations

import json

import pytest

from conftest import copy_guideline
from grading import revisions as R
from grading.io.guideline import load_guideline
from grading.ui.revise_panel import revise_panel


@pytest.fixture
def guideline(tmp_path):
    return load_guideline(copy_guideline(tmp_path / "guideline"))


def sign(panel, author="Kari Nordmann", rationale="The group re-read the trials."):
    panel.author.value, panel.rationale.value = author, rationale


def test_choosing_7_1_1_11_manipulation_shows_its_trials_and_grading(guideline):
    panel = revise_panel(guideline)
    panel.rec_select.value = "7.1.1-11"
    assert [(r.design.value, r.quality.value) for r in panel.rows] == [("rct", "unclear"), ("rct", "unclear")]
    assert "weak" in panel.derived_strength.value and "stronger than evidence" in panel.verdict.value
    assert "manipulasjon" in panel.rec_text.value.lower()
    assert "Published strength <b>moderate</b>" in panel.rec_text.value


def test_appraising_a_trial_as_good_regrades_at_once(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    explanation = panel.explanation.value
    panel.rows[0].quality.value = "good"
    assert "<b>moderate</b>" in panel.derived_strength.value and "<b>**</b>" in panel.derived_level.value
    assert "agree" in panel.verdict.value
    assert panel.explanation.value != explanation and "L-GOOD" in panel.explanation.value


def test_save_needs_author_rationale_and_a_justification_where_strength_differs(guideline):
    panel = revise_panel(guideline, "7.1.1-01")
    assert panel.save.disabled and "Nothing is changed yet" in panel.message.value
    panel.rows[0].quality.value = "poor"  # the guideline (ref 321) behind general activity
    sign(panel)
    assert panel.save.disabled and "A justification is required" in panel.message.value
    panel.justification.value = "Activity advice carries little risk."
    assert not panel.save.disabled and panel.message.value == "Ready to save."
    panel.author.value = " "
    assert panel.save.disabled and "Author is required" in panel.message.value


def test_save_writes_one_revision_shows_its_path_and_the_change(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    panel.rows[0].quality.value = "good"
    sign(panel)
    panel.save.click()
    (path,) = (guideline.root / "evidence" / "revisions" / "7.1.1-11").glob("*.json")
    assert path.name in panel.saved_path.value and str(path.parent) not in panel.saved_path.value  # no paths
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["changes"] == [{"action": "edit", "before": R.rows_of(guideline, "7.1.1-11")[0],
                                "after": dict(R.rows_of(guideline, "7.1.1-11")[0], quality="good")}]
    assert data["author"] == "Kari Nordmann" and data["justification"] == ""
    # The panel now shows the revised recommendation, and the view of what changed and why.
    assert panel.rows[0].quality.value == "good" and panel.save.disabled and panel.author.value == "Kari Nordmann"
    assert "verdict: stronger_than_evidence -&gt; agree" in panel.changes.value
    assert "The group re-read the trials." in panel.changes.value


def test_add_and_remove_rows(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    panel.add_row.click()
    assert len(panel.rows) == 3 and panel.rows[2].reference.layout.display is None
    panel.rows[2].reference.value = "a b"
    assert panel.save.disabled and "Evidence row 3: reference has an unknown value" in panel.message.value
    assert panel.derived_strength.value == "—"
    panel.rows[2].reference.value = "abc"  # a key's form, but no entry has it
    assert panel.save.disabled and "Reference abc is absent from references.bib" in panel.message.value
    panel.rows[2].reference.value = "321"
    panel.rows[2].design.value, panel.rows[2].quality.value = "guideline", "good"
    assert "<b>moderate</b>" in panel.derived_strength.value
    panel.rows[0].remove.click()
    assert [r.reference.value for r in panel.rows] == ["127", "321"]
    sign(panel)
    panel.save.click()
    (rev,) = R.load_revisions(guideline.root, guideline.scheme)
    assert [c.action for c in rev.changes] == ["remove", "add"]


def test_a_save_made_stale_by_another_members_save_is_refused_with_both_versions(guideline):
    mine, theirs = revise_panel(guideline, "7.1.1-11"), revise_panel(guideline, "7.1.1-11")
    theirs.rows[0].quality.value = "poor"
    sign(theirs, author="Per Hansen")
    theirs.justification.value = "Still moderate on clinical experience."
    theirs.save.click()
    mine.rows[0].quality.value = "good"
    sign(mine)
    mine.save.click()
    assert "Not saved" in mine.message.value and "quality unclear vs poor" in mine.message.value
    assert mine.saved_path.value == ""
    assert len(R.load_revisions(guideline.root, guideline.scheme)) == 1
    mine.reload.click()  # reading the saved revisions again shows the other member's change
    assert mine.rows[0].quality.value == "poor" and "Still moderate" in mine.justification.value


def test_a_broken_revision_file_is_shown_and_blocks_saving(guideline):
    folder = guideline.root / "evidence" / "revisions" / "7.1.1-11"
    folder.mkdir(parents=True)
    (folder / "20250101T000000.000000Z--kari--00000000.json").write_text('{"author": "Ka', encoding="utf-8")
    panel = revise_panel(guideline, "7.1.1-11")
    panel.rows[0].quality.value = "good"
    sign(panel)
    assert panel.save.disabled and "ends too early" in panel.message.value


def test_every_interactive_widget_has_a_stable_css_class(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    classes = {c for wdg in (panel.rec_select, panel.add_row, *panel.judgements.values(), panel.strength,
                             panel.derived_level, panel.derived_strength, panel.verdict, panel.explanation,
                             panel.justification, panel.author, panel.rationale, panel.message, panel.save,
                             panel.saved_path, panel.changes, *(x for r in panel.rows for x in
                                                                 (r.design, r.quality, r.finding, r.remove)))
               for c in wdg._dom_classes}
    assert {"grading-rec-select", "grading-quality-0", "grading-quality-1", "grading-design-0", "grading-finding-1",
            "grading-remove-0", "grading-add-row", "grading-agree-validity", "grading-agree-benefit-harm",
            "grading-derived-strength", "grading-explanation", "grading-justification", "grading-author",
            "grading-rationale", "grading-save", "grading-saved-path", "grading-diff"} <= classes


def test_the_notebook_output_has_a_short_stable_plain_text(guideline):
    bundle = revise_panel(guideline)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Revise panel for 67 recommendations")
    assert "application/vnd.jupyter.widget-view+json" in bundle
