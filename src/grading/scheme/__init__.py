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
from .model import Choices, Clause, Grade, LevelRule, Rule, Scheme

__all__ = ["BUNDLED", "DEFAULT", "DOC", "Choices", "Clause", "Grade", "LevelRule", "Rule", "Scheme", "bundled_names",
           "check_grades_strengths", "gradeable", "guideline_scheme", "load_scheme"]
