"""End to end: a copy of the Revise notebook, outside the repository, served by Voilà as an app (no code shown) on a
copy of the guideline, driven in Chromium: it saves a revision, votes and an appraisal. Every request to anywhere
but the app's own server is aborted and recorded: the app loads nothing from outside the machine."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from browser import (
    ARTIFACTS,
    BROWSER_PANEL,
    appraise_through_widgets,
    chromium_page,
    free_port,
    playwright_or_skip,
    require,
    revise_through_widgets,
    stop_process,
    vote_through_widgets,
    wait_for_port,
)
from conftest import copy_guideline
from grading.io.guideline import load_guideline
from grading.ui.app import voila_command, voila_environment

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "3-revise.ipynb"
REC = "7.1.1-01"


@contextmanager
def served_app(tmp_path: Path, grading_root: Path, screenshot: str):
    """A copy of the Revise notebook outside the repository, served by Voilà through the package's template on
    `grading_root`, open in Chromium; every request to anywhere else is aborted and recorded in the list yielded."""
    expect, sync_playwright = playwright_or_skip()
    require(importlib.util.find_spec("voila") is not None, "voila is not installed (pip install voila)")
    notebook_hash = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    app = tmp_path / "app" / NOTEBOOK.name  # a copy outside the repository, as a working group would keep it
    app.parent.mkdir()
    shutil.copyfile(NOTEBOOK, app)
    token, port = secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    env = voila_environment(dict(os.environ, GRADING_ROOT=str(grading_root), IPYTHONDIR=str(tmp_path / "ipython"),
                                 JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PYTHONPATH=str(REPO / "src")))
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            voila_command(app, ["--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", f"--token={token}"]),
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        wait_for_port(server, port, log, "Voilà")
        with chromium_page(sync_playwright, screenshot, 120_000) as page:
            outside: list[str] = []
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                       else (outside.append(route.request.url), route.abort()))
            page.goto(f"{base}/?token={token}", timeout=180_000)
            yield page, expect, outside
            assert_no_error_box(page)
            assert outside == [], f"the app asked for {outside}"
    finally:
        stop_process(server)
        assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == notebook_hash


def test_revise_app_in_voila_saves_a_revision(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    (root / "evidence" / "panel.csv").write_text(BROWSER_PANEL, encoding="utf-8")  # a panel of three, for votes
    label = f"{REC} {load_guideline(root).recommendations.loc[REC, 'topic_en']}"
    with served_app(tmp_path, root, "revise-voila.png") as (page, expect, _):
        expect(page.locator(".grading-rec-select select")).to_be_visible(timeout=180_000)
        assert page.locator("text=revise_panel(").count() == 0  # the app shows no code
        speaks_to_members(page, expect)
        revise_through_widgets(page, expect, label, root, REC)
        rows_name_their_reference(page, expect)
        vote_through_widgets(page, expect, root, REC)
        appraise_through_widgets(page, expect, root)


def test_a_member_sets_up_the_panel_in_the_app(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    with served_app(tmp_path, root, "revise-voila-panel.png") as (page, expect, _):
        expect(page.locator(".grading-rec-select select")).to_be_visible(timeout=180_000)
        page.locator(".grading-parts .lm-TabBar-tab", has_text="Panel").click()
        part = page.locator(".grading-parts")
        expect(part.locator(".grading-panel-message")).to_contain_text("No panel yet")
        for n, (name, role, recused) in enumerate((("Kari Nordmann", "chair", ""),
                                                   ("Ola Berg", "chiropractor", "MANIPULASJON"))):
            part.locator("button.grading-panel-add").click()
            part.locator(f".grading-panel-member-{n} input").fill(name)
            part.locator(f".grading-panel-role-{n} input").fill(role)
            part.locator(f".grading-panel-recused-{n} input").fill(recused)
        part.locator(".grading-panel-editor input").fill("Kari Nordmann")
        part.locator("button.grading-panel-save").click()
        expect(part.locator(".grading-panel-message")).to_contain_text("Panel saved: 2 members")
        expect(part.locator("button.grading-panel-remove-1")).to_have_text("Remove Ola Berg")
        page.locator(".grading-parts .lm-TabBar-tab", has_text="Votes").click()
        expect(page.locator(".grading-tally")).to_contain_text("No votes yet; 2 members on the panel")
    text = (root / "evidence" / "panel.csv").read_text(encoding="utf-8")
    assert text == "member,role,interests,recused\nKari Nordmann,chair,,\nOla Berg,chiropractor,,MANIPULASJON\n"


def test_without_a_guideline_the_app_says_so_in_words(tmp_path):
    with served_app(tmp_path, tmp_path / "nowhere", "revise-voila-nowhere.png") as (page, expect, _):
        expect(page.locator(".grading-unavailable").first).to_contain_text("cannot be opened", timeout=180_000)
        expect(page.locator("body")).to_contain_text("no guideline is open")


def speaks_to_members(page, expect) -> None:
    """A proper title; no developer's words, file paths or prompts to run cells; rows with headings and names."""
    expect(page).to_have_title("Revise the guideline")
    body = page.locator("body").inner_text()
    for word in ("GRADING_ROOT", "3-revise", "Run this cell", "evidence/", ".csv", ".toml", "references.bib"):
        assert word not in body, word
    expect(page.locator(".grading-row-headings")).to_contain_text("Design")


def rows_name_their_reference(page, expect) -> None:
    """Each row's dropdowns and remove button are named after its reference, as a screen reader reads them."""
    expect(page.locator(".grading-row-label-0")).to_contain_text(re.compile(r"^ref 321 \(.+: .+\)"))
    expect(page.locator(".grading-row-documentation-0")).not_to_be_empty()
    quality = page.locator(".grading-quality-0 select")
    expect(quality).to_have_accessible_name(re.compile(r"^Quality of ref 321 \(.+\)$"))
    expect(page.locator("button.grading-remove-0")).to_have_text(re.compile(r"^Remove ref 321 \(.+\)$"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "revise-voila-evidence.png"), full_page=True)


def assert_no_error_box(page) -> None:
    """No cell's error reached the page: no standard-error output, no traceback."""
    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    assert "Traceback" not in page.locator("body").inner_text()


def test_the_revise_app_shows_a_grade_guideline_s_summary_of_findings_acp_2017(tmp_path):
    root = tmp_path / "acp-2017"
    shutil.copytree(REPO / "docs" / "examples" / "acp-2017", root)
    with served_app(tmp_path, root, "revise-voila-acp.png") as (page, expect, _):
        expect(page.locator(".grading-rec-select select")).to_be_visible(timeout=180_000)
        sof = page.locator(".grading-summary-of-findings")
        expect(sof).to_contain_text("Summary of findings: 1-01", timeout=60_000)
        expect(sof).to_contain_text("⊕⊕◯◯")  # ACP's low, of four levels
        expect(page.locator(".grading-derived-level")).to_contain_text("Derived certainty")
        expect(page.locator(".grading-verdict")).to_contain_text("stronger than evidence")
        label = f"3-01 {load_guideline(root).recommendations.loc['3-01', 'topic_en']}"
        page.locator(".grading-rec-select select").select_option(label=label)
        expect(sof).to_contain_text("Summary of findings: 3-01")
        expect(page.locator(".grading-verdict")).to_contain_text("agree")


def test_a_panel_records_its_evidence_to_decision_in_the_app_acp_2017(tmp_path):
    root = tmp_path / "acp-2017"
    shutil.copytree(REPO / "docs" / "examples" / "acp-2017", root)
    with served_app(tmp_path, root, "revise-voila-etd.png") as (page, expect, _):
        expect(page.locator(".grading-rec-select select")).to_be_visible(timeout=180_000)
        page.locator(".grading-parts .lm-TabBar-tab", has_text="Evidence to decision").click()
        part = page.locator(".grading-parts .grading-etd")
        expect(part.locator(".grading-etd-source")).to_contain_text("No EtD is recorded for this recommendation yet")
        expect(part.locator(".grading-etd-sof")).to_contain_text("Summary of findings: 1-01")
        expect(part.locator(".grading-etd-criterion-feasibility")).to_contain_text(
            "Is the intervention feasible to implement?")
        effects = part.locator(".grading-etd-judgement-desirable-effects select")
        expect(effects).to_have_accessible_name("Judgement on desirable effects")
        expect(part.locator(".grading-etd-evidence-desirable-effects textarea")).to_have_accessible_name(
            "Research evidence on desirable effects")
        save, message = part.locator("button.grading-etd-save"), part.locator(".grading-etd-message")
        expect(save).to_be_disabled()
        effects.select_option(label="moderate")
        part.locator(".grading-etd-judgement-undesirable-effects select").select_option(label="small")
        part.locator(".grading-etd-judgement-balance-of-effects select").select_option(
            label="probably favors the intervention")
        part.locator(".grading-etd-evidence-desirable-effects textarea").fill("Heat wrap reduces pain at 5 days.")
        part.locator(".grading-etd-strength select").select_option(label="Weak recommendation")
        part.locator(".grading-etd-direction select").select_option(label="for the intervention")
        expect(message).to_contain_text("Author is required")
        part.locator(".grading-etd-author input").fill("Kari Nordmann")
        expect(message).to_contain_text("Ready to save")
        expect(save).to_be_enabled()
        save.click()
        saved = part.locator(".grading-etd-saved")
        expect(saved).to_contain_text("EtD saved:")
        expect(part.locator(".grading-etd-history")).to_contain_text("1 saved, by Kari Nordmann")
        files = list((root / "evidence" / "etd" / "1-01").glob("*.json"))
        assert len(files) == 1 and files[0].name in saved.inner_text()
        data = json.loads(files[0].read_text(encoding="utf-8"))
        assert {k: v["judgement"] for k, v in data["criteria"].items()} == {
            "desirable_effects": "moderate", "undesirable_effects": "small",
            "balance_of_effects": "probably favors the intervention"}
        assert data["criteria"]["desirable_effects"]["evidence"] == "Heat wrap reduces pain at 5 days."
        assert (data["conclusion"]["strength"], data["conclusion"]["direction"]) == ("weak", "for")
        assert data["author"] == "Kari Nordmann" and data["recommendation_id"] == "1-01"


def test_the_bundled_guideline_s_etd_in_the_app_is_what_its_text_records(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    label = f"6.2-01 {load_guideline(root).recommendations.loc['6.2-01', 'topic_en']}"
    with served_app(tmp_path, root, "revise-voila-etd-bundled.png") as (page, expect, _):
        expect(page.locator(".grading-rec-select select")).to_be_visible(timeout=180_000)
        page.locator(".grading-rec-select select").select_option(label=label)
        page.locator(".grading-parts .lm-TabBar-tab", has_text="Evidence to decision").click()
        part = page.locator(".grading-parts .grading-etd")
        expect(part.locator(".grading-etd-source")).to_contain_text("as the guideline's text records it")
        # recommendations.csv, 6.2-01: validity yes, applicability yes, benefit and harm unrecorded
        for key, judged in (("validity", "yes"), ("applicability", "yes"), ("benefit-harm", "unrecorded")):
            select = part.locator(f".grading-etd-judgement-{key} select")
            expect(select).to_have_value(re.compile(".+"))
            assert select.evaluate("s => s.options[s.selectedIndex].text") == judged, key
