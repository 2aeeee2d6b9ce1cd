"""The Revise notebook's widgets: edit one recommendation's evidence and judgements, see its grading, save."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w

from ..errors import GradingError
from ..grade import Grading
from ..io.guideline import Guideline
from ..io.tables import EVIDENCE_COLUMNS, evidence_spec
from ..render.sof import sof_html
from ..render.text import verdict_line
from ..revisions.apply import (
    apply_revisions,
    changes_between,
    diff,
    diff_text,
    needs_justification,
    preview,
    reference_problems,
    rows_of,
    save_revision,
)
from ..revisions.record import Revision, new_revision, row_problems, utc_now
from ..vocab import AGREEMENT, DESIGNS, FINDINGS, JUDGEMENT_LABELS, JUDGEMENTS, QUALITIES
from .appraise_part import AppraisePart
from .controls import classed as _classed
from .etd_part import EtdPart
from .panel_part import PanelPart
from .record_view import record_view, scheme_words, side_by_side
from .votes_part import VotesPart


@dataclass(frozen=True)
class RowWidgets:
    """The widgets of one evidence row in the table."""

    label: w.HTML
    reference: w.Text
    design: w.Dropdown
    quality: w.Dropdown
    finding: w.Dropdown
    remove: w.Button


class _Shown:
    """A widget with a short, stable plain-text form for notebook outputs viewed outside Jupyter."""

    def __init__(self, widget: w.Widget, text: str):
        self.widget, self.text = widget, text

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text
        return bundle


def _pre(text: str, css: str) -> str:
    return f'<div class="{css}" style="white-space: pre-wrap">{html.escape(text)}</div>'


ROW_WIDTHS = {"label": "360px", "reference": "110px", "design": "170px", "quality": "100px", "finding": "120px"}
HEADINGS = {"label": "Reference", "design": "Design", "quality": "Quality", "finding": "Finding"}


def _unlabelled() -> dict:
    """A description that names the control for a screen reader, the column heading standing for it on screen."""
    return {"description_width": "0px"}


def _row_headings() -> w.HBox:
    """The evidence table's column headings, as wide as its columns."""
    return _classed(w.HBox([w.HTML(f"<b>{h}</b>", layout=w.Layout(width=ROW_WIDTHS[k])) for k, h in HEADINGS.items()]),
                    "row-headings")


class RevisePanel:
    """The Revise panel for one guideline: widgets wired to grading.revise and grading.grade."""

    def __init__(self, guideline: Guideline, recommendation_id: str | None = None):
        self.published = guideline
        self.scheme = guideline.scheme
        self._evidence_spec = evidence_spec(guideline.manifest)  # rows keep to the guideline's vocabularies
        self.strength_choices = self.scheme.strength_choices()
        recs = guideline.recommendations
        self.rec_select = _classed(w.Dropdown(options=[(f"{i} {t}", i) for i, t in zip(recs["id"], recs["topic_en"])],
                                              description="Recommendation", layout=w.Layout(width="60%"),
                                              style={"description_width": "initial"}), "rec-select")
        self.rec_text = _classed(w.HTML(), "rec-text")
        self.rows_box = w.VBox()
        self.add_row = _classed(w.Button(description="Add evidence row", layout=w.Layout(width="auto")), "add-row")
        self.reload = _classed(w.Button(description="Reload", tooltip="Read the saved revisions again and discard "
                                        "unsaved edits"), "reload")
        self.judgements = {j: _classed(w.Dropdown(options=AGREEMENT, description=JUDGEMENT_LABELS[j],
                                                  style={"description_width": "initial"}),
                                       j.replace("_", "-"))
                           for j in JUDGEMENTS}
        self.strength = _classed(w.Dropdown(options=[("(none published)", "")] + [(s,
                                                                                   s) for s in self.strength_choices],
                                            description="Published strength", style={"description_width": "initial"}),
                                 "published-strength")
        self.derived_level = _classed(w.HTML(), "derived-level")
        self.derived_strength = _classed(w.HTML(), "derived-strength")
        self.verdict = _classed(w.HTML(), "verdict")
        self.every_reading = _classed(w.HTML(), "every-reading")  # the range over readings, and its certainty
        self.explanation = _classed(w.HTML(), "explanation")
        self.sof = _classed(w.HTML(), "summary-of-findings")  # a certainty model's evidence profile, GRADE's layout
        self.graded_by = _classed(w.HTML(f"Graded by scheme <b>{html.escape(scheme_words(self.scheme))}</b>"),
                                  "graded-by")
        self.justification = _classed(w.Textarea(description="Justification", layout=w.Layout(width="90%"),
                                                 style={"description_width": "initial"}), "justification")
        self.author = _classed(w.Text(description="Author", style={"description_width": "initial"}), "author")
        self.rationale = _classed(w.Textarea(description="Rationale", layout=w.Layout(width="90%"),
                                             style={"description_width": "initial"}), "rationale")
        self.message = _classed(w.HTML(), "message")
        self.save = _classed(w.Button(description="Save revision", button_style="primary"), "save")
        self.saved_path = _classed(w.HTML(), "saved-path")
        self.changes = _classed(w.HTML(), "diff")
        self.rows: list[RowWidgets] = []
        self._base: list[dict] = []
        self._working: list[tuple[int | None, dict]] = []
        self._current: dict = {}
        self._load_error = ""
        self._quiet = False  # set while select() fills the widgets, so update() runs once at the end
        self.rec_select.observe(lambda _: self.select(self.rec_select.value), names="value")
        self.reload.on_click(lambda _: self.select(self.rec_select.value))
        self.add_row.on_click(lambda _: self._add_row())
        self.save.on_click(lambda _: self.save_now())
        for widget in (*self.judgements.values(), self.strength, self.justification, self.author, self.rationale):
            widget.observe(lambda _: self.update(), names="value")
        self._working_group_widgets(guideline)
        # Table 1's three questions belong to the levels model; under a certainty model (GRADE) the panel's
        # judgement is its Evidence-to-Decision framework (the "Evidence to decision" part).
        asked = [w.HTML("<b>The working group's judgements</b>"), w.HBox(list(self.judgements.values()))] \
            if self.scheme.certainty is None else []
        self.revise_part = w.VBox([
            w.HTML("<b>Evidence</b>"), self.rows_box, self.add_row, *asked, self.strength,
            self.text_edit,
            w.HTML("<b>Grading with these changes</b>"), self.graded_by, self.derived_level, self.derived_strength,
            self.verdict, self.every_reading, self.sof, self.wording,
            self.explanation, self.justification, self.author, self.rationale, self.message, self.save,
            self.saved_path])
        self.editor = w.VBox([w.HBox([self.rec_select, self.reload]), self.rec_text, self.compare, self._parts()])
        self.select(recommendation_id or self.rec_select.value)

    def _repr_mimebundle_(self, **kwargs):
        return _Shown(self.editor, f"Revise panel for {len(self.published.recommendations)} recommendations "
                      "(run the notebook in JupyterLab to use it)")._repr_mimebundle_(**kwargs)

    def heading(self) -> str:
        """The guideline's title and the scheme that grades it, for the notebook's first line."""
        return f"{self.published.manifest.heading}. Graded by scheme {scheme_words(self.scheme)}."

    def new_study_view(self) -> str:
        """What the new study to try (new_study_folder) would change, in words; or why there is none."""
        from ..analyses.impact import impact, load_new_study, matched
        from ..render.text import impact_text
        folder = new_study_folder(self.published)
        if folder is None and self.scheme.certainty is not None:
            return ("No new study to try: a guideline graded by certainty tries one as the outcome rows it would "
                    "change (outcomes.csv in a folder named new-study beside its evidence, with the study's entry); "
                    "the example study the toolkit carries is appraised for a guideline graded by levels.")
        if folder is None:
            return "No new study to try: the guideline keeps none beside its evidence (a folder named new-study)."
        try:
            study = load_new_study(folder, self.published)
        except GradingError as e:
            return f"The new study cannot be read:\n{e}"
        text = impact_text(study, matched(self.published, study), impact(self.published, study), self.scheme)
        return text.replace(self.scheme.describe(), scheme_words(self.scheme))  # the scheme, not the file naming it

    def changes_view(self) -> _Shown:
        """The revised guideline against the published one, for display in its own cell."""
        return _Shown(self.changes, "Revised against published (run the notebook in JupyterLab to see it)")

    def _reload(self) -> None:
        """Read the saved revisions again."""
        try:
            self.revised = apply_revisions(self.published)
            self._load_error = ""
        except GradingError as e:  # a broken revision file: show where, keep the panel usable for reading
            self.revised = apply_revisions(self.published, ())
            self._load_error = f"The saved revisions cannot be read, so nothing can be saved:\n{e}"
        self.changes.value = _pre(diff_text(diff(self.revised)), "grading-diff-text")

    def select(self, recommendation_id: str) -> None:
        """Show one recommendation as the saved revisions now leave it, discarding unsaved edits."""
        if self.rec_select.value != recommendation_id:
            self.rec_select.value = recommendation_id  # observing this calls select again
            return
        self._reload()
        rec = self.revised.guideline.recommendations.loc[recommendation_id].to_dict()
        self._current = rec
        self._base = rows_of(self.revised.guideline, recommendation_id)
        self._working = [(i, dict(r)) for i, r in enumerate(self._base)]
        printed = self.published.recommendations.loc[recommendation_id, "published_strength"] or "none"
        now = rec["published_strength"] or "none"
        self.rec_text.value = (f"<p>{html.escape(rec['text'])}</p><p>Published strength <b>{html.escape(now)}</b>"
                               + (f" (revised; as published: {html.escape(printed)})" if now != printed else "")
                               + f", printed level <b>{html.escape(rec['published_level'] or 'none')}</b></p>")
        self._quiet = True
        try:
            for j, dd in self.judgements.items():
                dd.value = rec[j]
            self.strength.value = rec["published_strength"] if rec["published_strength"] in self.strength_choices \
                else ""
            self.justification.value = rec["justification"]
            self.rationale.value = ""
            self.text_edit.value = rec["text"]
        finally:
            self._quiet = False
        self._build_rows()
        self.votes.show(recommendation_id, self.revised)
        self.etd.show(recommendation_id, self.revised.guideline)
        self.compare.value = side_by_side(self.revised, recommendation_id)
        self._show_record()

    def _votes_again(self) -> None:
        """Read the panel and votes again (after the panel changed) and show the record they make."""
        self.votes.show(self.rec_select.value, self.revised)
        self._show_record()

    def _show_record(self) -> None:
        self.record.value = record_view(self.revised, self.rec_select.value, self.votes.agreement(), self.votes.panel)

    def row_name(self, row: dict, n: int, new: bool = False) -> str:
        """How a member knows evidence row n (from 0): 'ref 321 (van Tulder et al. 2006: Title …)', 'row 2 (no
        reference)', or 'new row 3'."""
        if new:
            return f"new row {n + 1}"
        if not row["reference"]:
            return f"row {n + 1} (no reference)"
        number = self.published.number_of(row["reference"])
        return self.published.reference_name(number) if number is not None else f"reference {row['reference']}"

    def _build_rows(self) -> None:
        self.rows = []
        rows: list[w.Widget] = []
        for n, (origin, row) in enumerate(self._working):
            name = self.row_name(row, n, origin is None)
            short = name.split(":")[0] + ")" if ":" in name else name  # 'ref 321 (van Tulder et al. 2006)'
            picks = {col: _classed(w.Dropdown(options=list(options), value=row[col], style=_unlabelled(),
                                              description=f"{col.title()} of {short}",
                                              layout=w.Layout(width=ROW_WIDTHS[col])), f"{col}-{n}")
                     for col, options in (("design", DESIGNS), ("quality", QUALITIES), ("finding", FINDINGS))}
            rw = RowWidgets(
                _classed(w.HTML(html.escape(name), layout=w.Layout(width=ROW_WIDTHS["label"])), f"row-label-{n}"),
                _classed(w.Text(row["reference"], placeholder="key or no.", description=f"Reference of {short}",
                                style=_unlabelled(), layout=w.Layout(width=ROW_WIDTHS["reference"])),
                         f"reference-{n}"),
                picks["design"], picks["quality"], picks["finding"],
                _classed(w.Button(description=f"Remove {short}", layout=w.Layout(width="auto")), f"remove-{n}"))
            rw.reference.layout.display = None if origin is None else "none"
            for col in ("reference", "design", "quality", "finding"):
                getattr(rw, col).observe(lambda ch, n=n, col=col: self._edit(n, col, ch["new"]), names="value")
            rw.remove.on_click(lambda _, n=n: self._remove(n))
            self.rows.append(rw)
            words = (f'<div class="grading-row-documentation" style="margin: 0 0 8px 12px; color: #444">'
                     f"{html.escape(row['documentation'])}</div>") if row["documentation"] else ""
            rows.append(w.VBox([w.HBox([rw.label, rw.reference, rw.design, rw.quality, rw.finding, rw.remove]),
                                _classed(w.HTML(words), f"row-documentation-{n}")]))
        self.rows_box.children = [_row_headings(), *rows] if rows else [w.HTML("<i>No evidence rows.</i>")]
        self.update()

    def _edit(self, n: int, column: str, value: str) -> None:
        self._working[n][1][column] = value.strip() if column == "reference" else value
        self.update()

    def _remove(self, n: int) -> None:
        del self._working[n]
        self._build_rows()

    def _add_row(self) -> None:
        row = {c: "" for c in EVIDENCE_COLUMNS}
        row.update(recommendation_id=self.rec_select.value, design="rct", quality="unclear", finding="unclear",
                   effect_size="unclear", outcomes="unclear")
        self._working.append((None, row))
        self._build_rows()

    def revision(self) -> Revision:
        """The revision the widgets describe now (not validated, not saved)."""
        strength = self.strength.value if self.strength.value != (self._current.get("published_strength") or "") \
            else None
        return Revision(self.rec_select.value, self.author.value.strip(), utc_now(), self.rationale.value.strip(),
                        {j: dd.value for j, dd in self.judgements.items()},
                        changes_between(self._base, self._working), self.justification.value.strip(), strength,
                        text=self._revised_text())

    def update(self) -> None:
        """Regrade the recommendation from the widgets and show the result and what blocks saving."""
        if not self._current or self._quiet:
            return
        rev = self.revision()
        blocks = [self._load_error] if self._load_error else []
        for n, (_, row) in enumerate(self._working):
            blocks += [f"Evidence row {n + 1}: {p.message}; found {p.found!r}; allowed: {p.allowed}"
                       for p in row_problems(row, "", rev.recommendation_id, "", self._evidence_spec)]
        if len(blocks) > bool(self._load_error):
            self._show(None)  # rows that are not valid evidence cannot be graded
        else:
            grading, conflicts = preview(self.revised, rev)
            self._show(grading)
            blocks += [str(c) for c in conflicts] + reference_problems(self.published, rev)
            if needs_justification(grading) and not rev.justification:
                blocks.append(f"A justification is required: the strength differs from its evidence "
                              f"({grading.comparison.because})")
        self._show_wording(rev)
        unchanged = not rev.changes and rev.published_strength is None and rev.text is None and rev.justification == \
            self._current["justification"].strip() and all(rev.judgements[j] == self._current[j] for j in JUDGEMENTS)
        if unchanged:
            blocks.append("Nothing is changed yet.")
        if not rev.author:
            blocks.append("Author is required.")
        if not rev.rationale:
            blocks.append("Rationale is required: say why the group revises this recommendation.")
        self.save.disabled = bool(blocks)
        self.message.value = _pre("\n".join(blocks), "grading-blocks") if blocks else "Ready to save."

    def _show(self, g: Grading | None) -> None:
        if g is None:
            for widget in (self.derived_level, self.derived_strength, self.verdict, self.every_reading,
                           self.explanation):
                widget.value = "—"
            self.sof.value = ""
            return
        used = f" ({g.level_used_text})" if g.level_source != "derived" else ""
        what = "certainty" if g.profile is not None else "level"
        shown = g.derived_level.replace("_", " ")
        self.derived_level.value = f"Derived {what}: <b>{html.escape(shown)}</b>{html.escape(used)}"
        self.sof.value = sof_html(g, self.scheme)  # '' under the levels model
        own = self.scheme.strength(g.derived_strength).norwegian  # the scheme's own wording, where it has one
        self.derived_strength.value = (f"Derived strength: <b>{html.escape(g.carried)}</b>"
                                       + (f" ({html.escape(own)})" if own else ""))
        self.verdict.value = (f"Verdict: <b>{html.escape(g.comparison.verdict.replace('_', ' '))}</b> "
                              f"(published {html.escape(g.published_strength or 'none')})")
        certainty = html.escape(g.certainty.replace("_", " "))
        self.every_reading.value = (f"Every reading of the unstated appraisal: <b>{certainty}</b> — "
                                    f"{html.escape(verdict_line(g))}")
        self.explanation.value = explanation_list(g)

    # --- the working group's parts: the revised wording, the votes, the history (issue 15) ------------------

    def _working_group_widgets(self, guideline: Guideline) -> None:
        self.text_edit = _classed(w.Textarea(description="Wording", layout=w.Layout(width="90%", height="5em"),
                                             style={"description_width": "initial"},
                                             tooltip="The recommendation's text; change it to revise its wording"),
                                  "rec-wording")
        self.wording = _classed(w.HTML(), "wording")
        self.text_edit.observe(lambda _: self.update(), names="value")
        self.votes = VotesPart(guideline)
        self.appraise = AppraisePart(guideline)
        self.etd = EtdPart(guideline)  # the panel's decision: a judgement per criterion of the scheme's framework
        self.panel_part = PanelPart(guideline, on_saved=self._votes_again)
        self.compare = _classed(w.HTML(), "side-by-side")  # published beside revised
        self.record = _classed(w.HTML(), "decision-record")
        self.votes.cast.on_click(lambda _: self._show_record())  # after the vote is saved: the record follows it

    def _parts(self) -> w.Tab:
        """The recommendation's parts a member finds again: evidence and revision, the panel's Evidence-to-Decision
        framework, votes, history, and the form that appraises a reference it cites."""
        tabs = _classed(w.Tab(children=[self.revise_part, self.etd.box, self.votes.box, self.votes.history,
                                        self.appraise.box, self.panel_part.box, self.record]), "parts")
        tabs.titles = ("Evidence", "Evidence to decision", "Votes", "History", "Appraise", "Panel", "Decision record")
        return tabs

    def _revised_text(self) -> str | None:
        text = self.text_edit.value.strip()
        return text if text and text != str(self._current.get("text", "")).strip() else None

    def _show_wording(self, rev: Revision) -> None:
        """Whether the text names the strength recorded for it (WORDING-STATES-STRENGTH); never blocks a save."""
        from ..analyses.wording import check_wording
        rec = self.published.recommendation(rev.recommendation_id).but(
            text=rev.text or self._current.get("text", ""),
            published_strength=rev.published_strength or self._current.get("published_strength", ""))
        found = check_wording(rec, self.scheme)
        if found is None or found.agrees:
            self.wording.value = ""
        else:
            self.wording.value = (f'<span style="color: #a00">Wording: {html.escape(found.because, quote=False)} '
                                  "Revise the wording or the strength (WORDING-STATES-STRENGTH).</span>")

    def appraise_view(self) -> _Shown:
        """The appraisal form and where the group's appraisals stand, for display in its own cell."""
        return _Shown(self.appraise.box, "The appraisal form (run the notebook in JupyterLab to use it)")

    def panel_view(self) -> _Shown:
        """The working group's panel, to set up and change, for display in its own cell."""
        return _Shown(self.panel_part.box, "The working group's panel (run the notebook in JupyterLab to change it)")

    def votes_view(self) -> _Shown:
        """Every recommendation's votes as the panel has cast them, for display in its own cell."""
        return _Shown(self.votes.overview, "The working group's votes (run the notebook in JupyterLab to see them)")

    def save_now(self) -> None:
        """Save the revision the widgets describe; show the new file's path, or why it was not saved."""
        self.saved_path.value = ""
        try:
            rev = self.revision()
            rev = new_revision(self.scheme, rev.recommendation_id, rev.author, rev.rationale, rev.judgements,
                               rev.changes, rev.justification, rev.published_strength, text=rev.text)
            path = save_revision(self.published, rev)
        except GradingError as e:
            self.message.value = _pre(f"Not saved: {e}", "grading-blocks")
            return
        self.select(rev.recommendation_id)
        self.saved_path.value = (f"Saved: revision <code>{html.escape(path.name)}</code> of "
                                 f"{html.escape(rev.recommendation_id)}, beside the group's earlier ones.")


def explanation_list(g: Grading) -> str:
    """The explanation as a short list: level, strength and verdict, each with the rule that made it."""
    used = g.level_used_text
    items = [("Level", g.level.value, g.level.rule, g.level.says, f"{g.level.because} ({used}, PRINTED-LEVEL-FIRST)",
              g.level.choices),
             ("Strength", g.carried, g.strength.rule, g.strength.says, g.strength.because, g.strength.choices),
             ("Verdict", g.comparison.verdict.replace("_", " "), g.comparison.rule, "", g.comparison.because, ())]
    if g.readings is not None:  # what every reading of the unstated appraisal gives (EVERY-READING)
        says = g.graded_by.says("EVERY-READING") if g.graded_by is not None else ""
        items.append(("Every reading", g.certainty.replace("_", " "), "EVERY-READING", says,
                      g.readings_text().split(": ", 1)[-1], ()))
    lis = "".join(f"<li><b>{what}: {html.escape(value or 'none')}</b> by <code title=\"{html.escape(says)}\">"
                  f"{html.escape(rule)}</code> — {html.escape(because, quote=False)}"
                  + (f" <i>Choices: {html.escape(', '.join(choices))}.</i>" if choices else "") + "</li>"
                  for what, value, rule, says, because, choices in items)
    return f'<ul class="grading-explanation-list">{lis}</ul>'


def new_study_folder(guideline: Guideline) -> Path | None:
    """The new study to try: the guideline folder's own new-study/, else the example the package carries
    (data/new-study, packaged from docs/examples/new-study), else the repository's where the package runs from a
    clone; None when there is none."""
    from ..io.scaffold import PACKAGE, REPOSITORY
    own = guideline.root / "new-study"
    if guideline.scheme.certainty is not None:  # the example is appraisal rows; certainty asks for outcome rows
        return own if own.is_dir() else None
    found = (own, PACKAGE / "data" / "new-study", REPOSITORY / "docs" / "examples" / "new-study")
    return next((p for p in found if p.is_dir()), None)


class Unavailable:
    """What the Revise notebook shows in place of the panel when there is no guideline to revise: why, in words."""

    def __init__(self, why: str):
        self.why = why

    def _repr_mimebundle_(self, **kwargs):
        return {"text/plain": self.why, "text/html": _pre(self.why, "grading-unavailable")}

    def heading(self) -> str:
        """What the notebook says instead of the guideline's title."""
        return "No guideline to revise."

    def __str__(self) -> str:
        return self.why

    def view(self) -> Unavailable:
        """What each of the notebook's views shows in place of its part: that no guideline is open."""
        return Unavailable("Nothing to show here: no guideline is open.")

    changes_view = appraise_view = votes_view = panel_view = new_study_view = view


def revise_panel(guideline: Guideline | None = None, recommendation_id: str | None = None) -> RevisePanel | Unavailable:
    """The Revise panel for a guideline (the one the notebook's folder or $GRADING_ROOT names when none is given),
    opened at one recommendation (the first when none is given); when the guideline cannot be read, what is wrong in
    words (Unavailable), never an error."""
    if guideline is None:
        from ..io.guideline import load_guideline
        try:
            guideline = load_guideline()
        except GradingError as e:
            return Unavailable(f"The guideline cannot be opened, so there is nothing to revise yet.\n{e}")
    if guideline.recommendations.empty:
        return Unavailable(f"{guideline.manifest.heading} has no recommendations yet, so there is nothing to revise.")
    return RevisePanel(guideline, recommendation_id)
