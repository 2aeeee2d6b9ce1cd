"""Output that cannot be turned against its reader: Markdown, the terminal, plots, CSV for spreadsheets, HTML pages.

A hostile tester put line breaks, escape sequences and markup into the fields of a guideline; each output shows
them as text and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
import re

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib import cbook  # noqa: E402

from conftest import REPO, ev, rec  # noqa: E402
from grading.cli import main  # noqa: E402
from grading.io.files import spreadsheet_cell, spreadsheet_csv, write_spreadsheet_csv  # noqa: E402
from grading.io.guideline import load_guideline  # noqa: E402
from grading.render import plots  # noqa: E402
from grading.render.markdown import md_cell, md_escape  # noqa: E402
from grading.render.report import publish, to_html, to_markdown  # noqa: E402
from grading.render.text import terminal_safe  # noqa: E402
from grading.revisions import apply_revisions, new_revision, save_revision  # noqa: E402

# Every line break a Markdown reader or str.splitlines honours, each followed by markup it would start.
BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
INJECTED = "".join(f"{b}# INJECTED {i}{b}| cell |{b}- item{b}1. one{b}> quote" for i, b in enumerate(BREAKS))
ESCAPES = "\x1b]0;owned\x07\x1b[2K\x1b[31m\x9b2J\u202egnp.exe"
INJECTED += ESCAPES


@pytest.fixture
def hostile(make_guideline):
    root = make_guideline(
        recs=[rec("7.1.3-01", topic="TOP\x1b[2K", topic_en="Fusion $x_$ costs $5 and $10",
                  text="Det anbefales" + INJECTED, justification="fordi" + INJECTED),
              rec("7.1.3-02", topic="ANDRE", topic_en="Other $", strength="strong", level="*")],
        evidence=[ev("7.1.3-01", documentation="doc" + INJECTED + ESCAPES), ev("7.1.3-02")])
    g = load_guideline(root)
    save_revision(g, new_revision(g.scheme, "7.1.3-01", "Kari" + ESCAPES, "grunn" + INJECTED, {},
                                  published_strength="moderate", justification="fordi" + INJECTED))
    return g


# --- Markdown ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("brk", BREAKS)
def test_every_line_break_in_a_markdown_field_is_normalised(brk):
    for escaped in (md_escape(f"a{brk}# b"), md_cell(f"a{brk}# b")):
        assert re.split(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", escaped) == [escaped]
        assert "\\#" in escaped


def test_markdown_structure_at_the_start_of_a_text_is_escaped():
    assert [md_escape(t) for t in ("- item", "+ item", "1. one", "12) x", "> quote", "=== ", "# h")] == \
        ["\\- item", "\\+ item", "1\\. one", "12\\) x", "\\> quote", "\\=== ", "\\# h"]
    assert md_escape("a - b, 2 recommendations, -0.5") == "a - b, 2 recommendations, -0.5"  # only at the start
    assert md_escape("bell\x07 nul\x00") == "bell\ufffd nul\ufffd"  # no Markdown escape exists: shown, not dropped


def test_the_markdown_report_holds_only_its_own_headings_and_rows(hostile):
    revised = apply_revisions(hostile)
    assert len(revised.applied) == 1
    for text in (to_markdown(hostile), to_markdown(hostile, revised)):
        lines = re.split(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text)
        headings = [ln for ln in lines if ln.startswith("#")]
        assert len(headings) == 4 and headings[1].startswith("## 7.1.3") and headings[3].startswith("## ")
        assert headings[2] == "## Appraisals by the working group"  # none saved: one calm line, no table
        assert not any("INJECTED" in h for h in headings)
        rows = [ln for ln in lines if ln.startswith("|")]
        assert len(rows) == 4 and all(len(re.findall(r"(?<!\\)\|", r)) == 4 for r in rows)  # header, rule, 2 rows
        assert not any(ln.lstrip().startswith(("- ", "> ", "1. ")) for ln in lines)


# --- the terminal --------------------------------------------------------------------------------------

def test_terminal_safe_shows_every_control_character_as_an_escape():
    shown = terminal_safe(ESCAPES + "\n\t")
    assert shown == "\\u001b]0;owned\\u0007\\u001b[2K\\u001b[31m\\u009b2J\\u202egnp.exe\\u000a\\u0009"
    assert terminal_safe("a\nb\tc\x1b", lines=True) == "a\nb\tc\\u001b"
    assert terminal_safe("Lærum – Ødegård ✓") == "Lærum – Ødegård ✓"


@pytest.mark.parametrize("argv", [["reproduce"], ["audit"], ["audit", "--fragility"], ["validate"],
                                  ["references"], ["report", "--revised", "--output", "OUT"]])
def test_no_command_prints_a_control_character_from_the_data(hostile, argv, capsys, tmp_path):
    argv = [str(tmp_path / "out.md") if a == "OUT" else a for a in argv]
    assert main([*argv, "--root", str(hostile.root)]) == 0
    out, err = capsys.readouterr()
    for stream in (out, err):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", stream), repr(stream)
    if argv == ["reproduce"]:
        assert "TOP\\u001b[2K" in out


def test_json_output_escapes_control_characters_and_still_reads_back(hostile, capsys):
    assert main(["reproduce", "--format", "json", "--root", str(hostile.root)]) == 0
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\u202e" not in out
    assert json.loads(out)[0]["topic"] == "TOP\x1b[2K"
    assert "\\u009b" in out and json.loads(out)[0]["text"].endswith(ESCAPES)


# --- plots ---------------------------------------------------------------------------------------------

def test_a_topic_with_dollar_signs_is_drawn_literally_on_the_evidence_map(hostile):
    fig = plots.evidence_map(hostile)
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise on '$x_$': it must draw
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [t.replace("\\$", "$") for t in labels] == ["Fusion $x_$ costs $5 and $10", "Other $"]
    assert not any(cbook.is_math_text(t) for t in labels)  # never parsed as mathtext: shown as written


# --- CSV for spreadsheets ------------------------------------------------------------------------------

def test_a_cell_a_spreadsheet_would_run_is_made_text():
    cells = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-0.5", "+3", "12", "a=b",
             "", None]
    assert [spreadsheet_cell(c) for c in cells] == [
        "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "-0.5", "+3", "12", "a=b",
        "", ""]


def test_every_csv_the_toolkit_writes_neutralises_formulas(tmp_path):
    text = spreadsheet_csv(["id", "=topic"], [["7.1.3-01", "=cmd|' /C calc'!A0"], ["7.1.3-02", "-0.5"]])
    assert list(csv.reader(io.StringIO(text))) == [["id", "'=topic"], ["7.1.3-01", "'=cmd|' /C calc'!A0"],
                                                   ["7.1.3-02", "-0.5"]]
    path = write_spreadsheet_csv(tmp_path / "worklist.csv", ["id"], [["@x"]])
    assert path.read_text(encoding="utf-8") == "id\n'@x\n"


# --- HTML pages ----------------------------------------------------------------------------------------

def _head(page: str) -> str:
    return page[:page.index("<title>")]


def test_the_reference_list_page_has_the_report_frame_and_its_policy(capsys, tmp_path):
    g = load_guideline(REPO)
    assert main(["references", "--format", "html", "--root", str(REPO)]) == 0
    page = capsys.readouterr().out
    report = to_html(g, sections=["7.2.1"])
    csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    assert page.startswith('<!DOCTYPE html>\n<html lang="no">') and csp in page and csp in report
    assert _head(page) == _head(report)
    assert page.rstrip().endswith("</ol>\n</body>\n</html>") and "<script" not in page
    assert publish(g, tmp_path / "r.html").read_text(encoding="utf-8") == to_html(g)
