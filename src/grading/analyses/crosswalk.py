"""A guideline under another grading scheme: every grade labelled as a mapping, with the rule used."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..grade import Grading, derive_level, reproduce
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
    """Map a strength published under `source` into a scheme's strengths ([mappings.against] for a recommendation
    against, where the scheme has one); (None, why) where it has no mapping."""
    parts = source.parse_strength(published)
    against = direction == "against" or (bool(parts) and parts[0] == source.choices.not_recommended)
    table = scheme.mappings.get("against" if against and "against" in scheme.mappings else "strength", {})
    if not table:
        return None, f"{scheme.name} grades evidence only: no strength of recommendation"
    if not parts or parts[0] not in table:
        return None, f"no {scheme.name} strength for published '{published or 'none'}'"
    rule = next((r for r in scheme.rules if r.endswith("STRENGTH-MAP")), "mapping")
    return f"{table[parts[0]]} {'against' if against else 'for'}", rule


def _level_from_certainty(g: Grading, scheme: Scheme) -> tuple[str, str, str]:
    """(level, rule, because): a certainty-model grading's derived certainty mapped by [mappings.certainty]."""
    table = scheme.mappings.get("certainty", {})
    certainty = g.profile.overall.value if g.profile is not None and g.profile.outcomes else ""
    rule = "LEVEL-FROM-CERTAINTY" if "LEVEL-FROM-CERTAINTY" in scheme.rules else "mapping"
    if not table:
        return "", "mapping", f"{scheme.name} declares no [mappings.certainty]: no level for a certainty"
    if certainty not in table:
        return "", rule, "no outcome rows: no certainty to map" if not certainty else f"no level for '{certainty}'"
    return table[certainty], rule, f"derived certainty {certainty.replace('_', ' ')} mapped to {table[certainty]}"


def crosswalk(guideline: Guideline, scheme: Scheme | str) -> list[Mapped]:
    """Every recommendation's level derived under another scheme and its published strength mapped into it."""
    scheme = load_scheme(scheme)
    out = []
    if guideline.scheme.model == "certainty":  # GRADE into a levels scheme: the certainty, not the rows, maps
        for g in reproduce(guideline):
            level, rule, because = _level_from_certainty(g, scheme)
            strength, why = map_strength(g.published_strength or None, g.direction, scheme, guideline.scheme)
            out.append(Mapped(g.id, scheme.describe(), level, rule, because, strength, why, g.direction))
        return out
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
