"""The reference list: pybtex parsing with located errors, and safe formatting."""


from conftest import REPO
from grading.io.bib import load_bibliography
from grading.render.references import format_references, render_references, safe_links


def load(tmp_path, text: str | bytes):
    path = tmp_path / "refs.bib"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_bibliography(path, "refs.bib")


def errors(problems):
    return [p for p in problems if p.severity == "error"]


GOOD = "@article{a,\n  refnumber = {1},\n  author = {Aure, O. F.},\n  title = {Manual therapy},\n" \
       "  journal = {Spine},\n  year = {2003},\n  identification = {verified}\n}\n"


def test_bundled_bibliography_has_every_cited_number_and_parses_cleanly():
    bib, problems = load_bibliography(REPO / "references.bib")
    assert errors(problems) == []
    assert len(bib.by_number) == len(bib.data.entries) == 257
    assert bib.status(4) == "verified" and bib.field(4, "author").startswith("Airaksinen")


def test_unresolved_entries_carry_no_invented_identity():
    bib, _ = load_bibliography(REPO / "references.bib")
    for n in bib.by_number:
        if bib.status(n) == "unresolved":
            fields = bib.data.entries[bib.by_number[n]].fields
            assert not {"author", "title", "journal"} & set(f.lower() for f in fields), n
            assert fields.get("seed_lines"), n


def test_duplicate_key_is_reported_with_both_lines(tmp_path):
    _, problems = load(tmp_path, GOOD + "\n" + GOOD.replace("{1}", "{2}"))
    (p,) = errors(problems)
    assert p.line == 10 and "first on line 1" in p.message and p.found == "a"


def test_missing_comma_reports_its_line(tmp_path):
    text = GOOD.replace("{Manual therapy},", "{Manual therapy}")
    _, problems = load(tmp_path, text)
    assert errors(problems) and errors(problems)[0].line in (4, 5)


def test_unclosed_entry(tmp_path):
    _, problems = load(tmp_path, GOOD.rstrip().rstrip("}") + "\n")
    assert errors(problems) and "syntax error" in str(errors(problems)[0]).lower() or "premature" in \
        str(errors(problems)[0]).lower()


def test_undefined_string_macro(tmp_path):
    _, problems = load(tmp_path, GOOD.replace("{Spine}", "spinejournal"))
    (p,) = errors(problems)
    assert "spinejournal" in p.message and p.line == 5


def test_unknown_entry_type(tmp_path):
    _, problems = load(tmp_path, GOOD.replace("@article", "@artikkel"))
    (p,) = errors(problems)
    assert (p.line, p.column, p.found) == (1, "type", "@artikkel")


def test_non_utf8_file(tmp_path):
    _, problems = load(tmp_path, GOOD.replace("Aure", "Lærum").encode("latin-1"))
    (p,) = errors(problems)
    assert p.line == 3 and "not UTF-8" in p.message


def test_empty_file(tmp_path):
    bib, problems = load(tmp_path, "")
    assert bib is None and "empty" in errors(problems)[0].message


def test_an_entry_missing_a_field_is_formatted_from_what_it_has_and_the_gap_noted(tmp_path):
    # A preprint as reference managers export it: @article without a journal. BibTeX prints it with a warning.
    text = GOOD + "@article{b,\n  refnumber = {2},\n  title = {No journal},\n  identification = {likely}\n}\n"
    bib, _ = load(tmp_path, text)
    first, second = format_references(bib)
    assert first.text == "Aure OF. Manual therapy. Spine. 2003." and first.note == ""  # Vancouver
    assert second.text == "No journal." and "no author, no journal, no year" in second.note
    assert "likely identification" in second.note


def test_html_rendering_escapes_fields_and_drops_unsafe_links(tmp_path):
    text = ('@article{x,\n  refnumber = {1},\n  author = {Evil, E.},\n  title = {<script>alert(1)</script>},\n'
            '  journal = {J" onmouseover="alert(2)},\n  year = {2020},\n  url = {javascript:alert(3)},\n'
            '  identification = {verified}\n}\n')
    bib, _ = load(tmp_path, text)
    out = render_references(format_references(bib), "html")
    assert "<script>" not in out and "javascript:" not in out and 'onmouseover="' not in out
    assert "&lt;script&gt;" in out


def test_only_http_https_and_doi_links_are_kept():
    assert safe_links({"doi": "10.1/x", "url": "http://a.org/x"}) == ("https://doi.org/10.1/x", "http://a.org/x")
    assert safe_links({"url": "javascript:alert(1)"}) == ()
    assert safe_links({"url": 'https://a.org/"onclick="x'}) == ()
