"""Publishing the three-column tables: content, revisions, escaping of hostile data, atomic writes."""

import os
import re
import stat

import pytest

from conftest import REPO, Page, bib_text, ev, parse_html, rec
from grading import load_scheme
from grading.errors import GradingError
from grading.io import files as FILES
from grading.io.guideline import load_guideline
from grading.render import report as publish
from grading.revisions import Change, apply_revisions, new_revision


@pytest.fixture(scope="module")
def bundled():
    return load_guideline(REPO)


SCHEME = load_scheme("norway-2007")


def parse(page: str) -> Page:
    return parse_html(page)


def unescaped(text: str, char: str) -> list[int]:
    """Positions of `char` not escaped by a backslash."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            out.append(i)
        i += 1
    return out


def table_lines(md: str, headings: tuple[str, ...] = ("| Anbefalinger", "| Recommendation")) -> list[str]:
    """The body rows of a Markdown report's tables (not their heading rows)."""
    return [line for line in md.splitlines() if line.startswith("| ") and not line.startswith(headings)]


def test_sections_in_guideline_order_with_every_recommendation(bundled):
    tables = publish.section_tables(bundled)
    assert [t.section for t in tables] == ["6.2", "6.3.1", "6.3.2", "6.3.3", "6.4", "7.1.1", "7.1.2", "7.1.3",
                                           "7.2.1"]
    assert sum(len(t.rows) for t in tables) == 67
    assert tables[0].heading == "6.2 Anamnese og klinisk undersøkelse"
    rows = {r.id: r for t in tables for r in t.rows}
    assert rows["7.2.1-03"].level == "***" and rows["7.1.1-01"].level == ""  # 7.1.1 prints no level
    assert rows["6.2-02"].references == (5, 169, 213, 215, 224, 300, 321)
    assert rows["6.2-02"].documentation[0].startswith("Lateralfleksjon:") and len(rows["6.2-02"].documentation) == 2


def test_documentation_is_deduplicated_keeping_the_fullest_text():
    assert publish.dedupe(["A.", "A.", "B.", "A. | B. | C.", " "]) == ("A. | B. | C.",)
    assert publish.dedupe(["first", "second", "first"]) == ("first", "second")


def test_html_is_a_self_contained_page_with_every_row_and_the_cited_references(bundled):
    page = publish.to_html(bundled)
    t = parse(page)
    rows = [a["id"] for tag, a in t.tags if tag == "tr" and "id" in a]
    assert len(rows) == 67 and rows[0] == "rec-6.2-01"
    cited = {int(r) for r in bundled.evidence["reference"] if r}
    numbers = {int(a["value"]) for tag, a in t.tags if tag == "li"}
    assert numbers == cited
    assert not [tag for tag, _ in t.tags if tag in ("script", "link", "img", "iframe")]
    assert not [a for _, a in t.tags if "src" in a]
    assert "Content-Security-Policy" in page and "<style>" in page
    assert 'href="#ref-321"' in page and '<li value="321" id="ref-321">' in page
    assert "unresolved: the source does not establish" in page and "likely identification" in page.lower()


def test_markdown_tables_have_three_cells_a_row_and_keep_reference_numbers(bundled):
    md = publish.to_markdown(bundled)
    lines = table_lines(md.split("\n## Evidence to decision\n")[0])  # the section tables (the EtD's follow)
    assert len(lines) == 67
    assert all(len(unescaped(line, "|")) == 4 for line in lines)
    assert "| \\*\\*\\* |" in md  # a level is not read as emphasis or a rule
    assert "\n321\\. van Tulder M." in md and "\n5\\. " in md  # the guideline's numbers, not 1, 2, 3


HOSTILE_BIB = r"""
@article{ref001,
  refnumber = {1},
  identification = {verified},
  author = {Evil, Eve},
  title = {<script>alert(3)</script> "><img src=x onerror=alert(4)>},
  journal = {J" onmouseover="alert(5)},
  year = {2020},
  url = {javascript:alert(1)},
  doi = {javascript:alert(2)}
}
@misc{ref002,
  refnumber = {2},
  identification = {likely},
  title = {Quote [x](javascript:alert(7)) | pipe},
  url = {https://example.org/a"onclick="alert(6)}
}
"""

HOSTILE_TEXT = '<script>alert(1)</script> "><b onmouseover="alert(2)">x</b> | cell'


@pytest.fixture
def hostile(make_guideline):
    root = make_guideline(
        recs=[rec(id="7.1.3-01", text=HOSTILE_TEXT, topic='" onclick="alert(1)', topic_en="<i>x</i>")],
        evidence=[ev(rid="7.1.3-01", reference="1",
                     documentation='Doc\nwith newline | and pipe <img src=x onerror=alert(1)> [a](javascript:x)'),
                  ev(rid="7.1.3-01", reference="2", documentation="`code | span`")],
        bib=HOSTILE_BIB)
    return load_guideline(root)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "section", "table", "thead",
                "tbody", "tr", "th", "td", "a", "ol", "li", "em", "br", "span"}


def test_nothing_hostile_survives_in_html(hostile):
    page = publish.to_html(hostile)
    t = parse(page)
    assert {tag for tag, _ in t.tags} <= ALLOWED_TAGS
    for tag, attrs in t.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert set(attrs) <= {"lang", "charset", "http-equiv", "content", "name", "id", "class", "href", "value"}
        if "href" in attrs:
            assert re.match(r"^(#|https?://|doi:)", attrs["href"]), attrs["href"]
            assert not re.search(r"[\s\"'<>]", attrs["href"])
    assert "<script" not in page.lower()
    text = "".join(t.text)
    assert "<script>alert(1)</script>" in text  # shown as text, not run
    assert '"><b onmouseover="alert(2)">' in text


def test_nothing_hostile_survives_in_markdown(hostile):
    md = publish.to_markdown(hostile)
    lines = table_lines(md)
    assert len(lines) == 1 and len(unescaped(lines[0], "|")) == 4  # a pipe in the data does not add a cell
    assert "\n" not in lines[0].strip("|")
    for i in unescaped(md, "<"):
        assert re.match(r"<(br>|https?://[^\s<>\"']*>)", md[i:]), md[i:i + 40]
    for i in unescaped(md, "["):
        pytest.fail(f"unescaped link bracket: {md[i:i + 40]}")
    assert "`" not in md.replace("\\`", "")
    assert "\\[a\\](javascript:x)" in md and "\\<img src=x onerror=alert(1)\\>" in md  # inert text


def test_revised_edition_shows_the_revision_and_the_level_its_evidence_carries(make_guideline):
    # The review is another reference (92): a second row citing 91 would be the same study, counted once.
    g = load_guideline(make_guideline(recs=[rec(id="7.1.3-01", strength="moderate", level="**")],
                                      evidence=[ev(rid="7.1.3-01", reference="91")], bib=bib_text([91, 92])))
    review = dict(recommendation_id="7.1.3-01", reference="92", design="systematic_review", quality="good",
                  quality_text="meget god dokumentasjon", finding="benefit", effect_size="moderate",
                  outcomes="pain", documentation="A <new> review | of good quality", seed_lines="5")
    rev = new_revision(SCHEME, "7.1.3-01", "Kari Nordmann", "A new Cochrane review", {}, [Change("add", None, review)],
                       published_strength="strong", created="2025-11-26T15:30:00.000000Z")
    revised = apply_revisions(g, [rev])
    row = publish.section_tables(g, revised)[0].rows[0]
    assert row.level == "***" and "printed: **" in row.level_note
    assert "published strength moderate → strong" in row.revision and "A new Cochrane review" in row.revision
    assert "2025-11-26 15:30 UTC by Kari Nordmann" in row.revision
    assert row.documentation[-1] == "A <new> review | of good quality"
    page = publish.to_html(g, revised)
    assert "A &lt;new&gt; review | of good quality" in page and 'class="revision"' in page
    assert "1 of 1 revisions" in page
    md = publish.to_markdown(g, revised)
    assert "A \\<new\\> review \\| of good quality" in md
    assert publish.section_tables(g)[0].rows[0].level == "**"  # the published edition is untouched


def test_render_refuses_an_unknown_format(bundled):
    with pytest.raises(GradingError, match="allowed: 'html', 'md'"):
        publish.render(bundled, "pdf")


def test_write_atomic_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    FILES.write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_write_atomic_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FILES.os, "replace", fail)
    with pytest.raises(GradingError, match="cannot write .*report.md: No space left on device"):
        FILES.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_write_atomic_names_a_bad_path(tmp_path):
    with pytest.raises(GradingError, match="the folder .*missing does not exist"):
        FILES.write_atomic(tmp_path / "missing" / "r.html", "x")
    with pytest.raises(GradingError, match="it is a folder"):
        FILES.write_atomic(tmp_path, "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(GradingError, match="is a file, not a folder"):
        FILES.write_atomic(tmp_path / "file" / "r.html", "x")


def test_publish_picks_the_format_from_the_file_name(bundled, tmp_path):
    md = publish.publish(bundled, tmp_path / "tables.md")
    html = publish.publish(bundled, tmp_path / "tables.html")
    assert md.read_text(encoding="utf-8").startswith("# Korsryggsmerter")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_some_sections_only_with_their_references(bundled):
    md = publish.to_markdown(bundled, sections=["7.2.1"])
    assert "## 7.2.1 " in md and "## 6.2 " not in md and len(table_lines(md)) == 5
    cited = {int(r) for rid, r in zip(bundled.evidence["recommendation_id"], bundled.evidence["reference"])
             if r and rid.startswith("7.2.1-")}
    assert {int(n) for n in re.findall(r"(?m)^(\d+)\\\. ", md)} == cited
    with pytest.raises(GradingError, match="unknown section '9.9'; allowed: '6.2', '6.3.1'"):
        publish.section_tables(bundled, sections=["9.9"])
