"""grading — review clinical evidence and grade guideline recommendations, reproducibly.

The package follows its pipeline: `io` reads a guideline folder, `scheme` holds the one Scheme object that
grades it, `grade` derives and compares, `analyses` audit and probe the gradings, `revisions` record a working
group's changes, `render` writes text, JSON, reports and plots, and `ui` holds the notebooks' widgets.
"""

from .analyses.audit import Finding, audit
from .analyses.crosswalk import crosswalk, crosswalk_frame
from .analyses.fragility import Fragility, fragility, fragility_all
from .analyses.impact import Impact, NewStudy, impact, load_new_study, matched
from .errors import GradingError, Problem, RevisionError, UnknownValueError, ValidationError
from .grade import (
                    Comparison,
                    Decision,
                    Grading,
                    Recommendation,
                    Study,
                    compare,
                    derive_level,
                    derive_strength,
                    effect_size_category,
                    grade,
                    reproduce,
                    summary,
)
from .io.guideline import Guideline, load_guideline
from .revisions import Revised, Revision, apply_revisions, diff, load_revisions, new_revision, save_revision
from .scheme import Choices, Scheme, load_scheme

__all__ = ["Choices", "Comparison", "Decision", "Finding", "Fragility", "Grading", "GradingError", "Guideline",
           "Impact", "NewStudy", "Problem", "Recommendation", "Revised", "Revision", "RevisionError", "Scheme",
           "Study", "UnknownValueError", "ValidationError", "apply_revisions", "audit", "compare", "crosswalk",
           "crosswalk_frame", "derive_level", "derive_strength", "diff", "effect_size_category", "fragility",
           "fragility_all", "grade", "impact", "load_guideline", "load_new_study", "load_revisions", "load_scheme",
           "matched", "new_revision", "reproduce", "save_revision", "summary",
           "explore", "plots", "publish", "text", "browser", "revise_panel"]
__version__ = "0.1.0"

# What the notebooks use, loaded on first use: the command line never pays for matplotlib or ipywidgets.
_LAZY = {
    "explore": ("grading.analyses.explore", None), "plots": ("grading.render.plots", None),
    "publish": ("grading.render.report", None), "text": ("grading.render.text", None),
    "browser": ("grading.ui.browser", "browser"), "revise_panel": ("grading.ui.revise_panel", "revise_panel"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'grading' has no attribute {name!r}")
    import importlib
    module, attribute = _LAZY[name]
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded
