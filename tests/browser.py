"""Shared parts of the browser tests: Debian's Chromium via Playwright, and servers started on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def require(ok: bool, reason: str) -> None:
    """Skip with the reason on a developer's machine; fail under CI, where the test must run."""
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required under CI)")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_settings(folder: Path) -> Path:
    """User settings that keep JupyterLab from writing the notebook back or reaching the network."""
    for plugin, values in {"docmanager-extension/plugin": {"autosave": False},
                           "apputils-extension/notification": {"checkForUpdates": False, "fetchNews": "false"}
                           }.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return folder


def wait_for_server(proc: subprocess.Popen, url: str, log: Path, timeout: float = 90, name: str = "JupyterLab") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{name} did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop_server(proc: subprocess.Popen, base: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then make sure it is gone."""
    try:
        req = urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                     headers={"Authorization": f"token {token}"})
        urllib.request.urlopen(req, timeout=10).close()
        proc.wait(30)
    except (OSError, subprocess.TimeoutExpired):
        pass
    stop_process(proc)


def wait_for_port(proc: subprocess.Popen, port: int, log: Path, name: str, timeout: float = 90) -> None:
    """Wait until a server accepts connections on 127.0.0.1:port, failing with its log if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"{name} did not listen within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a server started in its own session, then kill it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(15)


def playwright_or_skip():
    """Playwright's sync API, after checking that Debian's Chromium is there."""
    require(CHROMIUM.is_file(), f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install playwright; never `playwright install`)")
    return expect, sync_playwright


@contextmanager
def chromium_page(sync_playwright, screenshot: str, timeout_ms: int, bypass_csp: bool = False):
    """A page in headless Debian Chromium; a full-page screenshot is kept in tests/artifacts/ whatever happens
    (`bypass_csp`: the page's policy lets the test inject a checker such as axe-core)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, bypass_csp=bypass_csp)
            page.set_default_timeout(timeout_ms)
            try:
                yield page
            finally:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        finally:
            browser.close()


ROOT_FLAG = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # CI runs as root


def revise_through_widgets(page, expect, label: str, root: Path, rec: str) -> None:
    """Choose a recommendation, downgrade its first row, justify and save; check the page and the file on disk."""
    page.select_option(".grading-rec-select select", value=label)
    expect(page.locator(".grading-row-label-0")).to_contain_text("ref 321")
    strength, explanation = page.locator(".grading-derived-strength"), page.locator(".grading-explanation")
    expect(strength).to_contain_text("strong")
    before = explanation.inner_text()
    assert "L-VERY-GOOD" in before

    page.select_option(".grading-quality-0 select", value="poor")
    expect(strength).to_contain_text("weak")
    expect(explanation).not_to_have_text(before)
    assert "L-LACKING" in explanation.inner_text()
    expect(page.locator(".grading-verdict")).to_contain_text("stronger than evidence")

    save = page.locator("button.grading-save")
    page.fill(".grading-author input", "Kari Nordmann")
    page.fill(".grading-rationale textarea", "The guideline behind general activity is of poor quality.")
    expect(page.locator(".grading-message")).to_contain_text("A justification is required")
    expect(save).to_be_disabled()
    page.fill(".grading-justification textarea", "Staying active carries little risk of harm.")
    expect(save).to_be_enabled()
    save.click()
    saved = page.locator(".grading-saved-path")
    expect(saved).to_contain_text("Saved:")
    expect(page.locator(".grading-diff")).to_contain_text("derived strength: strong -> weak")

    files = list((root / "evidence" / "revisions" / rec).glob("*.json"))
    assert len(files) == 1 and files[0].name in saved.inner_text()  # its name: the app shows members no paths
    data = json.loads(files[0].read_text(encoding="utf-8"))
    (change,) = data["changes"]
    assert change["action"] == "edit" and change["before"]["reference"] == change["after"]["reference"] == "321"
    assert (change["before"]["quality"], change["after"]["quality"]) == ("good", "poor")
    assert data["author"] == "Kari Nordmann" and data["justification"].startswith("Staying active")
    assert data["recommendation_id"] == rec


# --- the working group's votes (the Revise panel's Votes part) --------------------------------------------------

BROWSER_PANEL = "member,role,interests,recused\nKari Nordmann,chair,,\nPer Hansen,physiotherapist,,\n" \
                "Siri Dahl,patient representative,,\n"


def vote_through_widgets(page, expect, root: Path, rec: str) -> None:
    """Open the Votes part, cast two members' votes, and see the tally change from no quorum to its outcome."""
    page.locator(".grading-parts .lm-TabBar-tab", has_text="Votes").click()
    tally, message = page.locator(".grading-tally"), page.locator(".grading-vote-message")
    expect(tally).to_contain_text("No votes yet; 3 members on the panel")
    cast = page.locator("button.grading-vote-cast")
    expect(cast).to_be_disabled()

    def vote(member: str, benefit_harm: str = "yes", comment: str = "") -> None:
        page.select_option(".grading-vote-member select", label=member)
        for q, answer in (("validity", "yes"), ("applicability", "yes"), ("benefit-harm", benefit_harm)):
            page.select_option(f".grading-vote-{q} select", label=answer)
        if comment:
            expect(message).to_contain_text("A comment is required with a no")
            expect(cast).to_be_disabled()
            page.fill(".grading-vote-comment textarea", comment)
        expect(message).to_contain_text("Ready to cast your vote")
        cast.click()
        expect(message).to_contain_text("Vote saved:")

    vote("Kari Nordmann — chair")
    validity, benefit = page.locator(".grading-tally-validity"), page.locator(".grading-tally-benefit-harm")
    expect(validity).to_contain_text("no quorum")
    expect(validity).to_contain_text("1 of 3 members entitled to vote have voted")
    vote("Per Hansen — physiotherapist", "no", "Advice alone helps few.")
    expect(validity).to_contain_text("agreed")
    expect(validity).to_contain_text("2 of 2 counted votes are yes (100%)")
    expect(benefit).to_contain_text("not agreed")
    expect(page.locator(".grading-ballots")).to_contain_text("Not voted yet: Siri Dahl")
    files = sorted((root / "evidence" / "votes" / rec).glob("*.json"))
    assert len(files) == 2
    data = json.loads(files[-1].read_text(encoding="utf-8"))
    assert data["member"] == "Per Hansen" and data["judgements"]["benefit_harm"] == "no"
    assert data["comment"] == "Advice alone helps few." and data["revision"]  # the revision saved before it


# --- the working group's appraisals (the Revise panel's Appraise part) ------------------------------------------

def appraise_through_widgets(page, expect, root: Path) -> None:
    """Open the Appraise part, appraise ref 4 (the European guidelines) with AGREE II, save, and see it count."""
    page.locator(".grading-parts .lm-TabBar-tab", has_text="Appraise").click()
    page.fill(".grading-appraise-reference input", "4")
    page.fill(".grading-appraise-member input", "Kari Nordmann")
    page.select_option(".grading-appraise-instrument select",
                       label="AGREE II: Appraisal of Guidelines for Research and Evaluation")
    domain = page.locator(".grading-parts .grading-appraise-domain select").first
    expect(domain).to_be_visible()
    domain.select_option(label="6")
    page.select_option(".grading-parts .grading-appraise-overall select", label="recommended for use")
    page.locator(".grading-parts button.grading-appraise-save").click()
    expect(page.locator(".grading-parts .grading-appraise-message")).to_contain_text("Saved")
    expect(page.locator(".grading-parts .grading-appraise-standing")).to_contain_text(
        "ref 4 (ref004): appraised by the group (Kari Nordmann")
    files = list((root / "evidence" / "appraisals" / "ref004").glob("*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert (data["instrument"], data["overall"], data["domains"]) == ("agree-ii", "yes", {"D1": "6"})
