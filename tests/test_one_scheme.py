"""One scheme object grades everything: a modified copy of the 2007 scheme is followed by every output, and named."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from grading import (
    audit,
    crosswalk_frame,
    fragility_all,
    impact,
    load_guideline,
    load_new_study,
    load_scheme,
    reproduce,
)
from grading.cli import main

STRICT = "norway-2007 (named by guideline.toml)"
LENIENT = "norway-2007 (named by guideline.toml; modified: unclear_quality_is_good = true)"
# 7.1.1-10, spinal manipulation in acute pain, rests on the European guidelines (4; 321) and two RCTs whose
# quality the text does not state: the 2007 scheme read strictly derives *, read leniently more.
MANIPULATION = "7.1.1-10"


@pytest.fixture(scope="module")
def both():
    strict = load_guideline(REPO)
    return strict, strict.with_scheme(strict.scheme.but(unclear_quality_is_good=True))


@pytest.fixture(scope="module")
def lenient_file(tmp_path_factory):
    text = (REPO / "src/grading/scheme/bundled/norway-2007.toml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("scheme") / "lenient.toml"
    path.write_text(text.replace('name = "norway-2007"', 'name = "lenient-2007"')
                    .replace("unclear_quality_is_good = false", "unclear_quality_is_good = true"), encoding="utf-8")
    return path


def level_of(gradings, rid):
    return next(g for g in gradings if g.id == rid).derived_level


def test_a_modified_copy_is_its_own_object_and_says_what_it_changed(both):
    strict, lenient = both
    assert strict.scheme.reading == "named by guideline.toml" and lenient.scheme.describe() == LENIENT
    assert strict.scheme.choices.unclear_quality_is_good is False  # the original is untouched


def test_reproduce_follows_the_modified_scheme_and_names_it(both):
    strict, lenient = both
    a, b = reproduce(strict), reproduce(lenient)
    assert level_of(a, MANIPULATION) == "*" and level_of(b, MANIPULATION) in ("**", "***")
    assert {g.scheme for g in a} == {STRICT} and {g.scheme for g in b} == {LENIENT}


def test_audit_fragility_impact_and_crosswalk_follow_it(both):
    strict, lenient = both
    # What holds under every reading does not depend on the reading; what the default reading says does.
    assert {(f.kind, f.subject, f.detail) for f in audit(strict)} != {(f.kind, f.subject, f.detail)
                                                                      for f in audit(lenient)}
    fa, fb = fragility_all(strict), fragility_all(lenient)
    # Fragility sets the printed level aside, and says so beside the lenient reading.
    assert [f.changes for f in fa] != [f.changes for f in fb]
    assert {f.scheme for f in fb} == {"norway-2007 (named by guideline.toml; modified: unclear_quality_is_good = "
                                      "true, printed_level_first = false)"}
    study = load_new_study(REPO / "docs/examples/new-study")
    moved_a, moved_b = impact(strict, study), impact(lenient, study)
    assert [(i.recommendation_id, i.after.derived_level) for i in moved_a] != \
        [(i.recommendation_id, i.after.derived_level) for i in moved_b]
    assert all(i.after.scheme == LENIENT for i in moved_b)
    frame = crosswalk_frame(lenient, lenient.scheme)
    assert frame.set_index("id").loc[MANIPULATION, "level"] == level_of(reproduce(lenient), MANIPULATION)
    assert set(frame["scheme"]) == {LENIENT}


def test_the_notebook_back_ends_follow_it(both):
    from grading import explore, plots
    strict, lenient = both
    table = explore.browse(lenient)
    assert table.loc[MANIPULATION, "derived_level"] == level_of(reproduce(lenient), MANIPULATION)
    assert LENIENT in explore.view(lenient, MANIPULATION).as_text()
    assert LENIENT in plots.evidence_map(lenient).axes[0].get_title()
    assert LENIENT in plots.agreement_plot(reproduce(lenient), lenient.scheme).texts[0].get_text()


def test_the_revise_panel_follows_it(both, tmp_path):
    from grading import revise_panel
    _, lenient = both
    panel = revise_panel(lenient, MANIPULATION)
    shown = panel.graded_by.value  # the scheme and what its copy changed; the app names no file
    assert "<b>norway-2007: " in shown and "(modified: unclear_quality_is_good = true)</b>" in shown
    assert f"<b>{level_of(reproduce(lenient), MANIPULATION)}</b>" in panel.derived_level.value


def test_every_command_takes_scheme_and_names_it(lenient_file, tmp_path, capsys):
    scheme = ["--scheme", str(lenient_file), "--root", str(REPO)]
    assert main(["reproduce", "--format", "json", *scheme]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[MANIPULATION]["derived_level"] != "*" and rows[MANIPULATION]["scheme"] == \
        f"lenient-2007 ({lenient_file}, given with --scheme)"
    for command in (["reproduce"], ["audit"], ["audit", "--fragility"], ["validate"],
                    ["impact", str(REPO / "docs/examples/new-study")]):
        assert main([*command, *scheme]) == 0
        captured = capsys.readouterr()
        assert "lenient-2007" in captured.out + captured.err, command
    out = tmp_path / "report.html"
    assert main(["report", "--output", str(out), *scheme]) == 0
    assert "lenient-2007" in out.read_text(encoding="utf-8")
    assert main(["scheme", "--scheme", str(lenient_file)]) == 0
    assert "unclear_quality_is_good        true" in capsys.readouterr().out


def test_a_missing_or_malformed_scheme_is_a_located_error(tmp_path, capsys):
    for command in (["reproduce"], ["audit"], ["audit", "--fragility"], ["report", "--output", str(tmp_path / "r")]):
        assert main([*command, "--scheme", str(tmp_path / "nope.toml"), "--root", str(REPO)]) == 2
        assert "no such scheme file" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[choices\n', encoding="utf-8")
    assert main(["audit", "--fragility", "--scheme", str(bad), "--root", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml, line 2" in err and "Traceback" not in err


def test_every_interpretive_choice_is_declared_in_the_scheme_file():
    from grading.scheme import Choices
    scheme = load_scheme("norway-2007")
    text = (REPO / "src/grading/scheme/bundled/norway-2007.toml").read_text(encoding="utf-8")
    assert all(f"\n{name} = " in text for name in Choices.names())
    assert scheme.choices == load_scheme(scheme.path).choices
