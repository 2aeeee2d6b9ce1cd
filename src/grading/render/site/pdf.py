"""The whole guideline as one PDF: the site's print page printed by Chromium's own print-to-PDF (Playwright's
`page.pdf`), so a kept renderer lays the pages out, never code of ours. Chromium is the machine's own; nothing is
downloaded and the page may load nothing but files of the site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ...errors import GradingError

PDF_FILE = "guideline.pdf"
# Where a system Chromium is looked for; GRADING_CHROMIUM names another.
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#444">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def chromium() -> Path:
    """The machine's Chromium: GRADING_CHROMIUM where set, else the first of CHROMIUM_PATHS or one on PATH."""
    named = os.environ.get("GRADING_CHROMIUM")
    found = [Path(named)] if named else [Path(p) for p in CHROMIUM_PATHS]
    found += [Path(p) for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p]
    for path in found:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise GradingError("--pdf prints with the machine's Chromium and none was found "
                       f"({', '.join(CHROMIUM_PATHS)}); install it (Debian: apt-get install chromium) or name it "
                       "with GRADING_CHROMIUM")


def print_pdf(page_file: Path, out: Path) -> Path:
    """Print one page of a built site (its print view, A4, page numbers at the foot) to `out` as PDF."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise GradingError("--pdf needs Playwright to drive Chromium: pip install 'grading[pdf]' (it uses the "
                           "machine's Chromium and downloads no browser)") from None
    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-dev-shm-usage"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    executable = chromium()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(executable), headless=True, args=args)
            try:
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
                page.goto(page_file.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                         header_template="<span></span>", footer_template=FOOTER, prefer_css_page_size=True)
            finally:
                browser.close()
    except Error as e:
        raise GradingError(f"Chromium ({executable}) could not print the guideline to PDF: "
                           f"{str(e).splitlines()[0]}") from None
    return out
