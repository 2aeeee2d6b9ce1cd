"""`grading new FOLDER`: a guideline folder that validates as it is, or a copy of the bundled one; and what a
command says where no guideline folder is found."""

import dataclasses
import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO
from grading import load_guideline, reproduce
from grading.cli import main
from grading.io import guideline as G
from grading.io.scaffold import bundled_source, guideline_files

GOLDEN = (REPO / "tests" / "golden" / "reproduction.csv").read_text(encoding="utf-8")


def run(*args, cwd=REPO, env=None):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_new_folder_validates_clean_and_says_what_to_fill_in(tmp_path, capsys):
    folder = tmp_path / "my-guideline"
    assert main(["new", str(folder)]) == 0
    assert "README.md" in capsys.readouterr().out
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert names == {"guideline.toml", "references.bib", "README.md", "evidence/recommendations.csv",
                     "evidence/evidence.csv", "evidence/glossary.csv", "evidence/flags.csv"}
    g = load_guideline(folder)
    assert not g.notices and len(g.bibliography.data.entries) == 0  # the example entry is a comment
    assert all(text.startswith("EXAMPLE") for text in g.recommendations["text"])
    assert all("EXAMPLE" in text for text in g.evidence["documentation"])
    assert "#" in (folder / "guideline.toml").read_text(encoding="utf-8")  # a manifest with comments
    assert "hansen2024exercise" in (folder / "references.bib").read_text(encoding="utf-8")
    assert [x.verdict for x in (r.comparison for r in reproduce(g))] == ["agree"]
    assert main(["validate", "--root", str(folder)]) == 0


def test_an_empty_folder_is_written_into_and_a_non_empty_one_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["new", str(empty)]) == 0 and (empty / "guideline.toml").is_file()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    r = run("new", str(tmp_path / "full"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "is not empty" in r.stderr and "found 'notes.txt'" in r.stderr
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]  # nothing written over or beside it
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_new_example_copies_the_bundled_guideline_which_reproduces_the_same(tmp_path):
    folder = tmp_path / "copy"
    r = run("new", str(folder), "--example")
    assert r.returncode == 0, r.stderr
    assert sorted(guideline_files(folder)) == sorted(guideline_files(REPO))
    assert not (folder / "evidence" / "revisions").exists()
    g = load_guideline(folder)
    assert dataclasses.replace(g.manifest, path=None) == dataclasses.replace(load_guideline(REPO).manifest, path=None)
    lines = [f"{x.id},{x.published_strength or ''},{x.published_level or ''},{x.derived_level},{x.level_source},"
             f"{x.derived_strength},{x.comparison.verdict},{str(x.comparison.justified).lower()}" for x in reproduce(g)]
    assert lines == [",".join(line.split(",")[:8]) for line in GOLDEN.splitlines()[1:]]  # its first 8 columns


def test_no_guideline_folder_found_says_how_to_make_or_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GRADING_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(G, "__file__", str(tmp_path / "site-packages" / "grading" / "io" / "guideline.py"))
    assert G.bundled_root() is None  # as for a package installed outside the repository, run outside it
    assert main(["reproduce"]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path}: no guideline folder here" in err
    assert "`grading new FOLDER`" in err and "`grading new FOLDER --example`" in err and "GRADING_ROOT" in err


def test_the_build_packages_the_same_files_new_example_copies():
    spec = importlib.util.spec_from_file_location("grading_setup", REPO / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)  # defines the build hook; builds nothing outside `pip install`
    assert setup.guideline_files(REPO) == guideline_files(REPO)
    assert {"guideline.toml", "references.bib", "evidence/evidence.csv"} <= {str(p) for p in guideline_files(REPO)}
    assert bundled_source() is not None


def test_a_file_in_the_way_is_refused(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["new", str(tmp_path / "a-file")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("inside", ["data/new-guideline/copy", "data/new-guideline", "somewhere-new"])
def test_new_inside_the_installed_package_is_refused_so_the_template_never_copies_itself(inside, capsys):
    from grading.io.scaffold import PACKAGE, TEMPLATE
    before = sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*"))
    assert main(["new", str(PACKAGE / inside)]) == 2
    err = capsys.readouterr().err
    assert "inside the installed grading package" in err and "Traceback" not in err
    assert sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*")) == before
    assert not (PACKAGE / inside).exists() or inside == "data/new-guideline"
