"""The votes part of the Revise panel: a member picks their name, votes, and sees the tally and the rule."""

from __future__ import annotations

import html

import ipywidgets as w

from ..analyses.agreement import Agreement, agreements, grade_voted, load_votes_and_panel
from ..errors import GradingError
from ..io.guideline import Guideline
from ..io.panel import Panel
from ..revisions.apply import Revised, describe_change
from ..revisions.votes import Vote, new_vote, save_vote, vote_conflicts
from ..scheme import Scheme
from ..vocab import OUTCOMES_OF_VOTES, VOTE_CHOICES, VOTE_QUESTIONS
from .controls import classed as _classed
from .controls import label_style as _style

LABELS = {"validity": "Documentation valid", "applicability": "Applicable here",
          "benefit_harm": "Benefit outweighs harm"}


class VotesPart:
    """The widgets a member votes with, the tally per question, who is recused, the outcome and its rule."""

    def __init__(self, guideline: Guideline):
        self.published = guideline
        self.scheme = guideline.scheme
        self.panel: Panel | None = None
        self.votes: tuple[Vote, ...] = ()
        self.error = ""
        self.rid = ""
        self.revised: Revised | None = None
        self.member = _classed(w.Dropdown(options=[("(choose your name)", "")], description="Member",
                                          style=_style()), "vote-member")
        answers = [("(choose)", ""), *((c, c) for c in VOTE_CHOICES)]
        self.choices = {q: _classed(w.Dropdown(options=answers, description=LABELS[q], style=_style()),
                                    f"vote-{q.replace('_', '-')}") for q in VOTE_QUESTIONS}
        # Under a certainty model (GRADE) the panel votes on its EtD's criteria, not on Table 1's three questions
        # (saved as abstentions); the criteria a scheme ties to those questions are the questions themselves.
        self.asked = self.scheme.certainty is None
        etd = self.scheme.etd.criteria if self.scheme.etd else ()
        self.etd_choices = {c.key: _classed(w.Dropdown(options=[("(not judged)", ""), *((j, j) for j in c.judgements),
                                                                ("abstain", "abstain")],
                                                       description=c.name, style=_style()),
                                            f"vote-etd-{c.key.replace('_', '-')}") for c in etd if not c.column}
        self.strength = _classed(w.Dropdown(options=[("(no strength proposed)", "")]
                                            + [(s, s) for s in self.scheme.strength_codes],
                                            description="Proposed strength", style=_style()), "vote-strength")
        self.comment = _classed(w.Textarea(description="Comment", placeholder="required with a no: say why",
                                           layout=w.Layout(width="90%"), style=_style()), "vote-comment")
        self.cast = _classed(w.Button(description="Cast vote", button_style="primary"), "vote-cast")
        self.message = _classed(w.HTML(), "vote-message")
        self.tally = _classed(w.HTML(), "tally")
        self.ballots = _classed(w.HTML(), "ballots")
        self.voted = _classed(w.HTML(), "voted-grading")
        self.history = _classed(w.HTML(), "history")
        self.overview = _classed(w.HTML(), "votes-overview")
        for widget in (self.member, *self.choices.values(), *self.etd_choices.values(), self.strength, self.comment):
            widget.observe(lambda _: self.update(), names="value")
        self.cast.on_click(lambda _: self.cast_now())
        questions = [w.HBox(list(self.choices.values()))] if self.asked else []
        judged = [w.HTML("<b>Your judgement on the Evidence-to-Decision criteria</b> (each optional)"),
                  w.VBox(list(self.etd_choices.values()))] if self.etd_choices else []
        self.box = w.VBox([w.HTML("<b>Your vote</b>"), self.member, *questions, *judged,
                           self.strength, self.comment, self.message, self.cast,
                           w.HTML("<b>The tally</b>"), self.tally, self.ballots, self.voted])

    def _load(self) -> None:
        try:
            self.panel, self.votes = load_votes_and_panel(self.published)
            self.error = ""
        except GradingError as e:  # a broken panel or vote file: say where, keep the rest usable
            self.panel, self.votes, self.error = None, (), f"The panel or the votes cannot be read:\n{e}"
        names = [(f"{m.name} — {m.role}", m.name) for m in self.panel.members] if self.panel else []
        keep = self.member.value
        self.member.options = [("(choose your name)", ""), *names]
        self.member.value = keep if keep in {n for _, n in names} else ""

    def show(self, rid: str, revised: Revised) -> None:
        """Show one recommendation's tally and history, reading the panel and votes again."""
        self.rid, self.revised = rid, revised
        self._load()
        self.comment.value = ""
        for dd in (*self.choices.values(), *self.etd_choices.values()):
            dd.value = ""
        self.strength.value = ""
        self._refresh()
        self.update()

    def agreement(self) -> Agreement | None:
        if self.panel is None:
            return None
        return agreements(self.published, self.panel, self.votes).get(self.rid)

    def _refresh(self) -> None:
        a = self.agreement()
        self.tally.value = _tally_html(a, self.panel, self.error, self.asked) + _etd_tally_html(a, self.scheme)
        self.ballots.value = _ballots_html(a, self.panel, self.published, self.rid)
        if self.revised is not None:
            look = [c for c in vote_conflicts(self.votes, self.revised) if c.startswith(f"{self.rid}: ")]
            self.ballots.value += "".join(f"<br>To look at: {html.escape(c)}" for c in look)
        if a is not None and self.revised is not None:
            g = grade_voted(self.revised.guideline, self.rid, a)
            self.voted.value = (f"With the votes' agreement (VOTES-REPLACE-TEXT): derived strength "
                                f"<b>{html.escape(g.derived_strength)}</b>, verdict "
                                f"<b>{html.escape(g.comparison.verdict.replace('_', ' '))}</b> (recorded "
                                f"{html.escape(g.published_strength or 'none')}).")
        else:
            self.voted.value = ""
        self.history.value = self._history_html(a)
        self.overview.value = _overview_html(agreements(self.published, self.panel, self.votes)
                                             if self.panel else {}, self.panel)

    def update(self) -> None:
        """Say what a vote still needs, or whose vote it will be and whether it counts."""
        blocks = [self.error] if self.error else []
        if self.panel is None and not self.error:
            blocks.append("No panel yet: set up the working group in the Panel part to vote.")
        member = self.panel.member(self.member.value) if self.panel and self.member.value else None
        if self.panel is not None and member is None:
            blocks.append("Choose your name.")
        missing = [LABELS[q] for q, dd in self.choices.items() if not dd.value]
        if missing and self.asked:
            blocks.append("Answer every question: " + ", ".join(missing) + ".")
        if not self.asked and not self.strength.value and not any(dd.value for dd in self.etd_choices.values()):
            blocks.append("Judge at least one criterion, or propose a strength.")
        if any(dd.value == "no" for dd in self.choices.values()) and not self.comment.value.strip():
            blocks.append("A comment is required with a no: say why.")
        note = ""
        if member is not None:
            covered = member.recused_from(self.published.recommendation(self.rid))
            if covered and self.scheme.choices.interests_remove_vote:
                note = (f"You are recused from {covered}: your vote will be shown, not counted "
                        "(INTEREST-RECUSES).")
        self.cast.disabled = bool(blocks)
        text = "\n".join([*(blocks or ["Ready to cast your vote."]), *([note] if note else [])])
        self.message.value = f'<div style="white-space: pre-wrap">{html.escape(text)}</div>'

    def cast_now(self) -> None:
        """Save the vote the widgets describe; show the new tally, or why the vote was not saved."""
        if self.revised is None:
            return
        latest = [r for r in self.revised.applied if r.recommendation_id == self.rid and r.path is not None]
        try:
            vote = new_vote(self.scheme, self.rid, self.member.value,
                            {q: dd.value or "abstain" for q, dd in self.choices.items()},
                            self.comment.value, self.strength.value or None,
                            latest[-1].path.name if latest and latest[-1].path else None,
                            etd={k: dd.value for k, dd in self.etd_choices.items() if dd.value})
            path = save_vote(self.published, vote, self.revised)
        except GradingError as e:
            self.message.value = f'<div style="white-space: pre-wrap">{html.escape(f"Not saved: {e}")}</div>'
            return
        member = self.member.value
        self.show(self.rid, self.revised)
        self.member.value = member
        self.message.value = f"Vote saved: <code>{html.escape(path.name)}</code>, beside the earlier votes."

    def _history_html(self, a: Agreement | None) -> str:
        revs = [r for r in (self.revised.revisions if self.revised else ()) if r.recommendation_id == self.rid]
        applied = {id(r) for r in (self.revised.applied if self.revised else ())}
        out = ["<b>Revisions</b>"]
        items = []
        for r in revs:
            lines = [describe_change(c) for c in r.changes]
            if r.published_strength:
                lines.append(f"strength set to {r.published_strength}")
            if r.text:
                lines.append("text revised")
            state = "" if id(r) in applied else " — CONFLICT, not applied"
            items.append(f"<li>{html.escape(r.label())}{state}: {html.escape(r.rationale)}"
                         + "".join(f"<br>&nbsp;&nbsp;{html.escape(x)}" for x in lines) + "</li>")
        out.append("<ul>" + "".join(items) + "</ul>" if items else "<p><i>No revisions saved.</i></p>")
        out.append("<b>Votes</b>")
        counting = {id(b.vote) for b in a.ballots} if a else set()
        items = [f"<li>{html.escape(v.label())}: {html.escape(v.says())}"
                 + (f", proposes {html.escape(v.strength)}" if v.strength else "")
                 + (f" — {html.escape(v.comment)}" if v.comment else "")
                 + ("" if id(v) in counting else " <i>(superseded by a later vote)</i>") + "</li>"
                 for v in (a.history if a else ())]
        out.append("<ul>" + "".join(items) + "</ul>" if items else "<p><i>No votes cast.</i></p>")
        return "".join(out)


def _etd_tally_html(a: Agreement | None, scheme: Scheme) -> str:
    """The votes on each EtD criterion and on the strength, each with what they decide and the rule."""
    if a is None or scheme.etd is None:
        return ""
    from ..analyses.etd import etd_tallies
    names = {c.key: c.name for c in scheme.etd.criteria} | {"conclusion": "Proposed strength"}
    rows = [f"<li>{html.escape(names.get(k, k))}: {html.escape(t.counted)}"
            f" — <b>{html.escape(OUTCOMES_OF_VOTES[t.outcome])}{' ' + html.escape(t.decided) if t.decided else ''}"
            f"</b> ({html.escape(t.rule)}: {html.escape(t.because)})</li>" for k, t in etd_tallies(a, scheme).items()]
    return f'<ul class="grading-etd-vote-tally">{"".join(rows)}</ul>' if rows else ""


def _tally_html(a: Agreement | None, panel: Panel | None, error: str, asked: bool = True) -> str:
    if error:
        return f'<div style="white-space: pre-wrap">{html.escape(error)}</div>'
    if panel is None:
        return "<i>No panel, so no votes.</i>"
    if a is None:
        return f"<i>No votes yet; {len(panel)} members on the panel.</i>"
    if not asked:  # a certainty model: the votes are on the EtD's criteria (their tally follows)
        return quorum_line(a)
    head = "".join(f"<th>{h}</th>" for h in ("question", "yes", "no", "abstain", "recused", "outcome", "rule"))
    rows = "".join(
        f'<tr class="grading-tally-{q.replace("_", "-")}"><td>{html.escape(LABELS[q])}</td><td>{t.yes}</td>'
        f"<td>{t.no}</td><td>{t.abstain}</td><td>{t.recused}</td><td><b>{OUTCOMES_OF_VOTES[t.outcome]}</b></td>"
        f"<td>{html.escape(t.rule)}: {html.escape(t.because)}</td></tr>" for q, t in a.tallies.items())
    return f'<table border="1" style="border-collapse: collapse"><tr>{head}</tr>{rows}</table>' + quorum_line(a)


def quorum_line(a: Agreement) -> str:
    """Whether a quorum decided the tally, in words: '1 of 2 entitled members voted: no quorum yet.'"""
    voted = sum(b.counted for b in a.ballots)
    decided = any(t.outcome != "no_quorum" for t in a.tallies.values())
    words = "a quorum decided it" if decided else "no quorum yet, so nothing is decided"
    return (f'<p class="grading-quorum">{voted} of {a.entitled} entitled member{"s" if a.entitled != 1 else ""} '
            f"voted: {words}.</p>")


def _ballots_html(a: Agreement | None, panel: Panel | None, g: Guideline, rid: str) -> str:
    if panel is None or not rid:
        return ""
    rec = g.recommendation(rid)
    recused = [f"{m.name} ({m.recused_from(rec)}" + (f"; {m.interests}" if m.interests else "") + ")"
               for m in panel.members if m.recused_from(rec)]
    voted = {b.vote.member for b in a.ballots} if a else set()
    out = [f"Recused here: {html.escape(', '.join(recused)) if recused else 'nobody'}."]
    if a is not None:
        out += [f"Not counted: {html.escape(b.vote.member)} — {html.escape(b.why_not)}."
                for b in a.ballots if not b.counted]
        out.append(f"{len(a.ballots)} of {len(panel)} members have voted; {a.entitled} are entitled to vote here.")
        if a.proposed:
            out.append("Strengths proposed: " + html.escape(", ".join(f"{k} ({n})" for k, n in a.proposed.items()))
                       + ".")
    waiting = [m.name for m in panel.members if m.name not in voted]
    if waiting:
        out.append(f"Not voted yet: {html.escape(', '.join(waiting))}.")
    return "<br>".join(out)


def _overview_html(found: dict[str, Agreement], panel: Panel | None) -> str:
    if panel is None:
        return "<i>No panel yet (set it up in the Panel part), so no votes.</i>"
    if not found:
        return f"<i>No votes yet; {len(panel)} members on the panel.</i>"
    head = "<tr><th>recommendation</th>" + "".join(f"<th>{html.escape(LABELS[q])}</th>" for q in VOTE_QUESTIONS) \
        + "<th>votes</th></tr>"
    rows = "".join(f"<tr><td>{html.escape(rid)}</td>" + "".join(
        f"<td>{OUTCOMES_OF_VOTES[t.outcome]} ({t.yes}/{t.no}/{t.abstain})</td>" for t in a.tallies.values())
        + f"<td>{len(a.ballots)}</td></tr>" for rid, a in found.items())
    return (f'<table border="1" style="border-collapse: collapse">{head}{rows}</table>'
            "<p>Each cell: outcome (yes/no/abstain among counted votes).</p>")
