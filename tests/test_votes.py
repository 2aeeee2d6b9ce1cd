"""The working group decides: a panel with declared interests, votes as files, agreement by the scheme's rule."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from conftest import REPO, copy_guideline, write_csv
from grading import revisions as R
from grading.analyses.agreement import agreements, grade_voted, tally, with_votes
from grading.analyses.audit import audit
from grading.cli import main
from grading.errors import RevisionError, ValidationError
from grading.grade import grade
from grading.io.guideline import load_guideline
from grading.io.panel import load_panel
from grading.revisions.votes import current_votes, load_votes, new_vote, save_vote, vote_conflicts

MANIPULATION = "7.1.1-11"  # early manipulation: topic MANIPULASJON, published moderate, its trials of unclear quality
PANEL = [
    dict(member="Kari Nordmann", role="chair, general practitioner", interests="", recused=""),
    dict(member="Per Hansen", role="physiotherapist", interests="", recused=""),
    dict(member="Ola Berg", role="chiropractor", interests="owns a clinic offering spinal manipulation",
         recused="MANIPULASJON"),
    dict(member="Ingrid Lie", role="orthopaedic surgeon", interests="", recused="7.1.3-02"),
    dict(member="Siri Dahl", role="patient representative", interests="", recused=""),
]
YES = {"validity": "yes", "applicability": "yes", "benefit_harm": "yes"}


def write_panel(root, rows=PANEL):
    write_csv(root / "evidence" / "panel.csv", ["member", "role", "interests", "recused"], rows)


@pytest.fixture
def guideline(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    write_panel(root)
    return load_guideline(root)


def cast(g, member, rid=MANIPULATION, created=None, comment="", **answers):
    vote = new_vote(g.scheme, rid, member, {**YES, **answers}, comment, created=created)
    return save_vote(g, vote)


def tally_of(g, rid=MANIPULATION, scheme=None):
    g = g.with_scheme(scheme) if scheme is not None else g
    return agreements(g)[rid]


# --- the panel --------------------------------------------------------------------------------------------

def test_the_bundled_guideline_has_no_panel_the_2007_votes_are_not_in_the_source():
    assert not (REPO / "evidence" / "panel.csv").exists()
    assert load_panel(load_guideline(REPO)) is None and agreements(load_guideline(REPO)) == {}


def test_a_panel_recusal_names_a_topic_or_a_recommendation(guideline):
    panel = load_panel(guideline)
    assert panel.names == tuple(r["member"] for r in PANEL)
    berg, lie = panel.member("Ola Berg"), panel.member("Ingrid Lie")
    assert berg.recused_from(guideline.recommendation(MANIPULATION)) == "MANIPULASJON"
    assert berg.recused_from(guideline.recommendation("7.2.1-05")) == "MANIPULASJON"  # manipulation in sciatica too
    assert berg.recused_from(guideline.recommendation("7.1.3-02")) == ""
    assert lie.recused_from(guideline.recommendation("7.1.3-02")) == "7.1.3-02"


def test_a_bad_panel_is_a_located_error_in_validate(tmp_path, capsys):
    root = copy_guideline(tmp_path / "g")
    write_panel(root, [dict(PANEL[0]), dict(PANEL[0]), dict(PANEL[2], recused="MANIPULATION;9.9-01"),
                       dict(PANEL[1], role="")])
    assert main(["validate", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "evidence/panel.csv, line 5 (row 4), column role: a value is required" in err
    assert "line 3 (row 2), column member: duplicate member (first on line 2); found 'Kari Nordmann'" in err
    assert "column recused: recused from a recommendation or topic the guideline does not have; found '9.9-01'" in err
    assert "found 'MANIPULATION'" not in err  # the English topic label names the topic too


# --- votes as files ---------------------------------------------------------------------------------------

def test_a_vote_is_one_new_file_that_reads_back_the_same(guideline):
    path = cast(guideline, "Per Hansen", applicability="abstain")
    assert path.parent == guideline.root / "evidence" / "votes" / MANIPULATION
    assert path.name.endswith(".json") and "--per-hansen--" in path.name
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "grading-vote/1" and data["judgements"]["applicability"] == "abstain"
    assert data["created"].endswith("Z") and data["strength"] is None and data["revision"] is None
    (vote,) = load_votes(guideline.root, guideline.scheme)
    assert vote.member == "Per Hansen" and vote.path == path


def test_a_no_needs_a_comment_at_save(guideline):
    with pytest.raises(ValidationError, match="a comment is required with a no \\(benefit_harm\\)"):
        cast(guideline, "Per Hansen", benefit_harm="no")
    cast(guideline, "Per Hansen", benefit_harm="no", comment="Manipulation early carries a small risk.")
    assert len(load_votes(guideline.root, guideline.scheme)) == 1


def test_a_vote_by_someone_not_on_the_panel_is_refused(guideline):
    with pytest.raises(RevisionError, match="'Nils Nilsen' is not on the panel"):
        cast(guideline, "Nils Nilsen")


def test_voting_without_a_panel_is_refused(tmp_path):
    g = load_guideline(copy_guideline(tmp_path / "g"))
    with pytest.raises(RevisionError, match="no panel: list the working group in evidence/panel.csv"):
        cast(g, "Kari Nordmann")


@pytest.mark.parametrize("field, value, expected", [
    ("judgements", {"validity": "maybe", "applicability": "yes", "benefit_harm": "yes"},
     "'judgements.validity' has an unknown value"),
    ("judgements", {"validity": "yes", "applicability": "yes"}, "'judgements.benefit_harm' is missing"),
    ("created", "in the meeting", "'created' is not a UTC time"),
    ("strength", "very strong", "'strength' is not a strength"),
    ("member", " ", "'member' is required"),
    ("revision", "../other.json", "'revision' is not a revision file name"),
])
def test_a_hand_broken_vote_file_names_the_field(guideline, field, value, expected):
    path = cast(guideline, "Per Hansen")
    data = json.loads(path.read_text(encoding="utf-8"))
    data[field] = value
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_votes(guideline.root, guideline.scheme)
    assert any(expected in p.message and p.file.endswith(path.name) for p in e.value.problems), str(e.value)


def test_a_truncated_vote_file_is_a_located_error_in_validate(guideline, capsys):
    path = cast(guideline, "Per Hansen")
    path.write_bytes(path.read_bytes()[:60])
    assert main(["validate", "--root", str(guideline.root)]) == 2
    err = capsys.readouterr().err
    assert f"evidence/votes/{MANIPULATION}/{path.name}, line" in err and "ends too early" in err


def test_a_later_vote_supersedes_the_earlier_one_and_the_history_stays(guideline):
    cast(guideline, "Per Hansen", created="2026-01-10T09:00:00Z", validity="no", comment="trials unclear")
    cast(guideline, "Per Hansen", created="2026-01-10T11:30:00Z")
    cast(guideline, "Kari Nordmann", created="2026-01-10T10:00:00Z")
    votes = load_votes(guideline.root, guideline.scheme)
    assert [v.member for v in votes] == ["Per Hansen", "Kari Nordmann", "Per Hansen"]  # oldest first
    latest = current_votes(votes)
    assert latest[(MANIPULATION, "Per Hansen")].judgements["validity"] == "yes"
    a = tally_of(guideline)
    assert a.tallies["validity"].yes == 2 and a.tallies["validity"].no == 0
    assert len(a.history) == 3 and a.superseded == 1
    assert "LATEST-VOTE-COUNTS" in a.tallies["validity"].choices


# --- the tally, by the scheme's rule --------------------------------------------------------------------------

def test_a_recused_members_vote_is_shown_not_counted(guideline):
    # A panel of five; Ola Berg declared an interest in manipulation and is recused from the topic.
    for m in ("Kari Nordmann", "Per Hansen", "Ola Berg"):
        cast(guideline, m)
    a = tally_of(guideline)
    t = a.tallies["validity"]
    assert (t.yes, t.no, t.abstain, t.recused) == (2, 0, 0, 1)
    assert a.panel_size == 5 and a.entitled == 4 and a.recused_members == ("Ola Berg",)
    (berg,) = [b for b in a.ballots if not b.counted]
    assert berg.vote.member == "Ola Berg"
    assert berg.why_not == "recused (MANIPULASJON): owns a clinic offering spinal manipulation"
    assert t.outcome == "agreed" and t.rule == "AGREEMENT-SHARE" and "INTEREST-RECUSES" in t.choices
    assert "1 recused vote shown, not counted" in t.because
    # The group may decide otherwise in its scheme: then the recused member's vote counts like any other.
    counted = tally_of(guideline, scheme=guideline.scheme.but(interests_remove_vote=False))
    assert counted.tallies["validity"].yes == 3 and counted.tallies["validity"].recused == 0
    assert counted.entitled == 5


def test_three_of_four_against_a_70_percent_threshold_is_agreed(guideline):
    for m in ("Kari Nordmann", "Per Hansen", "Siri Dahl"):
        cast(guideline, m)
    cast(guideline, "Ingrid Lie", validity="no", comment="The trials' quality is not stated.")
    t = tally_of(guideline).tallies["validity"]
    assert (t.yes, t.no, t.outcome, t.rule) == (3, 1, "agreed", "AGREEMENT-SHARE")
    assert t.because == "3 of 4 counted votes are yes (75%), at least 70%."
    strict = tally_of(guideline, scheme=guideline.scheme.but(agreement_share=0.8)).tallies["validity"]
    assert strict.outcome == "not_agreed" and "below 80%" in strict.because


def test_abstentions_count_for_the_quorum_not_in_the_share(guideline):
    for m in ("Kari Nordmann", "Per Hansen"):
        cast(guideline, m)
    cast(guideline, "Siri Dahl", validity="abstain")
    t = tally_of(guideline).tallies["validity"]
    assert (t.yes, t.abstain, t.outcome) == (2, 1, "agreed") and "ABSTAIN-OUTSIDE-SHARE" in t.choices
    counted = tally_of(guideline, scheme=guideline.scheme.but(abstain_in_share=True)).tallies["validity"]
    assert counted.outcome == "not_agreed" and "2 of 3 counted votes are yes (67%)" in counted.because


def test_too_few_votes_is_no_quorum_and_reads_as_unrecorded(guideline):
    cast(guideline, "Kari Nordmann")  # 1 of the 4 entitled (Ola Berg is recused): 25 % < 50 %
    a = tally_of(guideline)
    t = a.tallies["benefit_harm"]
    assert (t.outcome, t.rule) == ("no_quorum", "QUORUM")
    assert t.because.startswith("1 of 4 members entitled to vote have voted (25%); the quorum is 50%.")
    assert "UNRECORDED-MEANS-AGREED" in t.because
    assert a.judgements() == {j: "unrecorded" for j in ("agree_validity", "agree_applicability",
                                                         "agree_benefit_harm")}
    assert [f for f in audit(guideline) if f.kind == "no_quorum"][0].subject == MANIPULATION


def test_the_votes_replace_the_texts_judgements_in_the_derivation_only(guideline):
    # 7.1.1-05 activity advice, strong on *** (printed); the text records no judgement against it.
    rid = "7.1.1-05"
    for m in ("Kari Nordmann", "Per Hansen", "Ola Berg"):
        cast(guideline, m, rid=rid, benefit_harm="no", comment="Advice alone helps few.")
    cast(guideline, "Siri Dahl", rid=rid)
    a = tally_of(guideline, rid)
    assert a.tallies["benefit_harm"].outcome == "not_agreed" and a.tallies["validity"].outcome == "agreed"
    rec = guideline.recommendation(rid)
    assert with_votes(rec, a).judgements["agree_benefit_harm"] == "no"
    voted = grade_voted(guideline, rid, a)
    published = grade(rec, guideline.studies(rid), guideline.scheme)
    assert published.derived_strength == "strong" and voted.derived_strength == "moderate"
    assert "JUDGEMENT-LOWERS" in voted.strength.choices
    found = [f for f in audit(guideline) if f.kind == "strength_not_carried_by_votes"]
    assert [f.subject for f in found] == [rid] and "carries moderate" in found[0].detail


def test_no_quorum_follows_the_schemes_reading_of_unrecorded(guideline):
    rid = "7.1.1-05"
    cast(guideline, "Kari Nordmann", rid=rid)
    strict = guideline.scheme.but(unrecorded_means_agreed=False)
    a = tally_of(guideline, rid, scheme=strict)
    assert all(t.outcome == "no_quorum" for t in a.tallies.values()) and "counts against" in a.tallies[
        "validity"].because
    assert grade_voted(guideline.with_scheme(strict), rid, a).derived_strength != "strong"


def test_reproduce_json_carries_the_agreement_of_voted_recommendations_only(guideline, capsys):
    for m in ("Kari Nordmann", "Per Hansen", "Ola Berg"):
        cast(guideline, m)
    assert main(["reproduce", "--format", "json", "--root", str(guideline.root)]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[MANIPULATION]["agreement"] == {q: {"yes": 2, "no": 0, "abstain": 0, "recused": 1,
                                                   "outcome": "agreed"}
                                               for q in ("validity", "applicability", "benefit_harm")}
    assert "agreement" not in rows["7.1.1-10"]
    # The published grading keeps the text's judgements.
    assert rows[MANIPULATION]["derived_strength"] == "weak"


# --- audit ----------------------------------------------------------------------------------------------------

def test_audit_names_recused_votes_and_hand_written_noes_without_a_comment(guideline):
    cast(guideline, "Ola Berg")
    path = cast(guideline, "Per Hansen")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["judgements"]["validity"] = "no"  # edited by hand: the save would have asked for a comment
    path.write_text(json.dumps(data), encoding="utf-8")
    found = {f.kind: f for f in audit(guideline)}
    assert found["recused_vote"].subject == MANIPULATION and "Ola Berg" in found["recused_vote"].detail
    assert found["no_without_comment"].detail == f"Per Hansen ({path.name}): validity"


def test_audit_names_a_vote_by_someone_the_panel_no_longer_lists(guideline):
    cast(guideline, "Siri Dahl")
    write_panel(guideline.root, PANEL[:4])
    (f,) = [f for f in audit(guideline) if f.kind == "vote_not_on_panel"]
    assert f.subject == MANIPULATION and f.detail.startswith("Siri Dahl (")


def test_a_vote_cast_before_a_later_revision_is_reported(guideline):
    cast(guideline, "Kari Nordmann", created="2026-01-01T09:00:00Z")
    before = next(r for r in R.rows_of(guideline, MANIPULATION) if r["reference"] == "117")
    R.save_revision(guideline, R.new_revision(guideline.scheme, MANIPULATION, "Per Hansen", "re-read the trial", {},
                                              [R.Change("edit", before, dict(before, quality="good"))],
                                              created="2026-01-02T09:00:00Z"))
    (c,) = vote_conflicts(load_votes(guideline.root, guideline.scheme), R.apply_revisions(guideline))
    assert "Kari Nordmann voted" in c and "before the recommendation was last revised" in c


# --- the command line ----------------------------------------------------------------------------------------

def test_grading_vote_saves_and_prints_the_tally(guideline, capsys):
    root = str(guideline.root)
    for m in ("Kari Nordmann", "Per Hansen"):
        assert main(["vote", MANIPULATION, "--member", m, "--validity", "yes", "--applicability", "yes",
                     "--benefit-harm", "yes", "--root", root]) == 0
    assert main(["vote", MANIPULATION, "--member", "Ola Berg", "--validity", "yes", "--applicability", "abstain",
                 "--benefit-harm", "yes", "--strength", "weak", "--root", root]) == 0
    out = capsys.readouterr().out
    assert "validity       2 yes, 0 no, 0 abstain, 1 recused: agreed by AGREEMENT-SHARE" in out
    assert "not counted: Ola Berg — recused (MANIPULASJON)" in out
    assert main(["vote", MANIPULATION, "--member", "Siri Dahl", "--validity", "no", "--applicability", "yes",
                 "--benefit-harm", "yes", "--root", root]) == 2
    err = capsys.readouterr().err
    assert "a comment is required with a no" in err and "Traceback" not in err
    assert len(load_votes(guideline.root, guideline.scheme)) == 3


# --- concurrency ------------------------------------------------------------------------------------------------

def _vote_many(root: str, member: str, times: int, barrier) -> None:
    g = load_guideline(root)
    barrier.wait()
    for i in range(times):
        save_vote(g, new_vote(g.scheme, MANIPULATION, member, {**YES, "applicability": ("yes", "abstain")[i % 2]}))


def test_concurrent_votes_from_several_processes_are_all_kept(guideline):
    members, times = [m["member"] for m in PANEL], 6
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(members))
    procs = [ctx.Process(target=_vote_many, args=(str(guideline.root), m, times, barrier)) for m in members]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(members)
    votes = load_votes(guideline.root, guideline.scheme)
    assert len(votes) == len(members) * times == len({v.path for v in votes})
    a = tally_of(guideline)
    assert len(a.ballots) == len(members) and a.superseded == len(members) * (times - 1)
    assert a.tallies["applicability"].abstain == 4  # each member's sixth vote abstains; Ola Berg's is not counted
    folder = guideline.root / "evidence" / "votes" / MANIPULATION
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_tally_of_an_unvoted_recommendation_is_no_quorum(guideline):
    a = tally(guideline.recommendation("7.1.1-10"), load_panel(guideline), (), guideline.scheme)
    assert {t.outcome for t in a.tallies.values()} == {"no_quorum"} and a.ballots == ()
