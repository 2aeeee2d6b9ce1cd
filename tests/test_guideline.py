"""Loading a whole guideline folder: cross-table checks reported together, in one pass."""

import pytest

from conftest import REPO, bib_text, ev, rec
from grading import ValidationError, load_guideline


def errors(e: ValidationError):
    """The errors of a ValidationError (a folder without guideline.toml also gets a notice)."""
    return [p for p in e.problems if p.severity == "error"]


def test_bundled_guideline_loads_clean():
    g = load_guideline(REPO)
    assert len(g.recommendations) >= 60 and len(g.evidence) >= 200
    assert not [p for p in g.notices if p.severity == "error"]
    assert set(g.evidence["recommendation_id"]) <= set(g.recommendations["id"])


def test_every_row_names_its_seed_lines():
    g = load_guideline(REPO)
    assert (g.recommendations["seed_lines"] != "").all()
    assert (g.evidence["seed_lines"] != "").all()


def test_levels_are_empty_where_the_source_prints_none():
    # 7.1.1 and 7.1.2 lost their level column: the published level must stay empty there.
    g = load_guideline(REPO)
    recs = g.recommendations
    assert (recs.loc[recs["section"].isin(["7.1.1", "7.1.2"]), "published_level"] == "").all()


def test_all_problems_are_reported_in_one_pass(make_guideline):
    root = make_guideline(
        recs=[rec(), rec(), rec(id="6.2-01", level="4")],
        evidence=[ev(), ev(rid="9.9-01"), ev(reference="999")],
        bib=bib_text([91]))
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    kinds = {(p.file, p.column) for p in errors(e.value)}
    assert kinds == {("evidence/recommendations.csv", "published_level"), ("evidence/recommendations.csv", "id"),
                     ("evidence/evidence.csv", "recommendation_id"), ("evidence/evidence.csv", "reference")}


def test_citing_a_reference_absent_from_the_bib(make_guideline):
    root = make_guideline(evidence=[ev(reference="321")], bib=bib_text([4]))
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = errors(e.value)
    assert (p.line, p.column, p.found) == (2, "reference", "321") and "references.bib" in p.message


def test_a_bib_that_does_not_parse_is_reported_with_its_line(make_guideline):
    root = make_guideline(bib=bib_text([91]).replace("refnumber = {91},", "refnumber = {91}"))
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    assert any(p.file == "references.bib" and p.line for p in e.value.problems)


def test_a_missing_folder_or_file_is_named(tmp_path):
    with pytest.raises(ValidationError) as e:
        load_guideline(tmp_path)
    assert {p.file for p in errors(e.value)} == {"references.bib", "evidence/recommendations.csv",
                                                   "evidence/evidence.csv"}


def test_a_copy_of_the_bibliography_with_other_numbers_looks_its_cells_up_afresh():
    # key_of remembers what each reference cell named; a copy with other numbers must not inherit that memory.
    from dataclasses import replace
    bib = load_guideline(REPO).bibliography
    assert bib.key_of("4") == "ref004" and bib.key_of(" 4 ") == "ref004" and bib.key_of("REF004") == "ref004"
    renumbered = replace(bib, by_number={4: "ref005"})
    assert renumbered.key_of("4") == "ref005"
    assert bib.key_of("4") == "ref004"
    assert bib.key_of("no-such-key") is None and bib.key_of("") is None


def test_the_number_of_a_reference_cell_is_the_same_asked_again_and_in_a_regraded_copy():
    g = load_guideline(REPO)
    first = [g.number_of(r) for r in g.evidence["reference"] if r]
    assert first == [g.number_of(r) for r in g.evidence["reference"] if r]
    copy = g.with_scheme(g.scheme.but(unclear_quality_is_good=True))
    assert [copy.number_of(r) for r in copy.evidence["reference"] if r] == first
    assert g.number_of("4") == 4 and g.number_of("no-such-key") is None
