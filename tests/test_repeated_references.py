"""A reference cited twice for one recommendation is one study: a located warning, and grading counts it once.

The guideline case: a copy of the bundled guideline in which 7.1.1-18's row citing 4 (a good guideline: with one
more good design, L-VERY-GOOD's `good_design = 2` would make ***) is repeated — as `4` again, or as `ref004`, the
key of the entry whose refnumber is 4. Its derived level must stay **, as without the repeat.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, copy_guideline, ev, rec, scheme
from grading import revisions as R
from grading.cli import main
from grading.io.guideline import load_guideline
from grading.io.tables import once_per_reference, read_table, repeated_reference_problems

NORWAY = scheme()
EVIDENCE = "evidence/evidence.csv"


def repeat_row(root: Path, rid: str, reference: str, as_: str) -> int:
    """Insert, right after the row of `rid` citing `reference`, a copy citing `as_`; return the copy's line."""
    path = root / EVIDENCE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith(f"{rid},{reference},"))
    lines.insert(n + 1, lines[n].replace(f"{rid},{reference},", f"{rid},{as_},", 1))
    path.write_text("".join(lines), encoding="utf-8")
    return n + 2


def reproduced(root: Path, capsys) -> dict[str, dict]:
    assert main(["reproduce", "--format", "json", "--root", str(root)]) == 0
    return {g["id"]: g for g in json.loads(capsys.readouterr().out)}


def test_the_bundled_guideline_cites_no_reference_twice_for_one_recommendation():
    g = load_guideline(REPO)
    assert repeated_reference_problems(g.evidence, g.key_of, EVIDENCE) == []
    assert not [p for p in g.notices if "twice" in p.message]


@pytest.mark.parametrize("as_", ["4", "ref004", "REF004"])
def test_a_repeated_row_counts_once_when_grading(tmp_path, capsys, as_):
    published = reproduced(REPO, capsys)
    assert published["7.1.1-18"]["derived_level"] == "**"
    root = copy_guideline(tmp_path / "guideline")
    repeat_row(root, "7.1.1-18", "4", as_)
    g = load_guideline(root)
    assert len(g.evidence[g.evidence["recommendation_id"] == "7.1.1-18"]) == 3  # the table keeps every row
    assert [s.reference for s in g.studies("7.1.1-18")] == [4, 185]  # grading gets one row per reference
    repeated = reproduced(root, capsys)
    assert repeated["7.1.1-18"]["derived_level"] == "**"
    assert repeated == published  # nothing else moves either


def test_validate_warns_with_the_row_and_the_first_one_and_still_loads(tmp_path, capsys):
    root = copy_guideline(tmp_path / "guideline")
    line = repeat_row(root, "7.1.1-18", "4", "ref004")
    assert main(["validate", "--root", str(root)]) == 0
    err = capsys.readouterr().err
    assert (f"warning: {EVIDENCE}, line {line} (row {line - 1}), column reference: 7.1.1-18 cites this reference "
            f"twice (first on line {line - 1} as '4'): grading counts the first row only; found 'ref004'; "
            "allowed: each reference once per recommendation") in err
    (p,) = [p for p in load_guideline(root).notices if "twice" in p.message]
    assert (p.severity, p.file, p.line, p.row, p.column, p.found) == ("warning", EVIDENCE, line, line - 1,
                                                                       "reference", "ref004")


def test_consensus_rows_and_other_recommendations_are_no_repeats(make_guideline):
    root = make_guideline(recs=[rec("7.1.3-01"), rec("7.1.3-02")],
                          evidence=[ev("7.1.3-01", reference="", design="consensus"),
                                    ev("7.1.3-01", reference="", design="consensus"),
                                    ev("7.1.3-01", reference="91"), ev("7.1.3-02", reference="91")])
    g = load_guideline(root)
    assert not [p for p in g.notices if "twice" in p.message]
    assert len(g.studies("7.1.3-01")) == 3 and len(g.studies("7.1.3-02")) == 1


def test_the_first_row_is_the_one_kept(make_guideline):
    root = make_guideline(recs=[rec("7.1.3-01")],
                          evidence=[ev("7.1.3-01", reference="91", quality="poor"),
                                    ev("7.1.3-01", reference="92", quality="good"),
                                    ev("7.1.3-01", reference="91", quality="good")])
    g = load_guideline(root)
    assert [(s.reference, s.quality) for s in g.studies("7.1.3-01")] == [(91, "poor"), (92, "good")]
    frame, _ = read_table(root / EVIDENCE)
    assert frame is not None
    assert list(once_per_reference(frame, g.key_of)["_line"]) == [2, 3]


def test_a_revision_adding_a_reference_already_cited_counts_it_once(tmp_path, capsys):
    g = load_guideline(copy_guideline(tmp_path / "guideline"))
    again = next(r for r in R.rows_of(g, "7.1.1-18") if r["reference"] == "4")
    revision = R.new_revision(NORWAY, "7.1.1-18", "Kari Nordmann", "the review, cited by its key",
                              {}, [R.Change("add", None, dict(again, reference="ref004"))])
    # Before it is saved (the Revise panel's preview) and once saved and applied: one study per reference.
    grading, conflicts = R.preview(R.apply_revisions(g), revision)
    assert not conflicts and grading.derived_level == "**"
    R.save_revision(g, revision)
    revised = R.apply_revisions(g)
    assert len(R.rows_of(revised.guideline, "7.1.1-18")) == 3
    assert [s.reference for s in revised.guideline.studies("7.1.1-18")] == [4, 185]
    (d,) = [d for d in R.diff(revised) if d.id == "7.1.1-18"]
    assert d.revised.derived_level == d.published.derived_level == "**"
