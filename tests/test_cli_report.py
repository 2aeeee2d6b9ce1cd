"""`grading report`: writes the tables as HTML or Markdown, atomically; a bad output path exits 2."""

import subprocess
import sys

from conftest import REPO, ev, rec
from grading import load_scheme
from grading.cli import main
from grading.io.guideline import load_guideline
from grading.revisions import Change, new_revision, save_revision

SCHEME = load_scheme("norway-2007")


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_report_html_through_main(tmp_path, capsys):
    out = tmp_path / "tables.html"
    assert main(["report", "--format", "html", "--output", str(out), "--root", str(REPO)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<tr id="rec-') == 67
    assert f"wrote {out} (html, as published)" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["tables.html"]  # no temporary file left behind


def test_report_format_follows_the_file_name_when_not_given(tmp_path):
    out = tmp_path / "tables.md"
    assert main(["report", "--output", str(out), "--root", str(REPO)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Korsryggsmerter")


def test_report_markdown_in_a_subprocess_replaces_an_existing_file(tmp_path):
    out = tmp_path / "tables.md"
    out.write_text("old report", encoding="utf-8")
    r = run("report", "--format", "md", "--output", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "## 7.2.1 Nerverotaffeksjon: ikke-medikamentell behandling" in text and "old report" not in text


def test_report_to_a_missing_folder_exits_2_with_a_clear_message(tmp_path):
    r = run("report", "--format", "html", "--output", str(tmp_path / "nowhere" / "r.html"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert f"error: cannot write {tmp_path / 'nowhere' / 'r.html'}: the folder {tmp_path / 'nowhere'} does not exist" \
        in r.stderr


def test_report_to_a_folder_exits_2(tmp_path, capsys):
    assert main(["report", "--format", "md", "--output", str(tmp_path), "--root", str(REPO)]) == 2
    assert "it is a folder" in capsys.readouterr().err


def test_report_with_an_unknown_format_is_a_usage_error(tmp_path):
    r = run("report", "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    assert r.returncode == 2 and "invalid choice: 'pdf'" in r.stderr


def test_report_on_a_bad_guideline_exits_2_and_writes_nothing(make_guideline, tmp_path):
    root = make_guideline(recs=[rec(level="****")])
    out = root / "r.html"
    r = run("report", "--output", str(out), "--root", str(root))
    assert r.returncode == 2 and "column published_level" in r.stderr and not out.exists()


def test_report_revised_applies_the_saved_revisions(make_guideline):
    root = make_guideline(recs=[rec(id="7.1.3-01", strength="moderate", level="**")],
                          evidence=[ev(rid="7.1.3-01", reference="91")])
    g = load_guideline(root)
    row = dict(ev(rid="7.1.3-01", reference="91"), quality="poor", documentation="Re-appraised: poor RCT")
    rev = new_revision(SCHEME, "7.1.3-01", "Kari Nordmann", "The RCT was re-appraised", {},
                       [Change("edit", ev(rid="7.1.3-01", reference="91"), row)], justification="Clinical experience")
    save_revision(g, rev, check=False)
    out = root / "revised.md"
    r = run("report", "--revised", "--output", str(out), "--root", str(root))
    assert r.returncode == 0, r.stderr
    assert "revised, 1 revision applied" in r.stdout
    text = out.read_text(encoding="utf-8")
    assert "Kari Nordmann: The RCT was re-appraised" in text and "Re-appraised: poor RCT" in text
    assert "level derived from the evidence \\*\\* → \\*" in text
    published = root / "published.md"
    assert run("report", "--output", str(published), "--root", str(root)).returncode == 0
    assert "Kari Nordmann" not in published.read_text(encoding="utf-8")
