"""Grading schemes as data: the bundled scheme files, a malformed one, and the crosswalk between schemes."""

import pytest

from conftest import REPO
from grading import ValidationError, load_guideline
from grading.analyses.crosswalk import NOTE, crosswalk, crosswalk_frame
from grading.grade import Study, derive_level
from grading.scheme import load_scheme

NORWAY = load_scheme("norway-2007")
LEVELS, RULES = NORWAY.levels, NORWAY.rules


GOOD_RCT = Study("rct", "good", "benefit", 1)
POOR_RCT = Study("rct", "poor", "benefit", 2)


def test_the_2007_scheme_is_read_from_its_file():
    assert NORWAY.path.name == "norway-2007.toml"
    assert [g.code for g in LEVELS] == ["***", "**", "*"]
    assert [g.norwegian for g in LEVELS] == ["Meget god", "God", "Manglende"]
    assert all(r.name in RULES for r in NORWAY.level_rules)


@pytest.mark.parametrize("rows,level", [
    ((GOOD_RCT, Study("rct", "good", "benefit", 3)), "A"),
    ((Study("systematic_review", "good", "benefit", 4),), "A"),
    ((POOR_RCT, Study("rct", "unclear", "benefit", 5)), "B"),
    ((GOOD_RCT,), "C"),
    ((GOOD_RCT, Study("rct", "good", "no_effect", 6)), "C"),
    ((Study("cohort", "good", "benefit", 7), Study("consensus")), "D"),
])
def test_cost_b13_levels_for_therapy(rows, level):
    assert derive_level(rows, load_scheme("cost-b13")).value == level


@pytest.mark.parametrize("rows,certainty", [
    ((GOOD_RCT,), "high"),
    ((POOR_RCT,), "moderate"),
    ((GOOD_RCT, Study("rct", "good", "no_effect", 3)), "moderate"),
    ((Study("cohort", "good", "benefit", 7),), "low"),
    ((Study("guideline", "good", "benefit", 321),), "very_low"),
])
def test_grade_certainty(rows, certainty):
    assert derive_level(rows, load_scheme("grade")).value == certainty


def test_crosswalk_labels_every_grade_as_a_mapping_with_its_rule():
    g = load_guideline(REPO)
    mapped = crosswalk(g, "grade")
    assert len(mapped) == len(g.recommendations)
    assert all(m.note == NOTE and m.level_rule.startswith("GRADE-") for m in mapped)
    by_id = {m.recommendation_id: m for m in mapped}
    assert by_id["7.2.1-04"].strength == "strong against"  # manipulation with progressive deficit
    assert by_id["7.1.1-12"].strength is None  # "no basis": GRADE has no such strength


def test_cost_b13_has_no_strengths_and_says_so():
    frame = crosswalk_frame(load_guideline(REPO), "cost-b13")
    assert frame["strength"].isna().all()
    assert frame["strength_rule"].str.contains("grades evidence only").all()
    assert set(frame["level"]) <= {"A", "B", "C", "D"}


def test_a_malformed_scheme_file_gets_located_errors(tmp_path):
    text = (REPO / "src/grading/scheme/bundled/cost-b13.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('level = "B"', 'level = "E"').replace("trial = 2, quality", "trials = 2, quality"),
                   encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_scheme(bad)
    messages = [str(p) for p in e.value.problems]
    assert any("unknown level" in m and "'E'" in m for m in messages)


def test_a_scheme_file_that_is_not_toml_names_its_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[levels]\ncode = "A"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_scheme(bad)
    (p,) = e.value.problems
    assert p.line == 2 and "not valid TOML" in p.message


def test_an_unknown_scheme_name_lists_the_bundled_ones():
    with pytest.raises(ValidationError) as e:
        load_scheme("gradepro")
    assert "cost-b13" in str(e.value) and "norway-2007" in str(e.value)


def test_a_working_group_can_grade_by_its_own_copy_of_the_scheme(tmp_path):
    from grading import reproduce
    from grading.grade import summary
    text = (REPO / "src/grading/scheme/bundled/norway-2007.toml").read_text(encoding="utf-8")
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(text.replace("unclear_quality_is_good = false", "unclear_quality_is_good = true"),
                       encoding="utf-8")
    g = load_guideline(REPO)
    default, own = reproduce(g), reproduce(g, scheme=load_scheme(lenient))
    by_id = {x.id: x for x in own}
    # 7.1.1-10 acute manipulation rests on the European guidelines (4; 321), quality not stated in the text.
    assert next(x for x in default if x.id == "7.1.1-10").derived_level == "*"
    assert by_id["7.1.1-10"].derived_level in ("**", "***")
    assert summary(own) != summary(default)


def test_a_scheme_without_strengths_cannot_reproduce_and_says_why(capsys):
    from grading.cli import main
    assert main(["reproduce", "--scheme", "cost-b13", "--root", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "no [ladder]" in err and "grading crosswalk" in err and "found '***'" in err


def test_a_decision_under_another_scheme_explains_itself_by_that_schemes_rule():
    d = derive_level((GOOD_RCT,), load_scheme("cost-b13"))
    assert d.explain().startswith("C by COST-C (C: one RCT of any quality")


def test_what_is_worked_out_from_a_scheme_is_kept_with_that_object_and_a_modified_copy_builds_its_own():
    import pickle

    from grading.analyses.wording import stated_strengths
    from grading.grade.counts import compiled
    scheme = load_scheme("norway-2007")
    assert compiled(scheme) is compiled(scheme)
    lenient = scheme.but(unclear_quality_is_good=True)
    assert compiled(lenient) is not compiled(scheme) and compiled(lenient).scheme is lenient
    assert stated_strengths("Det anbefales med sterk grad", scheme)
    # What was worked out is no field: the scheme still equals a fresh load, and a pickle leaves it behind.
    assert scheme == load_scheme("norway-2007")
    copy = pickle.loads(pickle.dumps(scheme))
    assert copy == scheme and "_worked_out" not in copy.__dict__ and compiled(copy).scheme is copy


def test_a_grade_guideline_crosswalks_into_the_2007_scheme_labelled_as_a_mapping(tmp_path, capsys):
    from grading.cli import main
    folder = tmp_path / "g"
    assert main(["new", str(folder), "--scheme", "grade"]) == 0
    recs = folder / "evidence" / "recommendations.csv"
    text = recs.read_text(encoding="utf-8")
    second = text.splitlines()[1].replace("1.1-01", "1.1-02").replace(",for,conditional,", ",against,strong,")
    recs.write_text(text + second + "\n", encoding="utf-8")
    (m1, m2) = crosswalk(load_guideline(folder), "norway-2007")
    # 1.1-01: one critical outcome, trials, risk of bias serious -> moderate -> ** (publication bias unjudged: the
    # default reading, not serious); conditional for -> the range Moderat to Svak grad
    assert (m1.level, m1.level_rule, m1.strength) == ("**", "LEVEL-FROM-CERTAINTY", "moderate/weak for")
    assert m1.strength_rule == "NORWAY-STRENGTH-MAP" and m1.note == NOTE
    assert m2.strength == "not_recommended against"  # no outcome rows: no certainty, so no level
    assert m2.level == "" and "no outcome" in m2.level_because
    capsys.readouterr()
    assert main(["crosswalk", "--root", str(folder)]) == 0  # the default target is the other model's scheme
    assert "Every norway-2007 grade above is a mapping" in capsys.readouterr().out


def test_a_mapping_to_an_unknown_level_is_a_located_error(tmp_path):
    from grading.errors import GradingError
    text = (REPO / "src/grading/scheme/bundled/norway-2007.toml").read_text(encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(text.replace('very_low = "*"', 'very_low = "****"'), encoding="utf-8")
    with pytest.raises(GradingError) as e:
        load_scheme(path)
    assert "mappings.certainty" in str(e.value) and "****" in str(e.value)
