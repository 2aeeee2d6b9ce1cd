"""Revisions as data: saving, loading, applying and diffing, on the guideline's own recommendations."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
from pathlib import Path

import pytest

from conftest import copy_guideline, scheme
from grading import revisions as R
from grading.errors import RevisionError, ValidationError
from grading.io import files as FILES
from grading.io.guideline import load_guideline
from grading.revisions import record as RV

REPO = Path(__file__).resolve().parents[1]
NORWAY = scheme()




@pytest.fixture
def guideline(tmp_path):
    return load_guideline(copy_guideline(tmp_path / "guideline"))


def row(g, rid, reference):
    return next(r for r in R.rows_of(g, rid) if r["reference"] == reference)


def edit(g, rid, reference, **changes) -> R.Change:
    before = row(g, rid, reference)
    return R.Change("edit", before, dict(before, **changes))


def revision(rid, *changes, author="Kari Nordmann", rationale="the group re-read the trials", **kw) -> R.Revision:
    return R.new_revision(NORWAY, rid, author, rationale, kw.pop("judgements", {}), changes, **kw)


def graded(g, rid):
    revised = R.apply_revisions(g)
    return next(d for d in R.diff(revised) if d.id == rid), revised


# --- what a revision does to a recommendation's grading ------------------------------------------------------

def test_upgrading_the_reviews_behind_7_2_1_05_manipulation_changes_its_derived_level_not_its_strength(guideline):
    # Two systematic reviews (27; 337) appraised good make *** — but the guideline prints ** for 7.2.1-05,
    # and the printed level decides the strength (PRINTED-LEVEL-FIRST).
    R.save_revision(guideline, revision("7.2.1-05", edit(guideline, "7.2.1-05", "27", quality="good"),
                                        edit(guideline, "7.2.1-05", "337", quality="good")))
    d, _ = graded(guideline, "7.2.1-05")
    assert (d.published.derived_level, d.revised.derived_level) == ("*", "***")
    assert d.revised.derived_strength == d.published.derived_strength == "moderate"
    assert ("derived level", "*", "***") in d.changed
    assert "PRINTED-LEVEL-FIRST" in d.revised.rule()


def test_appraising_the_rct_behind_7_1_1_11_manipulation_as_good_makes_it_moderate_and_agree(guideline):
    R.save_revision(guideline, revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good")))
    d, revised = graded(guideline, "7.1.1-11")
    assert (d.published.derived_level, d.revised.derived_level) == ("*", "**")
    assert (d.published.derived_strength, d.revised.derived_strength) == ("weak", "moderate")
    assert (d.published.comparison.verdict, d.revised.comparison.verdict) == ("stronger_than_evidence", "agree")
    assert row(revised.guideline, "7.1.1-11", "117")["quality"] == "good"
    assert row(guideline, "7.1.1-11", "117")["quality"] == "unclear"  # the published tables are untouched


def test_downgrading_the_guideline_behind_7_1_1_01_general_activity_requires_a_justification(guideline):
    change = edit(guideline, "7.1.1-01", "321", quality="poor")
    with pytest.raises(RevisionError, match="justification is required: published strong against weak"):
        R.save_revision(guideline, revision("7.1.1-01", change))
    assert R.load_revisions(guideline.root, NORWAY) == ()
    R.save_revision(guideline, revision("7.1.1-01", change, justification="Activity advice carries little risk."))
    d, _ = graded(guideline, "7.1.1-01")
    assert d.revised.comparison.verdict == "stronger_than_evidence" and d.revised.comparison.justified
    assert d.revised.justification == "Activity advice carries little risk."


def test_recording_that_benefit_does_not_outweigh_harm_lowers_7_1_1_05_activity(guideline):
    judgements = {"agree_validity": "yes", "agree_applicability": "yes", "agree_benefit_harm": "no"}
    with pytest.raises(RevisionError, match="justification"):
        R.save_revision(guideline, revision("7.1.1-05", judgements=judgements))
    R.save_revision(guideline, revision("7.1.1-05", judgements=judgements, published_strength="moderate"))
    d, _ = graded(guideline, "7.1.1-05")
    assert (d.revised.derived_strength, d.revised.comparison.verdict) == ("moderate", "agree")
    assert ("agree_benefit_harm", "unrecorded", "no") in d.changed
    assert ("published strength", "strong", "moderate") in d.changed


def test_lowering_the_published_strength_of_7_1_1_10_manipulation_to_weak_agrees_with_its_evidence(guideline):
    R.save_revision(guideline, revision("7.1.1-10", published_strength="weak"))
    d, revised = graded(guideline, "7.1.1-10")
    assert d.revised.comparison.verdict == "agree"
    assert revised.guideline.recommendations.loc["7.1.1-10", "published_strength"] == "weak"


def test_adding_a_good_review_to_7_1_1_03_activity_and_removing_a_trial(guideline):
    # The group's own appraisal, in no words of the text: with "god dokumentasjon" on every counted row the level
    # would stay ** (LEVEL-IN-WORDS: a rule never gives more than the rows' own words name).
    added = dict(row(guideline, "7.1.1-03", "114"), reference="321", design="systematic_review", quality_text="")
    removed = R.Change("remove", row(guideline, "7.1.1-03", "351"), None)
    R.save_revision(guideline, revision("7.1.1-03", R.Change("add", None, added), removed,
                                        justification="The review now supports a strong recommendation."))
    d, revised = graded(guideline, "7.1.1-03")
    assert [r["reference"] for r in R.rows_of(revised.guideline, "7.1.1-03")] == ["114", "343", "321"]
    assert (d.published.derived_level, d.revised.derived_level) == ("**", "***")
    assert ("evidence rows", "3", "3") not in d.changed
    text = R.diff_text([d])
    assert "add ref 321 (systematic_review)" in text and "remove ref 351 (rct)" in text


def test_revisions_apply_in_time_order_one_on_another(guideline):
    first = revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good"), created="2025-01-01T10:00:00Z")
    after_first = dict(row(guideline, "7.1.1-11", "117"), quality="good")
    # A good trial finding no effect no longer carries a recommendation for: the change needs its reason.
    second = revision("7.1.1-11", R.Change("edit", after_first, dict(after_first, finding="no_effect")),
                      author="Per Hansen", created="2025-01-02T10:00:00Z",
                      justification="The group keeps the recommendation until the trial is appraised.")
    R.save_revision(guideline, first)
    R.save_revision(guideline, second)
    revised = R.apply_revisions(guideline)
    assert revised.conflicts == () and [r.author for r in revised.applied] == ["Kari Nordmann", "Per Hansen"]
    assert row(revised.guideline, "7.1.1-11", "117")["finding"] == "no_effect"


# --- conflicts -----------------------------------------------------------------------------------------------

def test_two_concurrent_edits_of_the_same_trial_in_7_1_1_11_are_a_conflict_with_both_versions(guideline):
    good = revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good"), created="2025-03-01T09:00:00Z")
    poor = revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="poor"), author="Per Hansen",
                    created="2025-03-01T09:00:05Z")
    # Both were made from the same published row; only the first to be applied can win.
    R.save_revision(guideline, good)
    with pytest.raises(RevisionError, match="another revision changed first"):
        R.save_revision(guideline, poor)
    R.save_revision(guideline, poor, check=False)  # as when two saves race past the check
    found = R.conflicts(guideline)
    assert len(found) == 1
    c = found[0]
    assert c.revision.author == "Per Hansen" and c.expected["quality"] == "unclear"
    assert c.current["quality"] == "good" and [r.author for r in c.current_by] == ["Kari Nordmann"]
    assert "quality unclear vs good" in str(c)
    revised = R.apply_revisions(guideline)
    assert row(revised.guideline, "7.1.1-11", "117")["quality"] == "good"  # the later one is not applied
    assert [r.author for r in revised.applied] == ["Kari Nordmann"]
    assert "CONFLICT" in R.diff_text(R.diff(revised))


def test_editing_a_row_another_revision_removed_is_a_conflict(guideline):
    R.save_revision(guideline, revision("7.1.1-11", R.Change("remove", row(guideline, "7.1.1-11", "127"), None),
                                        created="2025-03-01T09:00:00Z", justification="one trial left"))
    late = revision("7.1.1-11", edit(guideline, "7.1.1-11", "127", quality="good"), created="2025-03-01T09:01:00Z")
    R.save_revision(guideline, late, check=False)
    (c,) = R.conflicts(guideline)
    assert c.current is None and "was removed" in str(c)


def test_adding_a_row_that_a_concurrent_revision_added_is_a_conflict(guideline):
    new = dict(row(guideline, "7.1.1-11", "117"), reference="321", design="guideline")
    for who in ("Kari Nordmann", "Per Hansen"):
        R.save_revision(guideline, revision("7.1.1-11", R.Change("add", None, new), author=who,
                                            justification="ok"), check=False)
    (c,) = R.conflicts(guideline)
    assert c.revision.author == "Per Hansen" and "already there" in str(c)


# --- the file format -----------------------------------------------------------------------------------------

def test_a_saved_revision_is_one_new_diffable_file_that_reads_back_the_same(guideline):
    rev = revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good"), author="Kåre Ødegård")
    first, second = R.save_revision(guideline, rev), R.save_revision(guideline, rev, check=False)
    assert first != second and first.parent == guideline.root / "evidence" / "revisions" / "7.1.1-11"
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z--kare-odegard--[0-9a-f]{8}\.json", first.name)
    text = first.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["format"] == R.FORMAT and data["changes"][0]["after"]["quality"] == "good"
    loaded = R.load_revisions(guideline.root, NORWAY, "7.1.1-11")
    assert loaded == (rev, rev) and {r.path for r in loaded} == {first, second}
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_unknown_quality_code_is_a_located_error(guideline):
    bad = dict(row(guideline, "7.1.1-11", "117"), quality="excellent")
    with pytest.raises(ValidationError) as e:
        revision("7.1.1-11", R.Change("edit", row(guideline, "7.1.1-11", "117"), bad))
    (p,) = e.value.problems
    assert "changes[0].after.quality" in p.message and p.found == "excellent" and "good, poor, unclear" in p.allowed


def test_a_row_for_another_recommendation_is_refused(guideline):
    other = row(guideline, "7.1.1-10", "129")
    with pytest.raises(ValidationError, match="names another recommendation"):
        revision("7.1.1-11", R.Change("remove", other, None))


def saved(guideline) -> Path:
    return R.save_revision(guideline, revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good")))


def test_a_truncated_revision_file_is_a_located_error_not_a_traceback(guideline):
    path = saved(guideline)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValidationError) as e:
        R.load_revisions(guideline.root, NORWAY)
    (p,) = e.value.problems
    assert p.file == f"evidence/revisions/7.1.1-11/{path.name}"
    assert "ends too early" in p.message and p.line is not None and "restore it" in p.allowed


@pytest.mark.parametrize("field, value, expected", [
    ("judgements", {"agree_validity": "maybe"}, "'judgements.agree_validity' has an unknown value"),
    ("judgements", {"agree_relevance": "yes"}, "'judgements.agree_relevance' is not a judgement"),
    ("created", "yesterday", "'created' is not a UTC time"),
    ("published_strength", "very strong", "'published_strength' is not a strength"),
    ("author", "", "'author' is required"),
    ("changes", [{"action": "replace", "before": None, "after": None}], "changes[0].action"),
])
def test_a_hand_broken_revision_file_names_the_field(guideline, field, value, expected):
    path = saved(guideline)
    data = json.loads(path.read_text(encoding="utf-8"))
    data[field] = value
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        R.load_revisions(guideline.root, NORWAY)
    assert any(expected in p.message and p.file.endswith(path.name) for p in e.value.problems), str(e.value)


def test_a_revision_in_the_wrong_folder_is_refused(guideline):
    path = saved(guideline)
    moved = path.parent.parent / "7.1.1-10" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    with pytest.raises(ValidationError, match="does not match the folder"):
        R.load_revisions(guideline.root, NORWAY)


def test_invalid_json_names_line_and_column(guideline):
    path = saved(guideline)
    path.write_text('{\n  "author": "Kari",\n  "changes": [,]\n}\n', encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        R.load_revisions(guideline.root, NORWAY)
    (p,) = e.value.problems
    assert p.line == 3 and "not valid JSON" in p.message


# --- safety: concurrent saves and crashes -------------------------------------------------------------------

def _save_many(root: str, worker: int, refs: list[str], barrier) -> None:
    """Save one revision per reference, each adding a row to 7.1.1-11, as one member of the group would."""
    g = load_guideline(root)
    template = R.rows_of(g, "7.1.1-11")[0]
    barrier.wait()
    for ref in refs:
        new = dict(template, reference=ref, design="cohort", quality="poor")
        R.save_revision(g, R.new_revision(NORWAY, "7.1.1-11", f"Member {worker}", f"adds study {ref}",
                                          R.judgements_of(g, "7.1.1-11"), [R.Change("add", None, new)],
                                          justification="clinical experience"))


def test_concurrent_saves_from_several_processes_keep_every_revision(guideline):
    refs = [str(n) for n in guideline.bibliography.by_number if n not in (117, 127)][:24]
    workers = 4
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_save_many, args=(str(guideline.root), w, refs[w::workers], barrier))
             for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    loaded = R.load_revisions(guideline.root, NORWAY, "7.1.1-11")
    assert len(loaded) == len(refs) == len({r.path for r in loaded})
    assert sorted(r.changes[0].after["reference"] for r in loaded) == sorted(refs)
    revised = R.apply_revisions(guideline)
    assert revised.conflicts == ()
    assert len(R.rows_of(revised.guideline, "7.1.1-11")) == 2 + len(refs)
    folder = guideline.root / "evidence" / "revisions" / "7.1.1-11"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_a_failed_link_leaves_no_file_and_the_previous_state_intact(guideline, monkeypatch):
    first = saved(guideline)
    before = R.load_revisions(guideline.root, NORWAY)

    def broken_link(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(FILES.os, "link", broken_link)
    rev = revision("7.1.1-10", published_strength="weak")
    with pytest.raises(RevisionError, match="could not be saved .*Input/output error.*nothing was written"):
        R.save_revision(guideline, rev)
    assert list((guideline.root / "evidence" / "revisions" / "7.1.1-10").iterdir()) == []  # nor a temporary one
    assert R.load_revisions(guideline.root, NORWAY) == before and before[0].path == first


def _crash_between_write_and_link(root: str) -> None:
    """Save a revision in a process that dies after the temporary file is written, before it is linked."""
    g = load_guideline(root)
    FILES.os.link = lambda src, dst: os._exit(3)
    R.save_revision(g, R.new_revision(NORWAY, "7.1.1-10", "Kari Nordmann", "lower it",
                                      R.judgements_of(g, "7.1.1-10"), published_strength="weak"))


def test_a_crash_between_write_and_link_leaves_no_final_file(guideline):
    saved(guideline)
    before = R.load_revisions(guideline.root, NORWAY)
    proc = multiprocessing.get_context("spawn").Process(target=_crash_between_write_and_link,
                                                        args=(str(guideline.root),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3
    folder = guideline.root / "evidence" / "revisions" / "7.1.1-10"
    left = list(folder.iterdir())
    assert [p.name.startswith(".partial-") for p in left] == [True]  # only the temporary file
    assert json.loads(left[0].read_text(encoding="utf-8"))["published_strength"] == "weak"  # fsynced before link
    assert R.load_revisions(guideline.root, NORWAY) == before
    assert R.apply_revisions(guideline).guideline.recommendations.loc["7.1.1-10", "published_strength"] == "strong"


def test_a_judgement_a_revision_leaves_out_stands_7_1_3_02_fusion(guideline):
    # The text records that benefit does not clearly outweigh harm for fusion; a revision naming only validity
    # must not reset that.
    R.save_revision(guideline, revision("7.1.3-02", judgements={"agree_validity": "yes"}))
    revised = R.apply_revisions(guideline)
    assert R.judgements_of(revised.guideline, "7.1.3-02") == {
        "agree_validity": "yes", "agree_applicability": "unrecorded", "agree_benefit_harm": "no"}


def test_slugs_are_safe_file_name_parts():
    assert RV.slug("Kåre Ødegård") == "kare-odegard"
    assert RV.slug("Ærlig Æsø / ../etc") == "aerlig-aeso-etc"
    assert RV.slug("李") == "author"


# --- the guideline's own vocabularies ---------------------------------------------------------------------------

def test_a_revised_row_keeps_to_the_outcomes_guideline_toml_lists(guideline, monkeypatch, capsys):
    # guideline.toml lists the outcomes of the 2007 guideline; a revision may not bring another one in.
    assert "quality_of_life" not in guideline.manifest.values("outcomes")
    bad = revision("7.2.1-05", edit(guideline, "7.2.1-05", "27", outcomes="quality_of_life"))  # a neutral check
    with pytest.raises(ValidationError) as e:
        R.save_revision(guideline, bad)
    p = next(p for p in e.value.problems if p.column == "outcomes")
    assert p.found == "quality_of_life" and "sick_leave" in p.allowed and "guideline.toml" in p.allowed
    assert not (guideline.root / "evidence" / "revisions").exists() or not list(
        (guideline.root / "evidence" / "revisions").rglob("*.json"))
    # Written by hand (or by another tool), the same file is refused where it is read, naming the file.
    RV.write_revision(guideline.root, bad)
    with pytest.raises(ValidationError) as e:
        R.load_revisions(guideline.root, guideline.scheme, manifest=guideline.manifest)
    assert any(p.column == "outcomes" and "7.2.1-05" in p.file for p in e.value.problems)
    from grading.cli import main
    assert main(["validate", "--root", str(guideline.root)]) == 2
    assert "quality_of_life" in capsys.readouterr().err
    # A known outcome passes.
    good = revision("7.2.1-05", edit(guideline, "7.2.1-05", "27", outcomes="pain;function"))
    assert RV.revision_problems(good.as_json(), "x", guideline.scheme, guideline.manifest) == []


def test_a_revision_larger_than_any_command_reads_back_is_refused_before_it_is_saved(guideline):
    huge = "x" * (RV.MAX_BYTES + 1)  # a rationale pasted from a whole document
    with pytest.raises(RevisionError, match="was not saved: it would take .* bytes, more than the"):
        R.save_revision(guideline, revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good"),
                                            rationale=huge))
    assert not (guideline.root / "evidence" / "revisions").exists() or \
        not any((guideline.root / "evidence" / "revisions").rglob("*.json"))
    R.save_revision(guideline, revision("7.1.1-11", edit(guideline, "7.1.1-11", "117", quality="good")))
    assert len(R.saved_revisions(guideline)) == 1  # an ordinary one still saves and reads back
