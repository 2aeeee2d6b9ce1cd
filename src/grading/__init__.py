"""grading — review clinical evidence and grade guideline recommendations, reproducibly."""

from .audit import Finding, audit
from .derive import Comparison, Decision, Study, compare, derive_level, derive_strength, effect_size_category
from .errors import GradingError, Problem, ValidationError
from .grade import Grading, grade, reproduce
from .guideline import Guideline, load_guideline
from .scheme import LEVELS, RULES, STRENGTHS, Rules

__all__ = ["Comparison", "Decision", "Finding", "Grading", "GradingError", "Guideline", "LEVELS", "Problem",
           "RULES", "Rules", "STRENGTHS", "Study", "ValidationError", "audit", "compare", "derive_level",
           "derive_strength", "effect_size_category", "grade", "load_guideline", "reproduce"]
__version__ = "0.1.0"
