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


def test_reproduce_json_follows_the_contract_of_every_reading(capsys):
    import json

    from grading.cli import main
    assert main(["reproduce", "--format", "json", "--root", str(REPO)]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    manipulation = rows["7.1.1-10"]
    assert manipulation["derived_level_range"] == ["*", "***"]
    assert manipulation["derived_strength_range"] == ["weak", "strong"]
    assert manipulation["certainty"] == "depends_on_appraisal" and manipulation["to_appraise"] == [4, 321, 129, 154]
    assert (manipulation["verdict"], manipulation["justified"]) == ("stronger_than_evidence", False)
    reached = {v["verdict"]: v for v in manipulation["verdicts"]}
    assert set(reached) == {"stronger_than_evidence", "agree"}
    assert reached["stronger_than_evidence"]["reading"] == "the scheme's default reading"
    assert "read as good" in reached["agree"]["reading"] and reached["agree"]["derived_strength"] == "strong"
    assert "agree (strong; the rows derive ***) under" in manipulation["rule"]
    mobility = rows["6.2-02"]
    assert (mobility["certainty"], mobility["to_appraise"], len(mobility["verdicts"])) == ("certain", [], 1)
    assert rows["6.2-05"]["published_levels"] == ["**", "*", "*"] and rows["6.2-05"]["levels_used"] == ["**", "*", "*"]
    # 7.2.1-01: no difference from bed rest carries no direction of its own (NO-DIFFERENCE-IS-NOT-NO-EFFECT).
    assert rows["7.2.1-01"]["derived_direction"] == "for" and rows["7.2.1-01"]["printed_levels_unreached"] == []
    assert rows["6.2-05"]["certainty"] == "depends_on_choice" and rows["6.2-05"]["contested"] == [
        {"choice": "PRINTED-LEVELS-EACH", "verdict": "agree"}]
