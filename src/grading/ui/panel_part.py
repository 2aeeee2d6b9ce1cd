"""The Panel part of the Revise app: a member sets up the working group — its members, their roles, declared
interests and recusals — and saves it as votes are saved (revisions/panel_edit.save_panel: the panel it replaces
is kept, a change made meanwhile by another member is never overwritten)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as w

from ..errors import GradingError
from ..io.guideline import Guideline
from ..io.panel import PANEL_FILE, load_panel
from ..revisions.panel_edit import COLUMNS, panel_rows, panel_text, save_panel
from .controls import classed as _classed

WIDTHS = {"member": "200px", "role": "200px", "interests": "260px", "recused": "220px"}
HEADINGS = {"member": "Member", "role": "Role", "interests": "Declared interests",
            "recused": "Recused from (topics or ids, joined by ;)"}
PLACEHOLDERS = {"member": "name", "role": "e.g. physiotherapist", "interests": "e.g. fees from a device maker",
                "recused": "e.g. MANIPULASJON;7.1.3-02"}


@dataclass(frozen=True)
class MemberRow:
    """The widgets of one member's row."""

    cells: dict[str, w.Text]
    remove: w.Button


class PanelPart:
    """The working group as a table a member edits: add and remove members, and save the panel."""

    def __init__(self, guideline: Guideline, on_saved: Callable[[], None] | None = None):
        self.guideline = guideline
        self.on_saved = on_saved
        self.rows: list[MemberRow] = []
        self.based_on = ""
        self.rows_box = _classed(w.VBox(), "panel-rows")
        self.add_member = _classed(w.Button(description="Add member", layout=w.Layout(width="auto")),
                                   "panel-add")
        self.editor = _classed(w.Text(description="Your name", placeholder="who changes the panel",
                                      style={"description_width": "initial"}), "panel-editor")
        self.save = _classed(w.Button(description="Save panel", button_style="primary"), "panel-save")
        self.reload = _classed(w.Button(description="Reload panel"), "panel-reload")
        self.message = _classed(w.HTML(), "panel-message")
        self.add_member.on_click(lambda _: self._add())
        self.save.on_click(lambda _: self.save_now())
        self.reload.on_click(lambda _: self.load())
        self.box = w.VBox([
            w.HTML("<b>The working group</b><p>The members who vote, their roles, the interests each declares, and "
                   "what each does not vote on because of an interest: a topic (every recommendation of it) or a "
                   "recommendation's id. A recused member's vote is shown but not counted. Saving keeps the panel "
                   "it replaces.</p>"),
            self.rows_box, self.add_member, self.editor, w.HBox([self.save, self.reload]), self.message])
        self.load()

    def load(self) -> None:
        """Show the panel as saved now, discarding unsaved edits."""
        try:
            rows = panel_rows(load_panel(self.guideline))
            self.message.value = "" if rows else "No panel yet: add the working group's members, then save."
        except GradingError as e:  # a damaged panel.csv: say what is wrong, start from its members' names
            rows = []
            self.message.value = _words(f"The saved panel cannot be read; saving replaces it (the old one is kept):\n"
                                        f"{e}")
        self.based_on = panel_text(self.guideline)
        self._build(rows)

    def values(self) -> list[dict[str, str]]:
        """The rows the widgets describe now, blank rows left out."""
        rows = [{c: r.cells[c].value.strip() for c in COLUMNS} for r in self.rows]
        return [r for r in rows if any(r.values())]

    def _build(self, rows: list[dict[str, str]]) -> None:
        self.rows = []
        for n, row in enumerate(rows):
            name = row.get("member") or f"member {n + 1}"
            cells = {c: _classed(w.Text(row.get(c, ""), placeholder=PLACEHOLDERS[c],
                                        description=f"{HEADINGS[c].split(' (')[0]} of {name}",
                                        style={"description_width": "0px"}, layout=w.Layout(width=WIDTHS[c])),
                                 f"panel-{c}-{n}") for c in COLUMNS}
            remove = _classed(w.Button(description=f"Remove {name}", layout=w.Layout(width="auto")),
                              f"panel-remove-{n}")
            remove.on_click(lambda _, n=n: self._remove(n))
            self.rows.append(MemberRow(cells, remove))
        heads = w.HBox([w.HTML(f"<b>{html.escape(h)}</b>", layout=w.Layout(width=WIDTHS[c]))
                        for c, h in HEADINGS.items()])
        self.rows_box.children = [heads, *(w.HBox([*r.cells.values(), r.remove]) for r in self.rows)]

    def _add(self) -> None:
        self._build([*self.values(), {c: "" for c in COLUMNS}])

    def _remove(self, n: int) -> None:
        rows = [{c: r.cells[c].value for c in COLUMNS} for r in self.rows]
        del rows[n]
        self._build(rows)

    def save_now(self) -> None:
        """Save the panel the widgets describe; say so, or every problem in words."""
        try:
            save_panel(self.guideline, self.values(), self.editor.value, self.based_on)
        except GradingError as e:  # told as the panel, not as the file that holds it
            self.message.value = _words(f"Not saved: {e}".replace(f"{PANEL_FILE} (unsaved)", "the panel")
                                        .replace(str(PANEL_FILE), "the panel"))
            return
        self.load()
        self.message.value = f"Panel saved: {len(self.rows)} members. The earlier panel is kept."
        if self.on_saved is not None:
            self.on_saved()


def _words(text: str) -> str:
    return f'<div style="white-space: pre-wrap">{html.escape(text)}</div>'
