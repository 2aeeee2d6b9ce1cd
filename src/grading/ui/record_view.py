"""What the Revise app shows of one recommendation's decisions: its published and revised text side by side, and a
decision record a member prints (the record in the page, printed alone by the browser's print, and the same record
as a page of its own to download)."""

from __future__ import annotations

import base64
import html
from datetime import UTC, datetime

from ..analyses.agreement import Agreement
from ..grade import Grading, grade_in
from ..io.guideline import Guideline
from ..io.panel import Panel
from ..render.page import html_page
from ..revisions.apply import Revised, describe_change
from ..scheme import Scheme
from ..vocab import JUDGEMENT_LABELS, JUDGEMENTS, OUTCOMES_OF_VOTES

_esc = html.escape
RECORD_CLASS = "grading-record-print"
# Printing the app's page prints the record alone: everything else is hidden on paper.
PRINT_CSS = (f"@media print {{ body * {{ visibility: hidden; }} .{RECORD_CLASS}, .{RECORD_CLASS} * "
             f"{{ visibility: visible; }} .{RECORD_CLASS} {{ position: absolute; left: 0; top: 0; width: 100%; }} "
             ".grading-record-tools { display: none; } }")
PAGE_CSS = ("body { font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.4; } "
            "table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 4px 6px; "
            "text-align: left; vertical-align: top; } .grading-side-by-side td { width: 50%; }")
TABLE = 'border="1" style="border-collapse: collapse; width: 100%"'


def scheme_words(scheme: Scheme) -> str:
    """The scheme as a member knows it: its name and title, and what a modified copy changed; not the file that
    named it."""
    words = f"{scheme.name}: {scheme.title}" if scheme.title else scheme.name
    changed = ", ".join(f"{k} = {v}" for k, v in dict(scheme.changed).items())
    return f"{words} (modified: {changed})" if changed else words


def _grading(guideline: Guideline, rid: str) -> Grading:
    return grade_in(guideline, guideline.recommendation(rid))


def side_by_side(revised: Revised, rid: str) -> str:
    """The recommendation as published beside it as the saved revisions leave it: text, strength, level, verdict."""
    old, new = revised.published.recommendation(rid), revised.guideline.recommendation(rid)
    before, after = _grading(revised.published, rid), _grading(revised.guideline, rid)
    if after.profile is not None and before.profile is not None:  # a certainty model: no level, no ladder
        rows = [("Text", old.text, new.text),
                ("Published strength", old.published_strength or "none", new.published_strength or "none"),
                ("Certainty printed", old.published_level or "none", new.published_level or "none"),
                ("Certainty the strength rests on", f"{before.profile.used} ({before.profile.used_from})",
                 f"{after.profile.used} ({after.profile.used_from})"),
                ("Verdict", "discordant" if before.profile.discordant else "concordant",
                 "discordant" if after.profile.discordant else "concordant")]
    else:
        rows = [("Text", old.text, new.text),
                ("Published strength", old.published_strength or "none", new.published_strength or "none"),
                ("Level printed", old.published_level or "none", new.published_level or "none"),
                ("Level its evidence carries", before.derived_level, after.derived_level),
                ("Strength its evidence carries", before.carried, after.carried),
                ("Verdict", before.comparison.verdict.replace("_", " "), after.comparison.verdict.replace("_", " "))]
    body = "".join(f"<tr><th>{_esc(what)}</th><td>{_esc(a)}</td>"
                   f"<td>{_esc(b)}{' <b>(changed)</b>' if a != b else ''}</td></tr>" for what, a, b in rows)
    same = all(a == b for _, a, b in rows)
    note = "<p><i>No saved revision changes this recommendation yet.</i></p>" if same else ""
    return (f'<table class="grading-side-by-side" {TABLE}><tr><th></th><th>As published</th>'
            f"<th>As revised (the group's saved revisions)</th></tr>{body}</table>{note}")


def record_body(revised: Revised, rid: str, agreement: Agreement | None, panel: Panel | None,
                made: datetime | None = None) -> str:
    """One recommendation's decision record as HTML: what was decided, on what evidence, by whom, and why."""
    g = revised.guideline
    rec, grading = g.recommendation(rid), _grading(g, rid)
    made = made or datetime.now(UTC)
    out = [f"<h2>Decision record: {_esc(rid)} {_esc(rec.topic_en or rec.topic)}</h2>",
           f"<p>{_esc(g.manifest.heading)}. Graded by scheme {_esc(scheme_words(g.scheme))}. Record made "
           f"{made:%Y-%m-%d %H:%M} UTC.</p>",
           "<h3>The recommendation</h3>", side_by_side(revised, rid),
           "<h3>The grading</h3>",
           f"<p>Level {_esc(grading.derived_level)} ({_esc(grading.level.rule)}: {_esc(grading.level.because)}); "
           f"strength its evidence carries: {_esc(grading.carried)} ({_esc(grading.strength.rule)}: "
           f"{_esc(grading.strength.because)}); verdict: {_esc(grading.comparison.verdict.replace('_', ' '))} "
           f"({_esc(grading.comparison.rule)}: {_esc(grading.comparison.because)}).</p>",
           "<h3>The evidence</h3>", _evidence_table(g, rid),
           "<h3>The judgements recorded</h3>",
           "<p>As the text and the saved revisions record them; where the votes below reach a quorum, their "
           "agreement replaces these when the strength is derived (VOTES-REPLACE-TEXT).</p>",
           "<ul>" + "".join(f"<li>{_esc(JUDGEMENT_LABELS[j])}: {_esc(rec.judgements[j])}</li>" for j in JUDGEMENTS)
           + "</ul>" + (f"<p>Justification: {_esc(rec.justification)}</p>" if rec.justification else ""),
           "<h3>Revisions</h3>", _revisions(revised, rid),
           "<h3>Votes</h3>", _votes(agreement, panel, g, rid)]
    return "\n".join(out)


def _evidence_table(g: Guideline, rid: str) -> str:
    rows = g.rows(rid)
    if not rows:
        return "<p><i>No evidence rows.</i></p>"
    head = "".join(f"<th>{h}</th>" for h in ("Reference", "Design", "Quality", "Finding", "What the text says"))
    body = "".join(
        f"<tr><td>{_esc(g.reference_name(r.number) if r.number is not None else r.reference or 'no reference')}"
        f"</td><td>{_esc(r.design)}</td><td>{_esc(r.quality)}</td><td>{_esc(r.finding)}</td>"
        f"<td>{_esc(r.documentation)}</td></tr>" for r in rows)
    return f"<table {TABLE}><tr>{head}</tr>{body}</table>"


def _revisions(revised: Revised, rid: str) -> str:
    applied = [r for r in revised.applied if r.recommendation_id == rid]
    if not applied:
        return "<p><i>No revisions saved.</i></p>"
    items = []
    for r in applied:
        lines = [describe_change(c) for c in r.changes]
        lines += [f"published strength set to {r.published_strength}"] if r.published_strength else []
        lines += ["text revised"] if r.text else []
        lines += [f"justification: {r.justification}"] if r.justification else []
        items.append(f"<li>{_esc(r.label())}: {_esc(r.rationale)}"
                     + "".join(f"<br>&nbsp;&nbsp;{_esc(x)}" for x in lines) + "</li>")
    conflicts = [c for c in revised.conflicts if c.revision.recommendation_id == rid]
    items += [f"<li>Not applied (conflict): {_esc(str(c))}</li>" for c in conflicts]
    return "<ul>" + "".join(items) + "</ul>"


def _votes(a: Agreement | None, panel: Panel | None, g: Guideline, rid: str) -> str:
    if panel is None:
        return "<p><i>No panel, so no votes.</i></p>"
    rec = g.recommendation(rid)
    recused = [f"{m.name} ({m.recused_from(rec)}" + (f"; {m.interests}" if m.interests else "") + ")"
               for m in panel.members if m.recused_from(rec)]
    out = [f"<p>Panel: {_esc(', '.join(f'{m.name} ({m.role})' for m in panel.members))}. Recused here: "
           f"{_esc(', '.join(recused) or 'nobody')}.</p>"]
    if a is None:
        return "".join(out) + "<p><i>No votes cast.</i></p>"
    voted = sum(b.counted for b in a.ballots)
    out.append(f"<p>{voted} of {a.entitled} entitled members voted.</p>")
    out.append("<ul>" + "".join(f"<li>{_esc(JUDGEMENT_LABELS.get('agree_' + q, q))}: "
                                f"{_esc(OUTCOMES_OF_VOTES[t.outcome])} ({t.yes} yes, {t.no} no, {t.abstain} abstain;"
                                f" {_esc(t.rule)}: {_esc(t.because)})</li>" for q, t in a.tallies.items()) + "</ul>")
    out.append("<ul>" + "".join(f"<li>{_esc(b.vote.label())}: {_esc(b.vote.says())}"
                                + (f" — {_esc(b.vote.comment)}" if b.vote.comment else "")
                                + ("" if b.counted else f" (not counted: {_esc(b.why_not)})") + "</li>"
                                for b in a.ballots) + "</ul>")
    return "".join(out)


def record_page(revised: Revised, rid: str, agreement: Agreement | None, panel: Panel | None,
                made: datetime | None = None) -> str:
    """The decision record as a page of its own (the toolkit's one HTML page frame: nothing loads, nothing runs)."""
    return html_page(f"Decision record {rid}", record_body(revised, rid, agreement, panel, made), css=PAGE_CSS,
                     lang=revised.published.manifest.language or None)


def record_view(revised: Revised, rid: str, agreement: Agreement | None, panel: Panel | None) -> str:
    """The record for the app: how to print it, a link to download it as a page, and the record, which the
    browser's print prints alone."""
    page = base64.b64encode(record_page(revised, rid, agreement, panel).encode("utf-8")).decode("ascii")
    return (f"<style>{PRINT_CSS}</style>"
            '<div class="grading-record-tools"><p>To print this record, print the page (Ctrl+P or ⌘P): only the '
            "record is printed. Or "
            f'<a download="decision-record-{_esc(rid, quote=True)}.html" '
            f'href="data:text/html;charset=utf-8;base64,{page}">download it as a page of its own</a>.</p></div>'
            f'<div class="{RECORD_CLASS}">{record_body(revised, rid, agreement, panel)}</div>')
