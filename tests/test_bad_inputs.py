"""The bad-input corpus (tests/bad_inputs/): each file swapped into a small valid guideline gets a located error.

`base/` is a valid two-recommendation guideline (fusion 7.1.3-02 and traction 7.2.1-03). Each corpus file
replaces one of its files, chosen by the file name's prefix; `grading validate` must exit 2 with a message
naming the file, the line, the column where there is one, what was found and what is allowed — never a
traceback. Spreadsheet exports that can be read unambiguously are read, and the notice says so.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "bad_inputs"
TARGET = {"bib": "references.bib", "recommendations": "evidence/recommendations.csv",
          "evidence": "evidence/evidence.csv",
          "revision": "evidence/revisions/7.1.3-02/20261126T120000.000000Z--kari-nordmann--4714f75a.json"}

# corpus file -> fragments the first error line must hold (file, line, column, found, allowed / message)
CASES = {
    "bib-unclosed-entry.bib": ["references.bib, line 10", "syntax error", "entry left open"],
    "bib-missing-comma.bib": ["references.bib, line 35", "missing comma"],
    "bib-duplicate-key.bib": ["references.bib, line 44, column key", "duplicate entry key (first on line 27)",
                              "found 'ref091'"],
    "bib-undefined-macro.bib": ["references.bib, line 34", "spinejournal"],
    "bib-unknown-entry-type.bib": ["references.bib, line 27, column type", "found '@artikkel'", "allowed:"],
    "bib-latin1.bib": ["references.bib, line 30", "not UTF-8", "found 'byte 0xe6'", "allowed: UTF-8"],
    "bib-empty.bib": ["references.bib, line 1", "empty"],
    "recommendations-unknown-level.csv": ["evidence/recommendations.csv, line 2 (row 1), column published_level",
                                          "found '****'", "allowed: ***, **, *, or empty"],
    "recommendations-unknown-strength.csv": ["column published_strength", "found 'svak'", "strong/moderate"],
    "recommendations-misspelt-column.csv": ["column published_level", "'publishd_level' a misspelling"],
    "recommendations-duplicate-id.csv": ["line 3 (row 2), column id", "duplicate id (first on line 2)",
                                         "found '7.1.3-02'"],
    "recommendations-empty.csv": ["evidence/recommendations.csv, line 1", "empty"],
    "recommendations-latin1.csv": ["evidence/recommendations.csv, line 2", "not UTF-8", "CSV UTF-8"],
    "evidence-missing-column.csv": ["evidence/evidence.csv, line 1, column finding", "is missing"],
    "evidence-unknown-design.csv": ["line 2 (row 1), column design", "found 'RCT'", "allowed: guideline"],
    "evidence-unknown-quality.csv": ["column quality", "found 'excellent'", "allowed: good, poor, unclear"],
    "evidence-unknown-recommendation.csv": ["column recommendation_id", "does not exist", "found '7.1.3-99'"],
    "evidence-reference-missing-from-bib.csv": ["column reference", "absent from references.bib", "found '912'"],
    "evidence-empty.csv": ["evidence/evidence.csv, line 1", "empty"],
    "revision-truncated.json": ["evidence/revisions/7.1.3-02/", "line 20", "ends too early", "not valid JSON"],
    "revision-hand-edited-quality.json": ["field 'changes[0].after.quality'", "found 'excellent'",
                                          "allowed: good, poor, unclear"],
}


def swap_in(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "guideline"
    shutil.copytree(CORPUS / "base", root)
    target = root / TARGET[name.split("-", 1)[0]]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / name, target)
    return root


def validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grading.cli", "validate", "--root", str(root)],
                          capture_output=True, text=True, timeout=120)


def test_every_corpus_file_has_a_case():
    files = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert files == set(CASES) | {"evidence-spreadsheet-export-ok.csv"}


def test_the_base_guideline_is_valid(tmp_path):
    r = validate(CORPUS / "base")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_located_error_and_exit_2(name, tmp_path):
    r = validate(swap_in(name, tmp_path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    first = next(line for line in r.stderr.splitlines() if line.startswith("error: "))
    for fragment in CASES[name]:
        assert fragment in first, (fragment, first)


def test_a_spreadsheet_export_is_read_and_said(tmp_path):
    r = validate(swap_in("evidence-spreadsheet-export-ok.csv", tmp_path))
    assert r.returncode == 0, r.stderr
    assert "byte-order mark" in r.stderr and "CRLF" in r.stderr and "';' as the column separator" in r.stderr
