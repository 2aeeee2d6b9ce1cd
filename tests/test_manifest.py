"""The guideline manifest, guideline.toml: the guideline's own words and vocabularies, its scheme, located errors."""

import subprocess
import sys

import pytest

from conftest import EXAMPLE, REPO, copy_guideline, ev, rec
from grading import ValidationError, load_guideline
from grading.io.manifest import MANIFEST, load_manifest

NECK = """
title = "Neck pain in primary care"
year = 2026
language = "en"
scheme = "norway-2007"

[sections]
"7.1.3" = "Non-specific neck pain: treatment"

[vocabularies]
diagnostic_group = ["non-specific neck pain", "cervical radiculopathy"]
phase = ["acute", "chronic"]
outcomes = ["pain", "disability", "unclear"]
"""


def errors(e):
    return [p for p in e.value.problems if p.severity == "error"]


@pytest.fixture
def neck(make_guideline):
    """A small guideline of one's own: English groups and phases, declared in its manifest."""
    def make(manifest=NECK, **row):
        root = make_guideline(recs=[rec(phase=row.pop("phase", "chronic"),
                                        diagnostic_group=row.pop("group", "non-specific neck pain"), **row)],
                              evidence=[ev(outcomes="pain")])
        (root / MANIFEST).write_text(manifest, encoding="utf-8")
        return root
    return make


def test_the_bundled_manifest_holds_what_was_in_code():
    m = load_guideline(REPO).manifest
    assert m.heading == "Korsryggsmerter – med og uten nerverotaffeksjon (2007)"
    assert m.columns == ("Anbefalinger", "Dokumentasjon", "Nivå på dok.") and m.references_heading == "Referanser"
    assert m.section_title("7.2.1") == "Nerverotaffeksjon: ikke-medikamentell behandling"
    assert m.values("phase") == ("akutt", "subakutt", "langvarig")
    assert m.label("diagnostic_group", "røde flagg") == "red flags"
    assert m.scheme == "norway-2007" and m.citation_style == "vancouver" and m.language == "no"


def test_chronic_is_no_phase_of_the_bundled_guideline(tmp_path):
    root = copy_guideline(tmp_path / "g")
    table = root / "evidence" / "recommendations.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace(",akutt,uspesifikke", ",chronic,uspesifikke", 1), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = errors(e)
    assert (p.file, p.column, p.found) == ("evidence/recommendations.csv", "phase", "chronic")
    assert "akutt, subakutt, langvarig" in p.allowed and "guideline.toml" in p.allowed


def test_a_guideline_of_ones_own_uses_its_own_groups_phases_and_outcomes(neck):
    g = load_guideline(neck(phase="acute/chronic", group="cervical radiculopathy"))
    assert g.manifest.title == "Neck pain in primary care" and not g.notices
    assert g.records[0].phases == ("acute", "chronic")
    with pytest.raises(ValidationError) as e:
        load_guideline(neck(phase="akutt", group="nerverotaffeksjon"))
    assert {(p.column, p.found) for p in errors(e)} == {("phase", "akutt"), ("diagnostic_group", "nerverotaffeksjon")}


def test_outcomes_come_from_the_manifest(neck):
    root = neck()
    table = root / "evidence" / "evidence.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",pain,", ",sick_leave,"), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = errors(e)
    assert (p.column, p.found) == ("outcomes", "sick_leave") and "disability" in p.allowed


def test_a_folder_without_a_manifest_loads_with_neutral_defaults_and_a_notice(make_guideline):
    root = make_guideline(recs=[rec(phase="any phase at all", diagnostic_group="any group")])
    g = load_guideline(root)
    assert g.manifest.title == root.name and g.manifest.path is None and g.scheme.name == "norway-2007"
    (notice,) = g.notices
    assert notice.file == MANIFEST and "neutral defaults" in notice.message and notice.severity == "notice"


def test_the_manifest_names_the_scheme_and_scheme_still_overrides_it(neck, tmp_path):
    example = load_guideline(EXAMPLE)
    assert example.scheme.name == "neck-pain-example"  # a .toml path relative to the guideline's folder
    assert load_guideline(EXAMPLE, scheme="norway-2007").scheme.name == "norway-2007"
    r = subprocess.run([sys.executable, "-m", "grading.cli", "reproduce", "--root", str(EXAMPLE)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Graded by scheme neck-pain-example (scheme.toml, named by guideline.toml)" in r.stdout
    r = subprocess.run([sys.executable, "-m", "grading.cli", "reproduce", "--root", str(EXAMPLE), "--scheme",
                        "norway-2007"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Graded by scheme norway-2007 (given with --scheme)" in r.stdout


def test_optional_columns_may_be_left_out_unless_the_manifest_requires_them(neck, make_guideline):
    g = load_guideline(EXAMPLE)  # its tables have no seed_lines, judgement_note or published_strength_text
    assert set(g.recommendations["seed_lines"]) == {""} and set(g.evidence["seed_lines"]) == {""}
    root = neck(NECK.replace('scheme = "norway-2007"', 'scheme = "norway-2007"\nrequired_columns = ["seed_lines"]'))
    table = root / "evidence" / "evidence.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")  # drop it
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = errors(e)
    assert (p.file, p.column) == ("evidence/evidence.csv", "seed_lines") and "missing" in p.message


@pytest.mark.parametrize("text, line, key, found", [
    ('title = "X"\nyera = 2026\n', 2, "yera", "yera"),
    ('title = "X"\nyear = "2026"\n', 2, "year", "2026"),
    ('title = "X"\n\n[vocabularies]\nphase = ["acute/chronic"]\n', 4, "vocabularies.phase", "acute/chronic"),
    ('title = "X"\n[vocabularies]\ngroup = ["a"]\n', 3, "vocabularies.group", "group"),
    ('title = "X"\nscheme = "norway-2026"\n', 2, "scheme", "norway-2026"),
    ('title = "X"\ncitation_style = "no-such-style"\n', 2, "citation_style", "no-such-style"),
    ('title = "X"\n[sections]\n"4/1" = "A section"\n', 3, "sections.4/1", "4/1 = 'A section'"),
    ('title = "X"\n[report]\ncolumns = ["A", "B"]\n', 3, "report.columns", "['A', 'B']"),
    ('title = "X"\nlicense = "MIT"\n', 2, "license", "license"),
])
def test_a_malformed_manifest_is_a_located_error(make_guideline, text, line, key, found):
    root = make_guideline()
    (root / MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = errors(e)
    assert (p.file, p.line, p.column, p.found) == (MANIFEST, line, key, found) and p.allowed


def test_invalid_toml_names_its_line_and_the_command_exits_2(make_guideline):
    root = make_guideline()
    (root / MANIFEST).write_text('title = "X"\nyear = 2026\nlanguage = en\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "grading.cli", "validate", "--root", str(root)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "error: guideline.toml, line 3: not valid TOML" in r.stderr


def test_a_title_is_required(tmp_path):
    (tmp_path / MANIFEST).write_text('year = 2026\n', encoding="utf-8")
    _, problems = load_manifest(tmp_path)
    (p,) = problems
    assert p.column == "title" and "needs a title" in p.message


def test_a_value_may_carry_an_english_label(tmp_path):
    (tmp_path / MANIFEST).write_text('title = "T"\n[vocabularies.phase]\nakutt = "acute"\nkronisk = "chronic"\n',
                                     encoding="utf-8")
    m, problems = load_manifest(tmp_path)
    assert not problems and m.values("phase") == ("akutt", "kronisk") and m.label("phase", "kronisk") == "chronic"
    assert m.values("diagnostic_group") is None  # no vocabulary: any text
