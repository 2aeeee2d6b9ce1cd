"""The report and the Revise app show what the evidence carries under every reading, and whether that is certain."""

from conftest import REPO
from grading import load_guideline
from grading.render.report import section_tables, to_html
from grading.ui.revise_panel import revise_panel


def test_the_report_says_under_each_recommendation_what_its_evidence_carries():
    g = load_guideline(REPO)
    rows = {r.id: r for t in section_tables(g) for r in t.rows}
    manipulation, mobility = rows["7.1.1-10"].verdict, rows["6.2-02"].verdict
    assert manipulation.startswith("Toolkit: The evidence carries weak to strong")
    assert "depends on appraisal of 4, 321, 129, 154" in manipulation
    assert "stronger than evidence under every reading" in mobility
    page = to_html(g, sections=["7.1.1"])
    assert '<p class="verdict">Toolkit: The evidence carries' in page


def test_the_revise_app_shows_the_range_and_its_certainty():
    g = load_guideline(REPO)
    panel = revise_panel(g, "7.1.1-10")
    assert "depends on appraisal" in panel.every_reading.value and "4, 321, 129, 154" in panel.every_reading.value
    panel.select("6.2-02")
    assert "<b>certain</b>" in panel.every_reading.value
    panel.select("7.1.1-25")  # TENS, long-lasting: very good documentation that it does not work
    assert "not_recommended" in panel.derived_strength.value
