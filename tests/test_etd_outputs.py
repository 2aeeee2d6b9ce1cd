"""The panel's Evidence-to-Decision framework where people read a guideline: each recommendation's page on the site
(key criteria first, the full framework in a disclosure), the report (HTML and Markdown) and the release change log.
Every field is shown as text, whatever it holds."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import stat
from pathlib import Path

import pytest

from conftest import REPO, copy_guideline, parse_html
from grading.cli import main
from grading.io.guideline import load_guideline
from grading.render.markdown import md_cell
from grading.render.release import make_release
from grading.render.report import to_html, to_markdown
from grading.render.site import build_site
from grading.revisions.etd import new_etd, save_etd

ACP = REPO / "docs" / "examples" / "acp-2017"
HOSTILE = "<script>alert(1)</script> | a | b |\n# heading\n=cmd|' /C calc'!A0"
GRADE_KEY = ("Desirable effects", "Undesirable effects", "Certainty of evidence", "Values", "Resources required")


def words(page: str) -> str:
    """The text of a page (or a part of one), its pieces joined by single spaces."""
    return " ".join(" ".join(parse_html(page).text).split())


def part(page: str, start: str, end: str) -> str:
    """The page from `start` up to the next `end`."""
    i = page.index(start)
    return page[i:page.index(end, i)]


def scripts(page: str) -> list[str]:
    return [a.get("src", "") for t, a in parse_html(page).tags if t == "script"]


# --- the bundled guideline: what its text records (ETD-FROM-TEXT) ------------------------------------------

@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory):
    return build_site(load_guideline(REPO), tmp_path_factory.mktemp("etd-bundled") / "site")


def test_the_bundled_guideline_page_of_6_2_01_shows_the_texts_judgements_with_its_seed_lines(bundled_site):
    html = (bundled_site.folder / "rec" / "6.2-01.html").read_text(encoding="utf-8")
    # the recommendation first, then the key information, then the full framework
    assert html.index('id="recommendation"') < html.index('id="key-information"') < html.index('id="etd"') \
        < html.index('id="published"')
    key = words(part(html, '<section id="key-information">', "</section>"))
    assert "Validity of the documentation yes Applicability yes Balance of benefit and harm unrecorded" in key
    assert "as the guideline's text records it, seed lines 1586-1591;1611-1613;1658" in key
    assert "Justification Konsensus i arbeidsgruppen." in key
    full = part(html, '<details class="etd"', "</details>")
    shown = words(full)
    assert "The full framework" in shown
    for name, question, judgement in (
            ("Validity of the documentation", "Does the group agree that the documentation is valid?", "yes"),
            ("Applicability", "Does the group agree that the documentation applies to Norwegian patients and "
                              "practice?", "yes"),
            ("Balance of benefit and harm", "Does the group agree on the balance of benefit and harm?",
             "unrecorded")):
        assert f"{name} {question} {judgement}" in shown
    assert "validity" not in shown and "benefit_harm" not in shown  # words, not the scheme's keys
    assert "Strength Moderate Direction for Justification Konsensus i arbeidsgruppen." in shown
    assert "As the guideline's text records it, seed lines 1586-1591;1611-1613;1658 (rule ETD-FROM-TEXT" in shown
    # the guideline's own words keep its language
    assert '<dd lang="no">Konsensus i arbeidsgruppen.</dd>' in full


def test_a_bundled_recommendation_the_text_records_no_judgement_for_shows_no_framework(bundled_site):
    # 7.1.1-11: the text records none of Table 1's three agreements: its page shows nothing extra (nothing is
    # invented, and three 'unrecorded' would say nothing the published grading's judgements do not)
    html = (bundled_site.folder / "rec" / "7.1.1-11.html").read_text(encoding="utf-8")
    assert 'id="etd"' not in html and "etd-key" not in html and "Evidence-to-Decision" not in html
    assert "Documentation valid: unrecorded" in words(html)  # the published grading says what the text leaves out
    # the seven with a recorded judgement have it; the other sixty do not
    with_etd = sorted(p.stem for p in (bundled_site.folder / "rec").glob("*.html")
                      if 'id="etd"' in p.read_text(encoding="utf-8"))
    assert with_etd == ["6.2-01", "6.3.3-01", "6.3.3-02", "6.3.3-04", "7.1.1-04", "7.1.3-02", "7.1.3-09"]
    index = (bundled_site.folder / "index.html").read_text(encoding="utf-8")
    assert index.count('class="key-info etd-key"') == 7


# --- a GRADE guideline with a saved EtD (ETD-LATEST) ----------------------------------------------------------

def acp_copy(dest: Path) -> Path:
    shutil.copytree(ACP, dest)
    return dest


def grade_etd(g, rid="1-01", author="Kari Nordmann", desirable="small", evidence="Pooled RCTs: pain −0.7 on a 10 "
              "point scale.", considerations="", justification="Small benefits, trivial harms, low cost.",
              strength="strong"):
    criteria = {"desirable_effects": {"judgement": desirable, "evidence": evidence,
                                      "considerations": considerations},
                "undesirable_effects": {"judgement": "trivial", "evidence": "Few adverse events reported."},
                "certainty_of_evidence": {"judgement": "low"},
                "values": {"judgement": "probably no important uncertainty or variability"},
                "balance_of_effects": {"judgement": "probably favors the intervention"},
                "resources_required": {"judgement": "negligible costs and savings"},
                "acceptability": {"judgement": "probably yes"}}
    record = new_etd(g.scheme, rid, author, criteria, {"strength": strength, "direction": "for",
                                                        "justification": justification,
                                                        "implementation": "Offer it in primary care."})
    return save_etd(g, record)


@pytest.fixture(scope="module")
def acp(tmp_path_factory):
    """A copy of the ACP 2017 example with two EtD records saved for 1-01 (the later counts), one field hostile."""
    root = acp_copy(tmp_path_factory.mktemp("etd-acp") / "acp")
    g = load_guideline(root)
    grade_etd(g, desirable="moderate", evidence="an earlier reading")
    grade_etd(g, author="Per Hansen", considerations=HOSTILE)
    return load_guideline(root)


@pytest.fixture(scope="module")
def acp_site(acp, tmp_path_factory):
    return build_site(acp, tmp_path_factory.mktemp("etd-acp-site") / "site")


def test_a_grade_guidelines_page_shows_its_saved_etd_by_criterion_name_in_layers(acp_site):
    html = (acp_site.folder / "rec" / "1-01.html").read_text(encoding="utf-8")
    key = words(part(html, '<section id="key-information">', "</section>"))
    # the key information: GRADE's effects, certainty, values and resources, and the justification
    assert ("Desirable effects small Undesirable effects trivial Certainty of evidence low Values probably no "
            "important uncertainty or variability Resources required negligible costs and savings Justification "
            "Small benefits, trivial harms, low cost.") in key
    assert "Acceptability" not in key and "Balance of effects" not in key
    assert re.search(r"saved by Per Hansen on \d{4}-\d\d-\d\d \d\d:\d\d UTC; 1 earlier record", key)
    full = words(part(html, '<details class="etd"', "</details>"))
    assert "Desirable effects How substantial are the desirable anticipated effects? small Pooled RCTs" in full
    assert "Balance of effects" in full and "probably favors the intervention" in full
    assert "Feasibility Is the intervention feasible to implement? not judged" in full  # every criterion is listed
    assert "Strength Strong recommendation Direction for Justification Small benefits, trivial harms, low cost. " \
           "Implementation considerations Offer it in primary care." in full
    assert "(rule ETD-LATEST" in full
    assert "desirable_effects" not in full  # words, not keys
    other = (acp_site.folder / "rec" / "2-01.html").read_text(encoding="utf-8")
    assert 'id="etd"' not in other and "etd-key" not in other  # no EtD: nothing extra


def test_hostile_text_in_an_etd_field_is_shown_as_text_on_the_site(acp_site):
    html = (acp_site.folder / "rec" / "1-01.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and scripts(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | a | b |\n# heading\n=cmd|&#39; /C calc&#39;!A0" in html
    assert "<script>alert(1)</script> | a | b | # heading =cmd|' /C calc'!A0" in words(html)


def test_the_report_shows_the_saved_etd_in_html_and_markdown_every_cell_escaped(acp):
    page = to_html(acp)
    section = part(page, '<section id="evidence-to-decision">', "</section>")
    shown = words(section)
    assert "<script>alert" not in page and scripts(page) == []
    assert "1-01" in shown and "2-01" not in shown  # only a recommendation with an EtD
    assert "Criterion Judgement Research evidence Additional considerations" in shown
    for name in GRADE_KEY:
        assert name in shown
    assert "Desirable effects small Pooled RCTs" in shown and "Undesirable effects trivial" in shown
    assert "Strength Strong recommendation Direction for Justification Small benefits, trivial harms, low cost." \
        in shown
    assert html.escape(HOSTILE) in section

    md = to_markdown(acp)
    lines = md.split("\n")
    start = lines.index("## Evidence to decision")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    etd = lines[start:end]
    topic = acp.recommendation("1-01").topic_en
    assert [ln for ln in etd if ln.startswith("#")] == ["## Evidence to decision", f"### 1-01 {md_cell(topic)}"]
    rows = [ln for ln in etd if ln.startswith("|")]
    criteria, conclusion = rows[:2 + 12], rows[2 + 12:]
    assert all(len(re.findall(r"(?<!\\)\|", r)) == 5 for r in criteria)  # four cells: no field adds one
    assert all(len(re.findall(r"(?<!\\)\|", r)) == 3 for r in conclusion)
    assert "| Desirable effects | small | Pooled RCTs: pain −0.7 on a 10 point scale. | \\<script\\>alert(1)\\<" \
           "/script\\> \\| a \\| b \\|<br>\\# heading<br>=cmd\\|' /C calc'!A0 |" in criteria
    assert "| Strength | Strong recommendation |" in conclusion
    assert not any(ln.startswith(("# heading", "=cmd")) for ln in lines)


def test_a_report_of_a_guideline_whose_etds_record_nothing_has_no_etd_section(tmp_path):
    root = copy_guideline(tmp_path / "g")
    g = load_guideline(root)
    md = to_markdown(g, sections=["7.1.1"])
    assert "## Evidence to decision" in md and "### 7.1.1-04" in md  # the one of 7.1.1 the text records
    assert "Evidence to decision" not in to_markdown(g, sections=["7.2.1"])


# --- the release change log ------------------------------------------------------------------------------------

def _log(root: Path, name: str) -> dict:
    return json.loads((root / "releases" / name / "changes.json").read_text(encoding="utf-8"))


def test_a_release_after_a_new_etd_record_lists_the_changed_judgement_in_its_change_log(tmp_path, capsys):
    root = copy_guideline(tmp_path / "g")
    g = load_guideline(root)
    make_release(g, "2026-1")
    first = _log(root, "2026-1")
    assert first["etd"] == [] and not any(e["etd"] for e in first["recommendations"])  # the text's, as before
    criteria = {"validity": {"judgement": "yes", "evidence": "Konsensus i arbeidsgruppen."},
                "applicability": {"judgement": "yes"},
                "benefit_harm": {"judgement": "yes", "evidence": "Inspection carries no risk."}}
    saved = save_etd(g, new_etd(g.scheme, "6.2-01", "Kari Nordmann", criteria,
                                {"strength": "moderate", "direction": "for"}))
    assert main(["changes", "--root", str(root)]) == 0
    said = capsys.readouterr().out
    assert "evidence to decision, Balance of benefit and harm: unrecorded → yes" in said
    assert "Evidence-to-Decision record saved by Kari Nordmann" in said

    release = make_release(load_guideline(root), "2026-2")
    log = _log(root, "2026-2")
    rel = saved.relative_to(root).as_posix()
    assert log["etd"] == [rel] and (release / rel).read_bytes() == saved.read_bytes()  # the release holds it
    (entry,) = [e for e in log["recommendations"] if e["id"] == "6.2-01"]
    assert entry["status"] == "changed" and "note" not in entry
    # Table 1's three questions: only the one that changed; the conclusion's justification (the text's, not
    # carried into the record) is no judgement
    assert entry["etd"] == [{"what": "Balance of benefit and harm", "key": "benefit_harm", "before": "unrecorded",
                             "after": "yes"}]
    assert entry["etd_records"] == [{"file": rel, "author": "Kari Nordmann", "created": entry["etd_records"][0]
                                     ["created"]}]
    changes_md = (release / "CHANGES.md").read_text(encoding="utf-8")
    assert "- evidence to decision, Balance of benefit and harm: unrecorded → yes" in changes_md
    # the HTML forms: the report of the release, and the site built from it
    out = tmp_path / "release.html"
    assert main(["report", "--root", str(root), "--release", "2026-2", "--output", str(out)]) == 0
    assert "evidence to decision, Balance of benefit and harm: unrecorded → yes" in words(out.read_text("utf-8"))
    site = build_site(load_guideline(root), tmp_path / "site", release="2026-2")
    changes = words((site.folder / "changes.html").read_text(encoding="utf-8"))
    assert "evidence to decision, Balance of benefit and harm: unrecorded → yes" in changes
    page = words((site.folder / "rec" / "6.2-01.html").read_text(encoding="utf-8"))
    assert "Balance of benefit and harm yes" in page and "saved by Kari Nordmann" in page  # as released

    # nothing new since: the next change log compares with the records the release holds
    assert main(["changes", "--root", str(root)]) == 0
    assert "evidence to decision" not in capsys.readouterr().out


def test_a_grade_release_names_each_new_judgement_and_the_conclusion(tmp_path):
    root = acp_copy(tmp_path / "acp")
    g = load_guideline(root)
    make_release(g, "1")
    grade_etd(g)
    make_release(load_guideline(root), "2")
    (entry,) = [e for e in _log(root, "2")["recommendations"] if e["id"] == "1-01"]
    changed = {c["what"]: (c["before"], c["after"]) for c in entry["etd"]}
    assert changed["Desirable effects"] == (None, "small") and changed["Acceptability"] == (None, "probably yes")
    assert changed["conclusion: strength"] == (None, "strong") and changed["conclusion: direction"] == (None, "for")
    grade_etd(load_guideline(root), desirable="moderate")
    make_release(load_guideline(root), "3")
    (entry,) = [e for e in _log(root, "3")["recommendations"] if e["id"] == "1-01"]
    assert entry["etd"] == [{"what": "Desirable effects", "key": "desirable_effects", "before": "small",
                             "after": "moderate"}]
    assert len(entry["etd_records"]) == 1


def test_a_release_made_before_etd_records_were_released_still_reads(tmp_path, capsys):
    root = copy_guideline(tmp_path / "g")
    g = load_guideline(root)
    old = make_release(g, "old")
    # rewrite it as an older toolkit made it: no etd keys in its change log, its checksums recorded again
    for p in [old, *old.rglob("*")]:
        p.chmod(stat.S_IRWXU if p.is_dir() else stat.S_IRUSR | stat.S_IWUSR)
    log = json.loads((old / "changes.json").read_text(encoding="utf-8"))
    del log["etd"]
    for e in log["recommendations"]:
        e.pop("etd", None)
        e.pop("etd_records", None)
    (old / "changes.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (old / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(old).as_posix()}\n"
        for p in sorted(old.rglob("*")) if p.is_file() and p.name != "SHA256SUMS"), encoding="utf-8")
    assert main(["changes", "--root", str(root), "--since", "old"]) == 0
    assert "evidence to decision" not in capsys.readouterr().out  # its EtD is what its tables record, unchanged
    save_etd(g, new_etd(g.scheme, "6.2-01", "Kari Nordmann", {"benefit_harm": {"judgement": "no"}}, {}))
    make_release(load_guideline(root), "new")
    (entry,) = [e for e in _log(root, "new")["recommendations"] if e["id"] == "6.2-01"]
    assert {c["what"]: (c["before"], c["after"]) for c in entry["etd"]} == {
        "Validity of the documentation": ("yes", None), "Applicability": ("yes", None),
        "Balance of benefit and harm": ("unrecorded", "no"), "conclusion: strength": ("moderate", None),
        "conclusion: direction": ("for", None)}
    assert main(["report", "--root", str(root), "--release", "old", "--output", str(tmp_path / "old.md")]) == 0


def test_a_damaged_etd_part_of_a_change_log_is_a_located_error(tmp_path):
    from grading.revisions.release import log_problems
    root = acp_copy(tmp_path / "acp")
    grade_etd(load_guideline(root))
    make_release(load_guideline(root), "r")
    log = _log(root, "r")
    assert log["recommendations"][0]["etd"]
    assert log_problems(log, "changes.json") == []
    log["etd"] = "all"
    log["recommendations"][0]["etd"] = [{"what": 1}]
    found = [(p.column, p.message) for p in log_problems(log, "changes.json")]
    assert ("etd", "holds no list here") in found
    assert any(c == "recommendations[0].etd[0].what" for c, _ in found)


def test_the_panels_votes_on_each_criterion_of_6_2_01_are_shown_under_the_full_framework(tmp_path):
    from grading.revisions.votes import new_vote, save_vote
    from test_votes import PANEL, YES, write_panel
    root = copy_guideline(tmp_path / "g")
    write_panel(root, PANEL[:2])
    g = load_guideline(root)
    for member, harm in (("Kari Nordmann", "yes"), ("Per Hansen", "yes")):
        save_vote(g, new_vote(g.scheme, "6.2-01", member, YES, strength="moderate",
                              etd={"validity": "yes", "benefit_harm": harm}))
    site = build_site(load_guideline(root), tmp_path / "site")
    page = (site.folder / "rec" / "6.2-01.html").read_text(encoding="utf-8")
    votes = words(part(part(page, '<details class="etd"', "</details>"), "<h3>Votes on the framework", "</table>"))
    assert "Validity of the documentation yes 2 agreed: yes (2 of 2 counted votes say 'yes' (100%)" in votes
    assert "Balance of benefit and harm yes 2 agreed: yes" in votes
    assert "Applicability" not in votes  # no vote judged it
    assert "Strengths proposed in the votes: Moderate 2; agreed: Moderate" in words(page)
