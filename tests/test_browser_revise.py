"""End to end: the Revise notebook in JupyterLab, driven in Chromium by Playwright, saves a revision to disk."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from browser import (
    BROWSER_PANEL,
    ROOT_FLAG,
    chromium_page,
    free_port,
    lab_settings,
    playwright_or_skip,
    revise_through_widgets,
    stop_server,
    vote_through_widgets,
    wait_for_server,
)
from conftest import copy_guideline
from grading.io.guideline import load_guideline

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "3-revise.ipynb"
REC = "7.1.1-01"  # general activity: strong on a guideline the text calls very well documented (ref 321)


KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""
RUN_ALL = """async (ms) => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:clear-all-cell-outputs');
  const run = app.commands.execute('notebook:run-all-cells');
  const late = new Promise((_, no) => setTimeout(() => no(new Error('cells still running after ' + ms + ' ms')), ms));
  return await Promise.race([run, late]);
}"""


def test_revise_notebook_in_a_browser_saves_a_revision_and_casts_votes(tmp_path):
    expect, sync_playwright = playwright_or_skip()
    root = copy_guideline(tmp_path / "guideline")
    (root / "evidence" / "panel.csv").write_text(BROWSER_PANEL, encoding="utf-8")  # a panel of three, for votes
    label = f"{REC} {load_guideline(root).recommendations.loc[REC, 'topic_en']}"
    notebook_hash = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    token, port = secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GRADING_ROOT=str(root), JUPYTERLAB_SETTINGS_DIR=str(lab_settings(tmp_path / "settings")),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               IPYTHONDIR=str(tmp_path / "ipython"))
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={REPO / 'notebooks'}", "--LabApp.expose_app_in_browser=True",
             f"--FileCheckpoints.checkpoint_dir={tmp_path / 'checkpoints'}",  # not beside the repository's notebook
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *ROOT_FLAG],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        wait_for_server(server, f"{base}/api/status?token={token}", log)
        with chromium_page(sync_playwright, "revise.png", 60_000) as page:
            drive(page, expect, base, token, label, root)
    finally:
        stop_server(server, base, token)
        if hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() != notebook_hash:
            pytest.fail("JupyterLab wrote to notebooks/3-revise.ipynb during the test; restore it with git")


def drive(page, expect, base: str, token: str, label: str, root: Path) -> None:
    """Run the notebook, change a row's quality, justify, save; vote; check the page and the files on disk."""
    page.goto(f"{base}/lab/tree/3-revise.ipynb?token={token}", timeout=120_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.evaluate(RUN_ALL, 240_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    expect(page.locator(".jp-OutputArea-output").filter(has=page.locator(".grading-rec-select"))).to_have_count(1)
    revise_through_widgets(page, expect, label, root, REC)
    vote_through_widgets(page, expect, root, REC)
