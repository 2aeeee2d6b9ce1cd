"""The guideline website in Debian's Chromium, opened from disk: links, search in the browser, nothing from outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium_page, playwright_or_skip, require
from conftest import REPO

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
# The pages a reader of a published guideline meets first: the index, a recommendation, the map, the references,
# the audit; and the rest of the site at phone width.
AXE_PAGES = ("index.html", "rec/7.1.1-11.html", "map.html", "references.html", "audit.html")
EVERY_PAGE = (*AXE_PAGES, "phases.html", "glossary.html", "flags.html", "scheme.html", "search.html?q=manipulasjon",
              "appraisals.html", "print.html", "rec/6.2-05.html", "rec/7.1.3-01.html")


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


def offline(page) -> list[str]:
    """Abort every request for anything but a file on this machine; return the list of those attempted."""
    attempted: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    return attempted


def test_the_site_passes_axe_asks_nothing_of_the_network_and_fits_a_phone(site):
    expect, sync_playwright = playwright_or_skip()
    require(AXE.is_file(), f"{AXE} is missing (npm ci --prefix tests/js)")
    base = site.folder.resolve().as_uri() + "/"
    with chromium_page(sync_playwright, "site-axe.png", 30_000, bypass_csp=True) as page:
        attempted = offline(page)
        serious: dict[str, list[str]] = {}
        for name in AXE_PAGES:
            page.goto(base + name)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                  ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)"
                                  ".map(n => n.target.join(' '))}))")
            bad = [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in ("serious", "critical")]
            if bad:
                serious[name] = bad
        assert serious == {}
        # axe itself reads the stylesheets with requests file:// refuses: the site's own errors are watched from here
        page.goto("about:blank")
        phone = page
        phone.set_viewport_size({"width": 390, "height": 844})
        errors, _ = watch(phone, base)
        wide = {}
        for name in EVERY_PAGE:
            phone.goto(base + name)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[name] = width
        assert wide == {}
    assert attempted == [] and errors == []


def test_the_front_page_leads_with_the_guideline_and_filters_its_recommendations(site):
    from grading import load_guideline
    from grading.render.site.pages import how_to_cite
    g = load_guideline(REPO)
    m = g.manifest
    expect, sync_playwright = playwright_or_skip()
    base = site.folder.resolve().as_uri() + "/"
    with chromium_page(sync_playwright, "site-front.png", 30_000) as page:
        errors, _ = watch(page, base)
        attempted = offline(page)
        page.goto(base + "index.html")
        about = page.locator("section.about")
        expect(about.locator("h1")).to_have_text(m.title)
        expect(about.locator("h1")).to_have_attribute("lang", m.language)
        expect(about).to_contain_text(m.publisher)
        expect(about).to_contain_text(str(m.year))
        expect(about.locator("p.citation")).to_have_text(how_to_cite(g))
        assert m.publisher in how_to_cite(g) and str(m.year) in how_to_cite(g)
        cards = page.locator("article.rec")
        total = len(g.records)
        expect(cards).to_have_count(total)
        expect(page.locator("#filter-status")).to_have_text(f"Showing all {total} recommendations.")
        # the first thing of each recommendation is its text; key information and evidence open below it
        first = cards.first
        assert first.locator("p.text").is_visible() and not first.locator(".evidence-line").is_visible()
        first.locator("summary").click()
        expect(first.locator(".evidence-line")).to_contain_text("derived from the evidence")
        # filters narrow the list without a reload, and combine
        page.select_option("#filters select[name=section]", "7.1.1")
        in_section = sum(r.section == "7.1.1" for r in g.records)
        expect(page.locator("article.rec:visible")).to_have_count(in_section)
        page.select_option("#filters select[name=phase]", "akutt")
        both = sum(r.section == "7.1.1" and "akutt" in r.phases for r in g.records)
        expect(page.locator("article.rec:visible")).to_have_count(both)
        expect(page.locator("#filter-status")).to_have_text(f"Showing {both} of {total} recommendations.")
        page.click("#filters button[type=reset]")
        expect(page.locator("article.rec:visible")).to_have_count(total)
        page.select_option("#filters select[name=strength]", "strong")
        strong = sum("strong" in g.scheme.parse_strength(r.published_strength) for r in g.records)
        expect(page.locator("article.rec:visible")).to_have_count(strong)
        page.select_option("#filters select[name=direction]", "against")
        expect(page.locator("article.rec:visible")).to_have_count(
            sum("strong" in g.scheme.parse_strength(r.published_strength) and r.direction == "against"
                for r in g.records))
    assert attempted == [] and errors == []


def test_without_javascript_every_recommendation_is_listed_and_no_filter_shows(site):
    expect, sync_playwright = playwright_or_skip()
    base = site.folder.resolve().as_uri() + "/"
    with sync_playwright() as pw:
        from browser import CHROMIUM, CHROMIUM_ARGS
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            attempted = offline(page)
            page.goto(base + "index.html")
            expect(page.locator("#filters")).to_be_hidden()
            expect(page.locator("article.rec:visible")).to_have_count(page.locator("article.rec").count())
            assert attempted == []
        finally:
            browser.close()


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


def test_grading_site_pdf_prints_the_whole_guideline_with_chromium(tmp_path, make_guideline, capsys):
    from conftest import ev, rec
    from grading.cli import main
    playwright_or_skip()
    root = make_guideline(recs=[rec(id="4.1-01", section="4.1", text="Do X."), rec(id="4.2-01", section="4.2",
                                                                                     text="Do Y.")],
                          evidence=[ev(rid="4.1-01", reference="7"), ev(rid="4.2-01", reference="8")])
    out = tmp_path / "site"
    assert main(["site", str(out), "--root", str(root), "--pdf"]) == 0
    said = capsys.readouterr().out
    pdf = out / "guideline.pdf"
    assert f"the whole guideline as {pdf}" in said
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(__import__("re").findall(rb"/Type\s*/Page[^s]", data)) >= 2  # each section starts a page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="guideline.pdf">PDF</a>' in index


def test_a_reader_opens_a_recommendations_evidence_to_decision_framework_by_keyboard_and_it_passes_axe(tmp_path):
    import shutil

    from grading import load_guideline
    from grading.render.site import build_site
    from grading.revisions.etd import new_etd, save_etd
    root = tmp_path / "acp"
    shutil.copytree(REPO / "docs" / "examples" / "acp-2017", root)
    g = load_guideline(root)
    criteria = {"desirable_effects": {"judgement": "small", "evidence": "Pooled RCTs: pain −0.7 of 10.",
                                      "considerations": '<img src=x onerror="alert(1)"><script>alert(2)</script>'},
                "undesirable_effects": {"judgement": "trivial"}, "certainty_of_evidence": {"judgement": "low"},
                "values": {"judgement": "probably no important uncertainty or variability"},
                "resources_required": {"judgement": "negligible costs and savings"}}
    save_etd(g, new_etd(g.scheme, "1-01", "Kari Nordmann", criteria,
                        {"strength": "strong", "direction": "for", "justification": "Small benefits, few harms."}))
    site = build_site(load_guideline(root), tmp_path / "site")
    expect, sync_playwright = playwright_or_skip()
    require(AXE.is_file(), f"{AXE} is missing (npm ci --prefix tests/js)")
    base = site.folder.resolve().as_uri() + "/"
    dialogs: list[str] = []
    with chromium_page(sync_playwright, "site-etd.png", 30_000, bypass_csp=True) as page:
        attempted = offline(page)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "rec/1-01.html")
        key = page.locator("#key-information dl.etd-key")
        expect(key).to_contain_text("Desirable effects")
        expect(key).to_contain_text("Small benefits, few harms.")
        details = page.locator("details.etd")
        table = details.locator("table.etd")
        assert details.get_attribute("open") is None and not table.is_visible()  # the full framework waits
        for _ in range(80):  # Tab through the page until the disclosure's summary has the focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('details.etd > summary')"):
                break
        else:
            pytest.fail("the EtD disclosure cannot be reached with Tab")
        page.keyboard.press("Enter")
        expect(table).to_be_visible()
        expect(table.locator("tr.etd-desirable_effects")).to_contain_text("How substantial are the desirable")
        expect(table.locator("tr.etd-desirable_effects")).to_contain_text("<script>alert(2)</script>")
        expect(details).to_contain_text("Saved by Kari Nordmann")
        assert page.locator("main img, main script").count() == 0
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                              ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)"
                              ".map(n => n.target.join(' '))}))")
        assert [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in ("serious", "critical")
                ] == []
        headings = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3')]"
                                 ".map(h => Number(h.tagName[1]))")
        assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:]))  # no level skipped
        page.keyboard.press("Space")  # and closes again from the keyboard
        expect(table).to_be_hidden()
        page.set_viewport_size({"width": 390, "height": 844})
        details.locator("summary").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the framework fits a phone
    assert attempted == [] and dialogs == []
