"""References as reference managers write them: cited by key or by refnumber, numbered by first citation, and
formatted as medicine formats them (Vancouver by default, any CSL style by name)."""

import pytest

from conftest import EXAMPLE, REPO, ev, rec
from grading import ValidationError, audit, load_guideline, reproduce
from grading.analyses import explore
from grading.io.bib import load_bibliography
from grading.render import report
from grading.render.references import format_references, guideline_references, render_references

ZOTERO = """@article{hansen_exercise_2021,
	title = {MRI of the neck during COVID-19 in Norway: a cohort},
	url = {https://doi.org/10.5555/x.2021.1},
	doi = {10.5555/x.2021.1},
	abstract = {An abstract the list does not print.},
	journal = {Journal of Examples},
	author = {Hansen, Kari and Olsen, Per},
	month = feb,
	year = {2014},
	volume = {3},
	pages = {10--19},
	file = {Full Text PDF:/home/me/Zotero/storage/AB12/hansen.pdf:application/pdf},
}

@book{koes_back_2001,
	edition = {2},
	title = {Back pain},
	publisher = {Springer},
	address = {Berlin},
	author = {Koes, Bart},
	year = {2001},
}

@book{koes_revised_2003,
	edition = {Revised},
	title = {Back pain},
	publisher = {Springer},
	author = {Koes, Bart},
	year = {2003},
}

@article{okafor_preprint_2024,
	title = {A preprint without a journal},
	author = {Okafor, Chinedu},
	year = {2024},
}
"""


def errors(e):
    return [p for p in e.value.problems if p.severity == "error"]


@pytest.fixture
def zotero(make_guideline):
    """A guideline whose .bib is a Zotero export (no refnumber, no identification), cited by key."""
    def make(refs=("okafor_preprint_2024", "hansen_exercise_2021", "OKAFOR_preprint_2024")):
        return make_guideline(recs=[rec(id="7.1.3-01"), rec(id="7.1.3-02")],
                              evidence=[ev(rid="7.1.3-01", reference=refs[0]), ev(rid="7.1.3-01", reference=refs[1]),
                                        ev(rid="7.1.3-02", reference=refs[2])],
                              bib=ZOTERO)
    return make


def test_keys_are_cited_and_numbered_in_order_of_first_citation(zotero):
    g = load_guideline(zotero())
    assert g.numbered_by == "first citation"
    assert dict(g.numbering) == {1: "okafor_preprint_2024", 2: "hansen_exercise_2021", 3: "koes_back_2001",
                                 4: "koes_revised_2003"}  # cited first, then the rest in the file's order
    assert g.cited("7.1.3-01") == (1, 2) and g.cited("7.1.3-02") == (1,)  # a key's case does not matter
    assert [s.reference for s in g.studies("7.1.3-01")] == [1, 2]
    assert reproduce(g)[0].references == (1, 2)


def test_a_key_not_in_the_bib_is_a_located_error_naming_the_nearest_key(zotero):
    with pytest.raises(ValidationError) as e:
        load_guideline(zotero(("okafor_preprint_2042", "hansen_exercise_2021", "3")))
    first, second = errors(e)
    assert (first.file, first.line, first.column, first.found) == ("evidence/evidence.csv", 2, "reference",
                                                                  "okafor_preprint_2042")
    assert "is it 'okafor_preprint_2024'?" in first.allowed
    assert second.found == "3" and "no entry of this .bib carries a refnumber" in second.allowed


def test_the_bundled_guideline_cites_by_refnumber_and_keeps_its_numbers():
    g = load_guideline(REPO)
    assert g.numbered_by == "refnumber" and sorted(g.cited("6.2-02")) == [5, 169, 213, 215, 224, 300, 321]
    assert g.key_of("321") == "ref321" and g.key_of("REF321") == "ref321" and g.number_of("ref321") == 321


def test_an_entry_without_identification_is_an_ordinary_reference_shown_as_itself(zotero):
    g = load_guideline(zotero())
    refs = guideline_references(g)
    assert all(r.status == "" and "unresolved" not in r.note for r in refs)
    assert not [f for f in audit(g) if f.kind in ("unresolved_reference", "likely_reference")]
    view = explore.view(g, "7.1.3-01").as_text()
    assert "References (2 cited):" in view and "ref 1 (okafor_preprint_2024)" in view


def test_vancouver_keeps_title_case_prints_the_month_and_links_a_doi_once(zotero):
    g = load_guideline(zotero())
    hansen = guideline_references(g, [2])[0]
    assert hansen.text == ("Hansen K, Olsen P. MRI of the neck during COVID-19 in Norway: a cohort. Journal of "
                           "Examples. 2014 Feb;3:10–9.")
    assert hansen.links == ("https://doi.org/10.5555/x.2021.1",)  # the url is the DOI's own address
    assert "abstract" not in hansen.text.lower() and "Zotero" not in hansen.text


def test_an_edition_prints_as_the_style_abbreviates_it_or_as_given(zotero):
    g = load_guideline(zotero())
    second, revised = guideline_references(g, [3, 4])
    assert second.text == "Koes B. Back pain. 2nd ed. Berlin: Springer; 2001."
    assert revised.text == "Koes B. Back pain. Revised. Springer; 2003."


def test_an_entry_missing_its_journal_is_formatted_with_the_gap_noted_never_dropped(zotero):
    g = load_guideline(zotero())
    preprint = guideline_references(g, [1])[0]
    assert preprint.text == "Okafor C. A preprint without a journal. 2024."
    assert preprint.note == "incomplete entry, formatted from what it has: no journal"


def test_any_csl_style_by_name_chosen_in_the_manifest(zotero):
    root = zotero()
    (root / "guideline.toml").write_text('title = "T"\ncitation_style = "apa"\n', encoding="utf-8")
    g = load_guideline(root)
    assert guideline_references(g, [3])[0].text == "Koes, B. (2001). Back pain (2nd ed.). Springer."
    assert "in the apa style" in report.to_markdown(g)


def test_a_csl_file_in_the_guideline_folder(zotero):
    root = zotero()
    style = root / "house.csl"
    style.write_text(HOUSE_STYLE, encoding="utf-8")
    (root / "guideline.toml").write_text('title = "T"\ncitation_style = "house.csl"\n', encoding="utf-8")
    assert guideline_references(load_guideline(root), [3])[0].text == "Koes — Back pain"


def test_reports_say_how_the_list_is_numbered(zotero):
    assert "References are numbered in order of first citation" in report.to_markdown(load_guideline(zotero()))
    bundled = report.to_markdown(load_guideline(REPO))
    assert "References keep the guideline's numbers; entries whose identity the source does not establish are " \
           "marked unresolved" in bundled


def test_the_bundled_list_keeps_its_numbered_order_and_marks():
    g = load_guideline(REPO)
    page = report.to_html(g)
    numbers = [int(n) for n in __import__("re").findall(r'<li value="(\d+)"', page)]
    assert numbers == sorted(numbers) and numbers[:3] == [4, 5, 9]  # the guideline's own numbers, ascending
    refs = {r.number: r for r in guideline_references(g, [4, 5, 9])}
    assert refs[4].text.startswith("Airaksinen O. Chapter 4. European guidelines") and refs[4].note == ""
    assert refs[5].text == "" and refs[5].note.startswith("unresolved: the source does not establish")
    assert refs[9].note == "likely identification, not confirmed by a source"


def test_the_example_cites_a_zotero_export_by_key():
    g = load_guideline(EXAMPLE)
    assert g.numbered_by == "first citation" and g.numbering[1] == "agency_imaging_2017"
    text = render_references(guideline_references(g))
    assert "[5] Hansen K, Olsen P, Berg I." in text and text.count("https://doi.org/10.5555/mupr.2021.0123") == 1


def test_references_of_a_bare_bib_follow_its_file_order(tmp_path):
    path = tmp_path / "any.bib"
    path.write_text(ZOTERO, encoding="utf-8")
    bib, _ = load_bibliography(path)
    assert [r.key for r in format_references(bib)] == ["hansen_exercise_2021", "koes_back_2001", "koes_revised_2003",
                                                       "okafor_preprint_2024"]


HOUSE_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>House style</title><id>house</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <layout>
      <group delimiter=" — ">
        <names variable="author"><name form="short"/></names>
        <text variable="title"/>
      </group>
    </layout>
  </bibliography>
</style>
"""
