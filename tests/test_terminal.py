"""What a terminal shows: a command never crashes on a terminal that cannot show a character or on a shell left in
a deleted folder, and no field of the data can forge a line of its own or drive the terminal (issue 24)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import REPO
from grading.cli import main


def run(*args, cwd=None, env=None):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GRADING_CACHE_DIR": os.environ.get(
        "GRADING_CACHE_DIR", "")}
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=cwd, capture_output=True, timeout=180,
                          env={k: v for k, v in {**base, **(env or {})}.items() if v})


def test_a_latin1_terminal_gets_every_command_without_a_crash(tmp_path):
    env = {"PYTHONIOENCODING": "latin-1"}
    done = run("validate", "--root", str(REPO), env=env)
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert b"valid \\u2014 67 recommendations" in done.stdout  # the em dash escaped, not a UnicodeEncodeError
    done = run("new", str(tmp_path / "g"), env=env)
    assert done.returncode == 0 and b"Traceback" not in done.stderr and (tmp_path / "g" / "guideline.toml").is_file()
    done = run("reproduce", "--root", str(REPO), env=env)
    assert done.returncode == 0 and "Lærum".encode("latin-1") not in b"Traceback" and b"Traceback" not in done.stderr


def test_a_shell_left_in_a_deleted_folder_gets_a_clear_error(tmp_path):
    script = ("import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); from grading.cli import main; "
              "sys.exit(main(sys.argv[2:]))")
    for argv in (["validate"], ["new", "somewhere"]):
        gone = tmp_path / "gone"
        gone.mkdir()
        done = subprocess.run([sys.executable, "-c", script, str(gone), *argv], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, done.stderr
        assert "the current folder no longer exists" in done.stderr and "Traceback" not in done.stderr


def test_a_member_name_holding_a_line_break_never_forges_a_line_of_its_own(tmp_path, capsys):
    root = tmp_path / "g"
    shutil.copytree(REPO / "docs" / "examples" / "neck-pain", root)
    assert main(["vote", "4.1-01", "--member", "Kari\nerror: forged line", "--validity", "yes", "--applicability",
                 "yes", "--benefit-harm", "yes", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert not any(line.startswith("error: forged") for line in err.splitlines())  # indented as part of the error


def test_the_closing_line_of_site_and_export_cannot_drive_the_terminal(tmp_path, capsys):
    root = tmp_path / "g"
    shutil.copytree(REPO / "docs" / "examples" / "neck-pain", root)
    scheme = (root / "scheme.toml").read_text(encoding="utf-8")
    (root / "scheme.toml").write_text(scheme.replace('name = "neck-pain-example"',
                                                     'name = "neck\\u001b]0;pwned\\u0007\\nforged"'),
                                      encoding="utf-8")
    for argv in (["site", str(tmp_path / "site")], ["export", "--format", "json", str(tmp_path / "g.json")]):
        capsys.readouterr()
        assert main([*argv, "--root", str(root)]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\\u001b" in out
        assert len(out.strip().splitlines()) == 1  # one line, whatever the scheme's name holds


def test_a_plot_of_a_scheme_named_with_control_characters_warns_of_no_missing_glyph(tmp_path, recwarn):
    import warnings

    from grading.io.guideline import load_guideline
    from grading.render.plots import evidence_map
    root = tmp_path / "g"
    shutil.copytree(REPO / "docs" / "examples" / "neck-pain", root)
    scheme = (root / "scheme.toml").read_text(encoding="utf-8")
    (root / "scheme.toml").write_text(scheme.replace('name = "neck-pain-example"', 'name = "neck\\u001b]0;x\\u0007"'),
                                      encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would be a warning printing the raw character
        fig = evidence_map(load_guideline(root))
        fig.savefig(tmp_path / "map.png")
