"""The scheme a guideline is graded by, where it came from, its file format (docs/schemes.md), the problems a scheme
file can have, and the one registry of output formats the command line writes through."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLE, REPO
from grading import ValidationError, load_guideline, reproduce
from grading.cli import main, parser
from grading.scheme import BUNDLED, Choices, bundled_names, load_scheme
from grading.scheme.load import SECTIONS

DOC = REPO / "docs" / "schemes.md"
NORWAY_FILE = BUNDLED / "norway-2007.toml"


def copy_of(folder, tmp_path, scheme=None):
    """A copy of a guideline folder, its guideline.toml naming `scheme` when given."""
    out = tmp_path / folder.name
    shutil.copytree(folder, out)
    if scheme is not None:
        manifest = out / "guideline.toml"
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(re.sub(r'(?m)^scheme = "[^"]*"', f'scheme = "{scheme}"', text), encoding="utf-8")
    return out


# --- 1. `grading scheme` shows the scheme the guideline is graded by ---------------------------------------------

def test_grading_scheme_shows_the_scheme_the_guideline_folder_names(capsys):
    assert main(["scheme", "--root", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Scheme neck-pain-example (scheme.toml, named by guideline.toml)" in out
    assert f"it grades the guideline in {EXAMPLE}" in out and "norway-2007" not in out.splitlines()[1]


def test_grading_scheme_takes_the_folder_from_grading_root(capsys, monkeypatch):
    monkeypatch.setenv("GRADING_ROOT", str(EXAMPLE))
    assert main(["scheme"]) == 0
    assert "Scheme neck-pain-example (scheme.toml, named by guideline.toml)" in capsys.readouterr().out


def test_grading_scheme_given_a_scheme_shows_that_one(capsys):
    assert main(["scheme", "--root", str(EXAMPLE), "--scheme", "norway-2007"]) == 0
    assert "Scheme norway-2007 (given with --scheme)" in capsys.readouterr().out


def test_grading_scheme_outside_any_guideline_folder_shows_the_default_and_says_so(capsys, monkeypatch):
    import grading.io.guideline
    monkeypatch.delenv("GRADING_ROOT", raising=False)
    monkeypatch.setattr(grading.io.guideline, "bundled_root", lambda: None)
    assert main(["scheme"]) == 0
    assert "Scheme norway-2007 (the default: no guideline folder here or above)" in capsys.readouterr().out


def test_grading_scheme_in_a_folder_whose_manifest_names_none_shows_the_default(capsys, tmp_path):
    root = copy_of(EXAMPLE, tmp_path)
    manifest = root / "guideline.toml"
    manifest.write_text(re.sub(r'(?m)^scheme = .*$', "", manifest.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["scheme", "--root", str(root)]) == 0
    assert "Scheme norway-2007 (the default: no scheme named in guideline.toml)" in capsys.readouterr().out


def test_grading_scheme_of_a_folder_that_is_not_there_is_a_located_error(capsys, tmp_path):
    assert main(["scheme", "--root", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere: is not a folder" in err and "no scheme was shown" in err


# --- 2. every output says where its scheme came from -------------------------------------------------------------

def test_the_scheme_says_where_it_came_from(tmp_path):
    assert load_guideline(REPO).scheme.describe() == "norway-2007 (named by guideline.toml)"
    assert load_guideline(EXAMPLE).scheme.describe() == "neck-pain-example (scheme.toml, named by guideline.toml)"
    assert load_scheme("norway-2007").describe() == "norway-2007 (bundled with the toolkit)"
    copy = tmp_path / "my-scheme.toml"
    shutil.copy(NORWAY_FILE, copy)
    assert load_scheme(copy).describe() == f"norway-2007 (from {copy})"
    lenient = load_guideline(REPO).scheme.but(unclear_quality_is_good=True)
    assert lenient.describe() == "norway-2007 (named by guideline.toml; modified: unclear_quality_is_good = true)"
    assert lenient == load_scheme("norway-2007").but(unclear_quality_is_good=True)  # where it came from is no part


def test_a_scheme_given_with_scheme_says_so_in_every_output(capsys, tmp_path):
    copy = tmp_path / "my-scheme.toml"
    shutil.copy(NORWAY_FILE, copy)
    assert main(["reproduce", "--root", str(REPO), "--scheme", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"Graded by scheme norway-2007 ({copy}, given with --scheme)." in out and "as declared" not in out
    assert main(["audit", "--root", str(REPO), "--scheme", "norway-2007"]) == 0
    assert "Audit, graded by scheme norway-2007 (given with --scheme)." in capsys.readouterr().out


# --- 3. the summary counts the levels derived where none is printed -----------------------------------------------

@pytest.mark.parametrize("printed_level_first", ["true", "false"])
def test_neck_pain_summary_counts_3_levels_derived_where_none_printed_under_its_own_scheme_given_as_a_file(
        printed_level_first, capsys, tmp_path):
    # The neck-pain example prints a level for 5 of its 8 recommendations. Given as a file (or a copy of it that
    # judges every strength on the derived level, PRINTED-LEVEL-FIRST off), the summary must still count 3 levels
    # derived where none is printed, not every recommendation.
    text = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    copy = tmp_path / "scheme.toml"
    copy.write_text(text.replace("printed_level_first = true", f"printed_level_first = {printed_level_first}"),
                    encoding="utf-8")
    assert main(["reproduce", "--root", str(EXAMPLE), "--scheme", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "Levels: 3 derived where the guideline prints none; of 5 printed levels" in out


def test_bundled_summary_counts_levels_derived_where_none_printed_whatever_printed_level_first():
    g = load_guideline(REPO)
    from grading.grade import summary
    plain, derived_only = summary(reproduce(g)), summary(reproduce(g, g.scheme.but(printed_level_first=False)))
    unprinted = int((g.recommendations["published_level"] == "").sum())
    assert plain["levels_derived_where_none_printed"] == derived_only["levels_derived_where_none_printed"] == unprinted
    assert plain["printed_levels"] + unprinted == len(g.recommendations)


# --- 4. cost-b13 is a crosswalk target, not a guideline's scheme; grade grades by outcomes -------------------------

@pytest.mark.parametrize("scheme,lacks", [("cost-b13", "no [[strengths]] and no [ladder]")])
def test_a_crosswalk_only_scheme_named_by_the_manifest_is_refused_plainly(scheme, lacks, tmp_path):
    root = copy_of(EXAMPLE, tmp_path, scheme)
    for command in ("reproduce", "validate"):
        r = subprocess.run([sys.executable, "-m", "grading.cli", command, "--root", str(root)], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        first = r.stderr.splitlines()[0]
        assert first.startswith(f"error: {scheme}.toml, column ")  # located: the scheme file and what it lacks
        assert f"scheme {scheme} cannot grade a guideline: it has {lacks}" in first
        assert "(bundled: norway-2007, grade)" in first and "cost-b13 serve only as crosswalk targets" in first
        assert f"`grading crosswalk --scheme {scheme} --from-scheme norway-2007`" in first
        assert "docs/schemes.md" in first
        assert f"{scheme} (named by guideline.toml)" in first


def test_the_grade_scheme_given_for_a_guideline_of_printed_2007_levels_says_how_to_see_it_under_grade(capsys):
    # grade grades by evidence profiles (issue 22); the 2007 guideline prints levels *, ** and ***.
    assert main(["reproduce", "--root", str(REPO), "--scheme", "grade"]) == 2
    err = capsys.readouterr().err
    assert "scheme grade grades by certainty per outcome (GRADE: evidence/outcomes.csv)" in err
    assert "`grading crosswalk --scheme grade`" in err and "norway-2007" in err and "Traceback" not in err


# --- 5. docs/schemes.md documents the format and cannot silently rot -----------------------------------------------

def minimal_scheme() -> str:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return next(b for b in blocks if b.lstrip().startswith("name ="))


def test_the_minimal_scheme_of_the_doc_loads_and_grades_the_neck_pain_example(tmp_path, capsys):
    path = tmp_path / "my-scheme.toml"
    path.write_text(minimal_scheme(), encoding="utf-8")
    scheme = load_scheme(path)
    assert scheme.name == "my-scheme" and scheme.ladder and scheme.strengths
    gradings = reproduce(load_guideline(EXAMPLE, scheme=scheme))
    assert len(gradings) == 8 and {g.scheme for g in gradings} == {f"my-scheme (from {path})"}
    assert main(["validate", "--root", str(EXAMPLE), "--scheme", str(path)]) == 0
    # named by a guideline's manifest, as a group would keep it
    root = copy_of(EXAMPLE, tmp_path, "my-scheme.toml")
    shutil.copy(path, root / "my-scheme.toml")
    assert main(["reproduce", "--root", str(root)]) == 0
    assert "Graded by scheme my-scheme (my-scheme.toml, named by guideline.toml)." in capsys.readouterr().out


def test_every_choice_rule_and_table_of_the_bundled_schemes_is_in_the_doc():
    doc = DOC.read_text(encoding="utf-8")
    missing = [f"choice {c}" for c in Choices.names() if f"`{c}`" not in doc]
    missing += [f"top-level {k}" for k in SECTIONS if not any(f"`{o}{k}" in doc for o in ("", "[", "[["))]
    for name in bundled_names():
        scheme = load_scheme(name)
        missing += [f"{name} rule {r}" for r in scheme.rules if f"`{r}`" not in doc]
        missing += [f"{name} level rule {r.name}" for r in scheme.level_rules if f"`{r.name}`" not in doc]
        if f"`{name}`" not in doc:
            missing.append(f"scheme {name}")
    assert not missing, missing


def test_the_doc_and_the_help_point_where_a_pip_user_can_read_them():
    import argparse
    (commands,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    help_texts = [a.help or "" for sp in commands.choices.values() for a in sp._actions]
    assert not [h for h in help_texts if "src/" in h]
    assert any("grading scheme --copy FILE" in h for h in help_texts)


# --- 6. every scheme problem points to docs/schemes.md, and a copy to edit is one command away ----------------------

BAD = {
    "malformed TOML": 'name = "x"\n[[levels]\ncode = "A"\n',
    "unknown key": NORWAY_FILE.read_text(encoding="utf-8").replace("[choices]", "[choises]", 1),
    "bad clause": NORWAY_FILE.read_text(encoding="utf-8").replace("clauses = [{ any_study = 1, consistent = true }]",
                                                                  "clauses = [{ good_designs = 1 }]"),
    "unknown choice": NORWAY_FILE.read_text(encoding="utf-8").replace("contradiction_lowers = true",
                                                                      "contradiction_lowers = true\nlenient = true"),
}


@pytest.mark.parametrize("what", sorted(BAD))
def test_a_scheme_file_problem_points_to_the_doc(what, tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(BAD[what], encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_scheme(path)
    assert all("docs/schemes.md" in str(p) for p in e.value.problems), e.value.problems
    assert any(p.line for p in e.value.problems)
    assert main(["reproduce", "--root", str(REPO), "--scheme", str(path)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert errors and all("docs/schemes.md" in line for line in errors)


def test_a_missing_scheme_file_points_to_the_doc(capsys, tmp_path):
    assert main(["reproduce", "--root", str(REPO), "--scheme", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err
    assert "no such scheme file" in err and "docs/schemes.md" in err and "Traceback" not in err
    root = copy_of(EXAMPLE, tmp_path, "nope.toml")
    assert main(["reproduce", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "guideline.toml, line" in err and "no such scheme" in err and "docs/schemes.md" in err


def test_grading_scheme_prints_and_copies_the_file_to_edit(capsys, tmp_path):
    assert main(["scheme", "--root", str(EXAMPLE), "--format", "toml"]) == 0
    assert capsys.readouterr().out == (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    copy = tmp_path / "ours.toml"
    assert main(["scheme", "--scheme", "norway-2007", "--copy", str(copy)]) == 0
    said = capsys.readouterr().out
    assert copy.read_text(encoding="utf-8") == NORWAY_FILE.read_text(encoding="utf-8")
    assert f"wrote {copy}" in said and "docs/schemes.md" in said
    assert load_scheme(copy).describe() == f"norway-2007 (from {copy})"
    assert main(["scheme", "--copy", str(copy)]) == 2  # never over a file
    assert "it exists" in capsys.readouterr().err


def test_grading_scheme_says_a_crosswalk_target_cannot_grade(capsys):
    assert main(["scheme", "--scheme", "cost-b13"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("Scheme cost-b13 (given with --scheme), from ")
    assert out[2].startswith("A crosswalk target only") and "`grading crosswalk --scheme cost-b13`" in out[2]
    assert main(["scheme", "--scheme", "norway-2007"]) == 0
    assert "crosswalk target" not in capsys.readouterr().out
    assert main(["scheme", "--scheme", "grade"]) == 0  # GRADE grades by its certainty model
    out = capsys.readouterr().out
    assert "crosswalk target" not in out and "Graded by certainty" in out and "catastrophic_harm" in out
