"""Section labels and recommendation ids are the guideline's own (`A.1`, `A.1-01`), safe as file and folder names.

The guideline case: a copy of docs/examples/neck-pain with its sections 4.1, 4.2 and 5.1 relabelled A.1, A.2 and
B.1 (ids A.1-01, ...), in the manifest's [sections], both tables and the flags. It validates, and every command
that reads sections or names files after ids runs on it.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, ev, rec, scheme
from grading.cli import main
from grading.errors import ValidationError
from grading.io.guideline import load_guideline
from grading.io.labels import is_label, is_rec_id, label_key, label_problem
from grading.io.manifest import MANIFEST
from grading.revisions import load_revisions, new_revision
from grading.revisions.record import write_revision

EXAMPLE = REPO / "docs" / "examples" / "neck-pain"
RELABEL = {"4.1": "A.1", "4.2": "A.2", "5.1": "B.1"}


def _relabel_id(rid: str) -> str:
    section, _, n = rid.rpartition("-")
    return f"{RELABEL[section]}-{n}"


def _rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def lettered(dest: Path) -> Path:
    """The made-up neck-pain guideline with lettered sections."""
    shutil.copytree(EXAMPLE, dest)
    ev = dest / "evidence"

    def rec(row):
        row["id"], row["section"] = _relabel_id(row["id"]), RELABEL[row["section"]]

    def evidence(row):
        row["recommendation_id"] = _relabel_id(row["recommendation_id"])

    def flag(row):
        row["section"] = RELABEL.get(row["section"], row["section"])

    _rewrite(ev / "recommendations.csv", rec)
    _rewrite(ev / "evidence.csv", evidence)
    _rewrite(ev / "flags.csv", flag)
    manifest = dest / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    for old, new in RELABEL.items():
        text = text.replace(f'"{old}" =', f'"{new}" =')
    manifest.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture
def root(tmp_path) -> Path:
    return lettered(tmp_path / "lettered")


def test_the_relabelled_case_is_what_it_says(root):
    g = load_guideline(root)
    assert list(g.recommendations["section"].drop_duplicates()) == ["A.1", "A.2", "B.1"]
    assert set(g.evidence["recommendation_id"]) <= set(g.recommendations["id"])
    assert "A.1-01" in set(g.recommendations["id"])
    assert dict(g.manifest.sections) == {"A.1": "Non-specific neck pain: assessment",
                                         "A.2": "Non-specific neck pain: treatment",
                                         "B.1": "Cervical radiculopathy: treatment"}
    assert "A.1" in set(g.flags["section"])


def test_a_guideline_with_lettered_sections_validates(root, capsys):
    assert main(["validate", "--root", str(root)]) == 0
    out = capsys.readouterr()
    assert "error" not in out.err


def test_reproduce_and_audit_run_on_lettered_sections(root, capsys):
    assert main(["reproduce", "--format", "json", "--root", str(root)]) == 0
    gradings = json.loads(capsys.readouterr().out)
    assert [g["section"] for g in gradings][:1] == ["A.1"]
    assert {g["id"] for g in gradings} >= {"A.1-01", "A.2-01", "B.1-01"}
    # The same grading as the example with numbered sections: the label is only a label.
    assert main(["reproduce", "--format", "json", "--root", str(EXAMPLE)]) == 0
    numbered = json.loads(capsys.readouterr().out)
    assert [(g["derived_level"], g["derived_strength"]) for g in gradings] == \
        [(g["derived_level"], g["derived_strength"]) for g in numbered]
    assert main(["audit", "--root", str(root)]) == 0
    assert "A." in capsys.readouterr().out
    assert main(["audit", "--format", "json", "--root", str(root)]) == 0
    json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_report_runs_on_lettered_sections(root, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--root", str(root), "--format", fmt, "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "A.1 Non-specific neck pain: assessment" in text and "B.1 Cervical radiculopathy" in text
    assert "A.1-01" in text or fmt == "md"
    assert text.index("A.1 Non-specific") < text.index("A.2 Non-specific") < text.index("B.1 Cervical")


def test_the_site_runs_on_lettered_sections(root, tmp_path):
    out = tmp_path / "site"
    assert main(["site", "--root", str(root), str(out)]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "A.1" in index and "B.1" in index
    pages = {p.name for p in out.rglob("*.html")}
    assert any(name.startswith("A.1-01") for name in pages), sorted(pages)


@pytest.mark.parametrize("fmt", ["json", "fhir"])
def test_export_runs_on_lettered_sections(root, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}.json"
    assert main(["export", "--format", fmt, "--root", str(root), str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    json.loads(text)
    assert "A.1-01" in text and "B.1-01" in text


def test_the_explore_tables_run_on_lettered_sections(root):
    from grading.analyses import explore
    g = load_guideline(root)
    table = explore.browse(g)
    assert list(table.index[:2]) == ["A.1-01", "A.1-02"] and table.loc["B.1-01", "section"] == "B.1"
    assert "A.1" in set(explore.flags(g)["section"])
    assert "section A.1," in explore.view(g, "A.1-01").as_text()


def test_a_revision_of_a_lettered_id_is_saved_in_its_folder_and_read_back(root):
    norway = scheme()
    rev = new_revision(norway, "A.1-01", "Kari Nordmann", "a reason", {})
    path = write_revision(root, rev)
    assert path.parent == root / "evidence" / "revisions" / "A.1-01"
    assert [r.recommendation_id for r in load_revisions(root, norway)] == ["A.1-01"]


# --- what a label may not be ------------------------------------------------------------------------------------

def _error_on_id(root: Path, bad: str):
    path = root / "evidence" / "recommendations.csv"

    def change(row):
        if row["id"] == "A.2-01":
            row["id"] = bad

    _rewrite(path, change)
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    return [p for p in e.value.problems if p.severity == "error" and p.column == "id"]


@pytest.mark.parametrize("bad", ["A.2/01", "A.2-01/..", "..", "A.2-..", "A.2-0\x01", "A.2-\x7f1", "A.2\\-01",
                                 "A.2-\u202e10", ".A.2-01"])
def test_an_id_unsafe_as_a_file_name_is_a_located_error(root, bad):
    found = _error_on_id(root, bad)
    assert found, bad
    p = found[0]
    assert (p.file, p.column, p.found, p.message) == ("evidence/recommendations.csv", "id", bad, "unknown value")
    assert p.line is not None and p.row is not None
    assert "'/'" in (p.allowed or "") and "'..'" in (p.allowed or "") and "control" in (p.allowed or "")


def test_an_id_not_under_its_lettered_section_is_a_located_error(root):
    (p,) = _error_on_id(root, "B.1-09")
    assert p.message == "the id does not start with the row's section" and p.allowed == "A.2-<nn>"
    assert p.found == "B.1-09" and p.line == 4 and p.row == 3


def test_an_id_must_not_only_share_the_section_s_first_characters(root):
    (p,) = _error_on_id(root, "A.20-01")  # starts with 'A.2' but is not under A.2
    assert p.message == "the id does not start with the row's section"


@pytest.mark.parametrize("bad", ["A/1", "..", "A\x00", "A\\1"])
def test_a_section_unsafe_as_a_file_name_is_refused_in_the_table_and_the_flags(root, bad):
    _rewrite(root / "evidence" / "flags.csv", lambda row: row.update(section=bad) if row["section"] == "A.2" else None)
    _rewrite(root / "evidence" / "recommendations.csv",
             lambda row: row.update(section=bad) if row["section"] == "B.1" else None)
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    errors = [p for p in e.value.problems if p.severity == "error" and p.column == "section"]
    assert {(p.file, p.found) for p in errors} == {("evidence/recommendations.csv", bad), ("evidence/flags.csv", bad)}
    assert all(p.line and p.row for p in errors)
    assert ("evidence/flags.csv", 4, 3) in {(p.file, p.line, p.row) for p in errors}
    assert all("'/'" in (p.allowed or "") for p in errors)


@pytest.mark.parametrize("bad", ["A/1", "..", "A.1\t", "A\x00", ""])
def test_a_section_unsafe_as_a_file_name_is_refused_in_the_manifest(root, bad):
    manifest = root / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"B.1" =', json.dumps(bad) + " ="),
                        encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (m,) = [p for p in e.value.problems if p.severity == "error"]
    # its line, or the line of [sections] where the key is written escaped ("A.1\t")
    assert (m.file, m.column) == (MANIFEST, f"sections.{bad}") and m.line in (19, 22)
    assert "a section is its label" in m.message and "A.1" in (m.allowed or "")


def test_label_rules():
    for ok in ("6.3.2", "A.1", "B.3", "IV.2", "٧.٢.١", "Kapittel 6", "A.1-01", "6.2-01b"):
        assert is_label(ok), (ok, label_problem(ok))
    for bad in ("", " A.1", "A.1 ", "A.1\n", "a/b", "a\\b", "A..1", ".", "..", ".hidden", "A:1", "A|1", "A?1",
                "A\x00", "A\x1b", "A\u200b1", "A\u2028", "x" * 81):
        assert not is_label(bad) and label_problem(bad), repr(bad)
    assert is_rec_id("A.1-01") and is_rec_id("7.1.1-03")
    assert not is_rec_id("A.1") and not is_rec_id("-01") and not is_rec_id("A.1-")
    assert not is_rec_id("A.1-01.") and not is_rec_id("CON.1-01") and not is_rec_id("nul.2-03")
    assert is_rec_id("CONS.1-01") and is_rec_id("A.CON-01")


def test_labels_sort_naturally():
    assert sorted(["B.1", "A.10", "A.2"], key=label_key) == ["A.2", "A.10", "B.1"]
    assert sorted(["7.1", "6.10", "6.2"], key=label_key) == ["6.2", "6.10", "7.1"]
    assert sorted(["6.2.1-01", "6.10-01", "6.2-10", "6.2-02"], key=label_key) == \
        ["6.2-02", "6.2-10", "6.2.1-01", "6.10-01"]
    assert sorted(["A.1", "6.1", "a.1"], key=label_key) == ["6.1", "A.1", "a.1"]
    # every label has a key, and the order is total and stable
    labels = ["IV.2", "IV.10", "٧.٢.١", "1", "01", "A", "a"]
    assert sorted(labels, key=label_key) == sorted(sorted(labels, key=label_key), key=label_key)


def test_the_report_names_unknown_sections_in_natural_order(root, capsys):
    from grading.errors import UnknownValueError
    from grading.render.report import section_tables
    with pytest.raises(UnknownValueError) as e:
        section_tables(load_guideline(root), sections=["A.10", "A.9", "A.1"])
    assert re.search(r"A\.9, A\.10", str(e.value))


@pytest.mark.parametrize("first, twin", [("A.2-01", "a.2-01"), ("\u00c5.2-01", "A\u030a.2-01")])
def test_ids_one_folder_on_a_case_insensitive_disk_are_a_located_error(make_guideline, first, twin):
    root = make_guideline(recs=[rec(first), rec("A.2-02"), rec(twin)],
                          evidence=[ev(first), ev("A.2-02"), ev(twin)])
    with pytest.raises(ValidationError) as e:
        load_guideline(root)
    (p,) = [p for p in e.value.problems if p.severity == "error"]
    assert (p.file, p.line, p.row, p.column, p.found) == ("evidence/recommendations.csv", 4, 3, "id", twin)
    assert f"on line 2 ('{first}') only in case" in p.message
