"""The small immutable records grading works on: one evidence row (Study) and one recommendation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .vocab import DESIGNS, JUDGEMENTS


@dataclass(frozen=True)
class Study:
    """One appraised evidence row behind a recommendation."""

    design: str
    quality: str = "unclear"
    finding: str = "unclear"
    reference: int | None = None
    quality_text: str = ""

    def label(self) -> str:
        """A short human label: 'RCT (ref 91, good)'."""
        ref = f"ref {self.reference}, " if self.reference is not None else ""
        return f"{DESIGNS.get(self.design, self.design)} ({ref}{self.quality})"


@dataclass(frozen=True)
class Recommendation:
    """One row of recommendations.csv, typed: what grading, rendering and revising read of a recommendation."""

    id: str
    section: str
    topic: str
    text: str
    direction: str
    topic_en: str = ""
    phase: str = ""
    diagnostic_group: str = ""
    published_strength: str = ""
    published_strength_text: str = ""
    published_level: str = ""
    published_levels: tuple[str, ...] = ()  # every level printed, one per documentation point, in order
    published_level_words: str = ""  # the text's words on the documentation as a whole ('god dokumentasjon')
    published_level_words_level: str = ""  # the Table 1 level those words name, '' where they name none
    justification: str = ""
    judgements: Mapping[str, str] = field(default_factory=lambda: {j: "unrecorded" for j in JUDGEMENTS})
    judgement_note: str = ""
    seed_lines: str = ""
    line: int | None = None  # in recommendations.csv
    paradigm: str = ""  # GRADE: the situation that allows a strong recommendation on low certainty, '' when none named
    # What a reader gets beside the recommendation, where the group writes it (READER_FIELDS; empty: not shown).
    plain_summary: str = ""
    benefits_harms: str = ""
    certainty_of_evidence: str = ""
    values_preferences: str = ""
    resources: str = ""
    practical_info: str = ""
    rationale: str = ""
    translation: str = ""
    translation_language: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Recommendation:
        """A record from a table row (a dict of the CSV's columns; missing optional columns are empty)."""
        text = {k: ("" if row.get(k) is None else str(row.get(k))) for k in (*_TEXT, *READER_FIELDS)}
        line = row.get("_line")
        levels = tuple(p for p in str(row.get("published_levels") or "").split(";") if p)
        return cls(**text, published_levels=levels or ((text["published_level"],) if text["published_level"] else ()),
                   judgements={j: str(row.get(j) or "unrecorded") for j in JUDGEMENTS},
                   line=int(line) if isinstance(line, int) or (isinstance(line, str) and line.isdigit()) else None)

    def but(self, **changes: Any) -> Recommendation:
        """A copy with some fields changed (judgements merged with those given under `judgements`)."""
        if "judgements" in changes:
            changes["judgements"] = {**self.judgements, **changes["judgements"]}
        return replace(self, **changes)

    def as_row(self) -> dict[str, str]:
        """The record as a row of recommendations.csv."""
        row = {k: getattr(self, k) for k in _TEXT}
        row.update({k: getattr(self, k) for k in READER_FIELDS if getattr(self, k)})  # optional: only where written
        row["published_levels"] = ";".join(self.published_levels)
        return {**row, **{j: self.judgements.get(j, "unrecorded") for j in JUDGEMENTS}}

    @property
    def phases(self) -> tuple[str, ...]:
        """The phases the phase cell names ('akutt/langvarig' -> two), () when none."""
        return tuple(p for p in self.phase.split("/") if p)


_TEXT = ("id", "section", "topic", "text", "direction", "topic_en", "phase", "diagnostic_group", "published_strength",
         "published_strength_text", "published_level", "justification", "judgement_note", "seed_lines",
         "published_level_words", "published_level_words_level", "paradigm")

# The optional reader columns of recommendations.csv (evidence/README.md, "What a reader gets"), in the order a
# recommendation's page shows them.
READER_FIELDS = ("plain_summary", "benefits_harms", "certainty_of_evidence", "values_preferences", "resources",
                 "practical_info", "rationale", "translation", "translation_language")


@dataclass(frozen=True)
class EvidenceRow:
    """One row of evidence.csv, typed, with the reference it cites resolved once at load: the cell as written, the
    entry's key and the number the guideline's reference list shows for it (None for a consensus row)."""

    recommendation_id: str
    reference: str  # the cell as written: a refnumber or a key; '' for a consensus row
    key: str | None  # the entry the cell names
    number: int | None  # its number in the guideline's reference list
    design: str
    quality: str
    finding: str
    quality_text: str = ""
    effect_size: str = ""
    outcomes: tuple[str, ...] = ()
    documentation: str = ""
    seed_lines: str = ""
    line: int | None = None  # in evidence.csv
    scope: str = ""  # 'section': the text speaks of a whole section's basis; shown, never graded

    def as_study(self) -> Study:
        """The appraised row grading works on."""
        return Study(self.design, self.quality, self.finding, self.number, self.quality_text)


@dataclass(frozen=True)
class OutcomeRow:
    """One row of outcomes.csv: a recommendation's outcome and its body of evidence, as a GRADE evidence profile
    holds it (certainty model): importance, design, studies, each domain's judgement, the effect and the certainty
    the source prints."""

    recommendation_id: str
    outcome: str
    importance: str = "unclear"  # critical, important, not_important or unclear
    comparison: str = ""
    design: str = ""  # rct or observational: where START-BY-DESIGN starts
    studies: tuple[str, ...] = ()  # reference cells (keys or numbers)
    n_studies: str = ""
    participants: str = ""
    domains: Mapping[str, str] = field(default_factory=dict)  # domain -> judgement as the source states it
    effect_direction: str = "unclear"  # benefit, harm, no_difference or unclear
    relative_effect: str = ""
    absolute_effect: str = ""
    narrative: str = ""
    published_certainty: str = ""
    footnotes: str = ""
    source: str = ""
    line: int | None = None  # in outcomes.csv
