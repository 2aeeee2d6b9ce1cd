"""Property tests: whatever bytes or edits reach the loaders, the outcome is a guideline or our own error.

Besides random bytes, truncation and cell edits: the classes a hostile tester found — unicode digits and control
characters in any cell, citation number or revision field, revisions nested to any depth, and scheme files edited
anywhere (a scheme that loads must grade any evidence).
"""

import csv
import io
import json
import shutil
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import scheme
from grading import Guideline, ValidationError, load_guideline
from grading.grade import Study
from grading.grade.derive import derive_level, derive_strength
from grading.io.bib import WHOLE_NUMBER
from grading.io.labels import is_rec_id
from grading.revisions import read_revision
from grading.scheme.load import scheme_from_data
from grading.vocab import DESIGNS, FINDINGS, QUALITIES

BASE = Path(__file__).parent / "bad_inputs" / "base"
FILES = ["references.bib", "evidence/recommendations.csv", "evidence/evidence.csv"]
NORWAY = scheme()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def load_or_error(root: Path):
    try:
        return load_guideline(root)
    except ValidationError as e:
        assert e.problems and all(p.file and p.message for p in e.problems)
        return e


def fresh(tmp_path: Path, n: int) -> Path:
    root = tmp_path / f"g{n}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BASE, root)
    return root


counter = iter(range(10**9))


@SETTINGS
@given(which=st.sampled_from(FILES), data=st.binary(max_size=400))
def test_random_bytes_in_any_file(tmp_path, which, data):
    root = fresh(tmp_path, next(counter))
    (root / which).write_bytes(data)
    assert isinstance(load_or_error(root), (Guideline, ValidationError))


@SETTINGS
@given(which=st.sampled_from(FILES), cut=st.floats(0, 1), junk=st.text(max_size=30))
def test_truncated_or_spliced_file(tmp_path, which, cut, junk):
    root = fresh(tmp_path, next(counter))
    text = (root / which).read_text(encoding="utf-8")
    at = int(len(text) * cut)
    (root / which).write_text(text[:at] + junk, encoding="utf-8")
    assert isinstance(load_or_error(root), (Guideline, ValidationError))


@SETTINGS
@given(which=st.sampled_from(FILES[1:]), row=st.integers(0, 6), col=st.integers(0, 20),
       value=st.text(max_size=12) | st.sampled_from(["", "***", "strong/weak", "rct", "good", "7.1.3-02", "91"]))
def test_random_cell_edits(tmp_path, which, row, col, value):
    root = fresh(tmp_path, next(counter))
    rows = list(csv.reader(io.StringIO((root / which).read_text(encoding="utf-8"))))
    r = rows[row % len(rows)]
    r[col % len(r)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (root / which).write_text(out.getvalue(), encoding="utf-8")
    result = load_or_error(root)
    assert isinstance(result, (Guideline, ValidationError))


# --- the classes a hostile tester found: unicode digits, control characters, deep nesting ----------------------

UNICODE_DIGITS = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=4)  # '²', '٢', '２', '½'
CONTROLS = st.text(st.characters(categories=("Cc", "Cf", "Zl", "Zp")), min_size=1, max_size=4)
HOSTILE = st.one_of(UNICODE_DIGITS, CONTROLS, st.tuples(st.sampled_from(["91", "7.1.3-02", "good", "2668-2670"]),
                                                        UNICODE_DIGITS | CONTROLS).map("".join))


@SETTINGS
@given(which=st.sampled_from(FILES[1:]), row=st.integers(1, 6), col=st.integers(0, 20), value=HOSTILE)
def test_unicode_digits_and_control_characters_in_a_cell(tmp_path, which, row, col, value):
    root = fresh(tmp_path, next(counter))
    rows = list(csv.reader(io.StringIO((root / which).read_text(encoding="utf-8"))))
    r = rows[row % len(rows)] if row % len(rows) else rows[1]
    r[col % len(r)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (root / which).write_text(out.getvalue(), encoding="utf-8")
    result = load_or_error(root)
    if isinstance(result, Guideline):  # what loads holds ASCII numbers only
        assert all(ref == "" or (ref.isascii() and ref.isdigit()) for ref in result.evidence["reference"])
        assert all(rid.isascii() and "\n" not in rid for rid in result.recommendations["id"])


@SETTINGS
@given(value=HOSTILE | st.text(max_size=6))
def test_a_citation_number_is_ascii_digits_or_an_error(tmp_path, value):
    root = fresh(tmp_path, next(counter))
    bib = (root / "references.bib").read_text(encoding="utf-8")
    (root / "references.bib").write_text(bib.replace("refnumber      = {219}", "refnumber = {" + value + "}"),
                                         encoding="utf-8")
    result = load_or_error(root)
    if isinstance(result, Guideline):
        assert all(str(n).isascii() for n in result.bibliography.by_number)


# --- the revision reader --------------------------------------------------------------------------------------

REVISION = json.loads((Path(__file__).parent / "bad_inputs" / "revision-hand-edited-quality.json").read_text("utf-8"))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
                    | HOSTILE, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3), max_leaves=12)


def paths(value, prefix=()):
    """Every path into a JSON value, the value itself first."""
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in children:
        yield from paths(v, (*prefix, k))


def replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def read_or_problems(path: Path):
    rev, problems = read_revision(path, NORWAY, "revision.json")
    assert (rev is None) == bool(problems)
    assert all(p.file == "revision.json" and p.message for p in problems)
    return rev


@SETTINGS
@given(data=st.data(), new=JSON)
def test_a_revision_edited_anywhere_reads_back_or_names_its_problem(tmp_path, data, new):
    path = data.draw(st.sampled_from(list(paths(REVISION))))
    file = tmp_path / f"r{next(counter)}.json"
    file.write_text(json.dumps(replaced(REVISION, path, new), ensure_ascii=False), encoding="utf-8")
    rev = read_or_problems(file)
    if rev is not None:
        assert is_rec_id(rev.recommendation_id)
        assert all(WHOLE_NUMBER.match(r) or r == "" for c in rev.changes for r in ((c.after or {}).get("reference", ""),
                                                                                (c.before or {}).get("reference", "")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 300_000), opener=st.sampled_from(["[", '{"changes": ', '{"a": [']))
def test_a_revision_nested_to_any_depth_is_read_or_refused(tmp_path, depth, opener):
    closer = {"[": "]", '{"changes": ': "}", '{"a": [': "]}"}[opener]
    file = tmp_path / f"r{next(counter)}.json"
    file.write_text(opener * depth + "1" + closer * depth, encoding="utf-8")
    assert read_or_problems(file) is None


# --- the scheme loader ----------------------------------------------------------------------------------------

BUNDLED_SCHEME = tomllib.loads((Path(__file__).parents[1] / "src/grading/scheme/bundled/norway-2007.toml")
                               .read_text(encoding="utf-8"))
TOML = st.recursive(st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, allow_infinity=False)
                    | st.sampled_from(["***", "*", "weak", "rct", "good", "synthesis", "L-GOOD", ""]) | HOSTILE,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["code", "level", "clauses", "good_design", "consistent", "stated", "name",
                                         "rct", "x"]), inner, max_size=3), max_leaves=8)
EVIDENCE = st.lists(st.builds(Study, st.sampled_from(list(DESIGNS)), st.sampled_from(list(QUALITIES)),
                              st.sampled_from(list(FINDINGS))), max_size=4)


@SETTINGS
@given(data=st.data(), new=TOML, studies=EVIDENCE)
def test_a_scheme_edited_anywhere_grades_any_evidence_or_names_its_problem(data, new, studies):
    path = data.draw(st.sampled_from([p for p in paths(BUNDLED_SCHEME) if p]))
    problems: list = []
    scheme = scheme_from_data(replaced(BUNDLED_SCHEME, path, new), "edited.toml", problems)
    if any(p.severity == "error" for p in problems):
        assert all(p.file == "edited.toml" and p.message for p in problems)
        return
    level = derive_level(studies, scheme)  # a scheme that loads grades whatever the evidence
    assert level.value in scheme.level_codes
    if scheme.ladder:
        for direction in ("for", "against", "none"):
            assert derive_strength(level.value, direction, None, scheme).value in scheme.strength_codes
