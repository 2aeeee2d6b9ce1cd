"""Long work shows its progress on a terminal and stays quiet in a pipe, a log or a test."""

from __future__ import annotations

import io
import subprocess
import sys

from conftest import REPO, bib_text
from grading import progress as P
from grading.io.bib import parse_bib


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def terminal(monkeypatch) -> Terminal:
    """Make stderr a terminal for the rest of the test (set in the test: pytest resets stderr after fixtures)."""
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(P, "DELAY", 0.0)
    monkeypatch.setattr(P, "MININTERVAL", 0.0)  # every step drawn, so the test sees the last one
    monkeypatch.delenv("GRADING_PROGRESS", raising=False)
    return err


def test_a_terminal_sees_a_bar_that_reaches_the_end(monkeypatch):
    err = terminal(monkeypatch)
    assert list(P.progress(range(40), desc="fragility")) == list(range(40))
    shown = err.getvalue()
    assert "fragility" in shown and "40/40" in shown


def test_a_pipe_sees_one_line_when_a_long_stage_starts_and_one_when_it_ends(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delenv("GRADING_PROGRESS", raising=False)
    assert list(P.progress(iter(range(5)), desc="quick")) == [0, 1, 2, 3, 4]
    assert err.getvalue() == ""  # a quick stage says nothing: logs stay clean
    monkeypatch.setattr(P, "DELAY", 0.0)
    assert list(P.progress(range(5), desc="fragility")) == [0, 1, 2, 3, 4]
    with P.ticker(3, "parsing .bib") as tick:
        tick()
    assert err.getvalue().splitlines() == ["grading: fragility: 1 of 5 done, going on…",
                                           err.getvalue().splitlines()[1],
                                           "grading: parsing .bib: 1 of 3 done, going on…",
                                           err.getvalue().splitlines()[3]]
    assert err.getvalue().splitlines()[1].startswith("grading: fragility: finished 5 in ")
    assert "\r" not in err.getvalue()  # lines, never a bar's redraws
    monkeypatch.setenv("GRADING_PROGRESS", "0")
    before = err.getvalue()
    assert list(P.progress(range(3), desc="silent")) == [0, 1, 2]
    assert err.getvalue() == before  # GRADING_PROGRESS=0: nothing at all


def test_grading_progress_0_silences_even_a_terminal(monkeypatch):
    err = terminal(monkeypatch)
    monkeypatch.setenv("GRADING_PROGRESS", "0")
    assert list(P.progress([1, 2], desc="x")) == [1, 2]
    assert err.getvalue() == ""


def test_a_quick_run_shows_nothing_before_the_delay(monkeypatch):
    err = terminal(monkeypatch)
    monkeypatch.setattr(P, "DELAY", 60.0)
    list(P.progress(range(1000), desc="quick"))
    assert "quick" not in err.getvalue()


def test_parsing_a_bib_counts_each_entry_once(monkeypatch):
    err = terminal(monkeypatch)
    parsed = parse_bib(bib_text(range(1, 26)))
    assert len(parsed.data.entries) == 25 and not parsed.problems
    assert "25/25" in err.getvalue()


def test_formatting_references_and_fragility_show_their_progress(monkeypatch):
    err = terminal(monkeypatch)
    from grading import fragility_all, load_guideline
    from grading.render.references import format_entries
    g = load_guideline(REPO)
    format_entries(g.bibliography, [1, 4, 5])
    fragility_all(g)
    shown = err.getvalue()
    assert "formatting references" in shown and "3/3" in shown
    assert "fragility" in shown and f"{len(g.records)}/{len(g.records)}" in shown


def test_the_command_in_a_pipe_writes_no_bar(tmp_path):
    out = subprocess.run([sys.executable, "-m", "grading.cli", "audit", "--fragility", "--root", str(REPO)],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "GRADING_CACHE_DIR":
                                                              str(tmp_path)}, timeout=120)
    assert out.returncode == 0 and "\r" not in out.stderr and "it/s" not in out.stderr
    assert all(line.startswith("grading: ") for line in out.stderr.splitlines())  # at most a line per long stage
