"""What every part of the Revise app builds its controls with: a CSS class a test and a stylesheet find, and a
label shown whole."""

from __future__ import annotations

import ipywidgets as w


def classed(widget: w.Widget, name: str) -> w.Widget:
    """The widget with the class grading-<name>."""
    widget.add_class(f"grading-{name}")
    return widget


def label_style() -> dict:
    """A control's style with its description shown whole, not cut to the default width."""
    return {"description_width": "initial"}
