"""The `grading` command line: exit codes, formats, and no traceback for a user's mistake."""

import json
import subprocess
import sys

from conftest import REPO, ev, rec
from grading.cli import main


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_validate_bundled_guideline_exits_0():
    r = run("validate")
    assert r.returncode == 0 and "valid" in r.stdout


def test_validate_bad_folder_exits_2_without_traceback(make_guideline):
    root = make_guideline(recs=[rec(level="****")])
    r = run("validate", "--root", str(root))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "evidence/recommendations.csv, line 2 (row 1), column published_level" in r.stderr
    assert "found '****'" in r.stderr and "allowed:" in r.stderr


def test_reproduce_json_has_the_promised_fields(capsys):
    assert main(["reproduce", "--format", "json", "--root", str(REPO)]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = {"id", "section", "topic", "text", "direction", "published_strength", "published_level",
            "derived_level", "derived_strength", "verdict", "justified", "references", "rule"}
    assert rows and all(keys <= set(r) for r in rows)
    fusion = next(r for r in rows if r["id"] == "7.1.3-02")
    assert fusion["published_level"] == "**" and fusion["published_strength"] == "weak"
    assert fusion["section"] == "7.1.3" and "agree_benefit_harm" in fusion["rule"]
    assert {r["verdict"] for r in rows} <= {"agree", "stronger_than_evidence", "weaker_than_evidence",
                                            "not_comparable"}


def test_reproduce_table_ends_with_the_summary():
    r = run("reproduce")
    assert r.returncode == 0
    assert "recommendations:" in r.stdout and "agree with their evidence" in r.stdout


def test_audit_lists_unjustified_deviations(make_guideline, capsys):
    root = make_guideline(recs=[rec(strength="strong", level="**")], evidence=[ev()])
    assert main(["audit", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "unjustified_deviation (1)" in out and "7.1.3-01" in out


def test_audit_lists_recommendations_without_evidence(make_guideline, capsys):
    root = make_guideline(recs=[rec(), rec(id="6.2-01")], evidence=[ev()])
    main(["audit", "--root", str(root), "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    assert all(f.pop("scheme") == "norway-2007 (the default: no scheme named in guideline.toml)" for f in found)
    assert {"kind": "no_evidence", "subject": "6.2-01", "detail": "recommendation has no evidence rows"} in found


def test_unknown_root_is_a_clear_error(tmp_path):
    r = run("validate", "--root", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "is not a folder" in r.stderr and "Traceback" not in r.stderr


def test_audit_fragility_names_the_row_that_would_move_traction_in_sciatica(capsys):
    assert main(["audit", "--fragility", "--format", "json", "--root", str(REPO)]) == 0
    found = {f["id"]: f for f in json.loads(capsys.readouterr().out)}
    traction = found["7.2.1-03"]
    assert traction["fragile"] and traction["changes"][0]["reference"] == 42


def test_impact_of_the_example_study(capsys):
    assert main(["impact", str(REPO / "docs/examples/new-study"), "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "7.1.1-27: level * -> **" in out and "would move" in out


def test_impact_of_a_missing_folder_exits_2(tmp_path):
    r = run("impact", str(tmp_path / "none"))
    assert r.returncode == 2 and "study.bib" in r.stderr and "Traceback" not in r.stderr


def test_crosswalk_says_every_grade_is_a_mapping():
    r = run("crosswalk", "--scheme", "cost-b13")
    assert r.returncode == 0 and "not the working group's grading" in r.stdout


def test_references_renders_the_bundled_list_with_notes_for_unresolved(capsys):
    assert main(["references", "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] Abenhaim L. The prognostic consequences") and "[5] [unresolved:" in out


def test_scheme_prints_any_scheme_with_its_rules_in_order(capsys):
    assert main(["scheme", "--scheme", "grade"]) == 0
    out = capsys.readouterr().out
    assert "GRADE-HIGH" in out and out.index("high ") < out.index("very_low ") and "randomised" in out
    assert main(["scheme"]) == 0
    assert "Meget god" in capsys.readouterr().out
