"""The bad-input corpus (tests/bad_inputs/): each file swapped into a small valid guideline gets a located error.

`base/` is a valid two-recommendation guideline (fusion 7.1.3-02 and traction 7.2.1-03). Each corpus file
replaces one of its files, chosen by the file name's prefix; `grading validate` must exit 2 with a message
naming the file, the line, the column where there is one, what was found and what is allowed — never a
traceback. Spreadsheet exports that can be read unambiguously are read, and the notice says so.

`scheme-*.toml` files are passed with `--scheme` (`scheme-minimal-ok.toml` is the valid one the others break) and
`list-*.bib` files are rendered with `grading references --bib`. Inputs git cannot hold (a FIFO, a link to
/dev/zero, a revision nested 200,000 deep) are made by the tests below. docs/reliability.md lists every case.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "bad_inputs"
TARGET = {"bib": "references.bib", "recommendations": "evidence/recommendations.csv",
          "evidence": "evidence/evidence.csv",
          "revision": "evidence/revisions/7.1.3-02/20261126T120000.000000Z--kari-nordmann--4714f75a.json",
          "manifest": "guideline.toml", "style": "house.csl"}

# corpus file -> fragments the first error line must hold (file, line, column, found, allowed / message)
CASES = {
    # the guideline's own citation style (swapped in as house.csl, which guideline.toml names)
    "style-plain-text.csl": ["house.csl, line 1", "not well-formed XML"],
    "style-html-page.csl": ["house.csl, line 1", "declares a DOCTYPE or an entity"],
    "style-undefined-entity.csl": ["house.csl, line 3", "not well-formed XML: undefined entity"],
    "style-billion-laughs.csl": ["house.csl, line 2", "declares a DOCTYPE or an entity", "found '<!DOCTYPE'"],
    "style-no-bibliography.csl": ["house.csl, line 1", "a CSL style without <bibliography>"],
    "style-left-open.csl": ["house.csl, line 4", "not well-formed XML: no element found"],
    # guideline.toml nested past what any manifest needs, thousands deep or one level too many
    "manifest-nested-arrays.toml": ["guideline.toml, line 3", "nested more than 32 levels deep"],
    "manifest-nested-inline-tables.toml": ["guideline.toml, line 2", "nested more than 32 levels deep"],
    "manifest-nested-33.toml": ["guideline.toml, line 3", "nested more than 32 levels deep"],
    "bib-unclosed-entry.bib": ["references.bib, line 10", "syntax error", "entry left open"],
    "bib-missing-comma.bib": ["references.bib, line 35", "missing comma"],
    "bib-duplicate-key.bib": ["references.bib, line 44, column key", "duplicate entry key (first on line 27)",
                              "found 'ref091'"],
    "bib-repeated-keys-export.bib": ["references.bib, line 34, column key", "duplicate entry key (first on line 4)",
                                     "found 'fritzell2001'"],
    "bib-duplicate-field.bib": ["references.bib, line 10", "duplicate title field"],
    "bib-undefined-macro.bib": ["references.bib, line 34", "spinejournal"],
    "bib-unknown-entry-type.bib": ["references.bib, line 27, column type", "found '@artikkel'", "allowed:"],
    "bib-latin1.bib": ["references.bib, line 30", "not UTF-8", "found 'byte 0xe6'", "allowed: UTF-8"],
    "bib-empty.bib": ["references.bib, line 1", "empty"],
    # RIS records in a file named .bib are read as RIS (a notice says so); their numbers are not the evidence's
    "bib-ris-records.bib": ["evidence/evidence.csv, line 2 (row 1), column reference", "absent from references.bib",
                            "found '91'"],
    "bib-endnote-tagged.bib": ["references.bib, line 1", "holds no BibTeX entries: it holds EndNote tagged records"],
    "bib-only-comments.bib": ["evidence/evidence.csv, line 2 (row 1), column reference", "absent from references.bib",
                              "found '91'"],
    "bib-refnumber-superscript.bib": ["references.bib, line 44, column refnumber", "found '21²'", "digits 0-9"],
    "bib-refnumber-arabic-indic.bib": ["references.bib, line 44, column refnumber", "found '٢١٩'", "digits 0-9"],
    "bib-refnumber-fullwidth.bib": ["references.bib, line 44, column refnumber", "found '２１９'", "digits 0-9"],
    "recommendations-unknown-level.csv": ["evidence/recommendations.csv, line 2 (row 1), column published_level",
                                          "found '****'", "allowed: ***, **, *, or empty"],
    "recommendations-unknown-strength.csv": ["column published_strength", "found 'svak'", "strong/moderate"],
    "recommendations-misspelt-column.csv": ["column published_level", "'publishd_level' a misspelling"],
    "recommendations-duplicate-id.csv": ["line 3 (row 2), column id", "duplicate id (first on line 2)",
                                         "found '7.1.3-02'"],
    "recommendations-duplicate-column.csv": ["evidence/recommendations.csv, line 1, column id",
                                             "named twice (columns 1 and 16)", "allowed: each column name once"],
    # An id is the guideline's own, in any script, but must start with its row's section (7.2.1 here).
    "recommendations-id-arabic-indic.csv": ["line 3 (row 2), column id", "does not start with the row's section",
                                            "found '٧.٢.١-٠٣'", "allowed: 7.2.1-<nn>"],
    "recommendations-id-not-under-section.csv": ["line 3 (row 2), column id", "does not start with the row's section",
                                                 "found '7.2.1-03'", "allowed: 7.2.2-<nn>"],
    "recommendations-seed-lines-superscript.csv": ["line 3 (row 2), column seed_lines",
                                                   "found '2807-2810;2841-2844;286²'"],
    "recommendations-seed-range-reversed.csv": ["line 3 (row 2), column seed_lines", "found '2810-2807",
                                                "ranges a-b (a <= b)"],
    "recommendations-empty.csv": ["evidence/recommendations.csv, line 1", "empty"],
    "recommendations-latin1.csv": ["evidence/recommendations.csv, line 2", "not UTF-8", "CSV UTF-8"],
    "evidence-missing-column.csv": ["evidence/evidence.csv, line 1, column finding", "is missing"],
    "evidence-duplicate-column.csv": ["evidence/evidence.csv, line 1, column design", "named twice (columns 3 and 10)"],
    "evidence-unknown-design.csv": ["line 2 (row 1), column design", "found 'RCT'", "allowed: guideline"],
    "evidence-unknown-quality.csv": ["column quality", "found 'excellent'", "allowed: good, poor, unclear"],
    "evidence-unknown-recommendation.csv": ["column recommendation_id", "does not exist", "found '7.1.3-99'"],
    "evidence-reference-missing-from-bib.csv": ["column reference", "absent from references.bib", "found '912'"],
    "evidence-reference-superscript.csv": ["line 3 (row 2), column reference", "found '21²'", "digits 0-9"],
    "evidence-reference-arabic-indic.csv": ["line 3 (row 2), column reference", "found '٢١٩'", "digits 0-9"],
    "evidence-reference-fullwidth.csv": ["line 3 (row 2), column reference", "found '２１９'", "digits 0-9"],
    "evidence-empty.csv": ["evidence/evidence.csv, line 1", "empty"],
    "revision-truncated.json": ["evidence/revisions/7.1.3-02/", "line 20", "ends too early", "not valid JSON"],
    "revision-hand-edited-quality.json": ["field 'changes[0].after.quality'", "found 'excellent'",
                                          "allowed: good, poor, unclear"],
    "revision-reference-superscript.json": ["field 'changes[0].after.reference'", "found '91²'", "digits 0-9"],
    "revision-reference-arabic-indic.json": ["field 'changes[0].after.reference'", "found '٩١'", "digits 0-9"],
    "revision-row-value-a-list.json": ["field 'changes[0].after.reference' must be text", "found '[\"91\"]'"],
    "revision-id-trailing-newline.json": ["field 'recommendation_id' is not a recommendation id",
                                          "found '7.1.3-02\\n'"],
    "revision-nested-40-deep.json": ["nests lists or objects too deeply", "found 'more than 32 levels'",
                                     "allowed: 4 levels"],
}

# corpus file -> fragments stderr must hold: read unambiguously (exit 0), and a notice or warning says how.
ACCEPTED = {
    "evidence-spreadsheet-export-ok.csv": ["byte-order mark", "CRLF", "';' as the column separator"],
    "evidence-old-mac-cr-ok.csv": ["notice: evidence/evidence.csv: read old Mac line endings (CR only)"],
    "recommendations-old-mac-cr-ok.csv": ["notice: evidence/recommendations.csv: read old Mac line endings (CR only)"],
    "evidence-trailing-separators-ok.csv": ["evidence/evidence.csv, line 1: 2 columns without a name"],
    "bib-too-many-commas-in-author.bib": ["warning: references.bib, line 13, column author/editor", "too many commas",
                                          "found 'Clarke, J., A., Jr'"],
}

# scheme file -> fragments the first error of `grading reproduce --root base --scheme FILE` must hold
SCHEME_CASES = {
    "scheme-no-catch-all-rule.toml": ["line 76, column level_rules", "must hold whatever the evidence",
                                      "found 'GOOD'"],
    "scheme-ladder-missing-a-level.toml": ["line 66, column ladder", "gives no strength for a level", "found '*'"],
    "scheme-ladder-unknown-strength.toml": ["line 69, column ladder", "found '* = svak'"],
    "scheme-levels-as-strings.toml": ["line 4, column levels", "levels[1] is not a table", "found \"'***'\""],
    "scheme-set-member-not-a-design.toml": ["line 7, column sets.good_design", "unknown design", "found 'RCT'",
                                            "allowed: guideline"],
    "scheme-set-names-a-set.toml": ["line 7, column sets.good_design", "names another set", "found 'synthesis'"],
    "scheme-clauses-not-a-list.toml": ["line 79, column clauses", "level_rules[2]", "found '1'"],
    "scheme-rule-without-clauses.toml": ["line 76, column clauses", "level_rules[2]", "found 'None'"],
    "scheme-consistent-not-true-or-false.toml": ["line 74, column consistent", "must be true or false",
                                                 "found \"'yes'\""],
    "scheme-count-below-one.toml": ["line 79, column good_design", "at least one row", "found 'good_design = -1'"],
    "scheme-misspelt-section.toml": ["line 76, column level_rule", "misspelt section", "allowed: name, title"],
    "scheme-duplicate-level-code.toml": ["line 47, column levels.code", "already used", "found '**'"],
    "scheme-level-rule-unknown-level.toml": ["line 78, column level", "unknown level", "found '****'"],
    "scheme-rules-not-tables.toml": ["line 4, column rules", "rules[1] is not a rule", "found \"'VERY-GOOD'\""],
    "scheme-choice-wrong-kind.toml": ["line 11, column choices.contradiction_lowers", "allowed: true or false"],
    "scheme-mapping-unknown-strength.toml": ["line 102, column mappings.strength", "found \"strong = 'sterk'\""],
    "scheme-not-toml.toml": ["line 16", "not valid TOML"],
}

# list file -> (exit code, fragments of stderr, fragments of stdout) of `grading references --bib FILE`
LIST_CASES = {
    "list-repeated-keys.bib": (0, ["warning: list-repeated-keys.bib, line 34, column key: repeated entry key (first "
                                   "on line 4): the first entry is kept", "line 49, column key",
                                   "(first on line 15)", "found 'Clarke2005'", "4 entries, 4 formatted"],
                               ["[1] Fritzell P, Hägg O", "[2] Clarke JA, van Tulder MW", "[3] Brox JI",
                                "[4] Lærum E, Brox JI, Storheim K"]),
    "list-too-many-commas.bib": (0, ["warning: list-too-many-commas.bib, line 5, column author/editor",
                                     "found 'Clarke, J., A., Jr'", "line 23, column author/editor",
                                     "3 entries, 3 formatted"],
                                 ["[1] Clarke", "van Tulder MW", "[2] Brox JI, Sørensen R", "[3] "]),
    "list-only-comments.bib": (2, ["error: list-only-comments.bib, line 1: the file holds no BibTeX entries",
                                   "1 problem found; no list was rendered."], []),
    "list-ris-records.bib": (0, ["notice: list-ris-records.bib, line 1: named .bib but holds RIS records: read as "
                                 "RIS", "2 entries, 2 formatted"],
                             ["[1] Fritzell P. 2001 Volvo Award Winner", "Spine. 2001;26(23):2521", "[2] Clarke JA"]),
}


def swap_in(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "guideline"
    shutil.copytree(CORPUS / "base", root)
    target = root / TARGET[name.split("-", 1)[0]]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / name, target)
    if name.startswith("style-"):
        (root / "guideline.toml").write_text('title = "Base"\ncitation_style = "house.csl"\n', encoding="utf-8")
    return root


def grading(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def validate(root: Path) -> subprocess.CompletedProcess:
    return grading("validate", "--root", str(root))


def first_error(r: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in r.stderr, r.stderr
    return next(line for line in r.stderr.splitlines() if line.startswith("error: "))


def test_every_corpus_file_has_a_case():
    files = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert files == set(CASES) | set(ACCEPTED) | set(SCHEME_CASES) | set(LIST_CASES) | {"scheme-minimal-ok.toml"}


def test_the_base_guideline_is_valid(tmp_path):
    r = validate(CORPUS / "base")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_located_error_and_exit_2(name, tmp_path):
    r = validate(swap_in(name, tmp_path))
    assert r.returncode == 2
    first = first_error(r)
    for fragment in CASES[name]:
        assert fragment in first, (fragment, first)
    assert "the guideline is not valid" in r.stderr and "nothing was graded" not in r.stderr


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_an_unambiguous_export_is_read_and_said(name, tmp_path):
    r = validate(swap_in(name, tmp_path))
    assert r.returncode == 0, r.stderr
    for fragment in ACCEPTED[name]:
        assert fragment in r.stderr, (fragment, r.stderr)


def test_the_minimal_scheme_grades_the_base_guideline():
    r = grading("reproduce", "--root", str(CORPUS / "base"), "--scheme", str(CORPUS / "scheme-minimal-ok.toml"))
    assert r.returncode == 0, r.stderr
    assert f"Graded by scheme minimal ({CORPUS / 'scheme-minimal-ok.toml'}, given with --scheme)." in r.stdout


@pytest.mark.parametrize("name", sorted(SCHEME_CASES))
def test_a_broken_scheme_file_gets_a_located_error_and_exit_2(name):
    r = grading("reproduce", "--root", str(CORPUS / "base"), "--scheme", str(CORPUS / name))
    assert r.returncode == 2
    first = first_error(r)
    assert first.startswith(f"error: {CORPUS / name}, ")
    for fragment in SCHEME_CASES[name]:
        assert fragment in first, (fragment, first)
    assert "nothing was graded" in r.stderr


@pytest.mark.parametrize("name", sorted(LIST_CASES))
def test_a_reference_list_renders_what_bibtex_would(name):
    code, errs, outs = LIST_CASES[name]
    r = grading("references", "--bib", name, cwd=CORPUS)
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr and "0 entries" not in r.stderr
    for fragment in errs:
        assert fragment in r.stderr, (fragment, r.stderr)
    for fragment in outs:
        assert fragment in r.stdout, (fragment, r.stdout)


# --- inputs git cannot hold, made here ---------------------------------------------------------------------

REVISION = TARGET["revision"]
VOTE = "evidence/votes/7.1.3-02/20261126T120000.000000Z--kari-nordmann--4714f75a.json"


def _deep_revision(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


# (target in the base guideline, how it is made) -> fragments of the first error of `grading validate`
SPECIAL = {
    (REVISION, "nested 200,000 deep"): (_deep_revision, ["nests lists or objects too deeply",
                                                          "deeper than Python's JSON reader follows"]),
    (REVISION, "a link to /dev/zero"): (_dev_zero, ["is not a regular file, so it is not read", "found 'a device'"]),
    (REVISION, "a FIFO"): (_fifo, ["is not a regular file", "found 'a pipe (FIFO)'"]),
    ("references.bib", "a FIFO"): (_fifo, ["references.bib: is not a regular file", "found 'a pipe (FIFO)'"]),
    ("evidence/evidence.csv", "a link to /dev/zero"): (_dev_zero, ["evidence/evidence.csv: is not a regular file",
                                                                   "found 'a device'"]),
    ("evidence/recommendations.csv", "a folder"): (_folder, ["evidence/recommendations.csv: is a folder"]),
    (VOTE, "nested 200,000 deep"): (_deep_revision, ["nests lists or objects too deeply"]),
    (VOTE, "a FIFO"): (_fifo, ["is not a regular file", "found 'a pipe (FIFO)'"]),
    ("evidence/glossary.csv", "a FIFO"): (_fifo, ["evidence/glossary.csv: is not a regular file"]),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs a POSIX system")
@pytest.mark.parametrize("target, what", sorted(SPECIAL))
def test_a_file_that_is_not_a_regular_file_is_refused_without_reading_it(target, what, tmp_path):
    make, fragments = SPECIAL[(target, what)]
    root = tmp_path / "guideline"
    shutil.copytree(CORPUS / "base", root)
    path = root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    make(path)
    r = validate(root)  # a FIFO read would hang and /dev/zero fill memory: the timeout of 120 s would fail it
    assert r.returncode == 2
    first = first_error(r)
    for fragment in fragments:
        assert fragment in first, (fragment, first)


@pytest.mark.parametrize("scheme", ["a folder", "a FIFO"])
def test_a_scheme_option_naming_no_file_is_a_located_error(scheme, tmp_path):
    path = tmp_path / "my-scheme.toml"
    (_folder if scheme == "a folder" else _fifo)(path)
    r = grading("reproduce", "--root", str(CORPUS / "base"), "--scheme", str(path))
    assert r.returncode == 2
    assert first_error(r).startswith(f"error: {path}: is ")
