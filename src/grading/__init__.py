"""grading — review clinical evidence and grade guideline recommendations, reproducibly.

The package follows its pipeline: `io` reads a guideline folder, `scheme` holds the one Scheme object that
grades it, `grade` derives and compares, `analyses` audit and probe the gradings, `revisions` record a working
group's changes, `render` writes text, JSON, reports and plots, and `ui` holds the notebooks' widgets.

Every public name below is loaded on first use, so `grading reproduce` imports only what it runs.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> (module, attribute; None for the module itself)
_PUBLIC: dict[str, tuple[str, str | None]] = {
    **{n: ("grading.analyses.audit", n) for n in ("Finding", "audit")},
    **{n: ("grading.analyses.crosswalk", n) for n in ("crosswalk", "crosswalk_frame")},
    **{n: ("grading.analyses.fragility", n) for n in ("Fragility", "fragility", "fragility_all")},
    **{n: ("grading.analyses.impact", n) for n in ("Impact", "NewStudy", "impact", "load_new_study", "matched")},
    **{n: ("grading.errors", n) for n in ("GradingError", "Problem", "RevisionError", "UnknownValueError",
                                          "ValidationError")},
    **{n: ("grading.grade", n) for n in ("Comparison", "Decision", "Grading", "Recommendation", "Study", "compare",
                                         "derive_level", "derive_strength", "effect_size_category", "grade",
                                         "reproduce", "summary")},
    **{n: ("grading.io.guideline", n) for n in ("Guideline", "load_guideline")},
    **{n: ("grading.revisions", n) for n in ("Revised", "Revision", "apply_revisions", "diff", "load_revisions",
                                             "new_revision", "save_revision")},
    **{n: ("grading.scheme", n) for n in ("Choices", "Scheme", "load_scheme")},
    # what the notebooks use: the command line never pays for matplotlib or ipywidgets
    "explore": ("grading.analyses.explore", None), "plots": ("grading.render.plots", None),
    "publish": ("grading.render.report", None), "text": ("grading.render.text", None),
    "browser": ("grading.ui.browser", "browser"), "revise_panel": ("grading.ui.revise_panel", "revise_panel"),
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'grading' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    loaded = importlib.import_module(module)
    value = getattr(loaded, attribute) if attribute else loaded
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))

