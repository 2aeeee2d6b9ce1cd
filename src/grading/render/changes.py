"""A change log (a release's changes.json) as plain text, Markdown and an HTML section."""

from __future__ import annotations

import html

from ..vocab import OUTCOMES_OF_VOTES, VOTE_QUESTIONS
from .markdown import md_escape

STATUS = {"changed": "Changed", "added": "Added", "removed": "Removed",
          "reaffirmed": "Reviewed and re-affirmed unchanged"}


def _time(iso: str) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def _row(r: dict) -> str:
    ref = f"ref {r['reference']}" if r.get("reference") else "no reference"
    return f"{ref} ({r.get('design')}, {r.get('quality')}, {r.get('finding')})"


def heading(log: dict) -> str:
    """'Release 2026-1' or 'Changes not yet released'."""
    return f"Release {log['release']}" if log.get("release") else "Changes not yet released"


def summary(log: dict) -> list[str]:
    """The lines that open a change log: when, since what, by which scheme, the note, the counts."""
    since = "the published guideline" if log["since"] == "published" else \
        f"release {log['since']} ({_time(log.get('since_created', ''))})"
    counts = {k: sum(e["status"] == k for e in log["recommendations"]) for k in STATUS}
    made = f"Made {_time(log['created'])}" if log.get("release") else f"As of {_time(log['created'])}"
    lines = [f"{made}; changes since {since}. Graded by scheme {log['scheme']}."]
    if log.get("note"):
        lines.append(f"Note: {log['note']}")
    lines.append(f"{counts['changed']} changed, {counts['reaffirmed']} reviewed and re-affirmed unchanged"
                 + "".join(f", {counts[k]} {k}" for k in ("added", "removed") if counts[k])
                 + f", {log['unchanged']} neither changed nor reviewed; {len(log['revisions'])} revisions and "
                   f"{len(log['votes'])} votes applied in all.")
    lines += [f"Conflict left out: {c}" for c in log.get("conflicts", [])]
    return lines


def items(entry: dict) -> list[str]:
    """What changed in one recommendation, and who decided and why, one item each."""
    out = [f"{c['what']}: {c['before'] or '-'} → {c['after'] or '-'}" for c in entry["changed"]]
    ev = entry["evidence"]
    out += [f"evidence added: {_row(r)}" for r in ev["added"]]
    out += [f"evidence removed: {_row(r)}" for r in ev["removed"]]
    out += [f"evidence re-appraised: ref {r['reference'] or '-'} ({r['design']}): "
            + "; ".join(f"{k} {a or '-'} → {b or '-'}" for k, (a, b) in r["changes"].items())
            for r in ev["reappraised"]]
    out += [f"judgement {j['what']}: {j['before']} → {j['after']}" for j in entry.get("judgements", [])]
    out += [f"evidence to decision, {c['what']}: {c['before'] or '-'} → {c['after'] or '-'}"
            for c in entry.get("etd", [])]  # a log made before EtD records were released has none
    agreement = entry.get("agreement")
    if agreement:
        for q in VOTE_QUESTIONS:
            t = agreement[q]
            out.append(f"agreement on {q}: {OUTCOMES_OF_VOTES[t['outcome']]} ({t['yes']} yes, {t['no']} no, "
                       f"{t['abstain']} abstain, {t['recused']} recused) by {t['rule']} — {t['because']}")
        out += [f"vote not counted: {x}" for x in agreement.get("not_counted", [])]
        if agreement.get("proposed"):
            out.append("strengths proposed: " + ", ".join(f"{k} ({n})" for k, n in agreement["proposed"].items()))
    if entry.get("new_votes"):
        out.append(f"{entry['new_votes']} new vote{'s' if entry['new_votes'] != 1 else ''}")
    out += [f"Evidence-to-Decision record saved by {r['author']}, {_time(r['created'] or '')}"
            for r in entry.get("etd_records", [])]
    for r in entry["revisions"]:
        out.append(f"revised by {r['author']}, {_time(r['created'])}: {r['rationale']}"
                   + (f" Justification: {r['justification']}" if r["justification"] else ""))
    if entry.get("note"):
        out.append(entry["note"])
    return out or ["no change"]


def _groups(log: dict):
    for status, title in STATUS.items():
        entries = [e for e in log["recommendations"] if e["status"] == status]
        if entries:
            yield title, entries


def changes_text(log: dict) -> str:
    """The change log for the terminal."""
    out = [heading(log), *summary(log)]
    for title, entries in _groups(log):
        out += ["", f"{title} ({len(entries)})"]
        for e in entries:
            out.append(f"  {e['id']} {e['topic']}")
            out += [f"    {x}" for x in items(e)]
    return "\n".join(out) + "\n"


def changes_markdown(log: dict) -> str:
    """The change log as Markdown (a release's CHANGES.md), every text escaped."""
    out = [f"# {md_escape(heading(log))}", ""] + [md_escape(x) + "  " for x in summary(log)]
    for title, entries in _groups(log):
        out += ["", f"## {title}"]
        for e in entries:
            out += ["", f"### {md_escape(e['id'])} {md_escape(e['topic'])}", ""]
            out += [f"- {md_escape(x)}" for x in items(e)]
    return "\n".join(out) + "\n"


def changes_html(log: dict) -> str:
    """The change log as an HTML section for a report, every text escaped."""
    esc = html.escape
    out = ['<section id="changes">', f"<h2>{esc(heading(log))}</h2>"] + [f"<p>{esc(x)}</p>" for x in summary(log)]
    for title, entries in _groups(log):
        out.append(f"<h3>{esc(title)}</h3>")
        for e in entries:
            out.append(f'<h4 id="{esc("change-" + e["id"], quote=True)}">{esc(e["id"])} {esc(e["topic"])}</h4>')
            out.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in items(e)) + "</ul>")
    return "\n".join([*out, "</section>"]) + "\n"
