"""Grading schemes as data: one Scheme object per file, passed to everything that grades, renders or shows."""

from .load import BUNDLED, DEFAULT, bundled_names, check_grades_strengths, load_scheme
from .model import Choices, Clause, Grade, LevelRule, Rule, Scheme

__all__ = ["BUNDLED", "DEFAULT", "Choices", "Clause", "Grade", "LevelRule", "Rule", "Scheme", "bundled_names",
           "check_grades_strengths", "load_scheme"]
