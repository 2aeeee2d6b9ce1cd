"""Small things a user sees: what a JSON field means, plurals, headers, which rows a message counts, ids at the API."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO, copy_guideline, ev, rec, scheme, write_csv
from grading.cli import main
from grading.errors import Problem, RevisionError, ValidationError
from grading.io.files import read_bytes
from grading.io.guideline import load_guideline
from grading.revisions import Revision, load_revisions, new_revision
from grading.revisions.record import write_revision

NORWAY = scheme()


def test_json_says_justified_only_of_a_deviation(capsys):
    assert main(["reproduce", "--format", "json", "--root", str(REPO)]) == 0
    by_id = {g["id"]: g for g in json.loads(capsys.readouterr().out)}
    # 6.3.3-01 (red flags: strong on **) states why; 6.2-02 (spinal mobility, moderate on *) does not; 7.1.3-02
    # (fusion) agrees, and 6.3.3-02 prints no strength: there is nothing to justify, so null.
    assert (by_id["6.3.3-01"]["verdict"], by_id["6.3.3-01"]["justified"]) == ("stronger_than_evidence", True)
    assert (by_id["6.2-02"]["verdict"], by_id["6.2-02"]["justified"]) == ("stronger_than_evidence", False)
    assert (by_id["7.1.3-02"]["verdict"], by_id["7.1.3-02"]["justified"]) == ("agree", None)
    assert (by_id["6.3.3-02"]["verdict"], by_id["6.3.3-02"]["justified"]) == ("not_comparable", None)
    assert {type(g["justified"]) for g in by_id.values() if g["verdict"] in ("agree", "not_comparable")} == \
        {type(None)}


def test_validate_counts_one_glossary_term_and_one_flag_in_the_singular(make_guideline, capsys):
    root = make_guideline()
    write_csv(root / "evidence" / "glossary.csv", ["term", "term_en", "definition", "seed_lines"],
              [{"term": "Akutt", "term_en": "Acute", "definition": "Under 6 uker", "seed_lines": "1"}])
    write_csv(root / "evidence" / "flags.csv", ["colour", "flag", "flag_en", "section", "seed_lines"],
              [{"colour": "red", "flag": "Feber", "flag_en": "Fever", "section": "6.2", "seed_lines": "2"}])
    assert main(["validate", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert ("valid — 1 recommendation, 1 evidence row, 1 reference, 1 glossary term, 1 flag, 0 saved revisions "
            "(0 in conflict)") in out


def test_the_reproduction_table_names_every_column(capsys):
    assert main(["reproduce", "--root", str(REPO)]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[-4:] == ["verdict", "justification", "every", "reading"]


def test_fragility_says_its_row_counts_within_the_recommendation(capsys):
    # 6.3.1-01's fragility names a row by its place among that recommendation's evidence rows, not a line of
    # evidence.csv as the error messages do.
    assert main(["audit", "--fragility", "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "on row 1 of its evidence (" in out
    assert not re.search(r" on row \d+ \(", out)


@pytest.mark.parametrize("rid", ["7.1.3-02\n", "7.1.3-02\r", " 7.1.3-02", "7.1.3-02/..", "../7.1.3-02", "A.1\\..-01",
                                 "A.1-0\x00", "A.1-\u202e01", "", "..", ".A.1-01", "A.1"])
def test_an_id_that_would_name_a_strange_folder_is_refused_at_the_api(rid, tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    with pytest.raises(ValidationError, match="is not a recommendation id"):
        new_revision(NORWAY, rid, "Kari Nordmann", "a reason", {})
    rev = Revision(rid, "Kari Nordmann", "2026-01-01T00:00:00.000000Z", "a reason", {})
    with pytest.raises(RevisionError, match="is not a recommendation id.*nothing was written"):
        write_revision(root, rev)
    with pytest.raises(RevisionError, match="is not a recommendation id"):
        load_revisions(root, NORWAY, rid)
    assert not (root / "evidence" / "revisions").exists()


def test_no_command_that_grades_nothing_says_it_graded_nothing(make_guideline, tmp_path, capsys):
    root = make_guideline(recs=[rec(strength="svak")], evidence=[ev()])
    ris = tmp_path / "export.bib"  # EndNote's tagged records, which no reader reads
    ris.write_text("%0 Journal Article\n%T A title\n", encoding="utf-8")
    said = {}
    for argv in (["validate"], ["reproduce"], ["audit"], ["report", "--output", str(tmp_path / "r.html")],
                 ["references", "--bib", str(ris)]):
        assert main([*argv, "--root", str(root)]) == 2
        said[argv[0]] = capsys.readouterr().err.splitlines()[-1]
    assert said == {"validate": "1 problem found; the guideline is not valid.",
                    "reproduce": "1 problem found; nothing was graded.",
                    "audit": "1 problem found; nothing was audited.",
                    "report": "1 problem found; nothing was written.",
                    "references": "1 problem found; no list was rendered."}
    assert load_guideline(REPO)  # the bundled guideline itself is untouched by any of this


def test_a_file_larger_than_the_limit_is_not_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 11)
    problems: list[Problem] = []
    assert read_bytes(path, "big.json", problems, max_bytes=10) is None
    assert [str(p) for p in problems] == ["big.json: is too large to be read; found 'more than 10 bytes'; "
                                          "allowed: at most 10 bytes"]
    assert read_bytes(path, "big.json", [], max_bytes=11) == b"x" * 11
