"""Browsing the guideline: filters, one recommendation in full, glossary and flags."""

import pytest

from conftest import REPO, ev
from grading import load_scheme
from grading.analyses import explore
from grading.errors import GradingError
from grading.grade import reproduce, summary
from grading.io.guideline import load_guideline

RULES = load_scheme("norway-2007").rules



@pytest.fixture(scope="module")
def bundled():
    g = load_guideline(REPO)
    return g, reproduce(g)


def test_browse_without_filters_lists_every_recommendation(bundled):
    g, gs = bundled
    table = explore.browse(g, gs)
    assert len(table) == len(g.recommendations) == 67
    assert list(table.index[:2]) == ["6.2-01", "6.2-02"]
    assert {"published_strength", "published_level", "derived_level", "level_source", "verdict"} <= set(table.columns)


def test_phase_filter_matches_any_phase_of_a_multi_phase_recommendation(bundled):
    g, gs = bundled
    table = explore.browse(g, gs, phase="subakutt")
    assert "6.3.1-01" in table.index  # akutt/subakutt/langvarig
    assert all("subakutt" in p.split("/") for p in table["phase"])
    unphased = explore.browse(g, gs, phase="")
    assert len(unphased) and (unphased["phase"] == "").all()


def test_strength_filter_matches_either_end_of_a_range(bundled):
    g, gs = bundled
    table = explore.browse(g, gs, strength="moderate")
    assert {"6.2-04", "6.3.1-01", "6.2-03", "7.1.1-02"} <= set(table.index)  # strong/moderate, moderate/strong, ...
    assert "7.1.1-01" not in table.index  # strong


def test_level_filter_uses_printed_level_else_derived(bundled):
    g, gs = bundled
    table = explore.browse(g, gs, level="***")
    assert table.loc["7.2.1-03", "level_source"] == "printed"
    # 7.1.1-01 prints no level; its text names it in words, "meget godt dokumentert" (LEVEL-IN-WORDS, issue 21).
    assert table.loc["7.1.1-01", "level_source"] == "in_words" and table.loc["7.1.1-01", "published_level"] == ""
    words = g.recommendations.set_index("id")["published_level_words_level"]
    for rid, r in table.iterrows():
        used = {"printed": r["published_level"], "in_words": words[rid], "derived": r["derived_level"]}
        assert used[r["level_source"]] == "***"


def test_topic_filter_is_a_case_insensitive_part_of_either_language(bundled):
    g, gs = bundled
    assert set(explore.browse(g, gs, topic="sengeleie").index) == {"7.1.1-06", "7.2.1-01"}
    manip = explore.browse(g, gs, topic="MANIP")
    assert len(manip) == 8 and manip["topic_en"].str.contains("Manipulation").all()


def test_filters_combine(bundled):
    g, gs = bundled
    table = explore.browse(g, gs, group="nerverotaffeksjon", phase="akutt", strength="strong")
    assert set(table.index) == {"7.2.1-03", "7.2.1-04"}
    assert set(explore.browse(g, gs, group="røde flagg").index) == {"6.2-06", "6.3.3-01", "6.3.3-02", "6.3.3-03",
                                                                      "6.3.3-04", "6.3.3-05"}


@pytest.mark.parametrize("kw", [dict(group="acute"), dict(phase="kronisk"), dict(strength="sterk"),
                                dict(level="****")])
def test_unknown_filter_values_are_refused_with_the_allowed_ones(bundled, kw):
    g, gs = bundled
    with pytest.raises(GradingError, match="allowed:"):
        explore.browse(g, gs, **kw)


def test_filter_options_list_only_values_present(bundled):
    g, _ = bundled
    opts = explore.filter_options(g)
    assert opts["phase"] == ("akutt", "subakutt", "langvarig", "")
    assert opts["group"] == explore.groups(g) == ("uspesifikke korsryggsmerter", "nerverotaffeksjon", "røde flagg")
    assert "Manipulation" in opts["topic"] and len(opts["topic"]) == len(set(opts["topic"]))


def test_view_shows_text_gradings_evidence_and_marked_references(bundled):
    g, gs = bundled
    v = explore.view(g, "6.2-02", gs)
    assert v.grading.comparison.verdict == "stronger_than_evidence"
    assert len(v.evidence) == 7
    assert [r.number for r in v.references] == [5, 169, 213, 215, 224, 300, 321]
    assert v.reference_counts() == {"unresolved": 5, "likely": 1, "verified": 1}
    text = v.as_text()
    assert "Det anbefales (moderat grad)" in text
    assert "level * (the printed level * is used for the strength)" in text
    assert "NO justification recorded" in text and "L-LACKING" in text
    assert "[5] [unresolved:" in text and "[300]" in text and "likely identification" in text.lower()
    assert "Lateralfleksjon: Flere studier" in text


def test_view_of_a_recommendation_with_a_recorded_justification(bundled):
    g, gs = bundled
    text = explore.view(g, "6.3.3-01", gs).as_text()
    assert "justification recorded: Sterkere anbefaling enn dokumentasjonen" in text
    assert "verdict stronger_than_evidence (justified)" in text


def test_view_of_unknown_id_names_the_id_form(bundled):
    g, gs = bundled
    with pytest.raises(GradingError, match="unknown recommendation '9.9-01'.*6.2-01"):
        explore.view(g, "9.9-01", gs)


def test_view_without_references(make_guideline):
    g = load_guideline(make_guideline(evidence=[ev(reference="", design="consensus", quality="unclear",
                                                   finding="unclear")]))
    text = explore.view(g, "7.1.3-01").as_text()
    assert "References (none cited)" in text and "no reference: consensus" in text


def test_glossary_search_and_flags_by_colour(bundled):
    g, _ = bundled
    hit = explore.glossary(g, "CAUDA")
    assert list(hit["term"]) == ["Cauda equina syndrom"] and list(hit.columns) == ["term", "term_en", "definition"]
    assert len(explore.glossary(g)) == len(g.glossary)
    assert len(explore.flags(g, "red")) == 7 and (explore.flags(g, "red")["colour"] == "red").all()
    assert len(explore.flags(g)) == len(g.flags) == 18
    with pytest.raises(GradingError, match="allowed: 'red', 'yellow', 'green'"):
        explore.flags(g, "blue")


def test_glossary_and_flags_are_empty_frames_when_the_files_are_absent(make_guideline):
    g = load_guideline(make_guideline())
    assert explore.glossary(g).empty and explore.flags(g, "red").empty


def test_browser_widget_offers_every_filter(bundled):
    g, gs = bundled
    from grading.ui.browser import browser
    box = browser(g, gs)
    controls = [c for row in box.children[:2] for c in row.children]
    assert [c.description for c in controls] == ["group", "phase", "strength", "level", "topic"]
    phase = controls[1]
    assert ("(no phase named)", "") in [tuple(o) for o in phase.options]
    count, out = box.children[2:]
    assert count.value == f"{len(g.recommendations)} of {len(g.recommendations)} recommendations"
    shown = out.outputs[0]["data"]["text/plain"]
    assert "6.2-01" in shown and all(rid in shown for rid in g.recommendations.index)  # every row, none cut
    assert all(rid in out.outputs[0]["data"]["text/html"] for rid in g.recommendations.index)
    assert out.layout.overflow == "auto"
    phase.value = "akutt"
    assert len(out.outputs) == 1
    shown = out.outputs[0]["data"]["text/plain"]
    assert "7.1.1-06" in shown and "6.2-01" not in shown


def test_deviations_list_each_with_its_justification_or_its_absence(bundled):
    g, gs = bundled
    table = explore.deviations(gs)
    s = summary(gs)
    assert len(table) == s["stronger_than_evidence"] + s["weaker_than_evidence"]
    assert table["justified"].sum() == s["deviations_justified"]
    assert table.loc["6.2-02", "justification"] == "— none recorded —" and not table.loc["6.2-02", "justified"]
    assert table.loc["7.2.1-04", "justification"].startswith("Sterkere anbefaling enn nivå")


def test_derived_levels_name_their_rule(bundled):
    g, gs = bundled
    table = explore.derived_levels(gs)
    assert len(table) == summary(gs)["levels_derived_where_none_printed"]
    assert (g.recommendations.loc[table.index, "published_level"] == "").all()
    by_id = {x.id: x for x in gs}
    for rid, r in table.iterrows():
        level = by_id[rid].level
        assert (r["derived_level"], r["rule"], r["because"]) == (level.value, level.rule, level.because)
        assert r["rule"] in RULES and r["because"]


def test_evidence_summary_and_reference_table(bundled):
    g, _ = bundled
    assert explore.evidence_summary(g, "7.1.1-06") == ("ref 321 guideline good harm; "
                                                       "ref 119 systematic_review unclear harm")
    assert explore.evidence_summary(g, "6.2-01") == "consensus"
    refs = explore.reference_table(g)
    assert set(refs["status"]) == {"unresolved", "likely"}
    assert refs.loc[5, "cited_by"] == "6.2-02" and refs.loc[5, "what_is_known"].startswith("Lateral flexion")
    assert refs.loc[47, "cited_by"] == "7.1.2-01, 7.1.2-02"
    assert refs.loc[119, "status"] == "likely" and "Hagen" in refs.loc[119, "what_is_known"]
    assert all(refs["what_is_known"])  # an entry that cannot be formatted still says why


def test_findings_table_puts_the_evidence_beside_each_finding(bundled):
    g, gs = bundled
    from grading import audit
    findings = [f for f in audit(g, gradings=gs) if f.kind in ("unjustified_deviation", "unresolved_reference")]
    table = explore.findings_table(g, findings)
    assert len(table) == len(findings)
    row = table[table["subject"] == "6.2-02"].iloc[0]
    assert row["kind"] == "unjustified_deviation" and row["evidence"].startswith("ref 5 study unclear benefit")
    ref = table[table["subject"] == "ref 5"].iloc[0]
    assert ref["detail"] == "cited by 6.2-02" and ref["evidence"].startswith("Lateral flexion")


def test_show_keeps_every_row_and_the_whole_of_long_text(bundled):
    g, gs = bundled
    table = explore.show(explore.browse(g, gs))
    assert len(table) == len(g.recommendations)
    assert all(rid in repr(table) and rid in table._repr_html_() for rid in g.recommendations.index)
    flags = explore.show(explore.flags(g, "red"))
    longest = max(explore.flags(g, "red")["flag_en"], key=len)
    assert len(longest) > 90 and longest in repr(flags) and "white-space: normal" in flags._repr_html_()
    strong = explore.scheme_grades(g.scheme, "strengths").loc["strong", "definition"]
    assert strong in repr(explore.show(explore.scheme_grades(g.scheme, "strengths")))
    assert list(explore.scheme_grades(g.scheme).columns) == ["name", "definition"]


def test_output_folder_is_the_one_named_or_a_new_temporary_one(tmp_path):
    named = explore.output_folder(tmp_path / "a" / "reports")
    assert named == tmp_path / "a" / "reports" and named.is_dir()
    first, second = explore.output_folder(), explore.output_folder()
    try:
        assert first != second and first.is_dir() and first.name.startswith("grading-reports-")
        assert not any(first.iterdir())
    finally:
        first.rmdir()
        second.rmdir()
