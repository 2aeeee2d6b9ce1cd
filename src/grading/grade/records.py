"""The records grading works on live in `grading.records`, below `io` (which reads them) and `grade`.

Kept for the modules and callers that import `grading.grade.records`: it imports downward only (docs/design.md)."""

from ..records import EvidenceRow, Recommendation, Study

__all__ = ["EvidenceRow", "Recommendation", "Study"]
