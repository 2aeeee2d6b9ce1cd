"""TOML nested thousands deep, in guideline.toml or a scheme file, is a located error on every command, never a
RecursionError (issue 24); the property covers any mix of arrays and inline tables at any depth."""

from __future__ import annotations

import shutil

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from grading.cli import main
from grading.io.files import MAX_TOML_DEPTH, parse_toml

EXAMPLE = REPO / "docs" / "examples" / "neck-pain"


def nested(kinds: list[str]) -> str:
    """A TOML value nested as `kinds` says, outermost first: 'a' an array, 't' an inline table."""
    out = "1"
    for k in reversed(kinds):
        out = f"[{out}]" if k == "a" else f"{{ x = {out} }}"
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("at"), min_size=0, max_size=3000), st.sampled_from(["", "# [[[[\n", 'k = "[[[["\n']))
def test_any_nesting_is_read_or_refused_with_its_line_never_a_crash(kinds, before):
    problems: list = []
    data = parse_toml(f"{before}value = {nested(kinds)}\n", "guideline.toml", problems, allowed="a manifest")
    if len(kinds) <= MAX_TOML_DEPTH:
        assert data is not None and not problems  # brackets inside comments and strings are not nesting
    else:
        assert data is None and problems[0].line == 1 + before.count("\n") and "nested more than" in problems[0].message


def test_a_manifest_nested_thousands_deep_is_a_located_error_on_every_command(tmp_path, capsys):
    root = tmp_path / "g"
    shutil.copytree(EXAMPLE, root)
    text = (root / "guideline.toml").read_text(encoding="utf-8")
    (root / "guideline.toml").write_text(text + f"\n[report]\nextra = {nested(['a'] * 5000)}\n", encoding="utf-8")
    for argv in (["validate"], ["reproduce"], ["audit"], ["scheme"], ["site", str(tmp_path / "site")]):
        capsys.readouterr()
        assert main([*argv, "--root", str(root)]) == 2, argv
        err = capsys.readouterr().err
        assert "guideline.toml, line" in err and "nested more than" in err and "Traceback" not in err


def test_a_scheme_file_nested_thousands_deep_is_a_located_error(tmp_path, capsys):
    scheme = tmp_path / "deep.toml"
    scheme.write_text((EXAMPLE / "scheme.toml").read_text(encoding="utf-8") + f"\nx = {nested(['t'] * 4000)}\n",
                      encoding="utf-8")
    for argv in (["scheme", "--scheme", str(scheme)], ["reproduce", "--root", str(EXAMPLE), "--scheme", str(scheme)]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "deep.toml, line" in err and "nested more than" in err and "Traceback" not in err
