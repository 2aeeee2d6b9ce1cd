"""Grading schemes as data: one Scheme object per file, passed to everything that grades, renders or shows."""

from .load import (
    BUNDLED,
    DEFAULT,
    DOC,
    bundled_names,
    check_grades_strengths,
    gradeable,
    guideline_scheme,
    load_scheme,
)
from .model import Certainty, Choices, Clause, Criterion, Etd, Grade, LevelRule, Paradigm, Rule, Scheme

__all__ = ["BUNDLED", "DEFAULT", "DOC", "Certainty", "Choices", "Clause", "Criterion", "Etd", "Grade", "LevelRule",
           "Paradigm", "Rule", "Scheme", "bundled_names", "check_grades_strengths", "gradeable", "guideline_scheme",
           "load_scheme"]
