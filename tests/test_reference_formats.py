"""Reference lists in RIS, CSL-JSON, MEDLINE and EndNote XML: read behind the one Bibliography, they format as the
BibTeX they were converted from (converted at test time, tests/reference_converters.py); bad records are located
errors that leave the rest read; a suffix that lies is sniffed; a guideline's own list and a batch of new studies
may be in any of them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference_converters as convert
from conftest import REPO, require_shared
from grading import ValidationError, load_guideline
from grading.analyses.impact import batch_impact, load_batch
from grading.cli import main
from grading.io.bib import Bibliography, load_bibliography
from grading.io.references import FORMATS, load_references
from grading.render.references import format_entries, guideline_references

NEW_STUDIES = REPO / "docs" / "examples" / "new-studies"
WRITERS = {"ris": (convert.ris, ".ris"), "csljson": (convert.csljson, ".json"), "endnote": (convert.endnote, ".xml"),
           "medline": (convert.medline, ".nbib")}


def formatted(bib: Bibliography, keys: list[str] | None = None, status: bool = True) -> list[tuple]:
    """(text, links, status) of each entry in the file's order (or of the keys given, in their order)."""
    keys = list(bib.keys) if keys is None else keys
    refs = format_entries(bib, numbering={n: k for n, k in enumerate(keys, start=1)})
    return [(r.text, r.links, r.status) if status else (r.text, r.links) for r in refs]


def round_trip(bib: Bibliography, fmt: str, folder: Path) -> Bibliography:
    """The list converted to one format, written, and read back: no problem but notices."""
    write, suffix = WRITERS[fmt]
    path = folder / f"list{suffix}"
    path.write_text(write(bib), encoding="utf-8")
    back, problems = load_references(path, known_types=None)
    assert [p for p in problems if p.severity != "notice"] == []
    assert back is not None
    return back


def without_identification(bib: Bibliography) -> Bibliography:
    """The list as a format without the guideline's identification status formats it (MEDLINE carries none)."""
    for entry in bib.data.entries.values():
        entry.fields.pop("identification", None)
    return bib


def _same(source: Path, fmt: str, tmp_path: Path) -> None:
    bib, problems = load_bibliography(source, known_types=None, keep_first=True)
    assert bib is not None
    back = round_trip(bib, fmt, tmp_path)
    if fmt == "medline":  # journal articles only; no series, no identification status (docs/references.md)
        keys = [k for k in bib.keys if bib.entry_type(k) == "article" and "series" not in bib.fields(k)]
        expected = formatted(without_identification(load_bibliography(source, known_types=None)[0]), keys, False)
        got = [(text, real(links))
               for text, links in formatted(back, [k for k in back.keys if k not in _series_pmids(bib)], False)]
    else:
        assert list(back.keys) == list(bib.keys)
        expected, got = formatted(bib), formatted(back)
    assert len(got) == len(expected) and got == expected
    assert sum(bool(t[0]) for t in got) > len(got) // 2  # not a list of nothing compared with nothing


SYNTHETIC_PMID_LINK = f"https://pubmed.ncbi.nlm.nih.gov/{str(convert.SYNTHETIC_PMID)[:2]}"


def real(links: tuple[str, ...]) -> tuple[str, ...]:
    """The links but those of the PMIDs the MEDLINE converter makes up."""
    return tuple(u for u in links if not u.startswith(SYNTHETIC_PMID_LINK))


def _series_pmids(bib: Bibliography) -> set[str]:
    """The PMIDs the MEDLINE converter gives articles with a series (their series MEDLINE cannot carry)."""
    return {str(convert.SYNTHETIC_PMID + n) for n, k in enumerate(bib.keys, start=1)
            if bib.entry_type(k) == "article" and "series" in bib.fields(k)}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_the_bundled_list_formats_the_same_from_each_format(fmt, tmp_path):
    _same(REPO / "references.bib", fmt, tmp_path)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_biblatex_examples_format_the_same_from_each_format(fmt, tmp_path):
    _same(require_shared() / "data" / "real-world" / "biblatex-examples.bib", fmt, tmp_path)


def test_citation_numbers_and_identification_survive_ris_csljson_and_endnote(tmp_path):
    bib, _ = load_bibliography(REPO / "references.bib")
    for fmt in ("ris", "csljson", "endnote"):
        back = round_trip(bib, fmt, tmp_path)
        assert back.by_number == bib.by_number
        assert [back.status_of(k) for k in back.keys] == [bib.status_of(k) for k in bib.keys]


def test_the_registry_names_every_format_once():
    suffixes = [s for f in FORMATS for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert {f.name for f in FORMATS} == {"bibtex", "ris", "csljson", "medline", "endnote"}


# --- bad records: located, collected, the rest read ------------------------------------------------------------

RIS_BAD = """TY  - JOUR
ID  - good1
AU  - Brox, J. I.
TI  - A good record
JO  - Spine
PY  - 2003
ER  -

TY  - JOURNAL
ID  - bad-type
TI  - A record of a type RIS has not
PY  - 2004
ER  -

TY  - JOUR
ID  - bad-year
TI  - A record with no year in its year
PY  - in press
ER  -

TY  - JOUR
ID  - good1
TI  - The same ID again
PY  - 2005
ER  -
"""
CSL_BAD = """[
  {"id": "good1", "type": "article-journal", "title": "A good item", "issued": {"date-parts": [[2003]]}},
  {"id": "bad-type", "type": "journal-article", "title": "A type CSL has not"},
  {"type": "book", "title": "No id"},
  {"id": "bad-date", "type": "book", "title": "A date of words", "issued": {"date-parts": [["spring"]]}},
  {"id": "good1", "type": "book", "title": "The same id again"}
]
"""
MEDLINE_BAD = """PMID- 111
TI  - A good record.
FAU - Brox, Jens Ivar
DP  - 2003 Apr
JT  - Spine

PMID- 222
TI  - A record with a bad article id.
AID - 10.1000/xyz

PMID- 333
TI  - A record with a line that is no MEDLINE line.
this line has no tag

PMID- 111
TI  - The same PMID again.
"""
ENDNOTE_BAD = """<?xml version="1.0" encoding="UTF-8"?>
<xml><records>
<record><rec-number>1</rec-number><ref-type name="Journal Article">17</ref-type>
<titles><title>A good record</title></titles><dates><year>2003</year></dates></record>
<record><rec-number>2</rec-number><ref-type name="Journal Articel">17</ref-type>
<titles><title>A type EndNote has not</title></titles></record>
<record><ref-type name="Book">6</ref-type><titles><title>No record number</title></titles></record>
<record><rec-number>1</rec-number><ref-type name="Book">6</ref-type>
<titles><title>The same number again</title></titles></record>
</records></xml>
"""
# format -> (file, text, [(line, column, fragment of the message, found)] expected in order)
BAD = {
    "ris": ("bad.ris", RIS_BAD, [(9, "TY", "unknown RIS reference type", "JOURNAL"),
                                 (15, "PY", "without a four-digit year", "in press"),
                                 (21, "key", "duplicate entry key (first on line 1)", "good1")]),
    "csljson": ("bad.json", CSL_BAD, [(3, "type", "item 2: unknown CSL type", "journal-article"),
                                      (4, "id", "item 3 has no id", None),
                                      (5, "issued", "item 4 (bad-date): a date CSL cannot read", '{"date-parts": '
                                                                                                 '[["spring"]]}'),
                                      (6, "key", "duplicate entry key (first on line 2)", "good1")]),
    "medline": ("bad.nbib", MEDLINE_BAD, [(9, "AID", "a value MEDLINE does not allow", '"10.1000/xyz"'),
                                          (13, None, "not a MEDLINE line", "this line has no tag"),
                                          (15, "key", "duplicate entry key (first on line 1)", "111")]),
    "endnote": ("bad.xml", ENDNOTE_BAD, [(5, "ref-type", "record 2: unknown EndNote reference type",
                                          "Journal Articel"),
                                         (7, "rec-number", "record 3 has no rec-number", None),
                                         (8, "key", "duplicate entry key (first on line 3)", "1")]),
}


@pytest.mark.parametrize("fmt", sorted(BAD))
def test_bad_records_are_located_errors_and_the_rest_is_read(fmt, tmp_path):
    name, text, expected = BAD[fmt]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    bib, problems = load_references(path)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.line, p.column) for p in errors] == [(line, column) for line, column, _, _ in expected], errors
    for p, (_, _, message, found) in zip(errors, expected):
        assert p.file == name and message in p.message and p.allowed
        assert found is None or found in (p.found or ""), (found, p.found)
    assert bib is not None and bib.fields(bib.keys[0])["title"].startswith("A good")


@pytest.mark.parametrize("fmt", sorted(BAD))
def test_a_repeated_key_keeps_the_first_record_when_a_list_is_rendered_as_bibtex_does(fmt, tmp_path, capsys):
    name, text, expected = BAD[fmt]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    bib, problems = load_references(path, known_types=None, keep_first=True)
    (repeated,) = [p for p in problems if p.column == "key"]
    assert repeated.severity == "warning" and "the first entry is kept" in repeated.message
    assert bib is not None and "again" not in " ".join(bib.fields(k).get("title", "") for k in bib.keys)


def test_a_bad_list_is_exit_2_with_every_problem_and_no_traceback(tmp_path, capsys):
    path = tmp_path / "bad.ris"
    path.write_text(RIS_BAD, encoding="utf-8")
    assert main(["references", "--bib", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bad.ris, line 9, column TY" in err and "line 15, column PY" in err
    assert "2 problems found; no list was rendered." in err


def test_xml_that_declares_entities_is_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY a "aaaa">]>\n<xml><records><record>'
                    "<rec-number>1</rec-number><titles><title>&a;</title></titles></record></records></xml>",
                    encoding="utf-8")
    bib, (p,) = load_references(path)
    assert bib is None and p.message.startswith("refused: EntitiesForbidden") and p.line == 2
    assert p.found == "<!DOCTYPE xml [<!ENT"


def test_xml_that_is_not_well_formed_is_a_located_error(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(ENDNOTE_BAD[:400], encoding="utf-8")
    bib, (p, *_) = load_references(path)
    assert bib is None and "not well-formed XML" in p.message and p.line is not None


# --- the suffix and the content ---------------------------------------------------------------------------------

def test_a_suffix_that_lies_is_sniffed_and_said(tmp_path):
    path = tmp_path / "export.json"  # RIS records, named as CSL-JSON
    path.write_text(RIS_BAD.split("\n\n")[0] + "\n", encoding="utf-8")
    bib, problems = load_references(path)
    assert bib is not None and bib.keys == ("good1",)
    (notice,) = problems
    assert notice.severity == "notice" and "named .json but holds RIS records: read as RIS" in notice.message


@pytest.mark.parametrize("text,fmt", [(MEDLINE_BAD.split("\n\n")[0], "medline"), (CSL_BAD, "csljson")])
def test_a_txt_file_is_read_by_its_content(text, fmt, tmp_path):
    path = tmp_path / "pubmed-export.txt"
    path.write_text(text + "\n", encoding="utf-8")
    bib, problems = load_references(path, known_types=None, keep_first=True)
    assert bib is not None and bib.keys[0] in ("111", "good1")
    assert not [p for p in problems if p.severity == "notice"]


def test_a_file_of_no_known_format_is_one_error(tmp_path):
    path = tmp_path / "list.docx"
    path.write_text("Brox JI. A title. Spine 2003.\n", encoding="utf-8")
    bib, (p,) = load_references(path)
    assert bib is None and p.line == 1 and ".bib" in p.message and "RIS" in (p.allowed or "")


def test_references_cli_renders_a_ris_list_with_doi_and_pubmed_links(tmp_path, capsys):
    path = tmp_path / "list.ris"
    path.write_text("TY  - JOUR\nID  - brox2003\nAU  - Brox, J. I.\nTI  - Lumbar instrumented fusion\nJO  - Spine\n"
                    "PY  - 2003\nDO  - 10.1097/01.BRS.0000083238.78155.31\nAN  - 12973134\nER  - \n",
                    encoding="utf-8")
    assert main(["references", "--bib", str(path), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert '<a href="https://doi.org/10.1097/01.BRS.0000083238.78155.31">' in out
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12973134/">' in out
    assert "src=" not in out  # links, not loaded resources


def test_a_pubmed_link_is_given_once_and_only_for_digits():
    from grading.render.references import safe_links
    assert safe_links({"pmid": "12973134", "url": "https://pubmed.ncbi.nlm.nih.gov/12973134"}) == \
        ("https://pubmed.ncbi.nlm.nih.gov/12973134/",)
    assert safe_links({"pmid": "1297<script>"}) == ()


# --- a guideline's own list in another format -------------------------------------------------------------------

def guideline_with(fmt: str, tmp_path: Path) -> Path:
    """A copy of the bundled guideline whose reference list is in `fmt`, named by its manifest."""
    root = tmp_path / "guideline"
    shutil.copytree(REPO / "evidence", root / "evidence")
    write, suffix = WRITERS[fmt]
    bib, _ = load_bibliography(REPO / "references.bib")
    (root / f"references{suffix}").write_text(write(bib), encoding="utf-8")
    manifest = (REPO / "guideline.toml").read_text(encoding="utf-8")
    (root / "guideline.toml").write_text(f'references_file = "references{suffix}"\n' + manifest, encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["ris", "csljson", "endnote"])
def test_a_guideline_whose_list_is_in_another_format_cites_and_formats_the_same(fmt, tmp_path):
    g, own = load_guideline(guideline_with(fmt, tmp_path)), load_guideline(REPO)
    assert g.numbering == own.numbering
    shown = [[(r.number, r.text, r.links, r.status) for r in guideline_references(x)] for x in (g, own)]
    assert shown[0] == shown[1]  # the note of an unresolved entry quotes its seed_context, which no format carries


def test_a_manifest_naming_no_reference_list_is_a_located_error(tmp_path):
    root = guideline_with("ris", tmp_path)
    manifest = root / "guideline.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"references.ris"', '"../refs.docx"'),
                        encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = [p for p in e.value.problems if p.column == "references_file"]
    assert (p.file, p.line, p.found) == ("guideline.toml", 1, "../refs.docx")


# --- a batch of new studies --------------------------------------------------------------------------------------

def test_a_batch_lists_what_each_record_would_move():
    g = load_guideline(REPO)
    moved = batch_impact(g, load_batch(NEW_STUDIES / "studies.ris", NEW_STUDIES / "appraisal.csv", g))
    assert {(m.key, m.impact.recommendation_id) for m in moved} == {
        ("newtrial", "7.1.1-27"), ("newreview", "7.1.1-10"), ("newreview", "7.1.1-11")}


@pytest.mark.parametrize("fmt", ["csljson", "medline", "endnote"])
def test_a_batch_in_any_format_moves_the_same(fmt, tmp_path):
    g = load_guideline(REPO)
    ris = load_references(NEW_STUDIES / "studies.ris")[0]
    assert ris is not None
    write, suffix = WRITERS[fmt]
    path = tmp_path / f"studies{suffix}"
    path.write_text(write(ris), encoding="utf-8")
    back = load_references(path)[0]
    assert back is not None
    table = (NEW_STUDIES / "appraisal.csv").read_text(encoding="utf-8")
    for old, new in zip(ris.keys, back.keys):
        table = table.replace(f"\n{old},", f"\n{new},")
    (tmp_path / "appraisal.csv").write_text(table, encoding="utf-8")
    moved = batch_impact(g, load_batch(path, tmp_path / "appraisal.csv", g))
    assert sorted(m.impact.recommendation_id for m in moved) == ["7.1.1-10", "7.1.1-11", "7.1.1-27"]


def test_the_whole_batch_together_can_move_what_no_record_moves_alone(tmp_path):
    g = load_guideline(REPO)
    (tmp_path / "appraisal.csv").write_text(
        "key,topic,phase,diagnostic_group,design,quality,quality_text,finding,effect_size,outcomes,documentation\n"
        + "".join(f"{k},AKUPUNKTUR,langvarig,,systematic_review,good,,benefit,small,pain,x\n"
                  for k in ("newtrial", "newreview")), encoding="utf-8")
    moved = batch_impact(g, load_batch(NEW_STUDIES / "studies.ris", tmp_path / "appraisal.csv", g))
    # one good review alone lifts acupuncture to **, two together to ***: the batch's row says so, once
    assert [(m.key, m.impact.recommendation_id, m.impact.after.derived_level) for m in moved] == [
        ("newtrial", "7.1.1-27", "**"), ("newreview", "7.1.1-27", "**"), ("", "7.1.1-27", "***")]


@pytest.mark.parametrize("fmt", ["ris", "csljson", "medline", "endnote"])
def test_a_new_study_folder_may_hold_its_study_in_any_format(fmt, tmp_path):
    from grading.analyses.impact import impact, load_new_study
    folder = REPO / "docs" / "examples" / "new-study"
    bib, _ = load_bibliography(folder / "study.bib")
    write, suffix = WRITERS[fmt]
    (tmp_path / f"study{suffix}").write_text(write(bib), encoding="utf-8")
    shutil.copyfile(folder / "appraisal.csv", tmp_path / "appraisal.csv")
    g = load_guideline(REPO)
    study = load_new_study(tmp_path, g)
    assert study.bibliography.path.name == f"study{suffix}"
    assert [i.recommendation_id for i in impact(g, study)] == \
        [i.recommendation_id for i in impact(g, load_new_study(folder, g))]


def test_a_batch_row_naming_no_record_is_a_located_error(tmp_path, capsys):
    table = (NEW_STUDIES / "appraisal.csv").read_text(encoding="utf-8").replace("\nnewcohort,", "\nnewcohrot,")
    (tmp_path / "appraisal.csv").write_text(table, encoding="utf-8")
    assert main(["impact", str(NEW_STUDIES / "studies.ris"), "--appraisal", str(tmp_path / "appraisal.csv"),
                 "--root", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{tmp_path / 'appraisal.csv'}, line 4 (row 3), column key: names no record of studies.ris" in err
    assert "found 'newcohrot'" in err and "nothing was graded" in err


def test_a_batch_file_without_its_appraisal_is_exit_2(capsys):
    assert main(["impact", str(NEW_STUDIES / "studies.ris"), "--root", str(REPO)]) == 2
    assert "needs its appraisal table" in capsys.readouterr().err


def test_the_batch_table_is_one_table_with_a_row_per_move(capsys):
    assert main(["impact", str(NEW_STUDIES / "studies.ris"), "--appraisal", str(NEW_STUDIES / "appraisal.csv"),
                 "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Batch studies.ris: 3 records, 3 appraised in 3 rows; 3 recommendations would move")
    assert "newtrial   Example 2026  7.1.1-27        * -> **" in out


# --- whatever a file holds, the outcome is a list or located problems -----------------------------------------

GOOD = {".ris": RIS_BAD.split("\n\n")[0] + "\nLB  - 3\nC1  - likely\n",
        ".json": CSL_BAD, ".nbib": MEDLINE_BAD.split("\n\n")[0] + "\nPG  - 791-5\nAID - 10.1/x [doi]\n",
        ".xml": ENDNOTE_BAD}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(sorted(GOOD)), at=st.integers(min_value=0, max_value=2000),
       cut=st.integers(min_value=0, max_value=40), insert=st.text(max_size=12))
def test_an_edited_file_reads_or_is_located_problems(suffix, at, cut, insert, tmp_path):
    text = GOOD[suffix]
    at = at % (len(text) + 1)
    path = tmp_path / f"edited{suffix}"
    path.write_text(text[:at] + insert + text[at + cut:], encoding="utf-8", errors="replace")
    bib, problems = load_references(path, known_types=None, keep_first=True)
    assert bib is not None or any(p.severity == "error" for p in problems)
    assert all(p.file == path.name and (p.line is None or p.line >= 1) for p in problems)
    if bib is not None:
        format_entries(bib)  # an entry the style cannot format gets a note, never an exception


NAMES_BIB = """@article{names,
  author = {van der Berg, Jan and Smith, Jr, John and {World Health Organization}},
  title = {Names of every kind},
  journal = {Spine},
  year = {2003},
  doi = {10.1000/a~b},
}
"""


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_particles_suffixes_and_organisations_read_as_bibtex_reads_them(fmt, tmp_path):
    (tmp_path / "names.bib").write_text(NAMES_BIB, encoding="utf-8")
    bib, _ = load_bibliography(tmp_path / "names.bib")
    back = round_trip(bib, fmt, tmp_path)
    from grading.render.csl import csl_item
    (key,) = back.keys
    assert csl_item(back.data.entries[key])[0]["author"] == csl_item(bib.data.entries["names"])[0]["author"]
    assert [(t, real(links)) for t, links in formatted(back, status=False)] == formatted(bib, status=False)


# --- exports as reference managers write them (hand-written, tests/reference_formats/) --------------------------

FIXTURES = Path(__file__).parent / "reference_formats"


def test_a_pubmed_export_reads_every_common_tag():
    bib, problems = load_references(FIXTURES / "pubmed-export.txt")
    assert problems == [] and bib is not None and bib.keys == ("12973134", "7701392")
    brox, abenhaim = (bib.fields(k) for k in bib.keys)
    assert brox["title"].endswith("disc degeneration")  # PubMed's closing full stop left to the style
    assert (brox["journal"], brox["volume"], brox["number"], brox["pages"]) == ("Spine", "28", "17", "1913-1921")
    assert (brox["year"], brox["month"], brox["doi"], brox["pmid"]) == ("2003", "sep", "10.5555/spine.2003.1913",
                                                                        "12973134")
    assert bib.people("12973134")["author"] == ["Brox, Jens Ivar", "Sorensen, Roar", "Friis, Astrid"]
    assert bib.people("7701392")["author"] == ["Abenhaim, L", "Rossignol, M"]  # before 2002: AU only, no FAU
    assert abenhaim["pages"] == "791-795"
    (ref, _) = format_entries(bib)
    assert ref.links == ("https://doi.org/10.5555/spine.2003.1913", "https://pubmed.ncbi.nlm.nih.gov/12973134/")


def test_a_zotero_ris_export_reads_as_its_bibtex_export_would():
    bib, problems = load_references(FIXTURES / "zotero-export.ris")
    assert problems == [] and bib is not None
    (key,) = bib.keys
    assert bib.entry_type(key) == "article" and bib.fields(key)["journal"] == "Spine"
    assert (bib.fields(key)["month"], bib.fields(key)["pages"], bib.fields(key)["issn"]) == ("sep", "1913-1921",
                                                                                           "1528-1159")
    assert key == bib.keys[0] and key.startswith("brox2003-")  # no ID: generated from author, year and a hash
    assert load_references(FIXTURES / "zotero-export.ris")[0].keys == (key,)  # the same key every time


def test_validate_and_references_work_on_a_guideline_whose_list_is_ris(tmp_path, capsys):
    root = guideline_with("ris", tmp_path)
    assert main(["validate", "--root", str(root)]) == 0
    assert "257 references" in capsys.readouterr().out
    assert main(["references", "--root", str(root), "--format", "md"]) == 0
    from_ris = capsys.readouterr().out
    assert main(["references", "--root", str(REPO), "--format", "md"]) == 0
    own = capsys.readouterr().out
    # the same numbers and texts; only an unresolved entry's note (its seed_context) is BibTeX's alone
    assert [re.sub(r"; cited for: .*(?=\\\]$)", "", line) for line in own.splitlines()] == from_ris.splitlines()


def test_a_release_carries_the_list_in_its_own_format_and_loads(tmp_path, capsys):
    root = guideline_with("ris", tmp_path)
    assert main(["release", "2026-1", "--root", str(root)]) == 0
    released = root / "releases" / "2026-1"
    assert (released / "references.ris").read_bytes() == (root / "references.ris").read_bytes()
    assert load_guideline(released).numbering == load_guideline(root).numbering
