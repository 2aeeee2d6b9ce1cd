"""Validation of the evidence tables: every message names file, line, column, what was found and what is allowed."""

from conftest import EV_HEADER, REC_HEADER, ev, rec, write_csv
from grading import load_scheme
from grading.errors import Problem
from grading.io.tables import read_table, table_spec

NORWAY = load_scheme("norway-2007")


def problems_of(path):
    return [p for p in read_table(path, path.name, table_spec(path.name, NORWAY))[1] if p.severity == "error"]


def test_unknown_level_code_is_located(tmp_path):
    path = tmp_path / "recommendations.csv"
    write_csv(path, REC_HEADER, [rec(), rec(id="7.1.3-02", level="****")])
    (p,) = problems_of(path)
    assert (p.line, p.row, p.column, p.found) == (3, 2, "published_level", "****")
    assert "***" in p.allowed and "empty" in p.allowed
    assert str(p).startswith("recommendations.csv, line 3 (row 2), column published_level")


def test_unknown_strength_and_non_adjacent_range(tmp_path):
    path = tmp_path / "recommendations.csv"
    write_csv(path, REC_HEADER, [rec(strength="sterk"), rec(id="6.2-02", strength="strong/weak")])
    found = {(p.row, p.found) for p in problems_of(path)}
    assert found == {(1, "sterk"), (2, "strong/weak")}


def test_unknown_design_quality_finding_codes_all_reported_in_one_pass(tmp_path):
    path = tmp_path / "evidence.csv"
    write_csv(path, EV_HEADER, [ev(design="RCT"), ev(quality="excellent"), ev(finding="positive")])
    assert {(p.row, p.column) for p in problems_of(path)} == {(1, "design"), (2, "quality"), (3, "finding")}


def test_missing_and_misspelt_column(tmp_path):
    path = tmp_path / "evidence.csv"
    header = [("qualty" if h == "quality" else h) for h in EV_HEADER]
    row = ev()
    row["qualty"] = row.pop("quality")
    write_csv(path, header, [row])
    (p,) = problems_of(path)
    assert p.column == "quality" and p.line == 1 and "qualty" in p.message


def test_required_value_missing(tmp_path):
    path = tmp_path / "recommendations.csv"
    write_csv(path, REC_HEADER, [rec(direction="")])
    (p,) = problems_of(path)
    assert p.column == "direction" and p.found == ""


def test_line_numbers_count_multiline_cells(tmp_path):
    path = tmp_path / "recommendations.csv"
    write_csv(path, REC_HEADER, [rec(text="line one\nline two\nline three"), rec(id="6.2-02", direction="up")])
    (p,) = problems_of(path)
    assert p.line == 5 and p.row == 2


def test_spreadsheet_export_with_bom_crlf_semicolons_is_read_and_said(tmp_path):
    path = tmp_path / "evidence.csv"
    rows = [";".join(EV_HEADER), ";".join(ev().values())]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    frame, problems = read_table(path, path.name)
    assert frame is not None and list(frame["design"]) == ["rct"]
    notices = " ".join(p.message for p in problems if p.severity == "notice")
    assert "byte-order mark" in notices and "CRLF" in notices and "';'" in notices
    assert not [p for p in problems if p.severity == "error"]


def test_latin1_export_is_refused_with_its_line(tmp_path):
    path = tmp_path / "recommendations.csv"
    write_csv(path, REC_HEADER, [rec(), rec(id="6.2-02", text="Det anbefales å gi råd")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    (p,) = problems_of(path)
    assert p.line == 3 and "not UTF-8" in p.message and "0xe5" in p.found


def test_empty_file(tmp_path):
    path = tmp_path / "evidence.csv"
    path.write_bytes(b"")
    (p,) = problems_of(path)
    assert "empty" in p.message


def test_problem_text_reads_as_one_sentence():
    p = Problem("evidence/evidence.csv", "unknown value", line=4, row=3, column="design", found="RCT",
                allowed="rct, cohort")
    assert str(p) == ("evidence/evidence.csv, line 4 (row 3), column design: unknown value; found 'RCT'; "
                      "allowed: rct, cohort")
