"""Grading: derive a level and a strength from appraised evidence by one scheme, and compare with the published."""

from ..records import Recommendation, Study
from .derive import (
                     Comparison,
                     Decision,
                     compare,
                     derive_level,
                     derive_strength,
                     effect_size_category,
                     outcome_judgement,
)
from .reproduce import Grading, grade, grade_in, reproduce, summary

__all__ = ["Comparison", "Decision", "Grading", "Recommendation", "Study", "compare", "derive_level",
           "derive_strength", "effect_size_category", "grade", "grade_in", "outcome_judgement", "reproduce", "summary"]
