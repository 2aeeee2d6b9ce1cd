"""Nothing a read-only or report command does changes a file of the guideline folder, and no output replaces one.

The folder is a copy of the bundled guideline with saved revisions; its files are hashed before and after every
command (contents, names, links), and every `grading report --output` aimed at a file the command reads is refused.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import REPO, copy_guideline
from grading.cli import main
from grading.errors import OutputError
from grading.io.files import refuse_inputs, write_atomic
from grading.io.guideline import load_guideline, read_paths
from grading.render.release import make_release
from grading.render.report import publish
from grading.revisions import Change, new_revision, rows_of, save_revision

SCHEME_FILE = REPO / "src" / "grading" / "scheme" / "bundled" / "norway-2007.toml"


def snapshot(root: Path) -> dict[str, str]:
    """Every file and link under root: its content's sha256, or where the link points."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "folder"
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = copy_guideline(tmp_path_factory.mktemp("read-only") / "guideline")
    g = load_guideline(root)
    # Two revisions of manipulation (7.1.1-10 lowered to weak; 7.1.1-11's trial appraised as good), so that
    # --revised and validate read revision files too.
    save_revision(g, new_revision(g.scheme, "7.1.1-10", "Kari Nordmann", "the trials are small", {},
                                  published_strength="weak"))
    before = rows_of(g, "7.1.1-11")[0]
    save_revision(g, new_revision(g.scheme, "7.1.1-11", "Ola Nordmann", "the trial is of good quality", {},
                                  [Change("edit", before, dict(before, quality="good"))],
                                  justification="clinical experience"))
    make_release(load_guideline(root), "2026-1", "the first revision round")
    return root


def commands(root: Path, out: Path) -> list[list[str]]:
    r = ["--root", str(root)]
    return [
        ["validate", *r], ["reproduce", *r], ["reproduce", "--format", "json", *r],
        ["reproduce", "--scheme", str(SCHEME_FILE), *r], ["audit", *r], ["audit", "--format", "json", *r],
        ["audit", "--fragility", *r], ["impact", str(REPO / "docs" / "examples" / "new-study"), *r],
        ["crosswalk", "--scheme", "grade", *r], ["crosswalk", "--scheme", "cost-b13", "--format", "json", *r],
        ["references", *r], ["references", "--format", "html", *r], ["references", "--format", "md", *r],
        ["references", "--bib", str(root / "references.bib")], ["scheme"], ["scheme", "--scheme", "grade"],
        ["report", "--output", str(out / "report.html"), *r], ["report", "--output", str(out / "report.md"), *r],
        ["report", "--revised", "--output", str(out / "revised.html"), *r],
        ["report", "--revised", "--output", str(out / "revised.html"), *r],  # over an earlier report: fine
        ["report", "--release", "2026-1", "--output", str(out / "release.md"), *r],
        ["changes", *r], ["changes", "--since", "published", "--format", "json", *r],
        ["export", "--format", "json", str(out / "guideline.json"), *r],
        ["export", "--format", "fhir", str(out / "guideline.fhir.json"), *r],
        ["site", str(out / "site"), "--revised", *r],
    ]


def test_no_read_only_or_report_command_changes_the_guideline_folder(folder, tmp_path, capsys):
    before = snapshot(folder)
    assert sum(k.startswith("evidence/revisions/") and k.endswith(".json") for k in before) == 2
    for argv in commands(folder, tmp_path):
        assert main(argv) == 0, (argv, capsys.readouterr().err)
        assert snapshot(folder) == before, argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guideline.fhir.json", "guideline.json", "release.md",
                                                          "report.html", "report.md", "revised.html", "site"]


def _targets(root: Path) -> dict[str, Path]:
    revision = next((root / "evidence" / "revisions" / "7.1.1-10").glob("*.json"))
    return {"references.bib": root / "references.bib",
            "recommendations.csv": root / "evidence" / "recommendations.csv",
            "evidence.csv": root / "evidence" / "evidence.csv", "glossary.csv": root / "evidence" / "glossary.csv",
            "a saved revision": revision, "a new file among the revisions": revision.parent / "new.html",
            "the manifest guideline.toml": root / "guideline.toml", "the scheme file it reads": SCHEME_FILE,
            "a new file in the evidence folder": root / "evidence" / "report.html",
            "a file of a release": root / "releases" / "2026-1" / "references.bib"}


def test_export_and_site_refuse_the_guidelines_files_too(folder, tmp_path, capsys):
    before = snapshot(folder)
    for argv in (["export", "--format", "json", str(folder / "releases" / "2026-1" / "x.json")],
                 ["export", "--format", "fhir", str(SCHEME_FILE)], ["site", str(folder / "releases" / "site")]):
        assert main([*argv, "--root", str(folder), "--scheme", str(SCHEME_FILE)]) == 2, argv
        assert "which this command reads" in capsys.readouterr().err
    assert snapshot(folder) == before


TARGETS = ("references.bib", "recommendations.csv", "evidence.csv", "glossary.csv", "a saved revision",
           "a new file among the revisions", "the manifest guideline.toml", "the scheme file it reads",
           "a new file in the evidence folder", "a file of a release")


@pytest.mark.parametrize("what", TARGETS)
def test_report_refuses_to_write_over_a_file_it_reads(folder, what, capsys):
    target = _targets(folder)[what]
    before, scheme_before = snapshot(folder), SCHEME_FILE.read_bytes()
    argv = ["report", "--root", str(folder), "--scheme", str(SCHEME_FILE), "--output", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {target}: it would write " in err and "nothing was written" in err
    assert "Traceback" not in err
    assert snapshot(folder) == before and SCHEME_FILE.read_bytes() == scheme_before


def test_a_report_of_a_release_refuses_the_guidelines_own_files(folder, capsys):
    before = snapshot(folder)
    for target in (folder / "references.bib", folder / "evidence" / "evidence.csv"):
        assert main(["report", "--release", "2026-1", "--root", str(folder), "--output", str(target)]) == 2
        assert "which this command reads" in capsys.readouterr().err
    assert snapshot(folder) == before


def test_report_refuses_a_link_or_a_relative_path_to_the_bib(folder, tmp_path, capsys, monkeypatch):
    link, hard = tmp_path / "list.html", tmp_path / "hard.html"
    link.symlink_to(folder / "references.bib")
    os.link(folder / "references.bib", hard)
    before = snapshot(folder)
    monkeypatch.chdir(folder)
    for output in (str(link), str(hard), "references.bib", "./evidence/../references.bib"):
        assert main(["report", "--output", output]) == 2, output  # the guideline found from the current folder
        assert "which this command reads" in capsys.readouterr().err
    assert snapshot(folder) == before and link.is_symlink()


def test_publish_through_the_api_is_guarded_too(folder):
    g = load_guideline(folder)
    with pytest.raises(OutputError, match="would write over .*references.bib"):
        publish(g, folder / "references.bib", "html")
    assert set(read_paths(g)) >= {folder / "references.bib", folder / "evidence", SCHEME_FILE}


def test_refuse_inputs_compares_real_paths(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "alias").symlink_to(data)
    with pytest.raises(OutputError, match="inside"):
        refuse_inputs(tmp_path / "alias" / "new.txt", [data])
    with pytest.raises(OutputError, match="over"):
        write_atomic(tmp_path / "alias" / "a.csv", "y", protect=[data / "a.csv"])
    assert (data / "a.csv").read_text(encoding="utf-8") == "x"
    refuse_inputs(tmp_path / "report.html", [data, data / "a.csv"])  # elsewhere: fine
