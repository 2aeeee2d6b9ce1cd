"""A package installed without the repository (a wheel): its notebooks and commands find the copy of the bundled
guideline it carries, read it, and refuse to write into it — nothing a user saves goes into site-packages."""

from __future__ import annotations

import json

import pytest

from conftest import copy_guideline
from grading.cli import main
from grading.io import files, guideline, scaffold


@pytest.fixture
def packaged(tmp_path, monkeypatch):
    """The bundled guideline where a wheel puts it, with no repository or guideline folder around the user."""
    folder = copy_guideline(tmp_path / "site-packages" / "grading" / "data" / "bundled-guideline")
    monkeypatch.setattr(files, "PACKAGED", folder.resolve())
    monkeypatch.setattr(scaffold, "PACKAGED", folder.resolve())
    monkeypatch.setattr(guideline, "is_guideline_folder", lambda f: f.resolve() == folder.resolve())
    monkeypatch.delenv("GRADING_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    return folder


def test_an_installed_package_reads_the_guideline_it_carries(packaged, capsys):
    assert guideline.bundled_root() == packaged.resolve()
    assert main(["reproduce", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 67


def test_nothing_is_saved_into_the_installed_package_copy_it_first(packaged, tmp_path, capsys):
    before = sorted(p.relative_to(packaged) for p in packaged.rglob("*"))
    (packaged / "evidence" / "panel.csv").write_text("member,role,interests,recused\nKari Nordmann,chair,,\n",
                                                     encoding="utf-8")
    before.append((packaged / "evidence" / "panel.csv").relative_to(packaged))
    etd = tmp_path / "etd.json"
    etd.write_text(json.dumps({"criteria": {"validity": {"judgement": "yes"}}, "conclusion": {}}), encoding="utf-8")
    for argv in (["vote", "6.2-01", "--member", "Kari Nordmann", "--validity", "yes", "--applicability", "yes",
                  "--benefit-harm", "yes"],
                 ["etd", "6.2-01", "--save", str(etd), "--author", "Kari Nordmann"],
                 ["appraise", "4", "--instrument", "agree-ii", "--member", "Kari Nordmann", "--overall", "yes"],
                 ["report", "--output", str(packaged / "report.html")],
                 ["release", "2026-1"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "read-only" in err and "grading new FOLDER --example" in err and "Traceback" not in err, argv
    assert sorted(p.relative_to(packaged) for p in packaged.rglob("*")) == sorted(before)
