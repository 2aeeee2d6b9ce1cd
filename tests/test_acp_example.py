"""The ACP 2017 low back pain guideline (docs/examples/acp-2017): a real, published guideline graded by ACP's
grading system read by the toolkit's certainty model. Its rows name their sources, its printed qualities are the
scheme's, and what the audit says of it is what its rows imply under the scheme's rules, reasoned from the rows
here, not copied from the tool's output."""

import csv
import json

import pytest

from conftest import REPO
from grading.analyses.audit import audit
from grading.cli import main
from grading.grade import reproduce
from grading.io.guideline import load_guideline

ACP = REPO / "docs" / "examples" / "acp-2017"
DOWN = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
UP = ("large_effect", "dose_response", "plausible_confounding")


def rows(name):
    with open(ACP / "evidence" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


RECS, OUTCOMES = rows("recommendations.csv"), rows("outcomes.csv")


@pytest.fixture(scope="module")
def guideline():
    return load_guideline(ACP)


def test_it_validates_without_an_error(guideline, capsys):
    assert main(["validate", "--root", str(ACP)]) == 0
    assert "valid" in capsys.readouterr().out
    assert not guideline.notices  # loading raises on an error; not even a warning or a notice is left
    assert guideline.scheme.name == "acp-2017" and guideline.scheme.certainty is not None


def test_every_row_names_where_in_the_source_it_comes_from():
    for row in RECS + OUTCOMES:
        assert row["source"].strip() and "https://" in row["source"], row
    # the guideline's own recommendations, as numbered, plus its one ungraded statement
    assert [r["id"] for r in RECS] == ["1-01", "1-02", "2-01", "3-01"]


def test_printed_qualities_and_strengths_are_the_schemes_vocabulary(guideline):
    levels, strengths = set(guideline.scheme.level_codes), set(guideline.scheme.strength_codes)
    assert levels == {"high", "moderate", "low", "insufficient"} and strengths == {"strong", "weak"}
    assert {r["published_certainty"] for r in OUTCOMES} - {""} <= levels
    assert {r["published_level"] for r in RECS} - {""} <= levels
    assert {r["published_strength"] for r in RECS} - {""} <= strengths
    # as ACP prints them: strong, strong, weak on moderate; the statement on steroids carries no grade
    graded = {r["id"]: (r["published_strength"], r["published_level"]) for r in RECS}
    assert graded == {"1-01": ("strong", ""), "1-02": ("", ""), "2-01": ("strong", ""), "3-01": ("weak", "moderate")}


def test_every_reference_is_cited_by_an_outcome_and_exists(guideline):
    keys = set(guideline.bibliography.data.entries)
    cited = {k.strip() for r in OUTCOMES for k in r["studies"].split(";") if k.strip()}
    assert cited == keys == {"chou2017nonpharm", "chou2017pharm", "chou2016cer169"}


def test_reproduce_json_grades_each_recommendation_by_its_outcomes(capsys):
    assert main(["reproduce", "--root", str(ACP), "--format", "json"]) == 0
    graded = json.loads(capsys.readouterr().out)
    assert [g["id"] for g in graded] == [r["id"] for r in RECS]
    per_rec = {r["id"]: [o for o in OUTCOMES if o["recommendation_id"] == r["id"]] for r in RECS}
    assert sum(map(len, per_rec.values())) == len(OUTCOMES) == 62
    for g in graded:
        assert g["model"] == "grade"
        mine = per_rec[g["id"]]
        assert [o["outcome"] for o in g["outcomes"]] == [o["outcome"] for o in mine]
        for o, row in zip(g["outcomes"], mine):
            assert o["derived_certainty"] in {"high", "moderate", "low", "insufficient"}
            assert o["published_certainty"] == (row["published_certainty"] or None)
    assert {g["id"]: g["published_certainty"] for g in graded}["3-01"] == "moderate"


def _implied():
    """What the audit must say, reasoned from the rows and the scheme's rules (docs/schemes.md, scheme.toml)."""
    by_rec = {r["id"]: [o for o in OUTCOMES if o["recommendation_id"] == r["id"]] for r in RECS}
    # Every outcome is a body of randomised trials (START-BY-DESIGN: high) with every domain unjudged: the
    # readings run from not serious everywhere (high) to five very serious domains (FLOOR-AND-CEILING:
    # insufficient), so each outcome reaches every level and no printed quality can differ from all readings.
    all_unjudged = all(o["design"] == "rct" and all(o[d] == "unclear" for d in DOWN + UP) for o in OUTCOMES)
    mismatch = set() if all_unjudged else None
    # DISCORDANT reads the printed quality of the recommendation where there is one; else (PRINTED-OUTCOME-
    # CERTAINTY) each outcome's printed quality where printed and its derived one elsewhere, the lowest of them
    # (no outcome is critical, so all count). An outcome printed low caps every reading at low: a strong
    # recommendation with one is discordant outright. One with no printed quality at all would depend on appraisal.
    strong = [r for r in RECS if r["published_strength"] == "strong"]
    printed = {rid: {o["published_certainty"] for o in outs} - {""} for rid, outs in by_rec.items()}
    discordant = {r["id"] for r in strong if r["published_level"] in ("low", "insufficient")
                  or (not r["published_level"] and printed[r["id"]] & {"low", "insufficient"})}
    depends = {r["id"] for r in strong if not r["published_level"] and by_rec[r["id"]] and not printed[r["id"]]}
    # No outcome is marked critical (ACP rates no importance).
    no_critical = {rid for rid, outs in by_rec.items() if outs and not any(o["importance"] == "critical" for o in outs)}
    without_rationale = {r["id"] for r in strong if not r["justification"].strip()}
    return all_unjudged, mismatch, discordant, depends, no_critical, without_rationale


def test_the_audit_says_what_the_rows_imply(guideline):
    all_unjudged, mismatch, discordant, depends, no_critical, without_rationale = _implied()
    assert all_unjudged and mismatch == set()
    assert discordant == {"1-01", "2-01"} and depends == set()
    assert no_critical == {"1-01", "1-02", "2-01", "3-01"} and without_rationale == set()
    found = audit(guideline)
    subjects = {kind: {f.subject for f in found if f.kind == kind} for kind in
                ("certainty_mismatch", "discordant", "depends_on_appraisal", "no_critical_outcome",
                 "strong_without_rationale")}
    assert subjects == {"certainty_mismatch": mismatch, "discordant": discordant, "depends_on_appraisal": depends,
                        "no_critical_outcome": no_critical, "strong_without_rationale": without_rationale}
    # 3-01 is weak on its printed moderate: concordant and certain; 1-02 prints no strength: not comparable.
    verdicts = {g.id: g for g in reproduce(guideline)}
    assert verdicts["3-01"].profile.used == "moderate" and not verdicts["3-01"].profile.discordant
    assert verdicts["3-01"].profile.certainty == "certain"
    assert verdicts["1-02"].comparison.verdict == "not_comparable"


def test_the_strong_recommendations_rest_partly_on_outcomes_printed_low():
    """What a reader of the rows sees, and why the audit lists both strong recommendations as discordant: each has
    outcomes whose printed quality is low."""
    lowest = {}
    order = ("high", "moderate", "low", "insufficient")
    for o in OUTCOMES:
        if o["published_certainty"]:
            rid = o["recommendation_id"]
            lowest[rid] = max(lowest.get(rid, "high"), o["published_certainty"], key=order.index)
    assert lowest["1-01"] == lowest["2-01"] == "low"


def test_the_other_commands_run(tmp_path, capsys):
    for argv in (["reproduce"], ["audit"], ["audit", "--format", "json"],
                 ["report", "--format", "md", "--output", str(tmp_path / "report.md")],
                 ["report", "--format", "html", "--output", str(tmp_path / "report.html")],
                 ["site", str(tmp_path / "site")],
                 ["export", str(tmp_path / "acp.json"), "--format", "json"]):
        assert main([*argv, "--root", str(ACP)]) == 0, argv
    out = capsys.readouterr().out
    assert "Graded by scheme acp-2017 (scheme.toml, named by guideline.toml)" in out
    assert (tmp_path / "site" / "rec" / "1-01.html").is_file()
    assert json.loads((tmp_path / "acp.json").read_text(encoding="utf-8"))


def test_the_fhir_export_runs(tmp_path):
    assert main(["export", str(tmp_path / "acp.fhir.json"), "--root", str(ACP), "--format", "fhir"]) == 0


def test_no_reference_cited_by_an_outcome_is_reported_uncited(guideline):
    assert not [f for f in audit(guideline) if f.kind == "uncited_reference"]


def test_the_summary_of_findings_names_each_comparison_and_draws_acp_s_insufficient(guideline):
    from grading.render.sof import COMPARISON, sof_frame, symbols
    g = {x.id: x for x in reproduce(guideline)}["1-01"]
    frame = sof_frame(g, guideline.scheme)
    rows = [o for o in OUTCOMES if o["recommendation_id"] == "1-01"]
    assert len({o["comparison"] for o in rows}) > 1  # the rows compare with different things ...
    assert list(frame[COMPARISON]) == [o["comparison"] or "—" for o in rows]  # ... so each row says with what
    assert symbols("insufficient", guideline.scheme) == "⊕◯◯◯" and symbols("high", guideline.scheme) == "⊕⊕⊕⊕"
