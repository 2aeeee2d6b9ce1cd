"""The group's appraisals made visible where people work (issue 21, part 3), on a copy of the bundled guideline:
ref 4 (the European guidelines) and ref 321 (COST B13) appraised with AGREE II by one member (they count), and
ref 129, an RCT behind manipulation in acute pain (7.1.1-10), appraised with RoB 2 by two members who disagree
(it does not count yet; kappa 4/9). Expectations are derived from the records, never from fixed verdict counts."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO, copy_guideline, parse_html
from grading import load_guideline, reproduce
from grading.cli import main
from grading.render.report import render
from grading.render.site import build_site
from grading.results import graded
from grading.revisions import appraisals as ap
from grading.revisions.appraisals import apply_appraisals, load_appraisals, new_appraisal, save_appraisal

KARI = dict(zip(("D1", "D2", "D3", "D4", "D5"), ("low", "low", "some_concerns", "high", "low")))
OLA = dict(zip(("D1", "D2", "D3", "D4", "D5"), ("low", "some_concerns", "some_concerns", "high", "high")))
HOSTILE = '<img src=x onerror="alert(1)"> | # INJECTED\n- item'


@pytest.fixture(scope="module")
def appraised_root(tmp_path_factory):
    """A copy of the bundled guideline with four saved appraisals."""
    root = copy_guideline(tmp_path_factory.mktemp("appraised") / "g")
    g = load_guideline(root)
    when = "2026-11-26T15:30:12.000000Z"
    for ref in ("4", "321"):
        save_appraisal(g, new_appraisal(ref, "agree-ii", "Kari Nordmann", "yes", {"D1": "6", "D3": "6"},
                                        rationale=HOSTILE, created=when))
    save_appraisal(g, new_appraisal("129", "rob-2", "Kari Nordmann", "some_concerns", KARI, created=when))
    save_appraisal(g, new_appraisal("129", "rob-2", "Ola Nordmann", "high", OLA, created=when))
    return root


@pytest.fixture(scope="module")
def appraised_site(appraised_root, tmp_path_factory):
    """The site of the copy, graded with its counting appraisals applied."""
    return build_site(load_guideline(appraised_root), tmp_path_factory.mktemp("site") / "site", appraised=True)


def _counted(root) -> tuple[int, int]:
    """(counting appraisals, evidence rows they set), from the records themselves."""
    g = load_guideline(root)
    _, applied = ap.applied_appraisals(g, load_appraisals(g))
    return len(applied), sum(len(a.rows) for a in applied)


# --- results: the graded guideline carries the appraisals ------------------------------------------------------

def test_the_graded_guideline_reads_the_appraisals_once_and_knows_refs_4_and_321_count_and_129_does_not(
        appraised_root, monkeypatch):
    calls = []
    real = ap.load_appraisals
    monkeypatch.setattr("grading.results.load_appraisals", lambda *a, **k: calls.append(1) or real(*a, **k))
    result = graded(load_guideline(appraised_root))
    assert calls == []  # not read until asked
    assert len(result.appraisals) == 4 and len(calls) == 1
    assert {a.reference for a in result.counting} == {"ref004", "ref321"}
    assert result.appraisal_standings["ref129"].counts is None
    ((key, agreement),) = result.appraisal_agreements
    assert key == "ref129" and agreement.kappa == pytest.approx(4 / 9)
    assert len(result.shown_appraisals) == 4 and len(calls) == 1  # read once


def test_graded_as_published_is_unchanged_and_appraised_applies_the_counting_appraisals(appraised_root):
    g = load_guideline(appraised_root)
    published = graded(g)
    assert not published.appraised and published.applied == ()
    assert [x.as_dict() for x in published.gradings] == [x.as_dict() for x in reproduce(g)]
    result = graded(g, appraised=True)
    expected = reproduce(apply_appraisals(g, load_appraisals(g)))
    assert [x.as_dict() for x in result.gradings] == [x.as_dict() for x in expected]
    assert (len(result.applied), sum(len(a.rows) for a in result.applied)) == _counted(appraised_root)
    row = next(r for r in result.rows("7.1.1-10") if r.number == 4)
    by = result.appraised_by(row)
    assert by is not None and by.appraisal.member == "Kari Nordmann"
    assert row.quality_text.startswith("appraised by the group (Kari Nordmann, 2026-11-26, AGREE II)")
    assert all(published.appraised_by(r) is None for r in published.rows("7.1.1-10"))


# --- the site -------------------------------------------------------------------------------------------------

def test_the_site_s_appraisals_page_shows_the_plots_with_text_alternatives_and_who_appraised_what(appraised_site):
    folder = appraised_site.folder
    page = parse_html((folder / "appraisals.html").read_text(encoding="utf-8"))
    images = [a for t, a in page.tags if t == "img"]
    assert {a["src"] for a in images} == {"appraisals-agree-ii-traffic-light.png", "appraisals-agree-ii-summary.png",
                                          "appraisals-rob-2-traffic-light.png"}
    for a in images:
        assert (folder / a["src"]).read_bytes().startswith(b"\x89PNG") and len(a["alt"]) > 40
    rob = next(a["alt"] for a in images if "rob-2" in a["src"])
    assert "ref 129 by Ola Nordmann" in rob and "overall high risk of bias" in rob
    text = " ".join(" ".join(page.text).split())
    assert "kappa 0.44 over 5 domains (3 alike)" in text
    rows = [a for t, a in page.tags if t == "tr"]
    assert len(rows) == 1 + 4  # the heading and one row per saved appraisal
    assert text.count("yes: one member's appraisal") == 2 and text.count("not yet: the members disagree") == 2
    assert "2026-11-26" in text and "AGREE II" in text and "RoB 2" in text
    assert "appraisals.html" in (folder / "index.html").read_text(encoding="utf-8")
    assert "appraisals applied" in appraised_site.edition


def test_a_row_the_group_appraised_is_shown_as_appraised_by_the_group_never_as_the_text_s_statement(
        appraised_site, appraised_root, tmp_path):
    html = (appraised_site.folder / "rec" / "7.1.1-10.html").read_text(encoding="utf-8")
    assert 'good — <span class="appraised">appraised by the group (Kari Nordmann, 2026-11-26, AGREE II): ' \
           "recommended for use</span>" in html
    # 7.1.1-14 cites ref 4 with the words "moderat dokumentasjon": they stay, as the text's, beside the label
    html = (appraised_site.folder / "rec" / "7.1.1-14.html").read_text(encoding="utf-8")
    assert re.search(r'appraised by the group \(Kari Nordmann, [^<]*</span>; the text: <q lang="no">moderat '
                     r"dokumentasjon</q>", html)
    # graded as published, no row is set: the page shows what the text states
    site = build_site(load_guideline(appraised_root), tmp_path / "published")
    assert "appraised by the group" not in (site.folder / "rec" / "7.1.1-10.html").read_text(encoding="utf-8")
    assert "appraisals applied" not in site.edition


def test_the_bundled_guideline_without_appraisals_says_so_in_one_line(tmp_path):
    site = build_site(load_guideline(copy_guideline(tmp_path / "g")), tmp_path / "site")
    page = parse_html((site.folder / "appraisals.html").read_text(encoding="utf-8"))
    main_text = " ".join(" ".join(page.text).split())
    assert "No appraisal by the working group is saved for this guideline" in main_text
    assert not [t for t, _ in page.tags if t in ("img", "table")]


# --- the report -----------------------------------------------------------------------------------------------

def test_the_report_shows_the_appraisals_inline_escaped_with_text_alternatives(appraised_root):
    g = load_guideline(appraised_root)
    html = render(g, "html")
    page = parse_html(html)
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 3 and all(a["src"].startswith("data:image/png;base64,") and a["alt"] for a in images)
    assert "img-src data:" in html and "http" not in "".join(a["src"] for a in images)
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html  # the rationale is escaped
    section = html[html.index('<section id="appraisals">'):]
    assert section.count("<tr>") == 1 + 4 and "kappa 0.44" in section
    md = render(g, "md")
    lines = md.splitlines()
    assert "## Appraisals by the working group" in lines
    assert sum(ln.startswith("![") and "](data:image/png;base64," in ln for ln in lines) == 3
    assert not any("INJECTED" in ln for ln in lines if ln.startswith("#"))
    rows = [ln for ln in lines if ln.startswith("| ref ")]
    assert len(rows) == 4 and all(len(re.findall(r"(?<!\\)\|", r)) == 9 for r in rows)


def test_the_report_of_a_guideline_without_appraisals_keeps_its_strict_policy(tmp_path):
    html = render(load_guideline(copy_guideline(tmp_path / "g")), "html")
    assert "img-src" not in html and "<img" not in html
    assert "No appraisal by the working group is saved for this guideline" in html


# --- the command line: --appraised ------------------------------------------------------------------------------

def test_reproduce_appraised_grades_with_the_counting_appraisals_and_says_how_many(appraised_root, capsys):
    n, rows = _counted(appraised_root)
    assert main(["reproduce", "--root", str(appraised_root)]) == 0
    plain = capsys.readouterr().out
    assert "appraisals applied" not in plain
    assert main(["reproduce", "--root", str(appraised_root), "--appraised"]) == 0
    out = capsys.readouterr().out
    assert f"Graded with the group's appraisals applied: {n} counting appraisals (of 4 saved) set {rows} " \
           "evidence rows." in out
    assert main(["reproduce", "--root", str(appraised_root), "--appraised", "--format", "json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)  # the JSON stays clean; the statement goes to stderr
    g = load_guideline(appraised_root)
    expected = {x.id: x.derived_level for x in reproduce(apply_appraisals(g, load_appraisals(g)))}
    assert {r["id"]: r["derived_level"] for r in data} == expected
    assert f"{n} counting appraisals" in captured.err


def test_reproduce_of_the_published_guideline_is_unchanged_by_saved_appraisals(appraised_root, tmp_path, capsys):
    assert main(["reproduce", "--root", str(copy_guideline(tmp_path / "clean"))]) == 0
    clean = capsys.readouterr().out
    assert main(["reproduce", "--root", str(appraised_root)]) == 0
    assert capsys.readouterr().out == clean


def test_export_and_site_appraised_state_what_they_applied(appraised_root, tmp_path, capsys):
    n, rows = _counted(appraised_root)
    out = tmp_path / "g.json"
    assert main(["export", str(out), "--format", "json", "--root", str(appraised_root), "--appraised"]) == 0
    assert f"{n} counting appraisals applied" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["appraisals"]["applied"] is True and data["appraisals"]["counting"] == n
    assert data["appraisals"]["rows_set"] == rows and len(data["appraisals"]["saved"]) == 4
    labelled = [e for r in data["recommendations"] for e in r["evidence"]
                if e["quality_text"].startswith("appraised by the group (")]
    assert len(labelled) == rows
    plain = tmp_path / "plain.json"
    assert main(["export", str(plain), "--format", "json", "--root", str(appraised_root)]) == 0
    capsys.readouterr()
    data = json.loads(plain.read_text(encoding="utf-8"))
    assert data["appraisals"]["applied"] is False and data["appraisals"]["rows_set"] == 0
    assert not any(e["quality_text"].startswith("appraised by") for r in data["recommendations"]
                   for e in r["evidence"])
    assert main(["site", str(tmp_path / "site"), "--root", str(appraised_root), "--appraised"]) == 0
    assert f"with the group's appraisals applied: {n} counting appraisals" in capsys.readouterr().out


# --- grading validate -------------------------------------------------------------------------------------------

def test_validate_counts_the_saved_appraisals(appraised_root, capsys):
    assert main(["validate", "--root", str(appraised_root)]) == 0
    assert "Appraisals: 4 saved on 3 references, 2 counting" in capsys.readouterr().out


@pytest.mark.parametrize("damage, column, found", [
    (lambda d: "{not json", None, None),
    (lambda d: json.dumps({**d, "instrument": "rob-3"}), "instrument", "rob-3"),
    (lambda d: json.dumps({**d, "domains": {"D9": "low"}}), "domains.D9", "D9"),
    (lambda d: json.dumps({**d, "domains": {"D1": "moderate"}}), "domains.D1", "moderate"),
    (lambda d: json.dumps({**d, "overall": "serious"}), "overall", "serious"),
])
def test_validate_refuses_a_damaged_appraisal_of_rct_129_located_with_exit_2(tmp_path, capsys, damage, column, found):
    g = load_guideline(copy_guideline(tmp_path / "g"))
    path = save_appraisal(g, new_appraisal("129", "rob-2", "Kari Nordmann", "low", {"D1": "low"}))
    path.write_text(damage(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    assert main(["validate", "--root", str(g.root)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "valid —" not in captured.out
    assert path.name in captured.err and "the guideline is not valid" in captured.err
    if column is not None:
        assert f"column {column}" in captured.err and f"found {found!r}" in captured.err and "allowed:" in captured.err


def test_validate_refuses_an_appraisal_of_a_reference_absent_from_the_bib(tmp_path, capsys):
    g = load_guideline(copy_guideline(tmp_path / "g"))
    path = save_appraisal(g, new_appraisal("129", "rob-2", "Kari Nordmann", "low"))
    folder = path.parent.parent / "ref9999"
    folder.mkdir()
    data = json.loads(path.read_text(encoding="utf-8"))
    (folder / path.name).write_text(json.dumps({**data, "reference": "ref9999"}), encoding="utf-8")
    assert main(["validate", "--root", str(g.root)]) == 2
    err = capsys.readouterr().err
    assert "column reference" in err and "found 'ref9999'" in err and "absent from references.bib" in err


def test_the_repository_s_guideline_holds_no_saved_appraisals():
    assert load_appraisals(load_guideline(REPO)) == ()


def test_the_fhir_export_appraised_carries_the_group_s_label_on_the_rows_it_set(appraised_root, tmp_path, capsys):
    n, _ = _counted(appraised_root)
    out = tmp_path / "g.fhir.json"
    assert main(["export", str(out), "--format", "fhir", "--root", str(appraised_root), "--appraised"]) == 0
    assert f"{n} counting appraisals applied" in capsys.readouterr().out
    assert "appraised by the group (Kari Nordmann, 2026-11-26, AGREE II)" in out.read_text(encoding="utf-8")


# --- the loop on a copy (what the Audit notebook walks) ----------------------------------------------------------

def test_the_audit_loop_on_a_copy_settles_verdicts_by_the_worklist_s_top_references_and_leaves_the_source(tmp_path):
    from grading.analyses.appraisals import instruments_for
    from grading.analyses.audit import audit
    from grading.analyses.worklist import worklist
    from grading.io.scaffold import new_guideline
    source = load_guideline(copy_guideline(tmp_path / "source"))
    copy = load_guideline(new_guideline(tmp_path / "copy", source=source.root)[0])
    top = [e for e in worklist(reproduce(copy)) if isinstance(e.reference, int)][:2]
    keys = [copy.reference_key(e.reference) for e in top]
    for key in keys:
        instrument = instruments_for(copy, key)[0]
        save_appraisal(copy, new_appraisal(key, instrument.name, "Kari Nordmann", instrument.overall[0]))
    settled = [f for f in audit(copy) if f.kind == "settled_by_appraisal"]
    decided = {rid for e in top for rid in e.decides}
    assert settled and {f.subject for f in settled} <= decided
    assert all(any(f"evidence/appraisals/{k}/" in p for k in keys) for f in settled for p in f.extra["appraisals"])
    assert not (source.root / "evidence" / "appraisals").exists()


def test_a_copy_of_a_guideline_of_one_s_own_carries_its_scheme_and_appraisal_rules(tmp_path):
    from conftest import EXAMPLE
    from grading.io.scaffold import new_guideline
    from grading.scheme.instruments import load_appraisal_rules
    folder, files = new_guideline(tmp_path / "copy", source=EXAMPLE)
    assert {"scheme.toml", "scheme.appraisal.toml"} <= {str(f) for f in files}
    g = load_guideline(folder)
    rules = load_appraisal_rules(g.scheme)
    assert not rules.default and rules.path == folder / "scheme.appraisal.toml"
