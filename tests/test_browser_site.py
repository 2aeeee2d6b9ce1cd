"""The guideline website in Debian's Chromium, opened from disk: links, search in the browser, nothing from outside."""

from __future__ import annotations

import pytest

from browser import chromium_page, playwright_or_skip
from conftest import REPO


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from grading import load_guideline
    from grading.render.site import build_site
    return build_site(load_guideline(REPO), tmp_path_factory.mktemp("browser") / "site")


def watch(page, base: str) -> tuple[list[str], list[str]]:
    """The page's script errors, and every request for anything outside the site folder, as they happen."""
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    return errors, outside


def test_a_student_opens_the_site_from_disk_follows_a_recommendation_and_searches_for_manipulasjon(site):
    expect, sync_playwright = playwright_or_skip()
    base = site.folder.resolve().as_uri() + "/"
    with chromium_page(sync_playwright, "site-search.png", 30_000) as page:
        errors, outside = watch(page, base)

        page.goto(base + "index.html")
        expect(page.locator("h1")).to_contain_text("Korsryggsmerter")
        page.click('a[href="rec/7.1.1-11.html"]')
        expect(page).to_have_url(base + "rec/7.1.1-11.html")
        expect(page.locator("h1")).to_contain_text("MANIPULASJON")
        expect(page.locator("#evidence")).to_contain_text("To RCT-studier viser bedre effekt")
        page.click("a[rel=next]")
        expect(page.locator("h1")).to_contain_text("7.1.1-12")

        page.fill("header form.search input[name=q]", "manipulasjon")
        page.click("header form.search button")
        expect(page).to_have_url(base + "search.html?q=manipulasjon")
        results = page.locator("#search-results li")
        expect(page.locator("#search-status")).to_contain_text("results for")
        hrefs = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
        for rid in ("7.1.1-10", "7.1.1-11", "7.1.1-12", "7.1.1-13", "7.1.1-14", "7.1.1-15", "7.2.1-04", "7.2.1-05"):
            assert f"rec/{rid}.html" in hrefs, rid
        assert results.count() == len(hrefs)

        # typing narrows the results as the student types, without a reload
        page.fill("#search-query", "manipulasjon akutt")
        expect(page.locator("#search-status")).to_contain_text("manipulasjon akutt")
        narrowed = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
        assert "rec/7.1.1-11.html" in narrowed and len(narrowed) < len(hrefs)

        page.click('#search-results a[href="rec/7.1.1-11.html"]')
        expect(page).to_have_url(base + "rec/7.1.1-11.html")
        page.click('a[href="../references.html#ref-117"]')
        expect(page.locator("#ref-117")).to_contain_text("Hadler")
        page.goto(base + "map.html")  # the map is a grid of links: a cell opens its recommendation
        page.click('table.evidence-map a[href="rec/7.1.1-11.html"]')
        expect(page).to_have_url(base + "rec/7.1.1-11.html")
    assert errors == []
    assert outside == []


def test_hostile_text_found_by_search_is_shown_as_text_and_never_runs(tmp_path, make_guideline):
    from conftest import ev, rec
    from grading import load_guideline
    from grading.render.site import build_site
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> manipulasjon'
    root = make_guideline(recs=[rec(id="7.1.3-01", text=hostile, topic="<b onmouseover=alert(3)>T</b>")],
                          evidence=[ev(rid="7.1.3-01", documentation=hostile)])
    site = build_site(load_guideline(root), tmp_path / "out")
    expect, sync_playwright = playwright_or_skip()
    dialogs: list[str] = []
    errors: list[str] = []
    with chromium_page(sync_playwright, "site-hostile.png", 30_000) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site.folder.resolve().as_uri() + "/search.html?q=manipulasjon")
        expect(page.locator("#search-status")).to_contain_text("1 result")
        expect(page.locator("#search-results .snippet")).to_contain_text('<script>alert(2)</script>')
        assert page.locator("#search-results img, #search-results script, #search-results b").count() == 0
        page.click("#search-results a")
        expect(page.locator("blockquote.rec-text")).to_contain_text("<script>alert(2)</script>")
        assert page.locator("main img, main script").count() == 0
    assert dialogs == [] and errors == []


def test_a_reviewer_opens_the_appraisals_page_from_disk_and_sees_the_plots_with_their_text_alternatives(tmp_path):
    from conftest import copy_guideline
    from grading import load_guideline
    from grading.render.site import build_site
    from grading.revisions.appraisals import new_appraisal, save_appraisal
    g = load_guideline(copy_guideline(tmp_path / "g"))
    for ref in ("4", "321"):  # the worklist's top two, appraised as guidelines recommended for use
        save_appraisal(g, new_appraisal(ref, "agree-ii", "Kari Nordmann", "yes", {"D1": "6", "D3": "6"}))
    save_appraisal(g, new_appraisal("129", "rob-2", "Kari Nordmann", "low", {"D1": "low", "D2": "low"}))
    save_appraisal(g, new_appraisal("129", "rob-2", "Ola Nordmann", "high", {"D1": "low", "D2": "high"}))
    site = build_site(g, tmp_path / "site", appraised=True)
    expect, sync_playwright = playwright_or_skip()
    base = site.folder.resolve().as_uri() + "/"
    with chromium_page(sync_playwright, "site-appraisals.png", 30_000) as page:
        errors, outside = watch(page, base)
        page.goto(base + "index.html")
        page.click('header nav a[href="appraisals.html"]')
        expect(page.locator("h1")).to_contain_text("appraisals")
        images = page.locator("figure.appraisal-plot img")
        expect(images).to_have_count(3)
        for i in range(3):
            img = images.nth(i)
            assert img.evaluate("img => img.complete && img.naturalWidth > 0"), img.get_attribute("src")
            assert len(img.get_attribute("alt") or "") > 40
        expect(page.locator("table.appraisals tbody tr")).to_have_count(4)
        expect(page.locator("#agreement")).to_contain_text("Kari Nordmann and Ola Nordmann (rob-2): kappa")
        page.click('table.appraisals a[href="references.html#ref-4"] >> nth=0')
        expect(page.locator("#ref-4")).to_be_visible()
        page.goto(base + "rec/7.1.1-10.html")
        expect(page.locator("#evidence span.appraised").first).to_contain_text(
            "appraised by the group (Kari Nordmann")
    assert errors == []
    assert outside == []
