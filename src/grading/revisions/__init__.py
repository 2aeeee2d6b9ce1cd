"""Revisions: a working group's changes as files (record), and the revised guideline they make (apply)."""

from .apply import (
                    Conflict,
                    RecommendationDiff,
                    Revised,
                    apply_revisions,
                    changes_between,
                    check_revision,
                    conflicts,
                    diff,
                    diff_text,
                    judgements_of,
                    preview,
                    rows_of,
                    save_revision,
                    saved_revisions,
)
from .record import FORMAT, REVISIONS_DIR, Change, Revision, load_revisions, new_revision, read_revision

__all__ = ["FORMAT", "REVISIONS_DIR", "Change", "Conflict", "RecommendationDiff", "Revised", "Revision",
           "apply_revisions", "changes_between", "check_revision", "conflicts", "diff", "diff_text",
           "judgements_of", "load_revisions", "new_revision", "preview", "read_revision", "rows_of", "save_revision",
           "saved_revisions"]
