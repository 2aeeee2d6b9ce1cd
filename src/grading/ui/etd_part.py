"""The Evidence-to-Decision part of the Revise app: for one recommendation, a judgement per criterion of the scheme's
framework ([etd]) with the research evidence and additional considerations behind it, the evidence the panel judges
above them (the Summary of Findings under a certainty model, else the evidence rows in words), then the conclusion;
saved as a new EtD record (revisions/etd.save_etd: never over another, the latest counts), with its history and the
votes on each criterion (analyses/etd.etd_tallies)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import ipywidgets as w

from ..analyses.agreement import load_votes_and_panel, tally
from ..analyses.etd import CriterionTally, direction_finding, etd_tallies, unknown_finding
from ..errors import GradingError
from ..grade.reproduce import grade_in
from ..io.guideline import Guideline
from ..render.sof import SOF_ID, sof_html
from ..revisions.etd import (
    CONCLUSION_FIELDS,
    CONCLUSION_WORDS,
    EtdHistory,
    EtdRecord,
    Judged,
    etd_histories,
    load_etds,
    new_etd,
    save_etd,
)
from ..revisions.record import utc_now
from ..scheme.model import Criterion
from ..vocab import DESIGNS, FINDINGS, OUTCOMES_OF_VOTES, QUALITIES
from .controls import classed as _classed
from .controls import label_style as _style

NOT_JUDGED = "(not judged)"
DIRECTION_WORDS = {"for": "for the intervention", "against": "against the intervention",
                   "none": "neither for nor against"}
TEXT_FIELDS = ("justification", "subgroups", "implementation", "monitoring", "research_priorities")
PLACEHOLDERS = {"type": "e.g. a recommendation for the intervention; only in the context of research",
                "justification": "why the panel decided as it did, and what weighed most",
                "subgroups": "groups of patients for whom the decision differs, and how",
                "implementation": "what it takes to put the recommendation into practice",
                "monitoring": "what to watch once it is in use",
                "research_priorities": "the questions research should answer next"}


def _hidden_label() -> dict:
    """A description that names the control for a screen reader, the heading above it standing for it on screen."""
    return {"description_width": "0px"}


def _css(key: str) -> str:
    """A criterion key as part of a CSS class: desirable_effects -> desirable-effects."""
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def _words(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<div{cls} style="white-space: pre-wrap">{html.escape(text)}</div>'


@dataclass(frozen=True)
class CriterionWidgets:
    """The widgets of one criterion: its judgement, the research evidence, additional considerations, the votes."""

    criterion: Criterion
    judgement: w.Dropdown
    evidence: w.Textarea
    considerations: w.Textarea
    votes: w.HTML
    box: w.VBox


class EtdPart:
    """One recommendation's Evidence-to-Decision framework, to fill in and save; where it comes from, its history
    and the votes on it."""

    def __init__(self, guideline: Guideline):
        self.guideline = guideline
        self.scheme = guideline.scheme
        self.framework = guideline.scheme.etd
        self.rid = ""
        self.history: EtdHistory | None = None
        self.tallies: dict[str, CriterionTally] = {}
        self._load_error = ""
        self._votes_error = ""
        self._evidence_from: Guideline | None = None
        self._filled: tuple[dict, dict] = ({}, {})  # what show() filled in, to tell a member's unsaved changes
        self._quiet = False  # set while show() fills the widgets, so update() runs once at the end
        self.source = _classed(w.HTML(), "etd-source")
        self.saved_history = _classed(w.HTML(), "etd-history")
        self.judged_evidence = _classed(w.HTML(), "etd-judged-evidence")
        self.criteria = {c.key: self._criterion_widgets(c) for c in (self.framework.criteria if self.framework
                                                                      else ())}
        self.conclusion: dict[str, w.Widget] = {
            "type": _classed(w.Text(description=CONCLUSION_WORDS["type"], placeholder=PLACEHOLDERS["type"],
                                    layout=w.Layout(width="90%"), style=_style()), "etd-type"),
            "strength": _classed(w.Dropdown(options=[("(no strength)", "")] + [
                (self._strength_words(s), s) for s in self.scheme.strength_choices()],
                description=CONCLUSION_WORDS["strength"], style=_style(), layout=w.Layout(width="auto")),
                "etd-strength"),
            "direction": _classed(w.Dropdown(options=[("(no direction)", "")] + [
                (words, d) for d, words in DIRECTION_WORDS.items()], description=CONCLUSION_WORDS["direction"],
                style=_style(), layout=w.Layout(width="auto")), "etd-direction"),
            **{k: _classed(w.Textarea(description=CONCLUSION_WORDS[k], placeholder=PLACEHOLDERS[k],
                                      layout=w.Layout(width="90%"), style=_style()), f"etd-{_css(k)}")
               for k in TEXT_FIELDS}}
        self.author = _classed(w.Text(description="Author", placeholder="your name", style=_style()), "etd-author")
        self.save = _classed(w.Button(description="Save EtD", button_style="primary",
                                      tooltip="Save as a new record; earlier ones are kept"), "etd-save")
        self.message = _classed(w.HTML(), "etd-message")
        self.saved = _classed(w.HTML(), "etd-saved")
        self.conclusion_votes = _classed(w.HTML(), "etd-votes-conclusion")
        for widget in (*self.conclusion.values(), self.author,
                       *(x for cw in self.criteria.values() for x in (cw.judgement, cw.evidence, cw.considerations))):
            widget.observe(lambda _: self.update(), names="value")
        self.save.on_click(lambda _: self.save_now())
        if self.framework is None:
            self.box = w.VBox([_classed(w.HTML(_words(
                f"The guideline's grading scheme ({self.scheme.name}) declares no Evidence-to-Decision framework, so "
                "there is nothing to judge here. A scheme declares its criteria in its [etd] table.")),
                "etd-none")])
            return
        # The evidence above the criteria, as wide as the part (a Summary of Findings needs the width), kept short
        # enough to scroll within so the judgements stay near it.
        self.judged_evidence.layout = w.Layout(max_height="30em", overflow="auto", border="1px solid #ddd",
                                               padding="0 8px")
        self.box = _classed(w.VBox([
            w.HTML("<b>Evidence to decision</b>"), self.source, self.saved_history,
            w.HTML("<b>The evidence the panel judges</b>"), self.judged_evidence,
            w.HTML("<b>The panel's judgements</b>"), *(cw.box for cw in self.criteria.values()),
            w.HTML("<b>Conclusion</b>"), *self.conclusion.values(), self.conclusion_votes,
            self.author, self.message, self.save, self.saved]), "etd")

    def _strength_words(self, code: str) -> str:
        """'Strong', or 'Strong to Moderate' for a range: the scheme's own names."""
        names = []
        for part in code.split("/"):
            try:
                names.append(self.scheme.strength(part).english or part.replace("_", " "))
            except GradingError:
                names.append(part.replace("_", " "))
        return " to ".join(names)

    def _criterion_widgets(self, c: Criterion) -> CriterionWidgets:
        css = _css(c.key)
        judgement = _classed(w.Dropdown(options=[(NOT_JUDGED, "")] + [(j, j) for j in c.judgements],
                                        description=f"Judgement on {c.name.lower()}", style=_style(),
                                        layout=w.Layout(width="auto", max_width="640px")),
                             f"etd-judgement-{css}")
        evidence = _classed(w.Textarea(description=f"Research evidence on {c.name.lower()}", style=_hidden_label(),
                                       placeholder="what the studies show", layout=w.Layout(width="95%")),
                            f"etd-evidence-{css}")
        considerations = _classed(w.Textarea(description=f"Additional considerations on {c.name.lower()}",
                                             style=_hidden_label(), placeholder="what else the panel weighed",
                                             layout=w.Layout(width="95%")), f"etd-considerations-{css}")
        votes = _classed(w.HTML(), f"etd-votes-{css}")
        half = w.Layout(flex="1 1 240px")
        box = _classed(w.VBox([
            w.HTML(f"<b>{html.escape(c.name)}</b> — {html.escape(c.question)}"), judgement,
            w.HBox([w.VBox([w.HTML("Research evidence"), evidence], layout=half),
                    w.VBox([w.HTML("Additional considerations"), considerations], layout=half)],
                   layout=w.Layout(flex_flow="row wrap")), votes],
            layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0 8px 0")), f"etd-criterion-{css}")
        return CriterionWidgets(c, judgement, evidence, considerations, votes, box)

    # --- showing a recommendation ---------------------------------------------------------------------------

    def show(self, rid: str, evidence_from: Guideline | None = None, keep_edits: bool = True) -> None:
        """Fill the part from the recommendation's current EtD (the latest saved, else what the text records),
        reading the saved records and the votes again; the evidence above it is `evidence_from`'s (the guideline as
        the saved revisions leave it), else the published guideline's. Shown again for the same recommendation
        (after a revision is saved, say), a member's unsaved changes are kept unless `keep_edits` is false."""
        edited = keep_edits and rid == self.rid and self.values() != self._filled
        before = self.history.current if self.history else None
        self.rid, self._evidence_from = rid, evidence_from
        self.saved.value = ""
        if self.framework is None:
            return
        self._load()
        self.judged_evidence.value = self._evidence_html(evidence_from or self.guideline, rid)
        current = self.history.current if self.history else None
        for key, cw in self.criteria.items():
            cw.votes.value = self._votes_html(self.tallies.get(key))
        t = self.tallies.get("conclusion")
        self.conclusion_votes.value = "" if t is None else f"Votes on the strength: {self._votes_html(t)}"
        self.source.value = self._source_html()
        self.saved_history.value = self._history_html()
        if edited:
            newer = f"A newer EtD was saved meanwhile ({current.label()}). " if current is not None and (
                before is None or current.path != before.path) else ""
            self.source.value += _words(f"{newer}Your unsaved changes are kept; saving makes them the latest.",
                                        "grading-etd-kept")
            self.update()
            return
        self._quiet = True
        try:
            for key, cw in self.criteria.items():
                j = current.criteria.get(key) if current else None
                cw.judgement.value = j.judgement if j and j.judgement in cw.criterion.judgements else ""
                cw.evidence.value = j.evidence if j else ""
                cw.considerations.value = j.considerations if j else ""
            said = current.conclusion if current else {}
            for k, widget in self.conclusion.items():
                value = str(said.get(k, "") or "")
                if isinstance(widget, w.Dropdown):
                    value = value if value in {v for _, v in widget.options} else ""
                widget.value = value
        finally:
            self._quiet = False
        self._filled = self.values()
        self.update()

    def _load(self) -> None:
        """Read this recommendation's saved EtD records and the votes on it; say in words what cannot be read."""
        errors = []
        try:
            saved = load_etds(self.guideline.root, self.scheme, self.rid)
            self.history = etd_histories(self.guideline, saved)[self.rid]
        except GradingError as e:  # a damaged EtD file: say where, keep the part usable for reading
            self.history = etd_histories(self.guideline, ())[self.rid]
            errors.append(f"The saved EtD records cannot be read, so nothing can be saved:\n{e}")
        self._load_error = errors[0] if errors else ""
        self.tallies = {}
        self._votes_error = ""
        try:
            panel, votes = load_votes_and_panel(self.guideline)
            if panel is not None and any(v.recommendation_id == self.rid for v in votes):
                agreement = tally(self.guideline.recommendation(self.rid), panel, votes, self.scheme)
                self.tallies = etd_tallies(agreement, self.scheme)
        except GradingError as e:  # a broken panel or vote file: the EtD can still be filled in and saved
            self._votes_error = f"The panel or the votes cannot be read, so no votes are shown:\n{e}"

    def _source_html(self) -> str:
        h = self.history
        current = h.current if h else None
        if current is None:
            return _words("No EtD is recorded for this recommendation yet: judge each criterion below and save.",
                          "grading-etd-source-words")
        if current.from_text:
            seeds = f" (seed lines {current.seed_lines})" if current.seed_lines else ""
            return _words(f"Shown {current.label()}{seeds}: no EtD is saved for it yet. Saving records the panel's "
                          "own.", "grading-etd-source-words")
        return _words(f"Shown: the latest saved EtD, {current.label()}. The latest counts; earlier ones are kept.",
                      "grading-etd-source-words")

    def _history_html(self) -> str:
        saved = self.history.saved if self.history else ()
        errors = [x for x in (self._load_error, self._votes_error) if x]
        out = "".join(_words(e, "grading-etd-load-error") for e in errors)
        if not saved:
            return out + "<p><i>No EtD saved yet.</i></p>"
        who = sorted({r.author for r in saved})
        items = "".join(f"<li>{html.escape(r.label())}" + (f" (<code>{html.escape(r.path.name)}</code>)"
                                                            if r.path is not None else "") + "</li>"
                        for r in reversed(saved))
        return (out + f"<p>{len(saved)} saved, by {html.escape(', '.join(who))}; the latest first:</p>"
                f"<ul>{items}</ul>")

    def _votes_html(self, t: CriterionTally | None) -> str:
        if t is None:
            return ""
        counts = html.escape(t.counted) or "none counted"
        decided = f": {html.escape(t.decided)}" if t.decided else ""
        recused = f"; {t.recused} recused, shown not counted" if t.recused else ""
        return (f'<span class="grading-etd-tally">Votes: {counts}{recused} — <b>{OUTCOMES_OF_VOTES[t.outcome]}'
                f"{decided}</b> ({html.escape(t.rule)}: {html.escape(t.because)})</span>")

    def _evidence_html(self, guideline: Guideline, rid: str) -> str:
        """The Summary of Findings under a certainty model; else the evidence rows in words."""
        try:
            rec = guideline.recommendation(rid)
        except GradingError:
            return "<i>This recommendation is not in the guideline.</i>"
        if self.scheme.certainty is not None:
            try:
                sof = sof_html(grade_in(guideline, rec), self.scheme)
            except GradingError as e:
                return _words(f"The Summary of Findings cannot be made:\n{e}")
            if sof:  # its own id: the Evidence part shows the same table on the page, scoped by SOF_ID
                sof = re.sub(rf"#{SOF_ID}\b", f"#{SOF_ID}-etd", sof).replace(f'id="{SOF_ID}"', f'id="{SOF_ID}-etd"')
                return f'<div class="grading-etd-sof">{sof}</div>'
        rows = guideline.rows(rid)
        if not rows:
            return "<p><i>No evidence rows for this recommendation.</i></p>"
        items = []
        for r in rows:
            name = guideline.reference_name(r.number) if r.number is not None else \
                (f"reference {r.reference}" if r.reference else "the working group (no reference)")
            what = DESIGNS.get(r.design, r.design)
            if r.design != "consensus":
                what += (", " + (QUALITIES[r.quality] if r.quality == "unclear" else
                                 f"{QUALITIES.get(r.quality, r.quality)} quality")
                         + ", " + (FINDINGS[r.finding] if r.finding == "unclear" else
                                   f"finding: {FINDINGS.get(r.finding, r.finding)}"))
            scope = " <i>(speaks of the whole section's basis)</i>" if r.scope else ""
            words = f'<br><span style="color: #444">{html.escape(r.documentation)}</span>' if r.documentation else ""
            items.append(f"<li><b>{html.escape(name)}</b>: {html.escape(what)}{scope}{words}</li>")
        return f'<ul class="grading-etd-rows">{"".join(items)}</ul>'

    # --- the record the widgets describe ------------------------------------------------------------------------

    def values(self) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        """The criteria (each judged one, and one with text but no judgement) and the conclusion the widgets hold."""
        criteria = {k: {"judgement": cw.judgement.value, "evidence": cw.evidence.value.strip(),
                        "considerations": cw.considerations.value.strip()}
                    for k, cw in self.criteria.items()
                    if cw.judgement.value or cw.evidence.value.strip() or cw.considerations.value.strip()}
        conclusion = {k: str(widget.value or "").strip() for k, widget in self.conclusion.items()}
        return criteria, conclusion

    def record(self) -> EtdRecord:
        """The record the widgets describe now (not validated, not saved)."""
        criteria, conclusion = self.values()
        return EtdRecord(self.rid, self.author.value.strip(), utc_now(),
                         {k: Judged(v["judgement"], v["evidence"], v["considerations"]) for k, v in criteria.items()},
                         {k: v for k, v in conclusion.items() if k in CONCLUSION_FIELDS})

    def update(self) -> None:
        """Say what blocks saving, and what to look at before saving (a strong decision on what is not known, a
        direction its judgements point against); never more than words."""
        if self._quiet or self.framework is None or not self.rid:
            return
        blocks = [self._load_error] if self._load_error else []
        criteria, conclusion = self.values()
        unjudged = [self.criteria[k].criterion.name for k, v in criteria.items() if not v["judgement"]]
        if unjudged:
            blocks.append("Choose a judgement for " + ", ".join(unjudged) + ": it has words but no judgement.")
        if not any(v["judgement"] for v in criteria.values()) and not any(conclusion.values()):
            blocks.append("Nothing is filled in yet: judge the criteria and write the conclusion.")
        if not self.author.value.strip():
            blocks.append("Author is required: the name of who records this EtD.")
        record = self.record()
        warnings = []
        found = unknown_finding(record, self.scheme)
        if found is not None:
            warnings.append(f"To look at: a strong recommendation on what the panel says it does not know "
                            f"({found.detail}). {self.scheme.says(found.rule)} Saving is allowed; say why in the "
                            "justification.")
        found = direction_finding(record, self.scheme)
        if found is not None:
            warnings.append(f"To look at: the direction goes against the judgements ({found.detail}). "
                            f"{self.scheme.says(found.rule)} Saving is allowed; say why in the justification.")
        self.save.disabled = bool(blocks)
        text = "\n".join([*(blocks or ["Ready to save: it becomes this recommendation's EtD, and the earlier ones "
                                       "are kept."]), *warnings])
        self.message.value = _words(text)

    def save_now(self) -> None:
        """Save the EtD the widgets describe as a new file; show its name, or why it was not saved."""
        self.saved.value = ""
        criteria, conclusion = self.values()
        author = self.author.value
        try:
            record = new_etd(self.scheme, self.rid, author, criteria, conclusion)
            path = save_etd(self.guideline, record)
        except GradingError as e:
            self.message.value = _words(f"Not saved: {e}")
            return
        self.show(self.rid, self._evidence_from, keep_edits=False)
        self.author.value = author
        self.saved.value = (f"EtD saved: <code>{html.escape(path.name)}</code> of {html.escape(self.rid)}, beside "
                            "the earlier ones. It is now this recommendation's EtD.")
