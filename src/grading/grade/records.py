"""The records grading works on live in `grading.records`, below `io` (which reads them) and `grade`.

Kept for `derive`, `counts`, `judge` and `readings`, which import `.records`: it imports downward only. Delete it
when those four import `..records` (docs/design.md)."""

from ..records import Recommendation, Study

__all__ = ["Recommendation", "Study"]
