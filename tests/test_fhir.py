"""The exports for other programs: one FHIR R5 Bundle validated by fhir.resources, and the toolkit's whole JSON."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fhir.resources.bundle import Bundle

from conftest import REPO, ev, rec
from grading import load_guideline, reproduce
from grading.cli import main
from grading.errors import OutputError
from grading.render import fhir
from grading.render import fhir_profiles as P
from grading.render.export import FORMAT, export, guideline_json
from grading.revisions import Change, new_revision, save_revision


@pytest.fixture(scope="module")
def bundled():
    return load_guideline(REPO)


@pytest.fixture(scope="module")
def exported(bundled, tmp_path_factory):
    path = tmp_path_factory.mktemp("fhir") / "guideline.fhir.json"
    written, counts = export(bundled, path, "fhir")
    return path, counts


def resources(data: dict, kind: str | None = None) -> list[dict]:
    return [e["resource"] for e in data["entry"] if kind is None or e["resource"]["resourceType"] == kind]


def test_the_bundled_guideline_round_trips_through_fhir_resources_with_every_resource_counted(bundled, exported):
    path, counts = exported
    text = path.read_text(encoding="utf-8")
    bundle = Bundle.model_validate_json(text)  # raises on anything R5 does not allow
    assert bundle.type == "collection"
    assert json.loads(bundle.model_dump_json()) == json.loads(text)  # nothing lost or added on the way back
    kinds = Counter(e.resource.get_resource_type() for e in bundle.entry)
    n = len(bundled.recommendations)
    assert kinds == {"Citation": len(bundled.bibliography.data.entries), "Composition": n + 1,
                     "ArtifactAssessment": 2 * n}
    assert counts == {"ArtifactAssessment": 2 * n, "Citation": 257, "Composition": n + 1, "derived assessments": n}


def test_every_reference_in_the_bundle_resolves_inside_it(exported):
    data = json.loads(exported[0].read_text(encoding="utf-8"))
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(urls) == len(set(urls)) and all(u.startswith("urn:uuid:") for u in urls)
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "reference" in node:
                found.append(node["reference"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(data)
    assert found and set(found) <= set(urls)


def contents(assessment: dict) -> list[dict]:
    """Every content of an ArtifactAssessment and every component in it, depth first."""
    out = []
    for c in assessment.get("content", []):
        out += [c, *contents({"content": c.get("component", [])})]
    return out


def rated(assessment: dict, what: str) -> list[dict]:
    return [c for c in contents(assessment) if any(x.get("code") == what for x in c["type"].get("coding", []))]


def schemes_codes(concepts: list[dict]) -> list[str]:
    """The scheme's own codes of some concepts (beside any code of the guide's)."""
    return [c["code"] for concept in concepts for c in concept["coding"] if c["system"].startswith("urn:grading:")]


def test_each_recommendation_cites_what_its_evidence_rows_cite_and_carries_both_gradings(bundled, exported):
    data = json.loads(exported[0].read_text(encoding="utf-8"))
    by_url = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    gradings = {g.id: g for g in reproduce(bundled)}
    ratings = resources(data, "ArtifactAssessment")
    for comp in resources(data, "Composition"):
        if comp["id"] == "guideline":
            assert comp["meta"]["profile"] == [P.GUIDELINE] and comp["category"][0]["coding"][0]["code"] == "Guideline"
            continue
        rid = comp["identifier"][0]["value"]
        g = gradings[rid]
        assert comp["meta"]["profile"] == [P.RECOMMENDATION]
        assert comp["type"]["coding"][0]["code"] == "EvidenceReport"  # the fixed code of the guide's parent profile
        assert comp["category"][0]["coding"][0]["code"] == "Recommendation"
        cites = [by_url[r["resourceReference"]["reference"]] for r in comp["relatesTo"] if r["type"] == "cites"]
        assert [int(c["identifier"][0]["value"]) for c in cites] == sorted(bundled.cited(rid))
        statement = comp["section"][0]["section"][0]
        assert statement["code"]["coding"][0]["code"] == "recommendation-statement"
        (derived_from,) = [r for r in comp["relatesTo"] if r["type"] == "derived-from"]
        published = by_url[derived_from["resourceReference"]["reference"]]
        assert published["meta"]["profile"] == [P.JUSTIFICATION] and published["meta"]["tag"][0]["code"] == "published"
        mine = [a for a in ratings if a["artifactReference"]["display"] == rid]
        assert sorted(a["meta"]["tag"][0]["code"] for a in mine) == ["derived", "published"]
        (derived,) = [a for a in mine if a["meta"]["tag"][0]["code"] == "derived"]
        assert derived["meta"]["profile"] == [P.RATING] and "not the guideline's own" in derived["title"]
        strength = rated(published, "strength-of-recommendation")[0]
        printed = bundled.scheme.parse_strength(g.published_strength)
        assert schemes_codes(strength.get("classifier", [])) == list(printed)
        assert schemes_codes(rated(derived, "strength-of-recommendation")[0]["classifier"]) == [g.derived_strength]
        level = rated(derived, "certainty-of-evidence")[0]
        assert schemes_codes(level["classifier"]) == [g.derived_level]
        assert len(level.get("component", [])) == len(bundled.studies(rid))
        assert schemes_codes(rated(published, "ratings")[0].get("classifier", [])) == list(g.published_levels)
        direction = rated(published, "direction-of-recommendation")[0]["classifier"][0]
        assert direction["coding"][0] == {"system": P.RJCS, "code": P.DIRECTION[g.direction][0],
                                          "display": P.DIRECTION[g.direction][1]}
        derived_way = rated(derived, "direction-of-recommendation")[0]["classifier"][0]["coding"][0]["code"]
        assert derived_way == P.DIRECTION[g.derived_direction][0]


def test_every_direction_of_recommendation_is_coded_in_the_guides_classifiers(exported):
    data = json.loads(exported[0].read_text(encoding="utf-8"))
    directions = [c for a in resources(data, "ArtifactAssessment") for c in rated(a, "direction-of-recommendation")]
    assert len(directions) == 2 * 67
    codes = Counter(c["classifier"][0]["coding"][0]["code"] for c in directions)
    assert set(codes) == {"RJCS-2021", "RJCS-2023", "RJCS-2025"}  # for, none (no basis either way), against
    assert codes["RJCS-2023"] == 14 + 13  # the published 'none' and the derived


def test_citations_carry_the_identification_status_of_the_reconstructed_list(exported):
    data = json.loads(exported[0].read_text(encoding="utf-8"))
    by_number = {int(c["identifier"][0]["value"]): c for c in resources(data, "Citation")}

    def status(n):
        (cls,) = [c for c in by_number[n]["citedArtifact"]["classification"]
                  if c["type"]["coding"][0]["code"] == "identification-status"]
        return cls["classifier"][0]["coding"][0]["code"]
    assert status(117) == "likely" and status(127) == "unresolved" and status(4) == "verified"
    assert "Hadler" in by_number[117]["summary"][0]["text"]
    assert "summary" not in by_number[127] and "cited for" in by_number[127]["citedArtifact"]["note"][0]["text"]
    assert by_number[4]["citedArtifact"]["identifier"][0] == {"system": "https://doi.org",
                                                              "value": "10.1007/s00586-006-1072-1"}
    assert by_number[4]["meta"]["profile"] == [P.JOURNAL_ARTICLE]  # a journal article, its identity confirmed
    assert "meta" not in by_number[127]  # an entry whose identity is unresolved claims no kind of work


HOSTILE = '<script>alert(1)</script> "><b onmouseover="alert(2)">x</b>'


def test_a_small_guideline_with_hostile_text_exports_escaped_and_valid(make_guideline, tmp_path):
    root = make_guideline(recs=[rec(id="4.1-01", section="4.1", text=HOSTILE, justification="</div><p>x")],
                          evidence=[ev(rid="4.1-01", reference="3", documentation=HOSTILE)],
                          bib="@article{zot1,\n  refnumber = {3},\n  author = {Doe, Jane},\n  title = {Neck pain},\n"
                              "  journal = {J},\n  year = {2020},\n  doi = {10.1/xyz}\n}\n")
    path, counts = export(load_guideline(root), tmp_path / "out.json", "fhir")
    data = json.loads(path.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    assert counts["Citation"] == 1 and counts["Composition"] == 2 and counts["derived assessments"] == 1
    divs = [s["text"]["div"] for c in resources(data, "Composition") for top in c["section"]
            for s in [top, *top.get("section", [])] if "text" in s]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in d for d in divs)
    assert not any("<script" in d or "<b " in d or "</div><p>" in d[:-6] for d in divs)
    (cit,) = resources(data, "Citation")
    assert cit["meta"]["profile"] == [P.JOURNAL_ARTICLE]
    (kind,) = cit["citedArtifact"]["classification"]  # an ordinary reference carries no identification status
    assert kind["classifier"][0]["coding"][0]["code"] == "D016428"  # Journal Article


def test_fhir_ids_are_valid_and_distinct():
    ids = [fhir.fhir_id("rec", v) for v in ("7.1.1-11", "7.1.1_11", "7.1.1 11", "x" * 80, "x" * 81)]
    assert ids[0] == "rec-7.1.1-11" and len(set(ids)) == len(ids)
    assert all(len(i) <= 64 and all(c.isalnum() or c in ".-" for c in i) for i in ids)


def test_the_json_export_holds_the_whole_guideline_in_its_documented_shape(bundled, tmp_path):
    path, counts = export(bundled, tmp_path / "guideline.json", "json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["edition"] == "published"
    assert data["scheme"] == "norway-2007 (named by guideline.toml)"
    assert set(data) == {"format", "title", "folder", "language", "authors", "publisher", "year", "licence",
                         "edition", "scheme", "generated_by", "recommendations", "references", "glossary", "flags",
                         "revisions", "votes", "findings", "appraisals"}
    assert data["language"] == "no" and data["year"] == 2007 and data["authors"][0] == "Even Lærum"
    assert data["votes"] == [] and all(r["agreement"] is None for r in data["recommendations"])
    assert len(data["recommendations"]) == 67 and counts["recommendations"] == 67
    assert sum(len(r["evidence"]) for r in data["recommendations"]) == len(bundled.evidence)
    first = data["recommendations"][0]
    assert first["grading"]["level_decision"]["rule"] and first["evidence"][0]["seed_lines"]
    assert {r["number"] for r in data["references"]} == set(bundled.bibliography.by_number)
    ref4 = next(r for r in data["references"] if r["number"] == 4)
    assert ref4["identification"] == "verified" and "6.2-03" in ref4["cited_by"] and ref4["fields"]["doi"]
    assert len(data["glossary"]) == len(bundled.glossary) and len(data["flags"]) == len(bundled.flags)
    assert data == json.loads(json.dumps(guideline_json(bundled), ensure_ascii=False))


def test_the_revised_exports_apply_the_saved_revision_and_say_so(make_guideline, tmp_path):
    root = make_guideline(recs=[rec(id="4.1-01", section="4.1", strength="weak", level="*")],
                          evidence=[ev(rid="4.1-01", reference="3", quality="poor")])
    g = load_guideline(root)
    row = dict(ev(rid="4.1-01", reference="3", quality="poor"))
    save_revision(g, new_revision(g.scheme, "4.1-01", "Kari Nordmann", "Re-appraised", {},
                                  [Change("edit", row, {**row, "quality": "good"})], justification="Better trial.",
                                  created="2025-11-26T15:30:00.000000Z"), check=False)
    data = guideline_json(g, revised_wanted=True)
    assert data["edition"] == "revised" and data["revisions"][0]["state"] == "applied"
    assert data["recommendations"][0]["evidence"][0]["quality"] == "good"
    assert guideline_json(g)["revisions"][0]["state"] == "saved"
    bundle = fhir.fhir_bundle(g, revised_wanted=True)
    (comp,) = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Composition"
               and e.resource.id != "guideline"]
    assert comp.status == "amended"


def test_grading_export_through_main_and_refusing_the_guidelines_own_files(tmp_path, capsys, make_guideline):
    root = make_guideline()
    out = tmp_path / "export.fhir.json"
    assert main(["export", "--format", "fhir", str(out), "--root", str(root)]) == 0
    assert "1 Citation" in capsys.readouterr().out and Bundle.model_validate_json(out.read_text(encoding="utf-8"))
    assert main(["export", "--format", "json", str(root / "evidence" / "evidence.csv"), "--root", str(root)]) == 2
    assert "guideline's own files" in capsys.readouterr().err
    assert (root / "evidence" / "evidence.csv").read_text(encoding="utf-8").startswith("recommendation_id,")
    with pytest.raises(OutputError):
        export(load_guideline(root), root / "references.bib", "json")


def test_the_json_export_carries_the_votes_and_the_agreement_they_give(tmp_path):
    from conftest import copy_guideline
    from grading.revisions.votes import new_vote, save_vote
    from test_votes import YES, write_panel
    root = copy_guideline(tmp_path / "g")
    write_panel(root)
    g = load_guideline(root)
    for member in ("Kari Nordmann", "Per Hansen", "Ola Berg"):
        save_vote(g, new_vote(g.scheme, "7.1.1-11", member, YES))
    data = guideline_json(g)
    assert len(data["votes"]) == 3 and {v["member"] for v in data["votes"]} == {"Kari Nordmann", "Per Hansen",
                                                                                "Ola Berg"}
    (voted,) = [r for r in data["recommendations"] if r["agreement"] is not None]
    a = voted["agreement"]
    assert voted["id"] == "7.1.1-11" and a["validity"]["yes"] == 2 and a["validity"]["recused"] == 1
    assert a["validity"]["rule"] in ("AGREEMENT-SHARE", "QUORUM")
    assert [b["counted"] for b in a["ballots"] if b["member"] == "Ola Berg"] == [False]


def test_a_word_manual_line_break_in_a_text_keeps_every_narrative_well_formed_xhtml(make_guideline, tmp_path):
    from xml.dom.minidom import parseString
    root = make_guideline(recs=[rec(id="4.1-01", section="4.1", text="Det anbefales\vtrening\x0c(moderat grad).",
                                    justification="Begrunnet\vi teksten.")],
                          evidence=[ev(rid="4.1-01", reference="3", documentation="God\vdokumentasjon")])
    _, entries = fhir.bundle_data(load_guideline(root))
    divs = []

    def walk(node):
        if isinstance(node, dict):
            if "div" in node:
                divs.append(node["div"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk([e["resource"] for e in entries])
    assert any("Det anbefales trening (moderat grad)." in d for d in divs)
    for d in divs:
        parseString(d)  # raises on a character XML 1.0 forbids
    assert fhir.xml_text("a\x00b") == "a\ufffdb"  # any other forbidden character shows that something was there


def test_grade_certainty_per_outcome_and_its_domains_go_out_in_the_guides_certainty_structures(tmp_path):
    folder = tmp_path / "g"
    assert main(["new", str(folder), "--scheme", "grade"]) == 0
    text, counts = fhir.fhir_json(load_guideline(folder))
    assert counts == {"ArtifactAssessment": 4, "Composition": 2, "derived assessments": 2}
    data = json.loads(text)
    by_url = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    by_id = {r["id"]: r for r in by_url.values()}
    printed, derived = by_id["certainty-1.1-01-1"], by_id["certainty-derived-1.1-01-1"]
    assert printed["meta"]["profile"] == derived["meta"]["profile"] == [P.CERTAINTY]
    assert (printed["meta"]["tag"][0]["code"], derived["meta"]["tag"][0]["code"]) == ("published", "derived")
    (overall,) = printed["content"]
    assert overall["type"]["coding"][0] == {"system": P.CERTAINTY_TYPE, "code": "Overall",
                                            "display": "Overall certainty"}
    assert overall["classifier"][0]["coding"][0]["code"] == "moderate"  # the certainty the template prints
    judged = {c["type"]["coding"][0]["code"]: c["classifier"][0] for c in overall["component"]}
    assert list(judged) == ["RiskOfBias", "Inconsistency", "Indirectness", "Imprecision", "PublicationBias",
                            "LargeEffect", "DoseResponseGradient", "PlausibleConfounding"]
    assert judged["RiskOfBias"]["coding"][0] == {"system": P.CERTAINTY_RATING, "code": "serious-concern",
                                                 "display": "serious concern"}
    assert judged["Imprecision"]["coding"][0]["code"] == "no-concern"
    assert judged["LargeEffect"]["coding"][0]["code"] == "absent"
    assert judged["PublicationBias"] == {"text": "unclear: not judged by the source"}  # no code claims a judgement
    assert "450 participants" in overall["summary"] and "usual care" in overall["summary"]
    (mine,) = derived["content"]
    assert mine["classifier"][0]["coding"][0]["code"] == "moderate"
    assert mine["author"]["display"].startswith("grading toolkit")
    assert "START-BY-DESIGN" in mine["summary"] and "not the guideline's own" in derived["title"]
    assert by_url[mine["relatedArtifact"][0]["resourceReference"]["reference"]] is printed
    justification, rating = by_id["published-1.1-01"], by_id["derived-1.1-01"]
    assert rated(justification, "strength-of-recommendation")[0]["classifier"][0]["coding"][0]["code"] == "RJCS-2002"
    assert rated(justification, "ratings")[0]["classifier"][0]["coding"][0]["code"] == "RJCS-2004"  # moderate
    (findings,) = rated(justification, "summary-of-findings")
    assert by_url[findings["relatedArtifact"][0]["resourceReference"]["reference"]] is printed
    (certainty,) = rated(rating, "certainty-of-evidence")
    assert certainty["classifier"][0]["coding"][0] == {"system": P.CERTAINTY_RATING, "code": "moderate",
                                                       "display": "Moderate quality"}
    assert [by_url[r["resourceReference"]["reference"]] for r in certainty["relatedArtifact"]] == [derived]
    comp = by_id["rec-1.1-01"]
    assert [by_url[e["reference"]] for e in comp["section"][1]["entry"]] == [printed]
