"""An ipywidgets browser over `explore.browse`: a dropdown for each filter and the table below them."""

from __future__ import annotations

import ipywidgets as w

from ..analyses.explore import NO_PHASE, browse, filter_options, show
from ..grade import Grading, reproduce
from ..io.guideline import Guideline


def browser(guideline: Guideline, gradings: list[Grading] | None = None):
    """An ipywidgets filter over `browse`: dropdowns for each filter and the table below them."""

    gradings = gradings if gradings is not None else reproduce(guideline)
    opts = filter_options(guideline)
    names = {NO_PHASE: "(no phase named)"}
    controls = {k: w.Dropdown(options=[("any", None)] + [(names.get(v, v), v) for v in vals], description=k)
                for k, vals in opts.items() if k != "topic"}
    controls["topic"] = w.Text(description="topic", placeholder="part of a topic, e.g. manip")
    count = w.HTML()
    out = w.Output(layout=w.Layout(max_height="600px", overflow="auto"))  # every row, scrolled in its own box

    def refresh(_=None) -> None:
        values = {k: (c.value or None) if k == "topic" else c.value for k, c in controls.items()}
        # Set the widget's outputs directly rather than capture a display: the table then lives in the widget's
        # state only, never in the cell's own outputs (which nbval compares).
        out.outputs = ()
        table = browse(guideline, gradings, **values)
        count.value = f"{len(table)} of {len(guideline.recommendations)} recommendations"
        out.append_display_data(show(table))

    for c in controls.values():
        c.observe(refresh, names="value")
    refresh()
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox(list(controls.values())[3:]), count, out])
