"""A new study's impact on the bundled guideline, and bad new-study folders."""

import shutil

import pytest

from conftest import REPO
from grading import ValidationError, load_guideline
from grading.analyses.impact import impact, load_new_study, matched

EXAMPLE = REPO / "docs" / "examples" / "new-study"


def test_a_good_acupuncture_trial_would_lift_chronic_acupuncture_to_its_published_strength():
    g = load_guideline(REPO)
    moved = {i.recommendation_id: i for i in impact(g, load_new_study(EXAMPLE))}
    acu = moved["7.1.1-27"]  # "Akupunktur anbefales (moderat grad)" for langvarige smerter
    assert (acu.before.derived_level, acu.after.derived_level) == ("*", "**")
    assert (acu.before.comparison.verdict, acu.after.comparison.verdict) == ("stronger_than_evidence", "agree")
    assert "L-GOOD" in acu.describe()


def test_appraisal_rows_match_by_topic_phase_and_group():
    ids = matched(load_guideline(REPO), load_new_study(EXAMPLE))
    assert "7.1.1-27" in ids and "7.1.1-26" not in ids  # chronic, not acute, acupuncture
    assert "7.2.1-04" not in ids  # manipulation in sciatica is another diagnostic group


def test_a_bad_appraisal_is_a_located_error(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "s")
    path = tmp_path / "s" / "appraisal.csv"
    path.write_text(path.read_text().replace(",rct,good,", ",trial,good,"), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_new_study(tmp_path / "s")
    (p,) = e.value.problems
    assert (p.file, p.column, p.found, p.line) == ("appraisal.csv", "design", "trial", 2)


def test_a_missing_study_file_is_named(tmp_path):
    with pytest.raises(ValidationError) as e:
        load_new_study(tmp_path)
    assert {p.file.rsplit("/", 1)[1] for p in e.value.problems} == {"study.bib", "appraisal.csv"}
