"""A recommendation's text names its strength ("Det anbefales (moderat grad)"); it must name the recorded one."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, copy_guideline, record, scheme
from grading import revisions as R
from grading.analyses.audit import audit
from grading.analyses.wording import check_wording, stated_strengths, wording_problems
from grading.cli import main
from grading.errors import ValidationError
from grading.io.guideline import load_guideline
from grading.scheme import load_scheme

NORWAY = scheme()


def test_the_published_texts_all_name_the_strength_recorded_for_them():
    g = load_guideline(REPO)
    checked = [w for w in (check_wording(r, g.scheme) for r in g.records) if w is not None]
    # 61 of 67 texts name a strength; the five 6.3.2 rows after the first share its range in a separate cell,
    # and the two ungraded statements name none.
    assert len(checked) == 61
    assert wording_problems(g.records, g.scheme) == []
    silent = {r.id for r in g.records} - {w.recommendation_id for w in checked}
    assert silent == {"6.3.2-02", "6.3.2-03", "6.3.2-04", "6.3.2-05", "6.3.3-02", "7.1.3-01"}


@pytest.mark.parametrize("text, stated", [
    ("Det anbefales (moderat grad) inspeksjon av gange", ["moderate"]),
    ("Anbefales (sterk/moderat grad) utført ved utstrålende smerte.", ["strong/moderate"]),
    ("Det anbefales (sterk til moderat grad) ikke radiologisk utredning", ["strong/moderate"]),
    ("Det gis moderat/sterk anbefaling om vanligvis ikke å henvise", ["moderate/strong"]),
    ("anbefales (i moderat/svak grad) radiologisk utredning", ["moderate/weak"]),
    ("Traksjon kan ikke anbefales som behandling", ["not_recommended"]),
    ("Traksjon kan ikke anbefales (sterk grad).", ["strong"]),  # a grade beside 'anbefales ikke' names the grade
    ("Det er ikke grunnlag for å gi anbefaling om manipulasjon,", ["no_basis"]),
    ("symptomer hos pasienter med veldig sterke smerter", []),  # 'sterke' is not 'sterk grad'
])
def test_the_schemes_wording_names_strengths_and_ranges(text, stated):
    assert [v for v, _ in stated_strengths(text, NORWAY)] == stated


def test_anbefales_ikke_alone_agrees_with_a_strong_or_moderate_strength_against():
    # 6.3.2-06 myelography: "anbefales ikke som primærundersøkelse", printed sterk til moderat grad.
    rec = record(id="6.3.2-06", strength="strong/moderate", direction="against",
                 text="Myelografi anbefales ikke som primærundersøkelse")
    assert check_wording(rec, NORWAY).agrees
    assert not check_wording(rec.but(published_strength="weak"), NORWAY).agrees


def test_a_text_whose_wording_disagrees_with_its_strength_is_found():
    rec = record(id="7.1.1-10", strength="weak", text="Manipulasjonsbehandling anbefales (sterk grad) for å redusere "
                                                      "smerte")
    w = check_wording(rec, NORWAY)
    assert not w.agrees and w.stated == ("strong",) and w.phrases == ("sterk grad",)
    assert w.because == "the text says 'sterk grad' (strong) but the recorded strength is weak."


def test_a_revised_strength_left_beside_the_old_wording_is_reported_by_validate_and_audit(tmp_path, capsys):
    g = load_guideline(copy_guideline(tmp_path / "g"))
    R.save_revision(g, R.new_revision(g.scheme, "7.1.1-10", "Kari Nordmann", "the trials are of unclear quality",
                                      {}, published_strength="weak"))
    assert main(["validate", "--root", str(g.root)]) == 0
    captured = capsys.readouterr()
    assert ("warning: 7.1.1-10: the text says 'sterk grad' (strong) but the recorded strength is weak. "
            "(WORDING-STATES-STRENGTH)") in captured.err
    assert "1 disagree with the recorded one" in captured.out
    (f,) = [f for f in audit(g) if f.kind == "strength_wording"]
    assert f.subject == "7.1.1-10"
    # The same revision with the wording revised too: text and strength agree again.
    text = g.recommendation("7.1.1-10").text.replace("(sterk grad)", "(svak grad)")
    R.save_revision(g, R.new_revision(g.scheme, "7.1.1-10", "Kari Nordmann", "the wording follows the strength",
                                      {}, text=text, created="2099-01-01T00:00:00Z"))
    revised = R.apply_revisions(g)
    assert revised.guideline.recommendation("7.1.1-10").text == text
    assert [f for f in audit(g) if f.kind == "strength_wording"] == []


def test_a_hand_written_revision_with_an_empty_text_is_a_located_error(tmp_path):
    g = load_guideline(copy_guideline(tmp_path / "g"))
    path = R.save_revision(g, R.new_revision(g.scheme, "7.1.1-10", "Kari Nordmann", "lower it", {},
                                             published_strength="weak", text="Manipulasjon anbefales (svak grad)."))
    assert json.loads(path.read_text(encoding="utf-8"))["text"] == "Manipulasjon anbefales (svak grad)."
    path.write_text(path.read_text(encoding="utf-8").replace('"Manipulasjon anbefales (svak grad)."', '""'),
                    encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        R.load_revisions(g.root, g.scheme)
    (p,) = e.value.problems
    assert p.file.endswith(path.name) and "field 'text' must be the revised wording" in p.message


def test_a_scheme_whose_wording_is_not_a_list_of_phrases_is_a_located_error(tmp_path):
    text = (REPO / "src/grading/scheme/bundled/norway-2007.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('wording = ["svak grad", "svak anbefaling"]', 'wording = "svak grad"')
                   .replace("agreement_share = 0.70", "agreement_share = 70"), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_scheme(bad)
    messages = [str(p) for p in e.value.problems]
    assert any("strengths[3].wording must be a list of phrases" in m for m in messages)
    assert any("choices.agreement_share: a share must lie between 0 and 1; found '70'" in m for m in messages)
