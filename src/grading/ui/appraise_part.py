"""An appraisal form for the Revise app: a member picks a reference and an instrument, judges each of its domains and
the overall judgement, and saves; the form is built from the instrument's file (scheme/instruments/), so every
instrument gets its own domains and judgements. The Revise panel shows it as its Appraise part
(revise_panel.RevisePanel.appraise_view)."""

from __future__ import annotations

import html

import ipywidgets as w

from ..analyses.appraisals import appraisal_loop
from ..errors import GradingError
from ..io.guideline import Guideline
from ..render.appraisals import loop_text
from ..revisions.appraisals import new_appraisal, save_appraisal
from ..scheme.instruments import Instrument, all_instruments
from .controls import classed as _classed
from .controls import label_style as _style


class AppraisePart:
    """The widgets one member appraises a reference with, and where that reference's appraisal stands."""

    def __init__(self, guideline: Guideline, instruments: dict[str, Instrument] | None = None):
        self.guideline = guideline
        self.instruments = instruments if instruments is not None else all_instruments()
        self.reference = _classed(w.Text(description="Reference", placeholder="its number or BibTeX key, e.g. 4",
                                         style=_style()), "appraise-reference")
        self.instrument = _classed(w.Dropdown(options=[(i.title, n) for n, i in self.instruments.items()],
                                              description="Instrument", style=_style()), "appraise-instrument")
        self.member = _classed(w.Text(description="Member", placeholder="your name", style=_style()),
                               "appraise-member")
        self.domains: dict[str, w.Dropdown] = {}
        self.domain_box = _classed(w.VBox(), "appraise-domains")
        self.overall = _classed(w.Dropdown(description="Overall", style=_style()), "appraise-overall")
        self.rationale = _classed(w.Textarea(description="Rationale", layout=w.Layout(width="90%"), style=_style()),
                                  "appraise-rationale")
        self.reconciled = _classed(w.Checkbox(description="reconciled: the members' agreed appraisal",
                                              style=_style()), "appraise-reconciled")
        self.save = _classed(w.Button(description="Save appraisal", button_style="primary"),
                             "appraise-save")
        self.message = _classed(w.HTML(), "appraise-message")
        self.standing = _classed(w.HTML(), "appraise-standing")
        self.instrument.observe(lambda _: self.build(), names="value")
        self.save.on_click(lambda _: self.save_now())
        self.box = w.VBox([w.HTML("<b>Appraise a reference</b>"), self.reference, self.instrument, self.member,
                           self.domain_box, self.overall, self.rationale, self.reconciled, self.message, self.save,
                           w.HTML("<b>The group's appraisals</b>"), self.standing])
        self.build()
        self.show()

    @property
    def chosen(self) -> Instrument:
        return self.instruments[self.instrument.value]

    def build(self) -> None:
        """One dropdown per domain of the chosen instrument, with its own judgements; the overall judgements."""
        ins = self.chosen
        self.domains = {d.key: _classed(w.Dropdown(options=[("(not judged)", "")]
                                                   + [(ins.label(j), j) for j in d.judgements],
                                                   description=f"{d.key} {d.title}", style=_style(),
                                                   layout=w.Layout(width="90%")), "appraise-domain")
                        for d in ins.domains}
        self.domain_box.children = tuple(self.domains.values())
        self.overall.options = [("(choose)", "")] + [(ins.label(j), j) for j in ins.overall]
        self.overall.value = ""

    def save_now(self) -> None:
        """Save the appraisal as a new file; say where, or every problem, and show where the reference stands."""
        try:
            a = new_appraisal(self.reference.value, self.instrument.value, self.member.value, self.overall.value,
                              {k: d.value for k, d in self.domains.items() if d.value}, self.rationale.value,
                              self.reconciled.value, instruments=self.instruments)
            path = save_appraisal(self.guideline, a, instruments=self.instruments)
        except GradingError as e:
            self.message.value = f"<pre>Not saved:\n{html.escape(str(e))}</pre>"
            return
        self.message.value = f"Saved {html.escape(path.name)}."
        self.show()

    def show(self) -> None:
        """Where every appraisal stands, the members' agreement and the verdicts settled, as text."""
        try:
            loop = appraisal_loop(self.guideline, instruments=self.instruments)
            text = members_words(loop_text(self.guideline, loop, self.instruments), bool(loop.standings))
        except GradingError as e:  # a damaged appraisal file: say where, keep the form usable
            text = f"The saved appraisals cannot be read:\n{e}"
        self.standing.value = f"<pre>{html.escape(text)}</pre>"


def members_words(text: str, any_saved: bool) -> str:
    """The loop as `grading appraisals` prints it, told to a member: its opening line (a folder and the commands) in
    the app's words."""
    lines = text.split("\n")
    opening = "The group's appraisals, and what each settles:" if any_saved else \
        "No appraisal is saved yet: appraise a reference with the form above."
    return "\n".join([opening, *lines[1 + (not any_saved):]])
