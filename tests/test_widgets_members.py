"""The Revise app speaks to members (issue 25): rows named by their reference, column headings, accessible names,
the panel set up in the app and saved as votes are, the quorum in words, and no error when there is no guideline."""

from __future__ import annotations

import os
import threading

import pytest

from conftest import copy_guideline
from grading.errors import RevisionError, ValidationError
from grading.io.guideline import load_guideline
from grading.io.panel import load_panel
from grading.revisions.panel_edit import PANEL_HISTORY, panel_text, save_panel
from grading.ui.revise_panel import Unavailable, revise_panel


@pytest.fixture
def guideline(tmp_path):
    return load_guideline(copy_guideline(tmp_path / "guideline"))


def test_each_row_shows_its_reference_by_author_year_and_title_and_its_documentation(guideline):
    panel = revise_panel(guideline, "7.1.1-01")
    name = guideline.reference_name(321)
    assert name.startswith("ref 321 (") and len(name) > len("ref 321 ()")
    assert panel.rows[0].label.value.startswith("ref 321 (") and ":" in panel.rows[0].label.value
    words = guideline.rows("7.1.1-01")[0].documentation
    shown = panel.rows_box.children[1].children[1].value
    assert words and words[:40] in shown.replace("&#x27;", "'") and "title=" not in panel.rows[0].label.value
    headings = panel.rows_box.children[0]
    assert [h.value for h in headings.children] == ["<b>Reference</b>", "<b>Design</b>", "<b>Quality</b>",
                                                    "<b>Finding</b>"]


def test_every_dropdown_and_remove_button_names_its_row(guideline):
    panel = revise_panel(guideline, "7.1.1-01")
    row = panel.rows[0]
    short = guideline.reference_name(321).split(":")[0] + ")"
    assert row.remove.description == f"Remove {short}"
    assert (row.design.description, row.quality.description, row.finding.description) == (
        f"Design of {short}", f"Quality of {short}", f"Finding of {short}")
    for dd in (*panel.judgements.values(), panel.strength, panel.rec_select, *panel.votes.choices.values(),
               panel.votes.member, panel.votes.strength, panel.appraise.instrument):
        assert dd.description, dd


def test_no_button_uses_an_icon_font(guideline):
    panel = revise_panel(guideline, "7.1.1-01")
    buttons = [panel.add_row, panel.reload, panel.save, panel.votes.cast, panel.appraise.save,
               panel.panel_part.save, *(r.remove for r in panel.rows)]
    assert all(b.icon == "" for b in buttons)


def test_a_member_sets_up_the_panel_in_the_app_and_the_votes_part_follows(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    part = panel.panel_part
    assert "No panel yet" in part.message.value and "No panel yet" in panel.votes.message.value
    for name, role, interests, recused in (("Kari Nordmann", "chair", "", ""),
                                           ("Ola Berg", "chiropractor", "owns a clinic", "MANIPULASJON")):
        part.add_member.click()
        cells = part.rows[-1].cells
        cells["member"].value, cells["role"].value = name, role
        cells["interests"].value, cells["recused"].value = interests, recused
    part.save.click()
    assert "Not saved" in part.message.value and "your name" in part.message.value
    part.editor.value = "Kari Nordmann"
    part.save.click()
    assert part.message.value.startswith("Panel saved: 2 members")
    saved = load_panel(guideline)
    assert saved is not None and saved.names == ("Kari Nordmann", "Ola Berg")
    assert saved.member("Ola Berg").recused == ("MANIPULASJON",)
    assert not (guideline.root / PANEL_HISTORY).exists()  # nothing was replaced
    assert "Kari Nordmann — chair" in [label for label, _ in panel.votes.member.options]
    assert "Recused here: Ola Berg (MANIPULASJON; owns a clinic)" in panel.votes.ballots.value
    assert part.rows[1].remove.description == "Remove Ola Berg"
    # A second change keeps the panel it replaces.
    part.rows[1].remove.click()
    part.save.click()
    assert load_panel(guideline).names == ("Kari Nordmann",)
    (kept,) = (guideline.root / PANEL_HISTORY).glob("*--kari-nordmann--*.csv")
    assert "Ola Berg" in kept.read_text(encoding="utf-8")


def test_a_recusal_from_nothing_is_refused_in_words_and_nothing_is_written(guideline):
    panel = revise_panel(guideline, "7.1.1-11")
    part = panel.panel_part
    part.add_member.click()
    cells = part.rows[0].cells
    cells["member"].value, cells["role"].value, cells["recused"].value = "Per", "GP", "NO-SUCH-TOPIC"
    part.editor.value = "Per"
    part.save.click()
    assert "Not saved" in part.message.value and "NO-SUCH-TOPIC" in part.message.value
    assert "the panel" in part.message.value and "panel.csv" not in part.message.value
    assert not (guideline.root / "evidence" / "panel.csv").exists()


def test_a_panel_changed_meanwhile_is_never_overwritten(guideline):
    rows = [{"member": "Kari", "role": "chair"}]
    save_panel(guideline, rows, "Kari", panel_text(guideline))
    stale = ""  # read before Kari's save
    with pytest.raises(RevisionError, match="another member changed it"):
        save_panel(guideline, [{"member": "Per", "role": "GP"}], "Per", stale)
    assert load_panel(guideline).names == ("Kari",)
    with pytest.raises(ValidationError):
        save_panel(guideline, [{"member": "Per", "role": ""}], "Per", panel_text(guideline))


def test_two_members_saving_at_once_keep_one_panel_and_refuse_the_other(guideline):
    base = panel_text(guideline)
    results: list[str] = []

    def save(name: str) -> None:
        try:
            save_panel(guideline, [{"member": name, "role": "member"}], name, base)
            results.append("saved")
        except RevisionError:
            results.append("refused")

    threads = [threading.Thread(target=save, args=(n,)) for n in ("Kari", "Per")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "saved"]
    assert len(load_panel(guideline)) == 1


def test_the_tally_says_whether_a_quorum_decided_it(guideline):
    from grading.revisions.votes import new_vote, save_vote
    save_panel(guideline, [{"member": "Kari", "role": "chair"}, {"member": "Per", "role": "GP"}], "Kari", "")
    save_vote(guideline, new_vote(guideline.scheme, "7.1.1-11", "Kari", dict.fromkeys(
        ("validity", "applicability", "benefit_harm"), "yes"), ""))
    panel = revise_panel(guideline, "7.1.1-11")
    assert "1 of 2 entitled members voted" in panel.votes.tally.value


def test_without_a_guideline_the_notebook_says_so_in_words(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_ROOT", str(tmp_path / "nowhere"))
    panel = revise_panel()
    assert isinstance(panel, Unavailable) and "cannot be opened" in panel.why
    bundle = panel._repr_mimebundle_()
    assert "cannot be opened" in bundle["text/html"]
    for view in (panel.changes_view, panel.appraise_view, panel.votes_view, panel.panel_view, panel.new_study_view):
        shown = view()
        assert "no guideline is open" in str(shown) and "no guideline is open" in shown._repr_mimebundle_()["text/html"]


def test_published_and_revised_side_by_side_and_a_decision_record_to_print(guideline):
    import base64
    import re

    from grading.render.page import CSP
    panel = revise_panel(guideline, "7.1.1-11")
    assert "As published" in panel.compare.value and "No saved revision changes" in panel.compare.value
    panel.rows[0].quality.value = "good"
    panel.text_edit.value = "A revised wording of the recommendation."
    panel.author.value, panel.rationale.value = "Kari Nordmann", "The group re-read the trials."
    panel.save.click()
    assert "A revised wording of the recommendation. <b>(changed)</b>" in panel.compare.value
    record = panel.record.value
    assert "@media print" in record and 'class="grading-record-print"' in record
    assert "Decision record: 7.1.1-11" in record and "The group re-read the trials." in record
    assert "by Kari Nordmann" in record and "No panel, so no votes." in record
    (page,) = re.findall(r'href="data:text/html;charset=utf-8;base64,([^"]+)"', record)
    text = base64.b64decode(page).decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and CSP in text and "<script" not in text
    assert "<title>Decision record 7.1.1-11</title>" in text
    tabs = panel.editor.children[-1]
    assert tabs.children[tabs.titles.index("Decision record")] is panel.record


def test_the_record_follows_a_vote(guideline):
    save_panel(guideline, [{"member": "Kari", "role": "chair"}, {"member": "Per", "role": "GP"}], "Kari", "")
    panel = revise_panel(guideline, "7.1.1-11")
    v = panel.votes
    v.member.value = "Kari"
    for dd in v.choices.values():
        dd.value = "yes"
    v.cast.click()
    assert "1 of 2 entitled members voted" in panel.record.value and "validity yes" in panel.record.value


def test_the_app_serves_through_the_package_template_which_drops_every_cdn(tmp_path):
    from grading.ui.app import SHARE, TEMPLATE, main, voila_command, voila_environment
    folder = SHARE / "voila" / "templates" / TEMPLATE
    template = (folder / "index.html.j2").read_text(encoding="utf-8")
    assert (folder / "conf.json").is_file() and "html_head_js_mermaidjs" in template and "'://' not in line" in template
    env = voila_environment({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(SHARE), "/elsewhere"]
    assert voila_command("x.ipynb", ["--port=1"])[-3:] == ["x.ipynb", f"--template={TEMPLATE}", "--port=1"]
    assert main([str(tmp_path / "missing.ipynb")]) == 2


def test_the_revise_notebook_has_a_title_and_speaks_to_members():
    import json

    from conftest import REPO
    nb = json.loads((REPO / "notebooks" / "3-revise.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["title"] == "Revise the guideline"
    shown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for word in ("GRADING_ROOT", "Run this cell", "evidence/", ".csv", "references.bib", "grading vote"):
        assert word not in shown, word
