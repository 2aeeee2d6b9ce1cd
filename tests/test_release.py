"""Releases: the guideline as the group publishes it, frozen, with a change log that says exactly what changed."""

from __future__ import annotations

import hashlib
import json
import stat

import pytest

from conftest import copy_guideline
from grading import revisions as R
from grading.cli import main
from grading.errors import RevisionError
from grading.grade import reproduce
from grading.io.guideline import load_guideline
from grading.render.release import make_release
from grading.revisions.release import release_names
from grading.revisions.votes import new_vote, save_vote
from test_votes import PANEL, YES, write_panel

MANIPULATION = "7.1.1-11"


@pytest.fixture
def guideline(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    write_panel(root)
    (root / "guideline.toml").write_text('# a manifest (issue 11)\ntitle = "test guideline"\n',
                                         encoding="utf-8")
    return load_guideline(root)


def vote_all(g, rid, members=("Kari Nordmann", "Per Hansen", "Siri Dahl", "Ingrid Lie"), **answers):
    for m in members:
        comment = "the documentation does not hold" if "no" in answers.values() else ""
        save_vote(g, new_vote(g.scheme, rid, m, {**YES, **answers}, comment))


def row(g, rid, ref):
    return next(r for r in R.rows_of(g, rid) if r["reference"] == ref)


def revise(g, rid, *changes, author="Kari Nordmann", rationale="the group re-read the evidence", **kw):
    return R.save_revision(g, R.new_revision(g.scheme, rid, author, rationale, kw.pop("judgements", {}), changes,
                                             **kw))


def hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def log_of(g, name):
    return json.loads((g.root / "releases" / name / "changes.json").read_text(encoding="utf-8"))


def test_a_release_is_a_guideline_folder_with_revisions_and_votes_applied(guideline, capsys):
    revise(guideline, "7.1.1-10", rationale="the evidence carries weak", published_strength="weak",
           text=guideline.recommendation("7.1.1-10").text.replace("(sterk grad)", "(svak grad)"))
    vote_all(guideline, MANIPULATION, validity="no")
    path = make_release(guideline, "2026-1", "first meeting")
    assert sorted(hashes(path)) == ["CHANGES.md", "SHA256SUMS", "changes.json", "evidence/evidence.csv",
                                    "evidence/flags.csv", "evidence/glossary.csv", "evidence/panel.csv",
                                    "evidence/recommendations.csv", "guideline.toml", "references.bib"]
    assert (path / "guideline.toml").read_bytes() == (guideline.root / "guideline.toml").read_bytes()
    released = load_guideline(path)
    rec = released.recommendation("7.1.1-10")
    assert rec.published_strength == "weak" and "(svak grad)" in rec.text
    assert released.recommendation(MANIPULATION).judgements["agree_validity"] == "no"  # not agreed by the votes
    assert not (path / "evidence" / "revisions").exists() and not (path / "evidence" / "votes").exists()
    assert main(["validate", "--root", str(path)]) == 0
    by_id = {x.id: x for x in reproduce(released)}
    assert by_id["7.1.1-10"].comparison.verdict == "agree"
    # Untouched tables are written back as they were read.
    assert (path / "evidence" / "evidence.csv").read_bytes() == (guideline.root / "evidence" / "evidence.csv"
                                                                 ).read_bytes()
    assert "1 changed, 1 reviewed and re-affirmed unchanged" in (path / "CHANGES.md").read_text(encoding="utf-8")


def test_a_release_is_frozen_whatever_is_voted_and_revised_later(guideline):
    vote_all(guideline, MANIPULATION)
    first = make_release(guideline, "2026-1")
    before = hashes(first)
    assert all(not (p.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) for p in first.rglob("*"))
    assert not first.stat().st_mode & stat.S_IWUSR
    vote_all(guideline, MANIPULATION, validity="no")
    revise(guideline, MANIPULATION, R.Change("edit", row(guideline, MANIPULATION, "117"),
                                             dict(row(guideline, MANIPULATION, "117"), quality="good")))
    with pytest.raises(RevisionError, match="release 2026-1 exists already"):
        make_release(guideline, "2026-1")
    make_release(guideline, "2026-2")
    assert hashes(first) == before
    assert release_names(guideline.root) == ["2026-1", "2026-2"]


@pytest.mark.parametrize("name", ["published", "../up", ".hidden", "two words", ""])
def test_a_release_needs_a_plain_new_name(guideline, name):
    with pytest.raises(RevisionError, match="cannot name a release"):
        make_release(guideline, name)
    assert not (guideline.root / "releases").exists() or release_names(guideline.root) == []


def test_a_release_is_not_made_while_revisions_conflict(guideline):
    before = row(guideline, MANIPULATION, "117")
    for who, quality in (("Kari Nordmann", "good"), ("Per Hansen", "poor")):
        R.save_revision(guideline, R.new_revision(guideline.scheme, MANIPULATION, who, "re-appraised", {},
                                                  [R.Change("edit", before, dict(before, quality=quality))],
                                                  justification="x"), check=False)
    with pytest.raises(RevisionError, match="in conflict; settle them first"):
        make_release(guideline, "2026-1")
    assert not (guideline.root / "releases").exists()


def test_a_release_that_fails_half_way_leaves_nothing_behind(guideline, monkeypatch):
    from grading.render import release as RL

    def broken(dest, *args):
        (dest / "evidence").mkdir()
        (dest / "evidence" / "recommendations.csv").write_text("id\n", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RL, "_write_folder", broken)
    with pytest.raises(RevisionError, match="release 2026-1 was not made .No space left on device.; nothing was"):
        make_release(guideline, "2026-1")
    assert list((guideline.root / "releases").iterdir()) == []  # neither the release nor its temporary folder


def test_the_second_release_lists_exactly_what_changed_since_the_first(guideline):
    vote_all(guideline, MANIPULATION)
    revise(guideline, "7.1.1-09", rationale="kept as printed")  # reviewed, nothing changed
    make_release(guideline, "2026-1")
    # After the first release: a re-appraised trial, a new strength and wording, a row added and one removed,
    # and a recommendation the group votes on and leaves as it is.
    revise(guideline, MANIPULATION, R.Change("edit", row(guideline, MANIPULATION, "117"),
                                             dict(row(guideline, MANIPULATION, "117"), quality="good")),
           author="Per Hansen", rationale="the trial is randomised and well reported")
    old_text = guideline.recommendation("7.1.1-10").text
    revise(guideline, "7.1.1-10", rationale="the evidence carries weak", published_strength="weak",
           text=old_text.replace("(sterk grad)", "(svak grad)"))
    added = dict(row(guideline, "7.1.1-03", "114"), reference="321", design="systematic_review", quality_text="")
    revise(guideline, "7.1.1-03", R.Change("add", None, added),
           R.Change("remove", row(guideline, "7.1.1-03", "351"), None),
           rationale="the European guideline supports it; one trial is not about this",
           justification="The review now supports a strong recommendation.")
    vote_all(guideline, "7.1.1-01")
    path = make_release(guideline, "2026-2", "second meeting")
    log = log_of(guideline, "2026-2")
    assert log["since"] == "2026-1" and log["note"] == "second meeting"
    entries = {e["id"]: e for e in log["recommendations"]}
    assert {k: e["status"] for k, e in entries.items()} == {
        "7.1.1-01": "reaffirmed", "7.1.1-03": "changed", "7.1.1-10": "changed", MANIPULATION: "changed"}
    assert log["unchanged"] == 63

    assert entries[MANIPULATION]["changed"] == [{"what": "derived level", "before": "*", "after": "**"},
                                                {"what": "derived strength", "before": "weak", "after": "moderate"},
                                                {"what": "verdict", "before": "stronger_than_evidence",
                                                 "after": "agree"}]
    (re,) = entries[MANIPULATION]["evidence"]["reappraised"]
    assert re == {"reference": "117", "design": "rct", "changes": {"quality": ["unclear", "good"]}}
    assert [r["author"] for r in entries[MANIPULATION]["revisions"]] == ["Per Hansen"]
    assert entries[MANIPULATION]["agreement"]["validity"]["outcome"] == "agreed"
    assert entries[MANIPULATION]["new_votes"] == 0  # its votes came before the first release

    assert entries["7.1.1-10"]["changed"][:2] == [
        {"what": "text", "before": old_text, "after": old_text.replace("(sterk grad)", "(svak grad)")},
        {"what": "strength", "before": "strong", "after": "weak"}]
    ev = entries["7.1.1-03"]["evidence"]
    assert [r["reference"] for r in ev["added"]] == ["321"] and [r["reference"] for r in ev["removed"]] == ["351"]
    assert ev["reappraised"] == []
    assert {"what": "derived level", "before": "**", "after": "***"} in entries["7.1.1-03"]["changed"]
    assert entries["7.1.1-01"]["changed"] == [] and entries["7.1.1-01"]["new_votes"] == 4
    assert entries["7.1.1-01"]["agreement"]["benefit_harm"] == {
        "yes": 4, "no": 0, "abstain": 0, "recused": 0, "outcome": "agreed", "rule": "AGREEMENT-SHARE",
        "because": "4 of 4 counted votes are yes (100%), at least 70%."} | {}
    text = (path / "CHANGES.md").read_text(encoding="utf-8")
    assert "## Reviewed and re-affirmed unchanged" in text and "### 7.1.1-01" in text
    assert "evidence re-appraised: ref 117 (rct): quality unclear → good" in text
    assert "revised by Per Hansen" in text and "the trial is randomised and well reported" in text
    first = log_of(guideline, "2026-1")
    assert {e["id"]: e["status"] for e in first["recommendations"]} == {"7.1.1-09": "reaffirmed",
                                                                        MANIPULATION: "reaffirmed"}


def test_grading_changes_prints_the_log_from_a_release_or_the_published_guideline(guideline, capsys):
    vote_all(guideline, MANIPULATION)
    root = str(guideline.root)
    assert main(["release", "2026-1", "--note", "first", "--root", root]) == 0
    assert "1 re-affirmed since the published guideline" in capsys.readouterr().out
    revise(guideline, "7.1.1-10", published_strength="weak")
    assert main(["changes", "--root", root]) == 0
    out = capsys.readouterr().out
    assert "changes since release 2026-1" in out and "7.1.1-10" in out and MANIPULATION not in out
    assert main(["changes", "--since", "published", "--format", "json", "--root", root]) == 0
    log = json.loads(capsys.readouterr().out)
    assert {e["id"] for e in log["recommendations"]} == {"7.1.1-10", MANIPULATION} and log["since"] == "published"
    assert main(["changes", "--since", "2030-9", "--root", root]) == 2
    assert "unknown release '2030-9'; allowed: '2026-1'" in capsys.readouterr().err
    assert main(["release", "2026-1", "--root", root]) == 2
    assert "a release is never changed" in capsys.readouterr().err


def test_report_of_a_release_carries_its_change_log(guideline, tmp_path):
    vote_all(guideline, MANIPULATION)
    revise(guideline, "7.1.1-10", rationale="<script>alert(1)</script> lower it", published_strength="weak")
    make_release(guideline, "2026-1")
    page, md = tmp_path / "r.html", tmp_path / "r.md"
    assert main(["report", "--release", "2026-1", "--output", str(page), "--root", str(guideline.root)]) == 0
    assert main(["report", "--release", "2026-1", "--output", str(md), "--root", str(guideline.root)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "as the working group released it in release 2026-1" in html
    assert '<section id="changes">' in html and "<h2>Release 2026-1</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index('id="changes"') < html.index('id="references"')
    text = md.read_text(encoding="utf-8")
    assert "\n## Release 2026-1\n" in text and "\n### Changed\n" in text and "#### 7.1.1-10" in text
    assert "\\<script\\>" in text


def test_a_release_carries_the_folders_panel_as_it_is(guideline):
    path = make_release(guideline, "2026-1")
    assert (path / "evidence" / "panel.csv").read_bytes() == (guideline.root / "evidence" / "panel.csv").read_bytes()
    assert (path / "evidence" / "panel.csv").read_text(encoding="utf-8").count("\n") == len(PANEL) + 1


@pytest.mark.parametrize("name", ["CON", "nul.txt", "Com1", "lpt9.notes", "final."])
def test_a_release_name_windows_cannot_check_out_is_refused_saying_why(guideline, name):
    with pytest.raises(RevisionError, match="cannot name a release; .*(Windows|'\\.')"):
        make_release(guideline, name)
    assert not (guideline.root / "releases" / name).exists()


def test_a_release_name_differing_only_in_case_from_another_is_refused(guideline):
    make_release(guideline, "final")
    with pytest.raises(RevisionError, match="differs only in case"):
        make_release(guideline, "Final")


def _thawed(path):
    """Make a released file writable again, as any clone of the repository has it (git keeps no read-only bits)."""
    path.parent.chmod(0o755)
    path.chmod(0o644)


@pytest.mark.parametrize("edit", ["change", "remove", "add"])
def test_a_release_edited_after_it_was_made_is_refused_by_every_command_naming_the_file(guideline, edit, capsys,
                                                                                         tmp_path):
    path = make_release(guideline, "2026-1")
    assert (path / "SHA256SUMS").is_file()
    table = path / "evidence" / "recommendations.csv"
    _thawed(table)
    path.chmod(0o755)
    if edit == "change":
        table.write_text(table.read_text(encoding="utf-8").replace("sterk", "svak", 1), encoding="utf-8")
    elif edit == "remove":
        (path / "CHANGES.md").chmod(0o644)
        (path / "CHANGES.md").unlink()
    else:
        (path / "evidence" / "extra.csv").write_text("x\n", encoding="utf-8")
    named = {"change": "releases/2026-1/evidence/recommendations.csv", "remove": "releases/2026-1/CHANGES.md",
             "add": "releases/2026-1/evidence/extra.csv"}[edit]
    root = ["--root", str(guideline.root)]
    for argv in (["changes", "--since", "2026-1"], ["changes"], ["report", "--release", "2026-1", "--output",
                                                                  str(tmp_path / "r.html")],
                 ["site", str(tmp_path / "site"), "--release", "2026-1"]):
        capsys.readouterr()
        assert main([*argv, *root]) == 2, argv
        err = capsys.readouterr().err
        assert named in err and "Traceback" not in err, (argv, err)
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("damage", [{}, {"recommendations": "all"}, {"recommendations": [{"id": 7}]},
                                    {"unchanged": "many"}, {"recommendations": [{"status": "lost"}]},
                                    {"recommendations": [{"agreement": {"validity": {"outcome": 3}}}]}])
def test_a_damaged_change_log_is_a_located_error_not_a_traceback(guideline, damage, capsys, tmp_path):
    from grading.revisions.release import log_problems, read_change_log
    path = make_release(guideline, "2026-1")
    log = json.loads((path / "changes.json").read_text(encoding="utf-8"))
    if damage:
        for key, value in damage.items():
            if key == "recommendations" and isinstance(value, list):
                log["recommendations"] = [{**log["recommendations"][0], **value[0]}] if log["recommendations"] \
                    else value
            else:
                log[key] = value
    else:
        log = {}
    assert log_problems(log, "changes.json"), damage
    damaged = tmp_path / "changes.json"
    damaged.write_text(json.dumps(log), encoding="utf-8")
    with pytest.raises(Exception) as raised:
        read_change_log(damaged)
    assert type(raised.value).__name__ == "ValidationError" and "changes.json" in str(raised.value)


def test_a_release_where_its_folder_cannot_be_made_is_a_clear_error(guideline, capsys):
    (guideline.root / "releases").write_text("a file where the releases folder belongs", encoding="utf-8")
    assert main(["release", "2026-1", "--root", str(guideline.root)]) == 2
    err = capsys.readouterr().err
    assert "release 2026-1 was not made" in err and "nothing was written" in err and "Traceback" not in err
