"""One guideline, one set of records: every output names each recommendation's references by the same numbers and
formats them with the same text, whether rows cite by number or by BibTeX key, in whatever citation style the
manifest names (issue 20)."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO
from grading.analyses.explore import view
from grading.cli import main
from grading.io.guideline import load_guideline
from grading.render.markdown import md_escape
from grading.render.references import guideline_references

EXAMPLE = REPO / "docs" / "examples" / "neck-pain"


class _ListItems(HTMLParser):
    """The text of every <li value="N"> of a page's reference lists, and every #ref-N link per table row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: dict[int, str] = {}
        self._open: int | None = None
        self._depth = 0
        self.links: list[int] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and str(a.get("value", "")).isdigit():
            self._open, self._depth = int(a["value"]), 0
            self.items[self._open] = ""
        elif tag == "li" and self._open is not None:
            self._depth += 1
        if tag == "a" and re.search(r"#ref-(\d+)$", a.get("href") or ""):
            self.links.append(int(re.search(r"#ref-(\d+)$", a["href"]).group(1)))

    def handle_endtag(self, tag):
        if tag == "li" and self._open is not None:
            if self._depth:
                self._depth -= 1
            else:
                self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.items[self._open] += data


def _items(path: Path) -> _ListItems:
    p = _ListItems()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _same_text(shown: str, text: str) -> bool:
    return " ".join(text.split()) in " ".join(shown.split())


def _key_cited_copy(tmp_path: Path) -> Path:
    """The bundled guideline rewritten as a reference manager's export cites: every row by BibTeX key, no
    refnumber fields (so the list is numbered by first citation), and APA in place of Vancouver."""
    root = tmp_path / "by-key"
    assert main(["new", str(root), "--example"]) == 0
    g = load_guideline(root)
    bib = (root / "references.bib").read_text(encoding="utf-8")
    (root / "references.bib").write_text(re.sub(r"^\s*refnumber\s*=\s*\{?\d+\}?,?\s*\n", "", bib, flags=re.M),
                                         encoding="utf-8")
    import csv
    path = root / "evidence" / "evidence.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    for row in rows:
        if row["reference"]:
            row["reference"] = g.key_of(row["reference"]) or row["reference"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    manifest = (root / "guideline.toml").read_text(encoding="utf-8")
    (root / "guideline.toml").write_text(re.sub(r'^citation_style = .*$', 'citation_style = "apa"', manifest,
                                                flags=re.M), encoding="utf-8")
    return root


@pytest.fixture(params=["neck-pain example", "bundled guideline cited by key, in APA"])
def folder(request, tmp_path) -> Path:
    if request.param.startswith("neck-pain"):
        root = tmp_path / "neck-pain"
        shutil.copytree(EXAMPLE, root)
        return root
    return _key_cited_copy(tmp_path)


def _json(capsys, *argv: str):
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_every_output_names_the_same_references_by_the_same_numbers_with_the_same_text(folder, tmp_path, capsys):
    g = load_guideline(folder)
    text = {r.number: r.text for r in guideline_references(g)}
    cited = {r.id: sorted(g.cited(r.id)) for r in g.records}
    assert any(cited.values()), "the guideline cites nothing: nothing would be checked"
    assert all(r.key for r in g.evidence_rows if r.reference), "every cited cell resolves to an entry"
    if "by-key" in str(folder):
        assert not any(r.reference.isdigit() for r in g.evidence_rows)  # truly cited by key
        assert g.numbered_by == "first citation"
    root = ["--root", str(folder)]

    # grading reproduce --format json
    for entry in _json(capsys, "reproduce", "--format", "json", *root):
        assert sorted(entry["references"]) == cited[entry["id"]], entry["id"]

    # grading audit --format json: what it asks to appraise is among what the recommendation cites
    for f in _json(capsys, "audit", "--format", "json", *root):
        if f["subject"] in cited:
            assert {n for n in f.get("to_appraise", ()) if isinstance(n, int)} <= set(cited[f["subject"]]), f

    # the JSON export
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--format", "json", str(out / "g.json"), *root]) == 0
    data = json.loads((out / "g.json").read_text(encoding="utf-8"))
    listed = {r["number"]: r for r in data["references"]}
    for rec in data["recommendations"]:
        numbers = sorted({int(e["reference_number"]) for e in rec["evidence"]
                          if e["reference_number"] and not e["scope"]})  # not a row on a section's basis
        assert numbers == cited[rec["id"]] == sorted(rec["grading"]["references"])
        for n in numbers:
            assert rec["id"] in listed[n]["cited_by"] and listed[n]["formatted"] == (text[n] or None)

    # the FHIR export: each Composition cites the Citations of its references, each with its number and text
    assert main(["export", "--format", "fhir", str(out / "g.fhir.json"), *root]) == 0
    bundle = json.loads((out / "g.fhir.json").read_text(encoding="utf-8"))
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    for res in by_url.values():
        if res["resourceType"] != "Composition" or res["id"] == "guideline":
            continue
        rid = next(i["value"] for i in res["identifier"] if i["system"].endswith("recommendation-id"))
        cites = [by_url[r["resourceReference"]["reference"]] for r in res["relatesTo"] if r["type"] == "cites"]
        numbers = [int(next(i["value"] for i in c["identifier"] if i["system"].endswith("refnumber")))
                   for c in cites]
        assert sorted(numbers) == cited[rid], rid
        evidence = next(s for s in res["section"] if s["title"] == "Evidence")
        assert len(evidence.get("entry", [])) == len(cited[rid])
        for c, n in zip(cites, numbers):
            if text[n]:
                assert c["summary"][0]["text"] == md_escape(text[n])

    # the report, as HTML and as Markdown
    assert main(["report", "--format", "html", "--output", str(out / "report.html"), *root]) == 0
    report = _items(out / "report.html")
    for n in {n for ns in cited.values() for n in ns}:
        assert n in report.items and _same_text(report.items[n], text[n]), n
    assert set(report.links) <= set(report.items)
    assert main(["report", "--format", "md", "--output", str(out / "report.md"), *root]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    for n in {n for ns in cited.values() for n in ns}:
        assert f"{n}\\. {md_escape(text[n])}" in md, n

    # the site: every recommendation's page and the reference list
    assert main(["site", str(out / "site"), *root]) == 0
    refs_page = _items(out / "site" / "references.html")
    for n, t in text.items():
        assert _same_text(refs_page.items[n], html.unescape(t)) if t else n in refs_page.items
    for r in g.records:
        page = next((out / "site" / "rec").glob(f"{r.id}*.html"))
        shown = _items(page)
        assert sorted(shown.items) == cited[r.id], r.id
        assert f"References cited ({len(cited[r.id])})" in page.read_text(encoding="utf-8")
        # the evidence table links each row to its entry, a row on a whole section's basis too (shown, not cited)
        every_row = sorted({e.number for e in g.rows(r.id) if e.number is not None})
        assert sorted(set(shown.links)) == every_row
        for n in cited[r.id]:
            assert _same_text(shown.items[n], text[n])

    # the Explore notebook's view of a recommendation
    for r in g.records:
        v = view(g, r.id)
        assert [x.number for x in v.references] == cited[r.id]
        assert all(x.text == text[x.number] for x in v.references)


def test_the_site_and_fhir_carry_the_guidelines_language_and_facts(tmp_path, capsys):
    root = tmp_path / "neck-pain"
    shutil.copytree(EXAMPLE, root)
    manifest = (root / "guideline.toml").read_text(encoding="utf-8")
    (root / "guideline.toml").write_text(manifest.replace('language = "en"', 'language = "nb"'), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["site", str(out / "site"), "--root", str(root)]) == 0
    page = next((out / "site" / "rec").glob("4.1-01*.html")).read_text(encoding="utf-8")
    assert 'lang="nb"' in page and 'lang="no"' not in page
    assert main(["export", "--format", "fhir", str(out / "g.json"), "--root", str(root)]) == 0
    bundle = json.loads((out / "g.json").read_text(encoding="utf-8"))
    comps = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"]
    assert all(c["date"] == "2026" and c["language"] == "nb" for c in comps)
    assert all(c["author"] == [{"display": "Example Working Group"}] for c in comps)
    assert all(c["custodian"] == {"display": "Made-up Society of Primary Care"} for c in comps)
    rec = next(c for c in comps if c["id"] != "guideline")
    assert 'xml:lang="nb"' in rec["section"][0]["section"][0]["text"]["div"]


def test_fhir_citations_of_the_bundled_guideline_are_plain_text(tmp_path):
    g = load_guideline(REPO)
    from grading.render.fhir import bundle_data
    _, entries = bundle_data(g)
    citations = [e["resource"] for e in entries if e["resource"]["resourceType"] == "Citation"]
    assert len(citations) == len(g.bibliography.data.entries)
    for c in citations:
        assert "{" not in c["title"] and "}" not in c["title"], c["title"]
        for entry in c["citedArtifact"].get("contributorship", {}).get("entry", []):
            assert "{" not in entry["contributor"]["display"]
        assert "pybtex" not in json.dumps(c)
    comps = [e["resource"] for e in entries if e["resource"]["resourceType"] == "Composition"]
    assert all(c["author"][0] == {"display": "Even Lærum"} and c["date"] == "2007" for c in comps)
