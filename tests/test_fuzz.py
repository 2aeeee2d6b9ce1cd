"""Property tests: whatever bytes or edits reach the loaders, the outcome is a guideline or our own error."""

import csv
import io
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grading import Guideline, ValidationError, load_guideline

BASE = Path(__file__).parent / "bad_inputs" / "base"
FILES = ["references.bib", "evidence/recommendations.csv", "evidence/evidence.csv"]
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
