"""A guideline under another grading scheme: every grade labelled as a mapping, with the rule used."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..grade import derive_level
from ..io.guideline import Guideline
from ..scheme import Scheme, load_scheme

NOTE = "mapping made by the toolkit, not the working group's grading"


@dataclass(frozen=True)
class Mapped:
    """One recommendation's grading mapped into another scheme."""

    recommendation_id: str
    scheme: str
    level: str
    level_rule: str
    level_because: str
    strength: str | None
    strength_rule: str
    direction: str
    note: str = NOTE


def map_strength(published: str | None, direction: str, scheme: Scheme, source: Scheme) -> tuple[str | None, str]:
    """Map a strength published under `source` into a scheme's strengths; (None, why) where it has no mapping."""
    table = scheme.mappings.get("strength", {})
    parts = source.parse_strength(published)
    if not table:
        return None, f"{scheme.name} grades evidence only: no strength of recommendation"
    if not parts or parts[0] not in table:
        return None, f"no {scheme.name} strength for published '{published or 'none'}'"
    rule = next((r for r in scheme.rules if r.endswith("STRENGTH-MAP")), "mapping")
    against = direction == "against" or parts[0] == source.choices.not_recommended
    return f"{table[parts[0]]} {'against' if against else 'for'}", rule


def crosswalk(guideline: Guideline, scheme: Scheme | str) -> list[Mapped]:
    """Every recommendation's level derived under another scheme and its published strength mapped into it."""
    scheme = load_scheme(scheme)
    out = []
    for rec in guideline.records:
        d = derive_level(guideline.studies(rec.id), scheme)
        strength, why = map_strength(rec.published_strength or None, rec.direction, scheme, guideline.scheme)
        out.append(Mapped(rec.id, scheme.describe(), d.value, d.rule, d.because, strength, why, rec.direction))
    return out


def crosswalk_frame(guideline: Guideline, scheme: Scheme | str) -> pd.DataFrame:
    """The crosswalk beside the published grading, one row per recommendation."""
    mapped = pd.DataFrame([m.__dict__ for m in crosswalk(guideline, scheme)])
    recs = guideline.recommendations[["id", "topic_en", "published_strength", "published_level"]]
    return recs.reset_index(drop=True).join(mapped.drop(columns="recommendation_id"))
