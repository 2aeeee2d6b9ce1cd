"""A guideline that is not the bundled one — the made-up neck-pain example in docs/examples/ — runs through every
command, every notebook and the Revise app under its own title and section names, with no word of the 2007
guideline; the bundled guideline runs through the same commands under its own."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import EXAMPLE, REPO, copy_guideline
from grading.cli import main
from grading.io.guideline import load_guideline
from test_notebooks_outside import NOTEBOOKS, run_notebooks, written_folder

# Words only the bundled guideline uses: its title, its years, its phases and groups, its report's headings, its
# scheme's Norwegian names. None may reach an output of another guideline.
BUNDLED_WORDS = ("Korsrygg", "korsrygg", "2007", "akutt", "subakutt", "langvarig", "nerverot", "røde flagg",
                 "Anbefal", "Dokumentasjon", "Nivå", "Referanser", "Sterk grad", "Meget god", "Norwegian", "FORMI")
GUIDELINES = {"bundled": REPO, "example": EXAMPLE}


def bundled_words(text: str) -> list[str]:
    return [w for w in BUNDLED_WORDS if w in text]


def new_study(root):
    """The guideline's own new-study folder, else the repository's example."""
    own = root / "new-study"
    return own if own.is_dir() else REPO / "docs" / "examples" / "new-study"


def commands(root, out):
    return [["validate"], ["reproduce"], ["reproduce", "--format", "json"], ["audit"], ["audit", "--fragility"],
            ["impact", str(new_study(root))], ["references"], ["references", "--format", "html"],
            ["report", "--format", "html", "--output", str(out / "report.html")],
            ["report", "--format", "md", "--output", str(out / "report.md")]]


@pytest.mark.parametrize("which", sorted(GUIDELINES))
def test_every_command_runs_under_the_guidelines_own_words(which, tmp_path, capsys):
    root = GUIDELINES[which]
    manifest = load_guideline(root).manifest
    seen = []
    for argv in commands(root, tmp_path):
        assert main([*argv, "--root", str(root)]) == 0, argv
        out = capsys.readouterr()
        assert "Traceback" not in out.err
        seen += [out.out, out.err]
    html, md = (tmp_path / "report.html").read_text(encoding="utf-8"), (tmp_path / "report.md").read_text("utf-8")
    assert md.startswith(f"# {manifest.heading}\n") and f"<title>{manifest.heading}</title>" in html
    assert f'<html lang="{manifest.language}">' in html and f"## {manifest.references_heading}" in md
    for number, title in manifest.sections.items():
        assert f"## {number} {title}" in md
    assert "| " + " | ".join(manifest.columns) + " |" in md
    if which == "example":
        assert not bundled_words("\n".join([*seen, html, md]))
        assert "Graded by scheme neck-pain-example (scheme.toml, named by guideline.toml)" in md


def test_the_example_is_what_its_folder_says():
    g = load_guideline(EXAMPLE)
    assert g.manifest.heading == "Neck pain in primary care: a made-up example (2026)"
    assert "made-up" in (EXAMPLE / "guideline.toml").read_text(encoding="utf-8").lower()
    assert "INVENTED" in (EXAMPLE / "references.bib").read_text(encoding="utf-8")
    assert set(g.recommendations["diagnostic_group"]) <= set(g.manifest.values("diagnostic_group"))
    # a Zotero export: DOIs, urls, abstracts and file fields, cited by key in the evidence table
    bib = (EXAMPLE / "references.bib").read_text(encoding="utf-8")
    assert all(f"\t{field} = " in bib for field in ("doi", "url", "abstract", "file"))
    assert all(g.key_of(r) == r for r in g.evidence["reference"] if r)


@pytest.fixture(scope="module")
def executed_with_the_example(tmp_path_factory):
    """Every notebook, copied outside the repository, executed there with GRADING_ROOT at a copy of the example:
    name -> the text of its outputs."""
    folder = tmp_path_factory.mktemp("example")
    root = folder / "neck-pain"
    shutil.copytree(EXAMPLE, root)
    return root, run_notebooks(folder / "notebooks", root)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_shows_the_example_and_no_word_of_the_bundled_guideline(executed_with_the_example, name):
    root, texts = executed_with_the_example
    text = texts[name]
    assert not bundled_words(text), bundled_words(text)
    assert "neck-pain-example" in text or "Neck pain in primary care" in text
    assert "Traceback" not in text
    if name.startswith("5-"):
        assert not (root / "reports").exists()  # nothing written into the guideline's folder unasked
        report = (written_folder(text) / "guideline-published.md").read_text(encoding="utf-8")
        assert "## 4.2 Non-specific neck pain: treatment" in report and not bundled_words(report)


def test_the_revise_app_serves_the_example_in_voila(tmp_path):
    """The Revise notebook as Voilà serves it, driven in Chromium, with GRADING_ROOT at a copy of the example."""
    import importlib.util

    from browser import chromium_page, free_port, playwright_or_skip, require, stop_process, wait_for_port
    from grading.ui.app import voila_command, voila_environment
    expect, sync_playwright = playwright_or_skip()
    require(importlib.util.find_spec("voila") is not None, "voila is not installed (pip install voila)")
    root = tmp_path / "neck-pain"
    shutil.copytree(EXAMPLE, root)
    port = free_port()
    env = voila_environment(dict(os.environ, GRADING_ROOT=str(root), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                                 IPYTHONDIR=str(tmp_path / "ipython")))
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(voila_command(REPO / "notebooks" / "3-revise.ipynb",
                                                ["--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                                                 "--token=example"]),
                                  cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(server, port, log, "Voilà")
        with chromium_page(sync_playwright, "revise-voila-example.png", 120_000) as page:
            page.goto(f"http://127.0.0.1:{port}/?token=example", timeout=180_000)
            select = page.locator(".grading-rec-select select")
            expect(select).to_be_visible(timeout=180_000)
            page.select_option(".grading-rec-select select", value="4.2-01 Exercise therapy")
            expect(page.locator(".grading-derived-strength")).to_contain_text("strong")
            page.select_option(".grading-quality-0 select", value="poor")
            expect(page.locator(".grading-derived-strength")).to_contain_text("moderate")
            text = page.locator("body").inner_text()
            assert "Neck pain in primary care" in text and "neck-pain-example" in text
            assert not bundled_words(text), bundled_words(text)
    finally:
        stop_process(server)


def test_a_copy_of_the_bundled_guideline_keeps_its_words(tmp_path, capsys):
    root = copy_guideline(tmp_path / "copy")
    assert main(["report", "--root", str(root), "--output", str(tmp_path / "r.md")]) == 0
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Korsryggsmerter")
    assert re.search(r"## 6\.2 Anamnese", (tmp_path / "r.md").read_text(encoding="utf-8"))


def test_the_site_and_the_exports_of_the_example_keep_to_its_own_words(tmp_path, capsys):
    site, fhir, whole = tmp_path / "site", tmp_path / "guideline.fhir.json", tmp_path / "guideline.json"
    for argv in (["site", str(site)], ["export", "--format", "fhir", str(fhir)],
                 ["export", "--format", "json", str(whole)]):
        assert main([*argv, "--root", str(EXAMPLE)]) == 0, argv
        assert "Traceback" not in capsys.readouterr().err
    manifest = load_guideline(EXAMPLE).manifest
    pages = {p.name: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert len([p for p in site.glob("rec/*.html")]) == len(load_guideline(EXAMPLE).records)
    assert manifest.title in pages["index.html"]
    for text in (*pages.values(), fhir.read_text(encoding="utf-8"), whole.read_text(encoding="utf-8")):
        assert not bundled_words(text)
