"""biblatex's own example database, read in place from ../shared/ (never copied into the project)."""

import re

import pytest

from conftest import require_shared
from grading.cli import main
from grading.io.bib import load_bibliography
from grading.render.references import format_references


@pytest.fixture(scope="module")
def biblatex_examples():
    return require_shared() / "data" / "real-world" / "biblatex-examples.bib"


def test_all_92_entries_of_15_types_load(biblatex_examples):
    bib, problems = load_bibliography(biblatex_examples, known_types=None)
    assert not [p for p in problems if p.severity == "error"]
    assert len(bib.data.entries) == 92
    assert len({e.type.lower() for e in bib.data.entries.values()}) == 15


def test_every_entry_is_formatted_or_says_why(biblatex_examples):
    bib, _ = load_bibliography(biblatex_examples, known_types=None)
    refs = format_references(bib)
    assert len(refs) == 92 and all(r.text or r.note for r in refs)
    assert sum(bool(r.text) for r in refs) >= 85
    assert all(r.note.startswith("could not be formatted:") for r in refs if not r.text)


def test_biblatex_fields_are_used_where_the_classic_one_is_absent(biblatex_examples):
    bib, _ = load_bibliography(biblatex_examples, known_types=None)
    by_key = {r.key: r for r in format_references(bib)}
    # aksin: journaltitle (an @string macro) and date, no journal or year.
    assert "J Organomet Chem. 2006" in by_key["aksin"].text  # Vancouver drops the abbreviation's periods
    # westfahl:frontier: @incollection inheriting booktitle and editor through crossref.
    assert "Space and Beyond" in by_key["westfahl:frontier"].text


def test_references_command_renders_it_as_markdown(biblatex_examples, capsys):
    assert main(["references", "--bib", str(biblatex_examples), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"(?m)^\d+\\\. ", out)) == 92
