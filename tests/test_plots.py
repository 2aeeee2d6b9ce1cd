"""The evidence map and the agreement plot draw what the data say."""

import io

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from grading import load_scheme  # noqa: E402
from grading.grade import reproduce, summary  # noqa: E402
from grading.io.guideline import load_guideline  # noqa: E402
from grading.render import plots  # noqa: E402

NORWAY = load_scheme("norway-2007")

from conftest import REPO, ev, rec  # noqa: E402


@pytest.fixture(scope="module")
def bundled():
    g = load_guideline(REPO)
    return g, reproduce(g)


@pytest.fixture(scope="module")
def evidence_map(bundled):
    fig = plots.evidence_map(*bundled)
    fig.savefig(io.BytesIO(), format="png")  # it must draw, not only build
    return fig


def boxes(fig):
    """gid -> rectangle for every recommendation box of the map."""
    return {p.get_gid(): p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_gid()}


def test_map_cells_one_per_recommendation_and_phase(bundled):
    g, gs = bundled
    cells = plots.map_cells(g, gs)
    assert len(cells) == sum(max(1, len([p for p in ph.split("/") if p])) for ph in g.recommendations["phase"])
    assert sorted(cells.loc[cells["id"] == "6.3.1-01", "phase"]) == ["akutt", "langvarig", "subakutt"]
    assert list(cells.loc[cells["id"] == "6.2-01", "phase"]) == [""]
    # Traction is two rows: one per diagnostic group.
    traction = cells[cells["topic_en"] == "Traction"]
    assert traction.groupby("group")["row"].nunique().to_dict() == {"nerverotaffeksjon": 1,
                                                                     "uspesifikke korsryggsmerter": 1}
    assert traction["row"].nunique() == 2


def test_evidence_map_has_a_box_per_cell_and_a_label_per_topic(bundled, evidence_map):
    g, gs = bundled
    cells = plots.map_cells(g, gs)
    drawn = {gid.rsplit("|", 1)[0] for gid in boxes(evidence_map)}
    assert drawn == {f"{i}|{p}" for i, p in zip(cells["id"], cells["phase"])}
    ax = evidence_map.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == cells["row"].nunique() == 40
    assert labels.count("Traction") == 2 and labels[0] == "Inspection"
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["akutt", "subakutt", "langvarig",
                                                                          "no phase named"]
    headers = {t.get_text() for t in ax.texts if "(" in t.get_text() and t.get_text()[0].isalpha()}
    assert {"nerverotaffeksjon (nerve root involvement)", "røde flagg (red flags)"} <= headers


def test_evidence_map_colours_boxes_by_published_strength(evidence_map):
    b = boxes(evidence_map)
    colour = lambda code: to_rgba(plots.strength_colours(NORWAY)[code])  # noqa: E731
    assert b["7.1.1-06|akutt|strong"].get_facecolor() == colour("strong")  # bed rest: against, strong
    assert b["7.1.1-16|langvarig|not_recommended"].get_facecolor() == colour("not_recommended")
    assert b["7.1.1-12|subakutt|no_basis"].get_facecolor() == colour("no_basis")
    # A range is two halves, one per grade.
    assert b["6.2-04||strong"].get_facecolor() == colour("strong")
    assert b["6.2-04||moderate"].get_facecolor() == colour("moderate")
    # No published strength: white and hatched.
    assert b["6.3.3-02||"].get_facecolor() == to_rgba(plots.UNGRADED_COLOUR) and b["6.3.3-02||"].get_hatch()


def test_a_recommendation_against_is_drawn_differently_from_one_for_bed_rest_and_exercise(evidence_map):
    # Bed rest (7.1.1-06, against, strong) and exercise in subacute pain (7.1.1-08, for, strong) share a colour;
    # only the hatching tells a student that bed rest is strongly advised against.
    b = boxes(evidence_map)
    bed_rest, exercise = b["7.1.1-06|akutt|strong"], b["7.1.1-08|subakutt|strong"]
    assert bed_rest.get_facecolor() == exercise.get_facecolor()
    assert bed_rest.get_hatch() == plots.AGAINST_HATCH and not exercise.get_hatch()
    assert b["7.2.1-03|akutt|strong"].get_hatch() == plots.AGAINST_HATCH  # traction in sciatica
    labels = [t.get_text() for t in evidence_map.axes[0].get_legend().get_texts()]
    assert any("AGAINST" in t for t in labels)


def test_evidence_map_marks_printed_and_derived_levels_differently(evidence_map):
    marks = {}
    for t in evidence_map.axes[0].texts:
        if t.get_gid():
            marks.setdefault(t.get_gid(), []).append(t)
    printed, words, derived = marks["7.2.1-03"][0], marks["7.1.1-01"][0], marks["7.1.1-02"][0]
    assert printed.get_text() == "***" and printed.get_fontweight() == "bold" and printed.get_fontstyle() == "normal"
    assert words.get_text() == "«***»" and words.get_fontstyle() == "normal"  # named in words (LEVEL-IN-WORDS)
    assert derived.get_text().startswith("(") and derived.get_fontstyle() == "italic"
    assert len(marks["6.3.1-01"]) == 3 and {t.get_text() for t in marks["6.3.1-01"]} == {"**"}


def test_evidence_map_of_a_small_guideline(make_guideline):
    g = load_guideline(make_guideline(recs=[rec(id="7.1.3-01", strength="moderate/weak", level="",
                                                phase="akutt/subakutt")],
                                      evidence=[ev(rid="7.1.3-01")]))
    fig = plots.evidence_map(g)
    assert set(boxes(fig)) == {"7.1.3-01|akutt|moderate", "7.1.3-01|akutt|weak", "7.1.3-01|subakutt|moderate",
                               "7.1.3-01|subakutt|weak"}
    fig.savefig(io.BytesIO(), format="png")


def test_crosstabs_count_every_grading_and_show_direction(bundled):
    _, gs = bundled
    s = summary(gs)
    st = plots.strength_crosstab(gs, NORWAY)
    assert st.to_numpy().sum() == s["recommendations"]
    assert list(st.index[:2]) == ["strong (for)", "strong (against)"] and st.index[-1] == "none"
    # Traction in sciatica: published strong against, the evidence carries 'anbefales ikke'.
    assert st.loc["strong (against)", "not_recommended"] >= 1
    assert "weak (against)" in st.columns and "weak (for)" in st.columns
    lv = plots.level_crosstab(gs, NORWAY)
    assert lv.to_numpy().sum() == s["printed_levels"]
    assert sum(lv.loc[c, c] for c in lv.index) == s["printed_levels_reproduced"]


def test_agreement_plot_splits_the_verdicts_as_the_audit_does(bundled):
    _, gs = bundled
    s = summary(gs)
    fig = plots.agreement_plot(gs, NORWAY)
    fig.savefig(io.BytesIO(), format="png")
    bars = {p.get_gid(): p.get_width() for p in fig.axes[0].patches if p.get_gid()}
    assert bars["standing|certain_agree"] == s["certain_agree"]
    assert bars["standing|certain_justified"] == s["certain_deviations_justified"]
    assert bars["standing|certain_unjustified"] == s["certain_deviations_unjustified"]
    assert bars["standing|depends_on_appraisal"] == s["depends_on_appraisal"]
    assert sum(bars.values()) == s["recommendations"]
    counts = lambda ax: sum(int(t.get_text()) for t in ax.texts if (t.get_gid() or "").startswith("count|"))  # noqa
    assert counts(fig.axes[1]) == s["recommendations"] and counts(fig.axes[2]) == s["printed_levels"]
    bold = {t.get_gid() for t in fig.axes[1].texts if t.get_fontweight() == "bold"}
    assert "count|strong/moderate (for)|moderate (for)" in bold and "count|moderate (for)|weak (for)" not in bold
    assert "count|strong (against)|not_recommended" in bold  # 'anbefales ikke' on *** carries strong against


def test_the_ranges_picture_draws_what_every_reading_can_carry(bundled):
    _, gs = bundled
    fig = plots.ranges_plot(gs, NORWAY)
    fig.savefig(io.BytesIO(), format="png")
    ax = fig.axes[0]
    lines = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
    boxes_ = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    # Manipulation in acute pain: weak (default) to strong, on the 'for' side; published strong.
    manip = lines["range|7.1.1-10"].get_xdata()
    assert (min(manip), max(manip)) == (1, 3) and list(lines["default|7.1.1-10"].get_xdata()) == [1]
    assert boxes_["published|7.1.1-10"].get_x() == 3 - 0.25
    # Bed rest: strong against, left of 'no basis'; TENS long-lasting: 'anbefales ikke' on ***, published no basis.
    assert list(lines["range|7.1.1-06"].get_xdata()) == [-3, -3]
    assert list(lines["default|7.1.1-25"].get_xdata()) == [-3] and boxes_["published|7.1.1-25"].get_x() == -0.25
    colour = to_rgba(plots.STANDING_COLOURS["depends_on_appraisal"])
    assert to_rgba(lines["range|7.1.1-10"].get_color()) == colour
    assert len([g for g in lines if g.startswith("range|")]) == len(gs)


def test_the_worklist_picture_ranks_references(bundled):
    from grading.analyses.worklist import worklist
    _, gs = bundled
    entries = worklist(gs)
    fig = plots.worklist_plot(entries, top=10)
    fig.savefig(io.BytesIO(), format="png")
    bars = {p.get_gid(): p.get_width() for p in fig.axes[0].patches if p.get_gid()}
    assert bars[f"decides|{entries[0].subject}"] == len(entries[0].decides)
    assert len([g for g in bars if g.startswith("decides|")]) == 10
    assert all(bars[f"settles|{e.subject}"] == len(e.settles) for e in entries[:10] if e.settles)


def test_without_a_manifest_the_map_has_the_phases_the_table_names(make_guideline):
    g = load_guideline(make_guideline(recs=[rec(id="7.1.3-01", phase="kronisk"), rec(id="7.1.3-02", phase="")],
                                      evidence=[ev(rid="7.1.3-01"), ev(rid="7.1.3-02")]))
    assert plots.phase_columns(g) == ["kronisk", ""]
    fig = plots.evidence_map(g)
    labels = [t.get_text().split("\n")[0] for t in fig.axes[0].get_xticklabels()]
    assert labels == ["kronisk", "no phase named"]
    assert {gid.split("|")[1] for gid in boxes(fig)} == {"kronisk", ""}


def test_evidence_map_outlines_fragile_recommendations():
    from grading.analyses.fragility import fragility_all
    g = load_guideline(REPO)
    fragile = {f.recommendation_id for f in fragility_all(g) if f.fragile}
    fig = plots.evidence_map(g, fragile=fragile)
    outlined = {p.get_gid().split("|", 1)[1] for p in fig.axes[0].patches
                if (p.get_gid() or "").startswith("fragile|")}
    assert outlined and outlined <= fragile
    assert "7.2.1-03" in outlined  # traction in sciatica rests on one very good review
    assert "6.2-02" not in outlined  # moderate on *: not carried at all, so not 'fragile' (nor robust)
    assert not any((p.get_gid() or "").startswith("fragile|") for p in plots.evidence_map(g).axes[0].patches)


ACP = REPO / "docs" / "examples" / "acp-2017"


def test_a_grade_guideline_gets_grade_s_pictures_acp_2017():
    g = load_guideline(ACP)
    gs = reproduce(g)
    fig = plots.agreement_plot(gs, g.scheme)
    fig.savefig(io.BytesIO(), format="png")
    bars = {p.get_gid(): p.get_width() for p in fig.axes[0].patches if p.get_gid()}
    # 1-01 and 2-01 strong on outcomes printed low: discordant; 3-01 weak on printed moderate; 1-02 no strength
    assert bars == {"standing|concordant": 1, "standing|discordant": 2, "standing|depends_on_appraisal": 0,
                    "standing|not_comparable": 1}
    bold = {t.get_gid() for t in fig.axes[1].texts if t.get_fontweight() == "bold"}
    assert bold == {"count|strong (for)|low"}  # only the discordant cell
    printed = sum(int(t.get_text()) for t in fig.axes[2].texts if (t.get_gid() or "").startswith("count|"))
    assert printed == sum(1 for o in g.outcome_rows if o.published_certainty)
    ranges = plots.ranges_plot(gs, g.scheme)
    ranges.savefig(io.BytesIO(), format="png")
    lines = {ln.get_gid(): ln for ln in ranges.axes[0].lines if ln.get_gid()}
    assert to_rgba(lines["range|1-01"].get_color()) == to_rgba(plots.CERTAINTY_COLOURS["discordant"])
    assert list(lines["used|1-01"].get_xdata()) == [1]  # low, on a scale from insufficient (0) to high (3)
    assert {p.get_gid() for p in ranges.axes[0].patches if p.get_gid()} == {"printed|1-02", "printed|3-01"}
