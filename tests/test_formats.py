"""One registry of output formats (render/formats.py): the command line's --format choices come from it, and every
format of every command writes through it."""

from __future__ import annotations

import argparse
import json

import pytest

from conftest import REPO
from grading.cli import main, parser
from grading.render.formats import FORMATS, formats, writer

NEW_STUDY = REPO / "docs" / "examples" / "new-study"
NEW_STUDIES = REPO / "docs" / "examples" / "new-studies"  # a batch: studies.ris and appraisal.csv keyed by record


def format_choices() -> dict[str, tuple[str, ...]]:
    """Each subcommand's --format choices, as the parser offers them."""
    (commands,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: tuple(a.choices) for name, sp in commands.choices.items() for a in sp._actions
            if a.dest == "format" and a.choices}


def test_the_command_lines_choices_are_the_registrys():
    choices = format_choices()
    assert choices == {command: formats(command) for command in FORMATS if command not in ("fragility", "impact-batch")}
    assert formats("fragility") == formats("audit")  # `grading audit --fragility --format ...`
    assert formats("impact-batch") == formats("impact")  # `grading impact FILE --appraisal CSV --format ...`


def argv(command: str, fmt: str, tmp_path) -> list[str]:
    root = ["--root", str(REPO)]
    return {
        "reproduce": ["reproduce", *root],
        "audit": ["audit", *root],
        "fragility": ["audit", "--fragility", *root],
        "impact": ["impact", str(NEW_STUDY), *root],
        "impact-batch": ["impact", str(NEW_STUDIES / "studies.ris"), "--appraisal", str(NEW_STUDIES / "appraisal.csv"),
                         *root],
        "crosswalk": ["crosswalk", *root],
        "references": ["references", *root],
        "changes": ["changes", *root],
        "scheme": ["scheme", *root],
        "report": ["report", "--output", str(tmp_path / f"report.{fmt}"), *root],
        "export": ["export", str(tmp_path / f"export.{fmt}"), *root],
        "appraisals": ["appraisals", *root],
        "etd": ["etd", *root],
    }[command] + ["--format", fmt]


@pytest.mark.parametrize("command,fmt", [(c, f) for c, found in FORMATS.items() for f in found])
def test_every_registered_format_of_every_command_runs_on_the_bundled_guideline(command, fmt, tmp_path, capsys):
    assert main(argv(command, fmt, tmp_path)) == 0
    out = capsys.readouterr().out
    if command in ("report", "export"):
        written = next(tmp_path.iterdir())
        assert f"wrote {written}" in out and written.stat().st_size > 0
        text = written.read_text(encoding="utf-8")
    else:
        text = out
        assert out.endswith("\n")
    if fmt in ("json", "fhir"):
        json.loads(text)
    elif fmt == "html":
        assert "</html>" in text.lower()
    else:
        assert text.strip()


def test_an_output_is_what_its_writer_gives(capsys):
    from grading import load_guideline, reproduce
    from grading.render.text import gradings_table
    assert main(["reproduce", "--root", str(REPO)]) == 0
    assert capsys.readouterr().out == gradings_table(reproduce(load_guideline(REPO))) + "\n"


def test_an_unknown_format_is_named_with_the_allowed_ones():
    from grading.errors import UnknownValueError
    with pytest.raises(UnknownValueError) as e:
        writer("reproduce", "csv")
    assert "'table', 'json'" in str(e.value)


def test_grading_reproduce_loads_no_writer_it_does_not_use():
    import subprocess
    import sys
    code = ("import contextlib, io, sys\nfrom grading.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):"
            f"\n    main(['reproduce', '--root', {str(REPO)!r}])\nprint(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                                check=True).stdout.split())
    assert "grading.render.formats" in loaded
    assert not loaded & {"grading.render.report", "grading.render.export", "grading.render.references",
                         "grading.render.changes", "grading.analyses.audit", "grading.analyses.agreement"}
