"""The guideline's three-column tables with their numbered reference list and the working group's appraisals, as
HTML and Markdown files."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnknownValueError
from ..grade import Grading
from ..io.files import write_atomic
from ..io.guideline import Guideline, read_paths
from ..io.labels import label_key
from ..records import OutcomeRow
from ..results import GradedGuideline, graded_edition
from ..revisions import Revised, Revision
from .appraisals import NO_APPRAISALS, TABLE_HEADINGS, agreement_lines, appraisal_rows, appraisals_intro
from .changes import changes_html, changes_markdown
from .markdown import md_cell, md_escape
from .page import html_page
from .references import guideline_references, render_references
from .site.pages import EtdView
from .sof import sof_css, sof_fragment, sof_frame
from .text import verdict_line

FORMATS = ("html", "md")
NO_LEVEL = "–"  # shown where the guideline prints no level
NO_REFERENCES = "No references are cited."
ETD_HEADING = "Evidence to decision"
ETD_INTRO = ("Per recommendation whose Evidence-to-Decision framework records a judgement: each criterion's "
             "judgement, the research evidence and additional considerations it rests on, then the conclusion; "
             "the latest record saved by the working group (ETD-LATEST), else what the guideline's text records "
             "(ETD-FROM-TEXT).")
ETD_COLUMNS = ("Criterion", "Judgement", "Research evidence", "Additional considerations")
SOF_HEADING = "Summary of findings"
SOF_INTRO = ("Per recommendation graded by certainty, its outcomes in GRADE's layout: the certainty printed where the "
             "guideline prints one, beside the one its domain judgements give.")
# The title, section titles, table headings and the reference list's heading are the guideline's own, from its
# manifest (guideline.toml).


@dataclass(frozen=True)
class TableRow:
    """One row of a section table: the recommendation, its documentation and its level."""

    id: str
    recommendation: str
    documentation: tuple[str, ...]
    references: tuple[int, ...]
    level: str
    revision: str = ""  # what the working group's revisions changed, and why; empty when unrevised
    level_note: str = ""  # why the level differs from the printed one (revised edition only)
    verdict: str = ""  # what the evidence carries under every reading of the unstated appraisal (render.text)


@dataclass(frozen=True)
class SectionTable:
    """The three-column table of one section."""

    section: str
    title: str
    rows: tuple[TableRow, ...]

    @property
    def heading(self) -> str:
        return f"{self.section} {self.title}".strip()


def dedupe(texts: Iterable[str]) -> tuple[str, ...]:
    """Texts in order, each once, leaving out any contained in another (rows often repeat part of a cell)."""
    unique = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
    return tuple(t for t in unique if not any(t != u and t in u for u in unique))


def section_tables(guideline: Guideline | GradedGuideline, revised: Revised | None = None,
                   sections: Iterable[str] | None = None) -> list[SectionTable]:
    """The recommendations by section in table order (all sections, or those named), as published or as `revised`;
    read from the graded guideline (grading.results), computed once."""
    result = guideline if isinstance(guideline, GradedGuideline) else graded_edition(guideline, revised)
    revised, source = result.revised, result.guideline
    applied: dict[str, list[Revision]] = {}
    for r in revised.applied if revised is not None else ():
        applied.setdefault(r.recommendation_id, []).append(r)
    before = {g.id: g for g in result.published_gradings} if applied else {}
    by_section: dict[str, list[TableRow]] = {}
    for rec in source.records:
        rid, level, level_note, note = rec.id, rec.published_level, "", ""
        after = result.grading(rid)
        if rid in applied:
            note = _revision_note(before[rid], after, applied[rid])
            # A revision changes the evidence, so the level is what the revised evidence carries, not the print.
            level = after.derived_level
            level_note = "derived from the revised evidence" + (f"; printed: {rec.published_level}"
                                                                 if rec.published_level else "")
        docs = [r.documentation for r in result.rows(rid)] + [_outcome_line(o) for o in source.outcomes_of(rid)]
        row = TableRow(rid, rec.text, dedupe(docs), tuple(sorted(result.cited(rid))), level,
                       note, level_note, "Toolkit: " + verdict_line(after))
        by_section.setdefault(rec.section, []).append(row)
    wanted = set(sections) if sections is not None else None
    if wanted is not None and wanted - set(by_section):
        raise UnknownValueError("section", ", ".join(sorted(wanted - set(by_section), key=label_key)), by_section)
    return [SectionTable(s, source.manifest.section_title(s), tuple(rows)) for s, rows in by_section.items()
            if wanted is None or s in wanted]


def _revision_note(before: Grading, after: Grading, revisions: list[Revision]) -> str:
    pairs = [("published strength", before.published_strength, after.published_strength),
             ("level derived from the evidence", before.derived_level, after.derived_level)]
    changed = "; ".join(f"{what} {a or '-'} → {b or '-'}" for what, a, b in pairs if a != b) or "grading unchanged"
    reasons = " ".join(f"{r.label()}: {r.rationale}" + (f" Justification: {r.justification}" if r.justification
                                                         else "") for r in revisions)
    return f"Revised ({changed}). {reasons}"


def _outcome_line(o: OutcomeRow) -> str:
    """An outcome of a certainty model's evidence profile as the Evidence column shows it."""
    what = "; ".join(x for x in (o.comparison and f"vs {o.comparison}", o.narrative or o.relative_effect) if x)
    printed = f" ({o.published_certainty.replace('_', ' ')} certainty, printed)" if o.published_certainty else ""
    return f"{o.outcome}" + (f": {what}" if what else "") + printed


def cited_numbers(tables: list[SectionTable]) -> list[int]:
    """Every reference number the tables cite, ascending."""
    return sorted({n for t in tables for r in t.rows for n in r.references})


def _intro(guideline: Guideline, tables: list[SectionTable], revised: Revised | None, release: dict | None = None
           ) -> str:
    n = sum(len(t.rows) for t in tables)
    year = guideline.manifest.year
    if release is not None:  # a release folder: its tables are the revised guideline (its change log follows)
        edition = f"as the working group released it in release {release['release']} ({release['created'][:10]})"
    elif revised is None:
        edition = f"as published in {year}" if year else "as published"
    else:
        edition = (f"with the working group's saved revisions applied ({len(revised.applied)} of "
                   f"{len(revised.revisions)} revisions; {len(revised.conflicts)} conflicting changes left out)")
    return (f"{n} recommendation{'s' if n != 1 else ''} in {len(tables)} section{'s' if len(tables) != 1 else ''}, "
            f"{edition}. The level is the printed level of "
            f"documentation ({NO_LEVEL} where the guideline prints none); under each recommendation, what its "
            f"evidence carries under every reading of the appraisal the text leaves unstated"
            + ("; for a revised recommendation, the level its revised evidence carries" if revised else "")
            + f". {_references_sentence(guideline, cited_numbers(tables))} "
              f"Graded by scheme {guideline.scheme.describe()}.")


def _references_sentence(guideline: Guideline, numbers: list[int]) -> str:
    """How the reference list is numbered, marked and formatted."""
    numbered = {"refnumber": "References keep the guideline's numbers",
                "first citation": "References are numbered in order of first citation",
                }.get(guideline.numbered_by, "References keep the guideline's numbers where it gives them, and the "
                                             "rest are numbered on in order of first citation")
    statuses = {guideline.reference_status(n) for n in numbers}
    marks = ("; entries whose identity the source does not establish are marked unresolved, and identifications "
             "not confirmed by a source are marked likely") if statuses & {"unresolved", "likely"} else ""
    return f"{numbered}{marks}; formatted in the {guideline.manifest.citation_style} style (CSL)."


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; line-height: 1.4; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { border: 1px solid #999; padding: 0.4rem 0.6rem; vertical-align: top; text-align: left; }
th { background: #eee; }
td.level { white-space: nowrap; text-align: center; width: 6rem; }
td p { margin: 0 0 0.4rem 0; }
.refs, .level-note, .verdict { font-size: 0.85em; color: #555; white-space: normal; }
.revision { font-size: 0.9em; background: #fff6d5; padding: 0.2rem 0.4rem; }
ol.references li { margin-bottom: 0.3rem; }
em.note { color: #a00; }
figure.appraisal-plot img { max-width: 100%; height: auto; }
dl.etd-conclusion dt { font-weight: bold; margin-top: 0.3rem; }
dl.etd-conclusion dd { margin-left: 1.2rem; }
.etd-source { font-size: 0.9em; color: #555; }
"""
APPRAISALS_HEADING = "Appraisals by the working group"


def _pictures(result: GradedGuideline) -> list[tuple[str, str]]:
    """(data: address, text alternative) of each picture of the group's appraisals."""
    from .appraisal_plots import data_uri, pictures
    return [(data_uri(p.figure), p.alt) for p in pictures(result)]


def appraisals_html(result: GradedGuideline) -> str:
    """The report's section on the group's appraisals: pictures inlined, who appraised what, kappa; one calm line
    when none is saved."""
    esc = html.escape
    out = ['<section id="appraisals">', f"<h2>{esc(APPRAISALS_HEADING)}</h2>"]
    rows = appraisal_rows(result)
    if not rows:
        return "\n".join([*out, f"<p>{esc(NO_APPRAISALS)}</p>", "</section>"])
    out.append(f'<p class="intro">{esc(appraisals_intro(result))}</p>')
    out += [f'<figure class="appraisal-plot"><img src="{esc(uri, quote=True)}" alt="{esc(alt, quote=True)}">'
            "</figure>" for uri, alt in _pictures(result)]
    out += ["<table>", "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in TABLE_HEADINGS) + "</tr></thead>",
            "<tbody>", *("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r.cells()) + "</tr>" for r in rows),
            "</tbody>", "</table>"]
    agreed = agreement_lines(result)
    if agreed:
        out += ["<p>Agreement between members (Cohen's kappa):</p>", "<ul>",
                *(f"<li>{esc(subject)}: {esc(text)}</li>" for _, subject, text in agreed), "</ul>"]
    return "\n".join([*out, "</section>"])


def appraisals_markdown(result: GradedGuideline) -> list[str]:
    """The same section in Markdown, every cell escaped, the pictures inlined as data: addresses."""
    out = [f"## {md_cell(APPRAISALS_HEADING)}", ""]
    rows = appraisal_rows(result)
    if not rows:
        return [*out, md_cell(NO_APPRAISALS), ""]
    out += [md_cell(appraisals_intro(result)), ""]
    out += [x for uri, alt in _pictures(result) for x in (f"![{md_escape(alt)}]({uri})", "")]
    out += ["| " + " | ".join(md_cell(h) for h in TABLE_HEADINGS) + " |", "|" + "---|" * len(TABLE_HEADINGS)]
    out += ["| " + " | ".join(md_cell(c) for c in r.cells()) + " |" for r in rows]
    out.append("")
    agreed = agreement_lines(result)
    if agreed:
        out += ["Agreement between members (Cohen's kappa):", ""]
        out += [f"- {md_escape(subject)}: {md_escape(text)}" for _, subject, text in agreed]
        out.append("")
    return out


def _profiled(result: GradedGuideline, tables: list[SectionTable]) -> list[Grading]:
    """The gradings shown in the tables that carry an evidence profile (certainty model), in table order."""
    shown = [r.id for t in tables for r in t.rows]
    return [g for g in (result.grading(i) for i in shown) if g.profile is not None and g.profile.outcomes]


def _etds(result: GradedGuideline, tables: list[SectionTable]) -> list[tuple[Grading, EtdView]]:
    """The recommendations shown in the tables whose Evidence-to-Decision framework records a judgement, each with
    the framework in words (the site's view of it), in table order."""
    from .site.pages import etd_view
    if result.guideline.scheme.etd is None:
        return []
    histories = result.etds
    out = []
    for rid in (r.id for t in tables for r in t.rows):
        view = etd_view(result.guideline, histories.get(rid))
        if view is not None:
            out.append((result.grading(rid), view))
    return out


def _etd_source(view: EtdView) -> str:
    return f"{view.source[:1].upper()}{view.source[1:]} (rule {view.rule})."


def etd_html(shown: list[tuple[Grading, EtdView]]) -> str:
    """The report's section on the Evidence-to-Decision frameworks, every cell escaped."""
    esc = html.escape
    out = ['<section id="evidence-to-decision">', f"<h2>{esc(ETD_HEADING)}</h2>",
           f'<p class="intro">{esc(ETD_INTRO)}</p>']
    for g, view in shown:
        out += [f'<h3 id="{esc("etd-" + g.id, quote=True)}">{esc(g.id)} {esc(g.recommendation.topic_en or g.topic)}'
                "</h3>", f'<p class="etd-source">{esc(_etd_source(view))}</p>', "<table>",
                "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in ETD_COLUMNS) + "</tr></thead>", "<tbody>"]
        out += [f"<tr><td>{esc(r.name)}</td><td>{esc(r.judgement)}</td><td>{esc(r.evidence)}</td>"
                f"<td>{esc(r.considerations)}</td></tr>" for r in view.rows]
        out += ["</tbody>", "</table>"]
        if view.conclusion:
            out += ['<dl class="etd-conclusion">', *(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>"
                                                 for k, v in view.conclusion),
                    "</dl>"]
        else:
            out.append("<p>No conclusion is recorded.</p>")
    return "\n".join([*out, "</section>"])


def etd_markdown(shown: list[tuple[Grading, EtdView]]) -> list[str]:
    """The same section in Markdown: a table per recommendation, then its conclusion, every cell escaped."""
    out = [f"## {ETD_HEADING}", "", md_cell(ETD_INTRO), ""]
    for g, view in shown:
        out += [f"### {md_cell(g.id)} {md_cell(g.recommendation.topic_en or g.topic)}", "",
                md_cell(_etd_source(view)), "", "| " + " | ".join(ETD_COLUMNS) + " |", "|" + "---|" * len(ETD_COLUMNS)]
        out += [f"| {md_cell(r.name)} | {md_cell(r.judgement)} | {md_cell(r.evidence)} | {md_cell(r.considerations)} |"
                for r in view.rows]
        out.append("")
        if view.conclusion:
            out += ["| Conclusion | Recorded |", "|---|---|",
                    *(f"| {md_cell(k)} | {md_cell(v)} |" for k, v in view.conclusion), ""]
        else:
            out += ["No conclusion is recorded.", ""]
    return out


def sof_markdown(g: Grading, result: GradedGuideline) -> list[str]:
    """One recommendation's Summary of Findings as a Markdown table, every cell escaped."""
    frame = sof_frame(g, result.guideline.scheme)
    out = [f"### {md_cell(g.id)} {md_cell(g.recommendation.topic_en or g.topic)}", "",
           md_cell(g.recommendation.text), "", "| " + " | ".join(md_cell(str(c)) for c in frame.columns) + " |",
           "|" + "---|" * len(frame.columns)]
    out += ["| " + " | ".join(md_cell(str(v)) for v in row) + " |" for row in frame.itertuples(index=False)]
    return out + [""]


def to_html(guideline: Guideline, revised: Revised | None = None, title: str | None = None,
            sections: Iterable[str] | None = None, release: dict | None = None) -> str:
    """A self-contained HTML page (inline CSS, no scripts or external assets), every field escaped; titled by the
    guideline's manifest unless `title` is given."""
    esc = html.escape
    words = guideline.manifest
    title = title if title is not None else words.heading
    result = graded_edition(guideline, revised)
    tables = section_tables(result, sections=sections)
    out = [f"<h1>{esc(title)}</h1>", f'<p class="intro">{esc(_intro(guideline, tables, revised, release))}</p>']
    for t in tables:
        out += [f'<section id="{esc("s-" + t.section, quote=True)}">', f"<h2>{esc(t.heading)}</h2>", "<table>",
                "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in words.columns) + "</tr></thead>", "<tbody>"]
        for r in t.rows:
            rec = f"<p>{esc(r.recommendation)}</p>"
            if r.verdict:
                rec += f'<p class="verdict">{esc(r.verdict)}</p>'
            if r.revision:
                rec += f'<p class="revision">{esc(r.revision)}</p>'
            docs = "".join(f"<p>{esc(d)}</p>" for d in r.documentation)
            refs = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in r.references)
            if refs:
                docs += f'<p class="refs">Ref. {refs}</p>'
            level = esc(r.level or NO_LEVEL)
            if r.level_note:
                level += f'<br><span class="level-note">({esc(r.level_note)})</span>'
            out.append(f'<tr id="{esc("rec-" + r.id, quote=True)}"><td>{rec}</td><td>{docs}</td>'
                       f'<td class="level">{level}</td></tr>')
        out += ["</tbody>", "</table>", "</section>"]
    profiled = _profiled(result, tables)
    if profiled:
        out += ['<section id="summary-of-findings">', f"<h2>{esc(SOF_HEADING)}</h2>",
                f'<p class="intro">{esc(SOF_INTRO)}</p>', *(sof_fragment(g, result.guideline.scheme)
                                                            for g in profiled), "</section>"]
    shown = _etds(result, tables)
    if shown:
        out.append(etd_html(shown))
    if release is not None:
        out.append(changes_html(release).rstrip("\n"))
    out.append(appraisals_html(result))
    listed = guideline_references(guideline, cited_numbers(tables))
    out += ['<section id="references">', f"<h2>{esc(words.references_heading)}</h2>",
            render_references(listed, "html").rstrip("\n") if listed else f"<p>{NO_REFERENCES}</p>",
            "</section>"]
    css = _CSS + (sof_css() if profiled else "")
    return html_page(title, "\n".join(out), css=css, lang=words.language, images=bool(result.appraisals))


def to_markdown(guideline: Guideline, revised: Revised | None = None, title: str | None = None,
                sections: Iterable[str] | None = None, release: dict | None = None) -> str:
    """The tables as GitHub-flavoured Markdown, every cell escaped, with the numbered reference list; titled by
    the guideline's manifest unless `title` is given."""
    words = guideline.manifest
    title = title if title is not None else words.heading
    result = graded_edition(guideline, revised)
    tables = section_tables(result, sections=sections)
    out = [f"# {md_cell(title)}", "", md_cell(_intro(guideline, tables, revised, release)), ""]
    for t in tables:
        out += [f"## {md_cell(t.heading)}", "", "| " + " | ".join(md_cell(c) for c in words.columns) + " |",
                "|---|---|---|"]
        for r in t.rows:
            rec = r.recommendation + (f"\n{r.verdict}" if r.verdict else "") + (f"\n{r.revision}" if r.revision else "")
            docs = "\n".join(r.documentation)
            if r.references:
                docs += "\nRef. " + ", ".join(str(n) for n in r.references)
            level = (r.level or NO_LEVEL) + (f"\n({r.level_note})" if r.level_note else "")
            out.append(f"| {md_cell(rec)} | {md_cell(docs)} | {md_cell(level)} |")
        out.append("")
    profiled = _profiled(result, tables)
    if profiled:
        out += [f"## {SOF_HEADING}", "", SOF_INTRO, ""]
        for g in profiled:
            out += sof_markdown(g, result)
    shown = _etds(result, tables)
    if shown:
        out += etd_markdown(shown)
    if release is not None:  # the change log, its headings one level down
        out += ["#" + line if line.startswith("#") else line for line in changes_markdown(release).splitlines()]
        out.append("")
    out += appraisals_markdown(result)
    refs = guideline_references(guideline, cited_numbers(tables))
    out += [f"## {md_cell(words.references_heading)}", "",
            render_references(refs, "md").strip("\n") if refs else NO_REFERENCES]
    return "\n".join(out) + "\n"


def render(guideline: Guideline, fmt: str = "html", revised: Revised | None = None, release: dict | None = None
           ) -> str:
    """The publication in one format, 'html' or 'md': published, or as `revised` (from apply_revisions) leaves it;
    a release folder with `release`, its change log (changes.json), appended."""
    if fmt not in FORMATS:
        raise UnknownValueError("format", fmt, FORMATS)
    return to_html(guideline, revised, release=release) if fmt == "html" else to_markdown(guideline, revised,
                                                                                          release=release)


def format_for(path: Path | str) -> str:
    """The format a file name asks for: 'md' for .md/.markdown, otherwise 'html'."""
    return "md" if Path(path).suffix.lower() in (".md", ".markdown") else "html"


def publish(guideline: Guideline, path: Path | str, fmt: str | None = None, revised: Revised | None = None,
            release: dict | None = None, protect: Iterable[Path] = ()) -> Path:
    """Render the guideline (published, or as `revised` leaves it) and write it to path atomically, never over a
    file of the guideline folder, the scheme file, or anything else in `protect`."""
    return write_atomic(path, render(guideline, fmt or format_for(path), revised, release),
                        protect=(*read_paths(guideline), *protect))
